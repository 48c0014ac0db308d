//! Ports: create (an address asked for or allocated), list with every filter and paging, show,
//! update (null leaves a list, `[]` clears it), delete, and their error codes.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::network::*;
use crate::support::*;

#[tokio::test]
async fn create_allocates_an_address_and_answers_a_down_port() {
    let app = TestApp::new().await;
    let vpc_id = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let mut body = subnet_body(&vpc_id, "10.0.1.0/24", "10.0.1.1");
    body["subnet"]["availability_zone"] = json!("cn-north-4a");
    let subnet = app.post(&subnets_path(PROJECT), body).await.body["subnet"].clone();
    let subnet_id = subnet["id"].as_str().unwrap();
    let created = app
        .post(
            &ports_path(PROJECT),
            json!({"port": {"name": "nic-acc", "network_id": subnet_id}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let port = &created.body["port"];
    let id = port["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    assert_eq!(port["status"], "DOWN");
    assert_eq!(port["network_id"], subnet_id);
    assert_eq!(port["name"], "nic-acc");
    assert_eq!(
        port["fixed_ips"],
        json!([{"subnet_id": subnet["neutron_subnet_id"], "ip_address": "10.0.1.2"}]),
        "the first free host after the gateway, in the subnet's Neutron subnet"
    );
    let mac = port["mac_address"].as_str().unwrap();
    assert!(mac.starts_with("fa:16:3e:") && mac.len() == 17, "{mac}");
    assert_eq!(port["admin_state_up"], json!(true));
    assert_eq!(port["tenant_id"], PROJECT);
    assert_eq!(port["zone_id"], "cn-north-4a");
    assert_eq!(port["binding:vnic_type"], "normal");
    assert_eq!(port["binding:vif_details"], json!({}));
    assert_eq!(port["port_security_enabled"], json!(true));
    assert_eq!(port["enable_efi"], json!(false));
    assert_eq!(port["security_groups"], json!([]));

    let shown = app.get(&port_path(PROJECT, id)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body, created.body);
    let next = app.create_port(PROJECT, subnet_id).await;
    assert_eq!(next["fixed_ips"][0]["ip_address"], "10.0.1.3");
}

#[tokio::test]
async fn create_takes_an_address_groups_pairs_and_options() {
    let app = TestApp::new().await;
    let (_, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let subnet = app.get(&subnet_path(PROJECT, &subnet_id)).await.body["subnet"].clone();
    let sg = "02b4e8ee-74fa-4a31-802e-5490df11245e";
    let body = json!({"port": {
        "network_id": subnet_id,
        "fixed_ips": [{"ip_address": "10.0.1.10", "subnet_id": subnet["neutron_subnet_id"]}],
        "security_groups": [sg], "device_owner": "neutron:VIP_PORT", "admin_state_up": true,
        "allowed_address_pairs": [{"ip_address": "10.0.1.0/28"}, {"ip_address": "10.0.1.99", "mac_address": "fa:16:3e:00:00:01"}],
        "extra_dhcp_opts": [{"opt_name": "51", "opt_value": "3600"}]}});
    let created = app.post(&ports_path(PROJECT), body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let port = &created.body["port"];
    assert_eq!(port["fixed_ips"][0]["ip_address"], "10.0.1.10");
    assert_eq!(port["security_groups"], json!([sg]));
    assert_eq!(port["device_owner"], "neutron:VIP_PORT");
    assert_eq!(
        port["allowed_address_pairs"],
        json!([{"ip_address": "10.0.1.0/28", "mac_address": port["mac_address"]},
               {"ip_address": "10.0.1.99", "mac_address": "fa:16:3e:00:00:01"}])
    );
    assert_eq!(
        port["extra_dhcp_opts"],
        json!([{"opt_name": "51", "opt_value": "3600"}])
    );

    let taken =
        json!({"port": {"network_id": subnet_id, "fixed_ips": [{"ip_address": "10.0.1.10"}]}});
    assert_eq!(
        app.post(&ports_path(PROJECT), taken)
            .await
            .assert_vpc_error(409, "VPC.0522"),
        "The IP address is in use."
    );
    for address in ["10.0.2.5", "10.0.1.1", "10.0.1.255"] {
        let outside =
            json!({"port": {"network_id": subnet_id, "fixed_ips": [{"ip_address": address}]}});
        let response = app.post(&ports_path(PROJECT), outside).await;
        assert_eq!(
            response.assert_vpc_error(400, "VPC.2500"),
            "fixed_ips is invalid.",
            "{address}"
        );
    }
    let wrong_subnet =
        json!({"port": {"network_id": subnet_id, "fixed_ips": [{"subnet_id": UNKNOWN_ID}]}});
    app.post(&ports_path(PROJECT), wrong_subnet)
        .await
        .assert_vpc_error(400, "VPC.2500");
}

#[tokio::test]
async fn a_full_subnet_has_no_more_addresses() {
    let app = TestApp::new().await;
    let vpc_id = app.create_vpc_id(PROJECT, "10.0.0.0/16").await;
    let subnet = app
        .create_subnet(PROJECT, &vpc_id, "10.0.0.0/28", "10.0.0.1")
        .await;
    let subnet_id = subnet["id"].as_str().unwrap();
    assert_eq!(subnet["available_ip_address_count"], json!(11));
    for _ in 0..11 {
        app.create_port(PROJECT, subnet_id).await;
    }
    let full = app
        .post(
            &ports_path(PROJECT),
            json!({"port": {"network_id": subnet_id}}),
        )
        .await;
    assert_eq!(
        full.assert_vpc_error(409, "VPC.0532"),
        "No more IP addresses available on network."
    );
    let shown = app.get(&subnet_path(PROJECT, subnet_id)).await;
    assert_eq!(shown.body["subnet"]["available_ip_address_count"], json!(0));
}

#[tokio::test]
async fn bad_create_fields_are_vpc_2500_and_unknown_networks_404() {
    let app = TestApp::new().await;
    let (_, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    // (the body field, its value, the field the message names)
    let cases = [
        ("network_id", json!(null), "network_id"),
        ("network_id", json!("net-1"), "network_id"),
        ("name", json!("n".repeat(256)), "name"),
        ("name", json!(7), "name"),
        (
            "fixed_ips",
            json!([{"ip_address": "10.0.1.5"}, {"ip_address": "10.0.1.6"}]),
            "fixed_ips",
        ),
        ("fixed_ips", json!([{"ip_address": "ten"}]), "ip_address"),
        ("device_owner", json!("compute:az1"), "device_owner"),
        ("admin_state_up", json!(false), "admin_state_up"),
        ("security_groups", json!(["default"]), "security_groups"),
        (
            "allowed_address_pairs",
            json!([{"ip_address": "0.0.0.0/0"}]),
            "ip_address",
        ),
        (
            "allowed_address_pairs",
            json!([{"ip_address": "10.0.1.5", "mac_address": "zz"}]),
            "mac_address",
        ),
        ("extra_dhcp_opts", json!([{"opt_value": "1"}]), "opt_name"),
    ];
    for (target, value, field) in cases {
        let mut body = json!({"port": {"network_id": subnet_id}});
        if value.is_null() {
            body["port"].as_object_mut().unwrap().remove(target);
        } else {
            body["port"][target] = value.clone();
        }
        let response = app.post(&ports_path(PROJECT), body).await;
        assert_eq!(
            response.assert_vpc_error(400, "VPC.2500"),
            format!("{field} is invalid."),
            "{target}={value}"
        );
    }
    let unknown = app
        .post(
            &ports_path(PROJECT),
            json!({"port": {"network_id": UNKNOWN_ID}}),
        )
        .await;
    assert_eq!(
        unknown.assert_vpc_error(404, "VPC.2504"),
        format!("Network {UNKNOWN_ID} could not be found.")
    );
    assert_eq!(
        app.get(&ports_path(PROJECT)).await.body,
        json!({"ports": []})
    );
}

#[tokio::test]
async fn list_filters_on_every_field_and_pages_by_marker() {
    let app = TestApp::new().await;
    let (vpc_id, subnet_a) = app.vpc_and_subnet(PROJECT).await;
    let subnet_b = app
        .create_subnet(PROJECT, &vpc_id, "10.0.2.0/24", "10.0.2.1")
        .await;
    let neutron_b = subnet_b["neutron_subnet_id"].as_str().unwrap().to_owned();
    let subnet_b = subnet_b["id"].as_str().unwrap().to_owned();
    let sg = "02b4e8ee-74fa-4a31-802e-5490df11245e";
    let mut ports: Vec<Value> = Vec::new();
    for (subnet, extra) in [
        (&subnet_a, json!({"name": "a"})),
        (&subnet_b, json!({"name": "b", "security_groups": [sg]})),
        (
            &subnet_a,
            json!({"name": "c", "device_owner": "neutron:VIP_PORT"}),
        ),
    ] {
        let mut body = json!({"port": {"network_id": subnet}});
        for (key, value) in extra.as_object().unwrap() {
            body["port"][key] = value.clone();
        }
        let created = app.post(&ports_path(PROJECT), body).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        ports.push(created.body["port"].clone());
    }
    let ids: Vec<String> = ports
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let list = |query: String| {
        let app = &app;
        async move {
            let response = app.get(&format!("{}?{query}", ports_path(PROJECT))).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{query}: {}",
                response.body
            );
            ids_in(&response.body, "ports")
        }
    };
    let none: Vec<String> = Vec::new();
    assert_eq!(list(String::new()).await, ids);
    assert_eq!(
        list(format!("id={}&id={}", ids[0], ids[2])).await,
        [ids[0].clone(), ids[2].clone()]
    );
    assert_eq!(list("name=b".into()).await, [ids[1].clone()]);
    assert_eq!(
        list(format!("network_id={subnet_a}")).await,
        [ids[0].clone(), ids[2].clone()]
    );
    let mac = ports[2]["mac_address"].as_str().unwrap();
    assert_eq!(list(format!("mac_address={mac}")).await, [ids[2].clone()]);
    let address = ports[0]["fixed_ips"][0]["ip_address"].as_str().unwrap();
    assert_eq!(
        list(format!(
            "fixed_ips=ip_address%3D{address}&network_id={subnet_a}"
        ))
        .await,
        [ids[0].clone()]
    );
    assert_eq!(
        list(format!("fixed_ips=subnet_id%3D{neutron_b}")).await,
        [ids[1].clone()]
    );
    assert_eq!(
        list(format!(
            "fixed_ips=subnet_id%3D{neutron_b}&network_id={subnet_a}"
        ))
        .await,
        none
    );
    assert_eq!(
        list(format!("security_groups={sg}")).await,
        [ids[1].clone()]
    );
    assert_eq!(
        list("device_owner=neutron:VIP_PORT".into()).await,
        [ids[2].clone()]
    );
    assert_eq!(
        list("device_owner=neutron:VIP_PORT&limit=1".into()).await,
        [ids[2].clone()]
    );
    assert_eq!(
        list(format!("device_owner=&marker={}", ids[0])).await,
        [ids[1].clone()]
    );
    assert_eq!(list("status=DOWN".into()).await, ids);
    assert_eq!(list("status=ACTIVE".into()).await, none);
    assert_eq!(list("admin_state_up=True".into()).await, ids);
    assert_eq!(list("admin_state_up=false".into()).await, none);
    assert_eq!(list("enable_efi=false".into()).await, ids);
    assert_eq!(list("enable_efi=true".into()).await, none);
    assert_eq!(list("device_id=".into()).await, ids);
    assert_eq!(list("device_id=vm-1".into()).await, none);
    assert_eq!(list("enterprise_project_id=0".into()).await, ids);
    assert_eq!(list("limit=2".into()).await, ids[..2]);
    assert_eq!(list(format!("limit=2&marker={}", ids[1])).await, ids[2..]);
    assert_eq!(list(format!("marker={UNKNOWN_ID}")).await, none);
    for bad in [
        "limit=x",
        "status=UP",
        "admin_state_up=yes",
        "enable_efi=1",
        "fixed_ips=mac%3D1",
    ] {
        let response = app.get(&format!("{}?{bad}", ports_path(PROJECT))).await;
        response.assert_vpc_error(400, "VPC.2500");
    }
    assert_eq!(
        app.get(&ports_path(OTHER_PROJECT)).await.body,
        json!({"ports": []})
    );
}

#[tokio::test]
async fn update_changes_the_name_and_lists_null_leaving_them() {
    let app = TestApp::new().await;
    let (_, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let port = app.create_port(PROJECT, &subnet_id).await;
    let path = port_path(PROJECT, port["id"].as_str().unwrap());
    let sg = "02b4e8ee-74fa-4a31-802e-5490df11245e";
    let body = json!({"port": {"name": "renamed", "security_groups": [sg],
        "allowed_address_pairs": [{"ip_address": "10.0.1.50"}], "extra_dhcp_opts": null}});
    let updated = app.put(&path, body).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["port"]["name"], "renamed");
    assert_eq!(updated.body["port"]["security_groups"], json!([sg]));
    assert_eq!(
        updated.body["port"]["allowed_address_pairs"][0]["ip_address"],
        "10.0.1.50"
    );
    assert_eq!(
        updated.body["port"]["fixed_ips"], port["fixed_ips"],
        "not updatable"
    );

    // Terraform sends null for what did not change, [] for what the user removed.
    let body =
        json!({"port": {"name": "renamed", "security_groups": null, "allowed_address_pairs": []}});
    let updated = app.put(&path, body).await;
    assert_eq!(updated.body["port"]["security_groups"], json!([sg]));
    assert_eq!(updated.body["port"]["allowed_address_pairs"], json!([]));
    assert_eq!(app.get(&path).await.body, updated.body);

    app.put(&path, json!({"port": {"security_groups": "x"}}))
        .await
        .assert_vpc_error(400, "VPC.2500");
    app.put(&path, json!({"port": null}))
        .await
        .assert_vpc_error(400, "VPC.2500");
}

#[tokio::test]
async fn unknown_ports_are_404_in_neutrons_words() {
    let app = TestApp::new().await;
    for id in [UNKNOWN_ID, "not-a-port"] {
        let path = port_path(PROJECT, id);
        let message = app
            .get(&path)
            .await
            .assert_vpc_error(404, "VPC.2504")
            .to_owned();
        assert_eq!(message, format!("Port {id} could not be found."));
        app.put(&path, json!({"port": {"name": "n"}}))
            .await
            .assert_vpc_error(404, "VPC.2504");
        app.delete(&path).await.assert_vpc_error(404, "VPC.2504");
    }
    let (_, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let port = app.create_port(PROJECT, &subnet_id).await;
    let id = port["id"].as_str().unwrap();
    app.get(&port_path(OTHER_PROJECT, id))
        .await
        .assert_vpc_error(404, "VPC.2504");
    let deleted = app.delete(&port_path(PROJECT, id)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&port_path(PROJECT, id))
        .await
        .assert_vpc_error(404, "VPC.2504");
}
