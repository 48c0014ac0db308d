//! Log groups (`/v2/{project_id}/groups[/{group_id}]`) and log streams
//! (`…/groups/{group_id}/streams[/{stream_id}]`, `…/streams-ttl/{stream_id}`,
//! `/v2/{project_id}/log-streams`): the handlers translate between LTS's wire (reference §3,
//! §4) and the destination service and nothing else.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::errors::{self, from_domain, LtsError};
use super::wire::{self, LtsPath};
use crate::domain::destination::{
    GroupDeletion, LogContainerChanges, LogContainerFilter, LogGroup, LogStream, NewLogContainer,
};
use crate::domain::Tag;
use crate::state::AppState;

pub const GROUPS: &str = "/v2/{project_id}/groups";
pub const GROUP: &str = "/v2/{project_id}/groups/{group_id}";
pub const STREAMS: &str = "/v2/{project_id}/groups/{group_id}/streams";
pub const STREAM: &str = "/v2/{project_id}/groups/{group_id}/streams/{stream_id}";
pub const STREAM_TTL: &str = "/v2/{project_id}/groups/{group_id}/streams-ttl/{stream_id}";
pub const ALL_STREAMS: &str = "/v2/{project_id}/log-streams";

/// Log groups per project, log streams per group (LTS.0104 / LTS.0206).
pub const MAX_GROUPS: u64 = 100;
pub const MAX_STREAMS: u64 = 100;
/// More than a project can hold: every group (or every stream of all groups) in one read.
const LIST_ALL: u32 = 100 * 100 + 100;

/// Where the enterprise project (from the create query) and the alias are kept.
const EPS: &str = "enterprise_project_id";
const ALIAS: &str = "alias";
/// The tag key under which LTS lists the enterprise project.
const EPS_TAG: &str = "_sys_enterprise_project_id";

fn millis(time: chrono::DateTime<chrono::Utc>) -> i64 {
    time.timestamp_millis()
}

/// The `tag` map: the enterprise project, then the user's tags.
fn tag_map(spec: &NewLogContainer) -> Map<String, Value> {
    let mut tag = Map::new();
    tag.insert(
        EPS_TAG.to_owned(),
        Value::String(spec.text_attribute(EPS).unwrap_or("0").to_owned()),
    );
    for Tag { key, value } in &spec.tags {
        tag.insert(key.clone(), Value::String(value.clone()));
    }
    tag
}

fn group_body(group: &LogGroup) -> Value {
    let mut body = json!({
        "creation_time": millis(group.created_at),
        "log_group_name": group.spec.name,
        "log_group_id": group.id,
        "ttl_in_days": group.spec.ttl_days.unwrap_or(30),
        "tag": tag_map(&group.spec),
    });
    if let Some(alias) = group.spec.text_attribute(ALIAS) {
        body["log_group_name_alias"] = json!(alias);
    }
    body
}

fn stream_body(stream: &LogStream, with_group: bool) -> Value {
    let ttl = stream.spec.ttl_days.map_or(-1, i64::from);
    let mut body = json!({
        "creation_time": millis(stream.created_at),
        "log_stream_id": stream.id,
        "log_stream_name": stream.spec.name,
        "tag": tag_map(&stream.spec),
        "filter_count": 0,
        "is_favorite": false,
        "whether_log_storage": true,
        "hot_cold_separation": false,
        "ttl_in_days": ttl,
    });
    if let Some(alias) = stream.spec.text_attribute(ALIAS) {
        body["log_stream_name_alias"] = json!(alias);
    }
    if with_group {
        body["log_group_id"] = json!(stream.group_id);
    }
    body
}

/// The enterprise project of a create's query string (`"0"` without one).
fn enterprise_project(query: Option<&str>) -> Result<String, LtsError> {
    let Some(query) = query else {
        return Ok("0".to_owned());
    };
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == EPS {
            if value.is_empty() || value.len() > 64 {
                return Err(errors::invalid(EPS));
            }
            return Ok(value.into_owned());
        }
    }
    Ok("0".to_owned())
}

pub async fn create_group(
    State(state): State<AppState>,
    path: LtsPath,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, LtsError> {
    let body = wire::object(&body)?;
    let name = wire::name(&body, "log_group_name")?;
    let ttl = wire::group_ttl(&body)?;
    let tags = wire::tags(&body)?;
    let mut attributes = Map::new();
    attributes.insert(EPS.to_owned(), json!(enterprise_project(query.as_deref())?));
    if let Some(alias) = wire::alias(&body, "log_group_name_alias")? {
        attributes.insert(ALIAS.to_owned(), json!(alias));
    }
    let destinations = &state.destinations;
    let (_, held) = destinations
        .groups(&path.scope, &LogContainerFilter::default(), 0, 1)
        .await
        .map_err(from_domain)?;
    if held >= MAX_GROUPS {
        return Err(errors::group_quota());
    }
    let spec = NewLogContainer {
        name,
        description: None,
        ttl_days: Some(ttl),
        tags,
        attributes,
    };
    let group = destinations
        .create_group(&path.scope, spec)
        .await
        .map_err(from_domain)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "log_group_id": group.id })),
    )
        .into_response())
}

pub async fn list_groups(
    State(state): State<AppState>,
    path: LtsPath,
) -> Result<Response, LtsError> {
    let (groups, _) = state
        .destinations
        .groups(&path.scope, &LogContainerFilter::default(), 0, LIST_ALL)
        .await
        .map_err(from_domain)?;
    let log_groups: Vec<Value> = groups.iter().map(group_body).collect();
    Ok(Json(json!({ "log_groups": log_groups })).into_response())
}

pub async fn update_group(
    State(state): State<AppState>,
    path: LtsPath,
    body: Bytes,
) -> Result<Response, LtsError> {
    let body = wire::object(&body)?;
    let ttl = wire::group_ttl(&body)?;
    wire::tags(&body)?;
    let changes = LogContainerChanges {
        ttl_days: Some(ttl),
        ..Default::default()
    };
    let group = state
        .destinations
        .update_group(&path.scope, path.group(), &changes)
        .await
        .map_err(from_domain)?;
    Ok(Json(json!({
        "creation_time": millis(group.created_at),
        "log_group_name": group.spec.name,
        "log_group_id": group.id,
        "ttl_in_days": ttl,
    }))
    .into_response())
}

/// Deleting a group deletes its streams (and their records) too.
pub async fn delete_group(
    State(state): State<AppState>,
    path: LtsPath,
) -> Result<Response, LtsError> {
    state
        .destinations
        .delete_group(&path.scope, path.group(), GroupDeletion::WithStreams)
        .await
        .map_err(from_domain)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn create_stream(
    State(state): State<AppState>,
    path: LtsPath,
    body: Bytes,
) -> Result<Response, LtsError> {
    let body = wire::object(&body)?;
    let name = wire::name(&body, "log_stream_name")?;
    let ttl_days = match wire::integer(&body, "ttl_in_days")? {
        None | Some(-1) => None,
        Some(days @ 1..=365) => Some(days as u32),
        Some(_) => return Err(errors::invalid("ttl_in_days")),
    };
    let tags = wire::tags(&body)?;
    let mut attributes = Map::new();
    if let Some(alias) = wire::alias(&body, "log_stream_name_alias")? {
        attributes.insert(ALIAS.to_owned(), json!(alias));
    }
    if let Some(eps) = wire::text(&body, "enterprise_project_name")? {
        if eps.is_empty() || eps.len() > 64 || eps.eq_ignore_ascii_case("default") {
            return Err(errors::invalid("enterprise_project_name"));
        }
    }
    let destinations = &state.destinations;
    destinations
        .group(&path.scope, path.group())
        .await
        .map_err(from_domain)?;
    let (_, held) = destinations
        .streams(
            &path.scope,
            Some(path.group()),
            &LogContainerFilter::default(),
            0,
            1,
        )
        .await
        .map_err(from_domain)?;
    if held >= MAX_STREAMS {
        return Err(errors::stream_quota());
    }
    let spec = NewLogContainer {
        name,
        description: None,
        ttl_days,
        tags,
        attributes,
    };
    let stream = destinations
        .create_stream(&path.scope, path.group(), spec)
        .await
        .map_err(from_domain)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "log_stream_id": stream.id })),
    )
        .into_response())
}

pub async fn list_streams(
    State(state): State<AppState>,
    path: LtsPath,
) -> Result<Response, LtsError> {
    let destinations = &state.destinations;
    destinations
        .group(&path.scope, path.group())
        .await
        .map_err(from_domain)?;
    let (streams, _) = destinations
        .streams(
            &path.scope,
            Some(path.group()),
            &LogContainerFilter::default(),
            0,
            LIST_ALL,
        )
        .await
        .map_err(from_domain)?;
    let log_streams: Vec<Value> = streams.iter().map(|s| stream_body(s, false)).collect();
    Ok(Json(json!({ "log_streams": log_streams })).into_response())
}

/// Every stream of the project, optionally only those of the group named `log_group_name`
/// and those named `log_stream_name` (exact names).
pub async fn list_all_streams(
    State(state): State<AppState>,
    path: LtsPath,
    RawQuery(query): RawQuery,
) -> Result<Response, LtsError> {
    let (mut group_name, mut stream_name) = (None, None);
    for (key, value) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match &*key {
            "log_group_name" if !value.is_empty() => group_name = Some(value.into_owned()),
            "log_stream_name" if !value.is_empty() => stream_name = Some(value.into_owned()),
            _ => {}
        }
    }
    let destinations = &state.destinations;
    let group_id = match group_name {
        None => None,
        Some(name) => {
            let filter = LogContainerFilter {
                names: vec![name],
                name_contains: None,
            };
            let (groups, _) = destinations
                .groups(&path.scope, &filter, 0, 1)
                .await
                .map_err(from_domain)?;
            match groups.into_iter().next() {
                Some(group) => Some(group.id),
                None => return Ok(Json(json!({ "log_streams": [] })).into_response()),
            }
        }
    };
    let filter = LogContainerFilter {
        names: stream_name.into_iter().collect(),
        name_contains: None,
    };
    let (streams, _) = destinations
        .streams(&path.scope, group_id.as_deref(), &filter, 0, LIST_ALL)
        .await
        .map_err(from_domain)?;
    let log_streams: Vec<Value> = streams.iter().map(|s| stream_body(s, true)).collect();
    Ok(Json(json!({ "log_streams": log_streams })).into_response())
}

/// The stream's own retention (`ttl_in_days` 1..=365; `-1` is taken only for a stream that
/// has none of its own, and changes nothing). Answers with LTS's `log_topic_*` names.
pub async fn update_stream(
    State(state): State<AppState>,
    path: LtsPath,
    body: Bytes,
) -> Result<Response, LtsError> {
    let body = wire::object(&body)?;
    let ttl = wire::integer(&body, "ttl_in_days")?;
    wire::tags(&body)?;
    wire::boolean(&body, "whether_log_storage")?;
    let destinations = &state.destinations;
    let stream = match ttl {
        Some(days @ 1..=365) => {
            let changes = LogContainerChanges {
                ttl_days: Some(days as u32),
                ..Default::default()
            };
            destinations
                .update_stream(&path.scope, path.group(), path.stream(), &changes)
                .await
                .map_err(from_domain)?
        }
        Some(-1) => {
            let stream = destinations
                .stream(&path.scope, path.group(), path.stream())
                .await
                .map_err(from_domain)?;
            if stream.spec.ttl_days.is_some() {
                return Err(errors::invalid("ttl_in_days"));
            }
            stream
        }
        _ => return Err(errors::invalid("ttl_in_days")),
    };
    Ok(Json(json!({
        "creation_time": millis(stream.created_at),
        "log_topic_name": stream.spec.name,
        "log_topic_id": stream.id,
        "ttl_in_days": stream.spec.ttl_days.map_or(-1, i64::from),
    }))
    .into_response())
}

pub async fn delete_stream(
    State(state): State<AppState>,
    path: LtsPath,
) -> Result<Response, LtsError> {
    state
        .destinations
        .delete_stream(&path.scope, path.group(), path.stream())
        .await
        .map_err(from_domain)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
