//! TagResources, UnTagResources, ListTagResources and MoveResourceGroup on VPCs and vSwitches
//! (`ResourceType` `VPC` / `VSWITCH` in any case), beside the flow logs' own: a vSwitch shows
//! its VPC's group, and a VPC's system route table moves with it.

use serde_json::{json, Value};

use crate::support::*;

fn tag<'a>(kind: &'a str, id: &'a str, key: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("ResourceType", kind),
        ("ResourceId.1", id),
        ("Tag.1.Key", key),
        ("Tag.1.Value", value),
    ]
}

/// The resource groups a VPC, its system route table and a vSwitch in it show.
async fn groups(app: &TestApp, vpc: &str, vswitch: &str) -> (Value, Value, Value) {
    let table = app
        .alibaba("DescribeRouteTableList", &[("VpcId", vpc)])
        .await;
    (
        app.vpc_attribute(vpc).await.body["ResourceGroupId"].clone(),
        table.body["RouterTableList"]["RouterTableListType"][0]["ResourceGroupId"].clone(),
        app.vswitch_attributes(vswitch).await.body["ResourceGroupId"].clone(),
    )
}

fn tag_rows(body: &serde_json::Value) -> Vec<(String, String, String, String)> {
    body["TagResources"]["TagResource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let text = |key: &str| row[key].as_str().unwrap().to_owned();
            (
                text("ResourceId"),
                text("ResourceType"),
                text("TagKey"),
                text("TagValue"),
            )
        })
        .collect()
}

#[tokio::test]
async fn vpcs_and_vswitches_take_tags() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let other = app.create_alibaba_vpc("10.1.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;

    for (kind, id) in [
        ("VPC", vpc.as_str()),
        ("vpc", other.as_str()),
        ("VSwitch", vswitch.as_str()),
    ] {
        let response = app
            .alibaba("TagResources", &tag(kind, id, "env", "dev"))
            .await;
        assert_eq!(response.assert_alibaba_ok().as_object().unwrap().len(), 1);
    }
    // Tagging again is harmless (Terraform sends CreateVpc's tags once more), and overwrites.
    app.alibaba("TagResources", &tag("VPC", &vpc, "env", "prod"))
        .await
        .assert_alibaba_ok();
    assert_eq!(
        app.vpc_attribute(&vpc).await.body["Tags"]["Tag"],
        json!([{"Key": "env", "Value": "prod"}])
    );
    assert_eq!(
        app.vswitch_attributes(&vswitch).await.body["Tags"]["Tag"],
        json!([{"Key": "env", "Value": "dev"}])
    );

    let listed = app
        .alibaba(
            "ListTagResources",
            &[
                ("ResourceType", "VPC"),
                ("ResourceId.1", &vpc),
                ("ResourceId.2", &other),
            ],
        )
        .await;
    let row = |id: &str, kind: &str, value: &str| {
        (
            id.to_owned(),
            kind.to_owned(),
            "env".to_owned(),
            value.to_owned(),
        )
    };
    assert_eq!(
        tag_rows(listed.assert_alibaba_ok()),
        vec![row(&vpc, "VPC", "prod"), row(&other, "VPC", "dev")]
    );
    assert_eq!(listed.body["NextToken"], "");
    // Listing by tag keeps to the type asked for.
    let by_tag = app
        .alibaba(
            "ListTagResources",
            &[
                ("ResourceType", "VSWITCH"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "dev"),
            ],
        )
        .await;
    assert_eq!(
        tag_rows(by_tag.assert_alibaba_ok()),
        vec![row(&vswitch, "VSWITCH", "dev")]
    );
    let paged = app
        .alibaba(
            "ListTagResources",
            &[
                ("ResourceType", "vpc"),
                ("Tag.1.Key", "env"),
                ("MaxResults", "1"),
            ],
        )
        .await;
    assert_eq!(tag_rows(paged.assert_alibaba_ok()).len(), 1);
    let token = paged.body["NextToken"].as_str().unwrap().to_owned();
    let rest = app
        .alibaba(
            "ListTagResources",
            &[
                ("ResourceType", "vpc"),
                ("Tag.1.Key", "env"),
                ("MaxResults", "1"),
                ("NextToken", &token),
            ],
        )
        .await;
    assert_eq!(
        tag_rows(rest.assert_alibaba_ok()),
        vec![row(&other, "VPC", "dev")]
    );
    assert_eq!(rest.body["NextToken"], "");
    // DescribeVpcs and DescribeVSwitches filter on them.
    let described = app
        .alibaba(
            "DescribeVpcs",
            &[("Tag.1.Key", "env"), ("Tag.1.Value", "dev")],
        )
        .await;
    assert_eq!(
        listed_ids(&described.body, ["Vpcs", "Vpc"], "VpcId"),
        vec![other.clone()]
    );

    app.alibaba(
        "UnTagResources",
        &[
            ("ResourceType", "VSWITCH"),
            ("ResourceId.1", &vswitch),
            ("TagKey.1", "env"),
        ],
    )
    .await
    .assert_alibaba_ok();
    assert_eq!(
        app.vswitch_attributes(&vswitch).await.body["Tags"]["Tag"],
        json!([])
    );
    app.alibaba(
        "UnTagResources",
        &[
            ("ResourceType", "VPC"),
            ("ResourceId.1", &vpc),
            ("ResourceId.2", &other),
            ("All", "True"),
        ],
    )
    .await
    .assert_alibaba_ok();
    assert_eq!(
        app.vpc_attribute(&other).await.body["Tags"]["Tag"],
        json!([])
    );
}

#[tokio::test]
async fn network_tag_writes_are_all_or_nothing_and_limited() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    let unknown = [
        ("ResourceType", "VPC"),
        ("ResourceId.1", vpc.as_str()),
        ("ResourceId.2", "vpc-bp1nothere000000000000"),
        ("Tag.1.Key", "k"),
    ];
    let message = app
        .alibaba("TagResources", &unknown)
        .await
        .assert_alibaba_error(404, "ResourceNotFound.VPC")
        .to_owned();
    assert_eq!(
        message,
        "The specified resource of vpc-bp1nothere000000000000 is not found."
    );
    assert_eq!(app.vpc_attribute(&vpc).await.body["Tags"]["Tag"], json!([]));
    // A vSwitch is not a VPC, nor the other way round.
    app.alibaba(
        "TagResources",
        &[
            ("ResourceType", "VPC"),
            ("ResourceId.1", &vswitch),
            ("Tag.1.Key", "k"),
        ],
    )
    .await
    .assert_alibaba_error(404, "ResourceNotFound.VPC");
    app.alibaba(
        "UnTagResources",
        &[
            ("ResourceType", "VSWITCH"),
            ("ResourceId.1", &vpc),
            ("All", "true"),
        ],
    )
    .await
    .assert_alibaba_error(404, "ResourceNotFound.VSWITCH");

    app.tag_numbered("VSWITCH", &vswitch, 20)
        .await
        .assert_alibaba_ok();
    app.alibaba(
        "TagResources",
        &[
            ("ResourceType", "VSWITCH"),
            ("ResourceId.1", &vswitch),
            ("Tag.1.Key", "k21"),
        ],
    )
    .await
    .assert_alibaba_error(400, "QuotaExceeded.TagNum");
    let tags = app.vswitch_attributes(&vswitch).await.body["Tags"]["Tag"].clone();
    assert_eq!(tags.as_array().unwrap().len(), 20);

    for kind in ["ROUTETABLE", "EIP", "NetworkInterface"] {
        app.alibaba(
            "TagResources",
            &[
                ("ResourceType", kind),
                ("ResourceId.1", &vpc),
                ("Tag.1.Key", "k"),
            ],
        )
        .await
        .assert_alibaba_error(400, "OperationUnsupported.ResourceType");
    }
    let listed = app
        .alibaba(
            "ListTagResources",
            &[("ResourceType", "VPC"), ("ResourceId.1", "vpc-gone")],
        )
        .await;
    assert_eq!(
        listed.assert_alibaba_ok()["TagResources"]["TagResource"],
        json!([])
    );
}

#[tokio::test]
async fn move_resource_group_moves_a_vpc_with_its_route_table_and_vswitches() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    let default_group = flowplane::domain::tenancy::default_resource_group_id(ALIBABA_KEY);
    let default = json!(default_group);
    assert_eq!(
        groups(&app, &vpc, &vswitch).await,
        (default.clone(), default.clone(), default)
    );

    for kind in ["VPC", "Vpc"] {
        let group = format!("rg-acfm{}", kind.to_lowercase());
        let moved = app
            .alibaba(
                "MoveResourceGroup",
                &[
                    ("ResourceType", kind),
                    ("ResourceId", &vpc),
                    ("NewResourceGroupId", &group),
                ],
            )
            .await;
        assert_eq!(moved.assert_alibaba_ok().as_object().unwrap().len(), 1);
        let group = json!(group);
        assert_eq!(
            groups(&app, &vpc, &vswitch).await,
            (group.clone(), group.clone(), group.clone())
        );
        let listed = app
            .alibaba(
                "DescribeVpcs",
                &[("ResourceGroupId", group.as_str().unwrap())],
            )
            .await;
        assert_eq!(
            listed_ids(&listed.body, ["Vpcs", "Vpc"], "VpcId"),
            vec![vpc.clone()]
        );
    }

    for (params, status, code) in [
        (
            vec![
                ("ResourceType", "VSWITCH"),
                ("ResourceId", vswitch.as_str()),
                ("NewResourceGroupId", "rg-acfmx"),
            ],
            400,
            "OperationUnsupported.ResourceType",
        ),
        (
            vec![
                ("ResourceType", "VPC"),
                ("ResourceId", "vpc-gone"),
                ("NewResourceGroupId", "rg-acfmx"),
            ],
            404,
            "InvalidVpcId.NotFound",
        ),
        (
            vec![
                ("ResourceType", "VPC"),
                ("ResourceId", vpc.as_str()),
                ("NewResourceGroupId", "group-x"),
            ],
            400,
            "IllegalParam.ResourceGroupId",
        ),
        (
            vec![("ResourceType", "VPC"), ("NewResourceGroupId", "rg-acfmx")],
            400,
            "MissingResourceId",
        ),
    ] {
        app.alibaba("MoveResourceGroup", &params)
            .await
            .assert_alibaba_error(status, code);
    }
    assert_eq!(
        app.vpc_attribute(&vpc).await.body["ResourceGroupId"],
        "rg-acfmvpc"
    );

    // A VPC moves while it settles, not while it is deleted.
    let pending = app.create_vpc_answer(&[("CidrBlock", "10.9.0.0/16")]).await;
    let pending = pending["VpcId"].as_str().unwrap();
    let move_late = [
        ("ResourceType", "VPC"),
        ("ResourceId", pending),
        ("NewResourceGroupId", "rg-acfmlate"),
    ];
    app.alibaba("MoveResourceGroup", &move_late)
        .await
        .assert_alibaba_ok();
    app.tick_all().await;
    app.alibaba("DeleteVpc", &[("VpcId", pending)])
        .await
        .assert_alibaba_ok();
    app.alibaba("MoveResourceGroup", &move_late)
        .await
        .assert_alibaba_error(400, "IncorrectVpcStatus");
}
