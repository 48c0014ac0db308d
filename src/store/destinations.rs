//! Log groups and streams: their statements and [`DestinationRepository`]. A group and a
//! stream have the same columns but the stream's `group_id`, so one row type and one set of
//! statements serve both, named by [`Table`].

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::exec::delete_counted;
use super::exec::{read_counted, Counted, Exec};
use super::row::{from_millis, merged_attributes, scope, to_millis, Tags, Text};
use super::sql::{counted_page_of, push_any_of, push_scope, push_tenant, Dialect, Sql};
use super::{with_db, Store};
use crate::domain::destination::{
    Delivery, GroupDeletion, LogContainerChanges, LogContainerFilter, LogGroup, LogStream,
    NewLogContainer,
};
use crate::domain::repository::{DestinationRepository, GroupRemoval, StreamInsertion};
use crate::domain::{
    LogDestination, ResetCounts, ResetScope, StorageError, Tag, TenantScope, Visibility,
};

/// Which of the two tables a statement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Groups,
    Streams,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Groups => "log_groups",
            Table::Streams => "log_streams",
        }
    }

    /// The columns every query selects, in [`ContainerRow`]'s order.
    fn columns(self) -> &'static str {
        match self {
            Table::Groups => {
                "id, provider, tenant_id, region_id, '' AS group_id, name, description, ttl_days, \
                 tags, attributes, created_at, updated_at"
            }
            Table::Streams => {
                "id, provider, tenant_id, region_id, group_id, name, description, ttl_days, tags, \
                 attributes, created_at, updated_at"
            }
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct ContainerRow {
    id: Text,
    provider: Text,
    tenant_id: Text,
    region_id: Text,
    group_id: Text,
    name: Text,
    description: Option<Text>,
    ttl_days: Option<i64>,
    tags: Tags,
    attributes: Text,
    created_at: i64,
    updated_at: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct CountedContainerRow {
    #[sqlx(flatten)]
    row: ContainerRow,
    total: i64,
}

impl Counted for CountedContainerRow {
    fn total(&self) -> i64 {
        self.total
    }
}

/// The parts of a group and a stream alike.
struct Container {
    id: String,
    group_id: String,
    scope: TenantScope,
    spec: NewLogContainer,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<ContainerRow> for Container {
    type Error = StorageError;

    fn try_from(row: ContainerRow) -> Result<Self, Self::Error> {
        let attributes: Map<String, Value> = serde_json::from_str(&row.attributes.0)
            .map_err(|_| StorageError::Corrupt(format!("attributes = {:?}", row.attributes.0)))?;
        let ttl_days = row
            .ttl_days
            .map(|days| {
                u32::try_from(days).map_err(|_| StorageError::Corrupt(format!("ttl_days = {days}")))
            })
            .transpose()?;
        Ok(Container {
            id: row.id.0,
            group_id: row.group_id.0,
            scope: scope(row.provider, row.tenant_id, row.region_id)?,
            spec: NewLogContainer {
                name: row.name.0,
                description: row.description.map(|Text(text)| text),
                ttl_days,
                tags: row.tags.0,
                attributes,
            },
            created_at: from_millis(row.created_at)?,
            updated_at: from_millis(row.updated_at)?,
        })
    }
}

impl From<Container> for LogGroup {
    fn from(c: Container) -> Self {
        LogGroup {
            id: c.id,
            scope: c.scope,
            spec: c.spec,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl From<Container> for LogStream {
    fn from(c: Container) -> Self {
        LogStream {
            id: c.id,
            group_id: c.group_id,
            scope: c.scope,
            spec: c.spec,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

fn decode<T: From<Container>>(row: ContainerRow) -> Result<T, StorageError> {
    Container::try_from(row).map(T::from)
}

impl DestinationRepository for Store {
    async fn insert_group(&self, group: &LogGroup) -> Result<(), StorageError> {
        let container = ContainerRef {
            id: &group.id,
            group_id: None,
            scope: &group.scope,
            spec: &group.spec,
            created_at: group.created_at,
        };
        with_db!(self, write, |db| {
            db.execute(insert(&container)).await?;
        });
        Ok(())
    }

    async fn insert_stream(&self, stream: &LogStream) -> Result<StreamInsertion, StorageError> {
        let container = ContainerRef {
            id: &stream.id,
            group_id: Some(&stream.group_id),
            scope: &stream.scope,
            spec: &stream.spec,
            created_at: stream.created_at,
        };
        let inserted = with_db!(self, write, |db| { db.execute(insert(&container)).await? });
        Ok(if inserted == 0 {
            StreamInsertion::GroupMissing
        } else {
            StreamInsertion::Inserted
        })
    }

    async fn get_group(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> Result<Option<LogGroup>, StorageError> {
        let row: Option<ContainerRow> = with_db!(self, read, |db| {
            db.fetch_optional(get(Table::Groups, scope, None, id))
                .await?
        });
        row.map(decode).transpose()
    }

    async fn get_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
    ) -> Result<Option<LogStream>, StorageError> {
        let row: Option<ContainerRow> = with_db!(self, read, |db| {
            db.fetch_optional(get(Table::Streams, scope, Some(group_id), id))
                .await?
        });
        row.map(decode).transpose()
    }

    async fn list_groups(
        &self,
        visibility: Visibility<'_>,
        filter: &LogContainerFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<LogGroup>, u64), StorageError> {
        let listing = Listing {
            table: Table::Groups,
            visibility,
            group_id: None,
            filter,
        };
        list(self, &listing, offset, limit).await
    }

    async fn list_streams(
        &self,
        scope: &TenantScope,
        group_id: Option<&str>,
        filter: &LogContainerFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<LogStream>, u64), StorageError> {
        let listing = Listing {
            table: Table::Streams,
            visibility: Visibility::Tenant(scope),
            group_id,
            filter,
        };
        list(self, &listing, offset, limit).await
    }

    async fn update_group(
        &self,
        scope: &TenantScope,
        id: &str,
        changes: &LogContainerChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<LogGroup>, StorageError> {
        let row = update(self, Table::Groups, scope, None, id, changes, now).await?;
        row.map(decode).transpose()
    }

    async fn update_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
        changes: &LogContainerChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<LogStream>, StorageError> {
        let row = update(
            self,
            Table::Streams,
            scope,
            Some(group_id),
            id,
            changes,
            now,
        )
        .await?;
        row.map(decode).transpose()
    }

    async fn delete_group(
        &self,
        scope: &TenantScope,
        id: &str,
        deletion: GroupDeletion,
    ) -> Result<GroupRemoval, StorageError> {
        Ok(with_db!(self, transaction, |db| {
            let mut sql = delete(Table::Groups, scope, None, id);
            if deletion == GroupDeletion::OnlyEmpty {
                sql.push(
                    " AND NOT EXISTS (SELECT 1 FROM log_streams s WHERE s.group_id = log_groups.id",
                );
                push_tenant(&mut sql, "s.", scope);
                sql.push(")");
            }
            // No early return: leaving the body early would roll the delete back.
            if db.execute(sql).await? > 0 {
                GroupRemoval::Removed
            } else {
                let exists: Option<ContainerRow> = db
                    .fetch_optional(get(Table::Groups, scope, None, id))
                    .await?;
                if exists.is_some() {
                    GroupRemoval::HasStreams
                } else {
                    GroupRemoval::NotFound
                }
            }
        }))
    }

    async fn delete_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
    ) -> Result<bool, StorageError> {
        let deleted = with_db!(self, write, |db| {
            db.execute(delete(Table::Streams, scope, Some(group_id), id))
                .await?
        });
        Ok(deleted > 0)
    }

    async fn delivery(
        &self,
        scope: &TenantScope,
        destination: &LogDestination,
    ) -> Result<Delivery, StorageError> {
        let (group, stream): (bool, bool) = with_db!(self, read, |db| {
            db.fetch_one(delivery(scope, destination)).await?
        });
        Ok(Delivery::from_existence(group, stream))
    }
}

/// Deletes the log groups the reset covers, their streams and their records.
pub(super) async fn reset<E: Exec>(
    db: &mut E,
    scope: &ResetScope,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    super::records::reset(db, scope, counts).await?;
    delete_counted(db, "log_streams", "log_streams", scope, counts).await?;
    delete_counted(db, "log_groups", "log_groups", scope, counts).await
}

/// Whether the destination's group, and its stream, exist in the scope.
fn delivery<DB: Dialect>(scope: &TenantScope, destination: &LogDestination) -> Sql<DB> {
    let mut sql = Sql::new("SELECT EXISTS (SELECT 1 FROM log_groups WHERE id = ");
    sql.text(&destination.group);
    push_tenant(&mut sql, "", scope);
    sql.push("), EXISTS (SELECT 1 FROM log_streams WHERE id = ")
        .text(&destination.topic)
        .push(" AND group_id = ")
        .text(&destination.group);
    push_tenant(&mut sql, "", scope);
    sql.push(")");
    sql
}

/// A group or stream to insert, borrowed.
struct ContainerRef<'a> {
    id: &'a str,
    /// A stream's group; `None` for a group.
    group_id: Option<&'a str>,
    scope: &'a TenantScope,
    spec: &'a NewLogContainer,
    created_at: DateTime<Utc>,
}

fn tags_json(tags: &[Tag]) -> String {
    let pairs: Vec<(&str, &str)> = tags
        .iter()
        .map(|tag| (tag.key.as_str(), tag.value.as_str()))
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".to_owned())
}

/// Inserts a group, or a stream only while its group exists in the scope (one statement).
fn insert<DB: Dialect>(container: &ContainerRef<'_>) -> Sql<DB> {
    let (table, group_column) = match container.group_id {
        None => (Table::Groups, ""),
        Some(_) => (Table::Streams, "group_id, "),
    };
    let spec = container.spec;
    let mut sql = Sql::new(format!(
        "INSERT INTO {} (provider, tenant_id, region_id, {group_column}id, name, description, \
         ttl_days, tags, attributes, created_at, updated_at) SELECT ",
        table.name()
    ));
    sql.text(container.scope.provider().as_str())
        .push(", ")
        .text(container.scope.tenant_id())
        .push(", ")
        .text(container.scope.region_id())
        .push(", ");
    if let Some(group_id) = container.group_id {
        sql.text(group_id).push(", ");
    }
    sql.text(container.id)
        .push(", ")
        .text(&spec.name)
        .push(", ")
        .opt_text(spec.description.as_deref())
        .push(", ")
        .opt_int(spec.ttl_days.map(i64::from))
        .push(", ")
        .text(&tags_json(&spec.tags))
        .push(", ")
        .text(&Value::Object(spec.attributes.clone()).to_string())
        .push(", ")
        .int(to_millis(container.created_at))
        .push(", ")
        .int(to_millis(container.created_at));
    if let Some(group_id) = container.group_id {
        sql.push(" WHERE EXISTS (SELECT 1 FROM log_groups g WHERE g.id = ")
            .text(group_id);
        push_tenant(&mut sql, "g.", container.scope);
        sql.push(")");
    }
    sql
}

/// `WHERE id = … AND` the scope `AND group_id = …` (streams).
fn push_key<DB: Dialect>(sql: &mut Sql<DB>, scope: &TenantScope, group_id: Option<&str>, id: &str) {
    sql.push(" WHERE id = ").text(id);
    push_tenant(sql, "", scope);
    if let Some(group_id) = group_id {
        sql.push(" AND group_id = ").text(group_id);
    }
}

fn get<DB: Dialect>(
    table: Table,
    scope: &TenantScope,
    group_id: Option<&str>,
    id: &str,
) -> Sql<DB> {
    let mut sql = Sql::new(format!("SELECT {} FROM {}", table.columns(), table.name()));
    push_key(&mut sql, scope, group_id, id);
    sql
}

fn delete<DB: Dialect>(
    table: Table,
    scope: &TenantScope,
    group_id: Option<&str>,
    id: &str,
) -> Sql<DB> {
    let mut sql = Sql::new(format!("DELETE FROM {}", table.name()));
    push_key(&mut sql, scope, group_id, id);
    sql
}

/// What a listing selects.
struct Listing<'a> {
    table: Table,
    visibility: Visibility<'a>,
    group_id: Option<&'a str>,
    filter: &'a LogContainerFilter,
}

impl Listing<'_> {
    fn push_conditions<DB: Dialect>(&self, sql: &mut Sql<DB>) {
        push_scope(sql, "", self.visibility);
        if let Some(group_id) = self.group_id {
            sql.push(" AND group_id = ").text(group_id);
        }
        push_any_of(sql, "name", self.filter.names.iter().map(String::as_str));
        if let Some(part) = &self.filter.name_contains {
            // A position, not LIKE: the text is matched as it is, wildcards included.
            sql.push(format!(" AND {}(name, ", DB::POSITION))
                .text(part)
                .push(") > 0");
        }
    }
}

async fn list<T: From<Container>>(
    store: &Store,
    listing: &Listing<'_>,
    offset: u64,
    limit: u32,
) -> Result<(Vec<T>, u64), StorageError> {
    fn page<DB: Dialect>(listing: &Listing<'_>, offset: u64, limit: u32) -> Sql<DB> {
        let table = listing.table;
        counted_page_of(
            table.name(),
            table.columns(),
            |sql| listing.push_conditions(sql),
            |sql| {
                sql.push(" ORDER BY seq LIMIT ")
                    .int(i64::from(limit))
                    .push(" OFFSET ")
                    .int(i64::try_from(offset).unwrap_or(i64::MAX));
            },
        )
    }
    fn count<DB: Dialect>(listing: &Listing<'_>) -> Sql<DB> {
        let mut sql = Sql::new(format!(
            "SELECT COUNT(*) FROM {} WHERE TRUE",
            listing.table.name()
        ));
        listing.push_conditions(&mut sql);
        sql
    }
    let (rows, total): (Vec<CountedContainerRow>, i64) = with_db!(store, read, |db| {
        read_counted(db, page(listing, offset, limit), count(listing)).await?
    });
    let items = rows
        .into_iter()
        .map(|counted| decode(counted.row))
        .collect::<Result<_, _>>()?;
    Ok((items, u64::try_from(total).unwrap_or_default()))
}

/// Applies the changes (attributes merge into the stored ones, read in the same transaction);
/// `None` when the row does not exist.
async fn update(
    store: &Store,
    table: Table,
    scope: &TenantScope,
    group_id: Option<&str>,
    id: &str,
    changes: &LogContainerChanges,
    now: DateTime<Utc>,
) -> Result<Option<ContainerRow>, StorageError> {
    fn statement<DB: Dialect>(
        table: Table,
        scope: &TenantScope,
        group_id: Option<&str>,
        id: &str,
        changes: &LogContainerChanges,
        attributes: &str,
        now: DateTime<Utc>,
    ) -> Sql<DB> {
        let mut sql = Sql::new(format!(
            "UPDATE {} SET description = COALESCE(",
            table.name()
        ));
        sql.opt_text(changes.description.as_deref())
            .push(", description), ttl_days = COALESCE(")
            .opt_int(changes.ttl_days.map(i64::from))
            .push(", ttl_days), attributes = ")
            .text(attributes)
            .push(", updated_at = ")
            .int(to_millis(now));
        push_key(&mut sql, scope, group_id, id);
        sql.push(format!(" RETURNING {}", table.columns()));
        sql
    }
    Ok(with_db!(store, transaction, |db| {
        let current: Option<ContainerRow> =
            db.fetch_optional(get(table, scope, group_id, id)).await?;
        let Some(current) = current else {
            return Ok(None);
        };
        let attributes = merged_attributes(&current.attributes.0, &changes.attributes);
        db.fetch_optional(statement(
            table,
            scope,
            group_id,
            id,
            changes,
            &attributes,
            now,
        ))
        .await?
    }))
}
