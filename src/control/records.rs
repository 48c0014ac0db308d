//! `POST /_flowplane/records/generate` and `GET /_flowplane/records`: producing capture windows
//! at once, and seeing the records delivered without a cloud SDK.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;

use super::query::{self, ControlQuery, Limit};
use super::ControlError;
use crate::domain::records::FlowRecord;
use crate::domain::repository::RecordSelection;
use crate::domain::Advance;
use crate::domain::{Provider, Visibility};
use crate::state::AppState;

/// The most windows one call produces per flow log.
const MAX_WINDOWS: u32 = crate::domain::MAX_WINDOWS_AT_ONCE;

/// What to generate, from the JSON body or the query string (the body wins where both say).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    #[serde(default, deserialize_with = "query::optional_whole_number")]
    windows: Option<u64>,
    /// Instead of a number of windows: every window that ends by this time.
    #[serde(default, deserialize_with = "query::time")]
    until: Option<DateTime<Utc>>,
    flow_log_id: Option<String>,
}

/// The same in a JSON body, where numbers are numbers.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct GenerateBody {
    windows: Option<u64>,
    #[serde(default, deserialize_with = "query::time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    until: Option<DateTime<Utc>>,
    flow_log_id: Option<String>,
}

pub async fn generate(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<GenerateRequest>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let body: GenerateBody = if body.iter().all(u8::is_ascii_whitespace) {
        GenerateBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|err| ControlError::BadParameter(format!("the body is not valid: {err}")))?
    };
    let advance = match (body.windows.or(query.windows), body.until.or(query.until)) {
        (Some(_), Some(_)) => {
            return Err(ControlError::BadParameter(
                "windows and until exclude each other".to_owned(),
            ))
        }
        (None, Some(until)) => Advance::Until(until),
        (windows, None) => Advance::Windows(
            u32::try_from(windows.unwrap_or(1))
                .ok()
                .filter(|w| (1..=MAX_WINDOWS).contains(w))
                .ok_or_else(|| {
                    ControlError::BadParameter(format!("windows must be 1..={MAX_WINDOWS}"))
                })?,
        ),
    };
    let flow_log_id = body.flow_log_id.or(query.flow_log_id);
    if let Some(id) = &flow_log_id {
        if !state.records.flow_log_exists(id).await? {
            return Err(ControlError::NotFound(format!("no flow log {id:?}")));
        }
    }
    let generated = state
        .records
        .generate(advance, flow_log_id.as_deref())
        .await?;
    Ok(Json(json!({
        "windows": generated.windows,
        "flow_logs": generated.flow_logs,
        "records": generated.records,
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordsQuery {
    flow_log_id: Option<String>,
    #[serde(default, deserialize_with = "query::provider")]
    provider: Option<Provider>,
    tenant: Option<String>,
    /// With `stream`: one destination's records (its group id and stream id, or an SLS
    /// project and logstore).
    group: Option<String>,
    stream: Option<String>,
    #[serde(default, deserialize_with = "query::time")]
    from: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "query::time")]
    to: Option<DateTime<Utc>>,
    #[serde(default)]
    limit: Limit,
    #[serde(default, deserialize_with = "query::whole_number")]
    offset: u64,
}

pub async fn list(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<RecordsQuery>,
) -> Result<Response, ControlError> {
    let destination = match (&query.group, &query.stream) {
        (Some(group), Some(stream)) => Some((group.as_str(), stream.as_str())),
        (None, None) => None,
        _ => {
            return Err(ControlError::BadParameter(
                "group and stream go together".to_owned(),
            ))
        }
    };
    let selection = RecordSelection {
        visibility: Visibility::Any {
            provider: query.provider,
            tenant_id: query.tenant.as_deref(),
            region_id: None,
        },
        destination,
        flow_log_id: query.flow_log_id.as_deref(),
        from: query.from,
        to: query.to,
    };
    let records = state
        .records
        .read(selection, false, query.offset, query.limit.get())
        .await?;
    let total = state.records.count(selection).await?;
    // Serialized straight from the views: a `Value` would sort each record's fields.
    let listing = Listing {
        records: records.iter().map(RecordView::from).collect(),
        total,
    };
    Ok(Json(listing).into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RecordListing)]
pub(super) struct Listing<'a> {
    records: Vec<RecordView<'a>>,
    total: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct RecordView<'a> {
    flow_log_id: &'a str,
    provider: &'static str,
    tenant_id: &'a str,
    region_id: &'a str,
    destination: DestinationView<'a>,
    time: String,
    /// The record as its cloud writes it, fields in the cloud's order.
    #[schema(value_type = Object)]
    fields: Fields,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RecordDestinationView)]
pub(super) struct DestinationView<'a> {
    group: &'a str,
    stream: &'a str,
}

#[derive(Debug)]
struct Fields(Vec<(&'static str, String)>);

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'a> From<&'a FlowRecord> for RecordView<'a> {
    fn from(record: &'a FlowRecord) -> Self {
        RecordView {
            flow_log_id: &record.flow_log_id,
            provider: record.scope.provider().as_str(),
            tenant_id: record.scope.tenant_id(),
            region_id: record.scope.region_id(),
            destination: DestinationView {
                group: &record.destination.group,
                stream: &record.destination.topic,
            },
            time: record.time().to_rfc3339_opts(SecondsFormat::Secs, true),
            fields: Fields(record.fields()),
        }
    }
}
