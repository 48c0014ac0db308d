//! The emulator's own control API under `/_flowplane/`: JSON in, JSON out, for tests and operators.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::json;

use crate::app::AppState;
use crate::domain::{FlowLog, FlowLogFilter, Page, Provider, Status};
use crate::edge::{EdgeFailure, RequestId};
use crate::store::{StoreError, Visibility};

/// The most flow logs one `GET /_flowplane/flow-logs` returns.
const MAX_VIEW_LIMIT: u32 = 10_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_flowplane/health", get(health))
        .route("/_flowplane/reset", post(reset))
        .route("/_flowplane/flow-logs", get(flow_logs))
        .route("/_flowplane/transitions/tick", post(tick))
}

#[derive(Debug)]
pub enum ControlError {
    BadParameter(String),
    Edge(EdgeFailure),
    Store(StoreError),
}

impl From<StoreError> for ControlError {
    fn from(err: StoreError) -> Self {
        ControlError::Store(err)
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ControlError::BadParameter(message) => {
                (StatusCode::BAD_REQUEST, "InvalidParameter", message)
            }
            ControlError::Edge(EdgeFailure::NoSuchRoute) => (
                StatusCode::NOT_FOUND,
                "NotFound",
                "no such control endpoint".into(),
            ),
            ControlError::Edge(EdgeFailure::MethodNotAllowed) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "method not allowed on this endpoint".into(),
            ),
            ControlError::Edge(EdgeFailure::Timeout) => (
                StatusCode::GATEWAY_TIMEOUT,
                "Timeout",
                "the request timed out".into(),
            ),
            ControlError::Edge(EdgeFailure::Internal) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "internal error".into(),
            ),
            ControlError::Store(err) => {
                tracing::error!(error = %err, "database failure");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "DatabaseUnavailable",
                    "the database did not answer".into(),
                )
            }
        };
        let body = json!({ "error": { "code": code, "message": message }, "request_id": RequestId::current().as_str() });
        (status, Json(body)).into_response()
    }
}

/// Query parameters as (name, value) pairs; unknown names are refused so typos are noticed.
fn query_pairs(query: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>, ControlError> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(key, value)| {
            if known.contains(&key.as_ref()) {
                Ok((key.into_owned(), value.into_owned()))
            } else {
                Err(ControlError::BadParameter(format!(
                    "unknown parameter {key:?}; known: {}",
                    known.join(", ")
                )))
            }
        })
        .collect()
}

fn parse_provider(value: &str) -> Result<Provider, ControlError> {
    Provider::parse(value).ok_or_else(|| {
        ControlError::BadParameter(format!("provider must be huawei or alibaba, not {value:?}"))
    })
}

async fn health(State(state): State<AppState>) -> Response {
    let store = state.service.store();
    let (status, word) = match store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::warn!(error = %err, "health check could not reach the database");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let body = json!({ "status": word, "version": env!("CARGO_PKG_VERSION"), "database": store.backend() });
    (status, Json(body)).into_response()
}

async fn reset(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ControlError> {
    let mut provider = None;
    for (_, value) in query_pairs(query.as_deref(), &["provider"])? {
        provider = Some(parse_provider(&value)?);
    }
    let deleted = state.service.store().reset(provider).await?;
    Ok(Json(json!({ "deleted": deleted })).into_response())
}

/// The provider-neutral view of a stored flow log.
#[derive(Debug, Serialize)]
struct FlowLogView<'a> {
    provider: &'static str,
    tenant_id: &'a str,
    region_id: &'a str,
    id: &'a str,
    name: Option<&'a str>,
    description: Option<&'a str>,
    resource_kind: &'static str,
    resource_id: &'a str,
    traffic_filter: &'static str,
    traffic_paths: &'a [String],
    aggregation_interval: Option<u32>,
    ip_version: Option<&'a str>,
    log_format: Option<&'a str>,
    destination: DestinationView<'a>,
    index_enabled: bool,
    resource_group_id: Option<&'a str>,
    status: &'static str,
    due_at: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Debug, Serialize)]
struct DestinationView<'a> {
    group: &'a str,
    topic: &'a str,
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl<'a> From<&'a FlowLog> for FlowLogView<'a> {
    fn from(flow_log: &'a FlowLog) -> Self {
        let spec = &flow_log.spec;
        FlowLogView {
            provider: flow_log.scope.provider().as_str(),
            tenant_id: flow_log.scope.tenant_id(),
            region_id: flow_log.scope.region_id(),
            id: flow_log.id.as_str(),
            name: spec.name.as_deref(),
            description: spec.description.as_deref(),
            resource_kind: spec.resource_kind.as_str(),
            resource_id: &spec.resource_id,
            traffic_filter: spec.traffic_filter.as_str(),
            traffic_paths: &spec.traffic_paths,
            aggregation_interval: spec.aggregation_interval,
            ip_version: spec.ip_version.as_deref(),
            log_format: spec.log_format.as_deref(),
            destination: DestinationView {
                group: &spec.destination.group,
                topic: &spec.destination.topic,
            },
            index_enabled: spec.index_enabled,
            resource_group_id: spec.resource_group_id.as_deref(),
            status: flow_log.status.as_str(),
            due_at: flow_log.due_at.map(rfc3339),
            created_at: rfc3339(flow_log.created_at),
            updated_at: rfc3339(flow_log.updated_at),
        }
    }
}

async fn flow_logs(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ControlError> {
    let mut provider = None;
    let mut tenant_id = None;
    let mut filter = FlowLogFilter::default();
    let (mut offset, mut limit) = (0u64, 1000u32);
    for (key, value) in query_pairs(
        query.as_deref(),
        &["provider", "tenant", "status", "limit", "offset"],
    )? {
        match key.as_str() {
            "provider" => provider = Some(parse_provider(&value)?),
            "tenant" => tenant_id = Some(value),
            "status" => {
                filter.statuses.push(Status::parse(&value).ok_or_else(|| {
                    ControlError::BadParameter(format!("unknown status {value:?}"))
                })?)
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_VIEW_LIMIT).contains(l))
                    .ok_or_else(|| {
                        ControlError::BadParameter(format!("limit must be 1..={MAX_VIEW_LIMIT}"))
                    })?
            }
            _ => {
                offset = value.parse().map_err(|_| {
                    ControlError::BadParameter("offset must be a whole number".into())
                })?
            }
        }
    }
    let visibility = Visibility::Any {
        provider,
        tenant_id: tenant_id.as_deref(),
    };
    let flow_logs = state
        .service
        .store()
        .list(visibility, &filter, &Page::Offset { offset, limit })
        .await?;
    let views: Vec<FlowLogView<'_>> = flow_logs.iter().map(Into::into).collect();
    Ok(Json(json!({ "flow_logs": views })).into_response())
}

async fn tick(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ControlError> {
    let mut all = false;
    for (_, value) in query_pairs(query.as_deref(), &["all"])? {
        all = value.parse().map_err(|_| {
            ControlError::BadParameter(format!("all must be true or false, not {value:?}"))
        })?;
    }
    let due_by = if all {
        DateTime::<Utc>::MAX_UTC
    } else {
        Utc::now()
    };
    let completed = state.worker.tick(due_by).await?;
    Ok(Json(json!({ "completed": completed })).into_response())
}
