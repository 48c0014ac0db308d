//! `--seed PATH`: snapshots loaded at start when the database is empty, so that a compose file
//! or a CI job starts from a known world. `PATH` is one snapshot file, or a directory whose
//! `*.json` files are read in name order; all of them are loaded in one transaction (merged,
//! so files may hold different tenants, not the same row twice), or none.

use std::path::{Path, PathBuf};

use crate::domain::{InvalidSnapshot, Snapshot, SnapshotError};
use crate::state::Snapshots;

/// Why the seed could not be loaded; the server does not start.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot read {}: {err}", path.display())]
    Read { path: PathBuf, err: std::io::Error },
    #[error("{} holds no *.json snapshot", .0.display())]
    EmptyDirectory(PathBuf),
    #[error("{}: {err}", path.display())]
    Snapshot { path: PathBuf, err: InvalidSnapshot },
    /// The seeds together could not be loaded (a conflict between files, a database failure).
    #[error("{0}")]
    Load(SnapshotError),
}

/// The snapshot files `path` names: itself, or a directory's `*.json` in name order.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, SeedError> {
    let read = |err| SeedError::Read {
        path: path.to_owned(),
        err,
    };
    if !path.metadata().map_err(read)?.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(read)? {
        let file = entry.map_err(read)?.path();
        if file.extension().is_some_and(|ext| ext == "json") && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(SeedError::EmptyDirectory(path.to_owned()));
    }
    files.sort();
    Ok(files)
}

/// Reads every seed file (each must be a valid snapshot), then loads them when the database
/// is empty. Logs what it did.
pub async fn load(snapshots: &Snapshots, path: &Path) -> Result<(), SeedError> {
    let files = files(path)?;
    let mut seeds = Vec::with_capacity(files.len());
    for file in &files {
        let bytes = std::fs::read(file).map_err(|err| SeedError::Read {
            path: file.clone(),
            err,
        })?;
        let snapshot = Snapshot::from_json(&bytes).map_err(|err| SeedError::Snapshot {
            path: file.clone(),
            err,
        })?;
        seeds.push(snapshot);
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    match snapshots.seed(&seeds).await.map_err(SeedError::Load)? {
        Some(counts) => tracing::info!(
            seed = %names.join(", "),
            rows = counts.total(),
            by_kind = ?counts.by_kind(),
            "loaded the seed into the empty database"
        ),
        None => tracing::info!(
            seed = %names.join(", "),
            "the database is not empty: the seed is not loaded"
        ),
    }
    Ok(())
}
