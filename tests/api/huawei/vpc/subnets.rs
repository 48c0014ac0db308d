//! Subnets: create, list, show, update and delete (the last two under their VPC), the statuses
//! Terraform waits for, the CIDR rules (inside the VPC, apart from siblings, even when two
//! creates race), DNS defaults and every error code.

use axum::http::StatusCode;
use serde_json::json;

use super::network::*;
use crate::support::*;

#[tokio::test]
async fn create_answers_200_unknown_with_the_network_id_then_reads_say_active() {
    let app = TestApp::new().await;
    let vpc_id = app.create_vpc_id(PROJECT, "192.168.0.0/16").await;
    let mut body = subnet_body(&vpc_id, "192.168.20.0/24", "192.168.20.1");
    body["subnet"]["availability_zone"] = json!("cn-north-4a");
    body["subnet"]["description"] = json!("demo");
    let created = app.post(&subnets_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let subnet = &created.body["subnet"];
    let id = subnet["id"].as_str().unwrap();
    assert_eq!(
        subnet["status"], "UNKNOWN",
        "not yet attached to the router"
    );
    assert_eq!(subnet["neutron_network_id"], id);
    let neutron_subnet = subnet["neutron_subnet_id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(neutron_subnet).is_ok());
    assert_ne!(neutron_subnet, id);
    assert_eq!(subnet["vpc_id"], vpc_id.as_str());
    assert_eq!(subnet["cidr"], "192.168.20.0/24");
    assert_eq!(subnet["gateway_ip"], "192.168.20.1");
    assert_eq!(subnet["availability_zone"], "cn-north-4a");
    assert_eq!(subnet["dhcp_enable"], json!(true));
    assert_eq!(subnet["ipv6_enable"], json!(false));
    assert_eq!(subnet["primary_dns"], "100.125.1.250");
    assert_eq!(subnet["secondary_dns"], "100.125.129.250");
    assert_eq!(
        subnet["dnsList"],
        json!(["100.125.1.250", "100.125.129.250"])
    );
    assert_eq!(subnet["available_ip_address_count"], json!(251));
    assert_eq!(subnet["scope"], "center");
    assert_eq!(subnet["tenant_id"], PROJECT);
    assert_eq!(subnet["extra_dhcp_opts"], json!([]));
    assert!(
        subnet.get("cidr_v6").is_none(),
        "not returned for IPv4 subnets"
    );

    let shown = app.get(&subnet_path(PROJECT, id)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(
        shown.body["subnet"]["status"], "ACTIVE",
        "Terraform waits for ACTIVE"
    );
    assert_eq!(shown.body["subnet"]["neutron_subnet_id"], neutron_subnet);
}

#[tokio::test]
async fn dns_servers_and_dhcp_options_are_kept_as_the_cloud_keeps_them() {
    let app = TestApp::new().await;
    let vpc_id = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let mut body = subnet_body(&vpc_id, "10.0.1.0/24", "10.0.1.1");
    body["subnet"]["dnsList"] = json!(["8.8.8.8", "1.1.1.1", "9.9.9.9"]);
    body["subnet"]["dhcp_enable"] = json!(false);
    body["subnet"]["extra_dhcp_opts"] = json!([{"opt_name": "ntp", "opt_value": "10.0.0.1,10.0.0.2"}, {"opt_name": "addresstime", "opt_value": "24h"}]);
    let created = app.post(&subnets_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let subnet = &created.body["subnet"];
    assert_eq!(subnet["primary_dns"], "8.8.8.8");
    assert_eq!(subnet["secondary_dns"], "1.1.1.1");
    assert_eq!(subnet["dnsList"], json!(["8.8.8.8", "1.1.1.1", "9.9.9.9"]));
    assert_eq!(subnet["dhcp_enable"], json!(false));
    assert_eq!(subnet["extra_dhcp_opts"].as_array().unwrap().len(), 2);

    let mut lone = subnet_body(&vpc_id, "10.0.2.0/24", "10.0.2.1");
    lone["subnet"]["secondary_dns"] = json!("1.0.0.1");
    let lone = app.post(&subnets_path(PROJECT), lone).await;
    assert_eq!(
        lone.body["subnet"]["primary_dns"], "1.0.0.1",
        "a lone secondary is the primary"
    );
    assert_eq!(lone.body["subnet"]["dnsList"], json!(["1.0.0.1"]));
}

#[tokio::test]
async fn subnet_blocks_must_lie_inside_the_vpc_and_apart() {
    let app = TestApp::new().await;
    let (vpc_id, _) = app.vpc_and_subnet(PROJECT).await;
    let create = |cidr: &str, gateway: &str| {
        let body = subnet_body(&vpc_id, cidr, gateway);
        let app = &app;
        async move { app.post(&subnets_path(PROJECT), body).await }
    };
    assert_eq!(
        create("10.1.0.0/24", "10.1.0.1")
            .await
            .assert_vpc_error(400, "VPC.0203"),
        "Subnet is not in the range of VPC."
    );
    create("10.0.1.128/25", "10.0.1.129")
        .await
        .assert_vpc_error(400, "VPC.0204");
    create("10.0.0.0/16", "10.0.0.1")
        .await
        .assert_vpc_error(400, "VPC.0204");
    for bad in ["10.0.2.0/29", "10.0.2.1/24", "10.0.2.0", "x"] {
        assert_eq!(
            create(bad, "10.0.2.1")
                .await
                .assert_vpc_error(400, "VPC.0212"),
            "The subnet cidr is not valid.",
            "{bad}"
        );
    }
    for gateway in ["10.0.3.1", "10.0.2.0", "10.0.2.255", "10.0.2.253", "gw"] {
        assert_eq!(
            create("10.0.2.0/24", gateway)
                .await
                .assert_vpc_error(400, "VPC.0201"),
            "gateway_ip is invalid.",
            "{gateway}"
        );
    }
    assert_eq!(
        create("10.0.2.0/28", "10.0.2.1").await.status,
        StatusCode::OK
    );
    let listed = app
        .get(&format!("{}?vpc_id={vpc_id}", subnets_path(PROJECT)))
        .await;
    assert_eq!(listed.body["subnets"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn two_overlapping_subnets_created_at_once_one_wins() {
    let app = TestApp::new().await;
    for round in 0..4 {
        let vpc_id = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
        let first = subnet_body(&vpc_id, "10.0.0.0/24", "10.0.0.1");
        let second = subnet_body(&vpc_id, "10.0.0.0/23", "10.0.0.1");
        let path = subnets_path(PROJECT);
        let (a, b) = tokio::join!(app.post(&path, first), app.post(&path, second));
        let statuses = [a.status.as_u16(), b.status.as_u16()];
        let won = statuses.iter().filter(|s| **s == 200).count();
        assert_eq!(won, 1, "round {round}: {} / {}", a.body, b.body);
        let loser = if a.status == StatusCode::OK { &b } else { &a };
        loser.assert_vpc_error(400, "VPC.0204");
        let listed = app
            .get(&format!("{}?vpc_id={vpc_id}", subnets_path(PROJECT)))
            .await;
        assert_eq!(
            listed.body["subnets"].as_array().unwrap().len(),
            1,
            "round {round}"
        );
    }
}

#[tokio::test]
async fn bad_create_fields_are_refused_with_nothing_written() {
    let app = TestApp::new().await;
    let vpc_id = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let cases = [
        ("name", json!(null), "VPC.0201"),
        ("name", json!(""), "VPC.0201"),
        ("name", json!("a/b"), "VPC.0201"),
        ("description", json!("<x>"), "VPC.0201"),
        ("gateway_ip", json!(null), "VPC.0201"),
        ("vpc_id", json!(null), "VPC.0201"),
        ("vpc_id", json!("vpc-1"), "VPC.0201"),
        ("cidr", json!(null), "VPC.0212"),
        ("primary_dns", json!("dns"), "VPC.0201"),
        ("dnsList", json!(["8.8.8.8", "x"]), "VPC.0201"),
        ("dnsList", json!("8.8.8.8"), "VPC.0201"),
        ("dhcp_enable", json!("true"), "VPC.0201"),
        ("ipv6_enable", json!(true), "VPC.0201"),
        ("availability_zone", json!("z".repeat(65)), "VPC.0201"),
        (
            "extra_dhcp_opts",
            json!([{"opt_name": "domainname", "opt_value": "x"}]),
            "VPC.0201",
        ),
        (
            "extra_dhcp_opts",
            json!([{"opt_name": "ntp", "opt_value": "1.1.1.1,1.1.1.1"}]),
            "VPC.0201",
        ),
        (
            "extra_dhcp_opts",
            json!([{"opt_name": "addresstime", "opt_value": "1d"}]),
            "VPC.0201",
        ),
        ("tags", json!(["k"]), "VPC.0201"),
    ];
    for (field, value, code) in cases {
        let mut body = subnet_body(&vpc_id, "10.0.1.0/24", "10.0.1.1");
        if value.is_null() {
            body["subnet"].as_object_mut().unwrap().remove(field);
        } else {
            body["subnet"][field] = value.clone();
        }
        let response = app.post(&subnets_path(PROJECT), body).await;
        response.assert_vpc_error(400, code);
    }
    let missing_vpc = app
        .post(
            &subnets_path(PROJECT),
            subnet_body(UNKNOWN_ID, "10.0.1.0/24", "10.0.1.1"),
        )
        .await;
    assert_eq!(
        missing_vpc.assert_vpc_error(404, "VPC.0003"),
        "VPC does not exist."
    );
    assert_eq!(
        app.get(&subnets_path(PROJECT)).await.body,
        json!({"subnets": []})
    );
}

#[tokio::test]
async fn list_filters_by_vpc_and_pages_by_marker() {
    let app = TestApp::new().await;
    let vpc_a = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let vpc_b = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let mut ids = Vec::new();
    for (i, vpc) in [&vpc_a, &vpc_b, &vpc_a].into_iter().enumerate() {
        let subnet = app
            .create_subnet(
                PROJECT,
                vpc,
                &format!("10.0.{i}.0/24"),
                &format!("10.0.{i}.1"),
            )
            .await;
        ids.push(subnet["id"].as_str().unwrap().to_owned());
    }
    let list = |query: String| {
        let app = &app;
        async move {
            let response = app.get(&format!("{}?{query}", subnets_path(PROJECT))).await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.body);
            ids_in(&response.body, "subnets")
        }
    };
    assert_eq!(list(String::new()).await, ids);
    assert_eq!(
        list(format!("vpc_id={vpc_a}")).await,
        [ids[0].clone(), ids[2].clone()]
    );
    assert_eq!(list("limit=1".into()).await, [ids[0].clone()]);
    assert_eq!(
        list(format!("marker={}&limit=1", ids[0])).await,
        [ids[1].clone()]
    );
    assert_eq!(
        list(format!("vpc_id={UNKNOWN_ID}")).await,
        Vec::<String>::new()
    );
    let bad = app
        .get(&format!("{}?limit=abc", subnets_path(PROJECT)))
        .await;
    assert_eq!(
        bad.assert_vpc_error(400, "VPC.0201"),
        "Query subnets list error."
    );
}

#[tokio::test]
async fn update_answers_the_subnet_result_and_keeps_the_rest() {
    let app = TestApp::new().await;
    let (vpc_id, id) = app.vpc_and_subnet(PROJECT).await;
    let path = vpc_subnet_path(PROJECT, &vpc_id, &id);
    let body = json!({"subnet": {
        "name": "renamed", "description": "d", "dhcp_enable": false,
        "primary_dns": "8.8.8.8", "secondary_dns": "8.8.4.4",
        "extra_dhcp_opts": [{"opt_name": "domainname", "opt_value": "example.com"}]}});
    let updated = app.put(&path, body).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(
        updated.body,
        json!({"subnet": {"id": id, "status": "ACTIVE"}})
    );
    let subnet = app.get(&subnet_path(PROJECT, &id)).await.body["subnet"].clone();
    assert_eq!(subnet["name"], "renamed");
    assert_eq!(subnet["dhcp_enable"], json!(false));
    assert_eq!(subnet["dnsList"], json!(["8.8.8.8", "8.8.4.4"]));
    assert_eq!(
        subnet["extra_dhcp_opts"],
        json!([{"opt_name": "domainname", "opt_value": "example.com"}])
    );
    assert_eq!(subnet["cidr"], "10.0.1.0/24");

    let removed = app
        .put(&path, json!({"subnet": {"name": "renamed", "extra_dhcp_opts": [{"opt_name": "domainname", "opt_value": null}]}}))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let subnet = app.get(&subnet_path(PROJECT, &id)).await.body["subnet"].clone();
    assert_eq!(subnet["extra_dhcp_opts"], json!([]));
    assert_eq!(
        subnet["primary_dns"], "8.8.8.8",
        "DNS untouched when none is sent"
    );

    let unnamed = app
        .put(&path, json!({"subnet": {"description": "x"}}))
        .await;
    assert_eq!(
        unnamed.assert_vpc_error(400, "VPC.0201"),
        "name is invalid."
    );
    app.put(&path, json!({"subnet": {"name": "n", "ipv6_enable": true}}))
        .await
        .assert_vpc_error(400, "VPC.0201");
}

#[tokio::test]
async fn update_and_delete_check_the_subnet_and_its_vpc() {
    let app = TestApp::new().await;
    let (vpc_id, id) = app.vpc_and_subnet(PROJECT).await;
    let other_vpc = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let wrong = vpc_subnet_path(PROJECT, &other_vpc, &id);
    assert_eq!(
        app.put(&wrong, json!({"subnet": {"name": "n"}}))
            .await
            .assert_vpc_error(400, "VPC.0207"),
        "Subnet does not belong to the VPC."
    );
    app.delete(&wrong).await.assert_vpc_error(400, "VPC.0207");
    let unknown = vpc_subnet_path(PROJECT, &vpc_id, UNKNOWN_ID);
    let message = app
        .delete(&unknown)
        .await
        .assert_vpc_error(404, "VPC.0202")
        .to_owned();
    assert_eq!(
        message,
        format!("Query resource by id {UNKNOWN_ID} fail.the subnet could not be found.")
    );
    app.put(&unknown, json!({"subnet": {"name": "n"}}))
        .await
        .assert_vpc_error(404, "VPC.0202");
    app.get(&subnet_path(PROJECT, UNKNOWN_ID))
        .await
        .assert_vpc_error(404, "VPC.0202");
    assert_eq!(
        app.get(&subnet_path(PROJECT, "bad"))
            .await
            .assert_vpc_error(400, "VPC.0201"),
        "Subnet ID is invalid."
    );
    let deleted = app.delete(&vpc_subnet_path(PROJECT, &vpc_id, &id)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    app.get(&subnet_path(PROJECT, &id))
        .await
        .assert_vpc_error(404, "VPC.0202");
}

#[tokio::test]
async fn delete_refuses_a_subnet_with_ports_with_500_vpc_0209() {
    let app = TestApp::new().await;
    let (vpc_id, id) = app.vpc_and_subnet(PROJECT).await;
    let port = app.create_port(PROJECT, &id).await;
    let shown = app.get(&subnet_path(PROJECT, &id)).await;
    assert_eq!(
        shown.body["subnet"]["available_ip_address_count"],
        json!(250)
    );
    let path = vpc_subnet_path(PROJECT, &vpc_id, &id);
    assert_eq!(
        app.delete(&path).await.assert_vpc_error(500, "VPC.0209"),
        "The subnet is being used by an ECS or a load balancer."
    );
    let port_id = port["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&port_path(PROJECT, port_id)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.delete(&path).await.status, StatusCode::NO_CONTENT);
}
