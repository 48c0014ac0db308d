//! VPCs, subnets and network interfaces: their statements and [`NetworkRepository`].

use std::net::Ipv4Addr;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::exec::{read_counted, Counted, Exec};
use super::row::{from_millis, merged_attributes, scope, to_millis, Tags, Text};
use super::sql::{counted_page_of, push_any_of, push_page, push_scope, push_tenant, Dialect, Sql};
use super::tags::{push_tag_filters, tag_new, NETWORK_TAGS};
use super::transitions::{due_times, settled};
use super::{with_db, Store};
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::network::{
    NetworkChanges, NetworkFilter, NetworkResource, NetworkStatus, NewNetworkResource,
};
use crate::domain::repository::{NetworkInsertion, NetworkRemoval, NetworkRepository, ParentGuard};
use crate::domain::{
    Page, ResetCounts, ResetScope, ResourceKind, Settled, StorageError, TenantScope, Visibility,
};

/// The columns every query selects, in [`NetworkRow`]'s order (then the tags).
const COLUMNS: &str = "id, provider, tenant_id, region_id, kind, parent_id, vpc_id, name, description, cidr, \
     gateway_ip, zone, private_ip, mac_address, resource_group_id, attributes, status, due_at, created_at, \
     updated_at, revision";

fn selected<DB: Dialect>() -> String {
    let tags = NETWORK_TAGS;
    format!(
        "{COLUMNS}, {}",
        DB::tags_json(tags.resources, tags.tags, tags.owner)
    )
}

/// Times are Unix milliseconds; addresses and blocks their text forms.
#[derive(Debug, sqlx::FromRow)]
struct NetworkRow {
    id: Text,
    provider: Text,
    tenant_id: Text,
    region_id: Text,
    kind: Text,
    parent_id: Option<Text>,
    vpc_id: Text,
    name: Option<Text>,
    description: Option<Text>,
    cidr: Option<Text>,
    gateway_ip: Option<Text>,
    zone: Option<Text>,
    private_ip: Option<Text>,
    mac_address: Option<Text>,
    resource_group_id: Option<Text>,
    attributes: Text,
    status: Text,
    due_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    revision: i64,
    tags: Tags,
}

#[derive(Debug, sqlx::FromRow)]
struct CountedNetworkRow {
    #[sqlx(flatten)]
    row: NetworkRow,
    total: i64,
}

impl Counted for CountedNetworkRow {
    fn total(&self) -> i64 {
        self.total
    }
}

fn corrupt(column: &str, value: &str) -> StorageError {
    StorageError::Corrupt(format!("network_resources.{column} = {value:?}"))
}

fn text(value: Option<Text>) -> Option<String> {
    value.map(|Text(text)| text)
}

fn parsed<T: std::str::FromStr>(
    column: &str,
    value: Option<Text>,
) -> Result<Option<T>, StorageError> {
    value
        .map(|Text(text)| text.parse().map_err(|_| corrupt(column, &text)))
        .transpose()
}

impl TryFrom<NetworkRow> for NetworkResource {
    type Error = StorageError;

    fn try_from(row: NetworkRow) -> Result<Self, Self::Error> {
        let scope = scope(row.provider, row.tenant_id, row.region_id)?;
        let attributes: Map<String, Value> = serde_json::from_str(&row.attributes.0)
            .map_err(|_| corrupt("attributes", &row.attributes.0))?;
        Ok(NetworkResource {
            id: row.id.0,
            scope,
            kind: ResourceKind::parse(&row.kind.0).ok_or_else(|| corrupt("kind", &row.kind.0))?,
            parent_id: text(row.parent_id),
            vpc_id: row.vpc_id.0,
            spec: NewNetworkResource {
                name: text(row.name),
                description: text(row.description),
                cidr: parsed::<Ipv4Cidr>("cidr", row.cidr)?,
                gateway_ip: parsed::<Ipv4Addr>("gateway_ip", row.gateway_ip)?,
                zone: text(row.zone),
                private_ip: parsed::<Ipv4Addr>("private_ip", row.private_ip)?,
                resource_group_id: text(row.resource_group_id),
                tags: row.tags.0,
                attributes,
            },
            mac_address: text(row.mac_address),
            status: NetworkStatus::parse(&row.status.0)
                .ok_or_else(|| corrupt("status", &row.status.0))?,
            due_at: row.due_at.map(from_millis).transpose()?,
            created_at: from_millis(row.created_at)?,
            updated_at: from_millis(row.updated_at)?,
            revision: row.revision,
        })
    }
}

impl NetworkRepository for Store {
    async fn insert_network(
        &self,
        resource: &NetworkResource,
        parent: Option<ParentGuard<'_>>,
    ) -> Result<NetworkInsertion, StorageError> {
        with_db!(self, transaction, |db| {
            if let Some(guard) = parent {
                // Taking the parent's next revision also locks its row until the commit.
                if db.execute(claim_parent(&resource.scope, guard)).await? == 0 {
                    return Ok(NetworkInsertion::ParentChanged);
                }
            }
            db.execute(insert(resource)).await?;
            let spec = &resource.spec;
            tag_new(db, &NETWORK_TAGS, &resource.scope, &resource.id, &spec.tags).await?;
        });
        Ok(NetworkInsertion::Inserted)
    }

    async fn get_network(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> Result<Option<NetworkResource>, StorageError> {
        let row: Option<NetworkRow> = with_db!(self, read, |db| {
            db.fetch_optional(get(scope, id)).await?
        });
        row.map(NetworkResource::try_from).transpose()
    }

    async fn list_network(
        &self,
        visibility: Visibility<'_>,
        kind: ResourceKind,
        filter: &NetworkFilter,
        page: &Page,
        count: bool,
    ) -> Result<(Vec<NetworkResource>, u64), StorageError> {
        if !count {
            let rows: Vec<NetworkRow> = with_db!(self, read, |db| {
                db.fetch_all(list(visibility, kind, filter, page, false))
                    .await?
            });
            let resources = rows
                .into_iter()
                .map(NetworkResource::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            let total = resources.len() as u64;
            return Ok((resources, total));
        }
        let (rows, total): (Vec<CountedNetworkRow>, i64) = with_db!(self, read, |db| {
            read_counted(
                db,
                list(visibility, kind, filter, page, true),
                count_of(visibility, kind, filter),
            )
            .await?
        });
        let resources = rows
            .into_iter()
            .map(|counted| NetworkResource::try_from(counted.row))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((resources, u64::try_from(total).unwrap_or_default()))
    }

    async fn count_children(
        &self,
        scope: &TenantScope,
        parent_ids: &[String],
    ) -> Result<Vec<(String, u64)>, StorageError> {
        let rows: Vec<(Text, i64)> = with_db!(self, read, |db| {
            db.fetch_all(children_counts(scope, parent_ids)).await?
        });
        Ok(rows
            .into_iter()
            .map(|(Text(id), count)| (id, u64::try_from(count).unwrap_or_default()))
            .collect())
    }

    async fn update_network(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
        expected: &[NetworkStatus],
        changes: &NetworkChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<NetworkResource>, StorageError> {
        // Attribute changes merge into the stored object, read in the same transaction.
        let row: Option<NetworkRow> = with_db!(self, transaction, |db| {
            let current: Option<NetworkRow> = db.fetch_optional(get(scope, id)).await?;
            let Some(current) = current else {
                return Ok(None);
            };
            let attributes = merged_attributes(&current.attributes.0, &changes.attributes);
            db.fetch_optional(update(scope, kind, id, expected, changes, &attributes, now))
                .await?
        });
        row.map(NetworkResource::try_from).transpose()
    }

    async fn remove_network(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
        expected: &[NetworkStatus],
        deleting: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<NetworkRemoval, StorageError> {
        let (removed, marked): (u64, Option<NetworkRow>) = with_db!(self, transaction, |db| {
            match deleting {
                None => (db.execute(remove(scope, kind, id, expected)).await?, None),
                Some(due_at) => {
                    let row: Option<NetworkRow> = db
                        .fetch_optional(mark_deleting(scope, kind, id, expected, due_at, now))
                        .await?;
                    (0, row)
                }
            }
        });
        if removed > 0 {
            return Ok(NetworkRemoval::Removed);
        }
        if let Some(row) = marked {
            return Ok(NetworkRemoval::Deleting(Box::new(row.try_into()?)));
        }
        // Why nothing matched: something lies in it, or it is not as expected.
        let (children,): (i64,) = with_db!(self, read, |db| {
            db.fetch_one(children_of(scope, id)).await?
        });
        Ok(if children > 0 {
            NetworkRemoval::HasChildren
        } else {
            NetworkRemoval::NotMatched
        })
    }

    async fn settle_network_due(
        &self,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Settled, StorageError> {
        let (count, due) = with_db!(self, transaction, |db| {
            let pending = NetworkStatus::Pending.as_str();
            let deleting = NetworkStatus::Deleting.as_str();
            let mut due: Vec<(i64,)> = db
                .fetch_all(due_times("network_resources", pending, due_by, ""))
                .await?;
            due.extend(
                db.fetch_all::<(i64,)>(due_times("network_resources", deleting, due_by, CHILDLESS))
                    .await?,
            );
            let available = db.execute(settle_pending(due_by, now)).await?;
            (available + db.execute(settle_deleting(due_by)).await?, due)
        });
        settled(count, due)
    }

    async fn next_network_due(&self) -> Result<Option<DateTime<Utc>>, StorageError> {
        let (millis,): (Option<i64>,) = with_db!(self, read, |db| {
            db.fetch_one(Sql::new(
                "SELECT MIN(due_at) FROM network_resources WHERE due_at IS NOT NULL",
            ))
            .await?
        });
        millis.map(from_millis).transpose()
    }
}

/// Deletes the network resources the reset covers and their tags. One statement removes
/// parents and children alike (foreign keys are checked at its end).
pub(super) async fn reset<E: Exec>(
    db: &mut E,
    scope: &ResetScope,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    NETWORK_TAGS.reset(db, scope, counts).await
}

/// Takes the parent's next revision, if it is still at the guard's and in its statuses.
fn claim_parent<DB: Dialect>(scope: &TenantScope, guard: ParentGuard<'_>) -> Sql<DB> {
    let mut sql = Sql::new("UPDATE network_resources SET revision = revision + 1 WHERE id = ");
    sql.text(guard.id)
        .push(" AND revision = ")
        .int(guard.revision);
    push_tenant(&mut sql, "", scope);
    push_any_of(
        &mut sql,
        "status",
        guard.statuses.iter().map(|s| s.as_str()),
    );
    if guard.statuses.is_empty() {
        sql.push(" AND FALSE");
    }
    sql
}

fn insert<DB: Dialect>(resource: &NetworkResource) -> Sql<DB> {
    let spec = &resource.spec;
    let attributes = Value::Object(spec.attributes.clone()).to_string();
    let mut sql = Sql::new(format!(
        "INSERT INTO network_resources ({COLUMNS}) VALUES ("
    ));
    sql.text(&resource.id)
        .push(", ")
        .text(resource.scope.provider().as_str())
        .push(", ")
        .text(resource.scope.tenant_id())
        .push(", ")
        .text(resource.scope.region_id())
        .push(", ")
        .text(resource.kind.as_str())
        .push(", ")
        .opt_text(resource.parent_id.as_deref())
        .push(", ")
        .text(&resource.vpc_id)
        .push(", ")
        .opt_text(spec.name.as_deref())
        .push(", ")
        .opt_text(spec.description.as_deref())
        .push(", ")
        .opt_text(spec.cidr.map(|cidr| cidr.to_string()).as_deref())
        .push(", ")
        .opt_text(spec.gateway_ip.map(|ip| ip.to_string()).as_deref())
        .push(", ")
        .opt_text(spec.zone.as_deref())
        .push(", ")
        .opt_text(spec.private_ip.map(|ip| ip.to_string()).as_deref())
        .push(", ")
        .opt_text(resource.mac_address.as_deref())
        .push(", ")
        .opt_text(spec.resource_group_id.as_deref())
        .push(", ")
        .text(&attributes)
        .push(", ")
        .text(resource.status.as_str())
        .push(", ")
        .opt_int(resource.due_at.map(to_millis))
        .push(", ")
        .int(to_millis(resource.created_at))
        .push(", ")
        .int(to_millis(resource.updated_at))
        .push(", ")
        .int(resource.revision)
        .push(")");
    sql
}

fn get<DB: Dialect>(scope: &TenantScope, id: &str) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM network_resources WHERE id = ",
        selected::<DB>()
    ));
    sql.text(id);
    push_tenant(&mut sql, "", scope);
    sql
}

fn list<DB: Dialect>(
    visibility: Visibility<'_>,
    kind: ResourceKind,
    filter: &NetworkFilter,
    page: &Page,
    count: bool,
) -> Sql<DB> {
    if count {
        return counted_page_of(
            "network_resources",
            &selected::<DB>(),
            |sql| push_conditions(sql, visibility, kind, filter),
            |sql| push_page(sql, "network_resources", visibility, page),
        );
    }
    let mut sql = Sql::new(format!(
        "SELECT {} FROM network_resources WHERE TRUE",
        selected::<DB>()
    ));
    push_conditions(&mut sql, visibility, kind, filter);
    push_page(&mut sql, "network_resources", visibility, page);
    sql
}

fn count_of<DB: Dialect>(
    visibility: Visibility<'_>,
    kind: ResourceKind,
    filter: &NetworkFilter,
) -> Sql<DB> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM network_resources WHERE TRUE");
    push_conditions(&mut sql, visibility, kind, filter);
    sql
}

fn push_conditions<DB: Dialect>(
    sql: &mut Sql<DB>,
    visibility: Visibility<'_>,
    kind: ResourceKind,
    filter: &NetworkFilter,
) {
    push_scope(sql, "", visibility);
    sql.push(" AND kind = ").text(kind.as_str());
    for (column, values) in [
        ("id", &filter.ids),
        ("name", &filter.names),
        ("parent_id", &filter.parent_ids),
        ("vpc_id", &filter.vpc_ids),
        ("zone", &filter.zones),
        ("resource_group_id", &filter.resource_group_ids),
        ("private_ip", &filter.private_ips),
        ("mac_address", &filter.mac_addresses),
    ] {
        push_any_of(sql, column, values.iter().map(String::as_str));
    }
    push_any_of(sql, "status", filter.statuses.iter().map(|s| s.as_str()));
    push_tag_filters(sql, &NETWORK_TAGS, &filter.tags);
}

/// `(parent id, how many children)` for each of `parent_ids` that has any.
fn children_counts<DB: Dialect>(scope: &TenantScope, parent_ids: &[String]) -> Sql<DB> {
    let mut sql = Sql::new("SELECT parent_id, COUNT(*) FROM network_resources WHERE TRUE");
    push_tenant(&mut sql, "", scope);
    push_any_of(&mut sql, "parent_id", parent_ids.iter().map(String::as_str));
    sql.push(" GROUP BY parent_id");
    sql
}

/// How many resources lie directly in `id`.
fn children_of<DB: Dialect>(scope: &TenantScope, id: &str) -> Sql<DB> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM network_resources WHERE parent_id = ");
    sql.text(id);
    push_tenant(&mut sql, "", scope);
    sql
}

/// `AND NOT EXISTS` a child of the row being changed.
/// The condition of a resource nothing lies in.
const CHILDLESS: &str = " AND NOT EXISTS (SELECT 1 FROM network_resources c \
     WHERE c.provider = network_resources.provider AND c.parent_id = network_resources.id)";

fn push_childless<DB: Dialect>(sql: &mut Sql<DB>) {
    sql.push(CHILDLESS);
}

fn push_target<DB: Dialect>(
    sql: &mut Sql<DB>,
    scope: &TenantScope,
    kind: ResourceKind,
    id: &str,
    expected: &[NetworkStatus],
) {
    sql.push(" WHERE id = ").text(id);
    push_tenant(sql, "", scope);
    sql.push(" AND kind = ").text(kind.as_str());
    if expected.is_empty() {
        sql.push(" AND FALSE");
    } else {
        push_any_of(sql, "status", expected.iter().map(|s| s.as_str()));
    }
}

fn update<DB: Dialect>(
    scope: &TenantScope,
    kind: ResourceKind,
    id: &str,
    expected: &[NetworkStatus],
    changes: &NetworkChanges,
    attributes: &str,
    now: DateTime<Utc>,
) -> Sql<DB> {
    let mut sql = Sql::new("UPDATE network_resources SET name = COALESCE(");
    sql.opt_text(changes.name.as_deref())
        .push(", name), description = COALESCE(")
        .opt_text(changes.description.as_deref())
        .push(", description), resource_group_id = COALESCE(")
        .opt_text(changes.resource_group_id.as_deref())
        .push(", resource_group_id), attributes = ")
        .text(attributes)
        .push(", updated_at = ")
        .int(to_millis(now));
    push_target(&mut sql, scope, kind, id, expected);
    sql.push(format!(" RETURNING {}", selected::<DB>()));
    sql
}

fn remove<DB: Dialect>(
    scope: &TenantScope,
    kind: ResourceKind,
    id: &str,
    expected: &[NetworkStatus],
) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM network_resources");
    push_target(&mut sql, scope, kind, id, expected);
    push_childless(&mut sql);
    sql
}

fn mark_deleting<DB: Dialect>(
    scope: &TenantScope,
    kind: ResourceKind,
    id: &str,
    expected: &[NetworkStatus],
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Sql<DB> {
    let mut sql = Sql::new("UPDATE network_resources SET status = ");
    sql.text(NetworkStatus::Deleting.as_str())
        .push(", due_at = ")
        .int(to_millis(due_at))
        .push(", updated_at = ")
        .int(to_millis(now));
    push_target(&mut sql, scope, kind, id, expected);
    push_childless(&mut sql);
    sql.push(format!(" RETURNING {}", selected::<DB>()));
    sql
}

/// Every resource `Pending` until `due_by` becomes `Available`.
fn settle_pending<DB: Dialect>(due_by: DateTime<Utc>, now: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new("UPDATE network_resources SET status = ");
    sql.text(NetworkStatus::Available.as_str())
        .push(", due_at = NULL, updated_at = ")
        .int(to_millis(now))
        .push(" WHERE status = ")
        .text(NetworkStatus::Pending.as_str())
        .push(" AND due_at <= ")
        .int(to_millis(due_by));
    sql
}

/// Every resource `Deleting` until `due_by` goes (nothing can lie in it: that was checked when
/// it started deleting, and nothing is created in a resource that is not available).
fn settle_deleting<DB: Dialect>(due_by: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM network_resources WHERE status = ");
    sql.text(NetworkStatus::Deleting.as_str())
        .push(" AND due_at <= ")
        .int(to_millis(due_by));
    push_childless(&mut sql);
    sql
}
