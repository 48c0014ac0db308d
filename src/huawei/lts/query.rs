//! `POST /v2/{project_id}/groups/{group_id}/streams/{stream_id}/content/query` (`ListLogs`,
//! body `QueryLtsLogParams`; reference §5): the stream's flow-log records in a time range, as
//! Huawei's record lines, filtered by LTS keywords ([`super::keywords`]), paged by `line_num`.
//!
//! `line_num` is the record's time in epoch milliseconds × 10^6 plus its rank among the
//! stream's records of that same millisecond (in delivery order): a 19-digit number, unique and
//! increasing within the stream, that stays the same as long as the record is kept.

use std::ops::ControlFlow;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::errors::{self, from_domain, LtsError};
use super::keywords::{KeywordError, Query};
use super::wire::{self, LtsPath};
use crate::domain::repository::RecordSelection;
use crate::domain::Visibility;
use crate::state::AppState;

pub const QUERY: &str = "/v2/{project_id}/groups/{group_id}/streams/{stream_id}/content/query";

/// `limit` when the body has none, and its bounds.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 5000;
/// The widest time range one query may cover.
const MAX_RANGE_DAYS: i64 = 30;
/// Records read from the store per round trip.
/// `line_num` = ms × this + rank within the millisecond.
const PER_MILLI: u64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SearchType {
    Init,
    Forwards,
    Backwards,
}

/// A validated `QueryLtsLogParams`.
struct Params {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    keywords: Query,
    labels_filter: bool,
    line_num: Option<u64>,
    desc: bool,
    search: SearchType,
    limit: usize,
    highlight: bool,
}

fn time(body: &serde_json::Map<String, Value>, field: &str) -> Result<DateTime<Utc>, LtsError> {
    wire::integer(body, field)?
        .filter(|ms| *ms >= 0)
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(|| errors::invalid(field))
}

fn parse(body: &Bytes) -> Result<Params, LtsError> {
    let body = wire::object(body)?;
    let from = time(&body, "start_time")?;
    let to = time(&body, "end_time")?;
    if to < from || to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(errors::invalid("end_time"));
    }
    let keywords = match Query::parse(wire::text(&body, "keywords")?.unwrap_or("")) {
        Ok(query) => query,
        Err(KeywordError::LeadingWildcard) => return Err(errors::leading_wildcard()),
        Err(KeywordError::Invalid(_)) => return Err(errors::invalid("keywords")),
    };
    let labels_filter = match body.get("labels") {
        None | Some(Value::Null) => false,
        Some(Value::Object(labels)) => {
            if labels.values().any(|v| !v.is_string()) {
                return Err(errors::invalid("labels"));
            }
            !labels.is_empty()
        }
        Some(_) => return Err(errors::invalid("labels")),
    };
    let line_num = match wire::text(&body, "line_num") {
        Ok(None) => None,
        Ok(Some("")) => None,
        Ok(Some(text)) => Some(
            text.parse::<u64>()
                .map_err(|_| errors::invalid("line_num"))?,
        ),
        Err(_) => match body.get("line_num").and_then(Value::as_u64) {
            Some(n) => Some(n),
            None => return Err(errors::invalid("line_num")),
        },
    };
    let search = match wire::text(&body, "search_type")? {
        None | Some("") | Some("init") => SearchType::Init,
        Some("forwards") => SearchType::Forwards,
        Some("backwards") => SearchType::Backwards,
        Some(_) => return Err(errors::invalid("search_type")),
    };
    let limit = match wire::integer(&body, "limit")? {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
        Some(_) => return Err(errors::invalid("limit")),
    };
    let desc = wire::boolean(&body, "is_desc")?.unwrap_or(false);
    let highlight = wire::boolean(&body, "highlight")?.unwrap_or(true);
    for flag in ["is_count", "is_iterative", "is_analysis_query"] {
        wire::boolean(&body, flag)?;
    }
    for field in ["scroll_id", "__time__", "query", "sql_timezone"] {
        wire::text(&body, field)?;
    }
    Ok(Params {
        from,
        to,
        keywords,
        labels_filter,
        line_num,
        desc,
        search,
        limit,
        highlight,
    })
}

pub async fn list_logs(
    State(state): State<AppState>,
    path: LtsPath,
    body: Bytes,
) -> Result<Response, LtsError> {
    let params = parse(&body)?;
    // The stream must be the project's, in that group (LTS.0201 / LTS.0208 otherwise).
    state
        .destinations
        .stream(&path.scope, path.group(), path.stream())
        .await
        .map_err(from_domain)?;
    if params.labels_filter {
        // Flow-log records carry no labels: a label filter matches none.
        return Ok(
            Json(json!({ "count": 0, "logs": [], "isQueryComplete": true })).into_response(),
        );
    }
    let selection = RecordSelection {
        visibility: Visibility::Tenant(&path.scope),
        destination: Some((path.group(), path.stream())),
        flow_log_id: None,
        from: Some(params.from),
        // The range is inclusive at both ends, the store's `to` exclusive.
        to: Some(params.to + Duration::milliseconds(1)),
    };
    // Every record of the range, oldest first, keeping only the matching lines and their
    // line numbers. A stream holds a bounded number of records.
    let mut matches: Vec<(u64, String)> = Vec::new();
    let mut words = Vec::new();
    let (mut last_ms, mut rank) = (i64::MIN, 0u64);
    state
        .records
        .scan(selection, true, |record| {
            let ms = record.time().timestamp_millis();
            if ms == last_ms {
                rank += 1;
            } else {
                (last_ms, rank) = (ms, 0);
            }
            let line = record.huawei_line();
            if params.keywords.matches(&line, &mut words) {
                let line_num = u64::try_from(ms).unwrap_or_default() * PER_MILLI + rank;
                matches.push((line_num, line));
            }
            ControlFlow::Continue(())
        })
        .await
        .map_err(from_domain)?;
    let count = matches.len();
    let page = page_of(&matches, &params);
    let highlight = params.highlight && params.keywords != Query::All;
    let logs: Vec<Value> = page
        .map(|(line_num, line)| {
            let content = if highlight {
                params.keywords.highlight(line, &mut words)
            } else {
                line.clone()
            };
            json!({ "content": content, "line_num": line_num.to_string(), "labels": {} })
        })
        .collect();
    Ok(Json(json!({ "count": count, "logs": logs, "isQueryComplete": true })).into_response())
}

/// The page of `matches` (ascending by line number) the parameters ask for, in display order:
/// `is_desc` orders the display; from a `line_num`, `forwards` (or no `search_type`) is the next
/// page in that order and `backwards` the previous one, both without the `line_num` record
/// (reference §5.3).
fn page_of<'a>(
    matches: &'a [(u64, String)],
    params: &Params,
) -> Box<dyn Iterator<Item = &'a (u64, String)> + 'a> {
    let limit = params.limit;
    let Some(from) = params.line_num else {
        return if params.desc {
            Box::new(matches.iter().rev().take(limit))
        } else {
            Box::new(matches.iter().take(limit))
        };
    };
    let below = matches.partition_point(|(n, _)| *n < from);
    let above = matches.partition_point(|(n, _)| *n <= from);
    let (older, newer) = (&matches[..below], &matches[above..]);
    let backwards = params.search == SearchType::Backwards;
    match (params.desc, backwards) {
        // Ascending, next page: the oldest of the newer ones.
        (false, false) => Box::new(newer.iter().take(limit)),
        // Ascending, previous page: the newest of the older ones, ascending.
        (false, true) => Box::new(older[older.len().saturating_sub(limit)..].iter()),
        // Descending, next page: the newest of the older ones, descending.
        (true, false) => Box::new(older.iter().rev().take(limit)),
        // Descending, previous page: the oldest of the newer ones, descending.
        (true, true) => Box::new(newer[..newer.len().min(limit)].iter().rev()),
    }
}
