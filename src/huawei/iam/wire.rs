//! IAM's wire types: the Keystone request bodies the SDKs and Terraform send, and the answers
//! as `huaweicloudsdkiam`'s models name and type them (`KeystoneListProjectsResponse`,
//! `KeystoneCreateUserTokenByPasswordResponse`, `CreateTemporaryAccessKeyByTokenResponse`, …).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::credentials::{HuaweiDomain, HuaweiIdentity, HuaweiProject};
use crate::auth::issued::{HuaweiPrincipal, HuaweiScope};

/// `2020-01-04T09:05:22.701000Z`: the Python core parses temporary credentials' `expires_at`
/// with `%Y-%m-%dT%H:%M:%S.%fZ` and nothing else.
pub fn iam_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `Links`: `previous` and `next` are always null (one page), so that clients that follow
/// `next` stop.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Links {
    pub fn to(self_: String) -> Self {
        Links {
            self_,
            previous: None,
            next: None,
        }
    }
}

/// `ProjectResult`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectResult {
    pub id: String,
    pub name: String,
    pub domain_id: String,
    pub parent_id: String,
    pub description: String,
    pub enabled: bool,
    pub is_domain: bool,
    pub links: Links,
}

impl ProjectResult {
    pub fn of(domain: &HuaweiDomain, project: &HuaweiProject, base: &str) -> Self {
        ProjectResult {
            id: project.id.clone(),
            name: project.region.clone(),
            domain_id: domain.id.clone(),
            parent_id: domain.id.clone(),
            description: String::new(),
            enabled: true,
            is_domain: false,
            links: Links::to(format!("{base}/v3/projects/{}", project.id)),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectsBody {
    pub links: Links,
    pub projects: Vec<ProjectResult>,
}

/// `LinksSelf`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinksSelf {
    #[serde(rename = "self")]
    pub self_: String,
}

/// `Domains`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainResult {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub description: String,
    pub links: LinksSelf,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainsBody {
    pub domains: Vec<DomainResult>,
    pub links: Links,
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// `{"auth": {"identity": …, "scope": …}}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub auth: TokenAuth,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenAuth {
    pub identity: TokenIdentity,
    #[serde(default)]
    pub scope: Option<ScopeRef>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenIdentity {
    pub methods: Vec<String>,
    #[serde(default)]
    pub password: Option<PasswordIdentity>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordIdentity {
    pub user: PasswordUser,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordUser {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub password: String,
    #[serde(default)]
    pub domain: Option<NameOrId>,
}

/// A domain or project named by `id` or by `name`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NameOrId {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScopeRef {
    #[serde(default)]
    pub project: Option<ProjectRef>,
    #[serde(default)]
    pub domain: Option<NameOrId>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProjectRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain: Option<NameOrId>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenProject {
    pub id: String,
    pub name: String,
    pub domain: NamedRef,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenUser {
    pub id: String,
    pub name: String,
    pub password_expires_at: String,
    pub domain: NamedRef,
}

/// `TokenResult`: `project` only for a project-scoped token, `domain` only for a
/// domain-scoped one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResult {
    pub methods: Vec<&'static str>,
    pub expires_at: String,
    pub issued_at: String,
    pub catalog: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<TokenProject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<NamedRef>,
    pub roles: Vec<NamedRef>,
    pub user: TokenUser,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenBody {
    pub token: TokenResult,
}

impl TokenBody {
    pub fn of(
        principal: &HuaweiPrincipal,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        let identity: &HuaweiIdentity = &principal.identity;
        let domain = || NamedRef {
            id: identity.domain_id.clone(),
            name: identity.domain_name.clone(),
        };
        let (project, scoped_domain) = match &principal.scope {
            HuaweiScope::Project { id, name } => (
                Some(TokenProject {
                    id: id.clone(),
                    name: name.clone(),
                    domain: domain(),
                }),
                None,
            ),
            HuaweiScope::Domain => (None, Some(domain())),
            HuaweiScope::Unscoped | HuaweiScope::AsUser => (None, None),
        };
        TokenBody {
            token: TokenResult {
                methods: vec!["password"],
                expires_at: iam_time(expires_at),
                issued_at: iam_time(issued_at),
                catalog: Vec::new(),
                project,
                domain: scoped_domain,
                // Huawei's examples: "not a real permission id".
                roles: vec![NamedRef {
                    id: "0".to_owned(),
                    name: "te_admin".to_owned(),
                }],
                user: TokenUser {
                    id: identity.user_id.clone(),
                    name: identity.user_name.clone(),
                    password_expires_at: String::new(),
                    domain: domain(),
                },
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Temporary access keys

/// `{"auth": {"identity": {"methods": ["token"], "token": {"id", "duration_seconds"}}}}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SecurityTokenRequest {
    pub auth: SecurityTokenAuth,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SecurityTokenAuth {
    pub identity: SecurityTokenIdentity,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SecurityTokenIdentity {
    pub methods: Vec<String>,
    #[serde(default)]
    pub token: Option<TokenRef>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub duration_seconds: Option<i64>,
}

/// `Credential`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Credential {
    pub access: String,
    pub secret: String,
    pub securitytoken: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CredentialBody {
    pub credential: Credential,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_have_microseconds_and_a_z() {
        let time = DateTime::from_timestamp_millis(1_578_128_722_701).unwrap();
        assert_eq!(iam_time(time), "2020-01-04T09:05:22.701000Z");
    }
}
