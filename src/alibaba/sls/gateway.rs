//! SLS's gateway, in front of every route: names the operation, reads the `Host` (project and
//! region), the body and the query, and authenticates the caller (with `--auth verify`, the V1
//! or V4 signature with the Alibaba credentials or an STS key and its `x-acs-security-token`;
//! with `--auth off`, the access key id names the account). The tenant is the account in the
//! endpoint's region (else the V4 scope's, else [`host::DEFAULT_REGION`]).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, MatchedPath, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::error::SlsError;
use super::host::{self, DEFAULT_REGION};
use super::signature::{self, Presented, Scheme, SignatureError, Signed};
use super::PRODUCT;
use crate::auth::issued::Refusal;
use crate::auth::signing::form_pairs;
use crate::auth::AuthMode;
use crate::context::{RequestContext, SignatureVerdict};
use crate::domain::{DomainError, TenantScope};
use crate::state::AppState;

/// What the gateway learnt of a call, for its handler.
#[derive(Debug)]
pub struct SlsCall {
    pub scope: TenantScope,
    /// The project the `Host` names.
    pub project: Option<String>,
    pub body: Bytes,
    /// The query's decoded pairs, in order.
    pub query: Vec<(String, String)>,
}

impl SlsCall {
    /// The project the call is about; project-scoped calls need one.
    pub fn project(&self) -> Result<&str, SlsError> {
        self.project.as_deref().ok_or_else(|| {
            SlsError::parameter(
                "The project is not given: send the request to <project>.<endpoint> (Host header).",
            )
        })
    }

    /// A query parameter; an empty value counts as absent.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// The body as a JSON object.
    pub fn json(&self) -> Result<Map<String, Value>, SlsError> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(object)) => Ok(object),
            _ => Err(SlsError::post_body_invalid()),
        }
    }
}

pub(super) fn operation_of(
    method: &Method,
    route: &str,
    project: bool,
    query: &[(String, String)],
) -> &'static str {
    let param = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let log_type = param("type") == Some("log");
    match (route, method.as_str()) {
        ("/", "GET") if project => "GetProject",
        ("/", "GET") => "ListProject",
        ("/", "POST") => "CreateProject",
        ("/", "PUT") => "UpdateProject",
        ("/", "DELETE") => "DeleteProject",
        ("/logstores", "GET") => "ListLogStores",
        ("/logstores", "POST") => "CreateLogStore",
        ("/logstores/{logstore}", "GET") if log_type => "GetLogs",
        ("/logstores/{logstore}", "GET") => "GetLogStore",
        ("/logstores/{logstore}", "PUT") => "UpdateLogStore",
        ("/logstores/{logstore}", "DELETE") => "DeleteLogStore",
        ("/logstores/{logstore}/logs", _) => "GetLogs",
        ("/logstores/{logstore}/index", _) => "GetIndex",
        ("/logstores/{logstore}/shards", _) => "ListShards",
        ("/logstores/{logstore}/shards/{shard}", _) => match param("type") {
            Some("cursor") => "GetCursor",
            Some("cursor_time") => "GetCursorTime",
            _ => "PullLogs",
        },
        ("/logstores/{logstore}/meteringmode", _) => "GetLogStoreMeteringMode",
        _ => "Unknown",
    }
}

pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match admit(&state, &parts, body).await {
        Ok(call) => {
            let mut request = Request::from_parts(parts, Body::empty());
            request.extensions_mut().insert(Arc::new(call));
            next.run(request).await
        }
        Err(err) => err.into_response(),
    }
}

async fn admit(state: &AppState, parts: &Parts, body: Body) -> Result<SlsCall, SlsError> {
    let query: Vec<(String, String)> = form_pairs(parts.uri.query().unwrap_or("").as_bytes())
        .into_iter()
        .map(|(key, value)| {
            (
                String::from_utf8_lossy(&key).into_owned(),
                String::from_utf8_lossy(&value).into_owned(),
            )
        })
        .collect();
    let host_text = parts
        .headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|authority| authority.to_string()))
        .ok_or_else(|| {
            SlsError::bad_request("MissingHost", "Host does not exist in http header.")
        })?;
    let target = host::parse(&host_text).ok_or_else(|| {
        SlsError::bad_request(
            "InvalidHost",
            format!("Host header {host_text} is invalid."),
        )
    })?;
    let context = RequestContext::of(&parts.extensions).cloned();
    if let (Some(context), Some(route)) = (&context, parts.extensions.get::<MatchedPath>()) {
        let name = operation_of(
            &parts.method,
            route.as_str(),
            target.project.is_some(),
            &query,
        );
        context.set_operation(PRODUCT, name);
    }
    let body = Bytes::from_request(Request::from_parts(parts.clone(), body), &())
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                SlsError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PostBodyTooLarge",
                    "The request body is larger than 1 MiB.",
                )
            } else {
                SlsError::bad_request("PostBodyInvalid", "The request body could not be read.")
            }
        })?;
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let (account, presented) = match state.auth {
        AuthMode::Verify => {
            let verified = verify(state, parts, authorization, &body).await;
            RequestContext::record_signature(match &verified {
                Ok(_) => SignatureVerdict::Valid,
                Err(_) if authorization.is_none() => SignatureVerdict::Absent,
                Err(err) => SignatureVerdict::Invalid(err.code.clone()),
            });
            let (account, presented) = verified?;
            (account, Some(presented))
        }
        AuthMode::Off => {
            RequestContext::record_signature(SignatureVerdict::NotChecked);
            let presented = authorization.and_then(|value| signature::parse(value).ok());
            let id = presented
                .as_ref()
                .map(|presented| presented.access_key_id.clone())
                .ok_or_else(|| {
                    SlsError::unauthorized("The Authorization header is missing or invalid.")
                })?;
            (unverified_account(state, &id).await, presented)
        }
    };
    let v4_region = presented.and_then(|presented| match presented.scheme {
        Scheme::V4 { region, .. } => Some(region),
        Scheme::V1 { .. } => None,
    });
    let region = target
        .region
        .or(v4_region)
        .unwrap_or_else(|| DEFAULT_REGION.to_owned());
    if region.is_empty()
        || region.len() > 64
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(SlsError::parameter(format!(
            "The region {region} is invalid."
        )));
    }
    if let Some(context) = &context {
        context.set_tenant(account.clone(), Some(region.clone()));
    }
    Ok(SlsCall {
        scope: TenantScope::alibaba_account(account, region),
        project: target.project,
        body,
        query,
    })
}

/// With `--auth off`: an STS key stands for its role's account, any other key id names one.
async fn unverified_account(state: &AppState, id: &str) -> String {
    if id.starts_with("STS.") {
        if let Ok(Some(role)) = state.issued.alibaba_role(id).await {
            return role.account_id;
        }
    }
    id.to_owned()
}

async fn verify(
    state: &AppState,
    parts: &Parts,
    authorization: Option<&str>,
    body: &[u8],
) -> Result<(String, Presented), SlsError> {
    let now = chrono::Utc::now();
    let presented = authorization
        .ok_or(SignatureError::Missing)
        .and_then(signature::parse)
        .map_err(|err| refusal(err, now))?;
    let id = presented.access_key_id.as_str();
    let token = parts
        .headers
        .get("x-acs-security-token")
        .and_then(|value| value.to_str().ok())
        .filter(|token| !token.is_empty());
    let (secret, account) = match state.credentials.alibaba(id) {
        Some(key) => (
            key.access_key_secret().expose().to_owned(),
            key.account_id().to_owned(),
        ),
        None => match state.issued.alibaba_key(id, token, now).await {
            Ok(Some(valid)) => (valid.secret.expose().to_owned(), valid.principal.account_id),
            Ok(None) | Err(Refusal::Unknown) => {
                tracing::info!(access_key_id = id, "unknown SLS access key");
                return Err(SlsError::unauthorized(format!(
                    "AccessKeyId not found: {id}"
                )));
            }
            Err(Refusal::Expired(_)) => {
                return Err(SlsError::unauthorized(
                    "The security token you provided has expired.",
                ))
            }
            Err(Refusal::MissingToken | Refusal::Malformed | Refusal::Mismatch) => {
                return Err(SlsError::unauthorized(
                    "The security token you provided is invalid.",
                ))
            }
            Err(Refusal::Storage(err)) => return Err(SlsError::from(DomainError::from(err))),
        },
    };
    let signed = Signed {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body,
    };
    signature::verify(&signed, &presented, &secret, now).map_err(|err| {
        let err = refusal(err, now);
        tracing::info!(code = %err.code, reason = %err.message, "SLS signature refused");
        err
    })?;
    Ok((account, presented))
}

fn refusal(err: SignatureError, now: chrono::DateTime<chrono::Utc>) -> SlsError {
    match err {
        SignatureError::Missing => SlsError::unauthorized("The Authorization header is missing."),
        SignatureError::Malformed => {
            SlsError::parameter("Http extend authorization : authorization pair is invalid.")
        }
        SignatureError::MissingDate => {
            SlsError::bad_request("MissingDate", "Date does not exist in http header.")
        }
        SignatureError::InvalidDate(date) => SlsError::bad_request(
            "InvalidRequestTime",
            format!("Request time {date} not follow RFC822 spec."),
        ),
        SignatureError::Expired(date) => SlsError::bad_request(
            "RequestTimeExpired",
            format!(
                "Request time {date} has been expired while server time is {}.",
                now.format("%a, %d %b %Y %H:%M:%S GMT")
            ),
        ),
        SignatureError::InvalidMethod(method) => SlsError::bad_request(
            "InvalidSignatureMethod",
            format!("signature method {method} is unsupported."),
        ),
        SignatureError::ContentSha256 => SlsError::new(
            StatusCode::UNAUTHORIZED,
            "SignatureNotMatch",
            "x-log-content-sha256 is missing or is not the body's SHA-256.",
        ),
        SignatureError::Mismatch(signature) => SlsError::new(
            StatusCode::UNAUTHORIZED,
            "SignatureNotMatch",
            format!("signature {signature} not match"),
        ),
    }
}

/// The logstore a path names.
pub fn logstore_of(path: Result<Path<String>, PathRejection>) -> Result<String, SlsError> {
    path.map(|Path(name)| name)
        .map_err(|_| SlsError::parameter("The logstore in the path is not valid UTF-8."))
}
