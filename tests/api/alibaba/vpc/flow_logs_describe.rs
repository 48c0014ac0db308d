//! DescribeFlowLogs: paging, and filters that match exactly.

use crate::support::*;

/// Parameters and what a request with them is expected to list.
type FilterCase<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a String>);

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
