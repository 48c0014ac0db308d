//! Logstores: CreateLogStore (`POST /logstores`), GetLogStore (`GET /logstores/{name}`),
//! ListLogStores, UpdateLogStore (`PUT`), DeleteLogStore (with its records); the legacy GetLogs
//! (`GET /logstores/{name}?type=log`) is [`super::logs`]'s. Also ListShards (shards synthesised
//! from `shardCount`), GetLogStoreMeteringMode and GetIndex (no index is ever configured). A
//! logstore is a destination stream whose id is its name.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Map, Value};

use super::error::SlsError;
use super::gateway::{logstore_of, SlsCall};
use super::logs;
use super::projects::{answer, page};
use crate::domain::destination::{
    LogContainerChanges, LogContainerFilter, LogStream, NewLogContainer,
};
use crate::state::AppState;

/// Logstore names: 2–63 of `[a-z0-9_-]`, starting and ending with a letter or digit.
pub fn is_logstore_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (2..=63).contains(&bytes.len())
        && bytes.iter().all(|b| alnum(b) || *b == b'-' || *b == b'_')
        && alnum(&bytes[0])
        && alnum(&bytes[bytes.len() - 1])
}

fn invalid(message: impl Into<String>) -> SlsError {
    SlsError::bad_request("LogStoreInfoInvalid", message)
}

fn int_field(
    body: &Map<String, Value>,
    key: &str,
    range: (i64, i64),
) -> Result<Option<i64>, SlsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .filter(|n| (range.0..=range.1).contains(n))
            .map(Some)
            .ok_or_else(|| {
                invalid(format!(
                    "{key} must be an integer within range [{}, {}]",
                    range.0, range.1
                ))
            }),
    }
}

fn bool_field(body: &Map<String, Value>, key: &str) -> Result<Option<bool>, SlsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(invalid(format!("{key} must be a boolean"))),
    }
}

fn text_field<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, SlsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.chars().count() <= 256 => Ok(Some(text)),
        Some(_) => Err(invalid(format!(
            "{key} must be a string of at most 256 characters"
        ))),
    }
}

/// The settings of a create or update body, as the domain keeps them (attributes), and its
/// `ttl`.
fn settings(
    body: &Map<String, Value>,
    creating: bool,
) -> Result<(Option<u32>, Map<String, Value>), SlsError> {
    let ttl = int_field(body, "ttl", (1, 3650))?;
    let mut attributes = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            attributes.insert(key.to_owned(), value);
        }
    };
    let shard_count = int_field(body, "shardCount", (1, 256))?;
    if creating {
        put("shard_count", Some(json!(shard_count.unwrap_or(2))));
    }
    put(
        "auto_split",
        bool_field(body, "autoSplit")?.map(Value::from),
    );
    put(
        "max_split_shard",
        int_field(body, "maxSplitShard", (1, 256))?.map(Value::from),
    );
    put(
        "append_meta",
        bool_field(body, "appendMeta")?.map(Value::from),
    );
    put(
        "enable_tracking",
        bool_field(body, "enable_tracking")?.map(Value::from),
    );
    put(
        "telemetry_type",
        text_field(body, "telemetryType")?.map(Value::from),
    );
    put(
        "hot_ttl",
        int_field(body, "hot_ttl", (0, 3650))?.map(Value::from),
    );
    put(
        "infrequent_access_ttl",
        int_field(body, "infrequentAccessTTL", (0, 3650))?.map(Value::from),
    );
    let mode = text_field(body, "mode")?;
    if let Some(mode) = mode {
        if !["standard", "query", "lite"].contains(&mode) {
            return Err(invalid(format!(
                "mode {mode} is invalid: standard, query or lite"
            )));
        }
    }
    put("mode", mode.map(Value::from));
    match body.get("encrypt_conf") {
        None | Some(Value::Null) => {}
        Some(Value::Object(conf)) => put("encrypt_conf", Some(Value::Object(conf.clone()))),
        Some(_) => return Err(invalid("encrypt_conf must be an object")),
    }
    Ok((ttl.map(|ttl| ttl as u32), attributes))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
) -> Response {
    answer(create_logstore(&state, &call).await)
}

async fn create_logstore(state: &AppState, call: &SlsCall) -> Result<Option<Value>, SlsError> {
    let project = call.project()?;
    let body = call.json()?;
    let name = match body.get("logstoreName") {
        Some(Value::String(name)) => name.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(invalid("logstoreName must be a string")),
    };
    if !is_logstore_name(&name) {
        return Err(invalid(format!("logstore name {name} is invalid")));
    }
    let (ttl, attributes) = settings(&body, true)?;
    let spec = NewLogContainer {
        name,
        ttl_days: Some(ttl.unwrap_or(30)),
        attributes,
        ..NewLogContainer::default()
    };
    state
        .destinations
        .create_stream(&call.scope, project, spec)
        .await?;
    Ok(None)
}

/// A logstore as GetLogStore writes it (times as integers).
fn logstore_view(logstore: &LogStream) -> Value {
    let spec = &logstore.spec;
    let mut view = json!({
        "logstoreName": spec.name,
        "ttl": spec.ttl_days.unwrap_or(30),
        "shardCount": spec.int_attribute("shard_count").unwrap_or(2),
        "enable_tracking": spec.bool_attribute("enable_tracking").unwrap_or(false),
        "autoSplit": spec.bool_attribute("auto_split").unwrap_or(false),
        "maxSplitShard": spec.int_attribute("max_split_shard").unwrap_or(64),
        "appendMeta": spec.bool_attribute("append_meta").unwrap_or(false),
        "telemetryType": spec.text_attribute("telemetry_type").unwrap_or(""),
        "mode": spec.text_attribute("mode").unwrap_or("standard"),
        "productType": "",
        "createTime": logstore.created_at.timestamp(),
        "lastModifyTime": logstore.updated_at.timestamp(),
    });
    if let Some(hot_ttl) = spec.int_attribute("hot_ttl") {
        view["hot_ttl"] = json!(hot_ttl);
    }
    if let Some(ttl) = spec.int_attribute("infrequent_access_ttl") {
        view["infrequentAccessTTL"] = json!(ttl);
    }
    if let Some(conf) = spec.attributes.get("encrypt_conf") {
        view["encrypt_conf"] = conf.clone();
    }
    view
}

pub async fn get_or_logs(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let logstore = match logstore_of(path) {
        Ok(logstore) => logstore,
        Err(err) => return err.into_response(),
    };
    if call.param("type").is_some() {
        return logs::legacy(&state, &call, &logstore).await;
    }
    answer(
        match call.project() {
            Ok(project) => state
                .destinations
                .stream(&call.scope, project, &logstore)
                .await
                .map_err(SlsError::from),
            Err(err) => Err(err),
        }
        .map(|logstore| Some(logstore_view(&logstore))),
    )
}

pub async fn list(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
) -> Response {
    answer(list_logstores(&state, &call).await)
}

async fn list_logstores(state: &AppState, call: &SlsCall) -> Result<Option<Value>, SlsError> {
    let project = call.project()?;
    let (offset, size) = page(call, 500)?;
    state.destinations.group(&call.scope, project).await?;
    let filter = LogContainerFilter {
        names: Vec::new(),
        name_contains: call.param("logstoreName").map(str::to_owned),
    };
    let (logstores, total) = state
        .destinations
        .streams(&call.scope, Some(project), &filter, offset, size)
        .await?;
    let names: Vec<&str> = logstores
        .iter()
        .map(|logstore| logstore.spec.name.as_str())
        .collect();
    Ok(Some(
        json!({"count": names.len(), "total": total, "logstores": names}),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer(update_logstore(&state, &call, path).await)
}

async fn update_logstore(
    state: &AppState,
    call: &SlsCall,
    path: Result<Path<String>, PathRejection>,
) -> Result<Option<Value>, SlsError> {
    let logstore = logstore_of(path)?;
    let project = call.project()?;
    let body = call.json()?;
    let (ttl_days, attributes) = settings(&body, false)?;
    let changes = LogContainerChanges {
        description: None,
        ttl_days,
        attributes,
    };
    state
        .destinations
        .update_stream(&call.scope, project, &logstore, &changes)
        .await?;
    Ok(None)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer(delete_logstore(&state, &call, path).await)
}

async fn delete_logstore(
    state: &AppState,
    call: &SlsCall,
    path: Result<Path<String>, PathRejection>,
) -> Result<Option<Value>, SlsError> {
    let logstore = logstore_of(path)?;
    let project = call.project()?;
    state
        .destinations
        .delete_stream(&call.scope, project, &logstore)
        .await?;
    Ok(None)
}

/// The logstore, or why it cannot be found.
async fn existing(
    state: &AppState,
    call: &SlsCall,
    path: Result<Path<String>, PathRejection>,
) -> Result<LogStream, SlsError> {
    let logstore = logstore_of(path)?;
    let project = call.project()?;
    Ok(state
        .destinations
        .stream(&call.scope, project, &logstore)
        .await?)
}

/// GetIndex: no logstore has an index configured here (every logstore is searchable as if
/// fully indexed), so an existing one answers `IndexConfigNotExist`.
pub async fn index(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer(existing(&state, &call, path).await.and_then(|_| {
        Err(SlsError::new(
            StatusCode::BAD_REQUEST,
            "IndexConfigNotExist",
            "logstore without index config",
        ))
    }))
}

/// ListShards: `shardCount` read-write shards over evenly split 128-bit key ranges.
pub async fn shards(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer(existing(&state, &call, path).await.map(|logstore| {
        let count = logstore
            .spec
            .int_attribute("shard_count")
            .unwrap_or(2)
            .clamp(1, 256) as u128;
        let step = u128::MAX / count;
        let key = |n: u128| {
            if n == count {
                "ffffffffffffffffffffffffffffffff".to_owned()
            } else {
                format!("{:032x}", step * n + n)
            }
        };
        let shards: Vec<Value> = (0..count)
            .map(|n| {
                json!({
                    "shardID": n as u64,
                    "status": "readwrite",
                    "inclusiveBeginKey": key(n),
                    "exclusiveEndKey": key(n + 1),
                    "createTime": logstore.created_at.timestamp(),
                })
            })
            .collect();
        Some(Value::Array(shards))
    }))
}

/// GetLogStoreMeteringMode: always `ChargeByFunction`.
pub async fn metering_mode(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer(
        existing(&state, &call, path)
            .await
            .map(|_| Some(json!({"meteringMode": "ChargeByFunction"}))),
    )
}

#[cfg(test)]
mod tests {
    use super::is_logstore_name;

    #[test]
    fn logstore_names() {
        for good in ["ab", "flowlog", "flow_log-1", &"a".repeat(63)] {
            assert!(is_logstore_name(good), "{good}");
        }
        for bad in [
            "a",
            "_ab",
            "ab_",
            "-ab",
            "AB",
            "a.b",
            "a b",
            &"a".repeat(64),
            "",
        ] {
            assert!(!is_logstore_name(bad), "{bad}");
        }
    }
}
