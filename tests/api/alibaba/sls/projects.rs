//! Projects: create, get, list (offset, size, name filter), update, delete with its logstores;
//! name rules, duplicates, tenancy.

use axum::http::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_project_is_created_read_listed_updated_and_deleted() {
    let app = TestApp::new().await;
    let created = app.create_sls_project("fl-proj-1").await;
    assert_eq!(created.assert_sls_ok(), &serde_json::Value::Null);
    assert_eq!(created.raw, b"");

    let got = app.sls(Method::GET, Some("fl-proj-1"), "/", None).await;
    let project = got.assert_sls_ok();
    assert_eq!(project["projectName"], "fl-proj-1");
    assert_eq!(project["description"], "flow logs");
    assert_eq!(project["status"], "Normal");
    assert_eq!(project["owner"], ALIBABA_KEY);
    assert_eq!(project["region"], REGION);
    assert_eq!(project["dataRedundancyType"], "LRS");
    assert!(project["resourceGroupId"]
        .as_str()
        .unwrap()
        .starts_with("rg-"));
    let created_at: i64 = project["createTime"].as_str().unwrap().parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - created_at).abs() < 60);
    assert!(project["lastModifyTime"].is_string());

    let updated = app
        .sls(
            Method::PUT,
            Some("fl-proj-1"),
            "/",
            Some(json!({"description": "new"})),
        )
        .await;
    updated.assert_sls_ok();
    let got = app.sls(Method::GET, Some("fl-proj-1"), "/", None).await;
    assert_eq!(got.body["description"], "new");

    app.create_sls_project("other-proj").await.assert_sls_ok();
    let listed = app
        .sls(
            Method::GET,
            None,
            "/?offset=0&size=10&resourceGroupId=",
            None,
        )
        .await;
    let body = listed.assert_sls_ok();
    assert_eq!(body["count"], 2);
    assert_eq!(body["total"], 2);
    let names: Vec<&str> = body["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["projectName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"fl-proj-1") && names.contains(&"other-proj"));
    let filtered = app
        .sls(Method::GET, None, "/?projectName=proj-1", None)
        .await;
    assert_eq!(filtered.body["total"], 1);
    assert_eq!(filtered.body["projects"][0]["projectName"], "fl-proj-1");
    let far = app
        .sls(Method::GET, None, "/?offset=18446744073709551615", None)
        .await;
    assert_eq!(far.assert_sls_ok()["count"], 0);
    let paged = app.sls(Method::GET, None, "/?offset=1&size=1", None).await;
    assert_eq!(paged.body["count"], 1);
    assert_eq!(paged.body["total"], 2);

    app.create_sls_logstore("fl-proj-1", "flowlog")
        .await
        .assert_sls_ok();
    let deleted = app.sls(Method::DELETE, Some("fl-proj-1"), "/", None).await;
    deleted.assert_sls_ok();
    app.sls(Method::GET, Some("fl-proj-1"), "/", None)
        .await
        .assert_sls_error(404, "ProjectNotExist");
    // Its logstores went with it: a recreated project starts empty.
    app.create_sls_project("fl-proj-1").await.assert_sls_ok();
    let logstores = app
        .sls(Method::GET, Some("fl-proj-1"), "/logstores", None)
        .await;
    assert_eq!(logstores.assert_sls_ok()["total"], 0);
}

#[tokio::test]
async fn project_errors_use_sls_codes() {
    let app = TestApp::new().await;
    app.create_sls_project("fl-proj-1").await.assert_sls_ok();
    let message = app
        .create_sls_project("fl-proj-1")
        .await
        .assert_sls_error(400, "ProjectAlreadyExist")
        .to_owned();
    assert!(message.contains("fl-proj-1"), "{message}");
    let message = app
        .sls(Method::GET, Some("nosuch"), "/", None)
        .await
        .assert_sls_error(404, "ProjectNotExist")
        .to_owned();
    assert_eq!(message, "The Project does not exist : nosuch");
    app.sls(Method::DELETE, Some("nosuch"), "/", None)
        .await
        .assert_sls_error(404, "ProjectNotExist");
    app.sls(
        Method::PUT,
        Some("nosuch"),
        "/",
        Some(json!({"description": "x"})),
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    for bad in [
        "ab",
        "-abc",
        "abc-",
        "Upper",
        "under_score",
        &"a".repeat(64),
    ] {
        app.create_sls_project(bad)
            .await
            .assert_sls_error(400, "ParameterInvalid");
    }
    for bad in [
        json!({"projectName": 5}),
        json!({"projectName": "abc", "description": []}),
    ] {
        app.sls(Method::POST, Some("abc"), "/", Some(bad))
            .await
            .assert_sls_error(400, "ParameterInvalid");
    }
    app.sls(
        Method::POST,
        Some("abc"),
        "/",
        Some(json!(["not", "an", "object"])),
    )
    .await
    .assert_sls_error(400, "PostBodyInvalid");
    for bad in ["/?size=0", "/?size=501", "/?offset=-1", "/?size=ten"] {
        app.sls(Method::GET, None, bad, None)
            .await
            .assert_sls_error(400, "ParameterInvalid");
    }
}

#[tokio::test]
async fn projects_belong_to_one_account_in_one_region() {
    let app = TestApp::new().await;
    app.create_sls_project("fl-proj-1").await.assert_sls_ok();
    app.sls_as(
        OTHER_ALIBABA_KEY,
        REGION,
        Method::GET,
        Some("fl-proj-1"),
        "/",
        None,
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    app.sls_as(
        ALIBABA_KEY,
        "cn-shanghai",
        Method::GET,
        Some("fl-proj-1"),
        "/",
        None,
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    let listed = app
        .sls_as(OTHER_ALIBABA_KEY, REGION, Method::GET, None, "/", None)
        .await;
    assert_eq!(listed.assert_sls_ok()["total"], 0);
    app.sls_as(
        OTHER_ALIBABA_KEY,
        REGION,
        Method::DELETE,
        Some("fl-proj-1"),
        "/",
        None,
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    app.sls(Method::GET, Some("fl-proj-1"), "/", None)
        .await
        .assert_sls_ok();
}
