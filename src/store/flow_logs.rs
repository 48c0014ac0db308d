//! Flow logs: their statements and [`FlowLogRepository`].

use chrono::{DateTime, Utc};

use super::exec::{read_counted, Exec};
use super::row::{encode_paths, to_millis, CountedRow, FlowLogRow, COLUMNS};
use super::sql::{
    counted_page_with, push_any_of, push_page, push_scope, push_status_precondition, push_tenant,
    Dialect, Sql,
};
use super::tags::{push_tag_filters, tag_new, FLOW_LOG_TAGS};
use super::{with_db, Store};
use crate::domain::destination::Delivery;
use crate::domain::faults::DeliveryFault;
use crate::domain::repository::{FlowLogRepository, Insertion, StatusChange};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, Page, ResetCounts, ResetScope,
    ResourceKind, Status, StorageError, TenantScope, Visibility,
};

/// Every column of a flow log, its tags and whether its destination exists, in
/// [`FlowLogRow`]'s order.
pub(super) fn selected<DB: Dialect>() -> String {
    let tags = FLOW_LOG_TAGS;
    format!(
        "{COLUMNS}, {}, EXISTS (SELECT 1 FROM log_groups g WHERE {}) AS group_exists, \
         EXISTS (SELECT 1 FROM log_streams s WHERE {} AND s.group_id = flow_logs.log_group) \
         AS stream_exists",
        DB::tags_json(tags.resources, tags.tags, tags.owner),
        same_tenant_as_flow_log("g", "log_group"),
        same_tenant_as_flow_log("s", "log_topic"),
    )
}

/// `alias` is a row of the flow log's tenant whose id is the flow log's `column`.
fn same_tenant_as_flow_log(alias: &str, column: &str) -> String {
    format!(
        "{alias}.provider = flow_logs.provider AND {alias}.tenant_id = flow_logs.tenant_id \
         AND {alias}.region_id = flow_logs.region_id AND {alias}.id = flow_logs.{column}"
    )
}

impl FlowLogRepository for Store {
    async fn insert(
        &self,
        flow_log: &FlowLog,
        quota: Option<u32>,
        require_references: bool,
    ) -> Result<Insertion, StorageError> {
        with_db!(self, transaction, |db| {
            if quota.is_some() {
                if let Some(lock) = Dialect::quota_lock(&quota_key(&flow_log.scope)) {
                    db.execute(lock).await?;
                }
            }
            if db
                .execute(insert(flow_log, quota, require_references))
                .await?
                == 0
            {
                // Which check refused it: a reference, or else the quota.
                if require_references {
                    let (found,): (i64,) = db.fetch_one(captured_resources(flow_log)).await?;
                    if found == 0 {
                        return Ok(Insertion::ResourceMissing);
                    }
                    let (found,): (i64,) = db.fetch_one(destinations(flow_log)).await?;
                    if found == 0 {
                        return Ok(Insertion::DestinationMissing);
                    }
                }
                return Ok(Insertion::QuotaReached);
            }
            let (scope, id) = (&flow_log.scope, flow_log.id.as_str());
            tag_new(db, &FLOW_LOG_TAGS, scope, id, &flow_log.spec.tags).await?;
        });
        Ok(Insertion::Inserted)
    }

    async fn get(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
    ) -> Result<Option<FlowLog>, StorageError> {
        let row: Option<FlowLogRow> = with_db!(self, read, |db| {
            db.fetch_optional(get(scope, id)).await?
        });
        row.map(FlowLog::try_from).transpose()
    }

    async fn list(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        page: &Page,
    ) -> Result<Vec<FlowLog>, StorageError> {
        let rows: Vec<FlowLogRow> = with_db!(self, read, |db| {
            db.fetch_all(list(visibility, filter, page)).await?
        });
        rows.into_iter().map(FlowLog::try_from).collect()
    }

    async fn counted_page(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<FlowLog>, u64), StorageError> {
        let (rows, total): (Vec<CountedRow>, i64) = with_db!(self, read, |db| {
            read_counted(
                db,
                counted_page(visibility, filter, offset, limit),
                count(visibility, filter),
            )
            .await?
        });
        let flow_logs = rows
            .into_iter()
            .map(|counted| FlowLog::try_from(counted.row))
            .collect::<Result<_, _>>()?;
        Ok((flow_logs, u64::try_from(total).unwrap_or_default()))
    }

    async fn update(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
        changes: &AttributeChanges,
        status_change: Option<StatusChange>,
        now: DateTime<Utc>,
    ) -> Result<Option<FlowLog>, StorageError> {
        let row: Option<FlowLogRow> = with_db!(self, write, |db| {
            db.fetch_optional(update(scope, id, expected, changes, status_change, now))
                .await?
        });
        row.map(FlowLog::try_from).transpose()
    }

    async fn delete(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
    ) -> Result<bool, StorageError> {
        let deleted = with_db!(self, write, |db| {
            db.execute(delete(scope, id, expected)).await?
        });
        Ok(deleted > 0)
    }

    async fn reset(&self, scope: &ResetScope) -> Result<ResetCounts, StorageError> {
        super::reset::reset(self, scope).await
    }
}

/// Deletes the flow logs the reset covers and their tags (service activations are
/// [`super::activations`]'s).
pub(super) async fn reset<E: Exec>(
    db: &mut E,
    scope: &ResetScope,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    FLOW_LOG_TAGS.reset(db, scope, counts).await
}

/// What names a tenant's quota lock.
fn quota_key(scope: &TenantScope) -> String {
    format!(
        "flowplane quota {} {} {}",
        scope.provider().as_str(),
        scope.tenant_id(),
        scope.region_id()
    )
}

/// Inserts the flow log (not its tags), unless the tenant already has `quota` flow logs or, with
/// `require_references`, its resource is not in the tenant's network or its destination not one
/// of the tenant's log streams: checks and insert are one statement.
fn insert<DB: Dialect>(
    flow_log: &FlowLog,
    quota: Option<u32>,
    require_references: bool,
) -> Sql<DB> {
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
        .int(to_millis(flow_log.updated_at))
        .push(", ")
        .opt_int(flow_log.active_since.map(to_millis))
        .push(", ")
        .opt_int(flow_log.records_through.map(to_millis))
        .push(", ")
        .opt_text(match flow_log.delivery {
            Delivery::Faulted(fault) => Some(fault.as_str()),
            _ => None,
        });
    sql.push(" WHERE TRUE");
    if let Some(quota) = quota {
        sql.push(" AND (SELECT COUNT(*) FROM flow_logs WHERE TRUE");
        push_tenant(&mut sql, "", &flow_log.scope);
        sql.push(") < ").int(i64::from(quota));
    }
    if require_references {
        sql.push(" AND EXISTS (");
        push_captured_resource(&mut sql, flow_log, "SELECT 1");
        sql.push(") AND EXISTS (");
        push_destination(&mut sql, flow_log, "SELECT 1");
        sql.push(")");
    }
    sql
}

/// How many of the tenant's log streams are the flow log's destination (0 or 1).
fn destinations<DB: Dialect>(flow_log: &FlowLog) -> Sql<DB> {
    let mut sql = Sql::new("");
    push_destination(&mut sql, flow_log, "SELECT COUNT(*)");
    sql
}

/// `<select> FROM log_streams s WHERE` it is the flow log's destination, in its tenant.
fn push_destination<DB: Dialect>(sql: &mut Sql<DB>, flow_log: &FlowLog, select: &str) {
    let destination = &flow_log.spec.destination;
    sql.push(select)
        .push(" FROM log_streams s WHERE s.group_id = ")
        .text(&destination.group)
        .push(" AND s.id = ")
        .text(&destination.topic);
    push_tenant(sql, "s.", &flow_log.scope);
}

/// How many resources of the tenant's network the flow log could capture (0 or 1).
fn captured_resources<DB: Dialect>(flow_log: &FlowLog) -> Sql<DB> {
    let mut sql = Sql::new("");
    push_captured_resource(&mut sql, flow_log, "SELECT COUNT(*)");
    sql
}

/// `<select> FROM network_resources r WHERE` it is the flow log's resource, of its kind.
fn push_captured_resource<DB: Dialect>(sql: &mut Sql<DB>, flow_log: &FlowLog, select: &str) {
    sql.push(select)
        .push(" FROM network_resources r WHERE r.id = ")
        .text(&flow_log.spec.resource_id)
        .push(" AND r.kind = ")
        .text(flow_log.spec.resource_kind.as_str());
    push_tenant(sql, "r.", &flow_log.scope);
}

fn get<DB: Dialect>(scope: &TenantScope, id: &FlowLogId) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM flow_logs WHERE id = ",
        selected::<DB>()
    ));
    sql.text(id.as_str());
    push_tenant(&mut sql, "", scope);
    sql
}

fn list<DB: Dialect>(visibility: Visibility<'_>, filter: &FlowLogFilter, page: &Page) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM flow_logs WHERE TRUE",
        selected::<DB>()
    ));
    push_conditions(&mut sql, visibility, filter);
    push_page(&mut sql, "flow_logs", visibility, page);
    sql
}

fn count<DB: Dialect>(visibility: Visibility<'_>, filter: &FlowLogFilter) -> Sql<DB> {
    let mut sql = Sql::new("SELECT ");
    push_total(&mut sql, visibility, filter);
    sql
}

/// How many flow logs match, as a scalar expression: a tenant's whole list reads the count
/// the triggers keep (`flow_log_counts`), a filtered one counts its matches.
fn push_total<DB: Dialect>(sql: &mut Sql<DB>, visibility: Visibility<'_>, filter: &FlowLogFilter) {
    match visibility {
        Visibility::Tenant(scope) if *filter == FlowLogFilter::default() => {
            sql.push("(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM flow_log_counts WHERE TRUE");
            push_tenant(sql, "", scope);
        }
        _ => {
            sql.push("(SELECT COUNT(*) FROM flow_logs WHERE TRUE");
            push_conditions(sql, visibility, filter);
        }
    }
    sql.push(")");
}

/// One page by offset with the number of matches on every row ([`counted_page_with`]).
fn counted_page<DB: Dialect>(
    visibility: Visibility<'_>,
    filter: &FlowLogFilter,
    offset: u64,
    limit: u32,
) -> Sql<DB> {
    counted_page_with(
        "flow_logs",
        &selected::<DB>(),
        |sql| push_total(sql, visibility, filter),
        |sql| push_conditions(sql, visibility, filter),
        |sql| {
            sql.push(" ORDER BY seq LIMIT ")
                .int(i64::from(limit))
                .push(" OFFSET ")
                .int(i64::try_from(offset).unwrap_or(i64::MAX));
        },
    )
}

/// Applies `changes` (and the status change) only when the flow log is in one of `expected`;
/// returns the updated row.
fn update<DB: Dialect>(
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
            .opt_int(change.due_at.map(to_millis))
            .push(", delivery_fault = ")
            .opt_text(change.delivery_fault.map(DeliveryFault::as_str));
        if change.status == Status::Active {
            sql.push(", active_since = ").int(to_millis(now));
        }
    }
    sql.push(", updated_at = ")
        .int(to_millis(now))
        .push(" WHERE id = ")
        .text(id.as_str());
    push_tenant(&mut sql, "", scope);
    push_status_precondition(&mut sql, expected);
    sql.push(format!(" RETURNING {}", selected::<DB>()));
    sql
}

/// Deletes the flow log only when it is in one of `expected`.
fn delete<DB: Dialect>(scope: &TenantScope, id: &FlowLogId, expected: &[Status]) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM flow_logs WHERE id = ");
    sql.text(id.as_str());
    push_tenant(&mut sql, "", scope);
    push_status_precondition(&mut sql, expected);
    sql
}

fn push_conditions<DB: Dialect>(
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
        // The VPC itself, or a known subnet or interface inside it.
        sql.push(" AND ((resource_kind = ")
            .text(ResourceKind::Vpc.as_str());
        push_any_of(
            sql,
            "resource_id",
            filter.vpc_ids.iter().map(String::as_str),
        );
        sql.push(") OR resource_id IN (SELECT n.id FROM network_resources n WHERE n.provider = flow_logs.provider AND n.tenant_id = flow_logs.tenant_id AND n.region_id = flow_logs.region_id AND n.kind = flow_logs.resource_kind");
        push_any_of(sql, "n.vpc_id", filter.vpc_ids.iter().map(String::as_str));
        sql.push("))");
    }
    if let Some(delivering) = filter.delivering {
        // Delivering: no fault rule's mark, and the stream exists.
        sql.push(if delivering { " AND" } else { " AND NOT" })
            .push(format!(
            " (flow_logs.delivery_fault IS NULL AND EXISTS (SELECT 1 FROM log_streams s WHERE {} \
             AND s.group_id = flow_logs.log_group))",
            same_tenant_as_flow_log("s", "log_topic")
        ));
    }
    push_tag_filters(sql, &FLOW_LOG_TAGS, &filter.tags);
}
