//! `GET /metrics`: Prometheus text with the cloud requests (by face, product, operation and
//! status, and their latency), the stored resources by provider, kind and status, fault-rule
//! firings, records delivered and the database pools; open without the control token.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::*;

/// The scrape's text.
async fn scrape(app: &TestApp) -> String {
    let response = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text()
}

/// The value of the sample `name{labels}` (labels as the exposition writes them).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
}

#[tokio::test]
async fn requests_are_counted_by_face_product_operation_and_status() {
    let app = TestApp::new().await;
    app.list_huawei("").await;
    app.list_huawei("").await;
    app.get(&flow_log_path(PROJECT, "no-such-flow-log")).await;
    app.alibaba("DescribeFlowLogs", &[])
        .await
        .assert_alibaba_ok();
    app.get("/_flowplane/flow-logs").await;

    let text = scrape(&app).await;
    let huawei = r#"face="huawei",product="vpc",operation="ListFlowLogs""#;
    assert_eq!(
        sample(
            &text,
            &format!(r#"flowplane_requests_total{{{huawei},status="200"}}"#)
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"flowplane_requests_total{face="huawei",product="vpc",operation="ShowFlowLog",status="404"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"flowplane_requests_total{face="alibaba",product="vpc",operation="DescribeFlowLogs",status="200"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("flowplane_request_duration_seconds_count{{{huawei}}}")
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!(r#"flowplane_request_duration_seconds_bucket{{le="+Inf",{huawei}}}"#)
        ),
        Some(2.0),
        "{text}"
    );
    assert!(
        !text.contains(r#"face="control""#),
        "the control API is not counted: {text}"
    );
}

#[tokio::test]
async fn the_stored_world_is_read_when_scraped() {
    let app = TestApp::new().await;
    let text = scrape(&app).await;
    assert!(
        !text.contains("flowplane_resources{"),
        "nothing stored: {text}"
    );

    let id = app.create_huawei_id(PROJECT, "port-1").await;
    app.create_alibaba("vpc-metrics", &[]).await;
    let generated = app
        .generate_records(json!({"windows": 1, "flow_log_id": id}))
        .await;
    let delivered = generated["records"].as_f64().unwrap();
    assert!(delivered > 0.0);
    app.post(
        "/_flowplane/faults",
        json!({"face": "huawei", "operation": "ListFlowLogs", "effect": {"throttle": true}, "times": 2}),
    )
    .await;
    app.list_huawei("").await;

    let text = scrape(&app).await;
    let resource = |provider: &str, kind: &str, status: &str| {
        sample(
            &text,
            &format!(
                r#"flowplane_resources{{provider="{provider}",kind="{kind}",status="{status}"}}"#
            ),
        )
    };
    for (provider, kind, status, count) in [
        ("huawei", "flow_log", "active", 1.0),
        ("alibaba", "flow_log", "activating", 1.0),
        ("huawei", "log_group", "stored", 1.0),
        ("huawei", "record", "stored", delivered),
    ] {
        assert_eq!(
            resource(provider, kind, status),
            Some(count),
            "{provider} {kind} {status}: {text}"
        );
    }
    assert_eq!(
        sample(&text, "flowplane_records_delivered_total"),
        Some(delivered),
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"flowplane_fault_rule_firings{effect="throttle"}"#),
        Some(1.0),
        "{text}"
    );
    assert!(text.contains("flowplane_database_connections{"), "{text}");

    // Gauges follow the world: a reset empties them; the counter keeps counting.
    app.post_empty("/_flowplane/reset").await;
    let text = scrape(&app).await;
    assert!(!text.contains("flowplane_resources{"), "{text}");
    assert_eq!(
        sample(&text, "flowplane_records_delivered_total"),
        Some(delivered),
        "{text}"
    );
}

#[tokio::test]
async fn the_scrape_needs_no_control_token() {
    let app = TestApp::with_flags(&["--control-token", "metrics-test-token"]).await;
    let text = scrape(&app).await;
    assert!(
        text.contains("# TYPE flowplane_records_delivered counter"),
        "{text}"
    );
    let refused = app.get("/_flowplane/faults").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn transition_lag_and_write_batches_are_observed() {
    // A file (or Postgres) database: writes are grouped on a SQLite file, not in memory.
    let db = TestDb::new().await;
    let app = TestApp::on(&db, &["--transition-delay", "1ms"]).await;
    let text = scrape(&app).await;
    assert_eq!(
        sample(&text, "flowplane_transition_lag_seconds_count"),
        Some(0.0),
        "{text}"
    );
    app.flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-lag"))
        .await
        .unwrap();
    // Completed once it is due: its lag is observed (a tick before that completes nothing).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.app.worker().tick(chrono::Utc::now()).await.unwrap() == 0 {
        assert!(std::time::Instant::now() < deadline, "never came due");
        tokio::task::yield_now().await;
    }
    let text = scrape(&app).await;
    assert_eq!(
        sample(&text, "flowplane_transition_lag_seconds_count"),
        Some(1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            r#"flowplane_transition_lag_seconds_bucket{le="+Inf"}"#
        ) == Some(1.0)
    );
    // A transition completed early by hand has no lag to observe.
    let delayed = app
        .put(
            "/_flowplane/transitions",
            json!({"provider": "alibaba", "kind": "flow_log", "mode": "delay", "delay": "1h"}),
        )
        .await;
    assert_eq!(delayed.status, StatusCode::OK, "{}", delayed.body);
    app.flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-early"))
        .await
        .unwrap();
    let far = chrono::Utc::now() + chrono::Duration::hours(1);
    assert_eq!(app.app.worker().tick(far).await.unwrap(), 1);
    let text = scrape(&app).await;
    assert_eq!(
        sample(&text, "flowplane_transition_lag_seconds_count"),
        Some(1.0),
        "{text}"
    );
    // SQLite groups concurrent writes into shared commits; Postgres commits each on its own.
    let writes = sample(&text, "flowplane_database_write_batch_size_sum");
    let commits = sample(&text, "flowplane_database_write_batch_size_count");
    if suite_backend() == "sqlite" {
        let (writes, commits) = (writes.unwrap(), commits.unwrap());
        assert!(
            writes >= 4.0 && commits >= 1.0 && commits <= writes,
            "{text}"
        );
    } else {
        assert_eq!((writes, commits), (None, None), "{text}");
    }
}
