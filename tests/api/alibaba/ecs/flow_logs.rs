//! Flow logs on ENIs (the VPC product's CreateFlowLog with `ResourceType=NetworkInterface`):
//! with `--references strict` the ENI must exist in the caller's tenant, as an ENI; the VPC
//! filter of DescribeFlowLogs follows an ENI to its VPC.

use super::*;

fn on_eni(id: &str) -> Vec<(&str, &str)> {
    vec![
        ("ResourceType", "NetworkInterface"),
        ("ResourceId", id),
        ("TrafficType", "All"),
        ("ProjectName", "flowlogproject"),
        ("LogStoreName", "flowlogstore"),
    ]
}

#[tokio::test]
async fn a_strict_flow_log_needs_the_eni_to_exist_as_an_eni() {
    let app = TestApp::with_flags(&["--references", "strict"]).await;
    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    let (vpc, vsw) = network(&app).await;
    let id = eni(&app, &vsw, &[]).await;

    let missing = app
        .alibaba("CreateFlowLog", &on_eni("eni-missing000000000000"))
        .await;
    assert_eq!(
        missing.assert_alibaba_error(400, "InvalidInstanceId"),
        "eni does not exist."
    );
    // Another account's ENI does not exist for the caller.
    let theirs = app
        .alibaba_as(OTHER_ALIBABA_KEY, REGION, "CreateFlowLog", &on_eni(&id))
        .await;
    theirs.assert_alibaba_error(400, "InvalidInstanceId");
    // The ENI named as another kind of resource, or another resource named as an ENI.
    let mut as_vswitch = on_eni(&id);
    as_vswitch[0] = ("ResourceType", "VSwitch");
    let wrong = app.alibaba("CreateFlowLog", &as_vswitch).await;
    assert_eq!(
        wrong.assert_alibaba_error(400, "InvalidResourceType.NotFound"),
        "Resource type no the same."
    );
    app.alibaba("CreateFlowLog", &on_eni(&vsw))
        .await
        .assert_alibaba_error(400, "InvalidResourceType.NotFound");
    assert!(app.stored().await.is_empty(), "the refusals wrote nothing");

    let created = app.alibaba("CreateFlowLog", &on_eni(&id)).await;
    let flow_log = created.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    // DescribeFlowLogs' VpcId follows the ENI to its VPC.
    let by_vpc = app.alibaba("DescribeFlowLogs", &[("VpcId", &vpc)]).await;
    assert_eq!(
        described_ids(by_vpc.assert_alibaba_ok()),
        std::slice::from_ref(&flow_log)
    );
    let elsewhere = app
        .alibaba("DescribeFlowLogs", &[("VpcId", "vpc-other")])
        .await;
    assert!(described_ids(elsewhere.assert_alibaba_ok()).is_empty());

    // An ENI with a flow log on it may be deleted; the flow log stays.
    delete_eni(&app, &id).await.assert_alibaba_ok();
    app.tick_all().await;
    assert_eq!(status(&app, &id).await, None);
    assert_eq!(
        app.alibaba_status(&flow_log).await.as_deref(),
        Some("Active")
    );
    // Gone, the ENI no longer takes a new flow log.
    app.alibaba("DeleteFlowLog", &[("FlowLogId", &flow_log)])
        .await
        .assert_alibaba_ok();
    app.tick_all().await;
    app.alibaba("CreateFlowLog", &on_eni(&id))
        .await
        .assert_alibaba_error(400, "InvalidInstanceId");
}

#[tokio::test]
async fn a_lenient_flow_log_takes_any_eni_id() {
    let app = TestApp::new().await;
    let created = app.alibaba("CreateFlowLog", &on_eni("eni-anything")).await;
    created.assert_alibaba_ok();
}
