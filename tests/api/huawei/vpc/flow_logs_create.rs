//! CreateFlowLog: the full flow log it answers, the mapping of every type, its validation and
//! duplicate rules, and the project id in the path.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn create_returns_200_with_the_full_flow_log() {
    let app = TestApp::new().await;
    app.huawei_destination(PROJECT).await;
    let response = app
        .post(&flow_logs_path(PROJECT), create_body("port-1"))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_huawei_request_id(response.request_id());
    let flow_log = &response.body["flow_log"];
    let id = flow_log["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert_eq!(flow_log["name"], "fl-test");
    assert_eq!(flow_log["description"], "demo");
    assert_eq!(flow_log["tenant_id"], PROJECT);
    assert_eq!(flow_log["resource_type"], "port");
    assert_eq!(flow_log["resource_id"], "port-1");
    assert_eq!(flow_log["traffic_type"], "all");
    assert_eq!(flow_log["log_group_id"], LOG_GROUP);
    assert_eq!(flow_log["log_topic_id"], LOG_TOPIC);
    assert_eq!(flow_log["log_store_type"], "lts");
    assert_eq!(flow_log["admin_state"], json!(true));
    assert_eq!(flow_log["status"], "ACTIVE");
    assert_eq!(flow_log["index_enabled"], json!(false));
    assert_time_format(&flow_log["created_at"]);
    assert_eq!(flow_log["created_at"], flow_log["updated_at"]);

    let stored = app.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], id);
    assert_eq!(stored[0]["provider"], "huawei");
    assert_eq!(stored[0]["resource_kind"], "network_interface");
    assert_eq!(stored[0]["status"], "active");
}

#[tokio::test]
async fn create_maps_every_resource_and_traffic_type() {
    let app = TestApp::new().await;
    for (resource_type, traffic_type) in [("port", "accept"), ("network", "reject"), ("vpc", "all")]
    {
        let mut body = create_body(&format!("{resource_type}-1"));
        body["flow_log"]["resource_type"] = json!(resource_type);
        body["flow_log"]["traffic_type"] = json!(traffic_type);
        body["flow_log"]["index_enabled"] = json!(true);
        let response = app.post(&flow_logs_path(PROJECT), body).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        assert_eq!(response.body["flow_log"]["resource_type"], resource_type);
        assert_eq!(response.body["flow_log"]["traffic_type"], traffic_type);
        assert_eq!(response.body["flow_log"]["index_enabled"], json!(true));
    }
}

#[tokio::test]
async fn create_without_optional_fields_shows_empty_strings() {
    let app = TestApp::new().await;
    let mut body = create_body("port-1");
    let object = body["flow_log"].as_object_mut().unwrap();
    object.remove("name");
    object.remove("description");
    let response = app.post(&flow_logs_path(PROJECT), body).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["flow_log"]["name"], "");
    assert_eq!(response.body["flow_log"]["description"], "");
}

#[tokio::test]
async fn create_validation_errors_name_the_field_and_write_nothing() {
    let app = TestApp::new().await;
    let cases: Vec<(&str, Value)> = vec![
        ("resource_type", json!("subnet")),
        ("resource_type", json!("Port")),
        ("traffic_type", json!("allow")),
        ("log_group_id", json!("group-1")),
        ("log_topic_id", json!(false)),
        ("resource_id", json!(42)),
        ("name", json!("n".repeat(65))),
        ("name", json!("bad name")),
        ("description", json!("a < b")),
        ("index_enabled", json!(1)),
    ];
    for (field, value) in cases {
        let mut body = create_body("port-1");
        body["flow_log"][field] = value.clone();
        let response = app.post(&flow_logs_path(PROJECT), body).await;
        let message = response.assert_vpc_error(400, "VPC.3001");
        assert!(message.contains(field), "{field}={value}: {message}");
    }
    for field in [
        "resource_type",
        "resource_id",
        "traffic_type",
        "log_group_id",
        "log_topic_id",
    ] {
        let mut body = create_body("port-1");
        body["flow_log"].as_object_mut().unwrap().remove(field);
        let message = app
            .post(&flow_logs_path(PROJECT), body)
            .await
            .assert_vpc_error(400, "VPC.3001")
            .to_owned();
        assert_eq!(message, format!("{field} is invalid"));
    }
    // What the SDK sends for an empty CreateFlowLogReq().
    app.post(&flow_logs_path(PROJECT), json!({"flow_log": {}}))
        .await
        .assert_vpc_error(400, "VPC.3001");
    assert!(app.stored().await.is_empty());
}

#[tokio::test]
async fn duplicate_content_in_one_project_is_409() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    let response = app
        .post(&flow_logs_path(PROJECT), create_body("port-1"))
        .await;
    let message = response.assert_vpc_error(409, "VPC.3004");
    assert!(
        message.starts_with("Content of flow log is duplicate"),
        "{message}"
    );
    assert!(message.contains("port-1"), "{message}");

    // Any difference in the content, or another project, is not a duplicate.
    let mut other_traffic = create_body("port-1");
    other_traffic["flow_log"]["traffic_type"] = json!("reject");
    assert_eq!(
        app.post(&flow_logs_path(PROJECT), other_traffic)
            .await
            .status,
        StatusCode::OK
    );
    app.create_huawei(OTHER_PROJECT, "port-1").await;
    assert_eq!(app.stored().await.len(), 3);
}

#[tokio::test]
async fn a_bad_project_id_is_refused() {
    let app = TestApp::new().await;
    // What the SDK sends when no project id was configured.
    let response = app.get("/v1/%7Bproject_id%7D/fl/flow_logs").await;
    assert_eq!(
        response.assert_vpc_error(400, "VPC.3001"),
        "project_id is invalid"
    );
    let long = "a".repeat(65);
    app.post(&flow_logs_path(&long), create_body("p"))
        .await
        .assert_vpc_error(400, "VPC.3001");
    assert!(app.stored().await.is_empty());
}
