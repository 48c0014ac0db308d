//! Flow logs (API v1): `/v1/{project_id}/fl/flow_logs[/{flowlog_id}]`. The handlers translate
//! between the wire ([`super::wire`]) and the flow-log service and nothing else.

use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::errors::{from_domain, malformed_flow_log_id, FlowLogOperation as Op};
use super::extract::{PathParams, Project, VpcJson};
use super::wire::{self, CreateFlowLogRequestBody, UpdateFlowLogRequestBody};
use crate::domain::{FlowLogId, Operation, TenantScope};
use crate::huawei::error::HuaweiError;
use crate::state::AppState;

pub const FLOW_LOGS: &str = "/v1/{project_id}/fl/flow_logs";
pub const FLOW_LOG: &str = "/v1/{project_id}/fl/flow_logs/{flowlog_id}";

/// The project and the flow-log id of a `…/flow_logs/{flowlog_id}` URL.
pub struct FlowLogPath(TenantScope, FlowLogId);

impl<S: Send + Sync> FromRequestParts<S> for FlowLogPath {
    type Rejection = HuaweiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Project(scope) = Project::from_request_parts(parts, state).await?;
        let Ok(params) = PathParams::from_request_parts(parts, state).await;
        match params.get("flowlog_id") {
            Some(id) if wire::is_flow_log_id(id) => {
                Ok(FlowLogPath(scope, FlowLogId::from_trusted(id)))
            }
            _ => Err(malformed_flow_log_id()),
        }
    }
}

pub async fn create_flow_log(
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

pub async fn list_flow_logs(
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

pub async fn show_flow_log(
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

pub async fn update_flow_log(
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

pub async fn delete_flow_log(
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
