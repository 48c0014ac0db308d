//! CreateFlowLog: every field as the models type it, the defaults, every rule it refuses, one
//! flow log per resource (also under concurrency), and the quota.

use crate::support::*;

#[tokio::test]
async fn create_then_describe_gives_every_field_as_the_models_type_it() {
    let app = TestApp::new().await;
    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    let mut params = create_params("vpc-bp1abc");
    params.extend([
        ("FlowLogName", "my flow/log"),
        ("Description", "desc with spaces & symbols*~"),
        ("AggregationInterval", "1"),
        ("TrafficPath.1", "internetGateway"),
        ("TrafficPath.2", "natGateway"),
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "dev"),
        ("Tag.2.Key", "empty"),
        ("ResourceGroupId", "rg-123"),
        ("IpVersion", "DualStack"),
        ("LogFormat", "${srcaddr} ${dstaddr}"),
        ("OwnerId", "123"),
    ]);
    let created = app.alibaba("CreateFlowLog", &params).await;
    let body = created.assert_alibaba_ok();
    assert_eq!(body["Success"], "true");
    assert_eq!(body["ResourceGroupId"], "rg-123");
    let id = body["FlowLogId"].as_str().unwrap();
    let rest = id.strip_prefix("fl-").unwrap();
    assert!(
        rest.len() == 20
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );

    let describe = app.alibaba("DescribeFlowLogs", &[("FlowLogId", id)]).await;
    let body = describe.assert_alibaba_ok();
    assert_eq!(body["Success"], "true");
    assert_eq!(body["TotalCount"], "1");
    assert_eq!(body["PageNumber"], "1");
    assert_eq!(body["PageSize"], "20");
    let entry = &described(body)[0];
    let expected = [
        ("FlowLogId", id),
        ("FlowLogName", "my flow/log"),
        ("Description", "desc with spaces & symbols*~"),
        ("Status", "Activating"),
        ("BusinessStatus", "Normal"),
        ("RegionId", REGION),
        ("ResourceType", "VPC"),
        ("ResourceId", "vpc-bp1abc"),
        ("TrafficType", "All"),
        ("ProjectName", "flowlogproject"),
        ("LogStoreName", "flowlogstore"),
        ("IpVersion", "DualStack"),
        ("LogFormat", "${srcaddr} ${dstaddr}"),
        ("ResourceGroupId", "rg-123"),
        ("FlowLogDeliverStatus", "SUCCESS"),
    ];
    for (field, value) in expected {
        assert_eq!(entry[field], value, "{field}: {entry}");
    }
    assert_eq!(entry["AggregationInterval"], 1);
    assert!(entry["AggregationInterval"].is_i64());
    assert_eq!(
        entry["TrafficPath"]["TrafficPathList"],
        serde_json::json!(["internetGateway", "natGateway"])
    );
    assert_eq!(
        entry["Tags"]["Tag"],
        serde_json::json!([{"Key": "empty", "Value": ""}, {"Key": "env", "Value": "dev"}])
    );
    let time = entry["CreationTime"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%SZ").is_ok(),
        "{time}"
    );

    app.tick_all().await;
    assert_eq!(app.alibaba_status(id).await.as_deref(), Some("Active"));
}

#[tokio::test]
async fn create_defaults() {
    let app = TestApp::new().await;
    let id = app.create_alibaba("vpc-defaults", &[]).await;
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(entry["AggregationInterval"], 10);
    assert_eq!(entry["IpVersion"], "IPv4");
    assert_eq!(
        entry["TrafficPath"]["TrafficPathList"],
        serde_json::json!(["all"])
    );
    assert_eq!(entry["Tags"]["Tag"], serde_json::json!([]));
    assert_eq!(entry["FlowLogName"], "");
    assert_eq!(entry["LogFormat"], "");
}

#[tokio::test]
async fn every_create_rule_is_refused_with_its_code_and_nothing_is_written() {
    let app = TestApp::new().await;
    let base = create_params("vpc-rules");
    let long_name = "n".repeat(129);
    let long_description = "d".repeat(257);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            with_param(&base, "ResourceType", None),
            "MissingResourceType",
        ),
        (with_param(&base, "ResourceId", None), "MissingResourceId"),
        (with_param(&base, "TrafficType", None), "MissingTrafficType"),
        (
            with_param(&base, "ResourceType", Some("vpc")),
            "OperationUnsupported.ResourceType",
        ),
        (
            with_param(&base, "ResourceType", Some("Subnet")),
            "OperationUnsupported.ResourceType",
        ),
        (
            with_param(&base, "ResourceType", Some("VSwitch")),
            "InvalidResourceType.NotFound",
        ),
        (
            with_param(&base, "ResourceId", Some("vpc-a b")),
            "InvalidResourceId.Malformed",
        ),
        (
            with_param(&base, "TrafficType", Some("all")),
            "InvalidTrafficType.Malformed",
        ),
        (
            with_param(
                &with_param(&base, "ProjectName", None),
                "LogStoreName",
                None,
            ),
            "MissingParam.TrafficAnalyzerIdOrLogProjectOrLogStore",
        ),
        (with_param(&base, "ProjectName", None), "MissingProjectName"),
        (
            with_param(&base, "LogStoreName", None),
            "MissingLogStoreName",
        ),
        (
            with_param(&base, "ProjectName", Some("Upper")),
            "InvalidProjectName.Malformed",
        ),
        (
            with_param(&base, "ProjectName", Some("my_project")),
            "InvalidProjectName.Malformed",
        ),
        (
            with_param(&base, "ProjectName", Some("ab")),
            "InvalidProjectName.Malformed",
        ),
        (
            with_param(&base, "LogStoreName", Some("-store")),
            "InvalidLogStoreName.Malformed",
        ),
        (
            with_param(&base, "FlowLogName", Some(&long_name)),
            "InvalidFlowLogName.Malformed",
        ),
        (
            with_param(&base, "FlowLogName", Some("")),
            "InvalidFlowLogName.Malformed",
        ),
        (
            with_param(&base, "Description", Some("")),
            "InvalidDescription.Malformed",
        ),
        (
            with_param(&base, "FlowLogName", Some("http://x")),
            "InvalidFlowLogName.Malformed",
        ),
        (
            with_param(&base, "FlowLogName", Some("a\u{1}b")),
            "InvalidFlowLogName.Malformed",
        ),
        (
            with_param(&base, "Description", Some(&long_description)),
            "InvalidDescription.Malformed",
        ),
        (
            with_param(&base, "Description", Some("https://x")),
            "InvalidDescription.Malformed",
        ),
        (
            with_param(&base, "AggregationInterval", Some("3")),
            "IllegalParam.AggregationInterval",
        ),
        (
            with_param(&base, "AggregationInterval", Some("ten")),
            "IllegalParam.AggregationInterval",
        ),
        (
            with_param(&base, "IpVersion", Some("IPv6")),
            "IllegalParam.IpVersion",
        ),
        (
            with_param(&base, "ResourceGroupId", Some("group-1")),
            "IllegalParam.ResourceGroupId",
        ),
        (
            with_param(&base, "TrafficPath.1", Some("everything")),
            "IllegalParam.TrafficPath",
        ),
        (
            with_param(&base, "Tag.1.Key", Some("aliyun-x")),
            "InvalidTagKey.Malformed",
        ),
        (
            with_param(&base, "Tag.1.Key", Some("acs:x")),
            "InvalidTagKey.Malformed",
        ),
        (
            with_param(&base, "Tag.1.Key", Some("a http://b")),
            "InvalidTagKey.Malformed",
        ),
        (
            with_param(&base, "Tag.1.Value", Some("v")),
            "MissingTag.1.Key",
        ),
        (with_param(&base, "RegionId", Some("x")), "InvalidParameter"),
    ];
    for (params, code) in cases {
        let response = app.alibaba("CreateFlowLog", &params).await;
        response.assert_alibaba_error(400, code);
    }
    // Lists: duplicates, gaps and too many entries.
    let mut duplicated = base.clone();
    duplicated.extend([("TrafficPath.1", "vbr"), ("TrafficPath.2", "vbr")]);
    app.alibaba("CreateFlowLog", &duplicated)
        .await
        .assert_alibaba_error(400, "DuplicatedParam.TrafficPath");
    let mut gap = base.clone();
    gap.extend([("TrafficPath.1", "vbr"), ("TrafficPath.3", "ecr")]);
    app.alibaba("CreateFlowLog", &gap)
        .await
        .assert_alibaba_error(400, "IllegalParam.TrafficPath");
    let mut same_key = base.clone();
    same_key.extend([("Tag.1.Key", "k"), ("Tag.2.Key", "k")]);
    app.alibaba("CreateFlowLog", &same_key)
        .await
        .assert_alibaba_error(400, "InvalidParameter");
    let tag_names: Vec<String> = (1..=21).map(|i| format!("Tag.{i}.Key")).collect();
    let tag_values: Vec<String> = (1..=21).map(|i| format!("key{i}")).collect();
    let mut many = base.clone();
    many.extend(
        tag_names
            .iter()
            .zip(&tag_values)
            .map(|(n, v)| (n.as_str(), v.as_str())),
    );
    let message = app
        .alibaba("CreateFlowLog", &many)
        .await
        .assert_alibaba_error(400, "InvalidParameter")
        .to_owned();
    assert!(message.contains("at most 20"), "{message}");
    // Twenty tags are fine.
    many.truncate(many.len() - 1);
    app.alibaba("CreateFlowLog", &many)
        .await
        .assert_alibaba_ok();
    assert_eq!(
        app.stored().await.len(),
        1,
        "only the valid create was written"
    );
}

#[tokio::test]
async fn one_flow_log_per_resource() {
    let app = TestApp::new().await;
    app.create_alibaba("vpc-dup", &[]).await;
    app.alibaba("CreateFlowLog", &create_params("vpc-dup"))
        .await
        .assert_alibaba_error(400, "InvalidResourceId.NotFound");
    // Another region of the same account, or another account, has its own resources.
    app.alibaba_as(
        ALIBABA_KEY,
        "cn-shanghai",
        "CreateFlowLog",
        &create_params("vpc-dup"),
    )
    .await
    .assert_alibaba_ok();
    app.alibaba_as(
        OTHER_ALIBABA_KEY,
        REGION,
        "CreateFlowLog",
        &create_params("vpc-dup"),
    )
    .await
    .assert_alibaba_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_creates_give_exactly_one_flow_log() {
    let db = TestDb::new().await;
    let app = std::sync::Arc::new(TestApp::on(&db, &[]).await);
    let attempts: Vec<_> = (0..16)
        .map(|_| {
            let app = std::sync::Arc::clone(&app);
            tokio::spawn(async move {
                app.alibaba("CreateFlowLog", &create_params("vpc-race"))
                    .await
            })
        })
        .collect();
    let created = successes_else(attempts, "InvalidResourceId.NotFound").await;
    assert_eq!(created, 1);
    assert_eq!(app.stored().await.len(), 1);
}

#[tokio::test]
async fn the_quota_is_per_account_and_region() {
    let app = TestApp::with_flags(&["--alibaba-flow-log-quota", "2"]).await;
    app.create_alibaba("vpc-q1", &[]).await;
    app.create_alibaba("vpc-q2", &[]).await;
    app.alibaba("CreateFlowLog", &create_params("vpc-q3"))
        .await
        .assert_alibaba_error(400, "QuotaExceeded.FlowlogCount");
    app.alibaba_as(
        ALIBABA_KEY,
        "cn-beijing",
        "CreateFlowLog",
        &create_params("vpc-q3"),
    )
    .await
    .assert_alibaba_ok();
    assert_eq!(app.stored().await.len(), 3);
}

#[tokio::test]
async fn the_default_quota_is_ten_and_zero_lifts_it() {
    let app = TestApp::new().await;
    for i in 0..10 {
        app.create_alibaba(&format!("vpc-{i}"), &[]).await;
    }
    app.alibaba("CreateFlowLog", &create_params("vpc-10"))
        .await
        .assert_alibaba_error(400, "QuotaExceeded.FlowlogCount");
    let unlimited = TestApp::with_flags(&["--alibaba-flow-log-quota", "0"]).await;
    for i in 0..11 {
        unlimited.create_alibaba(&format!("vpc-{i}"), &[]).await;
    }
}
