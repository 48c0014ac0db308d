//! The emulator's own control API under `/_flowplane/`: JSON in, JSON out, for tests and
//! operators. It calls the services' operator operations, which cross tenants by design.

mod faults;
mod metrics;
pub mod openapi;
mod query;
mod records;
mod requests;
mod snapshot;
mod token;
mod transitions;
mod views;

pub use token::ControlToken;

use axum::extract::State;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::context::{Face, FaceKind, Failure, RequestContext, RequestId};
use crate::domain::{
    DomainError, FlowLogFilter, Page, Provider, ResetProduct, ResetScope, Status, Visibility,
};
use crate::state::AppState;
use query::{ControlQuery, Limit};
use views::FlowLogView;

/// The control routes' paths, named once for the router and the OpenAPI document.
pub const RESET: &str = "/_flowplane/reset";
pub const FLOW_LOGS: &str = "/_flowplane/flow-logs";
pub const TRANSITIONS: &str = "/_flowplane/transitions";
pub const TICK: &str = "/_flowplane/transitions/tick";
pub const GENERATE: &str = "/_flowplane/records/generate";
pub const RECORDS: &str = "/_flowplane/records";
pub const REQUESTS: &str = "/_flowplane/requests";
pub const FAULTS: &str = "/_flowplane/faults";
pub const FAULT: &str = "/_flowplane/faults/{id}";
pub const SNAPSHOT: &str = "/_flowplane/snapshot";
pub const HEALTH: &str = "/_flowplane/health";
pub const METRICS: &str = "/metrics";
pub const OPENAPI: &str = "/_flowplane/openapi.json";
pub const OPENAPI_ALIBABA: &str = "/_flowplane/openapi/alibaba.json";

/// The control routes. Every one but health and the OpenAPI documents is behind
/// [`token::require`], which asks for the `--control-token` when one is set.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(RESET, post(reset))
        .route(FLOW_LOGS, get(flow_logs))
        .route(
            TRANSITIONS,
            get(transitions::get)
                .put(transitions::put)
                .delete(transitions::delete),
        )
        .route(TICK, post(tick))
        .route(GENERATE, post(records::generate))
        .route(RECORDS, get(records::list))
        .route(REQUESTS, get(requests::list))
        .route(
            FAULTS,
            get(faults::list)
                .post(faults::add)
                .delete(faults::remove_all),
        )
        .route(FAULT, axum::routing::delete(faults::remove))
        .route(SNAPSHOT, get(snapshot::export).post(snapshot::import))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            token::require,
        ))
        .route(HEALTH, get(health))
        // The API's description is open, as health is.
        .route(OPENAPI, get(openapi::serve))
        .route(OPENAPI_ALIBABA, get(openapi::serve_alibaba))
        .route(METRICS, get(metrics::scrape))
}

/// The control API's face: everything under `/_flowplane`, errors in its own envelope.
pub struct ControlFace;

impl Face for ControlFace {
    fn kind(&self) -> FaceKind {
        FaceKind::Control
    }

    fn claims(&self, path: &str, _headers: &axum::http::HeaderMap) -> bool {
        path == "/_flowplane" || path.starts_with("/_flowplane/") || path == "/metrics"
    }

    fn new_request_id(&self) -> RequestId {
        RequestId::new(uuid::Uuid::new_v4().simple().to_string())
    }

    fn render(&self, _context: &RequestContext, failure: &Failure) -> Response {
        ControlError::Failure(failure.clone()).into_response()
    }
}

#[derive(Debug)]
pub enum ControlError {
    BadParameter(String),
    NotFound(String),
    /// The request clashes with what is stored (a snapshot's ids already taken).
    Conflict(String),
    /// The body is larger than the endpoint takes.
    TooLarge(String),
    /// No control token, or not the right one.
    Unauthorized(&'static str),
    Failure(Failure),
    Domain(DomainError),
}

impl From<DomainError> for ControlError {
    fn from(err: DomainError) -> Self {
        ControlError::Domain(err)
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let (status, code, message): (StatusCode, &str, String) = match &self {
            ControlError::BadParameter(message) => {
                (StatusCode::BAD_REQUEST, "InvalidParameter", message.clone())
            }
            ControlError::NotFound(message) => (StatusCode::NOT_FOUND, "NotFound", message.clone()),
            ControlError::Conflict(message) => (StatusCode::CONFLICT, "Conflict", message.clone()),
            ControlError::TooLarge(message) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "PayloadTooLarge",
                message.clone(),
            ),
            ControlError::Unauthorized(message) => {
                (StatusCode::UNAUTHORIZED, "Unauthorized", (*message).into())
            }
            ControlError::Failure(Failure::NoSuchRoute) => (
                StatusCode::NOT_FOUND,
                "NotFound",
                "no such control endpoint".into(),
            ),
            ControlError::Failure(Failure::MethodNotAllowed) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "method not allowed on this endpoint".into(),
            ),
            ControlError::Failure(Failure::Timeout) => (
                StatusCode::GATEWAY_TIMEOUT,
                "Timeout",
                "the request timed out".into(),
            ),
            ControlError::Failure(Failure::Internal) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "internal error".into(),
            ),
            ControlError::Failure(Failure::Cloud {
                status,
                code,
                message,
            }) => (*status, code, message.clone()),
            ControlError::Failure(Failure::Throttled { .. }) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Throttled",
                "too many requests".into(),
            ),
            ControlError::Domain(err) => {
                tracing::error!(error = %err, "database failure");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "DatabaseUnavailable",
                    "the database did not answer".into(),
                )
            }
        };
        let body = json!({ "error": { "code": code, "message": message }, "request_id": RequestId::current().as_str() });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, "Bearer".parse().expect("a header value"));
        }
        response
    }
}

async fn health(State(state): State<AppState>) -> Response {
    let service = &state.flow_logs;
    let (status, word) = match service.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::warn!(error = %err, "health check could not reach the database");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let body = json!({ "status": word, "version": env!("CARGO_PKG_VERSION"), "database": service.backend() });
    (status, Json(body)).into_response()
}

/// `provider`, `tenant` (with Alibaba, `region`) and `product` narrow a reset; the domain's
/// [`ResetScope`] says what they cover.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetQuery {
    #[serde(default, deserialize_with = "query::provider")]
    provider: Option<Provider>,
    tenant: Option<String>,
    region: Option<String>,
    #[serde(default, deserialize_with = "query::reset_product")]
    product: Option<ResetProduct>,
}

/// `{"deleted": total, "by_kind": {"flow_logs": n, …}}`: `deleted` keeps the shape it had when
/// a reset removed flow logs only, now counting every row removed.
async fn reset(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<ResetQuery>,
) -> Result<Response, ControlError> {
    let scope = ResetScope::new(query.provider, query.tenant, query.region, query.product)
        .map_err(|err| ControlError::BadParameter(err.to_string()))?;
    let counts = state.flow_logs.reset(&scope).await?;
    let body = json!({ "deleted": counts.total(), "by_kind": counts.by_kind() });
    Ok(Json(body).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowLogsQuery {
    #[serde(default, deserialize_with = "query::provider")]
    provider: Option<Provider>,
    tenant: Option<String>,
    #[serde(default, deserialize_with = "query::statuses")]
    status: Vec<Status>,
    #[serde(default)]
    limit: Limit,
    #[serde(default, deserialize_with = "query::whole_number")]
    offset: u64,
}

async fn flow_logs(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<FlowLogsQuery>,
) -> Result<Response, ControlError> {
    let visibility = Visibility::Any {
        provider: query.provider,
        tenant_id: query.tenant.as_deref(),
        region_id: None,
    };
    let filter = FlowLogFilter {
        statuses: query.status,
        ..Default::default()
    };
    let page = Page::Offset {
        offset: query.offset,
        limit: query.limit.get(),
    };
    let flow_logs = state.flow_logs.list_all(visibility, &filter, &page).await?;
    let views: Vec<FlowLogView<'_>> = flow_logs.iter().map(Into::into).collect();
    Ok(Json(json!({ "flow_logs": views })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TickQuery {
    #[serde(default, deserialize_with = "query::boolean")]
    all: bool,
}

async fn tick(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<TickQuery>,
) -> Result<Response, ControlError> {
    let due_by = if query.all {
        DateTime::<Utc>::MAX_UTC
    } else {
        Utc::now()
    };
    let mut completed = state.flow_logs.complete_due(due_by).await?;
    completed.merge(state.network.complete_due(due_by).await?);
    state.metrics.observe_transition_lags(&completed.lags);
    Ok(Json(json!({ "completed": completed.count })).into_response())
}
