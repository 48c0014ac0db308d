//! The embedded SQLite backend: WAL, foreign keys, a busy timeout, migrations at start.

use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::row::{encode_paths, to_millis, FlowLogRow, COLUMNS};
use super::{Insertion, StatusChange, StoreError, TagWrite, Visibility};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, Page, Provider, ResourceKind,
    Settlement, Status, Tag, TagFilter, TenantScope,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Every column of a flow log, its tags gathered as a JSON array of `[key, value]` pairs.
static SELECTED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{COLUMNS}, (SELECT json_group_array(json_array(t.key, t.value) ORDER BY t.key) \
         FROM flow_log_tags t WHERE t.provider = flow_logs.provider AND t.flow_log_id = flow_logs.id) AS tags"
    )
});

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

    pub async fn insert(
        &self,
        flow_log: &FlowLog,
        quota: Option<u32>,
    ) -> Result<Insertion, StoreError> {
        let spec = &flow_log.spec;
        let scope = &flow_log.scope;
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO flow_logs (id, provider, tenant_id, region_id, name, description, resource_kind, resource_id, \
             traffic_filter, traffic_paths, aggregation_interval, ip_version, log_format, log_group, log_topic, \
             index_enabled, resource_group_id, status, due_at, created_at, updated_at) SELECT ",
        );
        let mut values = query.separated(", ");
        values
            .push_bind(flow_log.id.as_str().to_owned())
            .push_bind(scope.provider().as_str())
            .push_bind(scope.tenant_id().to_owned())
            .push_bind(scope.region_id().to_owned())
            .push_bind(spec.name.clone())
            .push_bind(spec.description.clone())
            .push_bind(spec.resource_kind.as_str())
            .push_bind(spec.resource_id.clone())
            .push_bind(spec.traffic_filter.as_str())
            .push_bind(encode_paths(&spec.traffic_paths))
            .push_bind(spec.aggregation_interval.map(i64::from))
            .push_bind(spec.ip_version.clone())
            .push_bind(spec.log_format.clone())
            .push_bind(spec.destination.group.clone())
            .push_bind(spec.destination.topic.clone())
            .push_bind(spec.index_enabled)
            .push_bind(spec.resource_group_id.clone())
            .push_bind(flow_log.status.as_str())
            .push_bind(flow_log.due_at.map(to_millis))
            .push_bind(to_millis(flow_log.created_at))
            .push_bind(to_millis(flow_log.updated_at));
        if let Some(quota) = quota {
            query.push(" WHERE (SELECT COUNT(*) FROM flow_logs WHERE TRUE");
            push_scope(&mut query, "", Visibility::Tenant(scope));
            query.push(") < ").push_bind(i64::from(quota));
        }
        let mut tx = self.writer.begin().await?;
        if query.build().execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(Insertion::QuotaReached);
        }
        if !spec.tags.is_empty() {
            push_tag_rows(scope, std::slice::from_ref(&flow_log.id), &spec.tags)
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
        static GET_BY_ID: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {} FROM flow_logs WHERE provider = $1 AND tenant_id = $2 AND region_id = $3 AND id = $4", *SELECTED)
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
            QueryBuilder::<Sqlite>::new(format!("SELECT {} FROM flow_logs WHERE TRUE", *SELECTED));
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
        query
            .push(", log_format), resource_group_id = COALESCE(")
            .push_bind(changes.resource_group_id.clone());
        query.push(", resource_group_id)");
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
        query.push(format!(" RETURNING {}", *SELECTED));
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
            let mut upsert = push_tag_rows(scope, ids, tags);
            upsert.push(
                " ON CONFLICT (provider, flow_log_id, key) DO UPDATE SET value = excluded.value",
            );
            upsert.build().execute(&mut *tx).await?;
        }
        let mut over =
            QueryBuilder::<Sqlite>::new("SELECT flow_log_id FROM flow_log_tags WHERE provider = ");
        over.push_bind(scope.provider().as_str());
        push_any_of(
            &mut over,
            "flow_log_id",
            ids.iter().map(|id| id.as_str().to_owned()),
        );
        over.push(" GROUP BY flow_log_id HAVING COUNT(*) > ")
            .push_bind(i64::try_from(max_tags).unwrap_or(i64::MAX))
            .push(" LIMIT 1");
        let too_many: Option<String> = over.build_query_scalar().fetch_optional(&mut *tx).await?;
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
        let mut delete = QueryBuilder::<Sqlite>::new("DELETE FROM flow_log_tags WHERE provider = ");
        delete.push_bind(scope.provider().as_str());
        push_any_of(
            &mut delete,
            "flow_log_id",
            ids.iter().map(|id| id.as_str().to_owned()),
        );
        match keys {
            Some([]) => {
                delete.push(" AND FALSE");
            }
            Some(keys) => push_any_of(&mut delete, "key", keys.iter().cloned()),
            None => {}
        }
        delete.build().execute(&mut *tx).await?;
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
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT flow_logs.id, t.key, t.value FROM flow_logs JOIN flow_log_tags t \
             ON t.provider = flow_logs.provider AND t.flow_log_id = flow_logs.id WHERE TRUE",
        );
        push_scope(&mut query, "flow_logs.", Visibility::Tenant(scope));
        push_any_of(
            &mut query,
            "flow_logs.id",
            ids.iter().map(|id| id.as_str().to_owned()),
        );
        push_tag_filters(&mut query, filters);
        query
            .push(" ORDER BY flow_logs.seq, t.key LIMIT ")
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
        let rows: Vec<(String, String, String)> =
            query.build_query_as().fetch_all(&self.reader).await?;
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
        sqlx::query(
            "INSERT INTO flow_log_service_activations (provider, tenant_id, region_id, activated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(scope.provider().as_str())
        .bind(scope.tenant_id())
        .bind(scope.region_id())
        .bind(to_millis(now))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn service_activated(&self, scope: &TenantScope) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM flow_log_service_activations WHERE provider = $1 AND tenant_id = $2 AND region_id = $3",
        )
        .bind(scope.provider().as_str())
        .bind(scope.tenant_id())
        .bind(scope.region_id())
        .fetch_optional(&self.reader)
        .await?;
        Ok(found.is_some())
    }

    pub async fn use_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM signature_nonces WHERE expires_at < $1")
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO signature_nonces (access_key_id, nonce, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(access_key_id)
        .bind(nonce)
        .bind(to_millis(expires_at))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(inserted == 1)
    }

    pub async fn reset(&self, provider: Option<Provider>) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let done = match provider {
            Some(provider) => {
                sqlx::query("DELETE FROM flow_log_service_activations WHERE provider = $1")
                    .bind(provider.as_str())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM flow_logs WHERE provider = $1")
                    .bind(provider.as_str())
                    .execute(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM flow_log_service_activations")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM flow_logs")
                    .execute(&mut *tx)
                    .await?
            }
        };
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
    let mut query = QueryBuilder::<Sqlite>::new("SELECT id FROM flow_logs WHERE TRUE");
    push_scope(&mut query, "", Visibility::Tenant(scope));
    push_any_of(
        &mut query,
        "id",
        ids.iter().map(|id| id.as_str().to_owned()),
    );
    let found: Vec<String> = query.build_query_scalar().fetch_all(&mut **tx).await?;
    Ok(ids
        .iter()
        .find(|id| !found.iter().any(|f| f == id.as_str()))
        .cloned())
}

/// `INSERT INTO flow_log_tags … VALUES` with every tag on every flow log.
fn push_tag_rows<'a>(
    scope: &TenantScope,
    ids: &'a [FlowLogId],
    tags: &'a [Tag],
) -> QueryBuilder<'a, Sqlite> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "INSERT INTO flow_log_tags (provider, flow_log_id, key, value) ",
    );
    let provider = scope.provider().as_str();
    let rows = ids
        .iter()
        .flat_map(|id| tags.iter().map(move |tag| (id, tag)));
    query.push_values(rows, |mut row, (id, tag)| {
        row.push_bind(provider)
            .push_bind(id.as_str())
            .push_bind(tag.key.as_str())
            .push_bind(tag.value.as_str());
    });
    query
}

/// `AND EXISTS (…)` for each tag a flow log must carry.
fn push_tag_filters(query: &mut QueryBuilder<'_, Sqlite>, filters: &[TagFilter]) {
    for filter in filters {
        query
            .push(
                " AND EXISTS (SELECT 1 FROM flow_log_tags f WHERE f.provider = flow_logs.provider \
                 AND f.flow_log_id = flow_logs.id AND f.key = ",
            )
            .push_bind(filter.key.clone());
        if let Some(value) = &filter.value {
            query.push(" AND f.value = ").push_bind(value.clone());
        }
        query.push(")");
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
    push_any_of(
        query,
        "resource_group_id",
        filter.resource_group_ids.iter().cloned(),
    );
    if !filter.vpc_ids.is_empty() {
        query
            .push(" AND resource_kind = ")
            .push_bind(ResourceKind::Vpc.as_str());
        push_any_of(query, "resource_id", filter.vpc_ids.iter().cloned());
    }
    push_tag_filters(query, &filter.tags);
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
