//! Logstores: create (the Python SDK's and Terraform's bodies), get, list, update, delete;
//! shards, metering mode and index; codes, name rules, tenancy.

use axum::http::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_logstore_is_created_read_listed_updated_and_deleted() {
    let app = TestApp::new().await;
    app.sls_destination("fl-proj-1", "flowlog").await;

    let got = app
        .sls(Method::GET, Some("fl-proj-1"), "/logstores/flowlog", None)
        .await;
    let logstore = got.assert_sls_ok();
    assert_eq!(logstore["logstoreName"], "flowlog");
    assert_eq!(logstore["ttl"], 7);
    assert_eq!(logstore["shardCount"], 2);
    assert_eq!(logstore["autoSplit"], true);
    assert_eq!(logstore["maxSplitShard"], 64);
    assert_eq!(logstore["appendMeta"], false);
    assert_eq!(logstore["enable_tracking"], false);
    assert_eq!(logstore["telemetryType"], "");
    assert_eq!(logstore["mode"], "standard");
    assert!(logstore["createTime"].is_i64());
    assert!(logstore["lastModifyTime"].is_i64());

    // Terraform's minimal body, with its defaults.
    let created = app
        .sls(
            Method::POST,
            Some("fl-proj-1"),
            "/logstores",
            Some(
                json!({"logstoreName": "tf_store", "shardCount": 3, "ttl": 30,
                        "autoSplit": true, "maxSplitShard": 60, "appendMeta": true,
                        "encrypt_conf": {}, "mode": "standard", "hot_ttl": 7}),
            ),
        )
        .await;
    created.assert_sls_ok();
    let got = app
        .sls(Method::GET, Some("fl-proj-1"), "/logstores/tf_store", None)
        .await;
    assert_eq!(got.body["shardCount"], 3);
    assert_eq!(got.body["appendMeta"], true);
    assert_eq!(got.body["hot_ttl"], 7);

    let listed = app
        .sls(
            Method::GET,
            Some("fl-proj-1"),
            "/logstores?offset=0&size=10",
            None,
        )
        .await;
    let body = listed.assert_sls_ok();
    assert_eq!(body["count"], 2);
    assert_eq!(body["total"], 2);
    let mut names: Vec<&str> = body["logstores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["flowlog", "tf_store"]);
    let filtered = app
        .sls(
            Method::GET,
            Some("fl-proj-1"),
            "/logstores?logstoreName=tf",
            None,
        )
        .await;
    assert_eq!(filtered.body["logstores"], json!(["tf_store"]));

    let updated = app
        .sls(
            Method::PUT,
            Some("fl-proj-1"),
            "/logstores/flowlog",
            Some(
                json!({"logstoreName": "flowlog", "ttl": 90, "shardCount": 2,
                        "enable_tracking": false, "autoSplit": false, "maxSplitShard": 64,
                        "appendMeta": true}),
            ),
        )
        .await;
    updated.assert_sls_ok();
    let got = app
        .sls(Method::GET, Some("fl-proj-1"), "/logstores/flowlog", None)
        .await;
    assert_eq!(got.body["ttl"], 90);
    assert_eq!(got.body["autoSplit"], false);
    assert_eq!(got.body["appendMeta"], true);

    let shards = app
        .sls(
            Method::GET,
            Some("fl-proj-1"),
            "/logstores/flowlog/shards",
            None,
        )
        .await;
    let shards = shards.assert_sls_ok().as_array().unwrap().clone();
    assert_eq!(shards.len(), 2);
    assert_eq!(
        shards[0]["inclusiveBeginKey"],
        "00000000000000000000000000000000"
    );
    assert_eq!(
        shards[0]["exclusiveEndKey"],
        "80000000000000000000000000000000"
    );
    assert_eq!(
        shards[1]["exclusiveEndKey"],
        "ffffffffffffffffffffffffffffffff"
    );
    assert_eq!(shards[1]["status"], "readwrite");
    let metering = app
        .sls(
            Method::GET,
            Some("fl-proj-1"),
            "/logstores/flowlog/meteringmode",
            None,
        )
        .await;
    assert_eq!(metering.assert_sls_ok()["meteringMode"], "ChargeByFunction");
    app.sls(
        Method::GET,
        Some("fl-proj-1"),
        "/logstores/flowlog/index",
        None,
    )
    .await
    .assert_sls_error(400, "IndexConfigNotExist");

    app.sls(
        Method::DELETE,
        Some("fl-proj-1"),
        "/logstores/flowlog",
        None,
    )
    .await
    .assert_sls_ok();
    let message = app
        .sls(Method::GET, Some("fl-proj-1"), "/logstores/flowlog", None)
        .await
        .assert_sls_error(404, "LogStoreNotExist")
        .to_owned();
    assert_eq!(message, "logstore flowlog does not exist");
    // Recreating a deleted name succeeds at once.
    app.create_sls_logstore("fl-proj-1", "flowlog")
        .await
        .assert_sls_ok();
}

#[tokio::test]
async fn logstore_errors_use_sls_codes() {
    let app = TestApp::new().await;
    app.create_sls_logstore("nosuch", "flowlog")
        .await
        .assert_sls_error(404, "ProjectNotExist");
    for (method, path) in [
        (Method::GET, "/logstores/flowlog"),
        (Method::GET, "/logstores"),
        (Method::DELETE, "/logstores/flowlog"),
        (Method::GET, "/logstores/flowlog/index"),
        (Method::GET, "/logstores/flowlog/shards"),
    ] {
        app.sls(method, Some("nosuch"), path, None)
            .await
            .assert_sls_error(404, "ProjectNotExist");
    }
    app.sls_destination("fl-proj-1", "flowlog").await;
    app.create_sls_logstore("fl-proj-1", "flowlog")
        .await
        .assert_sls_error(400, "LogStoreAlreadyExist");
    for (method, path) in [
        (Method::GET, "/logstores/other"),
        (Method::DELETE, "/logstores/other"),
        (Method::GET, "/logstores/other/index"),
        (Method::GET, "/logstores/other/meteringmode"),
    ] {
        app.sls(method, Some("fl-proj-1"), path, None)
            .await
            .assert_sls_error(404, "LogStoreNotExist");
    }
    app.sls(
        Method::PUT,
        Some("fl-proj-1"),
        "/logstores/other",
        Some(json!({"ttl": 3})),
    )
    .await
    .assert_sls_error(404, "LogStoreNotExist");
    for bad in ["a", "_ab", "ab-", "Upper", "a.b", &"a".repeat(64)] {
        app.create_sls_logstore("fl-proj-1", bad)
            .await
            .assert_sls_error(400, "LogStoreInfoInvalid");
    }
    for bad in [
        json!({"logstoreName": "ok1", "ttl": "7"}),
        json!({"logstoreName": "ok1", "ttl": 0}),
        json!({"logstoreName": "ok1", "shardCount": 1000}),
        json!({"logstoreName": "ok1", "autoSplit": "yes"}),
        json!({"logstoreName": "ok1", "maxSplitShard": 257}),
        json!({"logstoreName": "ok1", "mode": "fast"}),
        json!({"logstoreName": 12}),
        json!({}),
    ] {
        app.sls(
            Method::POST,
            Some("fl-proj-1"),
            "/logstores",
            Some(bad.clone()),
        )
        .await
        .assert_sls_error(400, "LogStoreInfoInvalid");
    }
    // A logstore call needs the project in the Host.
    app.sls(Method::GET, None, "/logstores", None)
        .await
        .assert_sls_error(400, "ParameterInvalid");
}

#[tokio::test]
async fn logstores_belong_to_one_account_in_one_region() {
    let app = TestApp::new().await;
    app.sls_destination("fl-proj-1", "flowlog").await;
    app.sls_as(
        OTHER_ALIBABA_KEY,
        REGION,
        Method::GET,
        Some("fl-proj-1"),
        "/logstores/flowlog",
        None,
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    app.sls_as(
        ALIBABA_KEY,
        "cn-beijing",
        Method::GET,
        Some("fl-proj-1"),
        "/logstores",
        None,
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    // Another account may use the same names.
    app.sls_as(
        OTHER_ALIBABA_KEY,
        REGION,
        Method::POST,
        Some("fl-proj-1"),
        "/",
        Some(json!({"projectName": "fl-proj-1"})),
    )
    .await
    .assert_sls_ok();
}
