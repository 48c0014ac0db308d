//! GetLogs: `POST /logstores/{name}/logs` (JSON, what both SDKs send today: `{"meta","data"}`)
//! and the legacy `GET /logstores/{name}?type=log&…` (a JSON array, the meta in `x-log-*`
//! headers). Records in `[from, to)` of the caller's logstore, filtered by the search
//! ([`super::query`]) and `topic`, oldest first (newest with `reverse`), `offset` and `line`
//! (at most 100). Every value is a string; `__time__` is the record's start, `__topic__`
//! `flow_log`, `__source__` empty. Always `progress: Complete`.

use std::ops::ControlFlow;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::error::{with_sls_headers, SlsError};
use super::gateway::{logstore_of, SlsCall};
use super::query::{self, Expr, QueryError};
use crate::domain::records::FlowRecord;
use crate::domain::repository::RecordSelection;
use crate::domain::Visibility;
use crate::state::AppState;

/// The most records one call returns.
const MAX_LINES: u64 = 100;

/// What a GetLogs call asks for.
#[derive(Debug)]
struct LogsRequest {
    from: i64,
    to: i64,
    line: u64,
    offset: u64,
    reverse: bool,
    query: String,
    topic: Option<String>,
}

/// The answer: the records (as SLS writes them) and how many matched in all.
struct Found {
    logs: Vec<Value>,
    processed: u64,
    query: String,
}

fn number(value: Option<&Value>, name: &str) -> Result<Option<i64>, SlsError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number.as_i64().map(Some).ok_or_else(|| {
            SlsError::parameter(format!("The parameter {name} must be an integer."))
        }),
        Some(Value::String(text)) => {
            text.trim().parse::<i64>().map(Some).map_err(|_| {
                SlsError::parameter(format!("The parameter {name} must be an integer."))
            })
        }
        Some(_) => Err(SlsError::parameter(format!(
            "The parameter {name} must be an integer."
        ))),
    }
}

fn boolean(value: Option<&Value>, name: &str) -> Result<bool, SlsError> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("false") || text.is_empty() => {
            Ok(false)
        }
        Some(_) => Err(SlsError::parameter(format!(
            "The parameter {name} must be true or false."
        ))),
    }
}

fn text(value: Option<&Value>, name: &str) -> Result<Option<String>, SlsError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(SlsError::parameter(format!(
            "The parameter {name} must be a string."
        ))),
    }
}

impl LogsRequest {
    /// From the parameters (a JSON body, or the legacy query as strings).
    fn read(params: &Map<String, Value>) -> Result<Self, SlsError> {
        let from = number(params.get("from"), "from")?
            .filter(|from| *from >= 0)
            .ok_or_else(|| SlsError::parameter("The parameter from must be a positive integer"))?;
        let to = number(params.get("to"), "to")?
            .filter(|to| *to >= 0)
            .ok_or_else(|| SlsError::parameter("The parameter to must be a positive integer"))?;
        if from >= to {
            return Err(SlsError::bad_request(
                "InvalidTimeRange",
                format!("The time range [{from}, {to}) is invalid: from must be less than to."),
            ));
        }
        let line = match number(params.get("line"), "line")? {
            None => MAX_LINES,
            Some(line) if line < 0 => {
                return Err(SlsError::parameter(
                    "The parameter line must not be negative.",
                ))
            }
            Some(line) => (line as u64).min(MAX_LINES),
        };
        let offset = match number(params.get("offset"), "offset")? {
            None => 0,
            Some(offset) if offset < 0 => {
                return Err(SlsError::parameter("limit expression is required"))
            }
            Some(offset) => offset as u64,
        };
        Ok(LogsRequest {
            from,
            to,
            line,
            offset,
            reverse: boolean(params.get("reverse"), "reverse")?,
            query: text(params.get("query"), "query")?.unwrap_or_default(),
            topic: text(params.get("topic"), "topic")?.filter(|topic| !topic.is_empty()),
        })
    }
}

/// The latest time a window may name: the end of year 9999.
const LATEST_SECONDS: i64 = 253_402_300_799;

fn time(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds.clamp(0, LATEST_SECONDS), 0)
}

/// A record as SLS writes it: every value a string.
fn log_of(record: &FlowRecord) -> (Vec<(&'static str, String)>, Value) {
    let mut fields = record.fields();
    fields.push(("__topic__", "flow_log".to_owned()));
    fields.push(("__source__", String::new()));
    fields.push(("__time__", record.time().timestamp().to_string()));
    let object: Map<String, Value> = fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), Value::String(value.clone())))
        .collect();
    (fields, Value::Object(object))
}

async fn find(
    state: &AppState,
    call: &SlsCall,
    logstore: &str,
    request: LogsRequest,
) -> Result<Found, SlsError> {
    let project = call.project()?;
    // Both an analytic part and a broken search are ParameterInvalid; the message tells which.
    let search: Expr = query::parse(&request.query)
        .map_err(|err: QueryError| SlsError::parameter(err.to_string()))?;
    state
        .destinations
        .stream(&call.scope, project, logstore)
        .await?;
    let topic_matches = request
        .topic
        .as_deref()
        .is_none_or(|topic| topic == "flow_log");
    let mut logs = Vec::new();
    let mut matched = 0u64;
    if topic_matches {
        let selection = RecordSelection {
            visibility: Visibility::Tenant(&call.scope),
            destination: Some((project, logstore)),
            flow_log_id: None,
            from: time(request.from),
            to: time(request.to),
        };
        state
            .records
            .scan(selection, !request.reverse, |record| {
                let (fields, log) = log_of(&record);
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(name, value)| (*name, value.as_str()))
                    .collect();
                if !search.matches(&pairs) {
                    return ControlFlow::Continue(());
                }
                if matched >= request.offset {
                    logs.push(log);
                }
                matched += 1;
                if logs.len() as u64 >= request.line {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .await?;
    }
    Ok(Found {
        logs,
        processed: matched,
        query: request.query,
    })
}

fn meta_headers(response: &mut Response, found: &Found) {
    let count = found.logs.len().to_string();
    let processed = found.processed.to_string();
    let pairs = [
        ("x-log-progress", "Complete"),
        ("x-log-count", count.as_str()),
        ("x-log-processed-rows", processed.as_str()),
        ("x-log-elapsed-millisecond", "1"),
        ("x-log-has-sql", "false"),
        ("x-log-agg-query", ""),
        ("x-log-query-info", "{\"mode\":0}"),
        ("x-log-where-query", found.query.as_str()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    with_sls_headers(response);
}

/// `POST /logstores/{name}/logs`.
pub async fn post(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let result = async {
        let logstore = logstore_of(path)?;
        let request = LogsRequest::read(&call.json()?)?;
        find(&state, &call, &logstore, request).await
    }
    .await;
    match result {
        Ok(found) => {
            let body = json!({
                "meta": {
                    "progress": "Complete",
                    "count": found.logs.len(),
                    "processedRows": found.processed,
                    "elapsedMillisecond": 1,
                    "hasSQL": false,
                    "whereQuery": found.query,
                    "aggQuery": "",
                    "keys": [],
                    "mode": 0,
                },
                "data": found.logs,
            });
            let mut response = (StatusCode::OK, Json(body)).into_response();
            meta_headers(&mut response, &found);
            response
        }
        Err(err) => err.into_response(),
    }
}

/// `GET /logstores/{name}?type=log&from=&to=&…`.
pub async fn legacy(state: &AppState, call: &SlsCall, logstore: &str) -> Response {
    let result = async {
        match call.param("type") {
            Some("log") => {}
            Some(other) => {
                return Err(SlsError::parameter(format!(
                    "The parameter type {other} is not supported: only type=log"
                )))
            }
            None => {}
        }
        let params: Map<String, Value> = call
            .query
            .iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect();
        find(state, call, logstore, LogsRequest::read(&params)?).await
    }
    .await;
    match result {
        Ok(found) => {
            let mut response =
                (StatusCode::OK, Json(Value::Array(found.logs.clone()))).into_response();
            meta_headers(&mut response, &found);
            response
        }
        Err(err) => err.into_response(),
    }
}
