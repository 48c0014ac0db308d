//! `--control-token`: every control route but health asks for `Authorization: Bearer <token>`;
//! a request without it, or with another, is 401 in the control envelope and changes nothing.
//! Without a token the control API is open, and a listener on a non-loopback address says so
//! at start.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::support::process::*;
use crate::support::*;

const TOKEN: &str = "c0ntrol-t0ken-for-tests";

/// The control routes behind the token, with a body for those that take one.
fn guarded() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/_flowplane/flow-logs", None),
        (Method::GET, "/_flowplane/records", None),
        (Method::POST, "/_flowplane/reset?provider=alibaba", None),
        (Method::POST, "/_flowplane/transitions/tick", None),
        (
            Method::POST,
            "/_flowplane/records/generate",
            Some(json!({"windows": 1})),
        ),
        (Method::GET, "/_flowplane/snapshot", None),
        (
            Method::POST,
            "/_flowplane/snapshot?mode=merge",
            Some(json!({"format": "flowplane-snapshot", "version": 1})),
        ),
    ]
}

fn request(
    method: Method,
    uri: &str,
    authorization: Option<&str>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(authorization) = authorization {
        builder = builder.header("authorization", authorization);
    }
    match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

fn assert_refused(response: &TestResponse, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        response.body
    );
    assert_eq!(response.body["error"]["code"], "Unauthorized", "{what}");
    assert!(response.body["error"]["message"].is_string(), "{what}");
    assert_eq!(response.body["request_id"], response.request_id(), "{what}");
    assert_eq!(
        response.headers.get("www-authenticate").unwrap(),
        "Bearer",
        "{what}"
    );
    assert!(
        !response.text().contains(TOKEN),
        "{what}: the token is never echoed"
    );
}

#[tokio::test]
async fn every_control_route_but_health_asks_for_the_token() {
    let app = TestApp::with_flags(&["--control-token", TOKEN]).await;
    let right = format!("Bearer {TOKEN}");
    let wrong = format!("Bearer {TOKEN}x");
    let basic = format!("Basic {TOKEN}");
    for (method, uri, body) in guarded() {
        for (authorization, what) in [
            (None, "no token"),
            (Some(wrong.as_str()), "a wrong token"),
            (Some("Bearer "), "an empty token"),
            (Some(basic.as_str()), "another scheme"),
            (Some(TOKEN), "no scheme"),
        ] {
            let response = app
                .send(request(method.clone(), uri, authorization, body.as_ref()))
                .await;
            assert_refused(&response, &format!("{method} {uri} with {what}"));
        }
        for authorization in [right.clone(), format!("bearer {TOKEN}")] {
            let response = app
                .send(request(
                    method.clone(),
                    uri,
                    Some(&authorization),
                    body.as_ref(),
                ))
                .await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{method} {uri}: {}",
                response.body
            );
        }
    }
    // Health stays open, for container health checks.
    let health = app.get("/_flowplane/health").await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.body);
    assert_eq!(health.body["status"], "ok");
}

#[tokio::test]
async fn a_refused_reset_changes_nothing_and_the_clouds_do_not_ask_for_it() {
    let app = TestApp::with_flags(&["--control-token", TOKEN]).await;
    // The cloud faces have their own credentials; the control token is not one of them.
    app.create_huawei(PROJECT, "port-1").await;
    for authorization in [None, Some("Bearer nope")] {
        let response = app
            .send(request(
                Method::POST,
                "/_flowplane/reset",
                authorization,
                None,
            ))
            .await;
        assert_refused(&response, "reset");
    }
    let listed = app
        .send(request(
            Method::GET,
            "/_flowplane/flow-logs",
            Some(&format!("Bearer {TOKEN}")),
            None,
        ))
        .await;
    assert_eq!(
        listed.body["flow_logs"].as_array().unwrap().len(),
        1,
        "a refused reset deletes nothing"
    );
    let reset = app
        .send(request(
            Method::POST,
            "/_flowplane/reset",
            Some(&format!("Bearer {TOKEN}")),
            None,
        ))
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert_eq!(reset.body["by_kind"]["flow_logs"], 1);
}

#[tokio::test]
async fn without_a_token_the_control_api_is_open() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    assert_eq!(
        app.get("/_flowplane/flow-logs").await.status,
        StatusCode::OK
    );
    // A stray Authorization header is ignored.
    let response = app
        .send(request(
            Method::POST,
            "/_flowplane/reset",
            Some("Bearer anything"),
            None,
        ))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["by_kind"]["flow_logs"], 1);
}

fn open_warnings(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|event| {
            event["level"] == "WARN"
                && event["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("open to the network"))
        })
        .collect()
}

#[tokio::test]
async fn a_network_listener_without_a_token_says_so_at_start() {
    let db = TestDb::new().await;
    let open = ServerProcess::start_on("0.0.0.0:0", db.url(), &[], &[]).await;
    let events = open.stop().await;
    let warnings = open_warnings(&events);
    assert_eq!(warnings.len(), 1, "{events:?}");
    assert!(
        warnings[0]["fields"]["message"]
            .as_str()
            .unwrap()
            .contains("--control-token"),
        "{}",
        warnings[0]
    );

    // Loopback: nobody else can reach it, nothing to say.
    let local = ServerProcess::start(db.url()).await;
    assert!(open_warnings(&local.stop().await).is_empty());
}

#[tokio::test]
async fn the_environment_twin_sets_the_token_of_a_real_server() {
    let db = TestDb::new().await;
    let server = ServerProcess::start_on(
        "0.0.0.0:0",
        db.url(),
        &[],
        &[("FLOWPLANE_CONTROL_TOKEN", TOKEN)],
    )
    .await;
    let client = reqwest::Client::new();
    let refused = client
        .post(server.url("/_flowplane/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    let accepted = client
        .post(server.url("/_flowplane/reset"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let health = client
        .get(server.url("/_flowplane/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let events = server.stop().await;
    assert!(open_warnings(&events).is_empty(), "a token is set");
    assert!(
        !events.iter().any(|event| event.to_string().contains(TOKEN)),
        "the token is never logged: {events:?}"
    );
}

#[test]
fn an_empty_or_spaced_token_is_refused_at_start() {
    for bad in ["", "two words"] {
        let output = flowplane_with_env(
            &[
                "serve",
                "--database-url",
                "sqlite::memory:",
                "--control-token",
                bad,
            ],
            &[],
        );
        assert!(!output.status.success(), "{bad:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("control token"), "{stderr}");
    }
}
