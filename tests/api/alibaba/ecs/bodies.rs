//! Whole ECS bodies as snapshots: the ENI in each action's answer, the tag listing, an XML
//! answer, and ECS's errors. Ids, addresses made at random, times and request ids are checked,
//! then redacted.

use serde_json::{json, Value};

use super::*;
use crate::support::snapshot::{
    answer, assert_body_snapshot, assert_text_snapshot, scrub, scrub_json,
};

/// `body` with every value that changes from run to run checked and replaced: request ids
/// (wherever they occur, as in an error's `Recommend`), creation times and MAC addresses by
/// their key, and the `known` ids wherever they occur.
fn redacted(body: &Value, known: &[(&str, &str)]) -> Value {
    fn request_ids(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (key, field) in fields {
                    match (key.as_str(), field.as_str()) {
                        ("RequestId", Some(id)) => {
                            assert_alibaba_request_id(id);
                            found.push(id.to_owned());
                        }
                        _ => request_ids(field, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| request_ids(item, found)),
            _ => {}
        }
    }
    fn walk(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                for (key, field) in fields.iter_mut() {
                    let placeholder = match (key.as_str(), field.as_str()) {
                        ("CreationTime", Some(time)) => {
                            assert!(
                                chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%SZ")
                                    .is_ok(),
                                "{time}"
                            );
                            "[time]"
                        }
                        ("MacAddress", Some(mac)) => {
                            assert!(mac.starts_with("00:16:3e:") && mac.len() == 17, "{mac}");
                            "[mac]"
                        }
                        _ => {
                            walk(field);
                            continue;
                        }
                    };
                    *field = Value::from(placeholder);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut found = Vec::new();
    request_ids(body, &mut found);
    // Only the ids a body has are replaced in it.
    let text = body.to_string();
    let mut known: Vec<(&str, &str)> = known
        .iter()
        .copied()
        .filter(|(id, _)| text.contains(id))
        .collect();
    known.extend(found.iter().map(|id| (id.as_str(), "[request_id]")));
    let mut body = scrub_json(body, &known);
    walk(&mut body);
    body
}

#[tokio::test]
async fn network_interface_bodies() {
    let app = TestApp::new().await;
    let (vpc, vsw) = network(&app).await;
    let created = ecs(
        &app,
        "CreateNetworkInterface",
        &[
            ("VSwitchId", &vsw),
            ("NetworkInterfaceName", "eni-snapshot"),
            ("Description", "a body to keep"),
            ("SecurityGroupIds.1", "sg-bp1snapshot"),
            ("PrimaryIpAddress", "10.0.1.20"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "net"),
        ],
    )
    .await;
    let id = created.body["NetworkInterfaceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let known = [
        (id.as_str(), "[eni_id]"),
        (vsw.as_str(), "[vswitch_id]"),
        (vpc.as_str(), "[vpc_id]"),
    ];
    assert_body_snapshot!(
        "create_network_interface",
        redacted(&answer(&created), &known)
    );

    let listed = ecs(&app, "DescribeNetworkInterfaces", &[("VpcId", &vpc)]).await;
    assert_body_snapshot!(
        "describe_network_interfaces",
        redacted(&answer(&listed), &known)
    );

    let shown = ecs(
        &app,
        "DescribeNetworkInterfaceAttribute",
        &[("NetworkInterfaceId", &id)],
    )
    .await;
    assert_body_snapshot!(
        "describe_network_interface_attribute",
        redacted(&answer(&shown), &known)
    );

    let tags = ecs(
        &app,
        "ListTagResources",
        &[("ResourceType", "eni"), ("ResourceId.1", &id)],
    )
    .await;
    assert_body_snapshot!("list_tag_resources", redacted(&answer(&tags), &known));

    let mut others = Vec::new();
    for (action, params) in [
        (
            "TagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", id.as_str()),
                ("Tag.1.Key", "k"),
            ],
        ),
        (
            "UntagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", id.as_str()),
                ("TagKey.1", "k"),
            ],
        ),
        (
            "DeleteNetworkInterface",
            vec![("NetworkInterfaceId", id.as_str())],
        ),
    ] {
        let response = ecs(&app, action, &params).await;
        others.push(json!({"action": action, "answer": redacted(&answer(&response), &known)}));
    }
    assert_body_snapshot!("other_actions", others);
}

#[tokio::test]
async fn describe_network_interfaces_as_xml() {
    let app = TestApp::new().await;
    let (vpc, vsw) = network(&app).await;
    let id = eni(
        &app,
        &vsw,
        &[("SecurityGroupId", "sg-bp1xml"), ("Tag.1.Key", "k")],
    )
    .await;
    let response = ecs(
        &app,
        "DescribeNetworkInterfaces",
        &[("NetworkInterfaceId.1", &id), ("Format", "XML")],
    )
    .await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.headers["content-type"], "text/xml;charset=utf-8");
    let text = response.text();
    let cut = |from: &str, to: &str| {
        let start = text.find(from).unwrap() + from.len();
        text[start..start + text[start..].find(to).unwrap()].to_owned()
    };
    let (request_id, time, mac) = (
        cut("<RequestId>", "</RequestId>"),
        cut("<CreationTime>", "</CreationTime>"),
        cut("<MacAddress>", "</MacAddress>"),
    );
    assert_alibaba_request_id(&request_id);
    let scrubbed = scrub(
        &text,
        &[
            (&id, "[eni_id]"),
            (&vsw, "[vswitch_id]"),
            (&vpc, "[vpc_id]"),
            (&request_id, "[request_id]"),
            (&time, "[time]"),
            (&mac, "[mac]"),
        ],
    );
    assert_text_snapshot!("describe_network_interfaces_xml", scrubbed);
}

#[tokio::test]
async fn ecs_error_bodies() {
    let app = TestApp::new().await;
    let (_, vsw) = network(&app).await;
    let mut errors = Vec::new();
    for (action, params) in [
        ("CreateNetworkInterface", vec![]),
        ("CreateNetworkInterface", vec![("VSwitchId", "vsw-unknown")]),
        (
            "CreateNetworkInterface",
            vec![
                ("VSwitchId", vsw.as_str()),
                ("PrimaryIpAddress", "10.0.2.1"),
            ],
        ),
        (
            "DescribeNetworkInterfaceAttribute",
            vec![("NetworkInterfaceId", "eni-unknown")],
        ),
        (
            "DeleteNetworkInterface",
            vec![("NetworkInterfaceId", "eni-unknown")],
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "eni"),
                ("ResourceId.1", "eni-unknown"),
                ("Tag.1.Key", "k"),
            ],
        ),
        ("ListTagResources", vec![("ResourceId.1", "eni-unknown")]),
    ] {
        let response = ecs(&app, action, &params).await;
        errors.push(json!({"action": action, "answer": redacted(&answer(&response), &[(vsw.as_str(), "[vswitch_id]")])}));
    }
    assert_body_snapshot!("errors", errors);
}
