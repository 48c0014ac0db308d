//! Whole answers of the VPC actions as snapshots, where the body is the contract: CreateFlowLog,
//! DescribeFlowLogs (JSON; the XML form is the gateway's), ListTagResources, and every other
//! action's answer. Request ids, flow log ids and times are redacted once their form is checked.

use serde_json::{Map, Value};

use crate::support::snapshot::*;
use crate::support::*;

#[tokio::test]
async fn create_flow_log_answers_the_id_and_the_group() {
    let app = TestApp::new().await;
    let mut params = create_params("vpc-created");
    params.push(("ResourceGroupId", "rg-123"));
    let created = app.alibaba("CreateFlowLog", &params).await;
    created.assert_alibaba_ok();
    assert_body_snapshot!("create_flow_log", &created.body, {
        ".RequestId" => alibaba_request_id(),
        ".FlowLogId" => alibaba_id(),
    });
}

#[tokio::test]
async fn describe_flow_logs_answers_every_field() {
    let app = TestApp::new().await;
    app.create_alibaba(
        "vpc-full",
        &[
            ("FlowLogName", "full"),
            ("Description", "every field"),
            ("AggregationInterval", "1"),
            ("TrafficPath.1", "internetGateway"),
            ("TrafficPath.2", "natGateway"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "dev"),
            ("Tag.2.Key", "empty"),
            ("ResourceGroupId", "rg-123"),
            ("IpVersion", "DualStack"),
            ("LogFormat", "${srcaddr} ${dstaddr}"),
        ],
    )
    .await;
    app.tick_all().await;
    app.create_alibaba("vpc-defaults", &[]).await;

    let described = app.alibaba("DescribeFlowLogs", &[]).await;
    described.assert_alibaba_ok();
    assert_body_snapshot!("describe_flow_logs", &described.body, {
        ".RequestId" => alibaba_request_id(),
        ".FlowLogs.FlowLog[].FlowLogId" => alibaba_id(),
        ".FlowLogs.FlowLog[].CreationTime" => alibaba_time(),
    });
}

#[tokio::test]
async fn list_tag_resources_answers_a_row_per_tag() {
    let app = TestApp::new().await;
    let a = app
        .create_alibaba("vpc-ta", &[("Tag.1.Key", "env"), ("Tag.1.Value", "dev")])
        .await;
    let b = app.create_alibaba("vpc-tb", &[("Tag.1.Key", "team")]).await;
    let listed = app
        .alibaba(
            "ListTagResources",
            &[
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", &a),
                ("ResourceId.2", &b),
            ],
        )
        .await;
    listed.assert_alibaba_ok();
    let body = scrub_json(&listed.body, &[(&a, "[flow_log_a]"), (&b, "[flow_log_b]")]);
    assert_body_snapshot!("list_tag_resources", &body, {
        ".RequestId" => alibaba_request_id(),
    });
}

#[tokio::test]
async fn every_other_action_answers_its_body() {
    let app = TestApp::new().await;
    let id = app.create_alibaba("vpc-actions", &[]).await;
    app.tick_all().await;
    let flow_log = ("FlowLogId", id.as_str());
    let tagged = [("ResourceType", "FLOWLOG"), ("ResourceId.1", id.as_str())];
    let steps: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "ModifyFlowLogAttribute",
            vec![flow_log, ("FlowLogName", "renamed")],
        ),
        ("DeactiveFlowLog", vec![flow_log]),
        ("ActiveFlowLog", vec![flow_log]),
        (
            "TagResources",
            vec![tagged[0], tagged[1], ("Tag.1.Key", "k")],
        ),
        (
            "UnTagResources",
            vec![tagged[0], tagged[1], ("All", "true")],
        ),
        (
            "MoveResourceGroup",
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId", id.as_str()),
                ("NewResourceGroupId", "rg-moved"),
            ],
        ),
        ("OpenFlowLogService", vec![]),
        ("GetFlowLogServiceStatus", vec![]),
        ("DeleteFlowLog", vec![flow_log]),
    ];
    let mut answers = Map::new();
    for (action, params) in steps {
        let response = app.alibaba(action, &params).await;
        response.assert_alibaba_ok();
        answers.insert(action.to_owned(), response.body.clone());
        // Each transition settles before the next action.
        app.tick_all().await;
    }
    assert_eq!(app.alibaba_status(&id).await, None, "deleted");
    assert_body_snapshot!("other_actions", &Value::Object(answers), {
        ".*.RequestId" => alibaba_request_id(),
    });
}
