//! Whole answers of the network APIs as snapshots, where the body is the contract: a VPC (v1
//! create, show, list; the v3 show), a subnet (create, show, the update's `SubnetResult`), a
//! port (create, list), tags, and each API's error envelope. Ids, times, addresses the server
//! picks and request ids are redacted once their form is checked.

use axum::http::StatusCode;
use serde_json::json;

use super::network::*;
use crate::support::snapshot::*;
use crate::support::*;

fn mac() -> insta::internals::Redaction {
    insta::dynamic_redaction(|value, path| {
        let text = value.as_str().unwrap_or_default();
        assert!(
            text.starts_with("fa:16:3e:") && text.len() == 17,
            "{path}: {text}"
        );
        "[mac]"
    })
}

#[tokio::test]
async fn vpc_bodies() {
    let app = TestApp::new().await;
    let body = json!({"vpc": {"name": "vpc-acc", "description": "demo", "cidr": "172.16.0.0/16", "tags": ["k*v"]}});
    let created = app.post(&vpcs_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["vpc"]["id"].as_str().unwrap().to_owned();
    let redactions = || (uuid_v4(), huawei_time(), huawei_time());
    let (i, c, u) = redactions();
    assert_body_snapshot!("vpc_create", &created.body, {".vpc.id" => i, ".vpc.created_at" => c, ".vpc.updated_at" => u});
    let shown = app.get(&vpc_path(PROJECT, &id)).await;
    let (i, c, u) = redactions();
    assert_body_snapshot!("vpc_show", &shown.body, {".vpc.id" => i, ".vpc.created_at" => c, ".vpc.updated_at" => u});
    let listed = app.get(&vpcs_path(PROJECT)).await;
    let (i, c, u) = redactions();
    assert_body_snapshot!("vpc_list", &listed.body, {".vpcs[].id" => i, ".vpcs[].created_at" => c, ".vpcs[].updated_at" => u});
    let v3 = app.get(&vpc_v3_path(PROJECT, &id)).await;
    let (i, c, u) = redactions();
    assert_body_snapshot!("vpc_show_v3", &v3.body, {
        ".request_id" => huawei_request_id(), ".vpc.id" => i, ".vpc.created_at" => c, ".vpc.updated_at" => u,
    });
}

#[tokio::test]
async fn subnet_bodies() {
    let app = TestApp::new().await;
    let vpc_id = app.create_vpc_id(PROJECT, "192.168.0.0/16").await;
    let mut body = subnet_body(&vpc_id, "192.168.20.0/24", "192.168.20.1");
    body["subnet"]["availability_zone"] = json!("cn-north-4a");
    let created = app.post(&subnets_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["subnet"]["id"].as_str().unwrap().to_owned();
    let known = [(id.as_str(), "[subnet_id]"), (vpc_id.as_str(), "[vpc_id]")];
    let subnet_redactions = || (uuid_v4(), huawei_time(), huawei_time());
    let (n, c, u) = subnet_redactions();
    assert_body_snapshot!("subnet_create", &scrub_json(&created.body, &known), {
        ".subnet.neutron_subnet_id" => n, ".subnet.created_at" => c, ".subnet.updated_at" => u,
    });
    let shown = app.get(&subnet_path(PROJECT, &id)).await;
    let (n, c, u) = subnet_redactions();
    assert_body_snapshot!("subnet_show", &scrub_json(&shown.body, &known), {
        ".subnet.neutron_subnet_id" => n, ".subnet.created_at" => c, ".subnet.updated_at" => u,
    });
    let updated = app
        .put(
            &vpc_subnet_path(PROJECT, &vpc_id, &id),
            json!({"subnet": {"name": "renamed"}}),
        )
        .await;
    assert_body_snapshot!("subnet_update", &scrub_json(&updated.body, &known[..1]));
}

#[tokio::test]
async fn port_bodies() {
    let app = TestApp::new().await;
    let (_, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let neutron = app.get(&subnet_path(PROJECT, &subnet_id)).await.body["subnet"]
        ["neutron_subnet_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app
        .post(
            &ports_path(PROJECT),
            json!({"port": {"name": "nic-acc", "network_id": subnet_id}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let known = [
        (subnet_id.as_str(), "[subnet_id]"),
        (neutron.as_str(), "[neutron_subnet_id]"),
    ];
    assert_body_snapshot!("port_create", &scrub_json(&created.body, &known), {
        ".port.id" => uuid_v4(), ".port.mac_address" => mac(),
    });
    let listed = app.get(&ports_path(PROJECT)).await;
    assert_body_snapshot!("port_list", &scrub_json(&listed.body, &known), {
        ".ports[].id" => uuid_v4(), ".ports[].mac_address" => mac(),
    });
}

#[tokio::test]
async fn tag_and_error_bodies() {
    let app = TestApp::new().await;
    let (vpc_id, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let port_id = app.create_port(PROJECT, &subnet_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/v2.0/{PROJECT}/vpcs/{vpc_id}/tags/action"),
        json!({"action": "create", "tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}),
    )
    .await;
    app.post(
        &format!("/v3/{PROJECT}/ports/{port_id}/tags"),
        json!({"tag": {"key": "k", "value": "v"}}),
    )
    .await;
    let vpc_tags = app
        .get(&format!("/v2.0/{PROJECT}/vpcs/{vpc_id}/tags"))
        .await;
    let port_tags = app
        .get(&format!("/v3/{PROJECT}/ports/{port_id}/tags"))
        .await;
    assert_body_snapshot!("tags", &json!({"vpc": vpc_tags.body, "port": port_tags.body}), {
        ".port.request_id" => huawei_request_id(),
    });

    let errors = json!({
        "vpc_with_subnets": answer(&app.delete(&vpc_path(PROJECT, &vpc_id)).await),
        "subnet_with_ports": answer(&app.delete(&vpc_subnet_path(PROJECT, &vpc_id, &subnet_id)).await),
        "subnet_not_found": answer(&app.get(&subnet_path(PROJECT, UNKNOWN_ID)).await),
        "vpc_not_found": answer(&app.get(&vpc_path(PROJECT, UNKNOWN_ID)).await),
        "vpc_not_found_v3": answer(&app.get(&vpc_v3_path(PROJECT, UNKNOWN_ID)).await),
        "port_not_found": answer(&app.get(&port_path(PROJECT, UNKNOWN_ID)).await),
        "subnet_overlap": answer(&app.post(&subnets_path(PROJECT), subnet_body(&vpc_id, "10.0.1.0/25", "10.0.1.1")).await),
        "bad_vpc_cidr": answer(&app.post(&vpcs_path(PROJECT), json!({"vpc": {"cidr": "8.8.0.0/16"}})).await),
    });
    assert_body_snapshot!("network_errors", &errors, {".vpc_not_found_v3.body.request_id" => huawei_request_id()});
}
