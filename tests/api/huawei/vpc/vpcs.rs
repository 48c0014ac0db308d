//! VPCs: v1 create, list, show, update and delete, the v3 show Terraform's read calls, the
//! statuses Terraform waits for, the CIDR rules and every error code.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::network::*;
use crate::support::*;

#[tokio::test]
async fn create_answers_200_creating_then_reads_say_ok() {
    let app = TestApp::new().await;
    let body = json!({"vpc": {"name": "vpc-acc", "description": "demo", "cidr": "172.16.0.0/16"}});
    let created = app.post(&vpcs_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_huawei_request_id(created.request_id());
    let vpc = &created.body["vpc"];
    let id = vpc["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert_eq!(
        vpc["status"], "CREATING",
        "the cloud answers a create while building"
    );
    assert_eq!(vpc["name"], "vpc-acc");
    assert_eq!(vpc["description"], "demo");
    assert_eq!(vpc["cidr"], "172.16.0.0/16");
    assert_eq!(vpc["tenant_id"], PROJECT);
    assert_eq!(vpc["enterprise_project_id"], "0");
    assert_eq!(vpc["routes"], json!([]));
    assert_eq!(vpc["block_service_endpoint_states"], "off");
    assert_eq!(vpc["enable_network_address_usage_metrics"], json!(false));
    assert_time_format(&vpc["created_at"]);

    let shown = app.get(&vpc_path(PROJECT, id)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.body["vpc"]["status"], "OK", "Terraform waits for OK");
    assert_eq!(shown.body["vpc"]["id"], id);
}

#[tokio::test]
async fn create_takes_every_optional_field() {
    let app = TestApp::new().await;
    let ep = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let body = json!({"vpc": {
        "name": "", "cidr": "10.1.2.16/28", "enterprise_project_id": ep,
        "tags": ["b*2", "a*1"], "block_service_endpoint_states": "on",
        "enable_network_address_usage_metrics": true, "enhanced_local_route": true}});
    let created = app.post(&vpcs_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let vpc = &created.body["vpc"];
    assert_eq!(vpc["name"], "");
    assert_eq!(vpc["enterprise_project_id"], ep);
    assert_eq!(vpc["block_service_endpoint_states"], "on");
    assert_eq!(vpc["enable_network_address_usage_metrics"], json!(true));
    assert_eq!(vpc["enhanced_local_route"], json!(true));
    let v3 = app
        .get(&vpc_v3_path(PROJECT, vpc["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        v3.body["vpc"]["tags"],
        json!([{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    );
    // A VPC may have no block at all.
    let bare = app.post(&vpcs_path(PROJECT), json!({"vpc": {}})).await;
    assert_eq!(bare.status, StatusCode::OK, "{}", bare.body);
    assert_eq!(bare.body["vpc"]["cidr"], "");
}

#[tokio::test]
async fn bad_create_fields_are_vpc_0101_and_nothing_is_written() {
    let app = TestApp::new().await;
    let cases = [
        ("cidr", json!("168.10.0.0/16")),
        ("cidr", json!("192.168.0.0/29")),
        ("cidr", json!("192.168.1.0/16")),
        ("cidr", json!("10.0.0.0/7")),
        ("cidr", json!("not a block")),
        ("cidr", json!(16)),
        ("name", json!("x".repeat(65))),
        ("name", json!("bad name")),
        ("description", json!("<b>")),
        ("description", json!("d".repeat(256))),
        ("enterprise_project_id", json!("ep-1")),
        ("block_service_endpoint_states", json!("maybe")),
        ("enable_network_address_usage_metrics", json!("yes")),
        ("tags", json!(["novalue"])),
        ("tags", json!(["k*1", "k*2"])),
        (
            "tags",
            json!((0..11).map(|i| format!("k{i}*v")).collect::<Vec<_>>()),
        ),
        ("tags", json!("k*v")),
    ];
    for (field, value) in cases {
        let mut body = json!({"vpc": {"name": "vpc-1", "cidr": "10.0.0.0/16"}});
        body["vpc"][field] = value.clone();
        let response = app.post(&vpcs_path(PROJECT), body).await;
        let message = response.assert_vpc_error(400, "VPC.0101");
        assert_eq!(message, format!("{field} is invalid."), "{field}={value}");
    }
    for body in [
        json!({}),
        json!({"vpc": []}),
        json!([1]),
        json!({"vpc": "x"}),
    ] {
        let response = app.post(&vpcs_path(PROJECT), body.clone()).await;
        assert_eq!(
            response.assert_vpc_error(400, "VPC.0101"),
            "vpc is invalid.",
            "{body}"
        );
    }
    let raw = raw_request(
        axum::http::Method::POST,
        &vpcs_path(PROJECT),
        Some("text/plain"),
        "{}",
    );
    app.send(raw).await.assert_vpc_error(400, "VPC.0101");
    let broken = raw_request(
        axum::http::Method::POST,
        &vpcs_path(PROJECT),
        Some("application/json"),
        "{\"vpc\":",
    );
    app.send(broken).await.assert_vpc_error(400, "VPC.0101");
    assert_eq!(
        app.get(&vpcs_path(PROJECT)).await.body,
        json!({"vpcs": []}),
        "nothing was written"
    );
}

#[tokio::test]
async fn list_filters_by_id_and_enterprise_project_and_pages_by_marker() {
    let app = TestApp::new().await;
    let ep = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let mut ids = Vec::new();
    for i in 0..4 {
        let mut body = json!({"vpc": {"name": format!("vpc-{i}"), "cidr": "192.168.0.0/16"}});
        if i % 2 == 1 {
            body["vpc"]["enterprise_project_id"] = json!(ep);
        }
        let response = app.post(&vpcs_path(PROJECT), body).await;
        ids.push(response.body["vpc"]["id"].as_str().unwrap().to_owned());
    }
    let list = |query: String| {
        let app = &app;
        async move {
            let response = app.get(&format!("{}?{query}", vpcs_path(PROJECT))).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{query}: {}",
                response.body
            );
            assert!(response.body["vpcs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|v| v["status"] == "OK"));
            ids_in(&response.body, "vpcs")
        }
    };
    assert_eq!(list(String::new()).await, ids);
    assert_eq!(list(format!("id={}", ids[2])).await, [ids[2].clone()]);
    assert_eq!(list("limit=2".into()).await, ids[..2]);
    assert_eq!(list(format!("limit=2&marker={}", ids[1])).await, ids[2..]);
    assert_eq!(
        list(format!("marker={}", ids[3])).await,
        Vec::<String>::new()
    );
    assert_eq!(
        list(format!("marker={UNKNOWN_ID}")).await,
        Vec::<String>::new()
    );
    assert_eq!(list("limit=0".into()).await, ids, "0 is the default 2000");
    assert_eq!(
        list(format!("enterprise_project_id={ep}")).await,
        [ids[1].clone(), ids[3].clone()]
    );
    assert_eq!(
        list("enterprise_project_id=0&limit=1".into()).await,
        [ids[0].clone()]
    );
    assert_eq!(
        list(format!("enterprise_project_id=0&marker={}", ids[0])).await,
        [ids[2].clone()],
        "paging after the marker among the matches"
    );
    assert_eq!(
        list("enterprise_project_id=all_granted_eps".into()).await,
        ids
    );
    for bad in ["limit=x", "limit=2001", "limit=-1", "marker=a&marker=b"] {
        let response = app.get(&format!("{}?{bad}", vpcs_path(PROJECT))).await;
        assert_eq!(
            response.assert_vpc_error(400, "VPC.0101"),
            "Query vpc list error."
        );
    }
}

#[tokio::test]
async fn update_changes_names_routes_and_flags() {
    let app = TestApp::new().await;
    let vpc = app.create_vpc(PROJECT, "10.0.0.0/16").await;
    let id = vpc["id"].as_str().unwrap();
    let body = json!({"vpc": {
        "name": "renamed", "description": "new", "cidr": "10.0.0.0/16",
        "routes": [{"destination": "0.0.0.0/0", "nexthop": "10.0.1.5"}],
        "enable_network_address_usage_metrics": true, "enhanced_local_route": true,
        "enable_shared_snat": true}});
    let updated = app.put(&vpc_path(PROJECT, id), body).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let vpc = &updated.body["vpc"];
    assert_eq!(vpc["name"], "renamed");
    assert_eq!(vpc["description"], "new");
    assert_eq!(vpc["status"], "OK");
    assert_eq!(
        vpc["routes"],
        json!([{"destination": "0.0.0.0/0", "nexthop": "10.0.1.5"}])
    );
    assert_eq!(vpc["enable_shared_snat"], json!(true));
    assert_eq!(vpc["enhanced_local_route"], json!(true));
    assert_eq!(app.get(&vpc_path(PROJECT, id)).await.body, updated.body);

    let cleared = app
        .put(&vpc_path(PROJECT, id), json!({"vpc": {"routes": []}}))
        .await;
    assert_eq!(cleared.body["vpc"]["routes"], json!([]));
    assert_eq!(
        cleared.body["vpc"]["name"], "renamed",
        "what is not sent stays"
    );

    for (body, field) in [
        (
            json!({"vpc": {"routes": [{"destination": "10.0.0.0/8", "nexthop": "10.0.1.5"}]}}),
            "destination",
        ),
        (
            json!({"vpc": {"routes": [{"destination": "0.0.0.0/0", "nexthop": "11.0.0.1"}]}}),
            "nexthop",
        ),
        (json!({"vpc": {"name": "a b"}}), "name"),
        (json!({"vpc": {"cidr": "8.8.8.0/24"}}), "cidr"),
        (
            json!({"vpc": {"enable_shared_snat": 1}}),
            "enable_shared_snat",
        ),
        (json!({"vpc": null}), "vpc"),
    ] {
        let response = app.put(&vpc_path(PROJECT, id), body).await;
        assert_eq!(
            response.assert_vpc_error(400, "VPC.0101"),
            format!("{field} is invalid.")
        );
    }
}

#[tokio::test]
async fn a_vpc_block_must_keep_holding_its_subnets() {
    let app = TestApp::new().await;
    let (vpc_id, _) = app.vpc_and_subnet(PROJECT).await;
    let narrowed = app
        .put(
            &vpc_path(PROJECT, &vpc_id),
            json!({"vpc": {"cidr": "10.0.2.0/24"}}),
        )
        .await;
    narrowed.assert_vpc_error(400, "VPC.0117");
    let widened = app
        .put(
            &vpc_path(PROJECT, &vpc_id),
            json!({"vpc": {"cidr": "10.0.0.0/8"}}),
        )
        .await;
    let message = widened.assert_vpc_error(400, "VPC.0101");
    assert!(message.starts_with("cidr is invalid: "), "{message}");
    let vpc = app.get(&vpc_path(PROJECT, &vpc_id)).await;
    assert_eq!(vpc.body["vpc"]["cidr"], "10.0.0.0/16", "unchanged");
}

#[tokio::test]
async fn delete_refuses_a_vpc_with_subnets_with_409_vpc_0104() {
    let app = TestApp::new().await;
    let (vpc_id, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let refused = app.delete(&vpc_path(PROJECT, &vpc_id)).await;
    assert_eq!(
        refused.assert_vpc_error(409, "VPC.0104"),
        "Router contains subnets, please delete subnet first."
    );
    let gone = app
        .delete(&vpc_subnet_path(PROJECT, &vpc_id, &subnet_id))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
    let deleted = app.delete(&vpc_path(PROJECT, &vpc_id)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.raw.is_empty());
    // Terraform's delete loop: the next GET and DELETE are 404.
    let message = app
        .get(&vpc_path(PROJECT, &vpc_id))
        .await
        .assert_vpc_error(404, "VPC.0003")
        .to_owned();
    assert_eq!(message, "VPC does not exist.");
    app.delete(&vpc_path(PROJECT, &vpc_id))
        .await
        .assert_vpc_error(404, "VPC.0003");
}

#[tokio::test]
async fn unknown_and_malformed_vpc_ids() {
    let app = TestApp::new().await;
    let path = vpc_path(PROJECT, UNKNOWN_ID);
    app.get(&path).await.assert_vpc_error(404, "VPC.0003");
    app.put(&path, json!({"vpc": {"name": "n"}}))
        .await
        .assert_vpc_error(404, "VPC.0003");
    app.delete(&path).await.assert_vpc_error(404, "VPC.0003");
    let bad = vpc_path(PROJECT, "not-an-id");
    assert_eq!(
        app.get(&bad).await.assert_vpc_error(400, "VPC.0101"),
        "getVpc error vpcId is invalid."
    );
    app.put(&bad, json!({"vpc": {}}))
        .await
        .assert_vpc_error(400, "VPC.0101");
    app.delete(&bad).await.assert_vpc_error(400, "VPC.0101");
    app.get(&vpc_path(PROJECT, "%FF%FE"))
        .await
        .assert_vpc_error(400, "VPC.0101");
}

#[tokio::test]
async fn the_v3_show_answers_active_with_counts_in_the_v3_envelope() {
    let app = TestApp::new().await;
    let (vpc_id, _) = app.vpc_and_subnet(PROJECT).await;
    let shown = app.get(&vpc_v3_path(PROJECT, &vpc_id)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.body["request_id"], shown.request_id());
    let vpc = &shown.body["vpc"];
    assert_eq!(vpc["status"], "ACTIVE");
    assert_eq!(vpc["project_id"], PROJECT);
    assert_eq!(vpc["extend_cidrs"], json!([]));
    assert_eq!(vpc["tags"], json!([]));
    assert_eq!(
        vpc["cloud_resources"],
        json!([{"resource_type": "routetable", "resource_count": 1},
               {"resource_type": "virsubnet", "resource_count": 1}])
    );

    for id in [UNKNOWN_ID, "bad-id"] {
        let missing = app.get(&vpc_v3_path(PROJECT, id)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.body["error_code"], "VPC.9904");
        assert_eq!(
            missing.body["error_msg"],
            format!("Vpc {id} could not be found.")
        );
        assert_eq!(missing.body["request_id"], missing.request_id());
        assert!(missing.body.get("code").is_none(), "{}", missing.body);
    }
}

#[tokio::test]
async fn projects_never_see_each_others_vpcs() {
    let app = TestApp::new().await;
    let id = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    assert_eq!(
        app.get(&vpcs_path(OTHER_PROJECT)).await.body,
        json!({"vpcs": []})
    );
    let by_id = format!("{}?id={id}", vpcs_path(OTHER_PROJECT));
    assert_eq!(app.get(&by_id).await.body, json!({"vpcs": []}));
    app.get(&vpc_path(OTHER_PROJECT, &id))
        .await
        .assert_vpc_error(404, "VPC.0003");
    app.delete(&vpc_path(OTHER_PROJECT, &id))
        .await
        .assert_vpc_error(404, "VPC.0003");
    let v3 = app.get(&vpc_v3_path(OTHER_PROJECT, &id)).await;
    assert_eq!(v3.body["error_code"], "VPC.9904");
    let other_subnet = app
        .post(
            &subnets_path(OTHER_PROJECT),
            subnet_body(&id, "10.0.1.0/24", "10.0.1.1"),
        )
        .await;
    other_subnet.assert_vpc_error(404, "VPC.0003");
    let mine: Value = app.get(&vpc_path(PROJECT, &id)).await.body;
    assert_eq!(mine["vpc"]["status"], "OK");
}
