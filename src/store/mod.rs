//! Persistence: the domain's repository traits, implemented once over SQL written once, for
//! SQLite and Postgres. Each area has one file holding its statements and its implementation
//! (`flow_logs`, `network`, `destinations`, `records`, `tags`, `transitions`,
//! `transition_settings`, `activations`, `nonces`, `issued`, `journal`, `database`;
//! `snapshot` reads and writes every table a snapshot holds); each backend (`sqlite`, `postgres`) contributes only what
//! differs: connecting, migrating, its [`sql::Dialect`] and its connections (SQLite's writes
//! go through [`group_commit`]). Invariants (uniqueness, tenant scoping, legal
//! transitions) are kept by the schema and by conditional statements, never by check-then-write.

mod activations;
mod database;
mod destinations;
mod exec;
mod faults;
mod flow_logs;
mod group_commit;
mod issued;
mod journal;
mod network;
mod nonces;
mod postgres;
mod records;
mod reset;
mod row;
mod settings;
mod snapshot;
mod sql;
mod sqlite;
mod tags;
mod transition_settings;
mod transitions;

use sqlx::migrate::{Migrate, Migrator};
use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool, Transaction};

use crate::domain::StorageError;

pub use postgres::WORK_CHANNEL;
pub use settings::{DatabaseUrl, PoolSettings, StoreSettings};

use postgres::PostgresBackend;
use sqlite::SqliteBackend;

/// Why a database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        match err.as_database_error() {
            Some(db) if db.is_unique_violation() => StorageError::UniqueViolation,
            _ => StorageError::Unavailable(Box::new(err)),
        }
    }
}

/// The database in use; it implements every repository trait of the domain (and the nonces').
#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteBackend),
    Postgres(PostgresBackend),
}

impl Store {
    /// Opens the database the settings name (creating a SQLite file if needed) without
    /// migrating it. Fails when the database cannot be reached now.
    pub async fn connect(settings: &StoreSettings) -> Result<Self, StoreError> {
        match &settings.url {
            DatabaseUrl::Sqlite(url) => Ok(Store::Sqlite(
                SqliteBackend::connect(url, settings.pool).await?,
            )),
            DatabaseUrl::Postgres(url) => Ok(Store::Postgres(
                PostgresBackend::connect(url, settings.pool).await?,
            )),
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(backend) => backend.pools().migrate(&sqlite::MIGRATOR).await,
            // sqlx takes an advisory lock, so replicas starting together migrate in turn.
            Store::Postgres(backend) => backend.pools().migrate(&postgres::MIGRATOR).await,
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(backend) => backend.pools().close().await,
            Store::Postgres(backend) => backend.close().await,
        }
    }
}

/// A backend's connections: a pool for reads and one for writes, which are the same pool where
/// the database takes concurrent writers.
pub struct Pools<DB: Database> {
    reader: Pool<DB>,
    writer: Pool<DB>,
    /// Whether `reader` and `writer` are one pool.
    shared: bool,
}

// Derived `Clone` would ask `DB: Clone`, which the databases' marker types are not.
impl<DB: Database> Clone for Pools<DB> {
    fn clone(&self) -> Self {
        Self {
            reader: self.reader.clone(),
            writer: self.writer.clone(),
            shared: self.shared,
        }
    }
}

impl<DB: Database> Pools<DB> {
    fn new(reader: Pool<DB>, writer: Pool<DB>) -> Self {
        Self {
            reader,
            writer,
            shared: false,
        }
    }

    /// One pool for reads and writes.
    fn one(pool: Pool<DB>) -> Self {
        Self {
            reader: pool.clone(),
            writer: pool,
            shared: true,
        }
    }

    async fn migrate(&self, migrator: &Migrator) -> Result<(), StoreError>
    where
        DB::Connection: Migrate,
    {
        migrator.run(&self.writer).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Each pool's use; one entry when reads and writes share a pool.
    fn pool_use(&self) -> Vec<crate::domain::repository::PoolUse> {
        let usage = |pool: &'static str, of: &Pool<DB>| crate::domain::repository::PoolUse {
            pool,
            open: of.size(),
            idle: u32::try_from(of.num_idle()).unwrap_or(u32::MAX),
        };
        if self.shared {
            vec![usage("shared", &self.writer)]
        } else {
            vec![usage("reader", &self.reader), usage("writer", &self.writer)]
        }
    }

    async fn reader(&self) -> Result<PoolConnection<DB>, sqlx::Error> {
        self.reader.acquire().await
    }

    /// A connection whose statements commit one by one.
    async fn direct(&self) -> Result<Write<DB>, sqlx::Error> {
        Ok(Write::Direct(self.writer.acquire().await?))
    }

    /// A transaction of its own.
    async fn atomic(&self) -> Result<Write<DB>, sqlx::Error> {
        Ok(Write::Atomic(self.writer.begin().await?))
    }
}

/// A write in progress on a connection of the writer pool.
enum Write<DB: Database> {
    /// Each statement commits by itself.
    Direct(PoolConnection<DB>),
    /// The statements commit together when the write finishes.
    Atomic(Transaction<'static, DB>),
}

impl<DB: Database> Write<DB> {
    fn connection(&mut self) -> &mut DB::Connection {
        match self {
            Write::Direct(connection) => connection,
            Write::Atomic(transaction) => transaction,
        }
    }

    async fn finish(self) -> Result<(), sqlx::Error> {
        match self {
            Write::Direct(_) => Ok(()),
            Write::Atomic(transaction) => transaction.commit().await,
        }
    }
}

/// Runs `$body` once on the backend in use, with `$db` a connection of that backend (an
/// [`exec::Exec`]): the body is written once and compiled for each backend.
///
/// - `read`: a connection for reads;
/// - `write`: a connection for writes whose statements may commit one by one;
/// - `transaction`: a transaction, committed when the body completes. An early `return` or `?`
///   leaves the body without committing, which rolls the transaction back.
///
/// A write returns once what it wrote is committed. On a SQLite file both kinds of write are
/// transactions, grouped with concurrent ones into one commit ([`group_commit`]).
///
/// The body's `?` returns from the enclosing function, whose error type takes `sqlx::Error`.
macro_rules! with_db {
    ($store:expr, $mode:ident, |$db:ident| $body:block) => {
        match $store {
            $crate::store::Store::Sqlite(backend) => {
                $crate::store::with_db!(@$mode backend, $db, $body)
            }
            $crate::store::Store::Postgres(backend) => {
                $crate::store::with_db!(@$mode backend, $db, $body)
            }
        }
    };
    (@read $backend:ident, $db:ident, $body:block) => {{
        #[allow(unused_imports)] // bodies that only call helpers need no method of it
        use $crate::store::exec::Exec as _;
        let mut connection = $backend.pools().reader().await?;
        let $db = &mut *connection;
        $body
    }};
    (@write $backend:ident, $db:ident, $body:block) => {
        $crate::store::with_db!(@written $backend.write().await?, $db, $body)
    };
    (@transaction $backend:ident, $db:ident, $body:block) => {
        $crate::store::with_db!(@written $backend.transaction().await?, $db, $body)
    };
    (@written $write:expr, $db:ident, $body:block) => {{
        #[allow(unused_imports)] // bodies that only call helpers need no method of it
        use $crate::store::exec::Exec as _;
        let mut write = $write;
        let $db = write.connection();
        let value = $body;
        write.finish().await?;
        value
    }};
}

pub(crate) use with_db;
