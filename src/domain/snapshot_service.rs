//! The snapshot service: exports the world (or a scope of it), imports a snapshot, and loads
//! the seeds at start, over the repository's [`SnapshotRepository`].

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Notify;

use super::fault_service::FaultService;
use super::repository::{FaultRepository, SnapshotError, SnapshotRepository};
use super::reset::{ResetCounts, ResetScope};
use super::snapshot::{ImportCounts, ImportMode, Snapshot};
use super::DomainError;

/// Snapshots over a repository: export, import, and the seeds at start.
#[derive(Clone)]
pub struct SnapshotService<R> {
    repository: R,
    /// Woken after an import, so that the transition worker sees imported pending
    /// transitions (another process's worker hears of them from the database).
    work_scheduled: Arc<Notify>,
    /// Told after an import, which may have replaced the fault rules.
    faults: FaultService<R>,
}

impl<R: SnapshotRepository + FaultRepository + Clone> SnapshotService<R> {
    pub fn new(repository: R, work_scheduled: Arc<Notify>, faults: FaultService<R>) -> Self {
        Self {
            repository,
            work_scheduled,
            faults,
        }
    }

    /// Everything of `scope` (records only when asked), as of now.
    pub async fn export(&self, scope: ResetScope, records: bool) -> Result<Snapshot, DomainError> {
        let sections = self.repository.export_sections(&scope, records).await?;
        Ok(Snapshot {
            taken_at: Utc::now(),
            scope,
            records,
            sections,
        })
    }

    /// Imports one snapshot, all or nothing.
    pub async fn import(
        &self,
        snapshot: &Snapshot,
        mode: ImportMode,
    ) -> Result<ImportCounts, SnapshotError> {
        let counts = self.repository.import_snapshot(snapshot, mode).await?;
        self.work_scheduled.notify_one();
        self.faults.forget();
        Ok(counts)
    }

    /// Loads `snapshots` (merged, in order, in one transaction) when the database holds
    /// nothing a snapshot would hold; `None` when it does, and nothing was loaded.
    pub async fn seed(&self, snapshots: &[Snapshot]) -> Result<Option<ResetCounts>, SnapshotError> {
        let loaded = self.repository.seed(snapshots).await?;
        if loaded.is_some() {
            self.work_scheduled.notify_one();
            self.faults.forget();
        }
        Ok(loaded)
    }
}
