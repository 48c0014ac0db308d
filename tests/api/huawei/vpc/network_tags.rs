//! Tags: the `/v2.0` calls Terraform makes on VPCs and subnets (batch action, show, one tag,
//! the project's keys) and the v3 port tags of `huaweicloud_vpc_network_interface`.

use axum::http::StatusCode;
use serde_json::json;

use super::network::*;
use crate::support::*;

/// The `/v2.0` tag paths of a VPC (`vpcs`) or subnet (`subnets`).
fn tags_path(kind: &str, id: &str) -> String {
    format!("/v2.0/{PROJECT}/{kind}/{id}/tags")
}

fn port_tags_path(id: &str) -> String {
    format!("/v3/{PROJECT}/ports/{id}/tags")
}

#[tokio::test]
async fn vpc_and_subnet_tags_as_terraform_writes_and_reads_them() {
    let app = TestApp::new().await;
    let (vpc_id, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    for (kind, id) in [("vpcs", &vpc_id), ("subnets", &subnet_id)] {
        let path = tags_path(kind, id);
        let created = app
            .post(
                &format!("{path}/action"),
                json!({"action": "create", "tags": [{"key": "owner", "value": "ops"}, {"key": "env", "value": ""}]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::NO_CONTENT, "{}", created.body);
        assert!(created.raw.is_empty());
        let shown = app.get(&path).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert_eq!(
            shown.body,
            json!({"tags": [{"key": "env", "value": ""}, {"key": "owner", "value": "ops"}]})
        );
        // Terraform's update: delete the old, create the new; a create overwrites a value.
        let action = format!("{path}/action");
        let deleted = app
            .post(
                &action,
                json!({"action": "delete", "tags": [{"key": "env", "value": ""}, {"key": "gone"}]}),
            )
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
        app.post(
            &action,
            json!({"action": "create", "tags": [{"key": "owner", "value": "dev"}]}),
        )
        .await;
        assert_eq!(
            app.get(&path).await.body,
            json!({"tags": [{"key": "owner", "value": "dev"}]})
        );

        let one = app
            .post(&path, json!({"tag": {"key": "single", "value": "1"}}))
            .await;
        assert_eq!(one.status, StatusCode::NO_CONTENT, "{}", one.body);
        let removed = app.delete(&format!("{path}/owner")).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
        assert_eq!(
            app.get(&path).await.body,
            json!({"tags": [{"key": "single", "value": "1"}]})
        );
        let listed = app.get(&format!("/v2.0/{PROJECT}/{kind}/tags")).await;
        assert_eq!(
            listed.body,
            json!({"tags": [{"key": "single", "values": ["1"]}]})
        );
    }
    let v3 = app.get(&vpc_v3_path(PROJECT, &vpc_id)).await;
    assert_eq!(
        v3.body["vpc"]["tags"],
        json!([{"key": "single", "value": "1"}])
    );
}

#[tokio::test]
async fn tag_errors_are_vpc_1801() {
    let app = TestApp::new().await;
    let vpc_id = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let action = format!("{}/action", tags_path("vpcs", &vpc_id));
    let cases = [
        (
            json!({"action": "merge", "tags": [{"key": "k", "value": "v"}]}),
            "action is invalid.",
        ),
        (
            json!({"tags": [{"key": "k", "value": "v"}]}),
            "action is invalid.",
        ),
        (json!({"action": "create", "tags": []}), "tags is invalid."),
        (json!({"action": "create"}), "tags is invalid."),
        (
            json!({"action": "create", "tags": {"key": "k"}}),
            "tags is invalid.",
        ),
        (
            json!({"action": "create", "tags": [{"key": "k"}]}),
            "value is invalid.",
        ),
        (
            json!({"action": "create", "tags": [{"value": "v"}]}),
            "key is invalid.",
        ),
        (
            json!({"action": "create", "tags": [{"key": 1, "value": "v"}]}),
            "key is invalid.",
        ),
    ];
    for (body, message) in cases {
        let response = app.post(&action, body.clone()).await;
        assert_eq!(
            response.assert_vpc_error(400, "VPC.1801"),
            message,
            "{body}"
        );
    }
    for tag in [
        json!({"key": "", "value": "v"}),
        json!({"key": "k".repeat(37), "value": ""}),
        json!({"key": "k", "value": "v".repeat(44)}),
    ] {
        let response = app
            .post(&action, json!({"action": "create", "tags": [tag]}))
            .await;
        let message = response.assert_vpc_error(400, "VPC.1801");
        assert!(
            message.contains("[1,36]") && message.contains("[0,43]"),
            "{message}"
        );
    }
    let repeated = json!({"action": "create", "tags": [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}]});
    app.post(&action, repeated)
        .await
        .assert_vpc_error(400, "VPC.1801");
    let ten: Vec<_> = (0..10)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    assert_eq!(
        app.post(&action, json!({"action": "create", "tags": ten}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let eleventh = app
        .post(
            &action,
            json!({"action": "create", "tags": [{"key": "k10", "value": "v"}]}),
        )
        .await;
    assert_eq!(
        eleventh.assert_vpc_error(400, "VPC.1801"),
        "number of tags exceeds max num of 10."
    );
    assert_eq!(
        app.get(&tags_path("vpcs", &vpc_id)).await.body["tags"]
            .as_array()
            .unwrap()
            .len(),
        10
    );

    for path in [
        tags_path("vpcs", UNKNOWN_ID),
        tags_path("subnets", &vpc_id),
        tags_path("subnets", "bad"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(
            response.assert_vpc_error(400, "VPC.1801"),
            "resource id is invalid.",
            "{path}"
        );
    }
    app.post(
        &format!("{}/action", tags_path("vpcs", UNKNOWN_ID)),
        json!({"action": "create", "tags": [{"key": "k", "value": "v"}]}),
    )
    .await
    .assert_vpc_error(400, "VPC.1801");
}

#[tokio::test]
async fn port_tags_answer_in_the_v3_shapes() {
    let app = TestApp::new().await;
    let (_, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let port = app.create_port(PROJECT, &subnet_id).await;
    let id = port["id"].as_str().unwrap();
    let path = port_tags_path(id);
    let long_key = "k".repeat(128);
    let created = app
        .post(
            &format!("{path}/create"),
            json!({"tags": [{"key": "owner", "value": "ops"}, {"key": long_key, "value": "v".repeat(255)}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::NO_CONTENT, "{}", created.body);
    let shown = app.get(&path).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["request_id"], shown.request_id());
    assert_eq!(shown.body["tags"].as_array().unwrap().len(), 2);
    let deleted = app
        .post(
            &format!("{path}/delete"),
            json!({"tags": [{"key": long_key, "value": "v".repeat(255)}]}),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        app.post(&path, json!({"tag": {"key": "env", "value": "prod"}}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("{path}/owner")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&path).await.body["tags"],
        json!([{"key": "env", "value": "prod"}])
    );
    let listed = app.get(&format!("/v3/{PROJECT}/ports/tags")).await;
    assert_eq!(
        listed.body["tags"],
        json!([{"key": "env", "values": ["prod"]}])
    );
    assert_eq!(listed.body["total_count"], json!(1));
    assert_eq!(listed.body["request_id"], listed.request_id());

    let too_long = app
        .post(
            &format!("{path}/create"),
            json!({"tags": [{"key": "k".repeat(129), "value": ""}]}),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_long.body["error_code"], "VPC.1801");
    assert_eq!(too_long.body["request_id"], too_long.request_id());
    for missing in [port_tags_path(UNKNOWN_ID), port_tags_path("nope")] {
        let response = app.get(&missing).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND);
        assert_eq!(response.body["error_code"], "VPC.9904");
        assert!(response.body["error_msg"]
            .as_str()
            .unwrap()
            .starts_with("Port "));
    }
}
