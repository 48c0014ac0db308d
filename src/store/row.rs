//! The stored shape of a flow log and its conversions, shared by every backend.

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{
    FlowLog, FlowLogId, LogDestination, NewFlowLog, Provider, ResourceKind, Status, Tag,
    TenantScope, TrafficFilter,
};

/// The columns of `flow_logs` every query selects, in [`FlowLogRow`]'s order; each backend
/// appends its own `tags` expression (a JSON array of `[key, value]` pairs in key order).
pub const COLUMNS: &str = "id, provider, tenant_id, region_id, name, description, resource_kind, resource_id, \
     traffic_filter, traffic_paths, aggregation_interval, ip_version, log_format, log_group, log_topic, \
     index_enabled, resource_group_id, status, due_at, created_at, updated_at";

/// A row of a counted page: the flow log and how many match in all.
#[derive(Debug, sqlx::FromRow)]
pub struct CountedRow {
    #[sqlx(flatten)]
    pub row: FlowLogRow,
    pub total: i64,
}

/// Times are stored as Unix milliseconds: exact, ordered and identical on every backend.
#[derive(Debug, sqlx::FromRow)]
pub struct FlowLogRow {
    pub id: String,
    pub provider: String,
    pub tenant_id: String,
    pub region_id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub resource_kind: String,
    pub resource_id: String,
    pub traffic_filter: String,
    pub traffic_paths: String,
    pub aggregation_interval: Option<i64>,
    pub ip_version: Option<String>,
    pub log_format: Option<String>,
    pub log_group: String,
    pub log_topic: String,
    pub index_enabled: bool,
    pub resource_group_id: Option<String>,
    pub status: String,
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub tags: String,
}

impl FlowLogRow {
    /// Maps every text column a caller could have written through `f`: how a backend turns
    /// its storage form of text back into the caller's.
    pub fn map_text(self, f: impl Fn(String) -> String) -> Self {
        let opt = |value: Option<String>| value.map(&f);
        Self {
            id: f(self.id),
            provider: self.provider,
            tenant_id: f(self.tenant_id),
            region_id: f(self.region_id),
            name: opt(self.name),
            description: opt(self.description),
            resource_kind: self.resource_kind,
            resource_id: f(self.resource_id),
            traffic_filter: self.traffic_filter,
            traffic_paths: f(self.traffic_paths),
            aggregation_interval: self.aggregation_interval,
            ip_version: opt(self.ip_version),
            log_format: opt(self.log_format),
            log_group: f(self.log_group),
            log_topic: f(self.log_topic),
            index_enabled: self.index_enabled,
            resource_group_id: opt(self.resource_group_id),
            status: self.status,
            due_at: self.due_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            tags: map_tags_text(self.tags, &f),
        }
    }
}

/// `f` over the keys and values of a `tags` JSON array (left as it is when it does not parse:
/// decoding reports that).
fn map_tags_text(json: String, f: &impl Fn(String) -> String) -> String {
    if json == "[]" {
        return json;
    }
    match serde_json::from_str::<Vec<(String, String)>>(&json) {
        Ok(pairs) => {
            let mapped: Vec<(String, String)> =
                pairs.into_iter().map(|(k, v)| (f(k), f(v))).collect();
            serde_json::to_string(&mapped).unwrap_or(json)
        }
        Err(_) => json,
    }
}

/// Traffic paths are identifiers without commas, kept in one column.
pub fn encode_paths(paths: &[String]) -> String {
    paths.join(",")
}

pub fn to_millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

fn from_millis(millis: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| StoreError::Corrupt(format!("time {millis} out of range")))
}

fn decode_tags(json: &str) -> Result<Vec<Tag>, StoreError> {
    let pairs: Vec<(String, String)> =
        serde_json::from_str(json).map_err(|_| corrupt("tags", json))?;
    Ok(pairs
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect())
}

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{column} = {value:?}"))
}

impl TryFrom<FlowLogRow> for FlowLog {
    type Error = StoreError;

    fn try_from(row: FlowLogRow) -> Result<Self, Self::Error> {
        let provider =
            Provider::parse(&row.provider).ok_or_else(|| corrupt("provider", &row.provider))?;
        let scope = match provider {
            Provider::Huawei => TenantScope::huawei_project(row.tenant_id),
            Provider::Alibaba => TenantScope::alibaba_account(row.tenant_id, row.region_id),
        };
        let aggregation_interval = row
            .aggregation_interval
            .map(|minutes| {
                u32::try_from(minutes)
                    .map_err(|_| corrupt("aggregation_interval", &minutes.to_string()))
            })
            .transpose()?;
        Ok(FlowLog {
            id: FlowLogId::from_trusted(row.id),
            scope,
            spec: NewFlowLog {
                name: row.name,
                description: row.description,
                resource_kind: ResourceKind::parse(&row.resource_kind)
                    .ok_or_else(|| corrupt("resource_kind", &row.resource_kind))?,
                resource_id: row.resource_id,
                traffic_filter: TrafficFilter::parse(&row.traffic_filter)
                    .ok_or_else(|| corrupt("traffic_filter", &row.traffic_filter))?,
                traffic_paths: row
                    .traffic_paths
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                aggregation_interval,
                ip_version: row.ip_version,
                log_format: row.log_format,
                destination: LogDestination {
                    group: row.log_group,
                    topic: row.log_topic,
                },
                index_enabled: row.index_enabled,
                resource_group_id: row.resource_group_id,
                tags: decode_tags(&row.tags)?,
            },
            status: Status::parse(&row.status).ok_or_else(|| corrupt("status", &row.status))?,
            due_at: row.due_at.map(from_millis).transpose()?,
            created_at: from_millis(row.created_at)?,
            updated_at: from_millis(row.updated_at)?,
        })
    }
}
