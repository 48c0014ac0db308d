//! Temporary access keys by token (`POST /v3.0/OS-CREDENTIAL/securitytokens`): an AK/SK and a
//! security token that sign requests with `X-Security-Token` until they expire, acting for the
//! token's user wherever it may act.

use axum::http::Method;
use serde_json::json;

use crate::support::identity::*;
use crate::support::snapshot::{self, assert_body_snapshot};
use crate::support::*;

const SECURITY_TOKENS: &str = "/v3.0/OS-CREDENTIAL/securitytokens";

#[tokio::test]
async fn a_token_gives_a_temporary_key_in_the_header_or_the_body() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    let response = app
        .with_token(
            &token,
            Method::POST,
            SECURITY_TOKENS,
            Some(&security_token_request(Some(1800), None)),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_body_snapshot!("temporary_key", &response.body, {
        ".credential.access" => "[access]",
        ".credential.secret" => "[secret]",
        ".credential.securitytoken" => "[securitytoken]",
        ".credential.expires_at" => snapshot::iam_time(),
    });
    let credential = &response.body["credential"];
    let access = credential["access"].as_str().unwrap();
    assert!(
        access.len() == 20
            && access
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{access}"
    );
    assert_eq!(credential["secret"].as_str().unwrap().len(), 40);
    let expires =
        chrono::DateTime::parse_from_rfc3339(credential["expires_at"].as_str().unwrap()).unwrap();
    let lifetime = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        lifetime > chrono::TimeDelta::seconds(1790) && lifetime <= chrono::TimeDelta::seconds(1800),
        "{lifetime}"
    );
    // The token in the body (no header), and the default of 900 seconds.
    let response = app
        .send_json(
            Method::POST,
            SECURITY_TOKENS,
            &[],
            Some(&security_token_request(None, Some(&token))),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
}

#[tokio::test]
async fn a_temporary_key_signs_as_its_user_with_its_security_token() {
    let (app, _dir) = identity_app().await;
    let key = app.huawei_temporary_key(&app.alice_token().await).await;
    let created = app
        .huawei_temporary(
            &key,
            Method::POST,
            &flow_logs_path(PROJECT),
            Some(&create_body("port-1")),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    // Every project of its user, not only the token's; no other.
    let other = app
        .huawei_temporary(&key, Method::GET, &flow_logs_path(OTHER_PROJECT), None)
        .await;
    assert_eq!(other.status, 200, "{}", other.body);
    app.huawei_temporary(&key, Method::GET, &flow_logs_path(THIRD_PROJECT), None)
        .await
        .assert_vpc_error(400, "VPC.0007");
    let projects = app
        .huawei_temporary(&key, Method::GET, "/v3/projects?name=cn-north-4", None)
        .await;
    assert_eq!(projects.body["projects"][0]["id"], PROJECT);
    // Terraform adds X-Security-Token after signing: unsigned, it is accepted too.
    let unsigned_token = app
        .huawei_signed(
            (&key.access, &key.secret),
            Method::GET,
            &flow_logs_path(PROJECT),
            None,
            &[],
        )
        .await;
    unsigned_token.assert_gateway_error(401, "APIGW.0301");
    let mut request = axum::http::Request::get(flow_logs_path(PROJECT));
    for (name, value) in crate::support::auth::huawei_sign(
        "GET",
        &flow_logs_path(PROJECT),
        &[("content-type", "application/json")],
        b"",
        &key.access,
        &key.secret,
        &crate::support::auth::huawei_date(chrono::Utc::now()),
    ) {
        request = request.header(name, value);
    }
    let request = request
        .header("content-type", "application/json")
        .header("x-security-token", &key.security_token)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, 200);
}

#[tokio::test]
async fn a_temporary_key_without_its_own_token_is_refused() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    let key = app.huawei_temporary_key(&token).await;
    let other = app.huawei_temporary_key(&token).await;
    let cases = [
        ("without a token", None),
        (
            "with another key's token",
            Some(other.security_token.as_str()),
        ),
        ("with a garbled token", Some("gQpjbiZ2FyYmxlZA==")),
        ("with an IAM token", Some(token.as_str())),
    ];
    for (case, security_token) in cases {
        let headers: Vec<(&str, &str)> = security_token
            .map(|t| ("x-security-token", t))
            .into_iter()
            .collect();
        let response = app
            .huawei_signed(
                (&key.access, &key.secret),
                Method::GET,
                &flow_logs_path(PROJECT),
                None,
                &headers,
            )
            .await;
        assert_eq!(
            response.body["error_code"], "APIGW.0301",
            "{case}: {}",
            response.body
        );
        response.assert_gateway_error(401, "APIGW.0301");
    }
    let wrong_secret = app
        .huawei_signed(
            (&key.access, "wrong"),
            Method::GET,
            &flow_logs_path(PROJECT),
            None,
            &[("x-security-token", &key.security_token)],
        )
        .await;
    assert!(wrong_secret.body["error_msg"]
        .as_str()
        .unwrap()
        .contains("verify aksk signature fail"));
    // Unknown to another database.
    let (fresh, _fresh_dir) = identity_app().await;
    let unknown = fresh
        .huawei_temporary(&key, Method::GET, &flow_logs_path(PROJECT), None)
        .await;
    assert!(
        unknown.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("ak not exist"),
        "{}",
        unknown.body
    );
}

#[tokio::test]
async fn expired_tokens_and_keys_are_refused_as_expired() {
    // Two processes on one database: one issues as the cloud would, the other caps lifetimes
    // at 0s, so what it issues is expired at once.
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let credentials = identity_credentials();
    let app = TestApp::verifying_with(&dir, &credentials, db.url(), &[]).await;
    let capped = TestApp::verifying_with(
        &dir,
        &credentials,
        db.url(),
        &["--max-credential-lifetime", "0s"],
    )
    .await;

    let expired_token = capped.alice_token().await;
    let response = app
        .with_token(
            &expired_token,
            Method::POST,
            SECURITY_TOKENS,
            Some(&security_token_request(None, None)),
        )
        .await;
    assert_eq!(response.status, 401, "{}", response.body);
    assert_eq!(response.body["error_code"], "IAM.0066");

    let token = app.alice_token().await;
    let key = capped.huawei_temporary_key(&token).await;
    for app in [&app, &capped] {
        let response = app
            .huawei_temporary(&key, Method::GET, &flow_logs_path(PROJECT), None)
            .await;
        response.assert_gateway_error(401, "APIGW.0307");
    }
    // A live key works on both: the database is shared.
    let live = app.huawei_temporary_key(&token).await;
    let listed = capped
        .huawei_temporary(&live, Method::GET, &flow_logs_path(PROJECT), None)
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
}

#[tokio::test]
async fn bad_requests_for_keys_are_iams_errors() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    let post = |headers: Vec<(&'static str, String)>, body: serde_json::Value| {
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.send_json(Method::POST, SECURITY_TOKENS, &headers, Some(&body))
                .await
        }
    };
    let with_token = vec![("x-auth-token", token.clone())];
    let cases = [
        (
            with_token.clone(),
            security_token_request(Some(899), None),
            400,
            "IAM.0011",
        ),
        (
            with_token.clone(),
            security_token_request(Some(86_401), None),
            400,
            "IAM.0011",
        ),
        (
            with_token.clone(),
            json!({"auth": {"identity": {"methods": ["assume_role"], "assume_role": {"agency_name": "a", "domain_name": "acme"}}}}),
            400,
            "IAM.0011",
        ),
        (with_token.clone(), json!({"auth": {}}), 400, "IAM.0011"),
        (vec![], security_token_request(None, None), 401, "IAM.0001"),
        (
            vec![("x-auth-token", "garbage".to_owned())],
            security_token_request(None, None),
            401,
            "IAM.0067",
        ),
        (
            vec![],
            security_token_request(None, Some("MIIFgarbage")),
            401,
            "IAM.0067",
        ),
    ];
    for (headers, body, status, code) in cases {
        let response = post(headers, body.clone()).await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{body}: {}",
            response.body
        );
        assert_eq!(
            response.body["error_code"], code,
            "{body}: {}",
            response.body
        );
        assert_eq!(response.body["request_id"], response.request_id());
    }
    let not_json = app
        .send(raw_request(
            Method::POST,
            SECURITY_TOKENS,
            Some("application/json"),
            "{",
        ))
        .await;
    assert_eq!(not_json.body["error_code"], "IAM.0011");
}
