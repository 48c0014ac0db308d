//! ShowFlowLog, UpdateFlowLog and DeleteFlowLog, and projects that never see each other.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn show_returns_the_flow_log_or_the_documented_404s() {
    let app = TestApp::new().await;
    let created = app.create_huawei(PROJECT, "port-1").await;
    let id = created["id"].as_str().unwrap();
    let response = app.get(&flow_log_path(PROJECT, id)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["flow_log"], created);

    let unknown = uuid::Uuid::new_v4().to_string();
    let message = app
        .get(&flow_log_path(PROJECT, &unknown))
        .await
        .assert_vpc_error(404, "VPC.3002")
        .to_owned();
    assert_eq!(message, format!("Flow log {unknown} could not be found."));
    let message = app
        .get(&flow_log_path(PROJECT, "not-a-uuid"))
        .await
        .assert_vpc_error(404, "VPC.3001")
        .to_owned();
    assert_eq!(
        message,
        "resource could not be found, flowlog id is invalid."
    );
}

#[tokio::test]
async fn update_changes_name_description_and_admin_state() {
    let app = TestApp::new().await;
    let created = app.create_huawei(PROJECT, "port-1").await;
    let id = created["id"].as_str().unwrap();
    let before = app.stored().await[0]["updated_at"]
        .as_str()
        .unwrap()
        .to_owned();
    // Stored times have millisecond resolution; step past the creation millisecond.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let body =
        json!({"flow_log": {"name": "fl-renamed", "description": "changed", "admin_state": false}});
    let response = app.put(&flow_log_path(PROJECT, id), body).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let updated = &response.body["flow_log"];
    assert_eq!(updated["name"], "fl-renamed");
    assert_eq!(updated["description"], "changed");
    assert_eq!(updated["admin_state"], json!(false));
    assert_eq!(updated["status"], "DOWN");
    assert_eq!(updated["created_at"], created["created_at"]);
    let stored = app.stored().await;
    assert_eq!(stored[0]["status"], "inactive");
    assert!(
        stored[0]["updated_at"].as_str().unwrap() > before.as_str(),
        "updated_at moves"
    );

    // Terraform always sends admin_state: the state it already has is not an error.
    let again = app
        .put(
            &flow_log_path(PROJECT, id),
            json!({"flow_log": {"admin_state": false}}),
        )
        .await;
    assert_eq!(again.body["flow_log"]["status"], "DOWN");
    assert_eq!(
        again.body["flow_log"]["name"], "fl-renamed",
        "fields not sent are kept"
    );

    let enabled = app
        .put(
            &flow_log_path(PROJECT, id),
            json!({"flow_log": {"admin_state": true}}),
        )
        .await;
    assert_eq!(enabled.body["flow_log"]["status"], "ACTIVE");
    assert_eq!(enabled.body["flow_log"]["admin_state"], json!(true));

    // Immutable fields in the body are ignored.
    let ignored = app
        .put(
            &flow_log_path(PROJECT, id),
            json!({"flow_log": {"resource_type": "vpc"}}),
        )
        .await;
    assert_eq!(ignored.status, StatusCode::OK);
    assert_eq!(ignored.body["flow_log"]["resource_type"], "port");
    assert_eq!(
        app.get(&flow_log_path(PROJECT, id)).await.body["flow_log"]["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn update_errors() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let path = flow_log_path(PROJECT, &id);
    for (body, field) in [
        (json!({"flow_log": {"name": "has space"}}), "name"),
        (json!({"flow_log": {"description": ">"}}), "description"),
        (json!({"flow_log": {"admin_state": "false"}}), "admin_state"),
        (json!({"flow_log": {"name": ["x"]}}), "name"),
        (json!({"name": "x"}), "flow_log"),
    ] {
        let response = app.put(&path, body.clone()).await;
        let message = response.assert_vpc_error(400, "VPC.3001");
        assert!(message.contains(field), "{body}: {message}");
    }
    assert_eq!(
        app.get(&path).await.body["flow_log"]["name"],
        "fl-test",
        "nothing was written"
    );

    let unknown = uuid::Uuid::new_v4().to_string();
    let body = json!({"flow_log": {"name": "x"}});
    let message = app
        .put(&flow_log_path(PROJECT, &unknown), body.clone())
        .await
        .assert_vpc_error(404, "VPC.3005")
        .to_owned();
    assert_eq!(message, format!("Flow log {unknown} could not be found."));
    app.put(&flow_log_path(PROJECT, "nope"), body)
        .await
        .assert_vpc_error(404, "VPC.3001");
}

#[tokio::test]
async fn delete_is_204_then_gone() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let path = flow_log_path(PROJECT, &id);
    let response = app.delete(&path).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert!(response.raw.is_empty());
    assert_huawei_request_id(response.request_id());
    app.get(&path).await.assert_vpc_error(404, "VPC.3002");
    // Terraform reads 404 as "gone": a second delete must be 404, not 400.
    app.delete(&path).await.assert_vpc_error(404, "VPC.3005");
    app.delete(&flow_log_path(PROJECT, "x"))
        .await
        .assert_vpc_error(404, "VPC.3001");
    assert!(app.stored().await.is_empty());
    // The content is free again.
    app.create_huawei(PROJECT, "port-1").await;
}

#[tokio::test]
async fn a_disabled_flow_log_can_be_deleted() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let path = flow_log_path(PROJECT, &id);
    app.put(&path, json!({"flow_log": {"admin_state": false}}))
        .await;
    assert_eq!(app.delete(&path).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn projects_never_see_each_other() {
    assert_projects_never_see_each_other(&TestApp::new().await).await;
}
