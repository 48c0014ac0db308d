//! The Postgres backend: a connection pool shared by every request, migrations at start, and
//! LISTEN/NOTIFY so that every process sharing the database wakes when any of them schedules a
//! transition.

use std::convert::Infallible;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool, Postgres, QueryBuilder};
use tokio::sync::Notify;

use super::row::{CountedRow, FlowLogRow};
use super::sql::{self, Binder};
use super::{Insertion, PoolSettings, StatusChange, StoreError, TagWrite, Visibility};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, Page, Provider, Settlement,
    Status, Tag, TagFilter, TenantScope,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The channel a trigger on `flow_logs` notifies whenever a row gets a due time
/// (`migrations/postgres`).
pub const WORK_CHANNEL: &str = "flowplane_transitions";

/// How long the watcher waits before listening again after the database failed it.
const LISTEN_BACKOFF: Duration = Duration::from_secs(1);

/// Postgres text cannot hold NUL, which SQLite stores and a caller may send (in a description,
/// say). Text is stored with NUL as `ESCAPE '0'` and `ESCAPE` itself doubled: an injective
/// encoding, so equality, uniqueness and filters mean the same as on SQLite. `ESCAPE` is a
/// noncharacter, so text that needs no escaping (nearly all) is stored as it is.
const ESCAPE: char = '\u{FFFF}';

fn to_stored(value: &str) -> String {
    if !value.contains(['\0', ESCAPE]) {
        return value.to_owned();
    }
    let mut stored = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\0' => stored.extend([ESCAPE, '0']),
            ESCAPE => stored.extend([ESCAPE, ESCAPE]),
            c => stored.push(c),
        }
    }
    stored
}

fn from_stored(stored: String) -> String {
    if !stored.contains(ESCAPE) {
        return stored;
    }
    let mut value = String::with_capacity(stored.len());
    let mut chars = stored.chars();
    while let Some(c) = chars.next() {
        if c != ESCAPE {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some('0') => value.push('\0'),
            Some(other) => value.push(other),
            None => value.push(ESCAPE),
        }
    }
    value
}

impl Binder for Postgres {
    const TAGS: &'static str = "COALESCE((SELECT json_agg(json_build_array(t.key, t.value) ORDER BY t.key) \
         FROM flow_log_tags t WHERE t.provider = flow_logs.provider AND t.flow_log_id = flow_logs.id)::text, '[]') AS tags";
    const LOCK_FOR_TAGS: &'static str = " ORDER BY id FOR UPDATE";

    fn bind_text(query: &mut QueryBuilder<'static, Self>, value: &str) {
        query.push_bind(to_stored(value));
    }
    fn bind_opt_text(query: &mut QueryBuilder<'static, Self>, value: Option<&str>) {
        query.push_bind(value.map(to_stored));
    }
    fn bind_int(query: &mut QueryBuilder<'static, Self>, value: i64) {
        query.push_bind(value);
    }
    fn bind_opt_int(query: &mut QueryBuilder<'static, Self>, value: Option<i64>) {
        query.push_bind(value);
    }
    fn bind_bool(query: &mut QueryBuilder<'static, Self>, value: bool) {
        query.push_bind(value);
    }
}

fn flow_log(row: FlowLogRow) -> Result<FlowLog, StoreError> {
    FlowLog::try_from(row.map_text(from_stored))
}

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The listener's one connection, apart so that it never takes a request's place.
    listener_pool: PgPool,
}

impl PostgresStore {
    /// Connects once at once, so that an unreachable database fails the start with the reason
    /// (refused, unknown host, bad password…) instead of a pool timeout; afterwards the pool
    /// opens connections as needed and replaces broken ones, so the store recovers by itself
    /// when the database comes back.
    pub async fn connect(url: &str, settings: PoolSettings) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("flowplane");
        let first = tokio::time::timeout(settings.acquire_timeout, options.connect())
            .await
            .map_err(|_| {
                StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "no answer within {}",
                        humantime::format_duration(settings.acquire_timeout)
                    ),
                )))
            })??;
        first.close().await?;
        let pool_options = || {
            PgPoolOptions::new()
                .acquire_timeout(settings.acquire_timeout)
                .test_before_acquire(true)
        };
        Ok(Self {
            pool: pool_options()
                .max_connections(settings.max_connections)
                .connect_lazy_with(options.clone()),
            listener_pool: pool_options().max_connections(1).connect_lazy_with(options),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        // sqlx takes an advisory lock, so replicas starting together migrate one at a time.
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.listener_pool.close().await;
        self.pool.close().await;
    }

    /// Wakes `wake` whenever any process schedules a transition in this database, until the
    /// store is closed. After a lost connection it listens again and wakes once, so that work
    /// scheduled meanwhile is found by the worker's next read.
    pub async fn watch_for_work(&self, wake: Arc<Notify>) {
        loop {
            match self.listen(&wake).await {
                Err(sqlx::Error::PoolClosed) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for scheduled transitions; retrying");
                    tokio::time::sleep(LISTEN_BACKOFF).await;
                }
            }
        }
    }

    async fn listen(&self, wake: &Notify) -> Result<Infallible, sqlx::Error> {
        let mut listener = PgListener::connect_with(&self.listener_pool).await?;
        listener.listen(WORK_CHANNEL).await?;
        wake.notify_one();
        loop {
            // `None`: the connection was lost and has been re-established; notifications sent
            // in between are lost, so wake all the same.
            let _notification = listener.try_recv().await?;
            wake.notify_one();
        }
    }

    /// Under READ COMMITTED two concurrent inserts would both count the tenant's flow logs
    /// before either is committed; a transaction-scoped advisory lock on the tenant makes
    /// inserts bounded by a quota take turns, in this process and every other one.
    pub async fn insert(
        &self,
        flow_log: &FlowLog,
        quota: Option<u32>,
    ) -> Result<Insertion, StoreError> {
        let mut tx = self.pool.begin().await?;
        if quota.is_some() {
            let scope = &flow_log.scope;
            let tenant = format!(
                "flowplane quota {} {} {}",
                scope.provider().as_str(),
                scope.tenant_id(),
                scope.region_id()
            );
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(to_stored(&tenant))
                .execute(&mut *tx)
                .await?;
        }
        let inserted = sql::insert::<Postgres>(flow_log, quota)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        if inserted.rows_affected() == 0 {
            return Ok(Insertion::QuotaReached);
        }
        let tags = &flow_log.spec.tags;
        if !tags.is_empty() {
            sql::insert_tags::<Postgres>(&flow_log.scope, std::slice::from_ref(&flow_log.id), tags)
                .0
                .build()
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Insertion::Inserted)
    }

    pub async fn get(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
    ) -> Result<Option<FlowLog>, StoreError> {
        let row: Option<FlowLogRow> = sql::get::<Postgres>(scope, id)
            .0
            .build_query_as()
            .fetch_optional(&self.pool)
            .await?;
        row.map(flow_log).transpose()
    }

    pub async fn list(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        page: &Page,
    ) -> Result<Vec<FlowLog>, StoreError> {
        let rows: Vec<FlowLogRow> = sql::list::<Postgres>(visibility, filter, page)
            .0
            .build_query_as()
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(flow_log).collect()
    }

    pub async fn counted_page(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<FlowLog>, u64), StoreError> {
        let rows: Vec<CountedRow> =
            sql::counted_page::<Postgres>(visibility, filter, offset, limit)
                .0
                .build_query_as()
                .fetch_all(&self.pool)
                .await?;
        let Some(first) = rows.first() else {
            // Past the last page no row carries the count; an empty page cannot contradict it.
            let count: i64 = sql::count::<Postgres>(visibility, filter)
                .0
                .build_query_scalar()
                .fetch_one(&self.pool)
                .await?;
            return Ok((Vec::new(), u64::try_from(count).unwrap_or_default()));
        };
        let total = u64::try_from(first.total).unwrap_or_default();
        let flow_logs = rows
            .into_iter()
            .map(|counted| flow_log(counted.row))
            .collect::<Result<_, _>>()?;
        Ok((flow_logs, total))
    }

    pub async fn update(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
        changes: &AttributeChanges,
        status_change: Option<StatusChange>,
        now: DateTime<Utc>,
    ) -> Result<Option<FlowLog>, StoreError> {
        let row: Option<FlowLogRow> =
            sql::update::<Postgres>(scope, id, expected, changes, status_change, now)
                .0
                .build_query_as()
                .fetch_optional(&self.pool)
                .await?;
        row.map(flow_log).transpose()
    }

    pub async fn delete(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
    ) -> Result<bool, StoreError> {
        let done = sql::delete::<Postgres>(scope, id, expected)
            .0
            .build()
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Under READ COMMITTED a row that another process is settling is waited for and then
    /// re-checked against the statement's condition, which it no longer meets: each transition
    /// completes once, whichever process gets there first. Two settling statements that lock
    /// the same rows in different orders can deadlock; Postgres then aborts one, which is
    /// simply run again.
    pub async fn settle_due(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        const ATTEMPTS: usize = 3;
        let mut attempt = 1;
        loop {
            let done = sql::settle_due::<Postgres>(from, settlement, due_by, now)
                .0
                .build()
                .execute(&self.pool)
                .await;
            match done {
                Ok(done) => return Ok(done.rows_affected()),
                Err(err) if attempt < ATTEMPTS && is_deadlock(&err) => attempt += 1,
                Err(err) => return Err(err.into()),
            }
        }
    }

    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let millis: Option<i64> = sql::next_due::<Postgres>()
            .0
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await?;
        Ok(millis.and_then(DateTime::from_timestamp_millis))
    }

    pub async fn tag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        tags: &[Tag],
        max_tags: usize,
    ) -> Result<TagWrite, StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(missing) = first_missing(&mut tx, scope, ids).await? {
            return Ok(TagWrite::Missing(missing));
        }
        if !tags.is_empty() {
            sql::upsert_tags::<Postgres>(scope, ids, tags)
                .0
                .build()
                .execute(&mut *tx)
                .await?;
        }
        let too_many: Option<String> = sql::over_tag_limit::<Postgres>(scope, ids, max_tags)
            .0
            .build_query_scalar()
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(id) = too_many {
            return Ok(TagWrite::TooMany(FlowLogId::from_trusted(from_stored(id))));
        }
        tx.commit().await?;
        Ok(TagWrite::Done)
    }

    pub async fn untag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        keys: Option<&[String]>,
    ) -> Result<TagWrite, StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(missing) = first_missing(&mut tx, scope, ids).await? {
            return Ok(TagWrite::Missing(missing));
        }
        sql::untag::<Postgres>(scope, ids, keys)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(TagWrite::Done)
    }

    pub async fn list_tags(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> Result<Vec<FlowLogTag>, StoreError> {
        let rows: Vec<(String, String, String)> =
            sql::list_tags::<Postgres>(scope, ids, filters, offset, limit)
                .0
                .build_query_as()
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, key, value)| FlowLogTag {
                id: FlowLogId::from_trusted(from_stored(id)),
                tag: Tag {
                    key: from_stored(key),
                    value: from_stored(value),
                },
            })
            .collect())
    }

    pub async fn activate_service(
        &self,
        scope: &TenantScope,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sql::activate_service::<Postgres>(scope, now)
            .0
            .build()
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn service_activated(&self, scope: &TenantScope) -> Result<bool, StoreError> {
        let count: i64 = sql::service_activated::<Postgres>(scope)
            .0
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await?;
        Ok(count > 0)
    }

    /// Two processes recording one nonce at once: the second insert waits for the first's
    /// transaction and then finds the key taken, so the nonce is accepted once.
    pub async fn use_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sql::prune_nonces::<Postgres>(now)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        let inserted = sql::insert_nonce::<Postgres>(access_key_id, nonce, expires_at)
            .0
            .build()
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(inserted == 1)
    }

    pub async fn reset(&self, provider: Option<Provider>) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        sql::reset_activations::<Postgres>(provider)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        let done = sql::reset::<Postgres>(provider)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

/// The first of `ids` that does not exist in the scope; the ones that do stay locked until
/// the transaction ends.
async fn first_missing(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    scope: &TenantScope,
    ids: &[FlowLogId],
) -> Result<Option<FlowLogId>, StoreError> {
    let found: Vec<String> = sql::existing_for_tags::<Postgres>(scope, ids)
        .0
        .build_query_scalar()
        .fetch_all(&mut **tx)
        .await?;
    let found: Vec<String> = found.into_iter().map(from_stored).collect();
    Ok(ids
        .iter()
        .find(|id| !found.iter().any(|f| f == id.as_str()))
        .cloned())
}

/// Postgres's `deadlock_detected`.
fn is_deadlock(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code == "40P01")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_round_trips_and_is_free_of_nul() {
        for value in [
            "",
            "plain",
            "\0",
            "a\0b\0",
            "\u{FFFF}",
            "\u{FFFF}0",
            "\u{FFFF}\0\u{FFFF}\u{FFFF}0",
            "名字 \u{1F600}",
        ] {
            let stored = to_stored(value);
            assert!(!stored.contains('\0'), "{value:?} -> {stored:?}");
            assert_eq!(from_stored(stored), value);
        }
        assert_eq!(to_stored("plain"), "plain", "most text is stored as it is");
    }

    #[test]
    fn distinct_text_stays_distinct() {
        let values = ["\0", "\u{FFFF}0", "\u{FFFF}", "0", "\u{FFFF}\u{FFFF}"];
        for (i, a) in values.iter().enumerate() {
            for b in &values[i + 1..] {
                assert_ne!(to_stored(a), to_stored(b), "{a:?} vs {b:?}");
            }
        }
    }
}
