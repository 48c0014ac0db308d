//! Whole answers of the VPC flow-log API as snapshots, where the body is the contract: the
//! `FlowLogResp` of create, show and update, a list, and the VPC error envelope
//! `{"code","message"}`. Ids and times are redacted once their form is checked.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::snapshot::*;
use crate::support::*;

/// A flow log id that no test creates.
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";

#[tokio::test]
async fn create_show_and_update_answer_the_whole_flow_log() {
    let app = TestApp::new().await;
    app.huawei_destination(PROJECT).await;
    let created = app
        .post(&flow_logs_path(PROJECT), create_body("port-1"))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_body_snapshot!("create", &created.body, {
        ".flow_log.id" => uuid_v4(),
        ".flow_log.created_at" => huawei_time(),
        ".flow_log.updated_at" => huawei_time(),
    });

    let path = flow_log_path(PROJECT, created.body["flow_log"]["id"].as_str().unwrap());
    let shown = app.get(&path).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.body, created.body);
    assert_body_snapshot!("show", &shown.body, {
        ".flow_log.id" => uuid_v4(),
        ".flow_log.created_at" => huawei_time(),
        ".flow_log.updated_at" => huawei_time(),
    });

    let body = json!({"flow_log": {"name": "fl-renamed", "description": "", "admin_state": false}});
    let updated = app.put(&path, body).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_body_snapshot!("update", &updated.body, {
        ".flow_log.id" => uuid_v4(),
        ".flow_log.created_at" => huawei_time(),
        ".flow_log.updated_at" => huawei_time(),
    });
}

#[tokio::test]
async fn a_list_answers_every_flow_log_whole() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    let mut body = create_body("net-1");
    body["flow_log"]["resource_type"] = json!("network");
    body["flow_log"]["traffic_type"] = json!("reject");
    body["flow_log"]["index_enabled"] = json!(true);
    let second = app.post(&flow_logs_path(PROJECT), body).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let disabled = app
        .put(
            &flow_log_path(PROJECT, second.body["flow_log"]["id"].as_str().unwrap()),
            json!({"flow_log": {"admin_state": false}}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);

    let listed = app.get(&flow_logs_path(PROJECT)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_body_snapshot!("list", &listed.body, {
        ".flow_logs[].id" => uuid_v4(),
        ".flow_logs[].created_at" => huawei_time(),
        ".flow_logs[].updated_at" => huawei_time(),
    });
}

#[tokio::test]
async fn errors_answer_the_vpc_envelope() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    let mut invalid = create_body("port-2");
    invalid["flow_log"]["resource_type"] = json!("subnet");

    let errors = json!({
        "create_invalid": answer(&app.post(&flow_logs_path(PROJECT), invalid).await),
        "create_duplicate": answer(&app.post(&flow_logs_path(PROJECT), create_body("port-1")).await),
        "list_bad_parameter": answer(&app.list_huawei("limit=abc").await),
        "show_unknown": answer(&app.get(&flow_log_path(PROJECT, UNKNOWN_ID)).await),
        "show_malformed_id": answer(&app.get(&flow_log_path(PROJECT, "not-a-uuid")).await),
        "update_unknown": answer(
            &app.put(&flow_log_path(PROJECT, UNKNOWN_ID), json!({"flow_log": {"name": "x"}}))
                .await
        ),
        "delete_unknown": answer(&app.delete(&flow_log_path(PROJECT, UNKNOWN_ID)).await),
        "bad_project_id": answer(&app.get("/v1/%7Bproject_id%7D/fl/flow_logs").await),
    });
    assert_body_snapshot!("errors", &errors);
}
