//! The embedded SQLite backend: WAL, foreign keys, a busy timeout, migrations at start.

use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::row::{encode_paths, to_millis, FlowLogRow, COLUMNS};
use super::{StatusChange, StoreError, Visibility};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, Page, Provider, Settlement, Status,
    TenantScope,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Reads go to a pool of connections, writes to one connection: SQLite allows one writer at a
/// time, and queueing writers here is far cheaper than SQLite's sleep-and-retry busy handler.
/// The busy timeout still covers other processes sharing the file.
#[derive(Clone)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
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
                .acquire_timeout(Duration::from_secs(10))
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
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
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

    pub async fn insert(&self, flow_log: &FlowLog) -> Result<(), StoreError> {
        let spec = &flow_log.spec;
        sqlx::query(
            "INSERT INTO flow_logs (id, provider, tenant_id, region_id, name, description, resource_kind, resource_id, \
             traffic_filter, traffic_paths, aggregation_interval, ip_version, log_format, log_group, log_topic, \
             index_enabled, resource_group_id, status, due_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        )
        .bind(flow_log.id.as_str())
        .bind(flow_log.scope.provider().as_str())
        .bind(flow_log.scope.tenant_id())
        .bind(flow_log.scope.region_id())
        .bind(spec.name.as_deref())
        .bind(spec.description.as_deref())
        .bind(spec.resource_kind.as_str())
        .bind(&spec.resource_id)
        .bind(spec.traffic_filter.as_str())
        .bind(encode_paths(&spec.traffic_paths))
        .bind(spec.aggregation_interval.map(i64::from))
        .bind(spec.ip_version.as_deref())
        .bind(spec.log_format.as_deref())
        .bind(&spec.destination.group)
        .bind(&spec.destination.topic)
        .bind(spec.index_enabled)
        .bind(spec.resource_group_id.as_deref())
        .bind(flow_log.status.as_str())
        .bind(flow_log.due_at.map(to_millis))
        .bind(to_millis(flow_log.created_at))
        .bind(to_millis(flow_log.updated_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn get(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
    ) -> Result<Option<FlowLog>, StoreError> {
        static GET_BY_ID: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM flow_logs WHERE provider = $1 AND tenant_id = $2 AND region_id = $3 AND id = $4")
        });
        let row: Option<FlowLogRow> = sqlx::query_as(&GET_BY_ID)
            .bind(scope.provider().as_str())
            .bind(scope.tenant_id())
            .bind(scope.region_id())
            .bind(id.as_str())
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
        let mut query =
            QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM flow_logs WHERE TRUE"));
        push_conditions(&mut query, visibility, filter);
        let limit = match page {
            Page::AfterMarker { marker, limit } => {
                if let Some(marker) = marker {
                    // An unknown marker compares against NULL and yields an empty page.
                    query.push(" AND seq > (SELECT m.seq FROM flow_logs m WHERE m.id = ");
                    query.push_bind(marker.clone());
                    push_scope(&mut query, "m.", visibility);
                    query.push(")");
                }
                *limit
            }
            Page::Offset { limit, .. } => *limit,
        };
        query
            .push(" ORDER BY seq LIMIT ")
            .push_bind(i64::from(limit));
        if let Page::Offset { offset, .. } = page {
            query
                .push(" OFFSET ")
                .push_bind(i64::try_from(*offset).unwrap_or(i64::MAX));
        }
        let rows: Vec<FlowLogRow> = query.build_query_as().fetch_all(&self.reader).await?;
        rows.into_iter().map(FlowLog::try_from).collect()
    }

    pub async fn count(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
    ) -> Result<u64, StoreError> {
        let mut query = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM flow_logs WHERE TRUE");
        push_conditions(&mut query, visibility, filter);
        let count: i64 = query.build_query_scalar().fetch_one(&self.reader).await?;
        Ok(u64::try_from(count).unwrap_or_default())
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
        let mut query = QueryBuilder::<Sqlite>::new("UPDATE flow_logs SET name = COALESCE(");
        query.push_bind(changes.name.clone());
        query
            .push(", name), description = COALESCE(")
            .push_bind(changes.description.clone());
        query
            .push(", description), aggregation_interval = COALESCE(")
            .push_bind(changes.aggregation_interval.map(i64::from));
        query
            .push(", aggregation_interval), ip_version = COALESCE(")
            .push_bind(changes.ip_version.clone());
        query
            .push(", ip_version), log_format = COALESCE(")
            .push_bind(changes.log_format.clone());
        query.push(", log_format)");
        if let Some(change) = status_change {
            query.push(", status = ").push_bind(change.status.as_str());
            query
                .push(", due_at = ")
                .push_bind(change.due_at.map(to_millis));
        }
        query.push(", updated_at = ").push_bind(to_millis(now));
        query.push(" WHERE id = ").push_bind(id.as_str().to_owned());
        push_scope(&mut query, "", Visibility::Tenant(scope));
        push_status_precondition(&mut query, expected);
        query.push(format!(" RETURNING {COLUMNS}"));
        let row: Option<FlowLogRow> = query.build_query_as().fetch_optional(&self.writer).await?;
        row.map(FlowLog::try_from).transpose()
    }

    pub async fn delete(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
    ) -> Result<bool, StoreError> {
        let mut query = QueryBuilder::<Sqlite>::new("DELETE FROM flow_logs WHERE id = ");
        query.push_bind(id.as_str().to_owned());
        push_scope(&mut query, "", Visibility::Tenant(scope));
        push_status_precondition(&mut query, expected);
        Ok(query.build().execute(&self.writer).await?.rows_affected() > 0)
    }

    pub async fn settle_due(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = match settlement {
            Settlement::Becomes(status) => {
                sqlx::query("UPDATE flow_logs SET status = $1, due_at = NULL, updated_at = $2 WHERE status = $3 AND due_at <= $4")
                    .bind(status.as_str())
                    .bind(to_millis(now))
                    .bind(from.as_str())
                    .bind(to_millis(due_by))
                    .execute(&self.writer)
                    .await?
            }
            Settlement::Gone => {
                sqlx::query("DELETE FROM flow_logs WHERE status = $1 AND due_at <= $2")
                    .bind(from.as_str())
                    .bind(to_millis(due_by))
                    .execute(&self.writer)
                    .await?
            }
        };
        Ok(done.rows_affected())
    }

    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let millis: Option<i64> =
            sqlx::query_scalar("SELECT MIN(due_at) FROM flow_logs WHERE due_at IS NOT NULL")
                .fetch_one(&self.reader)
                .await?;
        Ok(millis.and_then(DateTime::from_timestamp_millis))
    }

    pub async fn reset(&self, provider: Option<Provider>) -> Result<u64, StoreError> {
        let done = match provider {
            Some(provider) => {
                sqlx::query("DELETE FROM flow_logs WHERE provider = $1")
                    .bind(provider.as_str())
                    .execute(&self.writer)
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM flow_logs")
                    .execute(&self.writer)
                    .await?
            }
        };
        Ok(done.rows_affected())
    }
}

/// Scopes a query to what `visibility` allows; `alias` prefixes the columns of a subquery.
fn push_scope(query: &mut QueryBuilder<'_, Sqlite>, alias: &str, visibility: Visibility<'_>) {
    match visibility {
        Visibility::Tenant(scope) => {
            query
                .push(format!(" AND {alias}provider = "))
                .push_bind(scope.provider().as_str());
            query
                .push(format!(" AND {alias}tenant_id = "))
                .push_bind(scope.tenant_id().to_owned());
            query
                .push(format!(" AND {alias}region_id = "))
                .push_bind(scope.region_id().to_owned());
        }
        Visibility::Any {
            provider,
            tenant_id,
        } => {
            if let Some(provider) = provider {
                query
                    .push(format!(" AND {alias}provider = "))
                    .push_bind(provider.as_str());
            }
            if let Some(tenant_id) = tenant_id {
                query
                    .push(format!(" AND {alias}tenant_id = "))
                    .push_bind(tenant_id.to_owned());
            }
        }
    }
}

fn push_conditions(
    query: &mut QueryBuilder<'_, Sqlite>,
    visibility: Visibility<'_>,
    filter: &FlowLogFilter,
) {
    push_scope(query, "", visibility);
    push_any_of(query, "id", filter.ids.iter().cloned());
    push_any_of(query, "name", filter.names.iter().cloned());
    push_any_of(query, "description", filter.descriptions.iter().cloned());
    push_any_of(
        query,
        "resource_kind",
        filter.resource_kinds.iter().map(|k| k.as_str().to_owned()),
    );
    push_any_of(query, "resource_id", filter.resource_ids.iter().cloned());
    push_any_of(
        query,
        "traffic_filter",
        filter.traffic_filters.iter().map(|t| t.as_str().to_owned()),
    );
    push_any_of(query, "log_group", filter.groups.iter().cloned());
    push_any_of(query, "log_topic", filter.topics.iter().cloned());
    push_any_of(
        query,
        "status",
        filter.statuses.iter().map(|s| s.as_str().to_owned()),
    );
}

/// The precondition of a conditional write: `AND status IN (…)`. Unlike a filter, an empty
/// list matches nothing.
fn push_status_precondition(query: &mut QueryBuilder<'_, Sqlite>, expected: &[Status]) {
    if expected.is_empty() {
        query.push(" AND FALSE");
    } else {
        push_any_of(
            query,
            "status",
            expected.iter().map(|s| s.as_str().to_owned()),
        );
    }
}

/// `AND column IN (…)`, or nothing for an empty list (no constraint).
fn push_any_of(
    query: &mut QueryBuilder<'_, Sqlite>,
    column: &str,
    values: impl ExactSizeIterator<Item = String>,
) {
    if values.len() == 0 {
        return;
    }
    query.push(format!(" AND {column} IN ("));
    let mut separated = query.separated(", ");
    for value in values {
        separated.push_bind(value);
    }
    separated.push_unseparated(")");
}
