//! The Alibaba RPC face: every action, parameter rule, error code and transition, with the
//! worker driven by the control API's tick.

use axum::http::Method;
use serde_json::Value;

use crate::support::*;

/// Parameters and what a request with them is expected to list.
type FilterCase<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a String>);

#[tokio::test]
async fn create_then_describe_gives_every_field_as_the_models_type_it() {
    let app = TestApp::new().await;
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
async fn the_region_must_be_given_and_look_like_one() {
    let app = TestApp::new().await;
    let query = "Action=DescribeFlowLogs&Version=2016-04-28&AccessKeyId=k";
    app.alibaba_raw(Method::POST, query, &[], Vec::new())
        .await
        .assert_alibaba_error(400, "MissingRegionId");
    app.alibaba_raw(
        Method::POST,
        &format!("{query}&RegionId=Mars"),
        &[],
        Vec::new(),
    )
    .await
    .assert_alibaba_error(400, "InvalidRegionId.NotFound");
}

#[tokio::test]
async fn gateway_checks_action_version_and_caller() {
    let app = TestApp::new().await;
    let cases = [
        (
            "Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou",
            404,
            "InvalidAction.NotFound",
        ),
        (
            "Action=RunInstances&Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou",
            404,
            "InvalidAction.NotFound",
        ),
        (
            "Action=describeflowlogs&Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou",
            404,
            "InvalidAction.NotFound",
        ),
        (
            "Action=DescribeFlowLogs&AccessKeyId=k&RegionId=cn-hangzhou",
            400,
            "MissingVersion",
        ),
        (
            "Action=DescribeFlowLogs&Version=2014-05-26&AccessKeyId=k&RegionId=cn-hangzhou",
            400,
            "InvalidVersion",
        ),
        (
            "Action=DescribeFlowLogs&Version=2016-04-28&RegionId=cn-hangzhou",
            400,
            "MissingAccessKeyId",
        ),
    ];
    for (query, status, code) in cases {
        app.alibaba_raw(Method::POST, query, &[], Vec::new())
            .await
            .assert_alibaba_error(status, code);
    }
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        app.alibaba_raw(method, cases[1].0, &[], Vec::new())
            .await
            .assert_alibaba_error(404, "InvalidAction.NotFound");
    }
    // GET works as POST does.
    app.alibaba_raw(
        Method::GET,
        "Action=DescribeFlowLogs&Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou",
        &[],
        Vec::new(),
    )
    .await
    .assert_alibaba_ok();
}

#[tokio::test]
async fn v3_calls_carry_action_version_and_credential_in_headers() {
    let app = TestApp::new().await;
    let v3 = |action: &'static str| {
        [
            ("x-acs-action", action),
            ("x-acs-version", "2016-04-28"),
            (
                "authorization",
                "ACS3-HMAC-SHA256 Credential=LTAIv3account,SignedHeaders=host;x-acs-action,Signature=00",
            ),
        ]
    };
    let created = app
        .alibaba_raw(
            Method::POST,
            "RegionId=cn-hangzhou&ResourceType=VPC&ResourceId=vpc-v3&TrafficType=All&ProjectName=flowlogproject&LogStoreName=flowlogstore",
            &v3("CreateFlowLog"),
            Vec::new(),
        )
        .await;
    let id = created.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The credential named the account: the V3 caller sees it, the default test account does not.
    let listed = app
        .alibaba_raw(
            Method::POST,
            "RegionId=cn-hangzhou",
            &v3("DescribeFlowLogs"),
            Vec::new(),
        )
        .await;
    assert_eq!(described_ids(listed.assert_alibaba_ok()), vec![id.clone()]);
    assert_eq!(app.describe_alibaba(&id).await, None);
}

#[tokio::test]
async fn form_bodies_merge_with_the_query_and_decode_plus_as_space() {
    let app = TestApp::new().await;
    let query = "Action=CreateFlowLog&Version=2016-04-28&AccessKeyId=LTAItestaccount0001&RegionId=cn-hangzhou";
    let body = "ResourceType=VPC&ResourceId=vpc-form&TrafficType=All&ProjectName=flowlogproject\
                &LogStoreName=flowlogstore&FlowLogName=a+b%2Ac&Tag.1.Key=k&Tag.1.Value=v%20w";
    let created = app
        .alibaba_raw(
            Method::POST,
            query,
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8",
            )],
            body.into(),
        )
        .await;
    let id = created.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(entry["FlowLogName"], "a b*c");
    assert_eq!(entry["Tags"]["Tag"][0]["Value"], "v w");
    // A body of another type carries no parameters.
    app.alibaba_raw(
        Method::POST,
        query,
        &[("content-type", "application/json")],
        body.into(),
    )
    .await
    .assert_alibaba_error(400, "MissingResourceType");
    // A parameter in both places is refused rather than guessed.
    app.alibaba_raw(
        Method::POST,
        query,
        &[FORM],
        b"RegionId=cn-hangzhou".to_vec(),
    )
    .await
    .assert_alibaba_error(400, "InvalidParameter");
    // Bytes that are not UTF-8, in the body or the query.
    app.alibaba_raw(Method::POST, query, &[FORM], b"FlowLogName=\xff".to_vec())
        .await
        .assert_alibaba_error(400, "InvalidParameter");
    app.alibaba_raw(
        Method::POST,
        &format!("{query}&FlowLogName=%FF"),
        &[],
        Vec::new(),
    )
    .await
    .assert_alibaba_error(400, "InvalidParameter");
    assert_eq!(app.stored().await.len(), 1);
}

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
        .assert_alibaba_error(400, "InvalidInstanceId.NotFound");
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
                .assert_alibaba_error(400, "InvalidInstanceId.NotFound");
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
async fn describe_pages_across_three_pages() {
    let app = TestApp::new().await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(app.create_alibaba(&format!("vpc-page{i}"), &[]).await);
    }
    let mut seen = Vec::new();
    for (page, expected) in [("1", 2), ("2", 2), ("3", 1), ("4", 0)] {
        let response = app
            .alibaba(
                "DescribeFlowLogs",
                &[("PageNumber", page), ("PageSize", "2")],
            )
            .await;
        let body = response.assert_alibaba_ok();
        assert_eq!(body["TotalCount"], "5");
        assert_eq!(body["PageNumber"], page);
        assert_eq!(body["PageSize"], "2");
        assert_eq!(described(body).len(), expected, "page {page}");
        seen.extend(described_ids(body));
    }
    assert_eq!(seen, created, "creation order, nothing repeated or lost");
    let all = app.alibaba("DescribeFlowLogs", &[("PageSize", "50")]).await;
    assert_eq!(described_ids(all.assert_alibaba_ok()).len(), 5);
    let far = app
        .alibaba(
            "DescribeFlowLogs",
            &[("PageNumber", "99999999999999999"), ("PageSize", "50")],
        )
        .await;
    assert_eq!(described(far.assert_alibaba_ok()).len(), 0);
    for (param, value) in [
        ("PageSize", "51"),
        ("PageSize", "0"),
        ("PageSize", "-1"),
        ("PageNumber", "0"),
        ("PageNumber", "x"),
    ] {
        app.alibaba("DescribeFlowLogs", &[(param, value)])
            .await
            .assert_alibaba_error(400, "InvalidParameter");
    }
}

#[tokio::test]
async fn describe_filters_match_exactly_and_tags_all_together() {
    let app = TestApp::new().await;
    let a = app
        .create_alibaba(
            "vpc-a",
            &[
                ("FlowLogName", "alpha"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "dev"),
                ("Tag.2.Key", "team"),
                ("Tag.2.Value", "net"),
            ],
        )
        .await;
    let b = app
        .create_alibaba(
            "vpc-b",
            &[
                ("FlowLogName", "beta"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "prod"),
            ],
        )
        .await;
    let eni = app
        .alibaba(
            "CreateFlowLog",
            &[
                ("ResourceType", "NetworkInterface"),
                ("ResourceId", "eni-1"),
                ("TrafficType", "Drop"),
                ("ProjectName", "otherproject"),
                ("LogStoreName", "other_store"),
                ("ResourceGroupId", "rg-x"),
            ],
        )
        .await;
    let c = eni.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.tick_all().await;
    app.alibaba("DeactiveFlowLog", &[("FlowLogId", &b)])
        .await
        .assert_alibaba_ok();

    let cases: Vec<FilterCase> = vec![
        (vec![("FlowLogId", &a)], vec![&a]),
        (vec![("FlowLogId", "fl-unknown")], vec![]),
        (vec![("FlowLogName", "beta")], vec![&b]),
        (vec![("FlowLogName", "bet")], vec![]),
        (vec![("ResourceType", "NetworkInterface")], vec![&c]),
        (vec![("ResourceId", "vpc-a")], vec![&a]),
        (vec![("TrafficType", "Drop")], vec![&c]),
        (vec![("ProjectName", "otherproject")], vec![&c]),
        (vec![("LogStoreName", "flowlogstore")], vec![&a, &b]),
        (vec![("Status", "Deactivating")], vec![&b]),
        (vec![("Status", "Active")], vec![&a, &c]),
        (vec![("VpcId", "vpc-b")], vec![&b]),
        (vec![("ResourceGroupId", "rg-x")], vec![&c]),
        (vec![("Tags.1.Key", "env")], vec![&a, &b]),
        (
            vec![("Tags.1.Key", "env"), ("Tags.1.Value", "dev")],
            vec![&a],
        ),
        (
            vec![("Tags.1.Key", "env"), ("Tags.2.Key", "team")],
            vec![&a],
        ),
        (
            vec![
                ("Tags.1.Key", "team"),
                ("Tags.2.Key", "env"),
                ("Tags.2.Value", "prod"),
            ],
            vec![],
        ),
        (vec![("Tags.1.Key", "nope")], vec![]),
        (
            vec![("FlowLogName", "alpha"), ("ResourceId", "vpc-b")],
            vec![],
        ),
    ];
    for (filters, expected) in cases {
        let response = app.alibaba("DescribeFlowLogs", &filters).await;
        let body = response.assert_alibaba_ok();
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(described_ids(body), expected, "{filters:?}");
        assert_eq!(
            body["TotalCount"],
            expected.len().to_string(),
            "{filters:?}"
        );
    }
    for (param, value, code) in [
        ("Status", "Running", "InvalidStatus.Malformed"),
        ("ResourceType", "Port", "OperationUnsupported.ResourceType"),
        ("TrafficType", "any", "InvalidTrafficType.Malformed"),
        ("Tags.1.Value", "x", "MissingTags.1.Key"),
    ] {
        app.alibaba("DescribeFlowLogs", &[(param, value)])
            .await
            .assert_alibaba_error(400, code);
    }
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

#[tokio::test]
async fn tags_are_set_listed_and_removed() {
    let app = TestApp::new().await;
    let a = app
        .create_alibaba("vpc-ta", &[("Tag.1.Key", "env"), ("Tag.1.Value", "dev")])
        .await;
    let b = app.create_alibaba("vpc-tb", &[]).await;
    let both = [
        ("ResourceType", "FLOWLOG"),
        ("ResourceId.1", a.as_str()),
        ("ResourceId.2", b.as_str()),
    ];
    let mut tag = both.to_vec();
    tag.extend([
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "prod"),
        ("Tag.2.Key", "team"),
        ("Tag.2.Value", "net"),
    ]);
    let tagged = app.alibaba("TagResources", &tag).await;
    assert_eq!(
        tagged.assert_alibaba_ok().as_object().unwrap().len(),
        1,
        "only RequestId"
    );

    let listed = app.alibaba("ListTagResources", &both).await;
    let body = listed.assert_alibaba_ok();
    assert_eq!(body["NextToken"], "");
    let rows: Vec<(String, String, String)> = body["TagResources"]["TagResource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["ResourceType"], "FLOWLOG");
            (
                r["ResourceId"].as_str().unwrap().to_owned(),
                r["TagKey"].as_str().unwrap().to_owned(),
                r["TagValue"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |id: &str, k: &str, v: &str| (id.to_owned(), k.to_owned(), v.to_owned());
    assert_eq!(
        rows,
        vec![
            row(&a, "env", "prod"),
            row(&a, "team", "net"),
            row(&b, "env", "prod"),
            row(&b, "team", "net")
        ]
    );

    // Paging with NextToken, and listing by tag.
    let first = app
        .alibaba(
            "ListTagResources",
            &[both[0], both[1], both[2], ("MaxResults", "3")],
        )
        .await;
    let token = first.assert_alibaba_ok()["NextToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        first.body["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let second = app
        .alibaba(
            "ListTagResources",
            &[
                both[0],
                both[1],
                both[2],
                ("MaxResults", "3"),
                ("NextToken", &token),
            ],
        )
        .await;
    assert_eq!(second.assert_alibaba_ok()["NextToken"], "");
    assert_eq!(
        second.body["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let by_tag = app
        .alibaba(
            "ListTagResources",
            &[("ResourceType", "flowlog"), ("Tag.1.Key", "team")],
        )
        .await;
    assert_eq!(
        by_tag.assert_alibaba_ok()["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Removing some keys, then every tag.
    app.alibaba("UnTagResources", &[both[0], both[1], ("TagKey.1", "team")])
        .await
        .assert_alibaba_ok();
    let entry = app.describe_alibaba(&a).await.unwrap();
    assert_eq!(
        entry["Tags"]["Tag"],
        serde_json::json!([{"Key": "env", "Value": "prod"}])
    );
    app.alibaba(
        "UnTagResources",
        &[both[0], both[1], both[2], ("All", "True")],
    )
    .await
    .assert_alibaba_ok();
    assert_eq!(
        app.describe_alibaba(&b).await.unwrap()["Tags"]["Tag"],
        serde_json::json!([])
    );
    assert_eq!(
        app.describe_alibaba(&a).await.unwrap()["Tags"]["Tag"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn tag_writes_are_all_or_nothing() {
    let app = TestApp::new().await;
    let a = app.create_alibaba("vpc-ta", &[]).await;
    // One unknown resource: nothing is tagged.
    let unknown = [
        ("ResourceType", "FLOWLOG"),
        ("ResourceId.1", a.as_str()),
        ("ResourceId.2", "fl-0000000000aaaaaaaaaa"),
        ("Tag.1.Key", "k"),
    ];
    app.alibaba("TagResources", &unknown)
        .await
        .assert_alibaba_error(400, "InvalidInstanceId.NotFound");
    assert_eq!(
        app.describe_alibaba(&a).await.unwrap()["Tags"]["Tag"],
        serde_json::json!([])
    );

    // Twenty tags fit; a twenty-first is refused and nothing of that request is written.
    let names: Vec<String> = (1..=20).map(|i| format!("Tag.{i}.Key")).collect();
    let keys: Vec<String> = (1..=20).map(|i| format!("k{i:02}")).collect();
    let mut twenty = vec![("ResourceType", "FLOWLOG"), ("ResourceId.1", a.as_str())];
    twenty.extend(
        names
            .iter()
            .zip(&keys)
            .map(|(n, k)| (n.as_str(), k.as_str())),
    );
    app.alibaba("TagResources", &twenty)
        .await
        .assert_alibaba_ok();
    let one_more = [
        ("ResourceType", "FLOWLOG"),
        ("ResourceId.1", a.as_str()),
        ("Tag.1.Key", "k01"),
        ("Tag.1.Value", "changed"),
        ("Tag.2.Key", "k21"),
    ];
    app.alibaba("TagResources", &one_more)
        .await
        .assert_alibaba_error(400, "QuotaExceeded.TagNum");
    let tags = app.describe_alibaba(&a).await.unwrap()["Tags"]["Tag"].clone();
    assert_eq!(tags.as_array().unwrap().len(), 20);
    assert_eq!(tags[0], serde_json::json!({"Key": "k01", "Value": ""}));

    for (params, code) in [
        (
            vec![("ResourceId.1", a.as_str()), ("Tag.1.Key", "k")],
            "MissingResourceType",
        ),
        (
            vec![
                ("ResourceType", "VPC"),
                ("ResourceId.1", a.as_str()),
                ("Tag.1.Key", "k"),
            ],
            "OperationUnsupported.ResourceType",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("Tag.1.Key", "k")],
            "MissingResourceId.1",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("ResourceId.1", a.as_str())],
            "MissingTag.1.Key",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", a.as_str()),
                ("Tag.1.Key", "aliyun"),
            ],
            "InvalidTagKey.Malformed",
        ),
    ] {
        app.alibaba("TagResources", &params)
            .await
            .assert_alibaba_error(400, code);
    }
    for (params, code) in [
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", a.as_str()),
                ("All", "maybe"),
            ],
            "InvalidParameter",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId.1", a.as_str()),
                ("MaxResults", "51"),
            ],
            "InvalidParameter",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("Tag.1.Key", "k"),
                ("NextToken", "abc"),
            ],
            "InvalidParameter",
        ),
        (vec![("ResourceType", "FLOWLOG")], "MissingParameter"),
    ] {
        let action = if params.iter().any(|(n, _)| *n == "All") {
            "UnTagResources"
        } else {
            "ListTagResources"
        };
        app.alibaba(action, &params)
            .await
            .assert_alibaba_error(400, code);
    }
}

#[tokio::test]
async fn move_resource_group_changes_the_group() {
    let app = TestApp::new().await;
    let id = app.create_alibaba("vpc-rg", &[]).await;
    for resource_type in ["FLOWLOG", "FlowLog"] {
        app.alibaba(
            "MoveResourceGroup",
            &[
                ("ResourceType", resource_type),
                ("ResourceId", &id),
                ("NewResourceGroupId", "rg-new"),
            ],
        )
        .await
        .assert_alibaba_ok();
    }
    assert_eq!(
        app.describe_alibaba(&id).await.unwrap()["ResourceGroupId"],
        "rg-new"
    );
    for (params, code) in [
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId", id.as_str()),
                ("NewResourceGroupId", "new"),
            ],
            "IllegalParam.ResourceGroupId",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("ResourceId", id.as_str())],
            "MissingNewResourceGroupId",
        ),
        (
            vec![("ResourceType", "FLOWLOG"), ("NewResourceGroupId", "rg-1")],
            "MissingResourceId",
        ),
        (
            vec![
                ("ResourceType", "FLOWLOG"),
                ("ResourceId", "fl-0000000000aaaaaaaaaa"),
                ("NewResourceGroupId", "rg-1"),
            ],
            "InvalidInstanceId.NotFound",
        ),
    ] {
        app.alibaba("MoveResourceGroup", &params)
            .await
            .assert_alibaba_error(400, code);
    }
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

#[tokio::test]
async fn format_xml_gives_the_same_data_as_xml() {
    let app = TestApp::new().await;
    let id = app
        .create_alibaba("vpc-xml", &[("FlowLogName", "a<b")])
        .await;
    let response = app.alibaba("DescribeFlowLogs", &[("Format", "XML")]).await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.headers["content-type"], "text/xml;charset=utf-8");
    let xml = response.text();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeFlowLogsResponse>"),
        "{xml}"
    );
    for part in [
        format!("<FlowLogId>{id}</FlowLogId>"),
        "<FlowLogName>a&lt;b</FlowLogName>".into(),
        "<TrafficPath><TrafficPathList>all</TrafficPathList></TrafficPath>".into(),
        "<TotalCount>1</TotalCount>".into(),
        format!("<RequestId>{}</RequestId>", response.request_id()),
    ] {
        assert!(xml.contains(&part), "{part} in {xml}");
    }
    let error = app
        .alibaba(
            "DeleteFlowLog",
            &[("Format", "xml"), ("FlowLogId", "fl-nope")],
        )
        .await;
    assert_eq!(error.status.as_u16(), 400);
    assert_eq!(error.headers["content-type"], "text/xml;charset=utf-8");
    let xml = error.text();
    assert!(
        xml.contains("<Error>") && xml.contains("<Code>InvalidInstanceId.NotFound</Code>"),
        "{xml}"
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
async fn malformed_rpc_requests_never_get_a_5xx() {
    let app = TestApp::new().await;
    let base = "Action=CreateFlowLog&Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou";
    let huge = "x".repeat(2 * 1024 * 1024);
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("%", Vec::new()),
        ("%%%&&&===", Vec::new()),
        ("=&=&Action", Vec::new()),
        (base, b"\x00\x01\x02".to_vec()),
        (base, b"ResourceType=VPC&ResourceId=vpc-\x00".to_vec()),
        (base, b"Tag.1.Key=%F0%28%8C%28".to_vec()),
        (base, huge.into_bytes()),
        (base, b"TrafficPath.18446744073709551616=all".to_vec()),
    ];
    for (query, body) in bodies {
        let response = app.alibaba_raw(Method::POST, query, &[FORM], body).await;
        assert!(
            response.status.is_client_error(),
            "{query}: {}",
            response.body
        );
        assert!(response.body["Code"].is_string(), "{}", response.body);
    }
    assert!(app.stored().await.is_empty());
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
    again.assert_alibaba_error(400, "InvalidInstanceId.NotFound");
}
