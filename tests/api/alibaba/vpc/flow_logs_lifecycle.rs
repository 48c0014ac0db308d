//! The life cycle: (de)activation and deletion through their transitional statuses, the actions
//! refused on the way, ModifyFlowLogAttribute, a restart mid-transition, and the flow-log service.

use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn the_life_cycle_passes_through_each_transitional_status() {
    let app = TestApp::new().await;
    let id = app.create_alibaba("vpc-life", &[]).await;
    let flow_log = [("FlowLogId", id.as_str())];
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Activating"));
    for action in [
        "DeactiveFlowLog",
        "ActiveFlowLog",
        "DeleteFlowLog",
        "ModifyFlowLogAttribute",
    ] {
        app.alibaba(action, &flow_log)
            .await
            .assert_alibaba_error(400, "IncorrectStatus.flowlog");
    }
    app.tick_all().await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Active"));
    app.alibaba("ActiveFlowLog", &flow_log)
        .await
        .assert_alibaba_error(400, "IncorrectStatus.flowlog");

    let body = app.alibaba("DeactiveFlowLog", &flow_log).await;
    assert_eq!(body.assert_alibaba_ok()["Success"], "true");
    assert_eq!(
        app.alibaba_status(&id).await.as_deref(),
        Some("Deactivating")
    );
    app.alibaba("ActiveFlowLog", &flow_log)
        .await
        .assert_alibaba_error(400, "IncorrectStatus.flowlog");
    app.tick_all().await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Inactive"));
    app.alibaba("DeactiveFlowLog", &flow_log)
        .await
        .assert_alibaba_error(400, "IncorrectStatus.flowlog");

    app.alibaba("ActiveFlowLog", &flow_log)
        .await
        .assert_alibaba_ok();
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Activating"));
    app.tick_all().await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Active"));

    app.alibaba("DeleteFlowLog", &flow_log)
        .await
        .assert_alibaba_ok();
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Deleting"));
    app.alibaba("DeleteFlowLog", &flow_log)
        .await
        .assert_alibaba_error(400, "IncorrectStatus.flowlog");
    app.tick_all().await;
    let gone = app.alibaba("DescribeFlowLogs", &flow_log).await;
    let body = gone.assert_alibaba_ok();
    assert_eq!(body["TotalCount"], "0");
    assert_eq!(described(body), Vec::<Value>::new());
    app.alibaba("DeleteFlowLog", &flow_log)
        .await
        .assert_alibaba_error(404, "InvalidInstanceId.NotFound");
}

#[tokio::test]
async fn a_zero_delay_settles_at_once() {
    let app = TestApp::with_flags(&["--transition-delay", "0s"]).await;
    let id = app.create_alibaba("vpc-instant", &[]).await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Active"));
    app.alibaba("DeleteFlowLog", &[("FlowLogId", &id)])
        .await
        .assert_alibaba_ok();
    assert_eq!(app.alibaba_status(&id).await, None);
}

#[tokio::test]
async fn unknown_or_malformed_flow_logs_are_not_found_on_every_mutating_action() {
    let app = TestApp::new().await;
    for action in [
        "DeleteFlowLog",
        "ActiveFlowLog",
        "DeactiveFlowLog",
        "ModifyFlowLogAttribute",
    ] {
        for id in [
            "fl-0000000000aaaaaaaaaa",
            "fl-nope",
            "'; DROP TABLE flow_logs; --",
            "\u{1F600}",
        ] {
            app.alibaba(action, &[("FlowLogId", id)])
                .await
                .assert_alibaba_error(404, "InvalidInstanceId.NotFound");
        }
        app.alibaba(action, &[])
            .await
            .assert_alibaba_error(400, "MissingFlowLogId");
    }
}

#[tokio::test]
async fn modify_changes_only_what_it_is_given() {
    let app = TestApp::new().await;
    let id = app
        .create_alibaba(
            "vpc-modify",
            &[("FlowLogName", "before"), ("Description", "kept")],
        )
        .await;
    app.tick_all().await;
    let flow_log = ("FlowLogId", id.as_str());
    app.alibaba(
        "ModifyFlowLogAttribute",
        &[
            flow_log,
            ("FlowLogName", "after"),
            ("AggregationInterval", "5"),
            ("IpVersion", "DualStack"),
        ],
    )
    .await
    .assert_alibaba_ok();
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(entry["FlowLogName"], "after");
    assert_eq!(entry["Description"], "kept");
    assert_eq!(entry["AggregationInterval"], 5);
    assert_eq!(entry["IpVersion"], "DualStack");
    assert_eq!(entry["Status"], "Active");
    for (param, value, code) in [
        (
            "AggregationInterval",
            "2",
            "IllegalParam.AggregationInterval",
        ),
        ("FlowLogName", "https://x", "InvalidFlowLogName.Malformed"),
        ("FlowLogName", "", "InvalidFlowLogName.Malformed"),
        ("IpVersion", "v4", "IllegalParam.IpVersion"),
    ] {
        app.alibaba("ModifyFlowLogAttribute", &[flow_log, (param, value)])
            .await
            .assert_alibaba_error(400, code);
    }
    assert_eq!(
        app.describe_alibaba(&id).await.unwrap()["FlowLogName"],
        "after"
    );
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_transition_completes_it() {
    let db = TestDb::new().await;
    let app = TestApp::on(&db, &["--transition-delay", "1h"]).await;
    let id = app.create_alibaba("vpc-restart", &[]).await;
    app.tick_all().await;
    app.alibaba("DeactiveFlowLog", &[("FlowLogId", &id)])
        .await
        .assert_alibaba_ok();
    app.stop().await;

    let restarted = TestApp::on(&db, &["--transition-delay", "1h"]).await;
    assert_eq!(
        restarted.alibaba_status(&id).await.as_deref(),
        Some("Deactivating")
    );
    restarted.tick_all().await;
    assert_eq!(
        restarted.alibaba_status(&id).await.as_deref(),
        Some("Inactive")
    );
}

#[tokio::test]
async fn the_flow_log_service_is_opened_per_account_and_region() {
    let app = TestApp::new().await;
    let status = app.alibaba("GetFlowLogServiceStatus", &[]).await;
    assert_eq!(status.assert_alibaba_ok()["Enabled"], false);
    let opened = app
        .alibaba("OpenFlowLogService", &[("ClientToken", "t1")])
        .await;
    assert_eq!(opened.assert_alibaba_ok().as_object().unwrap().len(), 1);
    app.alibaba("OpenFlowLogService", &[])
        .await
        .assert_alibaba_ok();
    let status = app.alibaba("GetFlowLogServiceStatus", &[]).await;
    assert_eq!(status.assert_alibaba_ok()["Enabled"], true);
    let other = app
        .alibaba_as(OTHER_ALIBABA_KEY, REGION, "GetFlowLogServiceStatus", &[])
        .await;
    assert_eq!(other.assert_alibaba_ok()["Enabled"], false);
    // A reset forgets it.
    app.post_empty("/_flowplane/reset?provider=alibaba").await;
    let status = app.alibaba("GetFlowLogServiceStatus", &[]).await;
    assert_eq!(status.assert_alibaba_ok()["Enabled"], false);
}
