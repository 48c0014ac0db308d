//! The request journal: its statements and [`JournalRepository`].

use super::row::{from_millis, to_millis, Text};
use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::domain::StorageError;
use chrono::{DateTime, Utc};

use crate::layers::journal::{
    Activity, JournalEntry, JournalFilter, JournalRepository, StatusFilter,
};

const COLUMNS: &str = "time, face, product, operation, tenant, region, method, path, status, \
    error_code, latency_us, request_id, signature, signature_error, request_body, response_body";

impl JournalRepository for Store {
    async fn append_requests(
        &self,
        entries: &[JournalEntry],
        keep: u64,
    ) -> Result<(), StorageError> {
        if entries.is_empty() {
            return Ok(());
        }
        with_db!(self, transaction, |db| {
            db.execute(insert(entries)).await?;
            db.execute(prune(keep)).await?;
        });
        Ok(())
    }

    async fn list_requests(
        &self,
        filter: &JournalFilter,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<JournalEntry>, u64), StorageError> {
        let (rows, total): (Vec<EntryRow>, (i64,)) = with_db!(self, read, |db| {
            let rows = db.fetch_all(page(filter, limit, offset)).await?;
            let total = db.fetch_one(count(filter)).await?;
            (rows, total)
        });
        let entries = rows
            .into_iter()
            .map(JournalEntry::try_from)
            .collect::<Result<_, _>>()?;
        Ok((entries, u64::try_from(total.0).unwrap_or(0)))
    }

    async fn latest_request_seq(&self) -> Result<i64, StorageError> {
        let (seq,): (Option<i64>,) = with_db!(self, read, |db| {
            db.fetch_one(Sql::new("SELECT MAX(seq) FROM request_journal"))
                .await?
        });
        Ok(seq.unwrap_or(0))
    }

    async fn requests_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, JournalEntry)>, StorageError> {
        let rows: Vec<NumberedRow> = with_db!(self, read, |db| {
            db.fetch_all(after_seq(after, limit)).await?
        });
        rows.into_iter()
            .map(|row| Ok((row.seq, JournalEntry::try_from(row.entry)?)))
            .collect()
    }

    async fn request_activity(&self, since: DateTime<Utc>) -> Result<Activity, StorageError> {
        let (requests, failed): (i64, i64) =
            with_db!(self, read, |db| { db.fetch_one(activity(since)).await? });
        Ok(Activity {
            requests: u64::try_from(requests).unwrap_or(0),
            failed: u64::try_from(failed).unwrap_or(0),
        })
    }
}

fn after_seq<DB: Dialect>(after: i64, limit: u32) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT seq, {COLUMNS} FROM request_journal WHERE seq > "
    ));
    sql.int(after)
        .push(" ORDER BY seq LIMIT ")
        .int(i64::from(limit));
    sql
}

fn activity<DB: Dialect>(since: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) \
         FROM request_journal WHERE time >= ",
    );
    sql.int(to_millis(since));
    sql
}

/// One multi-row `INSERT` of `entries`, in their order (so `seq` follows it).
fn insert<DB: Dialect>(entries: &[JournalEntry]) -> Sql<DB> {
    let mut sql = Sql::new(format!("INSERT INTO request_journal ({COLUMNS}) VALUES "));
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .int(to_millis(entry.time))
            .push(", ")
            .text(&entry.face)
            .push(", ")
            .opt_text(entry.product.as_deref())
            .push(", ")
            .opt_text(entry.operation.as_deref())
            .push(", ")
            .opt_text(entry.tenant.as_deref())
            .push(", ")
            .opt_text(entry.region.as_deref())
            .push(", ")
            .text(&entry.method)
            .push(", ")
            .text(&entry.path)
            .push(", ")
            .int(i64::from(entry.status))
            .push(", ")
            .opt_text(entry.error_code.as_deref())
            .push(", ")
            .int(entry.latency_us)
            .push(", ")
            .text(&entry.request_id)
            .push(", ")
            .text(&entry.signature)
            .push(", ")
            .opt_text(entry.signature_error.as_deref())
            .push(", ")
            .opt_text(entry.request_body.as_deref())
            .push(", ")
            .opt_text(entry.response_body.as_deref())
            .push(")");
    }
    sql
}

/// Keeps the newest `keep` entries: `seq` grows by one per entry, so one comparison with the
/// largest does it (the index on `seq` is the primary key).
fn prune<DB: Dialect>(keep: u64) -> Sql<DB> {
    let mut sql = Sql::new(
        "DELETE FROM request_journal WHERE seq <= (SELECT MAX(seq) FROM request_journal) - ",
    );
    sql.int(i64::try_from(keep).unwrap_or(i64::MAX));
    sql
}

fn push_filter<DB: Dialect>(sql: &mut Sql<DB>, filter: &JournalFilter) {
    sql.push(" WHERE 1 = 1");
    if let Some(face) = &filter.face {
        sql.push(" AND face = ").text(face);
    }
    if let Some(tenant) = &filter.tenant {
        sql.push(" AND tenant = ").text(tenant);
    }
    if let Some(request_id) = &filter.request_id {
        sql.push(" AND request_id = ").text(request_id);
    }
    match filter.status {
        Some(StatusFilter::Exactly(status)) => {
            sql.push(" AND status = ").int(i64::from(status));
        }
        Some(StatusFilter::Range(from, to)) => {
            sql.push(" AND status >= ")
                .int(i64::from(from))
                .push(" AND status <= ")
                .int(i64::from(to));
        }
        None => {}
    }
}

fn page<DB: Dialect>(filter: &JournalFilter, limit: u32, offset: u64) -> Sql<DB> {
    let mut sql = Sql::new(format!("SELECT {COLUMNS} FROM request_journal"));
    push_filter(&mut sql, filter);
    sql.push(" ORDER BY seq DESC LIMIT ")
        .int(i64::from(limit))
        .push(" OFFSET ")
        .int(i64::try_from(offset).unwrap_or(i64::MAX));
    sql
}

fn count<DB: Dialect>(filter: &JournalFilter) -> Sql<DB> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM request_journal");
    push_filter(&mut sql, filter);
    sql
}

#[derive(Debug, sqlx::FromRow)]
struct NumberedRow {
    seq: i64,
    #[sqlx(flatten)]
    entry: EntryRow,
}

#[derive(Debug, sqlx::FromRow)]
struct EntryRow {
    time: i64,
    face: Text,
    product: Option<Text>,
    operation: Option<Text>,
    tenant: Option<Text>,
    region: Option<Text>,
    method: Text,
    path: Text,
    status: i64,
    error_code: Option<Text>,
    latency_us: i64,
    request_id: Text,
    signature: Text,
    signature_error: Option<Text>,
    request_body: Option<Text>,
    response_body: Option<Text>,
}

impl TryFrom<EntryRow> for JournalEntry {
    type Error = StorageError;

    fn try_from(row: EntryRow) -> Result<Self, Self::Error> {
        let text = |value: Option<Text>| value.map(|text| text.0);
        Ok(JournalEntry {
            time: from_millis(row.time)?,
            face: row.face.0,
            product: text(row.product),
            operation: text(row.operation),
            tenant: text(row.tenant),
            region: text(row.region),
            method: row.method.0,
            path: row.path.0,
            status: u16::try_from(row.status)
                .map_err(|_| StorageError::Corrupt(format!("status {}", row.status)))?,
            error_code: text(row.error_code),
            latency_us: row.latency_us,
            request_id: row.request_id.0,
            signature: row.signature.0,
            signature_error: text(row.signature_error),
            request_body: text(row.request_body),
            response_body: text(row.response_body),
        })
    }
}
