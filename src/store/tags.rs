//! Tags of flow logs and of network resources: their statements and [`TagRepository`]. Both
//! kinds of resources key their tags the same way (provider, resource id, key), so the
//! statements are written once over a [`TagTable`].

use super::exec::{delete_counted, Decoded, Exec};
use super::row::Text;
use super::sql::{delete_owned_in_reset, push_any_of, push_tenant, Dialect, Sql};
use super::{with_db, Store};
use crate::domain::repository::{ResourceTag, TagOwner, TagRepository, TagWrite};
use crate::domain::{ResetCounts, ResetScope, StorageError, Tag, TagFilter, TenantScope};

/// Where one kind of resource and its tags are kept.
#[derive(Debug, Clone, Copy)]
pub struct TagTable {
    /// The resources' table (aliased as itself in every statement).
    pub resources: &'static str,
    /// Their tags' table.
    pub tags: &'static str,
    /// The tags' column naming the resource.
    pub owner: &'static str,
    /// A network resource kind the resources must be, if any.
    kind: Option<&'static str>,
}

pub const FLOW_LOG_TAGS: TagTable = TagTable {
    resources: "flow_logs",
    tags: "flow_log_tags",
    owner: "flow_log_id",
    kind: None,
};

pub const NETWORK_TAGS: TagTable = TagTable {
    resources: "network_resources",
    tags: "network_resource_tags",
    owner: "resource_id",
    kind: None,
};

impl TagTable {
    /// Deletes the resources a reset covers and their tags first, counted under the two
    /// tables' names.
    pub(super) async fn reset<E: Exec>(
        self,
        db: &mut E,
        scope: &ResetScope,
        counts: &mut ResetCounts,
    ) -> Result<(), sqlx::Error> {
        let deleted = db
            .execute(delete_owned_in_reset(
                self.tags,
                self.resources,
                self.owner,
                scope,
            ))
            .await?;
        counts.add(self.tags, deleted);
        delete_counted(db, self.resources, self.resources, scope, counts).await
    }

    fn of(owner: TagOwner) -> Self {
        match owner {
            TagOwner::FlowLogs => FLOW_LOG_TAGS,
            TagOwner::Network(kind) => TagTable {
                kind: Some(kind.as_str()),
                ..NETWORK_TAGS
            },
        }
    }

    /// `AND <resources>.kind = …` when the owner is one kind of network resource.
    fn push_kind<DB: Dialect>(&self, sql: &mut Sql<DB>) {
        if let Some(kind) = self.kind {
            sql.push(format!(" AND {}.kind = ", self.resources))
                .text(kind);
        }
    }
}

impl TagRepository for Store {
    async fn tag(
        &self,
        owner: TagOwner,
        scope: &TenantScope,
        ids: &[String],
        tags: &[Tag],
        max_tags: usize,
    ) -> Result<TagWrite, StorageError> {
        let table = TagTable::of(owner);
        with_db!(self, transaction, |db| {
            if let Some(missing) = first_missing(db, &table, scope, ids).await? {
                return Ok(TagWrite::Missing(missing));
            }
            if !tags.is_empty() {
                db.execute(upsert_tags(&table, scope, ids, tags)).await?;
            }
            let too_many: Option<(Text,)> = db
                .fetch_optional(over_tag_limit(&table, scope, ids, max_tags))
                .await?;
            if let Some((Text(id),)) = too_many {
                // Leaving without committing undoes the upsert.
                return Ok(TagWrite::TooMany(id));
            }
        });
        Ok(TagWrite::Done)
    }

    async fn untag(
        &self,
        owner: TagOwner,
        scope: &TenantScope,
        ids: &[String],
        keys: Option<&[String]>,
    ) -> Result<TagWrite, StorageError> {
        let table = TagTable::of(owner);
        with_db!(self, transaction, |db| {
            if let Some(missing) = first_missing(db, &table, scope, ids).await? {
                return Ok(TagWrite::Missing(missing));
            }
            db.execute(untag(&table, scope, ids, keys)).await?;
        });
        Ok(TagWrite::Done)
    }

    async fn list_tags(
        &self,
        owner: TagOwner,
        scope: &TenantScope,
        ids: &[String],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> Result<Vec<ResourceTag>, StorageError> {
        let table = TagTable::of(owner);
        let rows: Vec<(Text, Text, Text)> = with_db!(self, read, |db| {
            db.fetch_all(list_tags(&table, scope, ids, filters, offset, limit))
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(Text(id), Text(key), Text(value))| ResourceTag {
                id,
                tag: Tag { key, value },
            })
            .collect())
    }
}

/// The first of `ids` that does not exist in the scope, read inside the writing transaction
/// (on Postgres the ones that do exist stay locked until it ends).
async fn first_missing<E: Exec>(
    db: &mut E,
    table: &TagTable,
    scope: &TenantScope,
    ids: &[String],
) -> Result<Option<String>, sqlx::Error>
where
    (Text,): Decoded<E::Db>,
{
    let found: Vec<(Text,)> = db.fetch_all(existing(table, scope, ids)).await?;
    Ok(ids
        .iter()
        .find(|id| !found.iter().any(|(Text(f),)| f == *id))
        .cloned())
}

/// Writes a new resource's tags, in its inserting transaction.
pub async fn tag_new<E: Exec>(
    db: &mut E,
    table: &TagTable,
    scope: &TenantScope,
    id: &str,
    tags: &[Tag],
) -> Result<(), sqlx::Error> {
    if !tags.is_empty() {
        db.execute(insert_tags(table, scope, &[id.to_owned()], tags))
            .await?;
    }
    Ok(())
}

/// `INSERT INTO <tags> … VALUES` with every tag on every resource.
fn insert_tags<DB: Dialect>(
    table: &TagTable,
    scope: &TenantScope,
    ids: &[String],
    tags: &[Tag],
) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "INSERT INTO {} (provider, {}, key, value) VALUES ",
        table.tags, table.owner
    ));
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
            .text(id)
            .push(", ")
            .text(&tag.key)
            .push(", ")
            .text(&tag.value)
            .push(")");
    }
    sql
}

/// `AND EXISTS (…)` for each tag a resource of the table must carry.
pub fn push_tag_filters<DB: Dialect>(sql: &mut Sql<DB>, table: &TagTable, filters: &[TagFilter]) {
    for filter in filters {
        sql.push(format!(
            " AND EXISTS (SELECT 1 FROM {tags} f WHERE f.provider = {resources}.provider \
             AND f.{owner} = {resources}.id AND f.key = ",
            tags = table.tags,
            resources = table.resources,
            owner = table.owner,
        ))
        .text(&filter.key);
        if let Some(value) = &filter.value {
            sql.push(" AND f.value = ").text(value);
        }
        sql.push(")");
    }
}

/// Sets the tags on every resource: new keys are added, existing keys get the new value.
fn upsert_tags<DB: Dialect>(
    table: &TagTable,
    scope: &TenantScope,
    ids: &[String],
    tags: &[Tag],
) -> Sql<DB> {
    let mut sql = insert_tags(table, scope, ids, tags);
    sql.push(format!(
        " ON CONFLICT (provider, {}, key) DO UPDATE SET value = excluded.value",
        table.owner
    ));
    sql
}

/// Which of `ids` exist in the scope, read (and on Postgres locked) in a tag write.
fn existing<DB: Dialect>(table: &TagTable, scope: &TenantScope, ids: &[String]) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT id FROM {resources} WHERE TRUE",
        resources = table.resources
    ));
    push_tenant(&mut sql, "", scope);
    table.push_kind(&mut sql);
    push_any_of(&mut sql, "id", ids.iter().map(String::as_str));
    sql.push(DB::LOCK_FOR_UPDATE);
    sql
}

/// One of `ids` carrying more than `max_tags` tags, if any.
fn over_tag_limit<DB: Dialect>(
    table: &TagTable,
    scope: &TenantScope,
    ids: &[String],
    max_tags: usize,
) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {owner} FROM {tags} WHERE provider = ",
        owner = table.owner,
        tags = table.tags
    ));
    sql.text(scope.provider().as_str());
    push_any_of(&mut sql, table.owner, ids.iter().map(String::as_str));
    sql.push(format!(" GROUP BY {} HAVING COUNT(*) > ", table.owner))
        .int(i64::try_from(max_tags).unwrap_or(i64::MAX))
        .push(" LIMIT 1");
    sql
}

/// Removes the tags with these keys (every tag when `None`, none for an empty list).
fn untag<DB: Dialect>(
    table: &TagTable,
    scope: &TenantScope,
    ids: &[String],
    keys: Option<&[String]>,
) -> Sql<DB> {
    let mut sql = Sql::new(format!("DELETE FROM {} WHERE provider = ", table.tags));
    sql.text(scope.provider().as_str());
    push_any_of(&mut sql, table.owner, ids.iter().map(String::as_str));
    match keys {
        Some([]) => {
            sql.push(" AND FALSE");
        }
        Some(keys) => push_any_of(&mut sql, "key", keys.iter().map(String::as_str)),
        None => {}
    }
    sql
}

/// `(resource id, key, value)` of the scope's tags, in creation order, then key order.
fn list_tags<DB: Dialect>(
    table: &TagTable,
    scope: &TenantScope,
    ids: &[String],
    filters: &[TagFilter],
    offset: u64,
    limit: u32,
) -> Sql<DB> {
    let resources = table.resources;
    let mut sql = Sql::new(format!(
        "SELECT {resources}.id, t.key, t.value FROM {resources} JOIN {tags} t \
         ON t.provider = {resources}.provider AND t.{owner} = {resources}.id WHERE TRUE",
        tags = table.tags,
        owner = table.owner,
    ));
    push_tenant(&mut sql, &format!("{resources}."), scope);
    table.push_kind(&mut sql);
    push_any_of(
        &mut sql,
        &format!("{resources}.id"),
        ids.iter().map(String::as_str),
    );
    push_tag_filters(&mut sql, table, filters);
    sql.push(format!(" ORDER BY {resources}.seq, t.key LIMIT "))
        .int(i64::from(limit))
        .push(" OFFSET ")
        .int(i64::try_from(offset).unwrap_or(i64::MAX));
    sql
}
