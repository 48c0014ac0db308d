//! CreateVpc, DescribeVpcs, DescribeVpcAttribute, ModifyVpcAttribute and DeleteVpc: the VPC's
//! life cycle (`Pending → Available`, `Deleting → gone`), its filters and pages, its codes, and
//! what a vSwitch in it forbids.

use serde_json::json;

use crate::support::*;

fn default_group() -> String {
    flowplane::domain::tenancy::default_resource_group_id(ALIBABA_KEY)
}

fn has_id_shape(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 21
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

#[tokio::test]
async fn create_vpc_answers_its_router_table_and_group_and_settles() {
    let app = TestApp::new().await;
    let created = app.create_vpc_answer(&[]).await;
    let id = created["VpcId"].as_str().unwrap();
    assert!(has_id_shape(id, "vpc-"), "{created}");
    assert!(has_id_shape(created["VRouterId"].as_str().unwrap(), "vrt-"));
    assert!(has_id_shape(
        created["RouteTableId"].as_str().unwrap(),
        "vtb-"
    ));
    assert_eq!(created["ResourceGroupId"], default_group().as_str());

    let pending = app.vpc_attribute(id).await;
    let body = pending.assert_alibaba_ok();
    assert_eq!(body["Status"], "Pending");
    assert_eq!(body["CidrBlock"], "172.16.0.0/12", "the default block");
    assert_eq!(body["VRouterId"], created["VRouterId"]);
    assert_eq!(body["VpcName"], "");
    assert_eq!(body["Description"], "");
    assert_eq!(body["Ipv6CidrBlock"], "");
    assert_eq!(body["IsDefault"], false);
    assert_eq!(body["RegionId"], REGION);
    assert_eq!(body["VSwitchIds"], json!({"VSwitchId": []}));
    assert_eq!(body["Tags"], json!({"Tag": []}));
    assert!(
        body.get("OwnerId").is_none(),
        "no numeric account with --auth off"
    );
    app.tick_all().await;
    assert_eq!(app.vpc_attribute(id).await.body["Status"], "Available");
}

#[tokio::test]
async fn create_vpc_keeps_every_parameter() {
    let app = TestApp::new().await;
    let created = app
        .create_vpc_answer(&[
            ("CidrBlock", "10.4.0.0/16"),
            ("VpcName", "net one"),
            ("Description", "the first"),
            ("ResourceGroupId", "rg-acfmteamgroup01"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "dev"),
            ("UserCidr", "10.10.0.0/16,10.20.0.0/16"),
            ("EnableDnsHostname", "True"),
            ("EnableIpv6", "False"),
            ("ClientToken", "token-1"),
            ("DryRun", "false"),
        ])
        .await;
    assert_eq!(created["ResourceGroupId"], "rg-acfmteamgroup01");
    let body = app
        .vpc_attribute(created["VpcId"].as_str().unwrap())
        .await
        .body;
    assert_eq!(body["CidrBlock"], "10.4.0.0/16");
    assert_eq!(body["VpcName"], "net one");
    assert_eq!(body["Description"], "the first");
    assert_eq!(body["ResourceGroupId"], "rg-acfmteamgroup01");
    assert_eq!(body["Tags"]["Tag"], json!([{"Key": "env", "Value": "dev"}]));
    assert_eq!(
        body["UserCidrs"]["UserCidr"],
        json!(["10.10.0.0/16", "10.20.0.0/16"])
    );
    assert_eq!(body["DnsHostnameStatus"], "ENABLED");
}

#[tokio::test]
async fn create_vpc_refuses_bad_input_and_writes_nothing() {
    let app = TestApp::new().await;
    let long_name = "n".repeat(129);
    let long_description = "d".repeat(257);
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("CidrBlock", "10.0.0.0/7", 400, "InvalidParameter"),
        ("CidrBlock", "10.0.0.0/29", 400, "InvalidParameter"),
        ("CidrBlock", "100.64.0.0/16", 400, "InvalidParameter"),
        ("CidrBlock", "224.1.0.0/16", 400, "InvalidParameter"),
        ("CidrBlock", "169.254.0.0/16", 400, "InvalidParameter"),
        ("CidrBlock", "10.0.0.1/8", 400, "InvalidCidrBlock.Malformed"),
        ("CidrBlock", "10.0.0.0", 400, "InvalidCidrBlock.Malformed"),
        (
            "CidrBlock",
            "'; DROP TABLE x",
            400,
            "InvalidCidrBlock.Malformed",
        ),
        ("VpcName", "", 400, "InvalidVpcName.Malformed"),
        ("VpcName", "http://net", 400, "InvalidVpcName.Malformed"),
        ("VpcName", &long_name, 400, "InvalidVpcName.Malformed"),
        ("VpcName", "a\u{7}b", 400, "InvalidVpcName.Malformed"),
        (
            "Description",
            "https://d",
            400,
            "InvalidVpcDiscription.Malformed",
        ),
        (
            "Description",
            &long_description,
            400,
            "InvalidVpcDiscription.Malformed",
        ),
        (
            "ResourceGroupId",
            "group",
            400,
            "IllegalParam.ResourceGroupId",
        ),
        (
            "UserCidr",
            "10.1.0.0/16,10.2.0.0/16,10.3.0.0/16,10.4.0.0/16",
            400,
            "InvalidUserCidr.Quota",
        ),
        ("UserCidr", "10.1.0.0/33", 400, "InvalidUserCidr.Malformed"),
        ("EnableIpv6", "maybe", 400, "InvalidParameter"),
        ("Ipv4CidrMask", "-1", 400, "InvalidParameter"),
        ("DryRun", "True", 400, "DryRunOperation"),
    ];
    for (param, value, status, code) in cases {
        app.alibaba("CreateVpc", &[(param, value)])
            .await
            .assert_alibaba_error(status, code);
    }
    app.alibaba("CreateVpc", &[("Tag.1.Key", "aliyun:x")])
        .await
        .assert_alibaba_error(400, "InvalidTagKey.Malformed");
    let listed = app.alibaba("DescribeVpcs", &[]).await;
    assert_eq!(listed.assert_alibaba_ok()["TotalCount"], 0);
    assert_eq!(listed.body["Vpcs"], json!({"Vpc": []}));
}

#[tokio::test]
async fn describe_vpcs_filters_and_pages() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for (name, group, env) in [
        ("alpha", "rg-acfmgroupa", "dev"),
        ("beta", "rg-acfmgroupb", "prod"),
        ("gamma", "rg-acfmgroupa", "prod"),
    ] {
        let created = app
            .create_vpc_answer(&[
                ("VpcName", name),
                ("ResourceGroupId", group),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", env),
            ])
            .await;
        ids.push(created["VpcId"].as_str().unwrap().to_owned());
    }
    app.tick_all().await;
    let vswitch = app.create_vswitch(&ids[0], "172.16.1.0/24").await;
    let (a, b, c) = (ids[0].as_str(), ids[1].as_str(), ids[2].as_str());
    let a_and_c = format!("{a},{c}");
    let a_spaced = format!(" {a} , ");
    let cases: Vec<ListCase> = vec![
        (vec![], vec![a, b, c]),
        (vec![("VpcId", a)], vec![a]),
        (vec![("VpcId", &a_and_c)], vec![a, c]),
        (vec![("VpcId", &a_spaced)], vec![a]),
        (vec![("VpcId", "vpc-unknown")], vec![]),
        (vec![("VpcName", "beta")], vec![b]),
        (vec![("VpcName", "bet")], vec![]),
        (vec![("ResourceGroupId", "rg-acfmgroupa")], vec![a, c]),
        (
            vec![("Tag.1.Key", "env"), ("Tag.1.Value", "prod")],
            vec![b, c],
        ),
        (vec![("Tag.1.Key", "env")], vec![a, b, c]),
        (vec![("Tag.1.Key", "team")], vec![]),
        (
            vec![
                ("ResourceGroupId", "rg-acfmgroupa"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "prod"),
            ],
            vec![c],
        ),
        (vec![("IsDefault", "true")], vec![]),
        (vec![("IsDefault", "False")], vec![a, b, c]),
        (vec![("EnableIpv6", "true")], vec![]),
        (vec![("VpcOwnerId", "1234567890")], vec![]),
    ];
    assert_listed(&app, "DescribeVpcs", ["Vpcs", "Vpc"], "VpcId", cases).await;

    let all = app.alibaba("DescribeVpcs", &[]).await;
    let body = all.assert_alibaba_ok();
    assert_eq!(
        (body["PageNumber"].clone(), body["PageSize"].clone()),
        (json!(1), json!(10))
    );
    let first = &body["Vpcs"]["Vpc"][0];
    assert_eq!(first["VSwitchIds"], json!({"VSwitchId": [vswitch]}));
    assert_eq!(first["Status"], "Available");
    assert_eq!(first["VpcName"], "alpha");

    let page = app
        .alibaba("DescribeVpcs", &[("PageSize", "2"), ("PageNumber", "2")])
        .await;
    let body = page.assert_alibaba_ok();
    assert_eq!(listed_ids(body, ["Vpcs", "Vpc"], "VpcId"), vec![c]);
    assert_eq!(
        (
            body["TotalCount"].clone(),
            body["PageNumber"].clone(),
            body["PageSize"].clone()
        ),
        (json!(3), json!(2), json!(2))
    );

    let twenty_one = (0..21)
        .map(|i| format!("vpc-{i}"))
        .collect::<Vec<_>>()
        .join(",");
    for (param, value) in [
        ("VpcId", twenty_one.as_str()),
        ("PageSize", "51"),
        ("PageNumber", "0"),
        ("IsDefault", "yes"),
    ] {
        app.alibaba("DescribeVpcs", &[(param, value)])
            .await
            .assert_alibaba_error(400, "InvalidParameter");
    }
    app.alibaba("DescribeVpcs", &[("DryRun", "true")])
        .await
        .assert_alibaba_error(400, "DryRunOperation");
}

#[tokio::test]
async fn a_missing_vpc_is_404_on_every_action_that_names_it() {
    let app = TestApp::new().await;
    for action in ["DescribeVpcAttribute", "ModifyVpcAttribute", "DeleteVpc"] {
        let message = app
            .alibaba(action, &[("VpcId", "vpc-bp1doesnotexist00000")])
            .await
            .assert_alibaba_error(404, "InvalidVpcId.NotFound")
            .to_owned();
        assert_eq!(message, "Specified VPC does not exist.");
        app.alibaba(action, &[])
            .await
            .assert_alibaba_error(400, "MissingVpcId");
    }
    let hostile = "vpc-'\"<&>%00".repeat(40);
    app.vpc_attribute(&hostile)
        .await
        .assert_alibaba_error(404, "InvalidVpcId.NotFound");
}

#[tokio::test]
async fn modify_vpc_attribute_changes_name_description_and_dns() {
    let app = TestApp::new().await;
    let created = app.create_vpc_answer(&[("CidrBlock", "10.0.0.0/16")]).await;
    let id = created["VpcId"].as_str().unwrap();
    // A Pending VPC cannot be changed yet.
    app.alibaba("ModifyVpcAttribute", &[("VpcId", id), ("VpcName", "early")])
        .await
        .assert_alibaba_error(400, "IncorrectVpcStatus");
    app.tick_all().await;
    let modified = app
        .alibaba(
            "ModifyVpcAttribute",
            &[
                ("VpcId", id),
                ("VpcName", "renamed"),
                ("Description", "now described"),
                ("EnableDnsHostname", "true"),
                ("CidrBlock", "10.0.0.0/16"),
                ("EnableIPv6", "false"),
            ],
        )
        .await;
    assert_eq!(modified.assert_alibaba_ok().as_object().unwrap().len(), 1);
    let body = app.vpc_attribute(id).await.body;
    assert_eq!(
        (
            body["VpcName"].clone(),
            body["Description"].clone(),
            body["DnsHostnameStatus"].clone()
        ),
        (json!("renamed"), json!("now described"), json!("ENABLED"))
    );
    assert_eq!(body["Status"], "Available");
    // Only what is given changes.
    app.alibaba(
        "ModifyVpcAttribute",
        &[("VpcId", id), ("Description", "second")],
    )
    .await
    .assert_alibaba_ok();
    let body = app.vpc_attribute(id).await.body;
    assert_eq!(
        (body["VpcName"].clone(), body["Description"].clone()),
        (json!("renamed"), json!("second"))
    );

    for (param, value, code) in [
        ("VpcName", "https://x", "InvalidVpcName.Malformed"),
        ("Description", "", "InvalidVpcDiscription.Malformed"),
        ("CidrBlock", "10.0.0.0/33", "InvalidCidrBlock.Malformed"),
        ("CidrBlock", "10.0.0.0/30", "InvalidParameter"),
        ("CidrBlock", "10.0.0.0/8", "OperationUnsupported.CidrBlock"),
        ("EnableDnsHostname", "perhaps", "InvalidParameter"),
    ] {
        app.alibaba("ModifyVpcAttribute", &[("VpcId", id), (param, value)])
            .await
            .assert_alibaba_error(400, code);
    }
    let body = app.vpc_attribute(id).await.body;
    assert_eq!(
        (body["Description"].clone(), body["CidrBlock"].clone()),
        (json!("second"), json!("10.0.0.0/16"))
    );
}

#[tokio::test]
async fn delete_vpc_passes_through_deleting_then_it_is_gone() {
    let app = TestApp::new().await;
    let created = app.create_vpc_answer(&[]).await;
    let id = created["VpcId"].as_str().unwrap();
    app.alibaba("DeleteVpc", &[("VpcId", id)])
        .await
        .assert_alibaba_error(400, "IncorrectVpcStatus");
    app.tick_all().await;
    app.alibaba("DeleteVpc", &[("VpcId", id), ("DryRun", "true")])
        .await
        .assert_alibaba_error(400, "DryRunOperation");
    let deleted = app
        .alibaba("DeleteVpc", &[("VpcId", id), ("ForceDelete", "False")])
        .await;
    assert_eq!(deleted.assert_alibaba_ok().as_object().unwrap().len(), 1);
    assert_eq!(app.vpc_attribute(id).await.body["Status"], "Deleting");
    for action in ["DeleteVpc", "ModifyVpcAttribute"] {
        app.alibaba(action, &[("VpcId", id)])
            .await
            .assert_alibaba_error(400, "IncorrectVpcStatus");
    }
    app.tick_all().await;
    app.vpc_attribute(id)
        .await
        .assert_alibaba_error(404, "InvalidVpcId.NotFound");
    app.alibaba("DeleteVpc", &[("VpcId", id)])
        .await
        .assert_alibaba_error(404, "InvalidVpcId.NotFound");
    let listed = app.alibaba("DescribeVpcs", &[("VpcId", id)]).await;
    assert_eq!(listed.assert_alibaba_ok()["TotalCount"], 0);
}

#[tokio::test]
async fn a_vpc_with_a_vswitch_cannot_be_deleted() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("192.168.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "192.168.1.0/24").await;
    let message = app
        .alibaba("DeleteVpc", &[("VpcId", &vpc)])
        .await
        .assert_alibaba_error(400, "DependencyViolation.VSwitch")
        .to_owned();
    assert_eq!(message, "Specified object has dependent resources");
    // A vSwitch still being deleted blocks it too.
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &vswitch)])
        .await
        .assert_alibaba_ok();
    app.alibaba("DeleteVpc", &[("VpcId", &vpc)])
        .await
        .assert_alibaba_error(400, "DependencyViolation.VSwitch");
    assert_eq!(app.vpc_attribute(&vpc).await.body["Status"], "Available");
    app.tick_all().await;
    app.alibaba("DeleteVpc", &[("VpcId", &vpc)])
        .await
        .assert_alibaba_ok();
    app.tick_all().await;
    app.vpc_attribute(&vpc)
        .await
        .assert_alibaba_error(404, "InvalidVpcId.NotFound");
}

#[tokio::test]
async fn vpcs_are_out_of_reach_of_other_accounts_and_regions() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    for (key, region) in [(OTHER_ALIBABA_KEY, REGION), (ALIBABA_KEY, "cn-shanghai")] {
        let listed = app.alibaba_as(key, region, "DescribeVpcs", &[]).await;
        assert_eq!(listed.assert_alibaba_ok()["TotalCount"], 0);
        for action in ["DescribeVpcAttribute", "ModifyVpcAttribute", "DeleteVpc"] {
            app.alibaba_as(key, region, action, &[("VpcId", &vpc)])
                .await
                .assert_alibaba_error(404, "InvalidVpcId.NotFound");
        }
        let zone = format!("{region}-b");
        app.alibaba_as(
            key,
            region,
            "CreateVSwitch",
            &[
                ("VpcId", &vpc),
                ("ZoneId", &zone),
                ("CidrBlock", "10.0.1.0/24"),
            ],
        )
        .await
        .assert_alibaba_error(404, "InvalidVpcId.NotFound");
        let routes = app
            .alibaba_as(key, region, "DescribeRouteTableList", &[("VpcId", &vpc)])
            .await;
        assert_eq!(routes.assert_alibaba_ok()["TotalCount"], 0);
    }
    assert_eq!(app.vpc_attribute(&vpc).await.body["Status"], "Available");
}
