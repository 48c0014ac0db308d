//! The Alibaba Cloud face: the VPC RPC API (2016-04-28) at `/`, for GET and POST. It merges and
//! decodes the parameters, picks the action, checks each parameter, calls the domain service
//! and answers as the SDK models want, in JSON or (`Format=XML`) XML.

mod error;
mod params;
pub mod signature;
mod wire;
mod xml;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

pub use error::AlibabaError;
use params::Params;
use xml::Format;

use crate::app::AppState;
use crate::config::AuthMode;
use crate::credentials::Credentials;
use crate::domain::{
    Applied, AttributeChanges, FlowLogService, Modifiable, Operation, TenantScope,
};
use crate::edge::RequestId;
use crate::signing::{target_of, SignedRequest};

/// The only API version this face speaks.
const VERSION: &str = "2016-04-28";

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(rpc).post(rpc))
}

/// Every action this face answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    CreateFlowLog,
    DescribeFlowLogs,
    ModifyFlowLogAttribute,
    DeleteFlowLog,
    ActiveFlowLog,
    DeactiveFlowLog,
    GetFlowLogServiceStatus,
    OpenFlowLogService,
    TagResources,
    UnTagResources,
    ListTagResources,
    MoveResourceGroup,
}

impl Action {
    const ALL: [Action; 12] = [
        Action::CreateFlowLog,
        Action::DescribeFlowLogs,
        Action::ModifyFlowLogAttribute,
        Action::DeleteFlowLog,
        Action::ActiveFlowLog,
        Action::DeactiveFlowLog,
        Action::GetFlowLogServiceStatus,
        Action::OpenFlowLogService,
        Action::TagResources,
        Action::UnTagResources,
        Action::ListTagResources,
        Action::MoveResourceGroup,
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.name() == name)
    }

    fn name(self) -> &'static str {
        match self {
            Action::CreateFlowLog => "CreateFlowLog",
            Action::DescribeFlowLogs => "DescribeFlowLogs",
            Action::ModifyFlowLogAttribute => "ModifyFlowLogAttribute",
            Action::DeleteFlowLog => "DeleteFlowLog",
            Action::ActiveFlowLog => "ActiveFlowLog",
            Action::DeactiveFlowLog => "DeactiveFlowLog",
            Action::GetFlowLogServiceStatus => "GetFlowLogServiceStatus",
            Action::OpenFlowLogService => "OpenFlowLogService",
            Action::TagResources => "TagResources",
            Action::UnTagResources => "UnTagResources",
            Action::ListTagResources => "ListTagResources",
            Action::MoveResourceGroup => "MoveResourceGroup",
        }
    }
}

/// One RPC call as it arrived: its parameters, and the raw method, target, headers and body that
/// its signature covers (the headers also carry V3's action, version and credential).
struct RpcCall {
    params: Params,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for RpcCall {
    type Rejection = AlibabaError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let headers = req.headers().clone();
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_form_content_type);
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AlibabaError::invalid("body", "the request body is larger than 1 MiB")
            } else {
                AlibabaError::invalid("body", "the request body could not be read")
            }
        })?;
        // Only a form body carries parameters; any other body is not read.
        let params = Params::parse(uri.query(), form.then_some(&body[..]))?;
        Ok(RpcCall {
            params,
            method,
            uri,
            headers,
            body,
        })
    }
}

fn is_form_content_type(value: &str) -> bool {
    value.split(';').next().is_some_and(|essence| {
        essence
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

impl RpcCall {
    /// A parameter, or else the `x-acs-*` header that carries it in V3 calls.
    fn param_or_header(&self, param: &str, header: &str) -> Option<&str> {
        self.params.get(param).or_else(|| {
            self.headers
                .get(header)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
        })
    }

    /// The caller's access key id: the V1 `AccessKeyId` parameter or the V3 `Credential=`.
    /// With `--auth off` it names the account.
    fn access_key_id(&self) -> Option<&str> {
        self.params.get("AccessKeyId").or_else(|| {
            let authorization = self.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
            let (_algorithm, fields) = authorization.split_once(' ')?;
            fields
                .split(',')
                .find_map(|field| field.trim().strip_prefix("Credential="))
                .filter(|credential| !credential.is_empty())
        })
    }
}

async fn rpc(State(state): State<AppState>, call: Result<RpcCall, AlibabaError>) -> Response {
    let call = match call {
        Ok(call) => call,
        Err(err) => return err.render(Format::Json),
    };
    let format = Format::from_param(call.params.get("Format"));
    match answer(&state, &call).await {
        Ok((action, body)) => {
            format.render(StatusCode::OK, &format!("{}Response", action.name()), &body)
        }
        Err(err) => err.render(format),
    }
}

/// Gateway checks in the gateway's order (action, version, caller), then the action itself.
async fn answer(state: &AppState, call: &RpcCall) -> Result<(Action, Value), AlibabaError> {
    let action = call
        .param_or_header("Action", "x-acs-action")
        .and_then(Action::parse)
        .ok_or_else(AlibabaError::unknown_action)?;
    match call.param_or_header("Version", "x-acs-version") {
        None => return Err(AlibabaError::missing("Version")),
        Some(VERSION) => {}
        Some(_) => return Err(AlibabaError::invalid_version()),
    }
    let service = &state.service;
    let account = match state.auth {
        AuthMode::Verify => authenticate(service, &state.credentials, call).await?,
        AuthMode::Off => call
            .access_key_id()
            .ok_or_else(|| AlibabaError::missing("AccessKeyId"))?,
    };
    let params = &call.params;
    let scope = wire::parse_scope(params, account)?;
    let mut body = perform(service, action, params, &scope).await?;
    body["RequestId"] = json!(RequestId::current().as_str());
    Ok((action, body))
}

/// Verifies the call's V1 or V3 signature, then claims its nonce (a replay is
/// `SignatureNonceUsed`); the caller's account is its key's.
async fn authenticate<'c>(
    service: &FlowLogService,
    credentials: &'c Credentials,
    call: &RpcCall,
) -> Result<&'c str, AlibabaError> {
    let signed = SignedRequest {
        method: call.method.as_str(),
        target: target_of(&call.uri),
        headers: &call.headers,
        body: &call.body,
    };
    let verified = signature::verify(&signed, credentials, chrono::Utc::now()).map_err(|err| {
        tracing::info!(reason = %err, "signature refused");
        AlibabaError::from(err)
    })?;
    let key = verified.key;
    let fresh = service
        .claim_signature_nonce(key.access_key_id(), &verified.nonce, verified.signed_at)
        .await
        .map_err(AlibabaError::from_domain)?;
    if !fresh {
        tracing::info!(
            access_key_id = key.access_key_id(),
            "signature nonce replayed"
        );
        return Err(AlibabaError::nonce_used());
    }
    Ok(key.account_id())
}

/// What each action does, on a caller already known to be `scope`.
async fn perform(
    service: &FlowLogService,
    action: Action,
    params: &Params,
    scope: &TenantScope,
) -> Result<Value, AlibabaError> {
    let success = || json!({"Success": "true"});
    match action {
        Action::CreateFlowLog => {
            let spec = wire::parse_create(params)?;
            let created = service
                .create(scope, spec)
                .await
                .map_err(AlibabaError::from_domain)?;
            Ok(json!({
                "FlowLogId": created.id.as_str(),
                "Success": "true",
                "ResourceGroupId": created.spec.resource_group_id.as_deref().unwrap_or_default(),
            }))
        }
        Action::DescribeFlowLogs => {
            let query = wire::parse_describe(params)?;
            let (flow_logs, total) = service
                .counted_page(scope, &query.filter, query.offset(), query.page_size)
                .await
                .map_err(AlibabaError::from_domain)?;
            let entries: Vec<Value> = flow_logs.iter().map(wire::flow_log_body).collect();
            Ok(json!({
                "Success": "true",
                "TotalCount": total.to_string(),
                "PageNumber": query.page_number.to_string(),
                "PageSize": query.page_size.to_string(),
                "FlowLogs": {"FlowLog": entries},
            }))
        }
        Action::ModifyFlowLogAttribute => {
            let id = wire::parse_flow_log_id(params)?;
            let changes = wire::parse_modify(params)?;
            service
                .modify(scope, &id, &changes, Modifiable::WhenSettled)
                .await
                .map_err(AlibabaError::from_domain)?;
            Ok(success())
        }
        Action::DeleteFlowLog | Action::ActiveFlowLog | Action::DeactiveFlowLog => {
            let id = wire::parse_flow_log_id(params)?;
            let operation = match action {
                Action::DeleteFlowLog => Operation::Delete,
                Action::ActiveFlowLog => Operation::Activate,
                _ => Operation::Deactivate,
            };
            let _: Applied = service
                .apply(scope, &id, operation)
                .await
                .map_err(AlibabaError::from_domain)?;
            Ok(success())
        }
        Action::GetFlowLogServiceStatus => {
            let enabled = service
                .service_activated(scope)
                .await
                .map_err(AlibabaError::from_domain)?;
            Ok(json!({"Enabled": enabled}))
        }
        Action::OpenFlowLogService => {
            service
                .activate_service(scope)
                .await
                .map_err(AlibabaError::from_domain)?;
            // The model also has Code and Message; a Code in a success body reads as an error
            // to Terraform, so they are left out.
            Ok(json!({}))
        }
        Action::TagResources => {
            let (ids, tags) = wire::parse_tag_resources(params)?;
            service
                .tag(scope, &ids, &tags)
                .await
                .map_err(AlibabaError::from_domain)?;
            Ok(json!({}))
        }
        Action::UnTagResources => {
            let (ids, keys) = wire::parse_untag_resources(params)?;
            service
                .untag(scope, &ids, keys.as_deref())
                .await
                .map_err(AlibabaError::from_domain)?;
            Ok(json!({}))
        }
        Action::ListTagResources => {
            let query = wire::parse_list_tag_resources(params)?;
            // One more than a page tells whether another page follows.
            let mut tagged = service
                .list_tags(
                    scope,
                    &query.ids,
                    &query.filters,
                    query.offset,
                    query.limit + 1,
                )
                .await
                .map_err(AlibabaError::from_domain)?;
            let next_token = if tagged.len() > query.limit as usize {
                tagged.truncate(query.limit as usize);
                (query.offset + u64::from(query.limit)).to_string()
            } else {
                String::new()
            };
            let entries: Vec<Value> = tagged
                .iter()
                .map(|entry| {
                    json!({
                        "ResourceId": entry.id.as_str(),
                        "ResourceType": "FLOWLOG",
                        "TagKey": entry.tag.key,
                        "TagValue": entry.tag.value,
                    })
                })
                .collect();
            Ok(json!({
                "NextToken": next_token,
                "TagResources": {"TagResource": entries},
            }))
        }
        Action::MoveResourceGroup => {
            let (id, group) = wire::parse_move_resource_group(params)?;
            let changes = AttributeChanges {
                resource_group_id: Some(group),
                ..Default::default()
            };
            service
                .modify(scope, &id, &changes, Modifiable::UnlessDeleting)
                .await
                .map_err(AlibabaError::from_domain)?;
            Ok(json!({}))
        }
    }
}
