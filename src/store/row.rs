//! Rows as the database returns them, decoded in one place: text columns are [`Text`], which
//! turns the backend's stored form back into the caller's as it is read, so no read can forget
//! it; then rows convert into domain values.

use chrono::{DateTime, Utc};
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

use super::exec::Counted;
use super::sql::Dialect;
use crate::domain::destination::Delivery;
use crate::domain::faults::DeliveryFault;
use crate::domain::{
    FlowLog, FlowLogId, LogDestination, NewFlowLog, Provider, ResourceKind, Status, StorageError,
    Tag, TenantScope, TrafficFilter,
};

/// A text column, decoded from the backend's stored form ([`Dialect::load_text`]).
/// In a snapshot it is the caller's text, as a JSON string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Text(pub String);

/// Both column types are read from the database's text type.
macro_rules! typed_as_text {
    ($type:ty) => {
        impl<DB: Dialect> Type<DB> for $type
        where
            String: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as Type<DB>>::compatible(ty)
            }
        }
    };
}

typed_as_text!(Text);
typed_as_text!(Tags);

impl<'r, DB: Dialect> Decode<'r, DB> for Text
where
    String: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Text(DB::load_text(String::decode(value)?)))
    }
}

/// A `tags` column: a JSON array of `[key, value]` pairs whose strings are stored text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tags(pub Vec<Tag>);

impl<'r, DB: Dialect> Decode<'r, DB> for Tags
where
    String: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let json = String::decode(value)?;
        if json == "[]" {
            return Ok(Tags(Vec::new()));
        }
        let pairs: Vec<(String, String)> = serde_json::from_str(&json)
            .map_err(|err| format!("tags = {json:?} is not a JSON array of pairs: {err}"))?;
        Ok(Tags(
            pairs
                .into_iter()
                .map(|(key, value)| Tag {
                    key: DB::load_text(key),
                    value: DB::load_text(value),
                })
                .collect(),
        ))
    }
}

/// The columns of `flow_logs` every query selects, in [`FlowLogRow`]'s order; each backend
/// appends its own `tags` expression ([`Dialect::tags_json`]).
pub const COLUMNS: &str = "id, provider, tenant_id, region_id, name, description, resource_kind, resource_id, \
     traffic_filter, traffic_paths, aggregation_interval, ip_version, log_format, log_group, log_topic, \
     index_enabled, resource_group_id, status, due_at, created_at, updated_at, active_since, records_through, delivery_fault";

/// A row of a counted page: the flow log and how many match in all.
#[derive(Debug, sqlx::FromRow)]
pub struct CountedRow {
    #[sqlx(flatten)]
    pub row: FlowLogRow,
    pub total: i64,
}

impl Counted for CountedRow {
    fn total(&self) -> i64 {
        self.total
    }
}

/// Times are stored as Unix milliseconds: exact, ordered and identical on every backend.
#[derive(Debug, sqlx::FromRow)]
pub struct FlowLogRow {
    pub id: Text,
    pub provider: Text,
    pub tenant_id: Text,
    pub region_id: Text,
    pub name: Option<Text>,
    pub description: Option<Text>,
    pub resource_kind: Text,
    pub resource_id: Text,
    pub traffic_filter: Text,
    pub traffic_paths: Text,
    pub aggregation_interval: Option<i64>,
    pub ip_version: Option<Text>,
    pub log_format: Option<Text>,
    pub log_group: Text,
    pub log_topic: Text,
    pub index_enabled: bool,
    pub resource_group_id: Option<Text>,
    pub status: Text,
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub active_since: Option<i64>,
    pub records_through: Option<i64>,
    pub delivery_fault: Option<Text>,
    pub tags: Tags,
    pub group_exists: bool,
    pub stream_exists: bool,
}

/// Traffic paths are identifiers without commas, kept in one column.
pub fn encode_paths(paths: &[String]) -> String {
    paths.join(",")
}

/// A stored attributes object (JSON text) with `changes` merged over it, as JSON text.
pub fn merged_attributes(
    stored: &str,
    changes: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let mut attributes: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(stored).unwrap_or_default();
    attributes.extend(changes.clone());
    serde_json::Value::Object(attributes).to_string()
}

pub fn to_millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

pub fn from_millis(millis: i64) -> Result<DateTime<Utc>, StorageError> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| StorageError::Corrupt(format!("time {millis} out of range")))
}

/// A row's tenant scope from its `provider`, `tenant_id` and `region_id` columns.
pub fn scope(
    provider: Text,
    tenant_id: Text,
    region_id: Text,
) -> Result<TenantScope, StorageError> {
    match Provider::parse(&provider.0) {
        Some(Provider::Huawei) => Ok(TenantScope::huawei_project(tenant_id.0)),
        Some(Provider::Alibaba) => Ok(TenantScope::alibaba_account(tenant_id.0, region_id.0)),
        None => Err(corrupt("provider", &provider.0)),
    }
}

fn corrupt(column: &str, value: &str) -> StorageError {
    StorageError::Corrupt(format!("{column} = {value:?}"))
}

fn text(value: Option<Text>) -> Option<String> {
    value.map(|Text(text)| text)
}

impl TryFrom<FlowLogRow> for FlowLog {
    type Error = StorageError;

    fn try_from(row: FlowLogRow) -> Result<Self, Self::Error> {
        let scope = scope(row.provider, row.tenant_id, row.region_id)?;
        let aggregation_interval = row
            .aggregation_interval
            .map(|minutes| {
                u32::try_from(minutes)
                    .map_err(|_| corrupt("aggregation_interval", &minutes.to_string()))
            })
            .transpose()?;
        Ok(FlowLog {
            id: FlowLogId::from_trusted(row.id.0),
            scope,
            spec: NewFlowLog {
                name: text(row.name),
                description: text(row.description),
                resource_kind: ResourceKind::parse(&row.resource_kind.0)
                    .ok_or_else(|| corrupt("resource_kind", &row.resource_kind.0))?,
                resource_id: row.resource_id.0,
                traffic_filter: TrafficFilter::parse(&row.traffic_filter.0)
                    .ok_or_else(|| corrupt("traffic_filter", &row.traffic_filter.0))?,
                traffic_paths: row
                    .traffic_paths
                    .0
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                aggregation_interval,
                ip_version: text(row.ip_version),
                log_format: text(row.log_format),
                destination: LogDestination {
                    group: row.log_group.0,
                    topic: row.log_topic.0,
                },
                index_enabled: row.index_enabled,
                resource_group_id: text(row.resource_group_id),
                tags: row.tags.0,
            },
            status: Status::parse(&row.status.0).ok_or_else(|| corrupt("status", &row.status.0))?,
            due_at: row.due_at.map(from_millis).transpose()?,
            created_at: from_millis(row.created_at)?,
            updated_at: from_millis(row.updated_at)?,
            delivery: Delivery::stored(
                row.group_exists,
                row.stream_exists,
                match row.delivery_fault {
                    Some(fault) => Some(
                        DeliveryFault::parse(&fault.0)
                            .ok_or_else(|| corrupt("delivery_fault", &fault.0))?,
                    ),
                    None => None,
                },
            ),
            active_since: row.active_since.map(from_millis).transpose()?,
            records_through: row.records_through.map(from_millis).transpose()?,
        })
    }
}
