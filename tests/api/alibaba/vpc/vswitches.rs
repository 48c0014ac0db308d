//! CreateVSwitch, DescribeVSwitches, DescribeVSwitchAttributes, ModifyVSwitchAttribute and
//! DeleteVSwitch: blocks inside the VPC and apart (also under concurrency), zones, free
//! addresses, filters and pages, the life cycle, and what an ENI in a vSwitch forbids.

use std::sync::Arc;

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn create_vswitch_needs_an_available_vpc_then_settles() {
    let app = TestApp::new().await;
    let created = app
        .create_vpc_answer(&[("CidrBlock", "192.168.0.0/16")])
        .await;
    let vpc = created["VpcId"].as_str().unwrap();
    let params = [
        ("VpcId", vpc),
        ("ZoneId", ALIBABA_ZONE),
        ("CidrBlock", "192.168.1.0/24"),
        ("VSwitchName", "web"),
        ("Description", "the web tier"),
        ("Tag.1.Key", "tier"),
        ("Tag.1.Value", "web"),
        ("ClientToken", "t-1"),
    ];
    app.alibaba("CreateVSwitch", &params)
        .await
        .assert_alibaba_error(400, "IncorrectVpcStatus");
    app.tick_all().await;
    let response = app.alibaba("CreateVSwitch", &params).await;
    let answer = response.assert_alibaba_ok();
    assert_eq!(answer.as_object().unwrap().len(), 2, "{answer}");
    let id = answer["VSwitchId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("vsw-") && id.len() == 25, "{id}");

    let body = app.vswitch_attributes(&id).await.body;
    assert_eq!(body["Status"], "Pending");
    assert_eq!(body["VpcId"], vpc);
    assert_eq!(body["CidrBlock"], "192.168.1.0/24");
    assert_eq!(body["ZoneId"], ALIBABA_ZONE);
    assert_eq!(body["VSwitchName"], "web");
    assert_eq!(body["Description"], "the web tier");
    assert_eq!(body["AvailableIpAddressCount"], 252);
    assert_eq!(
        body["Ipv6CidrBlock"], "",
        "Terraform reads IPv6 as on otherwise"
    );
    assert_eq!(body["IsDefault"], false);
    assert_eq!(body["ResourceGroupId"], created["ResourceGroupId"]);
    assert_eq!(
        body["RouteTable"],
        json!({"RouteTableId": created["RouteTableId"], "RouteTableType": "System"})
    );
    assert_eq!(
        body["Tags"]["Tag"],
        json!([{"Key": "tier", "Value": "web"}])
    );
    app.tick_all().await;
    assert_eq!(
        app.vswitch_attributes(&id).await.body["Status"],
        "Available"
    );

    let vpc_body = app.vpc_attribute(vpc).await.body;
    assert_eq!(vpc_body["VSwitchIds"]["VSwitchId"], json!([id]));
    assert_eq!(
        vpc_body["CloudResources"]["CloudResourceSetType"][0],
        json!({"ResourceType": "VSwitch", "ResourceCount": 1})
    );
}

#[tokio::test]
async fn create_vswitch_refuses_bad_input_and_writes_nothing() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    app.create_vswitch(&vpc, "10.0.1.0/24").await;
    let long_name = "s".repeat(129);
    let base = [
        ("VpcId", vpc.as_str()),
        ("ZoneId", ALIBABA_ZONE),
        ("CidrBlock", "10.0.2.0/24"),
    ];
    let cases: Vec<(&str, Option<&str>, u16, &str)> = vec![
        ("VpcId", None, 400, "MissingVpcId"),
        ("ZoneId", None, 400, "MissingZoneId"),
        ("CidrBlock", None, 400, "MissingCidrBlock"),
        (
            "VpcId",
            Some("vpc-bp1nothere000000000000"),
            404,
            "InvalidVpcId.NotFound",
        ),
        (
            "ZoneId",
            Some("cn-shanghai-b"),
            404,
            "InvalidZoneId.NotFound",
        ),
        (
            "ZoneId",
            Some("cn-hangzhou-bb"),
            404,
            "InvalidZoneId.NotFound",
        ),
        ("ZoneId", Some("cn-hangzhou"), 404, "InvalidZoneId.NotFound"),
        (
            "CidrBlock",
            Some("10.0.2.0"),
            400,
            "InvalidCidrBlock.Malformed",
        ),
        (
            "CidrBlock",
            Some("10.0.2.1/24"),
            400,
            "InvalidCidrBlock.Malformed",
        ),
        (
            "CidrBlock",
            Some("10.0.0.0/15"),
            400,
            "InvalidCirdrBlock.MaskLength",
        ),
        (
            "CidrBlock",
            Some("10.0.2.0/30"),
            400,
            "InvalidCirdrBlock.MaskLength",
        ),
        ("CidrBlock", Some("10.1.0.0/24"), 400, "InvalidParameter"),
        (
            "CidrBlock",
            Some("10.0.1.128/25"),
            400,
            "InvalidCidrBlock.Overlapped",
        ),
        (
            "CidrBlock",
            Some("10.0.0.0/16"),
            400,
            "InvalidCidrBlock.Overlapped",
        ),
        (
            "VSwitchName",
            Some("http://web"),
            400,
            "InvalidVSwitchName.Malformed",
        ),
        (
            "VSwitchName",
            Some(&long_name),
            400,
            "InvalidVSwitchName.Malformed",
        ),
        (
            "Description",
            Some(""),
            400,
            "InvalidVSwitchDiscription.Malformed",
        ),
        ("Ipv6CidrBlock", Some("256"), 400, "InvalidParameter"),
        ("DryRun", Some("true"), 400, "DryRunOperation"),
    ];
    for (param, value, status, code) in cases {
        let params = with_param(&base, param, value);
        let response = app.alibaba("CreateVSwitch", &params).await;
        let message = response.assert_alibaba_error(status, code);
        match code {
            "InvalidParameter" if param == "CidrBlock" => {
                assert_eq!(message, "Specified CIDR block is not valid in VPC.")
            }
            "InvalidCirdrBlock.MaskLength" => {
                assert_eq!(message, "Specified CIDR block is not valid .")
            }
            "InvalidZoneId.NotFound" => assert_eq!(message, "Specified zone does not exist."),
            _ => {}
        }
    }
    let listed = app.alibaba("DescribeVSwitches", &[("VpcId", &vpc)]).await;
    assert_eq!(listed.assert_alibaba_ok()["TotalCount"], 1);
}

#[tokio::test]
async fn a_vswitch_may_take_the_whole_vpc_block_and_then_it_is_alone() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.8.0.0/24").await;
    app.create_vswitch(&vpc, "10.8.0.0/24").await;
    app.alibaba(
        "CreateVSwitch",
        &[
            ("VpcId", &vpc),
            ("ZoneId", "cn-hangzhou-c"),
            ("CidrBlock", "10.8.0.0/25"),
        ],
    )
    .await
    .assert_alibaba_error(400, "InvalidCidrBlock.Overlapped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_overlapping_vswitches_at_once_one_wins() {
    let db = TestDb::new().await;
    let app = Arc::new(TestApp::on(&db, &[]).await);
    let vpc = app.create_alibaba_vpc("172.20.0.0/16").await;
    for round in 0..4 {
        let blocks = [
            format!("172.20.{round}.0/24"),
            format!("172.20.{round}.128/25"),
        ];
        let attempts: Vec<_> = blocks
            .into_iter()
            .map(|block| {
                let app = Arc::clone(&app);
                let vpc = vpc.clone();
                tokio::spawn(async move {
                    app.alibaba(
                        "CreateVSwitch",
                        &[
                            ("VpcId", &vpc),
                            ("ZoneId", ALIBABA_ZONE),
                            ("CidrBlock", &block),
                        ],
                    )
                    .await
                })
            })
            .collect();
        assert_eq!(
            successes_else(attempts, "InvalidCidrBlock.Overlapped").await,
            1,
            "round {round}"
        );
    }
    let listed = app
        .alibaba("DescribeVSwitches", &[("VpcId", &vpc), ("PageSize", "50")])
        .await;
    assert_eq!(listed.assert_alibaba_ok()["TotalCount"], 4);
}

#[tokio::test]
async fn describe_vswitches_filters_and_pages() {
    let app = TestApp::new().await;
    let first = app.create_alibaba_vpc("10.0.0.0/16").await;
    let second = app.create_alibaba_vpc("10.1.0.0/16").await;
    let a = app.create_vswitch(&first, "10.0.1.0/24").await;
    let response = app
        .alibaba(
            "CreateVSwitch",
            &[
                ("VpcId", &first),
                ("ZoneId", "cn-hangzhou-c"),
                ("CidrBlock", "10.0.2.0/24"),
                ("VSwitchName", "named"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "prod"),
            ],
        )
        .await;
    let b = response.assert_alibaba_ok()["VSwitchId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.tick_all().await;
    let c = app.create_vswitch(&second, "10.1.1.0/24").await;
    app.alibaba(
        "MoveResourceGroup",
        &[
            ("ResourceType", "VPC"),
            ("ResourceId", &second),
            ("NewResourceGroupId", "rg-acfmmoved"),
        ],
    )
    .await
    .assert_alibaba_ok();
    let second_table = app
        .alibaba("DescribeRouteTableList", &[("VpcId", &second)])
        .await
        .body["RouterTableList"]["RouterTableListType"][0]["RouteTableId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    let cases: Vec<ListCase> = vec![
        (vec![], vec![a, b, c]),
        (vec![("VpcId", &first)], vec![a, b]),
        (vec![("VpcId", "vpc-unknown")], vec![]),
        (vec![("VSwitchId", b)], vec![b]),
        (vec![("VSwitchId", "vsw-unknown")], vec![]),
        (vec![("VSwitchName", "named")], vec![b]),
        (vec![("ZoneId", ALIBABA_ZONE)], vec![a, c]),
        (
            vec![("ZoneId", "cn-hangzhou-c"), ("VpcId", &first)],
            vec![b],
        ),
        (vec![("ResourceGroupId", "rg-acfmmoved")], vec![c]),
        (
            vec![("ResourceGroupId", "rg-acfmmoved"), ("VpcId", &first)],
            vec![],
        ),
        (vec![("ResourceGroupId", "rg-acfmnone")], vec![]),
        (vec![("RouteTableId", &second_table)], vec![c]),
        (vec![("RouteTableId", "vtb-unknown")], vec![]),
        (vec![("Tag.1.Key", "env"), ("Tag.1.Value", "prod")], vec![b]),
        (vec![("Tag.1.Key", "env"), ("Tag.1.Value", "dev")], vec![]),
        (vec![("IsDefault", "TRUE")], vec![]),
        (vec![("IsDefault", "false")], vec![a, b, c]),
        (vec![("EnableIpv6", "true")], vec![]),
        (vec![("VSwitchOwnerId", "42")], vec![]),
    ];
    assert_listed(
        &app,
        "DescribeVSwitches",
        ["VSwitches", "VSwitch"],
        "VSwitchId",
        cases,
    )
    .await;
    let defaults = app.alibaba("DescribeVSwitches", &[]).await;
    let body = defaults.assert_alibaba_ok();
    assert_eq!(
        (body["PageNumber"].clone(), body["PageSize"].clone()),
        (json!(1), json!(10))
    );
    assert_eq!(
        body["VSwitches"]["VSwitch"][2]["ResourceGroupId"],
        "rg-acfmmoved"
    );
    let page = app
        .alibaba(
            "DescribeVSwitches",
            &[("PageSize", "2"), ("PageNumber", "2")],
        )
        .await;
    let body = page.assert_alibaba_ok();
    assert_eq!(
        listed_ids(body, ["VSwitches", "VSwitch"], "VSwitchId"),
        vec![c]
    );
    assert_eq!(body["TotalCount"], 3);
    for (param, value) in [("PageSize", "0"), ("PageSize", "51"), ("EnableIpv6", "x")] {
        app.alibaba("DescribeVSwitches", &[(param, value)])
            .await
            .assert_alibaba_error(400, "InvalidParameter");
    }
}

#[tokio::test]
async fn free_addresses_count_the_enis_in_a_vswitch() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    let tiny = app.create_vswitch(&vpc, "10.0.2.0/29").await;
    let count = |body: &serde_json::Value| body["AvailableIpAddressCount"].clone();
    assert_eq!(count(&app.vswitch_attributes(&vswitch).await.body), 252);
    assert_eq!(count(&app.vswitch_attributes(&tiny).await.body), 4);
    app.create_eni(&vswitch).await;
    // The documented sample: a /24 with one ENI has 251.
    assert_eq!(count(&app.vswitch_attributes(&vswitch).await.body), 251);
    let listed = app
        .alibaba("DescribeVSwitches", &[("VSwitchId", &vswitch)])
        .await;
    assert_eq!(count(&listed.body["VSwitches"]["VSwitch"][0]), 251);
}

#[tokio::test]
async fn a_vswitch_with_an_eni_cannot_be_deleted() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    let eni = app.create_eni(&vswitch).await;
    let message = app
        .alibaba("DeleteVSwitch", &[("VSwitchId", &vswitch)])
        .await
        .assert_alibaba_error(400, "DependencyViolation")
        .to_owned();
    assert_eq!(message, "Specified object has dependent resources.");
    assert_eq!(
        app.vswitch_attributes(&vswitch).await.body["Status"],
        "Available"
    );
    app.settled_network()
        .delete(
            &alibaba_test_scope(),
            flowplane::domain::ResourceKind::NetworkInterface,
            &eni,
        )
        .await
        .unwrap();
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &vswitch)])
        .await
        .assert_alibaba_ok();
}

#[tokio::test]
async fn delete_vswitch_shows_pending_then_it_is_gone() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let response = app
        .alibaba(
            "CreateVSwitch",
            &[
                ("VpcId", &vpc),
                ("ZoneId", ALIBABA_ZONE),
                ("CidrBlock", "10.0.1.0/24"),
            ],
        )
        .await;
    let id = response.assert_alibaba_ok()["VSwitchId"]
        .as_str()
        .unwrap()
        .to_owned();
    for action in ["DeleteVSwitch", "ModifyVSwitchAttribute"] {
        app.alibaba(action, &[("VSwitchId", &id), ("VSwitchName", "x")])
            .await
            .assert_alibaba_error(400, "IncorrectVSwitchStatus");
    }
    app.tick_all().await;
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &id), ("DryRun", "True")])
        .await
        .assert_alibaba_error(400, "DryRunOperation");
    let deleted = app.alibaba("DeleteVSwitch", &[("VSwitchId", &id)]).await;
    assert_eq!(deleted.assert_alibaba_ok().as_object().unwrap().len(), 1);
    // The cloud shows a vSwitch being deleted as Pending.
    assert_eq!(app.vswitch_attributes(&id).await.body["Status"], "Pending");
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &id)])
        .await
        .assert_alibaba_error(400, "IncorrectVSwitchStatus");
    app.tick_all().await;
    for action in [
        "DescribeVSwitchAttributes",
        "DeleteVSwitch",
        "ModifyVSwitchAttribute",
    ] {
        let message = app
            .alibaba(action, &[("VSwitchId", &id)])
            .await
            .assert_alibaba_error(404, "InvalidVSwitchId.NotFound")
            .to_owned();
        assert_eq!(message, "VSwitch not exist.");
        app.alibaba(action, &[])
            .await
            .assert_alibaba_error(400, "MissingVSwitchId");
    }
    let listed = app
        .alibaba("DescribeVSwitches", &[("VSwitchId", &id)])
        .await;
    assert_eq!(listed.assert_alibaba_ok()["TotalCount"], 0);
}

#[tokio::test]
async fn modify_vswitch_attribute_changes_name_and_description() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let id = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    app.alibaba(
        "ModifyVSwitchAttribute",
        &[
            ("VSwitchId", &id),
            ("VSwitchName", "renamed"),
            ("Description", "described"),
            ("EnableIPv6", "False"),
        ],
    )
    .await
    .assert_alibaba_ok();
    let body = app.vswitch_attributes(&id).await.body;
    assert_eq!(
        (
            body["VSwitchName"].clone(),
            body["Description"].clone(),
            body["Status"].clone()
        ),
        (json!("renamed"), json!("described"), json!("Available"))
    );
    for (param, value, code) in [
        ("VSwitchName", "https://x", "InvalidVSwitchName.Malformed"),
        ("Description", "", "InvalidVSwitchDiscription.Malformed"),
        ("EnableIPv6", "perhaps", "InvalidParameter"),
        ("Ipv6CidrBlock", "300", "InvalidParameter"),
    ] {
        app.alibaba(
            "ModifyVSwitchAttribute",
            &[("VSwitchId", &id), (param, value)],
        )
        .await
        .assert_alibaba_error(400, code);
    }
    assert_eq!(
        app.vswitch_attributes(&id).await.body["VSwitchName"],
        "renamed"
    );
}
