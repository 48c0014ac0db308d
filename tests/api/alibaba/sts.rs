//! STS (`src/alibaba/sts/`): `GetCallerIdentity` for account and STS keys, `AssumeRole` and its
//! refusals, and the STS keys on every product with V1 (`SecurityToken`) and V3
//! (`x-acs-security-token`) signatures until they expire.

use flowplane::auth::signing::rfc3986_encode;

use crate::support::auth::{ACCOUNT, OTHER_ACCOUNT};
use crate::support::identity::*;
use crate::support::snapshot::{self, assert_body_snapshot};
use crate::support::*;

const CALLER: (&str, &str) = (STS_VERSION, "GetCallerIdentity");
const ASSUME: (&str, &str) = (STS_VERSION, "AssumeRole");

#[tokio::test]
async fn an_account_key_is_the_account_in_v1_and_v3() {
    let (app, _dir) = identity_app().await;
    let key = AliKey::account();
    let v3 = app.ali_v3(&key, CALLER, &[]).await;
    assert_body_snapshot!("caller_account", v3.assert_alibaba_ok(), {
        ".RequestId" => snapshot::alibaba_request_id(),
    });
    let v1 = app.ali_v1(&key, CALLER, &[]).await;
    let mut body = v1.assert_alibaba_ok().clone();
    body["RequestId"] = v3.body["RequestId"].clone();
    assert_eq!(body, v3.body);
    // The legacy SDK adds RegionId, which is fine.
    let regional = app.ali_v1(&key, CALLER, &[("RegionId", REGION)]).await;
    assert_eq!(regional.assert_alibaba_ok()["AccountId"], ACCOUNT);
}

#[tokio::test]
async fn assume_role_gives_an_sts_key_of_the_role_session() {
    let (app, _dir) = identity_app().await;
    let response = app
        .assume_role(&AliKey::account(), ACCOUNT, "flowplane")
        .await;
    assert_body_snapshot!("assume_role", response.assert_alibaba_ok(), {
        ".RequestId" => snapshot::alibaba_request_id(),
        ".Credentials.AccessKeyId" => "[access_key_id]",
        ".Credentials.AccessKeySecret" => "[secret]",
        ".Credentials.SecurityToken" => "[security_token]",
        ".Credentials.Expiration" => snapshot::alibaba_time(),
        ".AssumedRoleUser.AssumedRoleId" => "[role_id]:session-1",
    });
    let credentials = &response.body["Credentials"];
    assert!(credentials["AccessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("STS."));
    let expiration =
        chrono::DateTime::parse_from_rfc3339(credentials["Expiration"].as_str().unwrap()).unwrap();
    let lifetime = expiration.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        lifetime > chrono::TimeDelta::seconds(890) && lifetime <= chrono::TimeDelta::seconds(900),
        "{lifetime}"
    );

    let key = AliKey::from_assumed(&response.body);
    for identity in [
        app.ali_v3(&key, CALLER, &[]).await,
        app.ali_v1(&key, CALLER, &[]).await,
    ] {
        let body = identity.assert_alibaba_ok();
        assert_eq!(body["IdentityType"], "AssumedRoleUser");
        assert_eq!(body["AccountId"], ACCOUNT);
        assert_eq!(
            body["Arn"],
            format!("acs:ram::{ACCOUNT}:assumed-role/flowplane/session-1")
        );
        let role_id = body["RoleId"].as_str().unwrap();
        assert_eq!(body["PrincipalId"], format!("{role_id}:session-1"));
        assert_eq!(
            response.body["AssumedRoleUser"]["AssumedRoleId"],
            format!("{role_id}:session-1")
        );
        assert!(body.get("UserId").is_none(), "{body}");
    }
    // The default duration is an hour; an STS key may assume a role again (role chaining).
    let arn = format!("acs:ram::{ACCOUNT}:role/flowplane");
    let chained = app
        .ali_v1(
            &key,
            ASSUME,
            &[("RoleArn", &arn), ("RoleSessionName", "again")],
        )
        .await;
    let expiration = chained.assert_alibaba_ok()["Credentials"]["Expiration"]
        .as_str()
        .unwrap();
    let lifetime = chrono::DateTime::parse_from_rfc3339(expiration)
        .unwrap()
        .with_timezone(&chrono::Utc)
        - chrono::Utc::now();
    assert!(lifetime > chrono::TimeDelta::seconds(3590), "{lifetime}");
}

#[tokio::test]
async fn assume_role_refuses_as_sts_does() {
    let (app, _dir) = identity_app().await;
    let key = AliKey::account();
    let arn = format!("acs:ram::{ACCOUNT}:role/flowplane");
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("RoleSessionName", "s1")], 400, "MissingRoleArn"),
        (vec![("RoleArn", &arn)], 400, "MissingRoleSessionName"),
        (
            vec![("RoleArn", "acs:ram::1:user/x"), ("RoleSessionName", "s1")],
            400,
            "InvalidParameter.RoleArn",
        ),
        (
            vec![("RoleArn", &arn), ("RoleSessionName", "s")],
            400,
            "InvalidParameter.RoleSessionName",
        ),
        (
            vec![("RoleArn", &arn), ("RoleSessionName", "a b")],
            400,
            "InvalidParameter.RoleSessionName",
        ),
        (
            vec![
                ("RoleArn", &arn),
                ("RoleSessionName", "s1"),
                ("DurationSeconds", "899"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            vec![
                ("RoleArn", &arn),
                ("RoleSessionName", "s1"),
                ("DurationSeconds", "3601"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            vec![
                ("RoleArn", &arn),
                ("RoleSessionName", "s1"),
                ("DurationSeconds", "soon"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("RoleArn", &arn),
                ("RoleSessionName", "s1"),
                ("Policy", "{not json"),
            ],
            400,
            "InvalidParameter.PolicyGrammar",
        ),
        (
            vec![
                ("RoleArn", "acs:ram::9999999999999999:role/flowplane"),
                ("RoleSessionName", "s1"),
            ],
            404,
            "EntityNotExist.Role",
        ),
    ];
    for (params, status, code) in cases {
        let response = app.ali_v1(&key, ASSUME, &params).await;
        response.assert_pop_error(STS_HOST, status, code);
    }
    let big = format!("{{\"Version\":\"1\",\"x\":\"{}\"}}", "a".repeat(2100));
    app.ali_v3(
        &key,
        ASSUME,
        &[
            ("RoleArn", &arn),
            ("RoleSessionName", "s1"),
            ("Policy", &big),
        ],
    )
    .await
    .assert_pop_error(STS_HOST, 400, "InvalidParameter.PolicySize");
    // Another account's role is not this account's to assume.
    let theirs = format!("acs:ram::{OTHER_ACCOUNT}:role/flowplane");
    let response = app
        .ali_v3(
            &key,
            ASSUME,
            &[("RoleArn", &theirs), ("RoleSessionName", "s1")],
        )
        .await;
    response.assert_pop_error(STS_HOST, 403, "NoPermission");
    assert_body_snapshot!("assume_role_refused", snapshot::answer(&response), {
        ".body.RequestId" => snapshot::alibaba_request_id(),
        ".body.Recommend" => "[recommend]",
    });
}

#[tokio::test]
async fn sts_keys_act_in_the_roles_account_on_vpc_in_v1_and_v3() {
    let (app, _dir) = identity_app().await;
    let key = app.sts_key().await;
    let create = |resource: &'static str| {
        let mut params = vec![("RegionId", REGION)];
        params.extend(create_params(resource));
        params
    };
    let v3 = app
        .ali_v3(&key, (VPC_VERSION, "CreateFlowLog"), &create("vpc-v3"))
        .await;
    v3.assert_alibaba_ok();
    let v1 = app
        .ali_v1(&key, (VPC_VERSION, "CreateFlowLog"), &create("vpc-v1"))
        .await;
    v1.assert_alibaba_ok();
    let stored = app.stored().await;
    assert_eq!(stored.len(), 2);
    assert!(
        stored.iter().all(|f| f["tenant_id"] == ACCOUNT),
        "{stored:?}"
    );
    // The account's own key sees them; another account's does not.
    let mine = app
        .ali_v1(
            &AliKey::account(),
            (VPC_VERSION, "DescribeFlowLogs"),
            &[("RegionId", REGION)],
        )
        .await;
    assert_eq!(mine.assert_alibaba_ok()["TotalCount"], "2");
    let theirs = app
        .ali_v1(
            &AliKey::other_account(),
            (VPC_VERSION, "DescribeFlowLogs"),
            &[("RegionId", REGION)],
        )
        .await;
    assert_eq!(theirs.assert_alibaba_ok()["TotalCount"], "0");
    // Resource Manager answers with the role's account's groups.
    let groups = app
        .ali_v3(&key, (RM_VERSION, "ListResourceGroups"), &[])
        .await;
    assert_eq!(
        groups.assert_alibaba_ok()["ResourceGroups"]["ResourceGroup"][0]["AccountId"],
        ACCOUNT
    );
}

#[tokio::test]
async fn an_sts_key_needs_its_own_unexpired_token() {
    let (app, _dir) = identity_app().await;
    let key = app.sts_key().await;
    let other = app.sts_key().await;
    let describe = (VPC_VERSION, "DescribeFlowLogs");
    let region = [("RegionId", REGION)];
    let mut forged = key.token.clone().unwrap();
    forged.insert_str(4, "QUJD");
    let cases = [
        (key.with_token(None), 400, "MissingSecurityToken"),
        (
            key.with_token(Some("garbage")),
            400,
            "InvalidSecurityToken.Malformed",
        ),
        (
            key.with_token(Some(&forged)),
            400,
            "InvalidSecurityToken.Malformed",
        ),
        (
            key.with_token(other.token.as_deref()),
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
        ),
        (
            AliKey {
                secret: "wrong".into(),
                ..key.clone()
            },
            400,
            "SignatureDoesNotMatch",
        ),
        (
            AliKey {
                id: "STS.unknownKey".into(),
                ..key.clone()
            },
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
        ),
    ];
    for (presented, status, code) in cases {
        for response in [
            app.ali_v1(&presented, describe, &region).await,
            app.ali_v3(&presented, describe, &region).await,
        ] {
            let message = response.assert_alibaba_error(status, code);
            assert!(!message.contains(&key.secret), "{message}");
            let token = presented.token.as_deref().unwrap_or("CAIS");
            let once = rfc3986_encode(token.as_bytes());
            for shown in [token.to_owned(), rfc3986_encode(once.as_bytes()), once] {
                assert!(!message.contains(&shown), "a token in {message}");
            }
        }
    }
    // A live key, unknown to another database: the key is not found.
    let (fresh, _fresh_dir) = identity_app().await;
    fresh
        .ali_v1(&key, describe, &region)
        .await
        .assert_alibaba_error(404, "InvalidAccessKeyId.NotFound");
    // An account key with a token stays the account's.
    let account = AliKey::account().with_token(Some("ignored"));
    app.ali_v1(&account, describe, &region)
        .await
        .assert_alibaba_ok();
}

#[tokio::test]
async fn an_expired_sts_key_is_invalid_security_token_expired() {
    let (app, _dir) = expiring_identity_app().await;
    let key = app.sts_key().await;
    for response in [
        app.ali_v1(
            &key,
            (VPC_VERSION, "DescribeFlowLogs"),
            &[("RegionId", REGION)],
        )
        .await,
        app.ali_v3(&key, CALLER, &[]).await,
        app.ali_v3(&key, (RM_VERSION, "ListResourceGroups"), &[])
            .await,
    ] {
        let host = response.body["HostId"].as_str().unwrap().to_owned();
        let message = response.assert_pop_error(&host, 400, "InvalidSecurityToken.Expired");
        assert_eq!(message, "Specified SecurityToken is expired.");
    }
}

#[tokio::test]
async fn with_auth_off_an_sts_key_is_its_roles_account() {
    let app = TestApp::new().await;
    let query = format!(
        "Action=AssumeRole&Version={STS_VERSION}&AccessKeyId=1234567890123456\
         &RoleArn=acs%3Aram%3A%3A1234567890123456%3Arole%2Fflowplane&RoleSessionName=s1"
    );
    let assumed = app
        .alibaba_raw(axum::http::Method::POST, &query, &[], Vec::new())
        .await;
    let key = AliKey::from_assumed(assumed.assert_alibaba_ok());
    let query = format!(
        "Action=GetCallerIdentity&Version={STS_VERSION}&AccessKeyId={}",
        key.id
    );
    let identity = app
        .alibaba_raw(axum::http::Method::POST, &query, &[], Vec::new())
        .await;
    let body = identity.assert_alibaba_ok();
    assert_eq!(body["AccountId"], "1234567890123456");
    assert_eq!(body["IdentityType"], "AssumedRoleUser");
}
