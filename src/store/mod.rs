//! Persistence: one implementation per backend behind one `Store`, chosen by the URL's scheme.
//! Invariants (uniqueness, tenant scoping, legal transitions) are kept by the schema and by
//! conditional statements, never by check-then-write.

mod postgres;
mod row;
mod sql;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::config::{DatabaseArgs, DatabaseUrl};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, Page, Provider, Settlement,
    Status, Tag, TagFilter, TenantScope,
};

use postgres::PostgresStore;
use sqlite::SqliteStore;

pub use postgres::WORK_CHANNEL;

/// How many connections a store may open and how long a caller waits for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Postgres: the pool's size; SQLite: the read pool's (it writes through one connection).
    pub max_connections: u32,
    /// How long a statement waits for a connection (on Postgres, including opening one)
    /// before it fails with [`StoreError::Database`].
    pub acquire_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a uniqueness rule was violated")]
    UniqueViolation,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored row is not valid: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err.as_database_error() {
            Some(db) if db.is_unique_violation() => StoreError::UniqueViolation,
            _ => StoreError::Database(err),
        }
    }
}

/// A new status for a flow log, with the time it completes when it is transitional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub status: Status,
    pub due_at: Option<DateTime<Utc>>,
}

/// The outcome of an insert bounded by the tenant's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insertion {
    Inserted,
    /// The tenant already has as many flow logs as its quota allows; nothing was written.
    QuotaReached,
}

/// The outcome of a tag write over several flow logs; nothing is written unless it is `Done`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagWrite {
    Done,
    /// This flow log does not exist in the tenant's scope.
    Missing(FlowLogId),
    /// This flow log would carry more tags than allowed.
    TooMany(FlowLogId),
}

/// Which tenants a query may see: exactly one (every cloud request), or any (the control API).
#[derive(Debug, Clone, Copy)]
pub enum Visibility<'a> {
    Tenant(&'a TenantScope),
    Any {
        provider: Option<Provider>,
        tenant_id: Option<&'a str>,
    },
}

#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Forwards a call to the backend in use.
macro_rules! dispatch {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            Store::Sqlite(store) => store.$method($($arg),*).await,
            Store::Postgres(store) => store.$method($($arg),*).await,
        }
    };
}

impl Store {
    /// Opens the database the settings name (creating a SQLite file if needed) without
    /// migrating it. Fails when the database cannot be reached now.
    pub async fn connect(args: &DatabaseArgs) -> Result<Self, StoreError> {
        let pool = args.pool_settings();
        match &args.database_url {
            DatabaseUrl::Sqlite(url) => Ok(Store::Sqlite(SqliteStore::connect(url, pool).await?)),
            DatabaseUrl::Postgres(url) => {
                Ok(Store::Postgres(PostgresStore::connect(url, pool).await?))
            }
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Wakes `wake` whenever another process sharing the database schedules a transition, for
    /// as long as the store is open. SQLite has no such signal: this returns at once, and a
    /// worker finds another process's work at its next idle recheck.
    pub async fn watch_for_work(&self, wake: Arc<Notify>) {
        match self {
            Store::Sqlite(_) => {}
            Store::Postgres(store) => store.watch_for_work(wake).await,
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        dispatch!(self.migrate())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self.ping())
    }

    pub async fn close(&self) {
        dispatch!(self.close())
    }

    /// Inserts the flow log with its tags, unless the tenant already has `quota` flow logs (the
    /// count and the insert are one statement). Fails with [`StoreError::UniqueViolation`] when
    /// a uniqueness rule forbids the row.
    pub async fn insert(
        &self,
        flow_log: &FlowLog,
        quota: Option<u32>,
    ) -> Result<Insertion, StoreError> {
        dispatch!(self.insert(flow_log, quota))
    }

    pub async fn get(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
    ) -> Result<Option<FlowLog>, StoreError> {
        dispatch!(self.get(scope, id))
    }

    pub async fn list(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        page: &Page,
    ) -> Result<Vec<FlowLog>, StoreError> {
        dispatch!(self.list(visibility, filter, page))
    }

    /// One page of the tenant's matching flow logs by offset, and how many match in all, read
    /// together (the page never holds more than the count says).
    pub async fn counted_page(
        &self,
        scope: &TenantScope,
        filter: &FlowLogFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<FlowLog>, u64), StoreError> {
        dispatch!(self.counted_page(Visibility::Tenant(scope), filter, offset, limit))
    }

    /// Applies the changes only if the flow log is in one of the `expected` statuses (an empty
    /// list matches nothing); `None` when it is gone or in another status.
    pub async fn update(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
        changes: &AttributeChanges,
        status_change: Option<StatusChange>,
        now: DateTime<Utc>,
    ) -> Result<Option<FlowLog>, StoreError> {
        dispatch!(self.update(scope, id, expected, changes, status_change, now))
    }

    /// Deletes the flow log only if it is in one of the `expected` statuses.
    pub async fn delete(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
    ) -> Result<bool, StoreError> {
        dispatch!(self.delete(scope, id, expected))
    }

    /// Completes every transition out of `from` due at or before `due_by`; returns how many.
    /// One conditional statement, so a second worker or a restart cannot apply it twice.
    pub async fn settle_due(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self.settle_due(from, settlement, due_by, now))
    }

    /// The earliest due time of any pending transition.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        dispatch!(self.next_due())
    }

    /// Sets the tags (adding keys, replacing values) on every one of the flow logs, all or none:
    /// every flow log must exist in the scope and end with at most `max_tags` tags.
    pub async fn tag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        tags: &[Tag],
        max_tags: usize,
    ) -> Result<TagWrite, StoreError> {
        dispatch!(self.tag(scope, ids, tags, max_tags))
    }

    /// Removes the tags with these keys (every tag when `keys` is `None`) from every one of the
    /// flow logs, which must all exist in the scope.
    pub async fn untag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        keys: Option<&[String]>,
    ) -> Result<TagWrite, StoreError> {
        dispatch!(self.untag(scope, ids, keys))
    }

    /// The tags of the scope's flow logs, narrowed to `ids` when not empty and to the flow logs
    /// carrying every one of `filters`; in creation order, then key order.
    pub async fn list_tags(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> Result<Vec<FlowLogTag>, StoreError> {
        dispatch!(self.list_tags(scope, ids, filters, offset, limit))
    }

    /// Records that the tenant activated the flow-log service; activating twice is harmless.
    pub async fn activate_service(
        &self,
        scope: &TenantScope,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self.activate_service(scope, now))
    }

    pub async fn service_activated(&self, scope: &TenantScope) -> Result<bool, StoreError> {
        dispatch!(self.service_activated(scope))
    }

    /// Records a signature nonce of `access_key_id` that is valid until `expires_at`; `false`
    /// when it was already used (a replay). Nonces expired by `now` are pruned first, in the
    /// same transaction; the primary key makes the check hold across processes.
    pub async fn use_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self.use_nonce(access_key_id, nonce, expires_at, now))
    }

    /// Removes every flow log and service activation, or those of one provider; returns how
    /// many flow logs.
    pub async fn reset(&self, provider: Option<Provider>) -> Result<u64, StoreError> {
        dispatch!(self.reset(provider))
    }
}
