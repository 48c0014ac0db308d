//! `GetCallerIdentity` and `AssumeRole`, typed as `alibabacloud-sts20150401`'s models type
//! them (every field a string). A role is `acs:ram::<account>:role/<name>`: every role name of
//! the caller's own account exists (with an id derived from it), a role of another account
//! the credentials know is not the caller's to assume, any other does not exist.

use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::alibaba::error::AlibabaError;
use crate::alibaba::rpc::Call;
use crate::auth::issued::{AlibabaCaller, AssumedRole};
use crate::domain::DomainError;

/// `DurationSeconds`: from 15 minutes to the role's `MaxSessionDuration` (1 hour by default),
/// 1 hour when not given.
const DURATION_SECONDS: std::ops::RangeInclusive<u64> = 900..=3600;
const DEFAULT_DURATION_SECONDS: u64 = 3600;
const MAX_POLICY_CHARS: usize = 2048;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    account_id: String,
    arn: String,
    identity_type: &'static str,
    principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_id: Option<String>,
}

pub async fn get_caller_identity(call: &Call<'_>) -> Result<CallerIdentity, AlibabaError> {
    Ok(match call.caller {
        AlibabaCaller::Account { account_id } => CallerIdentity {
            account_id: account_id.clone(),
            arn: format!("acs:ram::{account_id}:root"),
            identity_type: "Account",
            principal_id: account_id.clone(),
            user_id: Some(account_id.clone()),
            role_id: None,
        },
        AlibabaCaller::AssumedRole(role) => CallerIdentity {
            account_id: role.account_id.clone(),
            arn: format!(
                "acs:ram::{}:assumed-role/{}/{}",
                role.account_id, role.role_name, role.session_name
            ),
            identity_type: "AssumedRoleUser",
            principal_id: role.assumed_role_id(),
            user_id: None,
            role_id: Some(role.role_id.clone()),
        },
    })
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleAnswer {
    assumed_role_user: AssumedRoleUser,
    credentials: Credentials,
    source_identity: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct AssumedRoleUser {
    arn: String,
    assumed_role_id: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct Credentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: String,
    expiration: String,
}

/// `YYYY-MM-DDThh:mm:ssZ`.
fn expiration(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `acs:ram::<account>:role/<name>` → (account, name).
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let (account, role) = arn.strip_prefix("acs:ram::")?.split_once(":role/")?;
    let account_ok = !account.is_empty()
        && account.len() <= 64
        && account.bytes().all(|b| b.is_ascii_alphanumeric());
    let role_ok = !role.is_empty()
        && role.len() <= 64
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    (account_ok && role_ok).then_some((account, role))
}

/// A role's id: 18 digits derived from its account and name, the same in every process.
fn role_id(account_id: &str, role_name: &str) -> String {
    let digest = Sha256::digest(format!("ram-role/{account_id}/{role_name}").as_bytes());
    let number = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    format!("3{:017}", number % 100_000_000_000_000_000)
}

fn is_session_name(name: &str) -> bool {
    (2..=64).contains(&name.chars().count())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'_' | b'-'))
}

pub async fn assume_role(call: &Call<'_>) -> Result<AssumeRoleAnswer, AlibabaError> {
    let params = call.params;
    let arn = params.require("RoleArn")?;
    let session_name = params.require("RoleSessionName")?;
    let duration = params
        .integer("DurationSeconds")?
        .unwrap_or(DEFAULT_DURATION_SECONDS);
    let (account_id, role_name) = parse_role_arn(arn).ok_or_else(|| {
        AlibabaError::documented(
            "InvalidParameter.RoleArn",
            "The parameter RoleArn is wrongly formed.",
        )
    })?;
    if !is_session_name(session_name) {
        return Err(AlibabaError::documented(
            "InvalidParameter.RoleSessionName",
            "The parameter RoleSessionName is wrongly formed.",
        ));
    }
    if !DURATION_SECONDS.contains(&duration) {
        return Err(AlibabaError::documented(
            "InvalidParameter.DurationSeconds",
            "The Min/Max value of DurationSeconds is 15min/1hr.",
        ));
    }
    if let Some(policy) = params.get("Policy") {
        if policy.chars().count() > MAX_POLICY_CHARS {
            return Err(AlibabaError::documented(
                "InvalidParameter.PolicySize",
                "The size of Policy must be smaller than 2048 bytes.",
            ));
        }
        if !serde_json::from_str::<serde_json::Value>(policy).is_ok_and(|p| p.is_object()) {
            return Err(AlibabaError::documented(
                "InvalidParameter.PolicyGrammar",
                "The parameter Policy has not passed grammar check.",
            ));
        }
    }
    if account_id != call.caller.account_id() {
        let known = call.state.credentials.knows_alibaba_account(account_id);
        return Err(if known {
            AlibabaError::documented_with(
                StatusCode::FORBIDDEN,
                "NoPermission",
                "You are not authorized to do this action. You should be authorized by RAM.",
            )
        } else {
            AlibabaError::documented_with(
                StatusCode::NOT_FOUND,
                "EntityNotExist.Role",
                "The specified Role not exists.",
            )
        });
    }
    let role = AssumedRole {
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
        role_id: role_id(account_id, role_name),
        session_name: session_name.to_owned(),
    };
    let duration = TimeDelta::seconds(i64::try_from(duration).unwrap_or(i64::MAX));
    let issued = call
        .state
        .issued
        .issue_alibaba_key(&role, duration, Utc::now())
        .await
        .map_err(|err| AlibabaError::from(DomainError::from(err)))?;
    Ok(AssumeRoleAnswer {
        assumed_role_user: AssumedRoleUser {
            arn: format!("acs:ram::{account_id}:role/{role_name}/{session_name}"),
            assumed_role_id: role.assumed_role_id(),
        },
        credentials: Credentials {
            access_key_id: issued.access_key_id,
            access_key_secret: issued.secret.expose().to_owned(),
            security_token: issued.security_token,
            expiration: expiration(issued.expires_at),
        },
        source_identity: params.get("SourceIdentity").unwrap_or_default().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        assert_eq!(
            parse_role_arn("acs:ram::1234567890123456:role/flowplane"),
            Some(("1234567890123456", "flowplane"))
        );
        for bad in [
            "",
            "acs:ram::1234:role/",
            "acs:ram:::role/x",
            "acs:ram::1234:user/x",
            "acs:ram::1234:role/a/b",
            "acs:ecs::1234:role/x",
        ] {
            assert_eq!(parse_role_arn(bad), None, "{bad}");
        }
    }

    #[test]
    fn role_ids_are_18_digits_of_their_own() {
        let id = role_id("1234567890123456", "flowplane");
        assert_eq!(id.len(), 18);
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(id, role_id("1234567890123456", "flowplane"));
        assert_ne!(id, role_id("1234567890123456", "other"));
    }

    #[test]
    fn session_names() {
        assert!(is_session_name("s1") && is_session_name("alice@example.com_1-2"));
        assert!(
            !is_session_name("s") && !is_session_name("a b") && !is_session_name(&"x".repeat(65))
        );
    }
}
