//! Tokens by password (`POST /v3/auth/tokens`), their validation, and `X-Auth-Token` on every
//! Huawei API: a project-scoped token acts in its project only, an expired one is
//! `401 APIGW.0307`, a garbled one `401 APIGW.0301`.

use axum::http::Method;
use serde_json::json;

use crate::support::identity::*;
use crate::support::snapshot::{self, assert_body_snapshot};
use crate::support::*;

#[tokio::test]
async fn a_password_gives_a_project_scoped_token() {
    let (app, _dir) = identity_app().await;
    let response = app
        .send_json(
            Method::POST,
            "/v3/auth/tokens?nocatalog=true",
            &[],
            Some(&password_auth(
                ALICE,
                ALICE_PASSWORD,
                ACME_DOMAIN,
                project_scope("cn-north-4"),
            )),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    let token = response.subject_token();
    assert!(token.starts_with("MII"), "{token}");
    assert!(
        !response.text().contains(&token),
        "the token is in the header only"
    );
    assert_body_snapshot!("token", &response.body, {
        ".token.expires_at" => snapshot::iam_time(),
        ".token.issued_at" => snapshot::iam_time(),
        ".token.user.id" => "[user_id]",
    });
    let issued =
        chrono::DateTime::parse_from_rfc3339(response.body["token"]["issued_at"].as_str().unwrap())
            .unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(
        response.body["token"]["expires_at"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(expires - issued, chrono::TimeDelta::hours(24));

    // By project id, by the domain's id, and scoped to the domain.
    let by_id = password_auth(
        ALICE,
        ALICE_PASSWORD,
        ACME_DOMAIN,
        json!({"project": {"id": OTHER_PROJECT}}),
    );
    let response = app
        .send_json(Method::POST, "/v3/auth/tokens", &[], Some(&by_id))
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.body["token"]["project"]["name"], "ap-southeast-1");
    let mut by_domain_id = password_auth(
        ALICE,
        ALICE_PASSWORD,
        "",
        json!({"domain": {"id": ACME_DOMAIN_ID}}),
    );
    by_domain_id["auth"]["identity"]["password"]["user"]["domain"] = json!({"id": ACME_DOMAIN_ID});
    let response = app
        .send_json(Method::POST, "/v3/auth/tokens", &[], Some(&by_domain_id))
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.body["token"]["domain"]["name"], ACME_DOMAIN);
    assert!(response.body["token"].get("project").is_none());
}

#[tokio::test]
async fn wrong_passwords_users_scopes_and_bodies_are_keystones_errors() {
    let (app, _dir) = identity_app().await;
    let post = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.send_json(Method::POST, "/v3/auth/tokens", &[], Some(&body))
                .await
        }
    };
    let wrong = post(password_auth(
        ALICE,
        "nope",
        ACME_DOMAIN,
        project_scope("cn-north-4"),
    ))
    .await;
    assert_eq!(
        wrong.assert_keystone_error(401, "Unauthorized"),
        "The username or password is wrong."
    );
    assert!(!wrong.text().contains("nope"));
    assert_body_snapshot!("wrong_password", snapshot::answer(&wrong));
    for (user, password, domain) in [
        ("mallory", ALICE_PASSWORD, ACME_DOMAIN),
        (ALICE, ALICE_PASSWORD, GLOBEX_DOMAIN),
        (BOB, ALICE_PASSWORD, GLOBEX_DOMAIN),
    ] {
        post(password_auth(user, password, domain, json!(null)))
            .await
            .assert_keystone_error(401, "Unauthorized");
    }
    for scope in [
        project_scope("cn-east-3"),
        json!({"project": {"id": THIRD_PROJECT}}),
        json!({"project": {"name": "cn-north-4", "domain": {"name": GLOBEX_DOMAIN}}}),
        json!({"domain": {"name": GLOBEX_DOMAIN}}),
    ] {
        post(password_auth(
            ALICE,
            ALICE_PASSWORD,
            ACME_DOMAIN,
            scope.clone(),
        ))
        .await
        .assert_keystone_error(401, "Unauthorized");
    }
    let not_json = app
        .send(raw_request(
            Method::POST,
            "/v3/auth/tokens",
            Some("application/json"),
            "{",
        ))
        .await;
    not_json.assert_keystone_error(400, "Bad Request");
    for body in [
        json!({}),
        json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "x"}}}}),
        json!({"auth": {"identity": {"methods": ["password"]}}}),
        json!({"auth": {"identity": {"methods": "password"}}}),
    ] {
        post(body).await.assert_keystone_error(400, "Bad Request");
    }
}

#[tokio::test]
async fn a_token_acts_in_its_project_on_every_api() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    let created = app
        .with_token(
            &token,
            Method::POST,
            &flow_logs_path(PROJECT),
            Some(&create_body("port-1")),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["flow_log"]["tenant_id"], PROJECT);
    let listed = app
        .with_token(&token, Method::GET, &flow_logs_path(PROJECT), None)
        .await;
    assert_eq!(ids_of(&listed.body).len(), 1);
    // Another project of the same domain is not the token's.
    app.with_token(&token, Method::GET, &flow_logs_path(OTHER_PROJECT), None)
        .await
        .assert_vpc_error(400, "VPC.0007");
    // IAM takes it too.
    let projects = app
        .with_token(&token, Method::GET, "/v3/projects?name=cn-north-4", None)
        .await;
    assert_eq!(projects.body["projects"][0]["id"], PROJECT);
    // A domain-scoped token acts in no project.
    let domain_token = app
        .huawei_token(
            ALICE,
            ALICE_PASSWORD,
            ACME_DOMAIN,
            json!({"domain": {"name": ACME_DOMAIN}}),
        )
        .await;
    app.with_token(&domain_token, Method::GET, &flow_logs_path(PROJECT), None)
        .await
        .assert_vpc_error(400, "VPC.0007");
    let domains = app
        .with_token(&domain_token, Method::GET, "/v3/auth/domains", None)
        .await;
    assert_eq!(domains.body["domains"][0]["id"], ACME_DOMAIN_ID);
    // With an Authorization header the signature decides, not the token.
    let signed = app
        .huawei_signed(
            (ACME_KEY, "wrong"),
            Method::GET,
            &flow_logs_path(PROJECT),
            None,
            &[("x-auth-token", &token)],
        )
        .await;
    signed.assert_gateway_error(401, "APIGW.0301");
}

#[tokio::test]
async fn garbled_unknown_and_expired_tokens_are_refused() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    let mut forged = token.clone();
    forged.pop();
    forged.push('A');
    for bad in ["garbage", "MIIF", forged.as_str()] {
        let response = app
            .with_token(bad, Method::GET, &flow_logs_path(PROJECT), None)
            .await;
        response.assert_gateway_error(401, "APIGW.0301");
        assert!(
            !response.text().contains(bad) || bad == "MIIF",
            "{}",
            response.body
        );
    }
    // A token of another database (or after a reset) is unknown.
    let (other, _other_dir) = identity_app().await;
    other
        .with_token(&token, Method::GET, &flow_logs_path(PROJECT), None)
        .await
        .assert_gateway_error(401, "APIGW.0301");

    let (expiring, _dir2) = expiring_identity_app().await;
    let expired = expiring.alice_token().await;
    let response = expiring
        .with_token(&expired, Method::GET, &flow_logs_path(PROJECT), None)
        .await;
    response.assert_gateway_error(401, "APIGW.0307");
    assert_eq!(response.body["error_msg"], "The token must be updated.");
    expiring
        .with_token(&expired, Method::GET, "/v3/auth/domains", None)
        .await
        .assert_gateway_error(401, "APIGW.0307");
}

#[tokio::test]
async fn tokens_are_validated_within_their_domain() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    let caller = app
        .huawei_token(ALICE, ALICE_PASSWORD, ACME_DOMAIN, json!(null))
        .await;
    let response = app
        .send_json(
            Method::GET,
            "/v3/auth/tokens",
            &[("x-auth-token", &caller), ("x-subject-token", &token)],
            None,
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.subject_token(), token);
    assert_eq!(response.body["token"]["project"]["id"], PROJECT);
    let bob = app
        .huawei_token(BOB, BOB_PASSWORD, GLOBEX_DOMAIN, json!(null))
        .await;
    for (caller, subject) in [(&bob, token.as_str()), (&caller, "garbage")] {
        app.send_json(
            Method::GET,
            "/v3/auth/tokens",
            &[("x-auth-token", caller), ("x-subject-token", subject)],
            None,
        )
        .await
        .assert_keystone_error(404, "Not Found");
    }
    app.send_json(
        Method::GET,
        "/v3/auth/tokens",
        &[("x-auth-token", &caller)],
        None,
    )
    .await
    .assert_keystone_error(404, "Not Found");
}

#[tokio::test]
async fn hostile_bodies_and_headers_get_clean_errors() {
    let (app, _dir) = identity_app().await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for body in [deep.as_str(), "\u{0}", "{\"auth\": null}", "[]"] {
        let response = app
            .send(raw_request(
                Method::POST,
                "/v3/auth/tokens",
                Some("application/json"),
                body.to_owned(),
            ))
            .await;
        response.assert_keystone_error(400, "Bad Request");
        let response = app
            .send(raw_request(
                Method::POST,
                "/v3.0/OS-CREDENTIAL/securitytokens",
                Some("application/json"),
                body.to_owned(),
            ))
            .await;
        assert_eq!(
            (
                response.status.as_u16(),
                response.body["error_code"].as_str()
            ),
            (400, Some("IAM.0011"))
        );
    }
    let long = "p".repeat(100_000);
    post_wrong_password(&app, &long).await;
    // A token header that is not UTF-8 is no token: the gateway asks for credentials.
    let request = axum::http::Request::get(flow_logs_path(PROJECT))
        .header(
            "x-auth-token",
            axum::http::HeaderValue::from_bytes(b"MIIF\xff\xfe").unwrap(),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(request)
        .await
        .assert_gateway_error(401, "APIGW.0301");
    let huge = "MIIF".to_owned() + &"A".repeat(8_000);
    app.with_token(&huge, Method::GET, "/v3/auth/domains", None)
        .await
        .assert_gateway_error(401, "APIGW.0301");
}

async fn post_wrong_password(app: &TestApp, password: &str) {
    let body = password_auth(ALICE, password, ACME_DOMAIN, json!(null));
    let response = app
        .send_json(Method::POST, "/v3/auth/tokens", &[], Some(&body))
        .await;
    response.assert_keystone_error(401, "Unauthorized");
    assert!(!response.text().contains(password));
}
