//! VPCs and vSwitches as flow logs meet them: DescribeFlowLogs' `VpcId` follows a flow log on a
//! vSwitch or ENI into its VPC, `--references strict` needs the resource to exist as the stated
//! type, and Terraform's `alicloud_vpc` / `alicloud_vswitch` sequences run step by step, with a
//! destroy of what is already gone answered 404 (what its `NotFoundError` takes for gone).

use axum::http::Method;

use crate::support::*;

fn flow_log_on<'a>(kind: &'a str, id: &'a str) -> Vec<(&'a str, &'a str)> {
    with_param(
        &with_param(&create_params(id), "ResourceType", Some(kind)),
        "ResourceId",
        Some(id),
    )
}

#[tokio::test]
async fn describe_flow_logs_vpc_id_follows_vswitches_and_enis_into_their_vpc() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let other = app.create_alibaba_vpc("10.1.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    let eni = app.create_eni(&vswitch).await;
    let mut ids = Vec::new();
    for (kind, id) in [
        ("VPC", vpc.as_str()),
        ("VSwitch", vswitch.as_str()),
        ("NetworkInterface", eni.as_str()),
        ("VPC", other.as_str()),
        ("VSwitch", "vsw-unknowntothenetwork"),
    ] {
        let created = app.alibaba("CreateFlowLog", &flow_log_on(kind, id)).await;
        ids.push(
            created.assert_alibaba_ok()["FlowLogId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let by_vpc = |vpc: String| {
        let app = &app;
        async move {
            let mut found = described_ids(
                app.alibaba("DescribeFlowLogs", &[("VpcId", &vpc)])
                    .await
                    .assert_alibaba_ok(),
            );
            found.sort();
            found
        }
    };
    let mut mine = ids[..3].to_vec();
    mine.sort();
    assert_eq!(by_vpc(vpc.clone()).await, mine);
    assert_eq!(by_vpc(other.clone()).await, vec![ids[3].clone()]);
    // A VPC with flow logs on it may still be deleted once empty (no source says otherwise).
    app.tick_all().await;
    app.alibaba("DeleteVpc", &[("VpcId", &other)])
        .await
        .assert_alibaba_ok();
}

#[tokio::test]
async fn strict_references_need_the_vpc_or_vswitch_to_exist() {
    let app = TestApp::with_flags(&["--references", "strict"]).await;
    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.0.1.0/24").await;
    for (kind, id, message) in [
        ("VPC", "vpc-bp1nothere000000000000", "vpc does not exist."),
        (
            "VSwitch",
            "vsw-bp1nothere000000000000",
            "vswitch does not exist.",
        ),
    ] {
        let refused = app.alibaba("CreateFlowLog", &flow_log_on(kind, id)).await;
        assert_eq!(
            refused.assert_alibaba_error(400, "InvalidInstanceId"),
            message
        );
    }
    // Another account's VPC is not the caller's.
    let theirs = app
        .alibaba_as(OTHER_ALIBABA_KEY, REGION, "DescribeVpcs", &[])
        .await;
    assert_eq!(theirs.assert_alibaba_ok()["TotalCount"], 0);
    app.alibaba_as(
        OTHER_ALIBABA_KEY,
        REGION,
        "CreateFlowLog",
        &flow_log_on("VPC", &vpc),
    )
    .await
    .assert_alibaba_error(400, "InvalidInstanceId");
    // The wrong type for the id.
    for (kind, id) in [("VPC", vswitch.as_str()), ("VSwitch", vpc.as_str())] {
        let refused = app.alibaba("CreateFlowLog", &flow_log_on(kind, id)).await;
        assert_eq!(
            refused.assert_alibaba_error(400, "InvalidResourceType.NotFound"),
            "Resource type no the same."
        );
    }
    assert_eq!(
        app.alibaba("DescribeFlowLogs", &[]).await.body["TotalCount"],
        "0",
        "nothing was written"
    );
    for (kind, id) in [("VPC", vpc.as_str()), ("VSwitch", vswitch.as_str())] {
        app.alibaba("CreateFlowLog", &flow_log_on(kind, id))
            .await
            .assert_alibaba_ok();
    }
}

/// An RPC call as Terraform's tea-rpc makes it: the action in the query, the rest in a form body.
async fn terraform(app: &TestApp, action: &str, query: &str, body: &str) -> TestResponse {
    let query = format!(
        "Action={action}&Version=2016-04-28&Format=JSON&AccessKeyId={ALIBABA_KEY}&SignatureNonce=1{query}"
    );
    app.alibaba_raw(Method::POST, &query, &[FORM], body.as_bytes().to_vec())
        .await
}

#[tokio::test]
async fn terraforms_vpc_and_vswitch_sequences_succeed_step_by_step() {
    let app = TestApp::new().await;
    let region = "RegionId=cn-hangzhou";
    // alicloud_vpc: create, wait for Available, find the system route table, tag again.
    let created = terraform(
        &app,
        "CreateVpc",
        "",
        &format!("{region}&ClientToken=tf-1&CidrBlock=192.168.0.0%2F24&VpcName=tf-vpc&Tag.1.Key=Created&Tag.1.Value=TF"),
    )
    .await;
    let vpc = created.assert_alibaba_ok()["VpcId"]
        .as_str()
        .unwrap()
        .to_owned();
    let attribute = |action: &'static str, key: &'static str, id: String| {
        let app = &app;
        async move { terraform(app, action, "", &format!("{region}&{key}={id}")).await }
    };
    assert_eq!(
        attribute("DescribeVpcAttribute", "VpcId", vpc.clone())
            .await
            .body["Status"],
        "Pending"
    );
    app.tick_all().await;
    assert_eq!(
        attribute("DescribeVpcAttribute", "VpcId", vpc.clone())
            .await
            .body["Status"],
        "Available"
    );
    let tables = terraform(
        &app,
        "DescribeRouteTableList",
        "",
        &format!("{region}&VpcId={vpc}"),
    )
    .await;
    let system: Vec<_> = tables.assert_alibaba_ok()["RouterTableList"]["RouterTableListType"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["RouteTableType"] == "System" && t["VpcId"] == vpc.as_str())
        .cloned()
        .collect();
    assert_eq!(system.len(), 1, "Terraform needs the system route table");
    terraform(
        &app,
        "TagResources",
        "",
        &format!("{region}&ResourceType=VPC&ResourceId.1={vpc}&Tag.1.Key=Created&Tag.1.Value=TF"),
    )
    .await
    .assert_alibaba_ok();

    // alicloud_vswitch: create, wait (VSwitchId in the query), tag in the follow-up update.
    let created = terraform(
        &app,
        "CreateVSwitch",
        "",
        &format!("{region}&ClientToken=tf-2&CidrBlock=192.168.0.0%2F26&VpcId={vpc}&VSwitchName=tf-vsw&ZoneId=cn-hangzhou-h"),
    )
    .await;
    let vswitch = created.assert_alibaba_ok()["VSwitchId"]
        .as_str()
        .unwrap()
        .to_owned();
    let wait = |id: String| {
        let app = &app;
        async move {
            terraform(
                app,
                "DescribeVSwitchAttributes",
                &format!("&VSwitchId={id}"),
                region,
            )
            .await
        }
    };
    assert_eq!(wait(vswitch.clone()).await.body["Status"], "Pending");
    app.tick_all().await;
    let read = wait(vswitch.clone()).await;
    assert_eq!(read.body["Status"], "Available");
    assert_eq!(read.body["Ipv6CidrBlock"], "");
    terraform(
        &app,
        "TagResources",
        "",
        &format!(
            "{region}&ResourceType=VSWITCH&ResourceId.1={vswitch}&Tag.1.Key=For&Tag.1.Value=Test"
        ),
    )
    .await
    .assert_alibaba_ok();

    // Destroy in reverse order, each waited for until its Describe says 404; destroying again
    // (after an out-of-band delete) is 404 too, which the provider takes as done.
    for (delete, describe, key, id, code) in [
        (
            "DeleteVSwitch",
            "DescribeVSwitchAttributes",
            "VSwitchId",
            vswitch,
            "InvalidVSwitchId.NotFound",
        ),
        (
            "DeleteVpc",
            "DescribeVpcAttribute",
            "VpcId",
            vpc,
            "InvalidVpcId.NotFound",
        ),
    ] {
        terraform(&app, delete, "", &format!("{region}&{key}={id}"))
            .await
            .assert_alibaba_ok();
        app.tick_all().await;
        attribute(describe, key, id.clone())
            .await
            .assert_alibaba_error(404, code);
        terraform(&app, delete, "", &format!("{region}&{key}={id}"))
            .await
            .assert_alibaba_error(404, code);
    }
}
