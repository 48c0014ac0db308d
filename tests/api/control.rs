//! The control API: health, reset, the provider-neutral view, tick; the health body and the
//! view of a flow log of each face as snapshots.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::snapshot::*;
use crate::support::*;

#[tokio::test]
async fn health_reports_version_and_backend() {
    let app = TestApp::new().await;
    let response = app.get("/_flowplane/health").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.body,
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "database": suite_backend()})
    );
}

#[tokio::test]
async fn reset_removes_everything_or_one_provider() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    app.create_huawei(OTHER_PROJECT, "port-1").await;
    app.flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap();

    // `deleted` counts every row removed; `by_kind` says which: here two flow logs and the
    // test destination (a group and a stream) of each project.
    let response = app.post_empty("/_flowplane/reset?provider=huawei").await;
    assert_eq!(response.body["deleted"], 6, "{}", response.body);
    assert_eq!(response.body["by_kind"]["flow_logs"], 2);
    assert_eq!(response.body["by_kind"]["log_groups"], 2);
    let stored = app.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["provider"], "alibaba");

    app.create_huawei(PROJECT, "port-1").await;
    let everything = app.post_empty("/_flowplane/reset").await.body;
    assert_eq!(everything["by_kind"]["flow_logs"], 2, "{everything}");
    assert!(app.stored().await.is_empty());
}

#[tokio::test]
async fn bad_control_parameters_are_400() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    for uri in [
        "/_flowplane/reset?provider=aws",
        "/_flowplane/reset?everything=1",
    ] {
        let response = app.post_empty(uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.body["error"]["code"], "InvalidParameter");
    }
    for uri in [
        "/_flowplane/flow-logs?status=ACTIVE",
        "/_flowplane/flow-logs?limit=0",
        "/_flowplane/flow-logs?offset=x",
    ] {
        assert_eq!(app.get(uri).await.status, StatusCode::BAD_REQUEST, "{uri}");
    }
    assert_eq!(
        app.post_empty("/_flowplane/transitions/tick?all=yes")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.stored().await.len(),
        1,
        "a refused reset deletes nothing"
    );
    let missing = app.get("/_flowplane/nothing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["request_id"], missing.request_id());
}

#[tokio::test]
async fn the_view_filters_by_provider_tenant_and_status() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    app.create_huawei(OTHER_PROJECT, "port-2").await;
    let alibaba = app
        .flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap();
    assert_eq!(
        alibaba.status.as_str(),
        "activating",
        "the default transition delay is 1s"
    );

    let count = |body: &serde_json::Value| body["flow_logs"].as_array().unwrap().len();
    assert_eq!(count(&app.get("/_flowplane/flow-logs").await.body), 3);
    assert_eq!(
        count(&app.get("/_flowplane/flow-logs?provider=huawei").await.body),
        2
    );
    assert_eq!(
        count(
            &app.get(&format!("/_flowplane/flow-logs?tenant={OTHER_PROJECT}"))
                .await
                .body
        ),
        1
    );
    let activating = app
        .get("/_flowplane/flow-logs?status=activating")
        .await
        .body;
    assert_eq!(count(&activating), 1);
    let view = &activating["flow_logs"][0];
    assert_eq!(view["provider"], "alibaba");
    assert_eq!(view["tenant_id"], "1234567890123456");
    assert_eq!(view["region_id"], "cn-hangzhou");
    assert_eq!(view["traffic_paths"], json!(["all"]));
    assert_eq!(view["aggregation_interval"], 10);
    assert!(view["due_at"].is_string());
    assert_eq!(
        count(
            &app.get("/_flowplane/flow-logs?status=active&provider=alibaba")
                .await
                .body
        ),
        0
    );
    assert_eq!(
        count(&app.get("/_flowplane/flow-logs?limit=1&offset=1").await.body),
        1
    );
}

#[tokio::test]
async fn tick_completes_due_transitions_and_all_completes_every_one() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    app.flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap();
    app.flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-2"))
        .await
        .unwrap();

    assert_eq!(
        app.post_empty("/_flowplane/transitions/tick").await.body,
        json!({"completed": 0})
    );
    assert_eq!(
        app.post_empty("/_flowplane/transitions/tick?all=true")
            .await
            .body,
        json!({"completed": 2})
    );
    assert_eq!(
        app.post_empty("/_flowplane/transitions/tick?all=true")
            .await
            .body,
        json!({"completed": 0})
    );
    let stored = app.stored().await;
    assert!(
        stored
            .iter()
            .all(|f| f["status"] == "active" && f["due_at"].is_null()),
        "{stored:?}"
    );
}

#[tokio::test]
async fn the_health_body_is_status_version_and_backend() {
    let app = TestApp::new().await;
    let response = app.get("/_flowplane/health").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_body_snapshot!("health", &response.body, {
        ".version" => insta::dynamic_redaction(|value, _| {
            assert_eq!(value.as_str(), Some(env!("CARGO_PKG_VERSION")));
            "[version]"
        }),
        ".database" => insta::dynamic_redaction(|value, _| {
            assert_eq!(value.as_str(), Some(suite_backend()));
            "[backend]"
        }),
    });
}

#[tokio::test]
async fn the_view_shows_a_flow_log_of_each_face_whole() {
    let app = TestApp::new().await;
    let mut huawei = create_body("port-1");
    huawei["flow_log"]["index_enabled"] = json!(true);
    let created = app.post(&flow_logs_path(PROJECT), huawei).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    app.create_alibaba(
        "vpc-1",
        &[
            ("FlowLogName", "ali"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "dev"),
            ("ResourceGroupId", "rg-1"),
        ],
    )
    .await;

    let view = app.get("/_flowplane/flow-logs").await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert_body_snapshot!("view", &view.body, {
        ".flow_logs[0].id" => uuid_v4(),
        ".flow_logs[1].id" => alibaba_id(),
        ".flow_logs[].created_at" => rfc3339_time(),
        ".flow_logs[].updated_at" => rfc3339_time(),
        ".flow_logs[1].due_at" => rfc3339_time(),
    });
}
