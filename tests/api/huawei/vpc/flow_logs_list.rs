//! ListFlowLogs: order, paging by limit and marker, the default limit, exact filters, and the
//! parameters it refuses.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn list_is_empty_then_holds_what_was_created_in_order() {
    let app = TestApp::new().await;
    let response = app.get(&flow_logs_path(PROJECT)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, json!({"flow_logs": []}));
    let mut created = Vec::new();
    for i in 0..4 {
        created.push(app.create_huawei_id(PROJECT, &format!("port-{i}")).await);
    }
    let response = app.get(&flow_logs_path(PROJECT)).await;
    assert_eq!(ids_of(&response.body), created);
    assert_eq!(
        response.body.as_object().unwrap().len(),
        1,
        "no page_info: {}",
        response.body
    );
    assert_eq!(response.body["flow_logs"][0]["status"], "ACTIVE");
}

#[tokio::test]
async fn list_pages_with_limit_and_marker() {
    let app = TestApp::new().await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(app.create_huawei_id(PROJECT, &format!("port-{i}")).await);
    }
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let uri = match &marker {
            Some(marker) => format!("{}?limit=3&marker={marker}", flow_logs_path(PROJECT)),
            None => format!("{}?limit=3", flow_logs_path(PROJECT)),
        };
        let page = ids_of(&app.get(&uri).await.body);
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        pages += 1;
        marker = page.last().cloned();
        seen.extend(page);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created);
    // A marker that names no flow log of this project gives an empty page, never an error.
    let unknown = format!(
        "{}?marker={}",
        flow_logs_path(PROJECT),
        uuid::Uuid::new_v4()
    );
    assert_eq!(app.get(&unknown).await.body, json!({"flow_logs": []}));
}

#[tokio::test]
async fn list_limit_defaults_to_2000() {
    let app = TestApp::new().await;
    let scope = flowplane::domain::TenantScope::huawei_project(PROJECT);
    let mut spec = alibaba_spec("x");
    spec.traffic_paths.clear();
    for i in 0..2001 {
        spec.resource_id = format!("port-{i}");
        app.flow_logs().create(&scope, spec.clone()).await.unwrap();
    }
    assert_eq!(
        ids_of(&app.get(&flow_logs_path(PROJECT)).await.body).len(),
        2000
    );
    assert_eq!(ids_of(&app.list_huawei("limit=0").await.body).len(), 2000);
    assert_eq!(
        ids_of(&app.list_huawei("limit=2001").await.body).len(),
        2001
    );
}

#[tokio::test]
async fn list_filters_are_exact_matches() {
    let app = TestApp::new().await;
    let first = app.create_huawei(PROJECT, "port-a").await;
    let mut body = create_body("net-b");
    body["flow_log"]["resource_type"] = json!("network");
    body["flow_log"]["traffic_type"] = json!("reject");
    body["flow_log"]["name"] = json!("second");
    body["flow_log"]["description"] = json!("other");
    body["flow_log"]["log_group_id"] = json!("11111111-2222-4333-8444-555555555555");
    body["flow_log"]["log_topic_id"] = json!("66666666-7777-4888-9999-000000000000");
    let second = app.post(&flow_logs_path(PROJECT), body).await.body["flow_log"].clone();
    let disabled = app
        .put(
            &flow_log_path(PROJECT, second["id"].as_str().unwrap()),
            json!({"flow_log": {"admin_state": false}}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK);
    let (a, b) = (
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    );

    let cases: Vec<(String, Vec<&String>)> = vec![
        (format!("id={a}"), vec![&a]),
        ("name=second".into(), vec![&b]),
        ("name=fl-test".into(), vec![&a]),
        ("name=fl".into(), vec![]),
        ("description=other".into(), vec![&b]),
        (format!("tenant_id={PROJECT}"), vec![&a, &b]),
        (format!("tenant_id={OTHER_PROJECT}"), vec![]),
        ("resource_type=port".into(), vec![&a]),
        ("resource_type=network".into(), vec![&b]),
        ("resource_type=vpc".into(), vec![]),
        ("resource_id=net-b".into(), vec![&b]),
        ("traffic_type=all".into(), vec![&a]),
        ("traffic_type=reject".into(), vec![&b]),
        (format!("log_group_id={LOG_GROUP}"), vec![&a]),
        (
            "log_topic_id=66666666-7777-4888-9999-000000000000".into(),
            vec![&b],
        ),
        ("log_store_type=lts".into(), vec![&a, &b]),
        ("status=ACTIVE".into(), vec![&a]),
        ("status=DOWN".into(), vec![&b]),
        ("status=ERROR".into(), vec![]),
        ("resource_type=port&traffic_type=reject".into(), vec![]),
        ("resource_id=port-a&resource_id=net-b".into(), vec![&a, &b]),
        ("unknown_param=1".into(), vec![&a, &b]),
    ];
    for (query, expected) in cases {
        let response = app.list_huawei(&query).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.body
        );
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids_of(&response.body), expected, "{query}");
    }
}

#[tokio::test]
async fn bad_list_parameters_are_404_vpc_3001() {
    let app = TestApp::new().await;
    for (query, param) in [
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("limit=99999999999", "limit"),
        ("resource_type=subnet", "resource_type"),
        ("traffic_type=ALL", "traffic_type"),
        ("status=active", "status"),
        ("log_store_type=sls", "log_store_type"),
        ("marker=a&marker=b", "marker"),
    ] {
        let response = app.list_huawei(query).await;
        let message = response.assert_vpc_error(404, "VPC.3001");
        assert_eq!(
            message,
            format!("resource could not be found, {param} is invalid"),
            "{query}"
        );
    }
}
