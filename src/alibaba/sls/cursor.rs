//! Cursor consumption: GetCursor (`GET /logstores/{name}/shards/{shard}?type=cursor&from=`),
//! GetCursorTime (`type=cursor_time&cursor=`) and PullLogs (`type=log&cursor=&count=`, a
//! protobuf `LogGroupList`). A cursor is a position in the logstore's records, oldest first,
//! written as SLS writes cursors: base64 of a decimal integer. Every record is in shard 0 (the
//! other shards exist and are always empty). One record is one log group (topic `flow_log`).
//! Positions are stable while records arrive in time order, which one flow log's windows do.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::Engine;
use chrono::DateTime;
use serde_json::json;

use super::error::{with_sls_headers, SlsError};
use super::gateway::SlsCall;
use super::projects::answer;
use crate::domain::records::FlowRecord;
use crate::domain::repository::RecordSelection;
use crate::domain::Visibility;
use crate::state::AppState;

/// The most log groups one PullLogs returns.
const MAX_COUNT: u32 = 1000;

fn invalid_cursor() -> SlsError {
    SlsError::bad_request("InvalidCursor", "This cursor is invalid")
}

pub fn encode_cursor(position: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(position.to_string())
}

pub fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor.trim())
        .ok()?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

/// `GET /logstores/{name}/shards/{shard}?type=…`.
pub async fn shard(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    match serve(&state, &call, path).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn serve(
    state: &AppState,
    call: &SlsCall,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, SlsError> {
    let Path((logstore, shard)) =
        path.map_err(|_| SlsError::parameter("The path is not valid UTF-8."))?;
    let project = call.project()?;
    let stored = state
        .destinations
        .stream(&call.scope, project, &logstore)
        .await?;
    let shards = stored.spec.int_attribute("shard_count").unwrap_or(2).max(1);
    let shard_id = shard
        .parse::<i64>()
        .ok()
        .filter(|id| (0..shards).contains(id))
        .ok_or_else(|| {
            SlsError::bad_request("ShardNotExist", format!("Shard {shard} does not exist"))
        })?;
    let selection = |to| RecordSelection {
        visibility: Visibility::Tenant(&call.scope),
        destination: Some((project, logstore.as_str())),
        flow_log_id: None,
        from: None,
        to,
    };
    // Shard 0 holds every record; the others none.
    let held = |count: u64| if shard_id == 0 { count } else { 0 };
    match call.param("type") {
        Some("cursor") => {
            let position = match call.param("from") {
                Some("begin") => 0,
                Some("end") => held(state.records.count(selection(None)).await?),
                Some(time) => {
                    let seconds =
                        time.parse::<i64>()
                            .ok()
                            .filter(|t| *t >= 0)
                            .ok_or_else(|| {
                                SlsError::parameter(
                                    "The parameter from must be begin, end or a unix time",
                                )
                            })?;
                    let at = DateTime::from_timestamp(seconds.min(253_402_300_799), 0);
                    held(state.records.count(selection(at)).await?)
                }
                None => return Err(SlsError::parameter("The parameter from is required")),
            };
            Ok(answer(Ok(Some(json!({"cursor": encode_cursor(position)})))))
        }
        Some("cursor_time") => {
            let position = call
                .param("cursor")
                .and_then(decode_cursor)
                .ok_or_else(invalid_cursor)?;
            let records = if shard_id == 0 {
                state
                    .records
                    .read(selection(None), true, position, 1)
                    .await?
            } else {
                Vec::new()
            };
            let time = records.first().map_or_else(
                || chrono::Utc::now().timestamp(),
                |record| record.time().timestamp(),
            );
            Ok(answer(Ok(Some(json!({"cursor_time": time})))))
        }
        Some("log") => {
            if call.param("query").is_some() {
                return Err(SlsError::parameter(
                    "PullLogs with a query (SPL, pullMode) is not supported by this emulator",
                ));
            }
            let position = call
                .param("cursor")
                .and_then(decode_cursor)
                .ok_or_else(invalid_cursor)?;
            let count = match call.param("count") {
                None => MAX_COUNT,
                Some(text) => text
                    .parse::<u32>()
                    .ok()
                    .filter(|count| (1..=MAX_COUNT).contains(count))
                    .ok_or_else(|| {
                        SlsError::parameter("The parameter count must be within [1, 1000]")
                    })?,
            };
            let end = match call.param("end_cursor") {
                None => None,
                Some(cursor) => Some(decode_cursor(cursor).ok_or_else(invalid_cursor)?),
            };
            let limit = match end {
                Some(end) => u32::try_from(end.saturating_sub(position))
                    .unwrap_or(u32::MAX)
                    .min(count),
                None => count,
            };
            let records = if shard_id == 0 && limit > 0 {
                state
                    .records
                    .read(selection(None), true, position, limit)
                    .await?
            } else {
                Vec::new()
            };
            Ok(pulled(&records, position))
        }
        Some(other) => Err(SlsError::parameter(format!(
            "The parameter type {other} is not supported: cursor, cursor_time or log"
        ))),
        None => Err(SlsError::parameter("The parameter type is required")),
    }
}

fn pulled(records: &[FlowRecord], position: u64) -> Response {
    let body = log_group_list(records);
    let next = encode_cursor(position + records.len() as u64);
    let mut response = (StatusCode::OK, body.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-protobuf"),
    );
    for (name, value) in [
        ("x-log-cursor", next),
        ("x-log-count", records.len().to_string()),
        ("x-log-bodyrawsize", body.len().to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    with_sls_headers(&mut response);
    response
}

/// The records as a protobuf `LogGroupList`, one `LogGroup` (topic `flow_log`, source empty)
/// per record: `LogGroupList{1: LogGroup}`, `LogGroup{1: Log, 3: Topic, 4: Source}`,
/// `Log{1: Time (varint), 2: Content{1: Key, 2: Value}}`.
pub fn log_group_list(records: &[FlowRecord]) -> Vec<u8> {
    let mut list = Vec::new();
    for record in records {
        let mut log = Vec::new();
        varint_field(
            &mut log,
            1,
            u64::try_from(record.time().timestamp()).unwrap_or(0),
        );
        for (key, value) in record.fields() {
            let mut content = Vec::new();
            bytes_field(&mut content, 1, key.as_bytes());
            bytes_field(&mut content, 2, value.as_bytes());
            bytes_field(&mut log, 2, &content);
        }
        let mut group = Vec::new();
        bytes_field(&mut group, 1, &log);
        bytes_field(&mut group, 3, b"flow_log");
        bytes_field(&mut group, 4, b"");
        bytes_field(&mut list, 1, &group);
    }
    list
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn varint_field(out: &mut Vec<u8>, field: u64, value: u64) {
    varint(out, field << 3);
    varint(out, value);
}

fn bytes_field(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    varint(out, (field << 3) | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_base64_decimals() {
        assert_eq!(
            decode_cursor("MTQ0NzMyOTQwMTEwMjEzMDkwNA=="),
            Some(1_447_329_401_102_130_904)
        );
        assert_eq!(encode_cursor(0), "MA==");
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        for bad in ["", "!!", "YWJj", "LTE="] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn varints_and_fields() {
        let mut out = Vec::new();
        varint(&mut out, 300);
        assert_eq!(out, [0xAC, 0x02]);
        let mut out = Vec::new();
        bytes_field(&mut out, 3, b"ab");
        assert_eq!(out, [0x1A, 2, b'a', b'b']);
        assert!(log_group_list(&[]).is_empty());
    }
}
