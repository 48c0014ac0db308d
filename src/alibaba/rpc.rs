//! Alibaba's RPC gateway at `/` (GET and POST): one call's parameters (query and form body,
//! merged), its product and action chosen by `Version` + `Action` from the products' registries,
//! the V1/V3 signature and nonce, the caller's account and region; then the cross-cutting layers
//! and the action, whose typed answer is rendered as JSON or (`Format=XML`) XML. Each step
//! names what it learnt in the request context.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Serialize;
use serde_json::{json, Value};

use super::error::{AlibabaError, Endpoint};
use super::params::Params;
use super::signature;
use super::xml::Format;
use crate::auth::credentials::AlibabaKey;
use crate::auth::issued::{redact, AlibabaCaller, AssumedRole, Refusal};
use crate::auth::signing::{is_form_content_type, target_of, SignedRequest};
use crate::auth::AuthMode;
use crate::context::{Failure, NamedValues, RequestContext, RequestId, SignatureVerdict};
use crate::domain::{DomainError, TenantScope};
use crate::layers;
use crate::state::AppState;

/// One product's RPC API: its version and every action it answers. The product module
/// declares it once ([`action!`] registers each action).
pub struct Api {
    /// The product's name in the request context (`vpc`).
    pub product: &'static str,
    /// The API version the SDKs send (`2016-04-28`).
    pub version: &'static str,
    /// Where its errors say they come from.
    pub endpoint: Endpoint,
    /// Whether its calls name a region.
    pub region: RegionRule,
    pub actions: &'static [Action],
}

/// How a product's calls name the caller's region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionRule {
    /// `RegionId` is required: the tenant is the account in that region (VPC, ECS).
    Required,
    /// The product is global (Resource Manager) or its SDKs send no `RegionId` (STS): the tenant
    /// is the account, in the region when one is given.
    Optional,
}

impl Api {
    fn action(&self, name: &str) -> Option<&'static Action> {
        self.actions.iter().find(|action| action.name == name)
    }
}

/// The registered products, in the gateway's lookup order.
pub type Apis = &'static [&'static Api];

/// An action as the SDKs name it, and the function that answers it.
pub struct Action {
    pub name: &'static str,
    pub run: for<'a> fn(&'a Call<'a>) -> Answer<'a>,
    /// The schema of the action's typed answer (`openapi/alibaba.json`), from the type the
    /// action's function returns.
    pub answer: fn(&crate::apidoc::Part) -> utoipa::openapi::RefOr<utoipa::openapi::Schema>,
}

/// What an action's function answers: `T` of its `Result<T, AlibabaError>` (named at `'static`,
/// the lifetime of no call, only to name the type).
pub trait Answering<'a> {
    type Answer;
}

impl<'a, F, Fut, T> Answering<'a> for F
where
    F: Fn(&'a Call<'a>) -> Fut,
    Fut: Future<Output = Result<T, AlibabaError>>,
{
    type Answer = T;
}

/// The schema of the answer of the action function `_function`.
pub fn answer_schema<F>(
    _function: F,
    part: &crate::apidoc::Part,
) -> utoipa::openapi::RefOr<utoipa::openapi::Schema>
where
    F: Answering<'static>,
    F::Answer: utoipa::ToSchema,
{
    part.schema::<F::Answer>()
}

/// What an action gets: the services, the call's parameters, the caller and its tenant.
pub struct Call<'a> {
    pub state: &'a AppState,
    pub params: &'a Params,
    pub scope: &'a TenantScope,
    pub caller: &'a AlibabaCaller,
}

/// An action's answer, rendered to JSON's data model.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Value, AlibabaError>> + Send + 'a>>;

/// Registers an action: `action!("CreateFlowLog" => create_flow_log)`, where the function takes
/// a `&Call` and answers `Result<impl Serialize, AlibabaError>`.
macro_rules! action {
    ($name:literal => $function:path) => {{
        fn run<'a>(call: &'a $crate::alibaba::rpc::Call<'a>) -> $crate::alibaba::rpc::Answer<'a> {
            Box::pin(async move { $crate::alibaba::rpc::respond($function(call).await) })
        }
        fn answer(part: &$crate::apidoc::Part) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
            $crate::alibaba::rpc::answer_schema($function, part)
        }
        $crate::alibaba::rpc::Action {
            name: $name,
            run,
            answer,
        }
    }};
}

pub(crate) use action;

/// A typed answer as JSON's data model (objects' keys in order, as POP writes them).
pub fn respond<T: Serialize>(answer: Result<T, AlibabaError>) -> Result<Value, AlibabaError> {
    let answer = answer?;
    serde_json::to_value(answer).map_err(|err| {
        tracing::error!(error = %err, "an answer did not serialise");
        AlibabaError::internal()
    })
}

/// The RPC route, behind the gateway's steps and the cross-cutting layers.
pub fn router(state: &AppState, apis: Apis) -> Router<AppState> {
    let handler = layers::around_operation(get(dispatch).post(dispatch))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .route_layer(middleware::from_fn_with_state(apis, identify));
    Router::new().route("/", handler)
}

/// The endpoint of the product that answers `product`, or of the first one.
pub fn endpoint_of(apis: Apis, product: Option<&str>) -> &'static Endpoint {
    let api = apis
        .iter()
        .find(|api| Some(api.product) == product)
        .unwrap_or(&apis[0]);
    &api.endpoint
}

/// A call the gateway has read and routed.
struct Routed {
    params: Params,
    /// The raw body, which the signature covers.
    body: Bytes,
    format: Format,
    api: &'static Api,
    action: &'static Action,
}

impl NamedValues for Routed {
    fn names(&self, value: &str) -> bool {
        self.params.has_value(value)
    }
}

impl Routed {
    fn fail(&self, err: AlibabaError) -> Response {
        err.render(self.format, &self.api.endpoint)
    }
}

/// A parameter, or else the `x-acs-*` header that carries it in V3 calls.
fn param_or_header<'a>(
    params: &'a Params,
    parts: &'a Parts,
    param: &str,
    header: &str,
) -> Option<&'a str> {
    params.get(param).or_else(|| {
        parts
            .headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    })
}

/// Reads the call (its parameters and raw body) and picks its product and action, in the
/// gateway's order: the action must exist, then the version must be given and be one that
/// has the action.
async fn identify(State(apis): State<Apis>, request: Request, next: Next) -> Response {
    let default_endpoint = &apis[0].endpoint;
    let (parts, body) = request.into_parts();
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_form_content_type);
    let body = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(body) => body,
        Err(rejection) => {
            let reason = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "the request body is larger than 1 MiB"
            } else {
                "the request body could not be read"
            };
            return AlibabaError::invalid("body", reason).render(Format::Json, default_endpoint);
        }
    };
    // Only a form body carries parameters; any other body is not read.
    let params = match Params::parse(parts.uri.query(), form.then_some(&body[..])) {
        Ok(params) => params,
        Err(err) => return err.render(Format::Json, default_endpoint),
    };
    let format = Format::from_param(params.get("Format"));
    let (api, action) = match route(apis, &params, &parts) {
        Ok(routed) => routed,
        Err(err) => return err.render(format, default_endpoint),
    };
    if let Some(context) = RequestContext::of(&parts.extensions) {
        context.set_operation(api.product, action.name);
    }
    let mut request = Request::from_parts(parts, Body::empty());
    let routed = Arc::new(Routed {
        params,
        body,
        format,
        api,
        action,
    });
    // The form body's parameters, for the layers that match on a resource id.
    let named: Arc<dyn NamedValues> = routed.clone();
    request.extensions_mut().insert(routed);
    request.extensions_mut().insert(named);
    next.run(request).await
}

fn route(
    apis: Apis,
    params: &Params,
    parts: &Parts,
) -> Result<(&'static Api, &'static Action), AlibabaError> {
    let name = param_or_header(params, parts, "Action", "x-acs-action")
        .filter(|name| apis.iter().any(|api| api.action(name).is_some()))
        .ok_or_else(AlibabaError::unknown_action)?;
    let version = param_or_header(params, parts, "Version", "x-acs-version")
        .ok_or_else(|| AlibabaError::missing("Version"))?;
    apis.iter()
        .filter(|api| api.version == version)
        .find_map(|api| Some((*api, api.action(name)?)))
        .ok_or_else(AlibabaError::invalid_version)
}

/// The caller: with `--auth verify`, the V1 or V3 signature's key (an account's, or an STS key
/// with its security token), whose nonce is then claimed (a replay is `SignatureNonceUsed`);
/// with `--auth off`, the access key id names the account (an STS key's, its role's). The
/// tenant is the account in the call's `RegionId`.
async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(routed) = request.extensions().get::<Arc<Routed>>().cloned() else {
        return Failure::Internal.into_response();
    };
    let (mut parts, body) = request.into_parts();
    let caller = match state.auth {
        AuthMode::Verify => {
            let verified = verify(&state, &parts, &routed).await;
            RequestContext::record_signature(match &verified {
                Ok(_) => SignatureVerdict::Valid,
                Err(err) if err.code == "IncompleteSignature" && !signed(&routed, &parts) => {
                    SignatureVerdict::Absent
                }
                Err(err) => SignatureVerdict::Invalid(err.code.to_string()),
            });
            verified
        }
        AuthMode::Off => match access_key_id(&routed.params, &parts) {
            Some(id) => {
                RequestContext::record_signature(SignatureVerdict::NotChecked);
                Ok(unverified(&state, id).await)
            }
            None => Err(AlibabaError::missing("AccessKeyId")),
        },
    };
    let region = routed.api.region;
    let scoped = caller.and_then(|caller| {
        Ok((
            parse_scope(&routed.params, caller.account_id(), region)?,
            caller,
        ))
    });
    let (scope, caller) = match scoped {
        Ok(scoped) => scoped,
        Err(err) => return routed.fail(err),
    };
    if let Some(context) = RequestContext::of(&parts.extensions) {
        let region = Some(scope.region_id()).filter(|region| !region.is_empty());
        context.set_tenant(scope.tenant_id(), region.map(str::to_owned));
    }
    parts.extensions.insert(scope);
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
}

/// Whether a call carries a signature at all: the V1 `Signature` parameter or an
/// `Authorization` header (V3).
fn signed(routed: &Routed, parts: &Parts) -> bool {
    routed.params.get("Signature").is_some() || parts.headers.contains_key("authorization")
}

/// The security token of a call: the V1 `SecurityToken` parameter or the V3
/// `x-acs-security-token` header.
fn security_token<'a>(params: &'a Params, parts: &'a Parts) -> Option<&'a str> {
    param_or_header(params, parts, "SecurityToken", "x-acs-security-token")
}

/// STS keys are issued with this prefix.
const STS_PREFIX: &str = "STS.";

/// The STS key the call names, with its security token checked (missing, malformed, for
/// another key, expired); `None` when the key id is not an STS key at all.
async fn sts_key(
    state: &AppState,
    access_key_id: &str,
    token: Option<&str>,
) -> Result<Option<(AlibabaKey, AssumedRole)>, AlibabaError> {
    if token.is_none() && access_key_id.starts_with(STS_PREFIX) {
        return Err(AlibabaError::documented(
            "MissingSecurityToken",
            "SecurityToken is mandatory for this action.",
        ));
    }
    let refused = |code, message| {
        tracing::info!(code, "security token refused");
        Err(AlibabaError::documented(code, message))
    };
    match state
        .issued
        .alibaba_key(access_key_id, token, chrono::Utc::now())
        .await
    {
        Ok(Some(valid)) => {
            let key = AlibabaKey::new(
                access_key_id,
                valid.secret.expose(),
                valid.principal.account_id.as_str(),
            );
            Ok(Some((key, valid.principal)))
        }
        Ok(None) | Err(Refusal::Unknown) => Ok(None),
        Err(Refusal::MissingToken) => refused(
            "MissingSecurityToken",
            "SecurityToken is mandatory for this action.",
        ),
        Err(Refusal::Malformed) => refused(
            "InvalidSecurityToken.Malformed",
            "Specified SecurityToken is malformed.",
        ),
        Err(Refusal::Mismatch) => refused(
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        ),
        Err(Refusal::Expired(_)) => refused(
            "InvalidSecurityToken.Expired",
            "Specified SecurityToken is expired.",
        ),
        Err(Refusal::Storage(err)) => Err(AlibabaError::from(DomainError::from(err))),
    }
}

async fn verify(
    state: &AppState,
    parts: &Parts,
    routed: &Routed,
) -> Result<AlibabaCaller, AlibabaError> {
    let signed = SignedRequest {
        method: parts.method.as_str(),
        target: target_of(&parts.uri),
        headers: &parts.headers,
        body: &routed.body,
    };
    let sts = match access_key_id(&routed.params, parts) {
        Some(id) if state.credentials.alibaba(id).is_none() => {
            sts_key(state, id, security_token(&routed.params, parts)).await?
        }
        _ => None,
    };
    let now = chrono::Utc::now();
    let verified = match &sts {
        Some((key, _)) => signature::verify(&signed, key, now),
        None => signature::verify(&signed, &*state.credentials, now),
    }
    .map_err(|err| {
        let mut err = AlibabaError::from(err);
        if let Some(token) = security_token(&routed.params, parts) {
            err.message = redact(&err.message, token).into();
        }
        tracing::info!(code = %err.code, reason = %err.message, "signature refused");
        err
    })?;
    let key = verified.key;
    let fresh = state
        .nonces
        .claim(key.access_key_id(), &verified.nonce, verified.signed_at)
        .await
        .map_err(|err| AlibabaError::from(DomainError::from(err)))?;
    if !fresh {
        tracing::info!(
            access_key_id = key.access_key_id(),
            "signature nonce replayed"
        );
        return Err(AlibabaError::nonce_used());
    }
    Ok(match sts {
        Some((_, role)) => AlibabaCaller::AssumedRole(role),
        None => AlibabaCaller::Account {
            account_id: key.account_id().to_owned(),
        },
    })
}

/// With `--auth off`: an STS key stands for its role session (nothing checked), any other
/// access key id for the account it names.
async fn unverified(state: &AppState, id: &str) -> AlibabaCaller {
    if id.starts_with(STS_PREFIX) {
        if let Ok(Some(role)) = state.issued.alibaba_role(id).await {
            return AlibabaCaller::AssumedRole(role);
        }
    }
    AlibabaCaller::Account {
        account_id: id.to_owned(),
    }
}

/// The caller's access key id: the V1 `AccessKeyId` parameter or the V3 `Credential=`. With
/// `--auth off` it names the account.
fn access_key_id<'a>(params: &'a Params, parts: &'a Parts) -> Option<&'a str> {
    params.get("AccessKeyId").or_else(|| {
        let authorization = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (_algorithm, fields) = authorization.split_once(' ')?;
        fields
            .split(',')
            .find_map(|field| field.trim().strip_prefix("Credential="))
            .filter(|credential| !credential.is_empty())
    })
}

/// Runs the routed action and renders its answer with the request id, in the call's format.
async fn dispatch(
    State(state): State<AppState>,
    Extension(routed): Extension<Arc<Routed>>,
    Extension(scope): Extension<TenantScope>,
    Extension(caller): Extension<AlibabaCaller>,
) -> Response {
    let call = Call {
        state: &state,
        params: &routed.params,
        scope: &scope,
        caller: &caller,
    };
    match (routed.action.run)(&call).await {
        Ok(mut body) => {
            body["RequestId"] = json!(RequestId::current().as_str());
            let root = format!("{}Response", routed.action.name);
            routed.format.render(StatusCode::OK, &root, &body)
        }
        Err(err) => routed.fail(err),
    }
}

/// The caller's tenant: its account and the `RegionId` of the request.
fn parse_scope(
    params: &Params,
    account: &str,
    rule: RegionRule,
) -> Result<TenantScope, AlibabaError> {
    let region = match (rule, params.get("RegionId")) {
        (_, Some(region)) => region,
        (RegionRule::Required, None) => return Err(AlibabaError::missing("RegionId")),
        (RegionRule::Optional, None) => return Ok(TenantScope::alibaba_account(account, "")),
    };
    if !is_region_id(region) {
        return Err(AlibabaError::documented(
            "InvalidRegionId.NotFound",
            "The RegionId provided does not exist in our records.",
        ));
    }
    Ok(TenantScope::alibaba_account(account, region))
}

/// Region ids look like `cn-hangzhou`, `ap-southeast-1`, `cn-hangzhou-finance`.
fn is_region_id(region: &str) -> bool {
    let mut parts = region.split('-');
    let head_ok = parts
        .next()
        .is_some_and(|head| head.len() == 2 && head.bytes().all(|b| b.is_ascii_lowercase()));
    let mut rest = parts.peekable();
    head_ok
        && region.len() <= 64
        && rest.peek().is_some()
        && rest.all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_ids() {
        for good in [
            "cn-hangzhou",
            "ap-southeast-1",
            "cn-hangzhou-finance",
            "us-east-1",
        ] {
            assert!(is_region_id(good), "{good}");
        }
        for bad in [
            "",
            "cn",
            "cn-",
            "CN-hangzhou",
            "cn--x",
            "c-hangzhou",
            "cn-hang zhou",
            "cn-杭州",
        ] {
            assert!(!is_region_id(bad), "{bad}");
        }
    }
}
