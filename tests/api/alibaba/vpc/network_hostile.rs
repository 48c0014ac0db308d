//! The VPC, vSwitch and route-table actions under hostile input and a lost database: every
//! parameter of every action with huge, malformed and injection-shaped values gets the cloud's
//! own 4xx or a success, never a 5xx; a database failure is Alibaba's 503.

use axum::http::Method;

use crate::support::*;

/// An action with its parameters in a form body, as Terraform sends them (a query string would
/// not hold the huge values).
async fn in_form(app: &TestApp, action: &str, params: &[(&str, &str)]) -> TestResponse {
    let query =
        format!("Action={action}&Version=2016-04-28&AccessKeyId={ALIBABA_KEY}&RegionId={REGION}");
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        body.append_pair(name, value);
    }
    app.alibaba_raw(Method::POST, &query, &[FORM], body.finish().into_bytes())
        .await
}

/// Every parameter each action reads.
const ACTIONS: [(&str, &[&str]); 12] = [
    (
        "CreateVpc",
        &[
            "CidrBlock",
            "VpcName",
            "Description",
            "ResourceGroupId",
            "UserCidr",
            "EnableIpv6",
            "EnableDnsHostname",
            "Ipv4CidrMask",
            "Tag.1.Key",
            "DryRun",
        ],
    ),
    (
        "DescribeVpcs",
        &[
            "VpcId",
            "VpcName",
            "ResourceGroupId",
            "IsDefault",
            "EnableIpv6",
            "VpcOwnerId",
            "Tag.1.Key",
            "PageNumber",
            "PageSize",
        ],
    ),
    ("DescribeVpcAttribute", &["VpcId", "IsDefault", "DryRun"]),
    (
        "ModifyVpcAttribute",
        &[
            "VpcId",
            "VpcName",
            "Description",
            "CidrBlock",
            "EnableIPv6",
            "EnableDnsHostname",
        ],
    ),
    ("DeleteVpc", &["VpcId", "ForceDelete", "DryRun"]),
    (
        "CreateVSwitch",
        &[
            "VpcId",
            "ZoneId",
            "CidrBlock",
            "VSwitchName",
            "Description",
            "Ipv6CidrBlock",
            "CidrMask",
            "Tag.1.Key",
        ],
    ),
    (
        "DescribeVSwitches",
        &[
            "VpcId",
            "VSwitchId",
            "VSwitchName",
            "ZoneId",
            "ResourceGroupId",
            "RouteTableId",
            "IsDefault",
            "EnableIpv6",
            "VSwitchOwnerId",
            "PageNumber",
            "PageSize",
        ],
    ),
    ("DescribeVSwitchAttributes", &["VSwitchId", "DryRun"]),
    (
        "ModifyVSwitchAttribute",
        &[
            "VSwitchId",
            "VSwitchName",
            "Description",
            "EnableIPv6",
            "Ipv6CidrBlock",
        ],
    ),
    ("DeleteVSwitch", &["VSwitchId", "DryRun"]),
    (
        "DescribeRouteTableList",
        &[
            "VpcId",
            "RouterId",
            "RouterType",
            "RouteTableId",
            "RouteTableName",
            "RouteTableType",
            "ResourceGroupId",
            "Tag.1.Key",
            "PageNumber",
            "PageSize",
        ],
    ),
    (
        "MoveResourceGroup",
        &["ResourceType", "ResourceId", "NewResourceGroupId"],
    ),
];

#[tokio::test]
async fn hostile_values_in_every_parameter_never_get_a_5xx() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    let huge = "x".repeat(100_000);
    let hostile = [
        huge.as_str(),
        "'; DROP TABLE network_resources; --",
        "\u{1}\u{7f}",
        "ünïcødé/🙂",
        "-1",
        "99999999999999999999999",
        "10.0.0.0/-8",
        "%",
        " ",
    ];
    for (action, params) in ACTIONS {
        for param in params {
            for value in hostile {
                // The valid ids stay, so that each hostile value reaches the later checks too.
                let mut call = vec![
                    ("VpcId", vpc.as_str()),
                    ("VSwitchId", vswitch.as_str()),
                    ("ResourceType", "VPC"),
                    ("ResourceId", vpc.as_str()),
                    ("NewResourceGroupId", "rg-acfmx"),
                    ("ZoneId", ALIBABA_ZONE),
                    ("CidrBlock", "10.0.9.0/24"),
                ];
                call.retain(|(name, _)| name != param);
                call.push((param, value));
                let response = in_form(&app, action, &call).await;
                assert!(
                    !response.status.is_server_error(),
                    "{action} {param}={:.40}: {} {}",
                    value,
                    response.status,
                    response.body
                );
            }
        }
    }
    // Only the vSwitches the valid calls made exist; the VPC and its first vSwitch are intact.
    assert_eq!(
        app.vpc_attribute(&vpc).await.body["CidrBlock"],
        "10.0.0.0/16"
    );
    let listed = app.alibaba("DescribeVpcs", &[("PageSize", "50")]).await;
    assert!(listed.assert_alibaba_ok()["TotalCount"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn a_database_failure_is_service_unavailable() {
    let app = TestApp::new().await;
    app.store().close().await;
    for (action, params) in [
        ("CreateVpc", vec![]),
        ("DescribeVpcs", vec![]),
        ("DescribeVpcAttribute", vec![("VpcId", "vpc-1")]),
        ("DeleteVpc", vec![("VpcId", "vpc-1")]),
        (
            "CreateVSwitch",
            vec![
                ("VpcId", "vpc-1"),
                ("ZoneId", ALIBABA_ZONE),
                ("CidrBlock", "10.0.0.0/24"),
            ],
        ),
        ("DescribeVSwitches", vec![]),
        ("DescribeRouteTableList", vec![]),
        (
            "TagResources",
            vec![
                ("ResourceType", "VPC"),
                ("ResourceId.1", "vpc-1"),
                ("Tag.1.Key", "k"),
            ],
        ),
    ] {
        app.alibaba(action, &params)
            .await
            .assert_alibaba_error(503, "ServiceUnavailable");
    }
}
