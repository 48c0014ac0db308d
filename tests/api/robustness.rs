//! Malformed and hostile requests: every one is answered cleanly in the face's envelope, never
//! with a 5xx, and nothing is written. (An oversized body is the Huawei gateway's 413, in
//! `huawei::gateway`.)

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::support::*;

/// Sends a raw create (`shown` in a failure), which must be refused with 400 VPC.3001 whose
/// message says that `what` is invalid.
async fn assert_create_refused(
    app: &TestApp,
    content_type: Option<&str>,
    body: Vec<u8>,
    what: &str,
    shown: &str,
) {
    let response = app.send(raw_create(content_type, body)).await;
    let message = response.assert_vpc_error(400, "VPC.3001");
    assert!(
        message.starts_with(&format!("{what} is invalid")),
        "{shown}: {message}"
    );
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_body() {
    let app = TestApp::new().await;
    let bodies: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"".to_vec(),
        b"{\"flow_log\": {\"name\": \"x\",}}".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"flow_log\"".to_vec(),
        vec![0xff, 0xfe, 0x00],
        // Invalid UTF-8 inside a string.
        b"{\"flow_log\": {\"name\": \"\xc3\x28\"}}".to_vec(),
        // Deeper than the JSON parser's recursion limit.
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
    ];
    for body in bodies {
        let shown = String::from_utf8_lossy(&body)
            .chars()
            .take(40)
            .collect::<String>();
        assert_create_refused(&app, Some("application/json"), body, "flow_log", &shown).await;
    }
    assert!(app.stored().await.is_empty());
}

#[tokio::test]
async fn a_wrong_content_type_is_400_naming_the_header() {
    let app = TestApp::new().await;
    let body = serde_json::to_vec(&create_body("port-1")).unwrap();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=gbk"),
    ] {
        let shown = format!("{content_type:?}");
        assert_create_refused(&app, content_type, body.clone(), "Content-Type", &shown).await;
    }
    assert!(app.stored().await.is_empty());
}

#[tokio::test]
async fn hostile_strings_are_refused_or_stored_verbatim_never_executed() {
    let app = TestApp::new().await;
    for name in [
        "x\u{0}y",
        "'; DROP TABLE flow_logs; --",
        "名\u{202e}字",
        "a\nb",
    ] {
        let mut body = create_body("port-1");
        body["flow_log"]["name"] = json!(name);
        app.post(&flow_logs_path(PROJECT), body)
            .await
            .assert_vpc_error(400, "VPC.3001");
    }
    // A description may hold almost anything but angle brackets; it comes back byte for byte,
    // NUL included (Postgres text cannot hold NUL; its store escapes it).
    let description = "'; DROP TABLE flow_logs; -- \u{0} \u{1F600} \\ \" %00";
    let mut body = create_body("port-1");
    body["flow_log"]["description"] = json!(description);
    let created = app.post(&flow_logs_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["flow_log"]["id"].as_str().unwrap();
    assert_eq!(
        app.get(&flow_log_path(PROJECT, id)).await.body["flow_log"]["description"],
        description
    );

    for query in [
        "name=%27%20OR%201%3D1%20--",
        "id=%FF%FE",
        "resource_id=%00",
        "marker=%27)%20OR%20(1%3D1",
        "name=%",
    ] {
        let response = app.list_huawei(query).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.body
        );
        assert_eq!(response.body, json!({"flow_logs": []}), "{query}");
    }
    for id in ["%FF", "%00", "..%2F..%2Fetc", &"a".repeat(5000)] {
        app.get(&flow_log_path(PROJECT, id))
            .await
            .assert_vpc_error(404, "VPC.3001");
    }
    app.get("/v1/%FF/fl/flow_logs")
        .await
        .assert_vpc_error(400, "VPC.3001");
    assert_eq!(app.stored().await.len(), 1);
}

#[tokio::test]
async fn no_malformed_request_gets_a_5xx() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let paths = [
        flow_logs_path(PROJECT),
        flow_log_path(PROJECT, &uuid::Uuid::new_v4().to_string()),
        flow_log_path(PROJECT, "x"),
        "/v1//fl/flow_logs".to_owned(),
        "/v1/p/fl/flow_logs/a/b".to_owned(),
        "/".to_owned(),
        "/_flowplane/reset?provider=x".to_owned(),
        "/_flowplane/flow-logs?limit=-5".to_owned(),
        "/_flowplane/transitions/tick?all=maybe".to_owned(),
        "/_flowplane/snapshot?records=maybe".to_owned(),
        "/_flowplane/snapshot?mode=x".to_owned(),
        "/_flowplane/snapshot".to_owned(),
    ];
    let bodies: [(Option<&str>, &[u8]); 6] = [
        (None, b""),
        (Some("application/json"), b"{"),
        (
            Some("application/json"),
            b"{\"flow_log\":{\"admin_state\":null,\"name\":null}}",
        ),
        (
            Some("application/json"),
            b"{\"flow_log\":{\"resource_type\":{}}}",
        ),
        (Some("text/html"), b"<html>"),
        (Some("application/json"), &[0xc0, 0xaf]),
    ];
    for method in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::HEAD,
    ] {
        for path in &paths {
            for (content_type, body) in &bodies {
                let request = raw_request(method.clone(), path, *content_type, body.to_vec());
                let response = app.send(request).await;
                assert!(
                    !response.status.is_server_error(),
                    "{method} {path}: {} {}",
                    response.status,
                    response.body
                );
                assert!(
                    response.headers.contains_key("x-request-id"),
                    "{method} {path}"
                );
            }
        }
    }
    assert_eq!(
        app.get(&flow_log_path(PROJECT, &id)).await.body["flow_log"]["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn a_request_over_its_deadline_gets_the_gateway_timeout() {
    let db = TestDb::new().await;
    let app = TestApp::on(&db, &["--request-timeout", "200ms"]).await;
    // Another writer holds the database's write lock, so the create cannot finish in time.
    let blocker = db.block_writes().await;

    let response = app
        .post(&flow_logs_path(PROJECT), create_body("port-1"))
        .await;
    response.assert_gateway_error(504, "APIGW.0203");

    blocker.release().await;
    // The service recovers once the lock is gone. (Whether the timed-out create still lands is
    // as open as behind a real gateway's 504, so a different resource is used.)
    assert_eq!(
        app.post(&flow_logs_path(PROJECT), create_body("port-2"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_database_failure_is_the_clouds_own_500_and_health_says_so() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    app.store().close().await;

    let create = app
        .post(&flow_logs_path(PROJECT), create_body("port-2"))
        .await;
    assert_eq!(
        create.assert_vpc_error(500, "VPC.3002"),
        format!("Create flow log by {PROJECT} fail.")
    );
    let list = app.get(&flow_logs_path(PROJECT)).await;
    assert_eq!(list.assert_vpc_error(500, "VPC.3002"), "Neutron Error.");
    app.get(&flow_log_path(PROJECT, &id))
        .await
        .assert_vpc_error(500, "VPC.3002");
    let update = app
        .put(
            &flow_log_path(PROJECT, &id),
            json!({"flow_log": {"name": "x"}}),
        )
        .await;
    assert_eq!(
        update.assert_vpc_error(500, "VPC.3002"),
        format!("Update flow log by {PROJECT} fail.")
    );
    let delete = app.delete(&flow_log_path(PROJECT, &id)).await;
    assert_eq!(
        delete.assert_vpc_error(500, "VPC.3002"),
        format!("Delete flow log by {PROJECT} fail.")
    );

    // Alibaba answers every action with its ServiceUnavailable, which Terraform retries.
    let flow_log = ("FlowLogId", "fl-0000000000aaaaaaaaaa");
    let cases: [(&str, Vec<(&str, &str)>); 4] = [
        ("CreateFlowLog", create_params("vpc-1")),
        ("DescribeFlowLogs", vec![]),
        ("DeleteFlowLog", vec![flow_log]),
        (
            "TagResources",
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", flow_log.1),
                ("Tag.1.Key", "k"),
            ],
        ),
    ];
    for (action, params) in cases {
        app.alibaba(action, &params)
            .await
            .assert_alibaba_error(503, "ServiceUnavailable");
    }

    let health = app.get("/_flowplane/health").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.body["status"], "unavailable");
    let view = app.get("/_flowplane/flow-logs").await;
    assert_eq!(view.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(view.body["error"]["code"], "DatabaseUnavailable");
}

#[tokio::test]
async fn a_panicking_handler_is_answered_in_the_faces_envelope() {
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("a handler bug")
    }
    let router = flowplane::app::with_edge(
        axum::Router::new()
            .route("/v1/{project_id}/fl/flow_logs", get(boom))
            .route("/_flowplane/boom", get(boom))
            .route("/", get(boom)),
        std::time::Duration::from_secs(30),
    );
    let request = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();

    let response = router
        .clone()
        .oneshot(request(&flow_logs_path(PROJECT)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_huawei_request_id(&id);
    let body = json_body(response).await;
    assert_eq!(body["code"], "VPC.3002");

    let response = router
        .clone()
        .oneshot(request("/_flowplane/boom"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], "InternalError");

    let response = router
        .oneshot(request("/?Action=DescribeFlowLogs"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_alibaba_request_id(&id);
    let body = json_body(response).await;
    assert_eq!(body["Code"], "InternalError");
    assert_eq!(body["RequestId"], id.as_str());
}

/// A cross-face layer raises a cloud error through the request context's one interface; each
/// face renders it in its own envelope, with its own request id.
#[tokio::test]
async fn a_cloud_error_raised_by_a_layer_is_rendered_in_each_faces_envelope() {
    use axum::http::StatusCode as Status;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use flowplane::context::Failure;
    use tower::ServiceExt;

    async fn refuse() -> axum::response::Response {
        Failure::Cloud {
            status: Status::TOO_MANY_REQUESTS,
            code: "Throttling.User".into(),
            message: "Request was denied due to user flow control.".into(),
        }
        .into_response()
    }
    let router = flowplane::app::with_edge(
        axum::Router::new()
            .route("/v1/{project_id}/fl/flow_logs", get(|| async { "never" }))
            .route("/_flowplane/health", get(|| async { "never" }))
            .route("/", get(|| async { "never" }))
            .layer(axum::middleware::from_fn(
                |_request: Request<Body>, _next: axum::middleware::Next| refuse(),
            )),
        std::time::Duration::from_secs(30),
    );
    let request = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();

    let response = router
        .clone()
        .oneshot(request(&flow_logs_path(PROJECT)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_huawei_request_id(response.headers()["x-request-id"].to_str().unwrap());
    assert_eq!(
        json_body(response).await,
        serde_json::json!({"code": "Throttling.User", "message": "Request was denied due to user flow control."})
    );

    let response = router
        .clone()
        .oneshot(request("/?Action=DescribeFlowLogs"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_alibaba_request_id(&id);
    let body = json_body(response).await;
    assert_eq!(body["Code"], "Throttling.User");
    assert_eq!(body["HostId"], "vpc.aliyuncs.com");
    assert_eq!(body["RequestId"], id.as_str());

    let response = router.oneshot(request("/_flowplane/health")).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], "Throttling.User");
    assert!(body["request_id"].is_string());
}

#[tokio::test]
async fn nul_characters_are_kept_exactly_and_filter_exactly() {
    let app = TestApp::new().await;
    let mut body = create_body("port-nul");
    body["flow_log"]["description"] = json!("a\u{0}b");
    let created = app.post(&flow_logs_path(PROJECT), body).await;
    assert_eq!(created.status.as_u16(), 200, "{}", created.body);
    app.create_huawei(PROJECT, "port-1").await;
    let listed = app.list_huawei("description=a%00b").await;
    assert_eq!(
        ids_of(&listed.body),
        vec![created.body["flow_log"]["id"].as_str().unwrap()]
    );
    for filter in [
        "description=a%00",
        "name=a%00",
        "id=%00",
        "marker=%00",
        "resource_id=port-1%00",
    ] {
        let listed = app.list_huawei(filter).await;
        assert_eq!(listed.status.as_u16(), 200, "{filter}: {}", listed.body);
        assert_eq!(ids_of(&listed.body).len(), 0, "{filter}");
    }
    // The Alibaba face refuses NUL in any parameter.
    app.alibaba("DescribeFlowLogs", &[("FlowLogName", "a\u{0}")])
        .await
        .assert_alibaba_error(400, "InvalidParameter");
}
