//! The SQL every backend runs, written once over sqlx's `QueryBuilder` so that a filter, a
//! precondition or a page means exactly the same on SQLite and on Postgres. Each backend says
//! how it binds values ([`Binder`]) and runs the statements on its own connections.

use chrono::{DateTime, Utc};
use sqlx::{Database, QueryBuilder};

use super::row::{encode_paths, to_millis, COLUMNS};
use super::{StatusChange, Visibility};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, Page, Provider, ResourceKind, Settlement,
    Status, Tag, TagFilter, TenantScope,
};

/// What differs between the backends' SQL: how values are bound (text goes through the
/// backend's own storage form: Postgres cannot store NUL characters, so it escapes them; SQLite
/// stores text as is), and the few expressions each spells its own way.
pub trait Binder: Database + Sized {
    /// A flow log's tags as a JSON array of `[key, value]` pairs in key order, named `tags`
    /// (`[]` when it has none); it may refer to `flow_logs`.
    const TAGS: &'static str;
    /// Appended to the read of the flow logs a tag write goes to: Postgres locks them (in id
    /// order), so that concurrent tag writes on one flow log take turns and its tag limit
    /// holds; SQLite's writes take turns anyway.
    const LOCK_FOR_TAGS: &'static str;

    fn bind_text(query: &mut QueryBuilder<'static, Self>, value: &str);
    fn bind_opt_text(query: &mut QueryBuilder<'static, Self>, value: Option<&str>);
    fn bind_int(query: &mut QueryBuilder<'static, Self>, value: i64);
    fn bind_opt_int(query: &mut QueryBuilder<'static, Self>, value: Option<i64>);
    fn bind_bool(query: &mut QueryBuilder<'static, Self>, value: bool);
}

/// A statement under construction, with the binding helpers chained like `push`.
pub struct Sql<DB: Binder>(pub QueryBuilder<'static, DB>);

impl<DB: Binder> Sql<DB> {
    pub fn new(init: impl std::fmt::Display) -> Self {
        let mut query = QueryBuilder::default();
        query.push(init);
        Self(query)
    }

    pub fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        self.0.push(sql);
        self
    }

    pub fn text(&mut self, value: &str) -> &mut Self {
        DB::bind_text(&mut self.0, value);
        self
    }

    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        DB::bind_opt_text(&mut self.0, value);
        self
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        DB::bind_int(&mut self.0, value);
        self
    }

    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        DB::bind_opt_int(&mut self.0, value);
        self
    }

    pub fn boolean(&mut self, value: bool) -> &mut Self {
        DB::bind_bool(&mut self.0, value);
        self
    }
}

/// Every column of a flow log and its tags, in [`super::row::FlowLogRow`]'s order.
fn selected<DB: Binder>() -> String {
    format!("{COLUMNS}, {}", DB::TAGS)
}

/// Inserts the flow log (not its tags), unless the tenant already has `quota` flow logs: the
/// count and the insert are one statement.
pub fn insert<DB: Binder>(flow_log: &FlowLog, quota: Option<u32>) -> Sql<DB> {
    let spec = &flow_log.spec;
    let mut sql = Sql::new(format!("INSERT INTO flow_logs ({COLUMNS}) SELECT "));
    sql.text(flow_log.id.as_str())
        .push(", ")
        .text(flow_log.scope.provider().as_str())
        .push(", ")
        .text(flow_log.scope.tenant_id())
        .push(", ")
        .text(flow_log.scope.region_id())
        .push(", ")
        .opt_text(spec.name.as_deref())
        .push(", ")
        .opt_text(spec.description.as_deref())
        .push(", ")
        .text(spec.resource_kind.as_str())
        .push(", ")
        .text(&spec.resource_id)
        .push(", ")
        .text(spec.traffic_filter.as_str())
        .push(", ")
        .text(&encode_paths(&spec.traffic_paths))
        .push(", ")
        .opt_int(spec.aggregation_interval.map(i64::from))
        .push(", ")
        .opt_text(spec.ip_version.as_deref())
        .push(", ")
        .opt_text(spec.log_format.as_deref())
        .push(", ")
        .text(&spec.destination.group)
        .push(", ")
        .text(&spec.destination.topic)
        .push(", ")
        .boolean(spec.index_enabled)
        .push(", ")
        .opt_text(spec.resource_group_id.as_deref())
        .push(", ")
        .text(flow_log.status.as_str())
        .push(", ")
        .opt_int(flow_log.due_at.map(to_millis))
        .push(", ")
        .int(to_millis(flow_log.created_at))
        .push(", ")
        .int(to_millis(flow_log.updated_at));
    if let Some(quota) = quota {
        sql.push(" WHERE (SELECT COUNT(*) FROM flow_logs WHERE TRUE");
        push_scope(&mut sql, "", Visibility::Tenant(&flow_log.scope));
        sql.push(") < ").int(i64::from(quota));
    }
    sql
}

/// `INSERT INTO flow_log_tags … VALUES` with every tag on every flow log.
pub fn insert_tags<DB: Binder>(scope: &TenantScope, ids: &[FlowLogId], tags: &[Tag]) -> Sql<DB> {
    let mut sql = Sql::new("INSERT INTO flow_log_tags (provider, flow_log_id, key, value) VALUES ");
    let rows = ids
        .iter()
        .flat_map(|id| tags.iter().map(move |tag| (id, tag)));
    for (i, (id, tag)) in rows.enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .text(scope.provider().as_str())
            .push(", ")
            .text(id.as_str())
            .push(", ")
            .text(&tag.key)
            .push(", ")
            .text(&tag.value)
            .push(")");
    }
    sql
}

/// Sets the tags on every flow log: new keys are added, existing keys get the new value.
pub fn upsert_tags<DB: Binder>(scope: &TenantScope, ids: &[FlowLogId], tags: &[Tag]) -> Sql<DB> {
    let mut sql = insert_tags(scope, ids, tags);
    sql.push(" ON CONFLICT (provider, flow_log_id, key) DO UPDATE SET value = excluded.value");
    sql
}

/// Which of `ids` exist in the scope, read (and on Postgres locked) in a tag write.
pub fn existing_for_tags<DB: Binder>(scope: &TenantScope, ids: &[FlowLogId]) -> Sql<DB> {
    let mut sql = Sql::new("SELECT id FROM flow_logs WHERE TRUE");
    push_scope(&mut sql, "", Visibility::Tenant(scope));
    push_any_of(&mut sql, "id", ids.iter().map(FlowLogId::as_str));
    sql.push(DB::LOCK_FOR_TAGS);
    sql
}

/// One of `ids` carrying more than `max_tags` tags, if any.
pub fn over_tag_limit<DB: Binder>(
    scope: &TenantScope,
    ids: &[FlowLogId],
    max_tags: usize,
) -> Sql<DB> {
    let mut sql = Sql::new("SELECT flow_log_id FROM flow_log_tags WHERE provider = ");
    sql.text(scope.provider().as_str());
    push_any_of(&mut sql, "flow_log_id", ids.iter().map(FlowLogId::as_str));
    sql.push(" GROUP BY flow_log_id HAVING COUNT(*) > ")
        .int(i64::try_from(max_tags).unwrap_or(i64::MAX))
        .push(" LIMIT 1");
    sql
}

/// Removes the tags with these keys (every tag when `None`, none for an empty list).
pub fn untag<DB: Binder>(
    scope: &TenantScope,
    ids: &[FlowLogId],
    keys: Option<&[String]>,
) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM flow_log_tags WHERE provider = ");
    sql.text(scope.provider().as_str());
    push_any_of(&mut sql, "flow_log_id", ids.iter().map(FlowLogId::as_str));
    match keys {
        Some([]) => {
            sql.push(" AND FALSE");
        }
        Some(keys) => push_any_of(&mut sql, "key", keys.iter().map(String::as_str)),
        None => {}
    }
    sql
}

/// `(flow log id, key, value)` of the scope's tags, in creation order, then key order.
pub fn list_tags<DB: Binder>(
    scope: &TenantScope,
    ids: &[FlowLogId],
    filters: &[TagFilter],
    offset: u64,
    limit: u32,
) -> Sql<DB> {
    let mut sql = Sql::new(
        "SELECT flow_logs.id, t.key, t.value FROM flow_logs JOIN flow_log_tags t \
         ON t.provider = flow_logs.provider AND t.flow_log_id = flow_logs.id WHERE TRUE",
    );
    push_scope(&mut sql, "flow_logs.", Visibility::Tenant(scope));
    push_any_of(&mut sql, "flow_logs.id", ids.iter().map(FlowLogId::as_str));
    push_tag_filters(&mut sql, filters);
    sql.push(" ORDER BY flow_logs.seq, t.key LIMIT ")
        .int(i64::from(limit))
        .push(" OFFSET ")
        .int(i64::try_from(offset).unwrap_or(i64::MAX));
    sql
}

pub fn activate_service<DB: Binder>(scope: &TenantScope, now: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new(
        "INSERT INTO flow_log_service_activations (provider, tenant_id, region_id, activated_at) VALUES (",
    );
    sql.text(scope.provider().as_str())
        .push(", ")
        .text(scope.tenant_id())
        .push(", ")
        .text(scope.region_id())
        .push(", ")
        .int(to_millis(now))
        .push(") ON CONFLICT DO NOTHING");
    sql
}

pub fn service_activated<DB: Binder>(scope: &TenantScope) -> Sql<DB> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM flow_log_service_activations WHERE TRUE");
    push_scope(&mut sql, "", Visibility::Tenant(scope));
    sql
}

pub fn prune_nonces<DB: Binder>(now: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM signature_nonces WHERE expires_at < ");
    sql.int(to_millis(now));
    sql
}

/// Records the nonce unless it is there already (then it affects no row).
pub fn insert_nonce<DB: Binder>(
    access_key_id: &str,
    nonce: &str,
    expires_at: DateTime<Utc>,
) -> Sql<DB> {
    let mut sql =
        Sql::new("INSERT INTO signature_nonces (access_key_id, nonce, expires_at) VALUES (");
    sql.text(access_key_id)
        .push(", ")
        .text(nonce)
        .push(", ")
        .int(to_millis(expires_at))
        .push(") ON CONFLICT DO NOTHING");
    sql
}

pub fn get<DB: Binder>(scope: &TenantScope, id: &FlowLogId) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM flow_logs WHERE id = ",
        selected::<DB>()
    ));
    sql.text(id.as_str());
    push_scope(&mut sql, "", Visibility::Tenant(scope));
    sql
}

pub fn list<DB: Binder>(
    visibility: Visibility<'_>,
    filter: &FlowLogFilter,
    page: &Page,
) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM flow_logs WHERE TRUE",
        selected::<DB>()
    ));
    push_conditions(&mut sql, visibility, filter);
    let limit = match page {
        Page::AfterMarker { marker, limit } => {
            if let Some(marker) = marker {
                // An unknown marker compares against NULL and yields an empty page.
                sql.push(" AND seq > (SELECT m.seq FROM flow_logs m WHERE m.id = ")
                    .text(marker);
                push_scope(&mut sql, "m.", visibility);
                sql.push(")");
            }
            *limit
        }
        Page::Offset { limit, .. } => *limit,
    };
    sql.push(" ORDER BY seq LIMIT ").int(i64::from(limit));
    if let Page::Offset { offset, .. } = page {
        sql.push(" OFFSET ")
            .int(i64::try_from(*offset).unwrap_or(i64::MAX));
    }
    sql
}

pub fn count<DB: Binder>(visibility: Visibility<'_>, filter: &FlowLogFilter) -> Sql<DB> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM flow_logs WHERE TRUE");
    push_conditions(&mut sql, visibility, filter);
    sql
}

/// One page by offset with the number of matches on every row (`total`), in one statement so
/// that the page and its count come from the same snapshot.
pub fn counted_page<DB: Binder>(
    visibility: Visibility<'_>,
    filter: &FlowLogFilter,
    offset: u64,
    limit: u32,
) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {}, COUNT(*) OVER () AS total FROM flow_logs WHERE TRUE",
        selected::<DB>()
    ));
    push_conditions(&mut sql, visibility, filter);
    sql.push(" ORDER BY seq LIMIT ")
        .int(i64::from(limit))
        .push(" OFFSET ")
        .int(i64::try_from(offset).unwrap_or(i64::MAX));
    sql
}

/// Applies `changes` (and the status change) only when the flow log is in one of `expected`;
/// returns the updated row.
pub fn update<DB: Binder>(
    scope: &TenantScope,
    id: &FlowLogId,
    expected: &[Status],
    changes: &AttributeChanges,
    status_change: Option<StatusChange>,
    now: DateTime<Utc>,
) -> Sql<DB> {
    let mut sql = Sql::new("UPDATE flow_logs SET name = COALESCE(");
    sql.opt_text(changes.name.as_deref())
        .push(", name), description = COALESCE(")
        .opt_text(changes.description.as_deref())
        .push(", description), aggregation_interval = COALESCE(")
        .opt_int(changes.aggregation_interval.map(i64::from))
        .push(", aggregation_interval), ip_version = COALESCE(")
        .opt_text(changes.ip_version.as_deref())
        .push(", ip_version), log_format = COALESCE(")
        .opt_text(changes.log_format.as_deref())
        .push(", log_format), resource_group_id = COALESCE(")
        .opt_text(changes.resource_group_id.as_deref())
        .push(", resource_group_id)");
    if let Some(change) = status_change {
        sql.push(", status = ")
            .text(change.status.as_str())
            .push(", due_at = ")
            .opt_int(change.due_at.map(to_millis));
    }
    sql.push(", updated_at = ")
        .int(to_millis(now))
        .push(" WHERE id = ")
        .text(id.as_str());
    push_scope(&mut sql, "", Visibility::Tenant(scope));
    push_status_precondition(&mut sql, expected);
    sql.push(format!(" RETURNING {}", selected::<DB>()));
    sql
}

/// Deletes the flow log only when it is in one of `expected`.
pub fn delete<DB: Binder>(scope: &TenantScope, id: &FlowLogId, expected: &[Status]) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM flow_logs WHERE id = ");
    sql.text(id.as_str());
    push_scope(&mut sql, "", Visibility::Tenant(scope));
    push_status_precondition(&mut sql, expected);
    sql
}

/// Completes every transition out of `from` due at or before `due_by`, in one conditional
/// statement: a row another writer settled first no longer matches, so none completes twice.
pub fn settle_due<DB: Binder>(
    from: Status,
    settlement: Settlement,
    due_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Sql<DB> {
    let mut sql = match settlement {
        Settlement::Becomes(status) => {
            let mut sql = Sql::new("UPDATE flow_logs SET status = ");
            sql.text(status.as_str())
                .push(", due_at = NULL, updated_at = ")
                .int(to_millis(now));
            sql
        }
        Settlement::Gone => Sql::new("DELETE FROM flow_logs"),
    };
    sql.push(" WHERE status = ")
        .text(from.as_str())
        .push(" AND due_at <= ")
        .int(to_millis(due_by));
    sql
}

pub fn next_due<DB: Binder>() -> Sql<DB> {
    Sql::new("SELECT MIN(due_at) FROM flow_logs WHERE due_at IS NOT NULL")
}

/// Removes every flow log (their tags go with them), or those of one provider.
pub fn reset<DB: Binder>(provider: Option<Provider>) -> Sql<DB> {
    reset_table("flow_logs", provider)
}

/// Removes every service activation, or those of one provider.
pub fn reset_activations<DB: Binder>(provider: Option<Provider>) -> Sql<DB> {
    reset_table("flow_log_service_activations", provider)
}

fn reset_table<DB: Binder>(table: &str, provider: Option<Provider>) -> Sql<DB> {
    let mut sql = Sql::new(format!("DELETE FROM {table}"));
    if let Some(provider) = provider {
        sql.push(" WHERE provider = ").text(provider.as_str());
    }
    sql
}

/// Scopes a query to what `visibility` allows; `alias` prefixes the columns of a subquery.
fn push_scope<DB: Binder>(sql: &mut Sql<DB>, alias: &str, visibility: Visibility<'_>) {
    match visibility {
        Visibility::Tenant(scope) => {
            sql.push(format!(" AND {alias}provider = "))
                .text(scope.provider().as_str())
                .push(format!(" AND {alias}tenant_id = "))
                .text(scope.tenant_id())
                .push(format!(" AND {alias}region_id = "))
                .text(scope.region_id());
        }
        Visibility::Any {
            provider,
            tenant_id,
        } => {
            if let Some(provider) = provider {
                sql.push(format!(" AND {alias}provider = "))
                    .text(provider.as_str());
            }
            if let Some(tenant_id) = tenant_id {
                sql.push(format!(" AND {alias}tenant_id = "))
                    .text(tenant_id);
            }
        }
    }
}

fn push_conditions<DB: Binder>(
    sql: &mut Sql<DB>,
    visibility: Visibility<'_>,
    filter: &FlowLogFilter,
) {
    push_scope(sql, "", visibility);
    push_any_of(sql, "id", filter.ids.iter().map(String::as_str));
    push_any_of(sql, "name", filter.names.iter().map(String::as_str));
    push_any_of(
        sql,
        "description",
        filter.descriptions.iter().map(String::as_str),
    );
    push_any_of(
        sql,
        "resource_kind",
        filter.resource_kinds.iter().map(|k| k.as_str()),
    );
    push_any_of(
        sql,
        "resource_id",
        filter.resource_ids.iter().map(String::as_str),
    );
    push_any_of(
        sql,
        "traffic_filter",
        filter.traffic_filters.iter().map(|t| t.as_str()),
    );
    push_any_of(sql, "log_group", filter.groups.iter().map(String::as_str));
    push_any_of(sql, "log_topic", filter.topics.iter().map(String::as_str));
    push_any_of(sql, "status", filter.statuses.iter().map(|s| s.as_str()));
    push_any_of(
        sql,
        "resource_group_id",
        filter.resource_group_ids.iter().map(String::as_str),
    );
    if !filter.vpc_ids.is_empty() {
        sql.push(" AND resource_kind = ")
            .text(ResourceKind::Vpc.as_str());
        push_any_of(
            sql,
            "resource_id",
            filter.vpc_ids.iter().map(String::as_str),
        );
    }
    push_tag_filters(sql, &filter.tags);
}

/// `AND EXISTS (…)` for each tag a flow log must carry.
fn push_tag_filters<DB: Binder>(sql: &mut Sql<DB>, filters: &[TagFilter]) {
    for filter in filters {
        sql.push(
            " AND EXISTS (SELECT 1 FROM flow_log_tags f WHERE f.provider = flow_logs.provider \
             AND f.flow_log_id = flow_logs.id AND f.key = ",
        )
        .text(&filter.key);
        if let Some(value) = &filter.value {
            sql.push(" AND f.value = ").text(value);
        }
        sql.push(")");
    }
}

/// The precondition of a conditional write: `AND status IN (…)`. Unlike a filter, an empty
/// list matches nothing.
fn push_status_precondition<DB: Binder>(sql: &mut Sql<DB>, expected: &[Status]) {
    if expected.is_empty() {
        sql.push(" AND FALSE");
    } else {
        push_any_of(sql, "status", expected.iter().map(|s| s.as_str()));
    }
}

/// `AND column IN (…)`, or nothing for an empty list (no constraint).
fn push_any_of<'v, DB: Binder>(
    sql: &mut Sql<DB>,
    column: &str,
    values: impl ExactSizeIterator<Item = &'v str>,
) {
    if values.len() == 0 {
        return;
    }
    sql.push(format!(" AND {column} IN ("));
    for (i, value) in values.enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.text(value);
    }
    sql.push(")");
}
