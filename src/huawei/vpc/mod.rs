//! Huawei VPC, flow logs (API v1): `/v1/{project_id}/fl/flow_logs[/{flowlog_id}]`. Each
//! operation is registered with the gateway once, under the name the SDKs give it; the handlers
//! translate between the wire and the domain and nothing else.

mod errors;
mod names;
mod wire;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Json;
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

pub use errors::internal as internal_error;
use errors::{
    from_domain, invalid, invalid_because, malformed_flow_log_id, FlowLogOperation as Op,
};
use wire::{CreateFlowLogRequestBody, UpdateFlowLogRequestBody};

use super::error::HuaweiError;
use super::gateway::{is_project_id, Operations};
use crate::domain::{FlowLogId, Operation, TenantScope};
use crate::state::AppState;

/// The product's name in the request context.
pub const PRODUCT: &str = "vpc";

const FLOW_LOGS: &str = "/v1/{project_id}/fl/flow_logs";
const FLOW_LOG: &str = "/v1/{project_id}/fl/flow_logs/{flowlog_id}";

/// Every operation of the product, with the gateway.
pub fn operations(operations: Operations) -> Operations {
    operations
        .add(FLOW_LOGS, "CreateFlowLog", post(create_flow_log))
        .add(FLOW_LOGS, "ListFlowLogs", get(list_flow_logs))
        .add(FLOW_LOG, "ShowFlowLog", get(show_flow_log))
        .add(FLOW_LOG, "UpdateFlowLog", put(update_flow_log))
        .add(FLOW_LOG, "DeleteFlowLog", delete(delete_flow_log))
}

/// The project of the URL, the caller's tenant (with `--auth verify`, one its key may use).
struct Project(TenantScope);

/// The percent-decoded path segment at `index` (`/v1/{project_id}/fl/flow_logs/{flowlog_id}`
/// has the project at 2 and the flow log at 5); `None` when it is not UTF-8.
fn path_segment(parts: &Parts, index: usize) -> Option<String> {
    let raw = parts.uri.path().split('/').nth(index)?;
    percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

impl<S: Send + Sync> FromRequestParts<S> for Project {
    type Rejection = HuaweiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match path_segment(parts, 2) {
            Some(project_id) if is_project_id(&project_id) => {
                Ok(Project(TenantScope::huawei_project(project_id)))
            }
            _ => Err(invalid("project_id")),
        }
    }
}

/// The project and the flow-log id of a `…/flow_logs/{flowlog_id}` URL.
struct FlowLogPath(TenantScope, FlowLogId);

impl<S: Send + Sync> FromRequestParts<S> for FlowLogPath {
    type Rejection = HuaweiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Project(scope) = Project::from_request_parts(parts, state).await?;
        match path_segment(parts, 5) {
            Some(id) if wire::is_flow_log_id(&id) => {
                Ok(FlowLogPath(scope, FlowLogId::from_trusted(id)))
            }
            _ => Err(malformed_flow_log_id()),
        }
    }
}

/// A JSON request body as the typed `T`: `application/json` (any charset parameter but a
/// non-UTF-8 one), at most the body limit, well-formed. Every failure is answered in the VPC
/// envelope.
struct VpcJson<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for VpcJson<T> {
    type Rejection = HuaweiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !is_json_content_type(content_type) {
            return Err(invalid_because("Content-Type", "expected application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                HuaweiError::payload_too_large()
            } else {
                invalid_because(wire::WRAPPER, "the request body could not be read")
            }
        })?;
        let body = serde_json::from_slice(&bytes).map_err(|err| {
            invalid_because(
                wire::WRAPPER,
                format_args!("the body is not valid JSON ({err})"),
            )
        })?;
        wire::typed_body(body).map(VpcJson)
    }
}

fn is_json_content_type(value: &str) -> bool {
    let mut parts = value.split(';');
    let essence_ok = parts
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    // Any charset other than UTF-8 is refused: the JSON is read as UTF-8.
    let charset_ok = parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    essence_ok && charset_ok
}

async fn create_flow_log(
    State(state): State<AppState>,
    Project(scope): Project,
    VpcJson(body): VpcJson<CreateFlowLogRequestBody>,
) -> Result<Response, HuaweiError> {
    let spec = body.into_spec()?;
    let flow_log = state
        .flow_logs
        .create(&scope, spec)
        .await
        .map_err(|err| from_domain(Op::Create, &scope, err))?;
    Ok(Json(wire::FlowLogBody {
        flow_log: (&flow_log).into(),
    })
    .into_response())
}

async fn list_flow_logs(
    State(state): State<AppState>,
    Project(scope): Project,
    RawQuery(query): RawQuery,
) -> Result<Response, HuaweiError> {
    let (filter, page) = wire::parse_list_query(&scope, query.as_deref())?;
    let flow_logs = state
        .flow_logs
        .list(&scope, &filter, &page)
        .await
        .map_err(|err| from_domain(Op::List, &scope, err))?;
    Ok(Json(wire::FlowLogsBody {
        flow_logs: flow_logs.iter().map(Into::into).collect(),
    })
    .into_response())
}

async fn show_flow_log(
    State(state): State<AppState>,
    FlowLogPath(scope, id): FlowLogPath,
) -> Result<Response, HuaweiError> {
    let flow_log = state
        .flow_logs
        .get(&scope, &id)
        .await
        .map_err(|err| from_domain(Op::Show, &scope, err))?;
    Ok(Json(wire::FlowLogBody {
        flow_log: (&flow_log).into(),
    })
    .into_response())
}

async fn update_flow_log(
    State(state): State<AppState>,
    FlowLogPath(scope, id): FlowLogPath,
    VpcJson(body): VpcJson<UpdateFlowLogRequestBody>,
) -> Result<Response, HuaweiError> {
    let (changes, admin_state) = body.into_changes()?;
    let flow_log = state
        .flow_logs
        .update(&scope, &id, &changes, admin_state)
        .await
        .map_err(|err| from_domain(Op::Update, &scope, err))?;
    Ok(Json(wire::FlowLogBody {
        flow_log: (&flow_log).into(),
    })
    .into_response())
}

async fn delete_flow_log(
    State(state): State<AppState>,
    FlowLogPath(scope, id): FlowLogPath,
) -> Result<Response, HuaweiError> {
    state
        .flow_logs
        .apply(&scope, &id, Operation::Delete)
        .await
        .map_err(|err| from_domain(Op::Delete, &scope, err))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::is_json_content_type;

    #[test]
    fn json_content_types() {
        for ok in [
            "application/json",
            "application/json;charset=utf-8",
            "Application/JSON; charset=\"UTF-8\"",
        ] {
            assert!(is_json_content_type(ok), "{ok}");
        }
        for bad in [
            "",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=gbk",
            "application/jsonx",
        ] {
            assert!(!is_json_content_type(bad), "{bad}");
        }
    }
}
