//! Flow-log records and the generator's progress: their statements and [`RecordRepository`].

use std::net::Ipv4Addr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::exec::delete_counted;
use super::exec::Exec;
use super::row::{from_millis, scope, to_millis, FlowLogRow, Text};
use super::sql::{push_scope, push_tenant, Dialect, Sql};
use super::{with_db, Store};
use crate::domain::records::{Action, Direction, FlowRecord, FlowSample, LogStatus};
use crate::domain::repository::{RecordRepository, RecordSelection};
use crate::domain::{
    FlowLog, LogDestination, ResetCounts, ResetScope, Status, StorageError, TenantScope,
};

/// How many records one insert statement carries (10 values each, well under every backend's
/// limit of bound values).
const INSERT_BATCH: usize = 100;

/// A record's neutral content as stored in its `sample` column; short keys, as there are many.
#[derive(Debug, Serialize, Deserialize)]
struct StoredSample {
    #[serde(rename = "i")]
    interface_id: String,
    #[serde(rename = "sn", default, skip_serializing_if = "Option::is_none")]
    subnet_id: Option<String>,
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    vpc_id: Option<String>,
    #[serde(rename = "vm", default, skip_serializing_if = "Option::is_none")]
    instance_id: Option<String>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    src_addr: Option<Ipv4Addr>,
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    dst_addr: Option<Ipv4Addr>,
    #[serde(rename = "sp", default, skip_serializing_if = "Option::is_none")]
    src_port: Option<u16>,
    #[serde(rename = "dp", default, skip_serializing_if = "Option::is_none")]
    dst_port: Option<u16>,
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    protocol: Option<u8>,
    #[serde(rename = "n")]
    packets: u64,
    #[serde(rename = "b")]
    bytes: u64,
    /// Milliseconds; the start is the row's `time`.
    #[serde(rename = "e")]
    end: i64,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    action: Option<String>,
    #[serde(rename = "st")]
    status: String,
    #[serde(rename = "dir", default, skip_serializing_if = "Option::is_none")]
    direction: Option<String>,
    #[serde(rename = "f", default)]
    tcp_flags: u16,
}

impl From<&FlowSample> for StoredSample {
    fn from(s: &FlowSample) -> Self {
        StoredSample {
            interface_id: s.interface_id.clone(),
            subnet_id: s.subnet_id.clone(),
            vpc_id: s.vpc_id.clone(),
            instance_id: s.instance_id.clone(),
            src_addr: s.src_addr,
            dst_addr: s.dst_addr,
            src_port: s.src_port,
            dst_port: s.dst_port,
            protocol: s.protocol,
            packets: s.packets,
            bytes: s.bytes,
            end: to_millis(s.end),
            action: s.action.map(|a| a.as_str().to_owned()),
            status: s.status.as_str().to_owned(),
            direction: s.direction.map(|d| d.as_str().to_owned()),
            tcp_flags: s.tcp_flags,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct RecordRow {
    pub(super) provider: Text,
    pub(super) tenant_id: Text,
    pub(super) region_id: Text,
    pub(super) group_id: Text,
    pub(super) stream_id: Text,
    pub(super) flow_log_id: Text,
    pub(super) window_start: i64,
    pub(super) time: i64,
    pub(super) sample: Text,
}

const RECORD_COLUMNS: &str =
    "provider, tenant_id, region_id, group_id, stream_id, flow_log_id, window_start, time, sample";

/// Deletes the records the reset covers.
pub(super) async fn reset<E: Exec>(
    db: &mut E,
    scope: &ResetScope,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    delete_counted(db, "flow_log_records", "records", scope, counts).await
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("flow_log_records.sample: {what}"))
}

impl TryFrom<RecordRow> for FlowRecord {
    type Error = StorageError;

    fn try_from(row: RecordRow) -> Result<Self, Self::Error> {
        let stored: StoredSample =
            serde_json::from_str(&row.sample.0).map_err(|err| corrupt(&err.to_string()))?;
        let action = stored
            .action
            .map(|a| Action::parse(&a).ok_or_else(|| corrupt(&a)))
            .transpose()?;
        let direction = stored
            .direction
            .map(|d| Direction::parse(&d).ok_or_else(|| corrupt(&d)))
            .transpose()?;
        Ok(FlowRecord {
            flow_log_id: row.flow_log_id.0,
            scope: scope(row.provider, row.tenant_id, row.region_id)?,
            destination: LogDestination {
                group: row.group_id.0,
                topic: row.stream_id.0,
            },
            window_start: from_millis(row.window_start)?,
            sample: FlowSample {
                interface_id: stored.interface_id,
                subnet_id: stored.subnet_id,
                vpc_id: stored.vpc_id,
                instance_id: stored.instance_id,
                src_addr: stored.src_addr,
                dst_addr: stored.dst_addr,
                src_port: stored.src_port,
                dst_port: stored.dst_port,
                protocol: stored.protocol,
                packets: stored.packets,
                bytes: stored.bytes,
                start: from_millis(row.time)?,
                end: from_millis(stored.end)?,
                action,
                status: LogStatus::parse(&stored.status).ok_or_else(|| corrupt(&stored.status))?,
                direction,
                tcp_flags: stored.tcp_flags,
            },
        })
    }
}

impl RecordRepository for Store {
    async fn records_due(
        &self,
        now: DateTime<Utc>,
        default_window: Duration,
        limit: u32,
    ) -> Result<Vec<FlowLog>, StorageError> {
        let rows: Vec<FlowLogRow> = with_db!(self, read, |db| {
            db.fetch_all(records_due(now, default_window, limit))
                .await?
        });
        rows.into_iter().map(FlowLog::try_from).collect()
    }

    async fn deliver(
        &self,
        scope: &TenantScope,
        flow_log_id: &str,
        expected: Option<DateTime<Utc>>,
        through: DateTime<Utc>,
        records: &[FlowRecord],
        max_per_stream: u32,
    ) -> Result<bool, StorageError> {
        Ok(with_db!(self, transaction, |db| {
            let advanced = db
                .execute(advance(scope, flow_log_id, expected, through))
                .await?
                > 0;
            if advanced {
                if let Some(first) = records.first() {
                    // The stream is held until the transaction ends, so it cannot go in between;
                    // when it is gone, the windows pass undelivered.
                    let destination = &first.destination;
                    let held: Option<(i64,)> =
                        db.fetch_optional(hold_stream(scope, destination)).await?;
                    if held.is_some() {
                        for batch in records.chunks(INSERT_BATCH) {
                            db.execute(insert(batch)).await?;
                        }
                        db.execute(trim(scope, destination, max_per_stream)).await?;
                    }
                }
            }
            advanced
        }))
    }

    async fn list_records(
        &self,
        selection: RecordSelection<'_>,
        oldest_first: bool,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<FlowRecord>, StorageError> {
        let rows: Vec<RecordRow> = with_db!(self, read, |db| {
            db.fetch_all(list(&selection, oldest_first, offset, limit))
                .await?
        });
        rows.into_iter().map(FlowRecord::try_from).collect()
    }

    async fn count_records(&self, selection: RecordSelection<'_>) -> Result<u64, StorageError> {
        let (count,): (i64,) =
            with_db!(self, read, |db| { db.fetch_one(count(&selection)).await? });
        Ok(u64::try_from(count).unwrap_or_default())
    }

    async fn latest_record_seq(&self) -> Result<i64, StorageError> {
        let (seq,): (Option<i64>,) = with_db!(self, read, |db| {
            db.fetch_one(Sql::new("SELECT MAX(seq) FROM flow_log_records"))
                .await?
        });
        Ok(seq.unwrap_or(0))
    }

    async fn expire_records(&self, now: DateTime<Utc>) -> Result<u64, StorageError> {
        // One indexed range delete per stream with a time to live, rather than one statement
        // that would weigh every record against its stream's TTL.
        let streams: Vec<ExpiringStream> =
            with_db!(self, read, |db| { db.fetch_all(expiring_streams()).await? });
        let mut expired = 0;
        for stream in &streams {
            let cutoff = to_millis(now) - 86_400_000 * stream.ttl_days;
            expired += with_db!(self, write, |db| {
                db.execute(expire(stream, cutoff)).await?
            });
        }
        Ok(expired)
    }
}

fn list<DB: Dialect>(
    selection: &RecordSelection<'_>,
    oldest_first: bool,
    offset: u64,
    limit: u32,
) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {RECORD_COLUMNS} FROM flow_log_records WHERE TRUE"
    ));
    push_selection(&mut sql, selection);
    let order = if oldest_first { "ASC" } else { "DESC" };
    sql.push(format!(" ORDER BY time {order}, seq {order} LIMIT "))
        .int(i64::from(limit))
        .push(" OFFSET ")
        .int(i64::try_from(offset).unwrap_or(i64::MAX));
    sql
}

fn count<DB: Dialect>(selection: &RecordSelection<'_>) -> Sql<DB> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM flow_log_records WHERE TRUE");
    push_selection(&mut sql, selection);
    sql
}

/// A stream whose records expire: its key and its time to live (its own, else its group's).
#[derive(Debug, sqlx::FromRow)]
struct ExpiringStream {
    provider: Text,
    tenant_id: Text,
    region_id: Text,
    group_id: Text,
    id: Text,
    ttl_days: i64,
}

fn expiring_streams<DB: Dialect>() -> Sql<DB> {
    Sql::new(
        "SELECT s.provider, s.tenant_id, s.region_id, s.group_id, s.id, \
         CAST(COALESCE(s.ttl_days, g.ttl_days) AS BIGINT) AS ttl_days \
         FROM log_streams s JOIN log_groups g ON g.provider = s.provider \
         AND g.tenant_id = s.tenant_id AND g.region_id = s.region_id AND g.id = s.group_id \
         WHERE COALESCE(s.ttl_days, g.ttl_days) IS NOT NULL",
    )
}

/// Removes one stream's records older than `cutoff` (milliseconds).
fn expire<DB: Dialect>(stream: &ExpiringStream, cutoff: i64) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM flow_log_records WHERE provider = ");
    sql.text(&stream.provider.0)
        .push(" AND tenant_id = ")
        .text(&stream.tenant_id.0)
        .push(" AND region_id = ")
        .text(&stream.region_id.0)
        .push(" AND group_id = ")
        .text(&stream.group_id.0)
        .push(" AND stream_id = ")
        .text(&stream.id.0)
        .push(" AND time < ")
        .int(cutoff);
    sql
}

/// Active flow logs whose next window has ended by `now`, least advanced first.
fn records_due<DB: Dialect>(now: DateTime<Utc>, default_window: Duration, limit: u32) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM flow_logs WHERE status = ",
        super::flow_logs::selected::<DB>()
    ));
    sql.text(Status::Active.as_str())
        .push(" AND COALESCE(records_through, active_since, created_at) + 60000 * COALESCE(aggregation_interval, ")
        .int(default_window.num_minutes())
        .push(") <= ")
        .int(to_millis(now))
        .push(" ORDER BY COALESCE(records_through, active_since, created_at), seq LIMIT ")
        .int(i64::from(limit));
    sql
}

/// Moves an active flow log's progress from `expected` to `through`.
fn advance<DB: Dialect>(
    scope: &TenantScope,
    flow_log_id: &str,
    expected: Option<DateTime<Utc>>,
    through: DateTime<Utc>,
) -> Sql<DB> {
    let mut sql = Sql::new("UPDATE flow_logs SET records_through = ");
    sql.int(to_millis(through))
        .push(" WHERE id = ")
        .text(flow_log_id);
    push_tenant(&mut sql, "", scope);
    sql.push(" AND status = ").text(Status::Active.as_str());
    // -1 stands for "none yet": progress is never negative.
    sql.push(" AND COALESCE(records_through, -1) = ")
        .int(expected.map_or(-1, to_millis));
    sql
}

/// Reads the destination stream, holding it (Postgres) until the transaction ends.
fn hold_stream<DB: Dialect>(scope: &TenantScope, destination: &LogDestination) -> Sql<DB> {
    let mut sql = Sql::new("SELECT seq FROM log_streams WHERE group_id = ");
    sql.text(&destination.group)
        .push(" AND id = ")
        .text(&destination.topic);
    push_tenant(&mut sql, "", scope);
    sql.push(DB::HOLD_ROW);
    sql
}

fn insert<DB: Dialect>(records: &[FlowRecord]) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "INSERT INTO flow_log_records ({RECORD_COLUMNS}) VALUES "
    ));
    for (i, record) in records.iter().enumerate() {
        let sample = serde_json::to_string(&StoredSample::from(&record.sample))
            .unwrap_or_else(|_| "{}".to_owned());
        sql.push(if i == 0 { "(" } else { ", (" })
            .text(record.scope.provider().as_str())
            .push(", ")
            .text(record.scope.tenant_id())
            .push(", ")
            .text(record.scope.region_id())
            .push(", ")
            .text(&record.destination.group)
            .push(", ")
            .text(&record.destination.topic)
            .push(", ")
            .text(&record.flow_log_id)
            .push(", ")
            .int(to_millis(record.window_start))
            .push(", ")
            .int(to_millis(record.sample.start))
            .push(", ")
            .text(&sample)
            .push(")");
    }
    sql
}

/// Keeps the stream's newest `max` records.
fn trim<DB: Dialect>(scope: &TenantScope, destination: &LogDestination, max: u32) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM flow_log_records WHERE TRUE");
    push_stream(&mut sql, scope, destination);
    sql.push(" AND seq <= (SELECT seq FROM flow_log_records WHERE TRUE");
    push_stream(&mut sql, scope, destination);
    sql.push(" ORDER BY seq DESC LIMIT 1 OFFSET ")
        .int(i64::from(max))
        .push(")");
    sql
}

fn push_stream<DB: Dialect>(sql: &mut Sql<DB>, scope: &TenantScope, destination: &LogDestination) {
    push_tenant(sql, "", scope);
    sql.push(" AND group_id = ")
        .text(&destination.group)
        .push(" AND stream_id = ")
        .text(&destination.topic);
}

fn push_selection<DB: Dialect>(sql: &mut Sql<DB>, selection: &RecordSelection<'_>) {
    push_scope(sql, "", selection.visibility);
    if let Some((group, stream)) = selection.destination {
        sql.push(" AND group_id = ")
            .text(group)
            .push(" AND stream_id = ")
            .text(stream);
    }
    if let Some(flow_log_id) = selection.flow_log_id {
        sql.push(" AND flow_log_id = ").text(flow_log_id);
    }
    if let Some(from) = selection.from {
        sql.push(" AND time >= ").int(to_millis(from));
    }
    if let Some(to) = selection.to {
        sql.push(" AND time < ").int(to_millis(to));
    }
}
