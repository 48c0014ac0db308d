//! The Huawei Cloud face: VPC flow-log API v1 under `/v1/{project_id}/fl/flow_logs`.
//! It parses and validates the wire format, calls the domain service and writes Huawei's answers.

mod error;
pub mod signature;
mod wire;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use error::ApiOperation;
pub use error::HuaweiError;

use crate::app::AppState;
use crate::config::AuthMode;
use crate::domain::{FlowLogId, Operation, TenantScope};
use crate::signing::{target_of, SignedRequest};

/// The Huawei routes, behind [`authenticate`] (which reads `state`'s auth mode and keys).
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/v1/{project_id}/fl/flow_logs",
            get(list_flow_logs).post(create_flow_log),
        )
        .route(
            "/v1/{project_id}/fl/flow_logs/{flowlog_id}",
            get(show_flow_log)
                .put(update_flow_log)
                .delete(delete_flow_log),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
}

/// With `--auth verify`, the gateway's part: the AK/SK signature over the raw request (401
/// APIGW.0301), then the URL's project must be one the key may use (400 VPC.0007). The body is
/// read here, within the body limit (413 APIGW.0201 over it), and handed on unchanged.
async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.auth == AuthMode::Off {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let body = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return HuaweiError::payload_too_large().into_response()
        }
        Err(_) => {
            return HuaweiError::invalid_because("flow_log", "the request body could not be read")
                .into_response()
        }
    };
    let signed = SignedRequest {
        method: parts.method.as_str(),
        target: target_of(&parts.uri),
        headers: &parts.headers,
        body: &body,
    };
    let key = match signature::verify(&signed, &state.credentials, Utc::now()) {
        Ok(key) => key,
        Err(err) => {
            tracing::info!(reason = %err, "signature refused");
            if let Some(canonical_request) = err.canonical_request() {
                tracing::debug!(canonical_request, "the server's canonical request");
            }
            return HuaweiError::from(err).into_response();
        }
    };
    let allowed = match path_segment(&parts, 2) {
        Some(project_id) => key.may_use_project(&project_id),
        // Not a readable project id: the handler refuses it, unless the key is limited anyway.
        None => key.projects().is_none(),
    };
    if !allowed {
        tracing::info!(
            access_key = key.access_key(),
            "the key may not use the URL's project"
        );
        return HuaweiError::project_not_allowed().into_response();
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
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
        let project_id =
            path_segment(parts, 2).ok_or_else(|| HuaweiError::invalid("project_id"))?;
        wire::parse_project_id(&project_id).map(Project)
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
            _ => Err(HuaweiError::malformed_flow_log_id()),
        }
    }
}

/// A JSON request body: `application/json` (any charset parameter), at most the body limit,
/// well-formed. Every failure is answered in Huawei's envelope.
struct HuaweiJson(Value);

impl<S: Send + Sync> FromRequest<S> for HuaweiJson {
    type Rejection = HuaweiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !is_json_content_type(content_type) {
            return Err(HuaweiError::invalid_because(
                "Content-Type",
                "expected application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                HuaweiError::payload_too_large()
            } else {
                HuaweiError::invalid_because("flow_log", "the request body could not be read")
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(HuaweiJson)
            .map_err(|err| {
                HuaweiError::invalid_because(
                    "flow_log",
                    format_args!("the body is not valid JSON ({err})"),
                )
            })
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
    HuaweiJson(body): HuaweiJson,
) -> Result<Response, HuaweiError> {
    let spec = wire::parse_create(&body)?;
    let flow_log = state
        .service
        .create(&scope, spec)
        .await
        .map_err(|err| HuaweiError::from_domain(ApiOperation::Create, &scope, err))?;
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
        .service
        .list(&scope, &filter, &page)
        .await
        .map_err(|err| HuaweiError::from_domain(ApiOperation::List, &scope, err))?;
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
        .service
        .get(&scope, &id)
        .await
        .map_err(|err| HuaweiError::from_domain(ApiOperation::Show, &scope, err))?;
    Ok(Json(wire::FlowLogBody {
        flow_log: (&flow_log).into(),
    })
    .into_response())
}

async fn update_flow_log(
    State(state): State<AppState>,
    FlowLogPath(scope, id): FlowLogPath,
    HuaweiJson(body): HuaweiJson,
) -> Result<Response, HuaweiError> {
    let (changes, admin_state) = wire::parse_update(&body)?;
    let flow_log = state
        .service
        .update(&scope, &id, &changes, admin_state)
        .await
        .map_err(|err| HuaweiError::from_domain(ApiOperation::Update, &scope, err))?;
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
        .service
        .apply(&scope, &id, Operation::Delete)
        .await
        .map_err(|err| HuaweiError::from_domain(ApiOperation::Delete, &scope, err))?;
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
