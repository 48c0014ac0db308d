//! `GET /_flowplane/requests`: the request journal ([`crate::layers::journal`]), newest first,
//! filtered by face, tenant, status (`404`, `4xx`, `error`) and request id. This process's
//! queued entries are written first, so a call that just failed is already there.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::SecondsFormat;
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use serde_json::{json, Value};

use super::query::{self, ControlQuery};
use super::ControlError;
use crate::domain::DomainError;
use crate::layers::journal::{JournalEntry, JournalFilter, StatusFilter};
use crate::state::AppState;

/// The most entries one call returns.
const MAX_LIMIT: u32 = 1000;
const DEFAULT_LIMIT: u32 = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsQuery {
    #[serde(default, deserialize_with = "face")]
    face: Option<String>,
    tenant: Option<String>,
    #[serde(default, deserialize_with = "status")]
    status: Option<StatusFilter>,
    request_id: Option<String>,
    #[serde(default, deserialize_with = "limit")]
    limit: Option<u32>,
    #[serde(default, deserialize_with = "query::whole_number")]
    offset: u64,
}

fn face<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = String::deserialize(deserializer)?;
    match value.as_str() {
        "huawei" | "alibaba" | "sls" => Ok(Some(value)),
        _ => Err(D::Error::custom(format!(
            "face must be huawei, alibaba or sls, not {value:?}"
        ))),
    }
}

fn status<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<StatusFilter>, D::Error> {
    let value = String::deserialize(deserializer)?;
    StatusFilter::parse(&value).map(Some).ok_or_else(|| {
        D::Error::custom(format!(
            "status must be a status (404), a class (4xx, 5xx) or error, not {value:?}"
        ))
    })
}

fn limit<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let value = String::deserialize(deserializer)?;
    value
        .parse()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("limit must be 1..={MAX_LIMIT}")))
}

pub async fn list(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<RequestsQuery>,
) -> Result<Response, ControlError> {
    let filter = JournalFilter {
        face: query.face,
        tenant: query.tenant,
        status: query.status,
        request_id: query.request_id,
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let (entries, total) = state
        .journal
        .list(&filter, limit, query.offset)
        .await
        .map_err(DomainError::from)?;
    let requests: Vec<Value> = entries.iter().map(view).collect();
    // Entries this process dropped because its queue was full (never written).
    let dropped = state.journal.dropped();
    Ok(Json(json!({ "requests": requests, "total": total, "dropped": dropped })).into_response())
}

fn view(entry: &JournalEntry) -> Value {
    let mut view = json!({
        "time": entry.time.to_rfc3339_opts(SecondsFormat::Millis, true),
        "face": entry.face,
        "product": entry.product,
        "operation": entry.operation,
        "tenant": entry.tenant,
        "region": entry.region,
        "method": entry.method,
        "path": entry.path,
        "status": entry.status,
        "error_code": entry.error_code,
        "latency_ms": entry.latency_us as f64 / 1000.0,
        "request_id": entry.request_id,
        "signature": entry.signature,
        "signature_error": entry.signature_error,
    });
    if let Some(body) = &entry.request_body {
        view["request_body"] = Value::String(body.clone());
    }
    if let Some(body) = &entry.response_body {
        view["response_body"] = Value::String(body.clone());
    }
    view
}
