//! `GET`/`POST /_flowplane/snapshot` and `--seed`: a snapshot taken, then reset, then imported
//! gives the same answers to the faces' list calls and the same export; scopes, replace and
//! merge; refusals write nothing; seeds load into an empty database only.

use std::path::Path;

use axum::http::{Method, StatusCode};
use flowplane::app::App;
use serde_json::{json, Value};

use crate::control_reset::{world, Tenant};
use crate::support::*;

const SNAPSHOT: &str = "/_flowplane/snapshot";

async fn export(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("{SNAPSHOT}{query}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["format"], "flowplane-snapshot");
    assert_eq!(response.body["version"], 1);
    response.body
}

async fn import(app: &TestApp, query: &str, snapshot: &Value) -> TestResponse {
    app.post(&format!("{SNAPSHOT}{query}"), snapshot.clone())
        .await
}

/// A snapshot without its time, to compare two of them.
fn timeless(mut snapshot: Value) -> Value {
    snapshot
        .as_object_mut()
        .expect("a snapshot is an object")
        .remove("taken_at");
    snapshot
}

fn rows<'a>(snapshot: &'a Value, section: &str) -> &'a Vec<Value> {
    snapshot[section]
        .as_array()
        .unwrap_or_else(|| panic!("no section {section} in {snapshot}"))
}

/// A body without the request ids every answer has its own of.
fn without_request_ids(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(key, _)| key != "request_id" && key != "RequestId")
                .map(|(key, value)| (key, without_request_ids(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_request_ids).collect()),
        other => other,
    }
}

/// The first difference between two JSON values, as a path and the two values there.
fn first_difference(path: &str, left: &Value, right: &Value) -> Option<String> {
    match (left, right) {
        (Value::Object(l), Value::Object(r)) => {
            for key in l.keys().chain(r.keys()) {
                let (a, b) = (
                    l.get(key).unwrap_or(&Value::Null),
                    r.get(key).unwrap_or(&Value::Null),
                );
                if let Some(found) = first_difference(&format!("{path}.{key}"), a, b) {
                    return Some(found);
                }
            }
            None
        }
        (Value::Array(l), Value::Array(r)) if l.len() == r.len() => l
            .iter()
            .zip(r)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(&format!("{path}[{i}]"), a, b)),
        _ if left == right => None,
        _ => {
            let cut = |v: &Value| v.to_string().chars().take(300).collect::<String>();
            Some(format!("{path}: {} != {}", cut(left), cut(right)))
        }
    }
}

/// Two lists of answers (or two snapshots) are the same, or the test says where they differ.
#[track_caller]
fn assert_same(left: &Value, right: &Value) {
    if let Some(difference) = first_difference("", left, right) {
        panic!("they differ at {difference}");
    }
}

/// The cloud faces' answers, without the control API's views.
fn faces_only(mut answers: Value) -> Value {
    answers
        .as_object_mut()
        .unwrap()
        .retain(|key, _| !key.starts_with("/_flowplane/"));
    answers
}

fn as_json(answers: Vec<(String, Value)>) -> Value {
    Value::Object(answers.into_iter().collect())
}

/// What the faces' list calls (and the control API's views) answer about the world.
async fn answers(app: &TestApp, tenants: &[Tenant]) -> Value {
    let mut answers = Vec::new();
    for tenant in tenants.iter().filter(|t| t.provider == "huawei") {
        let project = &tenant.id;
        for path in [
            flow_logs_path(project),
            format!("/v1/{project}/vpcs"),
            format!("/v1/{project}/subnets"),
            lts_groups_path(project),
        ] {
            let response = app.get(&path).await;
            assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
            answers.push((path, without_request_ids(response.body)));
        }
    }
    for key in [ALIBABA_KEY, OTHER_ALIBABA_KEY] {
        for action in ["DescribeFlowLogs", "DescribeVpcs", "DescribeVSwitches"] {
            let response = app.alibaba_as(key, REGION, action, &[]).await;
            response.assert_alibaba_ok();
            answers.push((
                format!("{key} {action}"),
                without_request_ids(response.body),
            ));
        }
    }
    for path in [
        "/_flowplane/flow-logs",
        "/_flowplane/records?limit=1000",
        "/_flowplane/transitions",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
        answers.push((path.to_owned(), without_request_ids(response.body)));
    }
    as_json(answers)
}

#[tokio::test]
async fn a_snapshot_taken_reset_and_imported_gives_the_same_answers() {
    let app = TestApp::new().await;
    let tenants = world(&app).await;
    // A setting, and a flow log whose transition is pending under it: both come back.
    let response = app
        .put(
            "/_flowplane/transitions",
            json!({"provider": "alibaba", "kind": "flow_log", "mode": "manual"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let vpc = app.create_alibaba_vpc("172.16.0.0/16").await;
    let pending = app.create_alibaba_on("VPC", &vpc).await;
    assert_eq!(app.alibaba_status(&pending).await.unwrap(), "Activating");

    let before = answers(&app, &tenants).await;
    let snapshot = export(&app, "?records=true").await;
    assert_eq!(rows(&snapshot, "flow_logs").len(), 5, "{snapshot}");
    assert_eq!(rows(&snapshot, "network_resources").len(), 8);
    assert_eq!(rows(&snapshot, "network_resource_tags").len(), 2);
    assert_eq!(rows(&snapshot, "flow_log_tags").len(), 1);
    assert_eq!(rows(&snapshot, "log_groups").len(), 4);
    assert_eq!(rows(&snapshot, "log_streams").len(), 4);
    assert_eq!(rows(&snapshot, "service_activations").len(), 1);
    assert_eq!(rows(&snapshot, "transition_settings").len(), 1);
    assert!(!rows(&snapshot, "records").is_empty());
    assert_eq!(
        snapshot["scope"],
        json!({"provider": null, "tenant": null, "region": null})
    );
    // Without records=true, no records.
    assert!(export(&app, "").await.get("records").is_none());

    let response = app.post_empty("/_flowplane/reset").await;
    assert_eq!(response.status, StatusCode::OK);
    let response = app.delete("/_flowplane/transitions").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_ne!(answers(&app, &tenants).await, before);

    let response = import(&app, "", &snapshot).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["mode"], "replace");
    assert_eq!(response.body["imported"]["flow_logs"], 5);
    assert_eq!(response.body["imported"]["transition_settings"], 1);
    assert_same(&answers(&app, &tenants).await, &before);
    assert_same(
        &timeless(export(&app, "?records=true").await),
        &timeless(snapshot.clone()),
    );

    // Replacing the world with itself changes nothing.
    let response = import(&app, "?mode=replace", &snapshot).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["deleted"]["flow_logs"], 5);
    assert_same(&answers(&app, &tenants).await, &before);

    // The pending transition is still pending, and completes as before.
    assert_eq!(app.alibaba_status(&pending).await.unwrap(), "Activating");
    app.tick_all().await;
    assert_eq!(app.alibaba_status(&pending).await.unwrap(), "Active");
}

#[tokio::test]
async fn an_export_holds_its_scope_only() {
    let app = TestApp::new().await;
    let tenants = world(&app).await;

    let huawei = export(&app, "?provider=huawei").await;
    assert_eq!(huawei["scope"]["provider"], "huawei");
    assert_eq!(rows(&huawei, "flow_logs").len(), 2);
    assert_eq!(rows(&huawei, "network_resources").len(), 4);
    assert!(huawei.get("transition_settings").is_some());
    for (name, section) in huawei.as_object().unwrap() {
        for row in section.as_array().into_iter().flatten() {
            assert_eq!(row["provider"], "huawei", "{name}: {row}");
        }
    }

    let account = &tenants[2].id;
    let tenant = export(&app, &format!("?tenant={account}&region={REGION}")).await;
    assert_eq!(tenant["scope"]["tenant"], account.as_str());
    assert_eq!(tenant["scope"]["provider"], "alibaba");
    assert!(
        tenant.get("transition_settings").is_none(),
        "settings are no tenant's"
    );
    assert_eq!(rows(&tenant, "flow_logs").len(), 1);
    assert_eq!(rows(&tenant, "network_resources").len(), 3);
    assert_eq!(rows(&tenant, "network_resource_tags").len(), 2);
    assert_eq!(rows(&tenant, "flow_log_tags").len(), 1);
    for (name, section) in tenant.as_object().unwrap() {
        for row in section.as_array().into_iter().flatten() {
            if let Some(owner) = row.get("tenant_id") {
                assert_eq!(owner, account.as_str(), "{name}: {row}");
            }
        }
    }

    for query in [
        "?region=cn-hangzhou",
        "?provider=aws",
        "?records=maybe",
        "?x=1",
    ] {
        let response = app.get(&format!("{SNAPSHOT}{query}")).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.body["error"]["code"], "InvalidParameter");
    }
}

#[tokio::test]
async fn a_tenant_snapshot_replaces_that_tenant_only() {
    let app = TestApp::new().await;
    let tenants = world(&app).await;
    let account = tenants[2].id.clone();
    let query = format!("?tenant={account}");
    let snapshot = export(&app, &query).await;
    let before = answers(&app, &tenants).await;
    let others = export(&app, "?provider=huawei").await;

    // The tenant changes after the snapshot: a VPC more, its flow log gone.
    app.create_alibaba_vpc("172.16.0.0/16").await;
    let response = app
        .post_empty(&format!(
            "/_flowplane/reset?product=flowlogs&tenant={account}"
        ))
        .await;
    assert_eq!(response.status, StatusCode::OK);

    let response = import(&app, "", &snapshot).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["deleted"]["network_resources"], 4);
    // Every tenant's own answers are as before; the control API's views, across tenants, list
    // the re-imported tenant's rows after the others' now.
    assert_same(
        &faces_only(answers(&app, &tenants).await),
        &faces_only(before),
    );
    assert_same(&timeless(export(&app, &query).await), &timeless(snapshot));
    assert_same(
        &timeless(export(&app, "?provider=huawei").await),
        &timeless(others),
    );
}

#[tokio::test]
async fn merge_refuses_taken_ids_and_adds_beside_what_is_stored() {
    let app = TestApp::new().await;
    let tenants = world(&app).await;
    let huawei = export(&app, "?provider=huawei").await;
    let alibaba = timeless(export(&app, "?provider=alibaba").await);
    let everything = timeless(export(&app, "").await);

    let response = import(&app, "?mode=merge", &huawei).await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
    assert_eq!(response.body["error"]["code"], "Conflict");
    assert!(response.body["request_id"].is_string());
    assert_eq!(timeless(export(&app, "").await), everything);

    let response = app.post_empty("/_flowplane/reset?provider=huawei").await;
    assert_eq!(response.status, StatusCode::OK);
    let response = import(&app, "?mode=merge", &huawei).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["mode"], "merge");
    assert_eq!(response.body["deleted"], json!({}));
    // Each provider holds what it held (the merged rows now list after the others').
    assert_same(
        &timeless(export(&app, "?provider=huawei").await),
        &timeless(huawei),
    );
    assert_same(&timeless(export(&app, "?provider=alibaba").await), &alibaba);
    answers(&app, &tenants).await;
}

#[tokio::test]
async fn a_refused_snapshot_writes_nothing() {
    let app = TestApp::new().await;
    let tenants = world(&app).await;
    let snapshot = export(&app, "").await;
    let tenant = export(&app, &format!("?tenant={}", tenants[2].id)).await;
    let everything = timeless(snapshot.clone());

    let mut newer = snapshot.clone();
    newer["version"] = json!(2);
    let mut other_format = snapshot.clone();
    other_format["format"] = json!("localstack-pod");
    let mut unknown = snapshot.clone();
    unknown["buckets"] = json!([]);
    let mut bad_cidr = snapshot.clone();
    bad_cidr["network_resources"][0]["cidr"] = json!("10.0.0.0/99");
    let mut missing = snapshot.clone();
    missing["flow_logs"][0]
        .as_object_mut()
        .unwrap()
        .remove("status");
    let mut bad_status = snapshot.clone();
    bad_status["flow_logs"][0]["status"] = json!("sleeping");
    let mut orphan_tag = snapshot.clone();
    orphan_tag["flow_logs"] = json!([]);
    // A tenant's snapshot tagging a flow log of another tenant of the same cloud.
    let mut foreign_tag = tenant.clone();
    let other_flow_log = rows(&snapshot, "flow_logs")
        .iter()
        .find(|row| row["provider"] == "alibaba" && row["tenant_id"] != tenants[2].id.as_str())
        .unwrap()["id"]
        .clone();
    foreign_tag["flow_log_tags"][0]["flow_log_id"] = other_flow_log;
    let mut outside = tenant.clone();
    outside["flow_logs"][0]["tenant_id"] = json!("9999");
    let mut settings_in_tenant = tenant.clone();
    settings_in_tenant["transition_settings"] =
        json!([{"provider": "alibaba", "kind": "vpc", "mode": "manual", "delay_ms": null}]);
    let mut duplicate = snapshot.clone();
    let first = duplicate["flow_logs"][0].clone();
    duplicate["flow_logs"].as_array_mut().unwrap().push(first);

    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "",
            newer,
            StatusCode::BAD_REQUEST,
            "snapshot format version 2 is newer than this Flowplane supports (1)",
        ),
        (
            "",
            other_format,
            StatusCode::BAD_REQUEST,
            "not a Flowplane snapshot",
        ),
        (
            "",
            unknown,
            StatusCode::BAD_REQUEST,
            "unknown snapshot section \"buckets\"",
        ),
        (
            "",
            bad_cidr,
            StatusCode::BAD_REQUEST,
            "network_resources[0]: cidr",
        ),
        (
            "",
            missing,
            StatusCode::BAD_REQUEST,
            "missing field `status`",
        ),
        ("", bad_status, StatusCode::BAD_REQUEST, "flow_logs"),
        ("", orphan_tag, StatusCode::BAD_REQUEST, "flow_log_tags"),
        (
            "",
            foreign_tag,
            StatusCode::BAD_REQUEST,
            "which the snapshot does not hold",
        ),
        (
            "",
            outside,
            StatusCode::BAD_REQUEST,
            "outside the snapshot's scope",
        ),
        (
            "",
            settings_in_tenant,
            StatusCode::BAD_REQUEST,
            "transition_settings",
        ),
        ("", duplicate, StatusCode::CONFLICT, "flow_logs"),
        (
            "?mode=sideways",
            snapshot.clone(),
            StatusCode::BAD_REQUEST,
            "replace or merge",
        ),
    ];
    for (query, body, status, message) in cases {
        let response = import(&app, query, &body).await;
        assert_eq!(response.status, status, "{message}: {}", response.body);
        let said = response.body["error"]["message"].as_str().unwrap();
        assert!(said.contains(message), "{message:?} not in {said:?}");
        assert_eq!(timeless(export(&app, "").await), everything, "{message}");
    }

    for raw in ["{not json", "[]", ""] {
        let response = app
            .send(raw_request(
                Method::POST,
                SNAPSHOT,
                Some("application/json"),
                raw,
            ))
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{raw:?}");
        assert_eq!(response.body["error"]["code"], "InvalidParameter");
    }
    assert_eq!(timeless(export(&app, "").await), everything);
}

#[tokio::test]
async fn a_snapshot_larger_than_a_cloud_request_is_taken() {
    let app = TestApp::new().await;
    let mut snapshot = export(&app, "").await;
    // 2 MiB of padding in a description: beyond the 1 MiB every other route takes.
    app.create_huawei_id(PROJECT, "port-1").await;
    let mut with_flow_log = export(&app, "").await;
    with_flow_log["flow_logs"][0]["description"] = json!("x".repeat(2 * 1024 * 1024));
    let response = import(&app, "", &with_flow_log).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["imported"]["flow_logs"], 1);
    snapshot["scope"] = json!(null);
    let response = import(&app, "", &snapshot).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(rows(&export(&app, "").await, "flow_logs").len(), 0);
}

fn write(path: &Path, snapshot: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(snapshot).unwrap()).unwrap();
}

#[tokio::test]
async fn a_seed_file_is_loaded_into_an_empty_database() {
    let source = TestApp::new().await;
    let tenants = world(&source).await;
    let snapshot = export(&source, "?records=true").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("world.json");
    write(&file, &snapshot);

    let db = TestDb::private().await;
    let seeded = TestApp::on(&db, &["--seed", file.to_str().unwrap()]).await;
    assert_same(
        &timeless(export(&seeded, "?records=true").await),
        &timeless(snapshot),
    );
    assert_same(
        &answers(&seeded, &tenants).await,
        &answers(&source, &tenants).await,
    );
}

#[tokio::test]
async fn a_seed_directory_is_loaded_file_by_file_in_name_order() {
    let source = TestApp::new().await;
    let tenants = world(&source).await;
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("1-huawei.json"),
        &export(&source, "?provider=huawei&records=true").await,
    );
    write(
        &dir.path().join("2-alibaba.json"),
        &export(&source, "?provider=alibaba&records=true").await,
    );
    std::fs::write(dir.path().join("README.txt"), "not a snapshot").unwrap();

    let db = TestDb::private().await;
    let seeded = TestApp::on(&db, &["--seed", dir.path().to_str().unwrap()]).await;
    assert_same(
        &answers(&seeded, &tenants).await,
        &answers(&source, &tenants).await,
    );
    assert_same(
        &timeless(export(&seeded, "").await),
        &timeless(export(&source, "").await),
    );
}

#[tokio::test]
async fn a_seed_is_not_loaded_into_a_database_that_holds_something() {
    let source = TestApp::new().await;
    world(&source).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("world.json");
    write(&file, &export(&source, "").await);

    let db = TestDb::new().await;
    let first = TestApp::on(&db, &[]).await;
    first.create_huawei_id(PROJECT, "port-1").await;
    let held = timeless(export(&first, "").await);
    first.stop().await;

    let second = TestApp::on(&db, &["--seed", file.to_str().unwrap()]).await;
    assert_eq!(timeless(export(&second, "").await), held);
}

#[tokio::test]
async fn a_bad_seed_stops_the_start_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.json");
    std::fs::write(
        &newer,
        r#"{"format": "flowplane-snapshot", "version": 7, "flow_logs": []}"#,
    )
    .unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let missing = dir.path().join("missing.json");
    let cases = [
        (
            newer.clone(),
            "snapshot format version 7 is newer than this Flowplane supports (1)",
        ),
        (empty, "holds no *.json snapshot"),
        (missing, "cannot read"),
    ];
    for (path, reason) in cases {
        let db = TestDb::private().await;
        let args = serve_args(db.url(), &["--seed", path.to_str().unwrap()]);
        let err = match App::build(&args).await {
            Ok(_) => panic!("{} was accepted", path.display()),
            Err(err) => err.to_string(),
        };
        assert!(err.contains(reason), "{reason:?} not in {err:?}");
        assert!(err.contains(path.to_str().unwrap()), "{err}");
    }
}

#[tokio::test]
async fn fault_rules_travel_in_a_snapshot_of_everything_only() {
    let app = TestApp::new().await;
    let added = app
        .post(
            "/_flowplane/faults",
            json!({"face": "huawei", "operation": "ListFlowLogs", "effect": {"throttle": true},
                   "times": 3}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    app.list_huawei("")
        .await
        .assert_gateway_error(429, "APIGW.0308");
    let stuck = app
        .post(
            "/_flowplane/faults",
            json!({"face": "alibaba", "kind": "vpc", "effect": {"stuck": true}}),
        )
        .await;
    assert_eq!(stuck.status, StatusCode::CREATED, "{}", stuck.body);

    let everything = export(&app, "").await;
    let rules = rows(&everything, "fault_rules");
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["id"], added.body["id"], "in matching order");
    assert_eq!(
        (rules[0]["remaining"].clone(), rules[0]["fired"].clone()),
        (json!(2), json!(1))
    );
    assert!(
        export(&app, "?provider=huawei")
            .await
            .get("fault_rules")
            .is_none(),
        "a rule may match any provider: only a snapshot of everything holds them"
    );

    // Gone, then back with their counters, and applied at once.
    assert_eq!(
        app.delete("/_flowplane/faults").await.status,
        StatusCode::OK
    );
    assert_eq!(app.list_huawei("").await.status, StatusCode::OK);
    let imported = import(&app, "", &everything).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert_eq!(imported.body["imported"]["fault_rules"], 2);
    let listed = app.get("/_flowplane/faults").await.body;
    assert_eq!(listed["faults"][0]["remaining"], 2, "{listed}");
    app.list_huawei("")
        .await
        .assert_gateway_error(429, "APIGW.0308");
    assert_eq!(
        timeless(export(&app, "").await)["fault_rules"][1],
        timeless(everything.clone())["fault_rules"][1]
    );

    // A rule that the fault service would refuse is refused in a snapshot too.
    let mut bad = everything.clone();
    bad["fault_rules"][1]["kind"] = json!("vpc");
    bad["fault_rules"][1]["provider"] = json!("huawei");
    bad["fault_rules"][1]["effect"] = json!("fail");
    let refused = import(&app, "", &bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    // A provider's snapshot cannot carry rules.
    let mut scoped = export(&app, "?provider=huawei").await;
    scoped["fault_rules"] = everything["fault_rules"].clone();
    let refused = import(&app, "", &scoped).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(
        app.get("/_flowplane/faults").await.body["faults"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
