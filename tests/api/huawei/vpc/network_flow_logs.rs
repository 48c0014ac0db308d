//! Flow logs on the network with `--references strict`: a flow log on an existing port, subnet
//! (`network`) or VPC succeeds; a missing id, or the id of another kind, is 404 VPC.3002 in the
//! kind's words. Lenient mode takes any id.

use axum::http::StatusCode;
use serde_json::json;

use super::network::*;
use crate::support::*;

fn flow_log_on(resource_type: &str, id: &str) -> serde_json::Value {
    let mut body = create_body(id);
    body["flow_log"]["resource_type"] = json!(resource_type);
    body
}

#[tokio::test]
async fn strict_flow_logs_on_each_kind_of_the_network() {
    let app = TestApp::with_flags(&["--references", "strict"]).await;
    app.huawei_destination(PROJECT).await;
    let (vpc_id, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let port_id = app.create_port(PROJECT, &subnet_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let kinds = [
        ("port", &port_id, "Port"),
        ("network", &subnet_id, "Network"),
        ("vpc", &vpc_id, "Vpc"),
    ];
    for (resource_type, id, _) in kinds {
        let created = app
            .post(&flow_logs_path(PROJECT), flow_log_on(resource_type, id))
            .await;
        assert_eq!(
            created.status,
            StatusCode::OK,
            "{resource_type}: {}",
            created.body
        );
        assert_eq!(created.body["flow_log"]["resource_id"], id.as_str());
        assert_eq!(created.body["flow_log"]["status"], "ACTIVE");
    }
    for (resource_type, id, word) in kinds {
        let missing = app
            .post(
                &flow_logs_path(PROJECT),
                flow_log_on(resource_type, UNKNOWN_ID),
            )
            .await;
        assert_eq!(
            missing.assert_vpc_error(404, "VPC.3002"),
            format!("{word} {UNKNOWN_ID} could not be found.")
        );
        // Another kind's id is not one of this kind.
        let other = kinds.iter().find(|(_, other, _)| *other != id).unwrap().1;
        let mistyped = app
            .post(&flow_logs_path(PROJECT), flow_log_on(resource_type, other))
            .await;
        assert_eq!(
            mistyped.assert_vpc_error(404, "VPC.3002"),
            format!("{word} {other} could not be found.")
        );
        // Another project's resource is not in the caller's network.
        let elsewhere = app
            .post(
                &flow_logs_path(OTHER_PROJECT),
                flow_log_on(resource_type, id),
            )
            .await;
        elsewhere.assert_vpc_error(404, "VPC.3002");
    }
    // A resource with flow logs on it may still be deleted.
    let deleted = app.delete(&port_path(PROJECT, &port_id)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(app.stored().await.len(), 3);
}

#[tokio::test]
async fn lenient_flow_logs_take_any_resource_id() {
    let app = TestApp::new().await;
    let created = app
        .post(&flow_logs_path(PROJECT), flow_log_on("network", UNKNOWN_ID))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
}
