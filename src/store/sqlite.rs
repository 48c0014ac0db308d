//! The embedded SQLite backend: WAL, foreign keys, a busy timeout, migrations at start.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::row::{CountedRow, FlowLogRow};
use super::sql::{self, Binder};
use super::{Insertion, PoolSettings, StatusChange, StoreError, TagWrite, Visibility};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, Page, Provider, Settlement,
    Status, Tag, TagFilter, TenantScope,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// SQLite stores text as it is.
impl Binder for Sqlite {
    const TAGS: &'static str = "(SELECT json_group_array(json_array(t.key, t.value) ORDER BY t.key) \
         FROM flow_log_tags t WHERE t.provider = flow_logs.provider AND t.flow_log_id = flow_logs.id) AS tags";
    const LOCK_FOR_TAGS: &'static str = "";

    fn bind_text(query: &mut QueryBuilder<'static, Self>, value: &str) {
        query.push_bind(value.to_owned());
    }
    fn bind_opt_text(query: &mut QueryBuilder<'static, Self>, value: Option<&str>) {
        query.push_bind(value.map(str::to_owned));
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

/// Reads go to a pool of connections, writes to one connection: SQLite allows one writer at a
/// time, and queueing writers here is far cheaper than SQLite's sleep-and-retry busy handler.
/// The busy timeout still covers other processes sharing the file.
#[derive(Clone)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteStore {
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
                reader: writer.clone(),
                writer,
            });
        }
        let reader = SqlitePoolOptions::new()
            .max_connections(pool.max_connections)
            .acquire_timeout(pool.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(Self { reader, writer })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    pub async fn insert(
        &self,
        flow_log: &FlowLog,
        quota: Option<u32>,
    ) -> Result<Insertion, StoreError> {
        let mut tx = self.writer.begin().await?;
        let inserted = sql::insert::<Sqlite>(flow_log, quota)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        if inserted.rows_affected() == 0 {
            return Ok(Insertion::QuotaReached);
        }
        let tags = &flow_log.spec.tags;
        if !tags.is_empty() {
            sql::insert_tags::<Sqlite>(&flow_log.scope, std::slice::from_ref(&flow_log.id), tags)
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
        let row: Option<FlowLogRow> = sql::get::<Sqlite>(scope, id)
            .0
            .build_query_as()
            .fetch_optional(&self.reader)
            .await?;
        row.map(FlowLog::try_from).transpose()
    }

    pub async fn list(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        page: &Page,
    ) -> Result<Vec<FlowLog>, StoreError> {
        let rows: Vec<FlowLogRow> = sql::list::<Sqlite>(visibility, filter, page)
            .0
            .build_query_as()
            .fetch_all(&self.reader)
            .await?;
        rows.into_iter().map(FlowLog::try_from).collect()
    }

    pub async fn counted_page(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<FlowLog>, u64), StoreError> {
        let rows: Vec<CountedRow> = sql::counted_page::<Sqlite>(visibility, filter, offset, limit)
            .0
            .build_query_as()
            .fetch_all(&self.reader)
            .await?;
        let Some(first) = rows.first() else {
            // Past the last page no row carries the count; an empty page cannot contradict it.
            let count: i64 = sql::count::<Sqlite>(visibility, filter)
                .0
                .build_query_scalar()
                .fetch_one(&self.reader)
                .await?;
            return Ok((Vec::new(), u64::try_from(count).unwrap_or_default()));
        };
        let total = u64::try_from(first.total).unwrap_or_default();
        let flow_logs = rows
            .into_iter()
            .map(|counted| FlowLog::try_from(counted.row))
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
            sql::update::<Sqlite>(scope, id, expected, changes, status_change, now)
                .0
                .build_query_as()
                .fetch_optional(&self.writer)
                .await?;
        row.map(FlowLog::try_from).transpose()
    }

    pub async fn delete(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
    ) -> Result<bool, StoreError> {
        let done = sql::delete::<Sqlite>(scope, id, expected)
            .0
            .build()
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn settle_due(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sql::settle_due::<Sqlite>(from, settlement, due_by, now)
            .0
            .build()
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let millis: Option<i64> = sql::next_due::<Sqlite>()
            .0
            .build_query_scalar()
            .fetch_one(&self.reader)
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
        let mut tx = self.writer.begin().await?;
        if let Some(missing) = first_missing(&mut tx, scope, ids).await? {
            return Ok(TagWrite::Missing(missing));
        }
        if !tags.is_empty() {
            sql::upsert_tags::<Sqlite>(scope, ids, tags)
                .0
                .build()
                .execute(&mut *tx)
                .await?;
        }
        let too_many: Option<String> = sql::over_tag_limit::<Sqlite>(scope, ids, max_tags)
            .0
            .build_query_scalar()
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(id) = too_many {
            return Ok(TagWrite::TooMany(FlowLogId::from_trusted(id)));
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
        let mut tx = self.writer.begin().await?;
        if let Some(missing) = first_missing(&mut tx, scope, ids).await? {
            return Ok(TagWrite::Missing(missing));
        }
        sql::untag::<Sqlite>(scope, ids, keys)
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
            sql::list_tags::<Sqlite>(scope, ids, filters, offset, limit)
                .0
                .build_query_as()
                .fetch_all(&self.reader)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, key, value)| FlowLogTag {
                id: FlowLogId::from_trusted(id),
                tag: Tag { key, value },
            })
            .collect())
    }

    pub async fn activate_service(
        &self,
        scope: &TenantScope,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sql::activate_service::<Sqlite>(scope, now)
            .0
            .build()
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn service_activated(&self, scope: &TenantScope) -> Result<bool, StoreError> {
        let count: i64 = sql::service_activated::<Sqlite>(scope)
            .0
            .build_query_scalar()
            .fetch_one(&self.reader)
            .await?;
        Ok(count > 0)
    }

    pub async fn use_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        sql::prune_nonces::<Sqlite>(now)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        let inserted = sql::insert_nonce::<Sqlite>(access_key_id, nonce, expires_at)
            .0
            .build()
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(inserted == 1)
    }

    pub async fn reset(&self, provider: Option<Provider>) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        sql::reset_activations::<Sqlite>(provider)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        let done = sql::reset::<Sqlite>(provider)
            .0
            .build()
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

/// The first of `ids` that does not exist in the scope, read inside the writing transaction.
async fn first_missing(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    scope: &TenantScope,
    ids: &[FlowLogId],
) -> Result<Option<FlowLogId>, StoreError> {
    let found: Vec<String> = sql::existing_for_tags::<Sqlite>(scope, ids)
        .0
        .build_query_scalar()
        .fetch_all(&mut **tx)
        .await?;
    Ok(ids
        .iter()
        .find(|id| !found.iter().any(|f| f == id.as_str()))
        .cloned())
}
