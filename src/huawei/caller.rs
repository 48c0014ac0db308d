//! Who is calling the Huawei gateway, in the three ways the clouds' clients say it: an AK/SK
//! signature by a key of the credentials file, the same by a temporary key that comes with its
//! `X-Security-Token`, or an IAM token in `X-Auth-Token`. The answer is a [`Caller`], which the
//! gateway checks the URL's project against and products (IAM) read.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::error::HuaweiError;
use super::signature::{self, HuaweiSignatureError};
use crate::auth::credentials::{HuaweiIdentity, HuaweiKey, ProjectAccess};
use crate::auth::issued::{redact, HuaweiPrincipal, HuaweiScope, Refusal};
use crate::auth::signing::SignedRequest;
use crate::context::{RequestContext, SignatureVerdict};
use crate::state::AppState;

/// The authenticated caller of a Huawei operation.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: HuaweiPrincipal,
}

impl Caller {
    fn of_key(key: &HuaweiKey) -> Self {
        Caller {
            principal: HuaweiPrincipal {
                identity: key.identity().clone(),
                scope: HuaweiScope::AsUser,
            },
        }
    }

    pub fn identity(&self) -> &HuaweiIdentity {
        &self.principal.identity
    }
}

/// Why the caller could not be authenticated: already the gateway's answer, or a database
/// failure (which the product answers as its own 5xx).
pub enum Refused {
    Error(HuaweiError),
    Storage,
}

/// The journal's verdict on a refused signature: a short reason code, never the signature.
fn verdict_of(err: &HuaweiSignatureError) -> SignatureVerdict {
    let reason = match err {
        HuaweiSignatureError::MissingAuthorization => return SignatureVerdict::Absent,
        HuaweiSignatureError::MalformedAuthorization(_) => "MalformedAuthorization",
        HuaweiSignatureError::UnsupportedAlgorithm(_) => "UnsupportedAlgorithm",
        HuaweiSignatureError::UnknownAccessKey(_) => "UnknownAccessKey",
        HuaweiSignatureError::MalformedDate => "MalformedDate",
        HuaweiSignatureError::Expired { .. } => "Expired",
        HuaweiSignatureError::SignedHeaderMissing(_) => "SignedHeaderMissing",
        HuaweiSignatureError::SignatureMismatch { .. } => "SignatureDoesNotMatch",
    };
    SignatureVerdict::Invalid(reason.to_owned())
}

fn invalid(reason: &str) {
    RequestContext::record_signature(SignatureVerdict::Invalid(reason.to_owned()));
}

impl From<HuaweiSignatureError> for Refused {
    fn from(err: HuaweiSignatureError) -> Self {
        tracing::info!(reason = %err, "signature refused");
        RequestContext::record_signature(verdict_of(&err));
        Refused::Error(HuaweiError::from(err))
    }
}

/// A refused signature, its canonical request logged for debugging with the security token it
/// may cover redacted.
fn signature_refused(err: HuaweiSignatureError, security_token: Option<&str>) -> Refused {
    if let Some(canonical_request) = err.canonical_request() {
        let canonical_request = redact(canonical_request, security_token.unwrap_or_default());
        tracing::debug!(canonical_request, "the server's canonical request");
    }
    err.into()
}

/// 401 APIGW.0301, `Incorrect IAM authentication information: <detail>`.
fn incorrect(detail: &str) -> Refused {
    tracing::info!(reason = detail, "credentials refused");
    Refused::Error(HuaweiError::gateway(
        StatusCode::UNAUTHORIZED,
        "APIGW.0301",
        format!("Incorrect IAM authentication information: {detail}"),
    ))
}

/// 401 APIGW.0307: an expired token or security token.
fn must_update(expires_at: DateTime<Utc>) -> Refused {
    tracing::info!(%expires_at, "an expired token was presented");
    Refused::Error(HuaweiError::gateway(
        StatusCode::UNAUTHORIZED,
        "APIGW.0307",
        "The token must be updated.",
    ))
}

fn refused(refusal: Refusal, unknown: impl FnOnce() -> Refused) -> Refused {
    match refusal {
        Refusal::MissingToken => {
            invalid("MissingSecurityToken");
            incorrect("a temporary access key needs its security token (X-Security-Token)")
        }
        Refusal::Malformed => {
            invalid("MalformedToken");
            incorrect("decrypt token fail")
        }
        Refusal::Mismatch => {
            invalid("SecurityTokenMismatch");
            incorrect("the security token does not belong to the access key")
        }
        Refusal::Expired(expires_at) => {
            invalid("TokenExpired");
            must_update(expires_at)
        }
        Refusal::Unknown => unknown(),
        Refusal::Storage(err) => {
            tracing::error!(error = %err, "database failure");
            Refused::Storage
        }
    }
}

/// With `--auth verify`: an `Authorization` header is an AK/SK signature (by a file's key, or a
/// temporary key with its `X-Security-Token`); without one, `X-Auth-Token` is an IAM token.
pub async fn authenticate(
    state: &AppState,
    request: &SignedRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Caller, Refused> {
    let token = request.header_str("x-auth-token").map(str::trim);
    if request.header("authorization").is_none() {
        if let Some(token) = token {
            return by_token(state, token, now).await;
        }
    }
    let access_key = signature::access_key(request)?;
    let security_token = request.header_str("x-security-token").map(str::trim);
    if state.credentials.huawei(access_key).is_some() {
        let key = signature::verify(request, &*state.credentials, now)
            .map_err(|err| signature_refused(err, security_token))?;
        return Ok(Caller::of_key(key));
    }
    let unknown = || HuaweiSignatureError::UnknownAccessKey(access_key.to_owned()).into();
    match state
        .issued
        .huawei_key(access_key, security_token, now)
        .await
    {
        Ok(Some(valid)) => {
            let key = HuaweiKey::with_identity(
                access_key,
                valid.secret,
                valid.principal.identity.clone(),
            );
            signature::verify(request, &key, now)
                .map_err(|err| signature_refused(err, security_token))?;
            Ok(Caller {
                principal: valid.principal,
            })
        }
        Ok(None) => Err(unknown()),
        Err(refusal) => Err(refused(refusal, unknown)),
    }
}

async fn by_token(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<Caller, Refused> {
    match state.issued.huawei_token(token, now).await {
        Ok(valid) => Ok(Caller {
            principal: valid.principal,
        }),
        Err(refusal) => Err(refused(refusal, || {
            invalid("UnknownToken");
            incorrect("decrypt token fail")
        })),
    }
}

/// With `--auth off` nothing is checked, but IAM still needs to know whose domain to answer
/// for: the key the `Authorization` header names, the token in `X-Auth-Token`, else the first
/// key of the credentials (the demo key without a file).
pub async fn identify(state: &AppState, request: &SignedRequest<'_>) -> Caller {
    if let Some(key) = signature::access_key(request)
        .ok()
        .and_then(|access_key| state.credentials.huawei(access_key))
    {
        return Caller::of_key(key);
    }
    if let Some(token) = request.header_str("x-auth-token") {
        if let Ok(caller) = by_token(state, token.trim(), Utc::now()).await {
            return caller;
        }
    }
    match state.credentials.huawei_keys().next() {
        Some(key) => Caller::of_key(key),
        None => Caller {
            principal: HuaweiPrincipal {
                identity: HuaweiIdentity {
                    domain_id: String::new(),
                    domain_name: String::new(),
                    user_id: String::new(),
                    user_name: String::new(),
                    projects: ProjectAccess::Any,
                },
                scope: HuaweiScope::AsUser,
            },
        },
    }
}
