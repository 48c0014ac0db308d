//! Accounts and regions never reach each other's flow logs, and Terraform's
//! `alicloud_vpc_flow_log` call sequence succeeds step by step.

use axum::http::Method;

use crate::support::*;

#[tokio::test]
async fn no_action_reaches_across_accounts_or_regions() {
    // With `--auth off` the access key id names the account.
    let app = TestApp::new().await;
    assert_no_action_reaches_across_accounts_or_regions(
        &app,
        (ALIBABA_KEY, ALIBABA_KEY),
        (OTHER_ALIBABA_KEY, OTHER_ALIBABA_KEY),
    )
    .await;
}

/// Terraform's `alicloud_vpc_flow_log` sequence (reference §1.6), step by step: parameters in a
/// form body as tea-rpc sends them, then every wait the provider does.
#[tokio::test]
async fn terraforms_call_sequence_succeeds_step_by_step() {
    let app = TestApp::new().await;
    let rpc = |action: &str| {
        format!("Action={action}&Version=2016-04-28&Format=JSON&AccessKeyId={ALIBABA_KEY}&SignatureNonce=1")
    };
    let form = |body: &str| body.as_bytes().to_vec();
    let created = app
        .alibaba_raw(
            Method::POST,
            &rpc("CreateFlowLog"),
            &[FORM],
            form("RegionId=cn-hangzhou&ProjectName=tf-project&ResourceId=vsw-tf&LogStoreName=tf_store\
                  &TrafficType=All&ResourceType=VSwitch&Description=tf&FlowLogName=tf-example\
                  &AggregationInterval=10&TrafficPath.1=all&ResourceGroupId=rg-tf&Tag.1.Key=Created&Tag.1.Value=TF\
                  &IpVersion=IPv4"),
        )
        .await;
    let id = created.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    let describe = |id: String| {
        let app = &app;
        async move {
            app.alibaba_raw(
                Method::POST,
                &rpc("DescribeFlowLogs"),
                &[FORM],
                format!("RegionId=cn-hangzhou&FlowLogId={id}").into_bytes(),
            )
            .await
        }
    };
    // Wait for Active: any other status keeps Terraform waiting.
    assert_eq!(
        described(describe(id.clone()).await.assert_alibaba_ok())[0]["Status"],
        "Activating"
    );
    app.tick_all().await;
    let entry = described(describe(id.clone()).await.assert_alibaba_ok())[0].clone();
    assert_eq!(entry["Status"], "Active");
    assert_eq!(entry["ResourceGroupId"], "rg-tf");

    // Update: tags (remove then add), resource group, status.
    let tags = |action: &str, body: &str| {
        let app = &app;
        let query = rpc(action);
        let body = form(body);
        async move { app.alibaba_raw(Method::POST, &query, &[FORM], body).await }
    };
    tags(
        "UnTagResources",
        &format!("RegionId=cn-hangzhou&ResourceType=FLOWLOG&ResourceId.1={id}&TagKey.1=Created"),
    )
    .await
    .assert_alibaba_ok();
    tags("TagResources", &format!("RegionId=cn-hangzhou&ResourceType=FLOWLOG&ResourceId.1={id}&Tag.1.Key=For&Tag.1.Value=Test"))
        .await
        .assert_alibaba_ok();
    tags(
        "MoveResourceGroup",
        &format!(
            "RegionId=cn-hangzhou&ResourceType=FLOWLOG&ResourceId={id}&NewResourceGroupId=rg-moved"
        ),
    )
    .await
    .assert_alibaba_ok();
    tags(
        "DeactiveFlowLog",
        &format!("RegionId=cn-hangzhou&FlowLogId={id}"),
    )
    .await
    .assert_alibaba_ok();
    app.tick_all().await;
    let entry = described(describe(id.clone()).await.assert_alibaba_ok())[0].clone();
    assert_eq!(entry["Status"], "Inactive");
    assert_eq!(
        entry["Tags"]["Tag"],
        serde_json::json!([{"Key": "For", "Value": "Test"}])
    );
    assert_eq!(entry["ResourceGroupId"], "rg-moved");
    tags(
        "ModifyFlowLogAttribute",
        &format!(
            "RegionId=cn-hangzhou&FlowLogId={id}&FlowLogName=tf-renamed&AggregationInterval=5"
        ),
    )
    .await
    .assert_alibaba_ok();

    // Delete, then wait until the list is empty.
    tags(
        "DeleteFlowLog",
        &format!("RegionId=cn-hangzhou&FlowLogId={id}"),
    )
    .await
    .assert_alibaba_ok();
    app.tick_all().await;
    let gone = describe(id.clone()).await;
    assert_eq!(gone.assert_alibaba_ok()["TotalCount"], "0");
    // A second delete is a NotFound error, which Terraform counts as deleted.
    let again = tags(
        "DeleteFlowLog",
        &format!("RegionId=cn-hangzhou&FlowLogId={id}"),
    )
    .await;
    again.assert_alibaba_error(404, "InvalidInstanceId.NotFound");
}
