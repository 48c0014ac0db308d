//! Log groups: create, list, TTL update, delete (taking their streams), names, TTLs, quota,
//! tenancy.

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{json, Value};

use crate::support::auth::{verifying_app, HUAWEI_KEY, LIMITED_KEY};
use crate::support::*;

fn groups_of(body: &Value) -> &Vec<Value> {
    body["log_groups"]
        .as_array()
        .expect("log_groups is an array")
}

#[tokio::test]
async fn a_created_group_is_listed_as_the_sdk_models_it() {
    let app = TestApp::new().await;
    let before = Utc::now().timestamp_millis();
    let created = app
        .post(
            &lts_groups_path(PROJECT),
            json!({"log_group_name": "lts-group-01", "ttl_in_days": 7,
                   "tags": [{"key": "owner", "value": "tf"}], "log_group_name_alias": "alias"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_huawei_request_id(created.request_id());
    let id = created.body["log_group_id"].as_str().unwrap().to_owned();
    assert_eq!(created.body, json!({"log_group_id": id}));
    assert_eq!(id.len(), 36);
    assert!(uuid::Uuid::parse_str(&id).is_ok());

    let listed = app.get(&lts_groups_path(PROJECT)).await;
    assert_eq!(listed.status, StatusCode::OK);
    let groups = groups_of(&listed.body);
    assert_eq!(groups.len(), 1);
    let group = &groups[0];
    let creation = group["creation_time"].as_i64().expect("a number of ms");
    assert!(creation >= before - 1000 && creation <= Utc::now().timestamp_millis());
    assert_eq!(
        group,
        &json!({
            "creation_time": creation,
            "log_group_name": "lts-group-01",
            "log_group_id": id,
            "ttl_in_days": 7,
            "tag": {"_sys_enterprise_project_id": "0", "owner": "tf"},
            "log_group_name_alias": "alias",
        })
    );
}

#[tokio::test]
async fn the_enterprise_project_of_the_query_is_listed_as_a_tag() {
    let app = TestApp::new().await;
    let created = app
        .post(
            &format!("{}?enterprise_project_id=eps-1", lts_groups_path(PROJECT)),
            json!({"log_group_name": "g", "ttl_in_days": 1}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listed = app.get(&lts_groups_path(PROJECT)).await;
    assert_eq!(
        groups_of(&listed.body)[0]["tag"],
        json!({"_sys_enterprise_project_id": "eps-1"})
    );
}

#[tokio::test]
async fn names_follow_lts_rules() {
    let app = TestApp::new().await;
    for good in [
        "tf_test_abc01",
        "a.b-c",
        "A",
        "日志组",
        &"x".repeat(64),
        "-lead",
    ] {
        let response = app
            .post(
                &lts_groups_path(PROJECT),
                json!({"log_group_name": good, "ttl_in_days": 7}),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{good}: {}",
            response.body
        );
    }
    for bad in [
        json!(""),
        json!("_lead"),
        json!(".lead"),
        json!("trail."),
        json!("with space"),
        json!("slash/"),
        json!("x".repeat(65)),
        json!(12),
        json!(null),
    ] {
        app.post(
            &lts_groups_path(PROJECT),
            json!({"log_group_name": bad, "ttl_in_days": 7}),
        )
        .await
        .assert_lts_error(400, "LTS.0009");
    }
    app.post(&lts_groups_path(PROJECT), json!({"ttl_in_days": 7}))
        .await
        .assert_lts_error(400, "LTS.0009");
}

#[tokio::test]
async fn ttl_is_required_and_between_1_and_365_days() {
    let app = TestApp::new().await;
    for (i, good) in [json!(1), json!(365), json!("30")].into_iter().enumerate() {
        let response = app
            .post(
                &lts_groups_path(PROJECT),
                json!({"log_group_name": format!("g{i}"), "ttl_in_days": good}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    for bad in [
        json!(0),
        json!(366),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!(true),
        json!(null),
        json!(1e30),
    ] {
        app.post(
            &lts_groups_path(PROJECT),
            json!({"log_group_name": "bad-ttl", "ttl_in_days": bad}),
        )
        .await
        .assert_lts_error(400, "LTS.0009");
    }
    app.post(
        &lts_groups_path(PROJECT),
        json!({"log_group_name": "no-ttl"}),
    )
    .await
    .assert_lts_error(400, "LTS.0009");
}

#[tokio::test]
async fn tags_are_checked() {
    let app = TestApp::new().await;
    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    for bad in [
        json!([{"key": "_sys_enterprise_project_id", "value": "1"}]),
        json!([{"key": "", "value": "v"}]),
        json!([{"key": "k"}, {"key": "k"}]),
        json!([{"key": "k".repeat(129)}]),
        json!([{"key": "k", "value": "v".repeat(256)}]),
        json!(too_many),
        json!("owner=tf"),
        json!([1]),
    ] {
        app.post(
            &lts_groups_path(PROJECT),
            json!({"log_group_name": "tagged", "ttl_in_days": 7, "tags": bad}),
        )
        .await
        .assert_lts_error(400, "LTS.0009");
    }
}

#[tokio::test]
async fn a_duplicate_name_is_refused_in_the_project_only() {
    let app = TestApp::new().await;
    app.create_lts_group(PROJECT, "same").await;
    let message = app
        .post(
            &lts_groups_path(PROJECT),
            json!({"log_group_name": "same", "ttl_in_days": 30}),
        )
        .await
        .assert_lts_error(400, "LTS.0101")
        .to_owned();
    assert_eq!(
        message,
        "Failed to create log group, the group name has been existed"
    );
    app.create_lts_group(OTHER_PROJECT, "same").await;
    // Names compare case-sensitively.
    app.create_lts_group(PROJECT, "SAME").await;
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_lts_0007() {
    let app = TestApp::new().await;
    for body in [
        "",
        "{",
        "[]",
        "\"x\"",
        "null",
        "{\"log_group_name\": \"a\",}",
    ] {
        let response = app
            .send(raw_request(
                axum::http::Method::POST,
                &lts_groups_path(PROJECT),
                Some("application/json"),
                body,
            ))
            .await;
        response.assert_lts_error(400, "LTS.0007");
    }
}

#[tokio::test]
async fn the_ttl_update_is_a_post_answering_the_group() {
    let app = TestApp::new().await;
    let id = app.create_lts_group(PROJECT, "ttl-group").await;
    let response = app
        .post(&lts_group_path(PROJECT, &id), json!({"ttl_in_days": 30}))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let creation = response.body["creation_time"].as_i64().unwrap();
    assert_eq!(
        response.body,
        json!({"creation_time": creation, "log_group_name": "ttl-group", "log_group_id": id, "ttl_in_days": 30})
    );
    let listed = app.get(&lts_groups_path(PROJECT)).await;
    assert_eq!(groups_of(&listed.body)[0]["ttl_in_days"], 30);
    assert_eq!(groups_of(&listed.body)[0]["creation_time"], creation);

    for bad in [
        json!({}),
        json!({"ttl_in_days": 0}),
        json!({"ttl_in_days": 400}),
    ] {
        app.post(&lts_group_path(PROJECT, &id), bad)
            .await
            .assert_lts_error(400, "LTS.0009");
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    app.post(
        &lts_group_path(PROJECT, &unknown),
        json!({"ttl_in_days": 3}),
    )
    .await
    .assert_lts_error(400, "LTS.0201");
    app.post(
        &lts_group_path(OTHER_PROJECT, &id),
        json!({"ttl_in_days": 3}),
    )
    .await
    .assert_lts_error(400, "LTS.0201");
    app.post(
        &lts_group_path(PROJECT, "not-an-id"),
        json!({"ttl_in_days": 3}),
    )
    .await
    .assert_lts_error(400, "LTS.0011");
}

#[tokio::test]
async fn deleting_a_group_deletes_its_streams_and_their_records() {
    let app = TestApp::new().await;
    let (group, stream) = app.create_lts_destination(PROJECT).await;
    let second = app.create_lts_stream(PROJECT, &group, "second").await;
    let flow_log = app
        .create_huawei_on(PROJECT, &uuid::Uuid::new_v4().to_string(), &group, &stream)
        .await;
    assert!(app.generate_windows(&flow_log, 1).await > 0);
    let scope = flowplane::domain::TenantScope::huawei_project(PROJECT);
    let selection = || flowplane::domain::repository::RecordSelection {
        visibility: flowplane::domain::Visibility::Tenant(&scope),
        destination: Some((&group, &stream)),
        flow_log_id: None,
        from: None,
        to: None,
    };
    assert!(app.records().count(selection()).await.unwrap() > 0);

    let deleted = app.delete(&lts_group_path(PROJECT, &group)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.raw.is_empty());
    assert_huawei_request_id(deleted.request_id());
    assert_eq!(
        groups_of(&app.get(&lts_groups_path(PROJECT)).await.body).len(),
        0
    );
    app.get(&lts_streams_path(PROJECT, &group))
        .await
        .assert_lts_error(400, "LTS.0201");
    let all = app.get(&format!("/v2/{PROJECT}/log-streams")).await;
    assert_eq!(all.body, json!({"log_streams": []}));
    app.delete(&lts_stream_path(PROJECT, &group, &second))
        .await
        .assert_lts_error(400, "LTS.0201");
    assert_eq!(app.records().count(selection()).await.unwrap(), 0);

    app.delete(&lts_group_path(PROJECT, &group))
        .await
        .assert_lts_error(400, "LTS.0201");
}

#[tokio::test]
async fn projects_never_see_each_others_groups() {
    let app = TestApp::new().await;
    let id = app.create_lts_group(PROJECT, "mine").await;
    assert_eq!(
        app.get(&lts_groups_path(OTHER_PROJECT)).await.body,
        json!({"log_groups": []})
    );
    app.delete(&lts_group_path(OTHER_PROJECT, &id))
        .await
        .assert_lts_error(400, "LTS.0201");
    app.post(
        &lts_streams_path(OTHER_PROJECT, &id),
        json!({"log_stream_name": "s"}),
    )
    .await
    .assert_lts_error(400, "LTS.0201");
    assert_eq!(
        groups_of(&app.get(&lts_groups_path(PROJECT)).await.body).len(),
        1
    );
}

#[tokio::test]
async fn an_unfilled_project_is_lts_0001() {
    let app = TestApp::new().await;
    app.get("/v2/%7Bproject_id%7D/groups")
        .await
        .assert_lts_error(403, "LTS.0001");
    app.post(
        "/v2/a%20b/groups",
        json!({"log_group_name": "g", "ttl_in_days": 7}),
    )
    .await
    .assert_lts_error(403, "LTS.0001");
}

#[tokio::test]
async fn a_project_holds_at_most_100_groups() {
    let app = TestApp::new().await;
    for i in 0..100 {
        app.create_lts_group(PROJECT, &format!("g{i:03}")).await;
    }
    app.post(
        &lts_groups_path(PROJECT),
        json!({"log_group_name": "one-too-many", "ttl_in_days": 7}),
    )
    .await
    .assert_lts_error(400, "LTS.0104");
    app.create_lts_group(OTHER_PROJECT, "elsewhere").await;
}

#[tokio::test]
async fn signed_calls_reach_lts_and_unsigned_ones_do_not() {
    let (app, _dir) = verifying_app().await;
    let created = app
        .call_as(
            HUAWEI_KEY,
            axum::http::Method::POST,
            &lts_groups_path(PROJECT),
            Some(json!({"log_group_name": "signed", "ttl_in_days": 7})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listed = app
        .call_as(
            HUAWEI_KEY,
            axum::http::Method::GET,
            &lts_groups_path(PROJECT),
            None,
        )
        .await;
    assert_eq!(groups_of(&listed.body).len(), 1);
    app.get(&lts_groups_path(PROJECT))
        .await
        .assert_gateway_error(401, "APIGW.0301");
    // A key limited to one project may not use another's.
    let other = app
        .call_as(
            LIMITED_KEY,
            axum::http::Method::GET,
            &lts_groups_path(OTHER_PROJECT),
            None,
        )
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST, "{}", other.body);
}

#[tokio::test]
async fn alibaba_log_projects_are_not_lts_groups() {
    let app = TestApp::new().await;
    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    let listed = app.get(&lts_groups_path(PROJECT)).await;
    assert_eq!(listed.body, json!({"log_groups": []}));
    let all = app.get(&format!("/v2/{PROJECT}/log-streams")).await;
    assert_eq!(all.body, json!({"log_streams": []}));
    // An SLS project's id is its name, not an LTS id.
    app.get(&lts_streams_path(PROJECT, SLS_PROJECT))
        .await
        .assert_lts_error(400, "LTS.0011");
}
