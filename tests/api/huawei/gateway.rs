//! The Huawei gateway in front of every product: unknown routes and methods, request ids, and
//! the body limit, each in the gateway's `{"error_msg","error_code","request_id"}` envelope
//! (snapshotted whole).

use axum::http::{Method, StatusCode};
use flowplane::edge::BODY_LIMIT_BYTES;
use serde_json::json;

use crate::support::snapshot::*;
use crate::support::*;

#[tokio::test]
async fn unknown_routes_and_methods_get_the_gateway_404() {
    let app = TestApp::new().await;
    app.get("/v1/x/fl/other")
        .await
        .assert_gateway_error(404, "APIGW.0101");
    app.get("/v2/x")
        .await
        .assert_gateway_error(404, "APIGW.0101");
    app.call(Method::PATCH, &flow_logs_path(PROJECT), None)
        .await
        .assert_gateway_error(404, "APIGW.0101");
    app.call(
        Method::POST,
        &flow_log_path(PROJECT, &uuid::Uuid::new_v4().to_string()),
        Some(json!({})),
    )
    .await
    .assert_gateway_error(404, "APIGW.0101");
}

#[tokio::test]
async fn every_response_has_a_fresh_request_id() {
    let app = TestApp::new().await;
    let a = app.get(&flow_logs_path(PROJECT)).await;
    let b = app.get(&flow_logs_path(PROJECT)).await;
    assert_huawei_request_id(a.request_id());
    assert_ne!(a.request_id(), b.request_id());
}

#[tokio::test]
async fn a_body_over_one_mib_is_413_in_the_gateway_envelope() {
    let app = TestApp::new().await;
    let body = vec![b' '; BODY_LIMIT_BYTES + 1];
    let request = raw_create(Some("application/json"), body);
    app.send(request)
        .await
        .assert_gateway_error(413, "APIGW.0201");

    // Just under the limit is read (and judged on its content).
    let mut body = serde_json::to_vec(&create_body("port-1")).unwrap();
    body.resize(BODY_LIMIT_BYTES, b' ');
    let request = raw_create(Some("application/json"), body);
    assert_eq!(app.send(request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn gateway_errors_answer_the_gateway_envelope() {
    let app = TestApp::new().await;
    let unknown_route = app.get("/v1/x/fl/other").await;
    unknown_route.assert_gateway_error(404, "APIGW.0101");
    let wrong_method = app
        .call(Method::PATCH, &flow_logs_path(PROJECT), None)
        .await;
    wrong_method.assert_gateway_error(404, "APIGW.0101");
    let too_large = app
        .send(raw_create(
            Some("application/json"),
            vec![b' '; BODY_LIMIT_BYTES + 1],
        ))
        .await;
    too_large.assert_gateway_error(413, "APIGW.0201");

    let errors = json!({
        "unknown_route": answer(&unknown_route),
        "wrong_method": answer(&wrong_method),
        "body_too_large": answer(&too_large),
    });
    assert_body_snapshot!("errors", &errors, {
        ".*.body.request_id" => huawei_request_id(),
    });
}
