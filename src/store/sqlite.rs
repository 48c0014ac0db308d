//! The embedded SQLite backend: WAL, foreign keys, a busy timeout, migrations at start; reads
//! from a pool, writes through one connection, concurrent ones committed together.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection};

use super::exec::impl_exec;
use super::group_commit::{GroupWrite, GroupWriter};
use super::sql::{Dialect, Sql};
use super::{PoolSettings, Pools, StoreError, Write};
use crate::domain::stats::Distribution;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl Dialect for Sqlite {
    const NAME: &'static str = "sqlite";
    const LOCK_FOR_UPDATE: &'static str = "";
    const HOLD_ROW: &'static str = "";
    const POSITION: &'static str = "instr";
    const CONSISTENT_READS: Option<&'static str> = None;

    fn tags_json(resources: &str, tags: &str, owner: &str) -> String {
        format!(
            "(SELECT json_group_array(json_array(t.key, t.value) ORDER BY t.key) FROM {tags} t \
             WHERE t.provider = {resources}.provider AND t.{owner} = {resources}.id) AS tags"
        )
    }

    fn store_text(value: &str) -> String {
        value.to_owned()
    }

    fn load_text(stored: String) -> String {
        stored
    }

    fn quota_lock(_key: &str) -> Option<Sql<Self>> {
        None
    }
}

impl_exec!(SqliteConnection, Sqlite);

/// Reads go to a pool of connections, writes to one connection: SQLite allows one writer at a
/// time, and queueing writers here is far cheaper than SQLite's sleep-and-retry busy handler.
/// The busy timeout still covers other processes sharing the file.
#[derive(Clone)]
pub struct SqliteBackend {
    pools: Pools<Sqlite>,
    /// Group commit for a file; an in-memory database (one connection for reads and writes)
    /// gives each write a transaction of its own.
    group: Option<GroupWriter>,
}

/// A write in progress on SQLite.
pub(super) enum SqliteWrite {
    Grouped(GroupWrite),
    Alone(Write<Sqlite>),
}

impl SqliteWrite {
    pub(super) fn connection(&mut self) -> &mut SqliteConnection {
        match self {
            SqliteWrite::Grouped(write) => write.connection(),
            SqliteWrite::Alone(write) => write.connection(),
        }
    }

    pub(super) async fn finish(self) -> Result<(), sqlx::Error> {
        match self {
            SqliteWrite::Grouped(write) => write.finish().await,
            SqliteWrite::Alone(write) => write.finish().await,
        }
    }
}

impl SqliteBackend {
    pub async fn connect(url: &str, pool: PoolSettings) -> Result<Self, StoreError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL loses no committed transaction when the process dies; only a
            // power cut may roll back the last ones.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let single = || {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(pool.acquire_timeout)
        };
        let writer = single().connect_with(options.clone()).await?;
        if in_memory {
            // An in-memory database lives in its one connection; it serves reads too.
            return Ok(Self {
                pools: Pools::one(writer),
                group: None,
            });
        }
        let reader = SqlitePoolOptions::new()
            .max_connections(pool.max_connections)
            .acquire_timeout(pool.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(Self {
            group: Some(GroupWriter::new(writer.clone())),
            pools: Pools::new(reader, writer),
        })
    }

    pub fn pools(&self) -> &Pools<Sqlite> {
        &self.pools
    }

    /// Every write on SQLite is a transaction: grouped ones share their commit.
    pub(super) async fn write(&self) -> Result<SqliteWrite, sqlx::Error> {
        match &self.group {
            Some(group) => Ok(SqliteWrite::Grouped(group.write().await?)),
            None => Ok(SqliteWrite::Alone(self.pools.atomic().await?)),
        }
    }

    pub(super) async fn transaction(&self) -> Result<SqliteWrite, sqlx::Error> {
        self.write().await
    }

    /// How many writes each commit held, where writes are grouped.
    pub fn write_batches(&self) -> Option<Distribution> {
        self.group.as_ref().map(GroupWriter::batches)
    }
}
