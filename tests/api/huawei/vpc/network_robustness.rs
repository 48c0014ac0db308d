//! Hostile input to the network APIs: NUL, control characters, non-UTF-8 escapes and huge
//! values in paths, queries and bodies never reach a 5xx, on either backend.

use axum::http::StatusCode;
use serde_json::json;

use super::network::*;
use crate::support::*;

#[tokio::test]
async fn hostile_values_never_reach_a_5xx() {
    let app = TestApp::new().await;
    let (vpc_id, subnet_id) = app.vpc_and_subnet(PROJECT).await;
    let port_id = app.create_port(PROJECT, &subnet_id).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hostile = ["%00", "%FF%FE", "a%00b", "%E2%80%AE", &"x".repeat(5000)];
    for value in hostile {
        let uris = [
            format!("{}?id={value}&enterprise_project_id={value}", vpcs_path(PROJECT)),
            format!("{}?marker={value}", vpcs_path(PROJECT)),
            format!("{}?vpc_id={value}&marker={value}", subnets_path(PROJECT)),
            format!(
                "{}?name={value}&network_id={value}&mac_address={value}&device_owner={value}&security_groups={value}",
                ports_path(PROJECT)
            ),
            format!("{}?fixed_ips=ip_address%3D{value}", ports_path(PROJECT)),
            format!("{}?fixed_ips=subnet_id%3D{value}", ports_path(PROJECT)),
            vpc_path(PROJECT, value),
            vpc_v3_path(PROJECT, value),
            subnet_path(PROJECT, value),
            port_path(PROJECT, value),
            format!("/v2.0/{PROJECT}/vpcs/{value}/tags"),
            format!("/v3/{PROJECT}/ports/{value}/tags"),
        ];
        for uri in uris {
            let response = app.get(&uri).await;
            assert!(
                response.status.as_u16() < 500,
                "{uri}: {} {}",
                response.status,
                response.body
            );
        }
        for uri in [
            format!("/v2.0/{PROJECT}/vpcs/{vpc_id}/tags/{value}"),
            format!("/v3/{PROJECT}/ports/{port_id}/tags/{value}"),
            vpc_subnet_path(PROJECT, value, &subnet_id),
        ] {
            let response = app.delete(&uri).await;
            assert!(
                response.status.as_u16() < 500,
                "{uri}: {} {}",
                response.status,
                response.body
            );
        }
    }
    let strings = [
        "\u{0}",
        "a\u{0}b",
        "\u{202e}",
        "<script>",
        &"y".repeat(100_000),
    ];
    for text in strings {
        let bodies = [
            (
                vpcs_path(PROJECT),
                json!({"vpc": {"name": text, "description": text, "cidr": text, "tags": [format!("{text}*{text}")]}}),
            ),
            (
                subnets_path(PROJECT),
                json!({"subnet": {"name": "s", "cidr": "10.0.9.0/24", "gateway_ip": "10.0.9.1", "vpc_id": vpc_id,
                "availability_zone": text, "extra_dhcp_opts": [{"opt_name": "addresstime", "opt_value": text}]}}),
            ),
            (
                ports_path(PROJECT),
                json!({"port": {"network_id": subnet_id, "name": text, "device_owner": text,
                "extra_dhcp_opts": [{"opt_name": text, "opt_value": text}]}}),
            ),
            (
                format!("/v2.0/{PROJECT}/vpcs/{vpc_id}/tags/action"),
                json!({"action": "create", "tags": [{"key": text, "value": text}]}),
            ),
            (
                format!("/v3/{PROJECT}/ports/{port_id}/tags"),
                json!({"tag": {"key": text, "value": text}}),
            ),
        ];
        for (uri, body) in bodies {
            let response = app.post(&uri, body).await;
            assert!(
                response.status.as_u16() < 500,
                "{uri}: {} {}",
                response.status,
                response.body
            );
        }
        let response = app
            .put(
                &vpc_subnet_path(PROJECT, &vpc_id, &subnet_id),
                json!({"subnet": {"name": "s", "extra_dhcp_opts": [{"opt_name": "domainname", "opt_value": text}]}}),
            )
            .await;
        assert!(
            response.status.as_u16() < 500,
            "{} {}",
            response.status,
            response.body
        );
    }
    assert_eq!(
        app.get(&ports_path(PROJECT)).await.body["ports"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get(&subnet_path(PROJECT, &subnet_id)).await.status,
        StatusCode::OK
    );
}
