//! Projects: CreateProject (`POST /`), GetProject (`GET /` on the project's host), ListProject
//! (`GET /` on the bare endpoint), UpdateProject (`PUT /`), DeleteProject (`DELETE /`, with
//! its logstores and their records). A project is a destination group whose id is its name.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::error::{with_sls_headers, SlsError};
use super::gateway::SlsCall;
use crate::domain::destination::{
    GroupDeletion, LogContainerChanges, LogContainerFilter, LogGroup, NewLogContainer,
};
use crate::domain::tenancy::{default_resource_group_id, is_resource_group_of};
use crate::state::AppState;

/// The longest description kept.
const MAX_DESCRIPTION_CHARS: usize = 1024;

/// An SLS success: 200 with a JSON body (or none), with SLS's headers.
pub fn ok(body: Option<Value>) -> Response {
    let mut response = match body {
        Some(body) => (StatusCode::OK, Json(body)).into_response(),
        None => StatusCode::OK.into_response(),
    };
    with_sls_headers(&mut response);
    response
}

pub fn answer(result: Result<Option<Value>, SlsError>) -> Response {
    match result {
        Ok(body) => ok(body),
        Err(err) => err.into_response(),
    }
}

/// Project names: 3–63 of `[a-z0-9-]`, starting and ending with a letter or digit.
pub fn is_project_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

fn text_field<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, SlsError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(SlsError::parameter(format!(
            "The parameter {key} must be a string."
        ))),
    }
}

fn description(body: &Map<String, Value>) -> Result<Option<String>, SlsError> {
    let description = text_field(body, "description")?;
    if description.is_some_and(|text| text.chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(SlsError::parameter(format!(
            "The description is longer than {MAX_DESCRIPTION_CHARS} characters."
        )));
    }
    Ok(description.map(str::to_owned))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
) -> Response {
    answer(create_project(&state, &call).await)
}

async fn create_project(state: &AppState, call: &SlsCall) -> Result<Option<Value>, SlsError> {
    let body = call.json()?;
    let name = match text_field(&body, "projectName")? {
        Some(name) => name.to_owned(),
        None => call.project()?.to_owned(),
    };
    if !is_project_name(&name) {
        return Err(SlsError::parameter(format!(
            "project name {name} is invalid"
        )));
    }
    let account = call.scope.tenant_id();
    let resource_group = match text_field(&body, "resourceGroupId")? {
        None | Some("") => default_resource_group_id(account),
        Some(id) if is_resource_group_of(account, id) => id.to_owned(),
        Some(id) => {
            return Err(SlsError::parameter(format!(
                "The resource group {id} does not exist."
            )))
        }
    };
    let redundancy = match text_field(&body, "dataRedundancyType")? {
        None | Some("") => "LRS",
        Some("LRS") => "LRS",
        Some("ZRS") => "ZRS",
        Some(other) => {
            return Err(SlsError::parameter(format!(
                "dataRedundancyType {other} is invalid: LRS or ZRS"
            )))
        }
    };
    let mut attributes = Map::new();
    attributes.insert("resource_group_id".into(), json!(resource_group));
    attributes.insert("data_redundancy_type".into(), json!(redundancy));
    attributes.insert(
        "recycle_bin_enabled".into(),
        json!(body
            .get("recycleBinEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false)),
    );
    let spec = NewLogContainer {
        name,
        description: Some(description(&body)?.unwrap_or_default()),
        attributes,
        ..NewLogContainer::default()
    };
    state.destinations.create_group(&call.scope, spec).await?;
    Ok(None)
}

/// A project as GetProject and ListProject write it (times as strings).
fn project_view(project: &LogGroup) -> Value {
    let region = project.scope.region_id();
    let spec = &project.spec;
    json!({
        "projectName": spec.name,
        "description": spec.description.clone().unwrap_or_default(),
        "status": "Normal",
        "owner": project.scope.tenant_id(),
        "region": region,
        "createTime": project.created_at.timestamp().to_string(),
        "lastModifyTime": project.updated_at.timestamp().to_string(),
        "resourceGroupId": spec.text_attribute("resource_group_id").map_or_else(
            || default_resource_group_id(project.scope.tenant_id()),
            str::to_owned,
        ),
        "dataRedundancyType": spec.text_attribute("data_redundancy_type").unwrap_or("LRS"),
        "recycleBinEnabled": spec.bool_attribute("recycle_bin_enabled").unwrap_or(false),
        "location": "",
        "internetEndpoint": format!("{region}.log.aliyuncs.com"),
        "internalEndpoint": format!("{region}-intranet.log.aliyuncs.com"),
    })
}

pub async fn get_or_list(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
) -> Response {
    answer(match &call.project {
        Some(project) => state
            .destinations
            .group(&call.scope, project)
            .await
            .map(|project| Some(project_view(&project)))
            .map_err(SlsError::from),
        None => list(&state, &call).await,
    })
}

/// `offset` (default 0) and `size` (default 100, at most `max_size`) of a listing.
pub fn page(call: &SlsCall, max_size: u32) -> Result<(u64, u32), SlsError> {
    let offset = match call.param("offset") {
        None => 0,
        Some(text) => text.parse::<u64>().map_err(|_| {
            SlsError::parameter("The parameter offset must be a non-negative integer.")
        })?,
    };
    let size = match call.param("size") {
        None => 100,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|size| (1..=max_size).contains(size))
            .ok_or_else(|| {
                SlsError::parameter(format!(
                    "The parameter size must be an integer in [1, {max_size}]."
                ))
            })?,
    };
    Ok((offset, size))
}

async fn list(state: &AppState, call: &SlsCall) -> Result<Option<Value>, SlsError> {
    let (offset, size) = page(call, 500)?;
    let filter = LogContainerFilter {
        names: Vec::new(),
        name_contains: call.param("projectName").map(str::to_owned),
    };
    let (projects, total) = state
        .destinations
        .groups(&call.scope, &filter, offset, size)
        .await?;
    let projects: Vec<Value> = projects.iter().map(project_view).collect();
    Ok(Some(json!({
        "count": projects.len(),
        "total": total,
        "projects": projects,
    })))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
) -> Response {
    answer(update_project(&state, &call).await)
}

async fn update_project(state: &AppState, call: &SlsCall) -> Result<Option<Value>, SlsError> {
    let project = call.project()?;
    let body = call.json()?;
    let changes = LogContainerChanges {
        description: description(&body)?,
        ..LogContainerChanges::default()
    };
    state
        .destinations
        .update_group(&call.scope, project, &changes)
        .await?;
    Ok(None)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(call): Extension<Arc<SlsCall>>,
) -> Response {
    answer(delete_project(&state, &call).await)
}

async fn delete_project(state: &AppState, call: &SlsCall) -> Result<Option<Value>, SlsError> {
    let project = call.project()?;
    state
        .destinations
        .delete_group(&call.scope, project, GroupDeletion::WithStreams)
        .await?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::is_project_name;

    #[test]
    fn project_names() {
        for good in ["abc", "fl-proj-1", "a1b", &"a".repeat(63)] {
            assert!(is_project_name(good), "{good}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "ABC",
            "a_b",
            "a.b",
            &"a".repeat(64),
            "ab c",
            "ąbc",
        ] {
            assert!(!is_project_name(bad), "{bad}");
        }
    }
}
