//! DescribeRouteTableList: every VPC's system route table, as Terraform reads it after a create
//! (it fails without one whose `VpcId` and `RouteTableType` match), its filters and pages.

use serde_json::json;

use crate::support::*;

fn tables(body: &serde_json::Value) -> Vec<String> {
    listed_ids(
        body,
        ["RouterTableList", "RouterTableListType"],
        "RouteTableId",
    )
}

#[tokio::test]
async fn every_vpc_has_a_system_route_table() {
    let app = TestApp::new().await;
    let created = app
        .create_vpc_answer(&[
            ("CidrBlock", "10.0.0.0/16"),
            ("ResourceGroupId", "rg-acfmown"),
        ])
        .await;
    let vpc = created["VpcId"].as_str().unwrap();
    app.tick_all().await;
    let vswitch = app.create_vswitch(vpc, "10.0.1.0/24").await;

    let response = app
        .alibaba("DescribeRouteTableList", &[("VpcId", vpc)])
        .await;
    let body = response.assert_alibaba_ok();
    assert_eq!(
        (
            body["TotalCount"].clone(),
            body["PageNumber"].clone(),
            body["PageSize"].clone()
        ),
        (json!(1), json!(1), json!(10))
    );
    let table = &body["RouterTableList"]["RouterTableListType"][0];
    assert_eq!(table["RouteTableId"], created["RouteTableId"]);
    assert_eq!(table["RouteTableType"], "System");
    assert_eq!(table["VpcId"], vpc);
    assert_eq!(table["RouterId"], created["VRouterId"]);
    assert_eq!(table["RouterType"], "VRouter");
    assert_eq!(table["ResourceGroupId"], "rg-acfmown");
    assert_eq!(table["Status"], "Available");
    assert_eq!(table["RouteTableName"], "");
    assert_eq!(table["Description"], "");
    assert_eq!(table["VSwitchIds"], json!({"VSwitchId": [vswitch]}));
    assert_eq!(table["GatewayIds"], json!({"GatewayIds": []}));
    assert_eq!(table["Tags"], json!({"Tag": []}));

    // DescribeVpcs names the same table, under the doubled wrapper name.
    let listed = app.alibaba("DescribeVpcs", &[("VpcId", vpc)]).await;
    assert_eq!(
        listed.body["Vpcs"]["Vpc"][0]["RouterTableIds"],
        json!({"RouterTableIds": [created["RouteTableId"]]})
    );
}

#[tokio::test]
async fn describe_route_table_list_filters_and_pages() {
    let app = TestApp::new().await;
    let a = app.create_vpc_answer(&[("CidrBlock", "10.0.0.0/16")]).await;
    let b = app
        .create_vpc_answer(&[
            ("CidrBlock", "10.1.0.0/16"),
            ("ResourceGroupId", "rg-acfmother"),
        ])
        .await;
    let text = |value: &serde_json::Value, key: &str| value[key].as_str().unwrap().to_owned();
    let (a_table, b_table) = (text(&a, "RouteTableId"), text(&b, "RouteTableId"));
    let (a_table, b_table) = (a_table.as_str(), b_table.as_str());
    let a_vpc = text(&a, "VpcId");
    let b_router = text(&b, "VRouterId");
    let cases: Vec<ListCase> = vec![
        (vec![], vec![a_table, b_table]),
        (vec![("VpcId", &a_vpc)], vec![a_table]),
        (vec![("VpcId", "vpc-unknown")], vec![]),
        (vec![("RouteTableId", b_table)], vec![b_table]),
        (vec![("RouteTableId", b_table), ("VpcId", &a_vpc)], vec![]),
        (vec![("RouterId", &b_router)], vec![b_table]),
        (vec![("RouterId", "vrt-unknown")], vec![]),
        (vec![("RouterType", "VRouter")], vec![a_table, b_table]),
        (vec![("RouterType", "VBR")], vec![]),
        (vec![("RouteTableType", "System")], vec![a_table, b_table]),
        (vec![("RouteTableType", "Custom")], vec![]),
        (vec![("RouteTableName", "main")], vec![]),
        (vec![("ResourceGroupId", "rg-acfmother")], vec![b_table]),
        (vec![("Tag.1.Key", "env")], vec![]),
    ];
    assert_listed(
        &app,
        "DescribeRouteTableList",
        ["RouterTableList", "RouterTableListType"],
        "RouteTableId",
        cases,
    )
    .await;
    // A table shows its VPC's state while the VPC settles.
    let pending = app
        .alibaba("DescribeRouteTableList", &[("VpcId", &a_vpc)])
        .await;
    assert_eq!(
        pending.body["RouterTableList"]["RouterTableListType"][0]["Status"],
        "Pending"
    );
    let page = app
        .alibaba(
            "DescribeRouteTableList",
            &[("PageSize", "1"), ("PageNumber", "2")],
        )
        .await;
    let body = page.assert_alibaba_ok();
    assert_eq!(tables(body), vec![b_table]);
    assert_eq!(
        (body["TotalCount"].clone(), body["PageSize"].clone()),
        (json!(2), json!(1))
    );
    let beyond = app
        .alibaba(
            "DescribeRouteTableList",
            &[("PageSize", "50"), ("PageNumber", "9")],
        )
        .await;
    assert_eq!(tables(beyond.assert_alibaba_ok()), Vec::<String>::new());
    assert_eq!(beyond.body["TotalCount"], 2);
    for (param, value) in [("PageSize", "51"), ("PageNumber", "x")] {
        app.alibaba("DescribeRouteTableList", &[(param, value)])
            .await
            .assert_alibaba_error(400, "InvalidParameter");
    }
    app.alibaba("DescribeRouteTableList", &[("DryRun", "true")])
        .await
        .assert_alibaba_error(400, "DryRunOperation");

    // The table goes with its VPC.
    app.tick_all().await;
    app.alibaba("DeleteVpc", &[("VpcId", &a_vpc)])
        .await
        .assert_alibaba_ok();
    app.tick_all().await;
    let left = app.alibaba("DescribeRouteTableList", &[]).await;
    assert_eq!(tables(left.assert_alibaba_ok()), vec![b_table]);
}
