//! A throwaway PostgreSQL cluster of a test's own, for tests that stop and start the server
//! (which they must not do to the cluster the rest of the suite shares). It is made with the
//! machine's `initdb` and `pg_ctl`, listens on 127.0.0.1 on a free port with its socket in its
//! own directory, and is stopped and deleted when dropped.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Who runs the server: Postgres refuses to run as root, so a root test drops to an
    /// unprivileged account.
    run_as: Option<(u32, u32)>,
}

impl PgCluster {
    /// Starts a new cluster, or says why it cannot (no PostgreSQL server binaries here).
    pub fn start() -> Result<Self, String> {
        let bin = server_binaries().ok_or(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin",
        )?;
        let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
        let run_as = if std::fs::metadata("/proc/self")
            .map_err(|err| err.to_string())?
            .uid()
            == 0
        {
            let account = unprivileged_account()
                .ok_or("running as root and no postgres or nobody account to run the server as")?;
            std::os::unix::fs::chown(dir.path(), Some(account.0), Some(account.1))
                .map_err(|err| err.to_string())?;
            Some(account)
        } else {
            None
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|err| err.to_string())?
            .port();
        let cluster = Self {
            dir,
            bin,
            port,
            run_as,
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        cluster.resume()?;
        Ok(cluster)
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (`-m fast`: open sessions are ended at once), keeping its data.
    pub fn stop(&self) -> Result<(), String> {
        let data = self.data().display().to_string();
        self.run("pg_ctl", &["stop", "-D", &data, "-m", "fast", "-w"])
    }

    /// Starts the server again on the same port and data.
    pub fn resume(&self) -> Result<(), String> {
        let data = self.data().display().to_string();
        let log = self.dir.path().join("server.log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "start", "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options,
            ],
        )
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let mut command = Command::new(self.bin.join(program));
        command.args(args).current_dir(self.dir.path());
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        let output = command
            .output()
            .map_err(|err| format!("{program}: {err}"))?;
        if output.status.success() {
            Ok(())
        } else {
            let log =
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            Err(format!(
                "{program} {args:?} failed: {}\n{}\n{log}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let _ = self.run("pg_ctl", &["stop", "-D", &data, "-m", "immediate", "-w"]);
    }
}

/// The directory holding `initdb` and `pg_ctl`: from PATH, else the newest Debian install.
fn server_binaries() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|dir| has_both(dir)) {
        return Some(dir);
    }
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_both(bin))
        .collect();
    installed.sort();
    installed.pop().map(|(_, bin)| bin)
}

/// The uid and gid of `postgres`, else of `nobody`, from /etc/passwd.
fn unprivileged_account() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let find = |name: &str| {
        passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 3 && fields[0] == name)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
    };
    find("postgres").or_else(|| find("nobody"))
}
