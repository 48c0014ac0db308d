//! Huawei IAM (Keystone v3 and `/v3.0`), as far as the SDKs and Terraform need it around a
//! flow log: a region's project (`KeystoneListProjects`, which `BasicCredentials` without a
//! project id calls), the caller's domain (`KeystoneListAuthDomains`, for `GlobalCredentials`),
//! tokens by password, and temporary access keys by token. The handlers translate between the
//! wire and the credentials and issued tokens (`auth`), and nothing else.

pub mod openapi;
mod wire;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json};
use chrono::{TimeDelta, Utc};
use serde::de::DeserializeOwned;

use super::error::HuaweiError;
use super::gateway::{Caller, Operations};
use crate::auth::credentials::{HuaweiIdentity, HuaweiUser};
use crate::auth::issued::{HuaweiPrincipal, HuaweiScope, Refusal};
use crate::state::AppState;
use wire::{
    Credential, CredentialBody, DomainResult, DomainsBody, Links, LinksSelf, NameOrId,
    ProjectResult, ProjectsBody, ScopeRef, SecurityTokenRequest, TokenBody, TokenRequest,
};

/// The product's name in the request context.
pub const PRODUCT: &str = "iam";

/// Where links in answers point, as the real service writes them (clients follow only
/// `links.next`, which is always null).
const BASE: &str = "https://iam.myhuaweicloud.com";

/// How long temporary access keys may be asked to live, and how long they live by default.
const DURATION_SECONDS: std::ops::RangeInclusive<i64> = 900..=86_400;
const DEFAULT_DURATION_SECONDS: i64 = 900;

/// Every operation of the product, with the gateway. Tokens and temporary keys are asked for
/// with a password or a token in the body, which the operation checks itself.
pub fn operations(operations: Operations) -> Operations {
    operations
        .add("/v3/projects", "KeystoneListProjects", get(list_projects))
        .add(
            "/v3/auth/projects",
            "KeystoneListAuthProjects",
            get(list_auth_projects),
        )
        .add(
            "/v3/auth/domains",
            "KeystoneListAuthDomains",
            get(list_auth_domains),
        )
        .add_public(
            "/v3/auth/tokens",
            "KeystoneCreateUserTokenByPassword",
            post(create_token),
        )
        .add(
            "/v3/auth/tokens",
            "KeystoneValidateToken",
            get(validate_token),
        )
        .add_public(
            "/v3.0/OS-CREDENTIAL/securitytokens",
            "CreateTemporaryAccessKeyByToken",
            post(create_temporary_key),
        )
}

/// 500, Keystone's answer to a bug or a database failure.
pub fn internal_error() -> HuaweiError {
    HuaweiError::keystone(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An unexpected error prevented the server from fulfilling your request.",
    )
}

fn bad_request(message: impl Into<String>) -> HuaweiError {
    HuaweiError::keystone(StatusCode::BAD_REQUEST, message)
}

/// `{"error_msg","error_code":"IAM.xxxx"}`, the envelope of IAM's `/v3.0` APIs.
fn iam_error(status: StatusCode, code: &'static str, message: impl Into<String>) -> HuaweiError {
    HuaweiError::gateway(status, code, message)
}

fn storage_failure(err: impl std::fmt::Display) -> HuaweiError {
    tracing::error!(error = %err, "database failure");
    internal_error()
}

/// A JSON body as `T`; `None` when it is not one.
fn json<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_json::from_slice(body).ok()
}

// ---------------------------------------------------------------------------------------------
// Projects and domains

/// The `GET /v3/projects` filters.
struct ProjectQuery {
    name: Option<String>,
    domain_id: Option<String>,
    parent_id: Option<String>,
    enabled: Option<bool>,
    is_domain: Option<bool>,
    page: Option<(usize, usize)>,
}

fn parse_project_query(query: Option<&str>) -> Result<ProjectQuery, HuaweiError> {
    let mut parsed = ProjectQuery {
        name: None,
        domain_id: None,
        parent_id: None,
        enabled: None,
        is_domain: None,
        page: None,
    };
    let (mut page, mut per_page) = (None, None);
    let boolean = |name: &str, value: &str| match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad_request(format!(
            "Invalid input for field '{name}': '{value}' is not a boolean"
        ))),
    };
    let number = |name: &str, value: &str, max: usize| match value.parse::<usize>() {
        Ok(number) if (1..=max).contains(&number) => Ok(number),
        _ => Err(bad_request(format!(
            "Invalid input for field '{name}': it must be an integer from 1 to {max}"
        ))),
    };
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let value = value.into_owned();
        match name.as_ref() {
            "name" => parsed.name = Some(value),
            "domain_id" => parsed.domain_id = Some(value),
            "parent_id" => parsed.parent_id = Some(value),
            "enabled" => parsed.enabled = Some(boolean("enabled", &value)?),
            "is_domain" => parsed.is_domain = Some(boolean("is_domain", &value)?),
            "page" => page = Some(number("page", &value, usize::MAX)?),
            "per_page" => per_page = Some(number("per_page", &value, 5000)?),
            _ => {}
        }
    }
    parsed.page = match (page, per_page) {
        (Some(page), Some(per_page)) => Some((page, per_page)),
        (None, None) => None,
        _ => {
            return Err(bad_request(
                "Invalid input: page and per_page must be given together",
            ))
        }
    };
    Ok(parsed)
}

/// The projects of the caller's domain that it may use, filtered.
fn projects_of(
    state: &AppState,
    identity: &HuaweiIdentity,
    query: &ProjectQuery,
) -> Vec<ProjectResult> {
    let Some(domain) = state.credentials.huawei_domain(&identity.domain_id) else {
        return Vec::new();
    };
    let matching = domain
        .projects
        .iter()
        .filter(|project| identity.may_use_project(&project.id))
        .filter(|project| {
            query
                .name
                .as_ref()
                .is_none_or(|name| *name == project.region)
        })
        .filter(|_| {
            query.domain_id.as_ref().is_none_or(|id| *id == domain.id)
                && query.parent_id.as_ref().is_none_or(|id| *id == domain.id)
                && query.enabled != Some(false)
                && query.is_domain != Some(true)
        })
        .map(|project| ProjectResult::of(domain, project, BASE));
    match query.page {
        Some((page, per_page)) => matching
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect(),
        None => matching.collect(),
    }
}

async fn list_projects(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Response, HuaweiError> {
    let parsed = parse_project_query(query.as_deref())?;
    let self_link = match query.as_deref().filter(|q| !q.is_empty()) {
        Some(query) => format!("{BASE}/v3/projects?{query}"),
        None => format!("{BASE}/v3/projects"),
    };
    Ok(Json(ProjectsBody {
        links: Links::to(self_link),
        projects: projects_of(&state, caller.identity(), &parsed),
    })
    .into_response())
}

async fn list_auth_projects(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, HuaweiError> {
    let everything = parse_project_query(None)?;
    Ok(Json(ProjectsBody {
        links: Links::to(format!("{BASE}/v3/auth/projects")),
        projects: projects_of(&state, caller.identity(), &everything),
    })
    .into_response())
}

/// Always the caller's one domain: `GlobalCredentials` falls back to the real cloud's STS
/// when the list is empty.
async fn list_auth_domains(Extension(caller): Extension<Caller>) -> Response {
    let identity = caller.identity();
    Json(DomainsBody {
        domains: vec![DomainResult {
            id: identity.domain_id.clone(),
            name: identity.domain_name.clone(),
            enabled: true,
            description: String::new(),
            links: LinksSelf {
                self_: format!("{BASE}/v3/domains/{}", identity.domain_id),
            },
        }],
        links: Links::to(format!("{BASE}/v3/auth/domains")),
    })
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// 401, as Keystone answers a wrong user or password.
fn wrong_password() -> HuaweiError {
    HuaweiError::keystone(
        StatusCode::UNAUTHORIZED,
        "The username or password is wrong.",
    )
}

/// 401, as Keystone answers a scope the user has no access to.
fn no_access() -> HuaweiError {
    HuaweiError::keystone(
        StatusCode::UNAUTHORIZED,
        "The request you have made requires authentication.",
    )
}

/// The user a password identity names: by id, or by name in a domain named by id or name.
fn user_named<'c>(state: &'c AppState, user: &wire::PasswordUser) -> Option<&'c HuaweiUser> {
    let credentials = &state.credentials;
    if let Some(id) = &user.id {
        return credentials
            .huawei_users()
            .find(|candidate| candidate.identity().user_id == *id);
    }
    let name = user.name.as_deref()?;
    let domain = user.domain.as_ref()?;
    let domain_name = match (&domain.name, &domain.id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => credentials.huawei_domain(id)?.name.clone(),
        (None, None) => return None,
    };
    credentials.huawei_user(&domain_name, name)
}

/// Whether a domain reference names the identity's domain.
fn is_own_domain(identity: &HuaweiIdentity, domain: &NameOrId) -> bool {
    let by_id = domain
        .id
        .as_ref()
        .is_none_or(|id| *id == identity.domain_id);
    let by_name = domain
        .name
        .as_ref()
        .is_none_or(|name| *name == identity.domain_name);
    (domain.id.is_some() || domain.name.is_some()) && by_id && by_name
}

/// The token's scope: a project of the user's domain it may use (by id, or by name, which is
/// the region), the user's domain, or none.
fn scope_of(
    state: &AppState,
    identity: &HuaweiIdentity,
    scope: Option<&ScopeRef>,
) -> Result<HuaweiScope, HuaweiError> {
    let Some(scope) = scope else {
        return Ok(HuaweiScope::Unscoped);
    };
    let domain = state.credentials.huawei_domain(&identity.domain_id);
    if let Some(project) = &scope.project {
        if project
            .domain
            .as_ref()
            .is_some_and(|domain| !is_own_domain(identity, domain))
        {
            return Err(no_access());
        }
        let (id, name) = match (&project.id, &project.name) {
            (Some(id), _) => {
                let name = domain
                    .and_then(|domain| domain.project(id))
                    .map_or_else(|| id.clone(), |project| project.region.clone());
                (id.clone(), name)
            }
            (None, Some(name)) => {
                let project = domain
                    .and_then(|domain| domain.project_in(name))
                    .ok_or_else(no_access)?;
                (project.id.clone(), name.clone())
            }
            (None, None) => return Err(bad_request("The request body is invalid")),
        };
        if !identity.may_use_project(&id) || !super::gateway::is_project_id(&id) {
            return Err(no_access());
        }
        return Ok(HuaweiScope::Project { id, name });
    }
    match &scope.domain {
        Some(domain) if is_own_domain(identity, domain) => Ok(HuaweiScope::Domain),
        Some(_) => Err(no_access()),
        None => Ok(HuaweiScope::Unscoped),
    }
}

fn with_subject_token(mut response: Response, token: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(token) {
        response.headers_mut().insert("x-subject-token", value);
    }
    response
}

async fn create_token(State(state): State<AppState>, body: Bytes) -> Result<Response, HuaweiError> {
    let request: TokenRequest =
        json(&body).ok_or_else(|| bad_request("The request body is invalid"))?;
    let identity = request.auth.identity;
    if !identity.methods.iter().any(|method| method == "password") {
        return Err(bad_request(
            "The request body is invalid: Flowplane issues tokens for the password method only",
        ));
    }
    let password = identity
        .password
        .ok_or_else(|| bad_request("The request body is invalid"))?;
    let user = user_named(&state, &password.user)
        .filter(|user| user.password_is(&password.user.password))
        .ok_or_else(|| {
            tracing::info!("a token was refused: wrong user or password");
            wrong_password()
        })?;
    let principal = HuaweiPrincipal {
        identity: user.identity().clone(),
        scope: scope_of(&state, user.identity(), request.auth.scope.as_ref())?,
    };
    let issued = state
        .issued
        .issue_huawei_token(&principal, Utc::now())
        .await
        .map_err(storage_failure)?;
    let response = (
        StatusCode::CREATED,
        Json(TokenBody::of(
            &principal,
            issued.issued_at,
            issued.expires_at,
        )),
    )
        .into_response();
    Ok(with_subject_token(response, &issued.token))
}

async fn validate_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Result<Response, HuaweiError> {
    let invalid = || {
        HuaweiError::keystone(
            StatusCode::NOT_FOUND,
            "X-Subject-Token is invalid in the request",
        )
    };
    let subject = headers
        .get("x-subject-token")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .ok_or_else(invalid)?;
    let valid = match state.issued.huawei_token(subject, Utc::now()).await {
        Ok(valid) => valid,
        Err(Refusal::Storage(err)) => return Err(storage_failure(err)),
        Err(_) => return Err(invalid()),
    };
    if valid.principal.identity.domain_id != caller.identity().domain_id {
        return Err(invalid());
    }
    let response = Json(TokenBody::of(
        &valid.principal,
        valid.issued_at,
        valid.expires_at,
    ))
    .into_response();
    Ok(with_subject_token(response, subject))
}

// ---------------------------------------------------------------------------------------------
// Temporary access keys

fn invalid_body(detail: &str) -> HuaweiError {
    iam_error(
        StatusCode::BAD_REQUEST,
        "IAM.0011",
        format!("Request body is invalid.{detail}"),
    )
}

async fn create_temporary_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HuaweiError> {
    let request: SecurityTokenRequest = json(&body).ok_or_else(|| invalid_body(""))?;
    let identity = request.auth.identity;
    if identity
        .methods
        .iter()
        .any(|method| method == "assume_role")
    {
        return Err(invalid_body(
            " Flowplane has no agencies: use the token method",
        ));
    }
    if !identity.methods.iter().any(|method| method == "token") {
        return Err(invalid_body(" The method must be token."));
    }
    let token_ref = identity.token.unwrap_or(wire::TokenRef {
        id: None,
        duration_seconds: None,
    });
    let duration = token_ref
        .duration_seconds
        .unwrap_or(DEFAULT_DURATION_SECONDS);
    if !DURATION_SECONDS.contains(&duration) {
        return Err(invalid_body(" duration_seconds must be from 900 to 86400."));
    }
    let token = headers
        .get("x-auth-token")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
        .or(token_ref.id)
        .ok_or_else(|| {
            iam_error(
                StatusCode::UNAUTHORIZED,
                "IAM.0001",
                "The request you have made requires authentication.",
            )
        })?;
    let now = Utc::now();
    let valid = match state.issued.huawei_token(&token, now).await {
        Ok(valid) => valid,
        Err(Refusal::Expired(_)) => {
            return Err(iam_error(
                StatusCode::UNAUTHORIZED,
                "IAM.0066",
                "The token has expired.",
            ))
        }
        Err(Refusal::Storage(err)) => return Err(storage_failure(err)),
        Err(_) => {
            return Err(iam_error(
                StatusCode::UNAUTHORIZED,
                "IAM.0067",
                "Invalid token.",
            ))
        }
    };
    let principal = HuaweiPrincipal {
        identity: valid.principal.identity,
        scope: HuaweiScope::AsUser,
    };
    let issued = state
        .issued
        .issue_huawei_key(&principal, TimeDelta::seconds(duration), now)
        .await
        .map_err(storage_failure)?;
    Ok((
        StatusCode::CREATED,
        Json(CredentialBody {
            credential: Credential {
                access: issued.access_key_id,
                secret: issued.secret.expose().to_owned(),
                securitytoken: issued.security_token,
                expires_at: wire::iam_time(issued.expires_at),
            },
        }),
    )
        .into_response())
}
