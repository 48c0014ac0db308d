//! Tags on flow logs: their statements and [`TagRepository`].

use super::exec::{Decoded, Exec};
use super::row::Text;
use super::sql::{push_any_of, push_tenant, Dialect, Sql};
use super::{with_db, Store};
use crate::domain::repository::{TagRepository, TagWrite};
use crate::domain::{FlowLogId, FlowLogTag, StorageError, Tag, TagFilter, TenantScope};

impl TagRepository for Store {
    async fn tag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        tags: &[Tag],
        max_tags: usize,
    ) -> Result<TagWrite, StorageError> {
        with_db!(self, transaction, |db| {
            if let Some(missing) = first_missing(db, scope, ids).await? {
                return Ok(TagWrite::Missing(missing));
            }
            if !tags.is_empty() {
                db.execute(upsert_tags(scope, ids, tags)).await?;
            }
            let too_many: Option<(Text,)> = db
                .fetch_optional(over_tag_limit(scope, ids, max_tags))
                .await?;
            if let Some((Text(id),)) = too_many {
                // Leaving without committing undoes the upsert.
                return Ok(TagWrite::TooMany(FlowLogId::from_trusted(id)));
            }
        });
        Ok(TagWrite::Done)
    }

    async fn untag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        keys: Option<&[String]>,
    ) -> Result<TagWrite, StorageError> {
        with_db!(self, transaction, |db| {
            if let Some(missing) = first_missing(db, scope, ids).await? {
                return Ok(TagWrite::Missing(missing));
            }
            db.execute(untag(scope, ids, keys)).await?;
        });
        Ok(TagWrite::Done)
    }

    async fn list_tags(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> Result<Vec<FlowLogTag>, StorageError> {
        let rows: Vec<(Text, Text, Text)> = with_db!(self, read, |db| {
            db.fetch_all(list_tags(scope, ids, filters, offset, limit))
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(Text(id), Text(key), Text(value))| FlowLogTag {
                id: FlowLogId::from_trusted(id),
                tag: Tag { key, value },
            })
            .collect())
    }
}

/// The first of `ids` that does not exist in the scope, read inside the writing transaction
/// (on Postgres the ones that do exist stay locked until it ends).
async fn first_missing<E: Exec>(
    db: &mut E,
    scope: &TenantScope,
    ids: &[FlowLogId],
) -> Result<Option<FlowLogId>, sqlx::Error>
where
    (Text,): Decoded<E::Db>,
{
    let found: Vec<(Text,)> = db.fetch_all(existing_for_tags(scope, ids)).await?;
    Ok(ids
        .iter()
        .find(|id| !found.iter().any(|(Text(f),)| f == id.as_str()))
        .cloned())
}

/// `INSERT INTO flow_log_tags … VALUES` with every tag on every flow log.
pub fn insert_tags<DB: Dialect>(scope: &TenantScope, ids: &[FlowLogId], tags: &[Tag]) -> Sql<DB> {
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

/// `AND EXISTS (…)` for each tag a flow log must carry.
pub fn push_tag_filters<DB: Dialect>(sql: &mut Sql<DB>, filters: &[TagFilter]) {
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

/// Sets the tags on every flow log: new keys are added, existing keys get the new value.
fn upsert_tags<DB: Dialect>(scope: &TenantScope, ids: &[FlowLogId], tags: &[Tag]) -> Sql<DB> {
    let mut sql = insert_tags(scope, ids, tags);
    sql.push(" ON CONFLICT (provider, flow_log_id, key) DO UPDATE SET value = excluded.value");
    sql
}

/// Which of `ids` exist in the scope, read (and on Postgres locked) in a tag write.
fn existing_for_tags<DB: Dialect>(scope: &TenantScope, ids: &[FlowLogId]) -> Sql<DB> {
    let mut sql = Sql::new("SELECT id FROM flow_logs WHERE TRUE");
    push_tenant(&mut sql, "", scope);
    push_any_of(&mut sql, "id", ids.iter().map(FlowLogId::as_str));
    sql.push(DB::LOCK_FOR_TAGS);
    sql
}

/// One of `ids` carrying more than `max_tags` tags, if any.
fn over_tag_limit<DB: Dialect>(scope: &TenantScope, ids: &[FlowLogId], max_tags: usize) -> Sql<DB> {
    let mut sql = Sql::new("SELECT flow_log_id FROM flow_log_tags WHERE provider = ");
    sql.text(scope.provider().as_str());
    push_any_of(&mut sql, "flow_log_id", ids.iter().map(FlowLogId::as_str));
    sql.push(" GROUP BY flow_log_id HAVING COUNT(*) > ")
        .int(i64::try_from(max_tags).unwrap_or(i64::MAX))
        .push(" LIMIT 1");
    sql
}

/// Removes the tags with these keys (every tag when `None`, none for an empty list).
fn untag<DB: Dialect>(scope: &TenantScope, ids: &[FlowLogId], keys: Option<&[String]>) -> Sql<DB> {
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
fn list_tags<DB: Dialect>(
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
    push_tenant(&mut sql, "flow_logs.", scope);
    push_any_of(&mut sql, "flow_logs.id", ids.iter().map(FlowLogId::as_str));
    push_tag_filters(&mut sql, filters);
    sql.push(" ORDER BY flow_logs.seq, t.key LIMIT ")
        .int(i64::from(limit))
        .push(" OFFSET ")
        .int(i64::try_from(offset).unwrap_or(i64::MAX));
    sql
}
