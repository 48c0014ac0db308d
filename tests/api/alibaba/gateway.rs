//! The Alibaba RPC gateway in front of every product: the region, Action and Version, the caller,
//! V3's headers, parameters in the query and in a form body, `Format=XML`, and malformed
//! requests, each refused in the POP envelope; the envelope and the XML form as snapshots.

use axum::http::Method;
use serde_json::{json, Map, Value};

use crate::support::snapshot::*;
use crate::support::*;

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
    assert_eq!(error.status.as_u16(), 404);
    assert_eq!(error.headers["content-type"], "text/xml;charset=utf-8");
    let xml = error.text();
    assert!(
        xml.contains("<Error>") && xml.contains("<Code>InvalidInstanceId.NotFound</Code>"),
        "{xml}"
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

/// The POP error envelope, whole, for an error of the gateway and of the product: its request
/// id (also in `Recommend`) redacted once checked.
#[tokio::test]
async fn errors_answer_the_pop_envelope() {
    let app = TestApp::new().await;
    let cases: [(&str, &str, u16, &str); 4] = [
        (
            "unknown_action",
            "Action=RunInstances&Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou",
            404,
            "InvalidAction.NotFound",
        ),
        (
            "missing_region",
            "Action=DescribeFlowLogs&Version=2016-04-28&AccessKeyId=k",
            400,
            "MissingRegionId",
        ),
        (
            "invalid_parameter",
            "Action=DescribeFlowLogs&Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou&PageSize=51",
            400,
            "InvalidParameter",
        ),
        (
            "unknown_flow_log",
            "Action=DeleteFlowLog&Version=2016-04-28&AccessKeyId=k&RegionId=cn-hangzhou&FlowLogId=fl-nope",
            404,
            "InvalidInstanceId.NotFound",
        ),
    ];
    let mut errors = Map::new();
    for (name, query, status, code) in cases {
        let response = app.alibaba_raw(Method::POST, query, &[], Vec::new()).await;
        response.assert_alibaba_error(status, code);
        let body = scrub_json(&response.body, &[(response.request_id(), "[request_id]")]);
        errors.insert(name.to_owned(), json!({"status": status, "body": body}));
    }
    assert_body_snapshot!("errors", &Value::Object(errors));
}

/// `Format=XML`: a DescribeFlowLogs answer and an error, whole, with the request id, the flow
/// log's id and its creation time replaced.
#[tokio::test]
async fn format_xml_answers_and_errors_snapshot() {
    let app = TestApp::new().await;
    let id = app
        .create_alibaba(
            "vpc-xml",
            &[
                ("FlowLogName", "a<b"),
                ("Description", "\"quoted\" & 'single'"),
                ("TrafficPath.1", "internetGateway"),
                ("TrafficPath.2", "natGateway"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "dev"),
            ],
        )
        .await;
    let entry = app.describe_alibaba(&id).await.unwrap();
    let created_at = entry["CreationTime"].as_str().unwrap().to_owned();

    let response = app.alibaba("DescribeFlowLogs", &[("Format", "XML")]).await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.headers["content-type"], "text/xml;charset=utf-8");
    assert_alibaba_request_id(response.request_id());
    let xml = scrub(
        &response.text(),
        &[
            (response.request_id(), "[request_id]"),
            (&id, "[flow_log_id]"),
            (&created_at, "[time]"),
        ],
    );
    assert_text_snapshot!("describe_flow_logs_xml", xml);

    let error = app
        .alibaba(
            "DeleteFlowLog",
            &[("Format", "XML"), ("FlowLogId", "fl-nope")],
        )
        .await;
    assert_eq!(error.status.as_u16(), 404);
    assert_eq!(error.headers["content-type"], "text/xml;charset=utf-8");
    assert_alibaba_request_id(error.request_id());
    let xml = scrub(&error.text(), &[(error.request_id(), "[request_id]")]);
    assert_text_snapshot!("error_xml", xml);
}
