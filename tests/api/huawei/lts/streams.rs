//! Log streams: create, list (per group and project-wide), TTL update, delete, names, TTLs,
//! quota, tenancy.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

fn streams_of(body: &Value) -> &Vec<Value> {
    body["log_streams"]
        .as_array()
        .expect("log_streams is an array")
}

#[tokio::test]
async fn a_created_stream_is_listed_as_the_sdk_models_it() {
    let app = TestApp::new().await;
    let group = app.create_lts_group(PROJECT, "group").await;
    let created = app
        .post(
            &lts_streams_path(PROJECT, &group),
            json!({"log_stream_name": "lts-stream-01", "ttl_in_days": 7,
                   "tags": [{"key": "team", "value": "net"}], "log_stream_name_alias": "flows"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["log_stream_id"].as_str().unwrap().to_owned();
    assert_eq!(created.body, json!({"log_stream_id": id}));
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    // Without a TTL of its own, a stream keeps its group's: listed as -1.
    let inherits = app.create_lts_stream(PROJECT, &group, "inherits").await;

    let listed = app.get(&lts_streams_path(PROJECT, &group)).await;
    assert_eq!(listed.status, StatusCode::OK);
    let streams = streams_of(&listed.body);
    assert_eq!(streams.len(), 2);
    let creation = streams[0]["creation_time"].as_i64().expect("ms");
    assert_eq!(
        streams[0],
        json!({
            "creation_time": creation,
            "log_stream_id": id,
            "log_stream_name": "lts-stream-01",
            "log_stream_name_alias": "flows",
            "tag": {"_sys_enterprise_project_id": "0", "team": "net"},
            "filter_count": 0,
            "is_favorite": false,
            "whether_log_storage": true,
            "hot_cold_separation": false,
            "ttl_in_days": 7,
        })
    );
    assert_eq!(streams[1]["log_stream_id"], inherits.as_str());
    assert_eq!(streams[1]["ttl_in_days"], -1);
    assert_eq!(
        streams[1]["tag"],
        json!({"_sys_enterprise_project_id": "0"})
    );
    assert!(streams[1].get("log_group_id").is_none());
}

#[tokio::test]
async fn stream_ttls_are_minus_one_or_1_to_365() {
    let app = TestApp::new().await;
    let group = app.create_lts_group(PROJECT, "group").await;
    for (i, good) in [json!(-1), json!(1), json!(365), json!("9")]
        .into_iter()
        .enumerate()
    {
        let response = app
            .post(
                &lts_streams_path(PROJECT, &group),
                json!({"log_stream_name": format!("s{i}"), "ttl_in_days": good}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }
    for bad in [json!(0), json!(366), json!(-2), json!("x"), json!([])] {
        app.post(
            &lts_streams_path(PROJECT, &group),
            json!({"log_stream_name": "bad", "ttl_in_days": bad}),
        )
        .await
        .assert_lts_error(400, "LTS.0009");
    }
    let listed = app.get(&lts_streams_path(PROJECT, &group)).await;
    let ttls: Vec<&Value> = streams_of(&listed.body)
        .iter()
        .map(|s| &s["ttl_in_days"])
        .collect();
    assert_eq!(ttls, [&json!(-1), &json!(1), &json!(365), &json!(9)]);
}

#[tokio::test]
async fn stream_names_are_checked_and_unique_per_group() {
    let app = TestApp::new().await;
    let group = app.create_lts_group(PROJECT, "group").await;
    let other = app.create_lts_group(PROJECT, "other").await;
    // A stream may share its group's name (Terraform's acceptance test does).
    app.create_lts_stream(PROJECT, &group, "group").await;
    for bad in [json!(""), json!("_x"), json!("x."), json!("a b"), json!(5)] {
        app.post(
            &lts_streams_path(PROJECT, &group),
            json!({"log_stream_name": bad}),
        )
        .await
        .assert_lts_error(400, "LTS.0009");
    }
    app.post(
        &lts_streams_path(PROJECT, &group),
        json!({"log_stream_name": "group"}),
    )
    .await
    .assert_lts_error(400, "LTS.0205");
    app.create_lts_stream(PROJECT, &other, "group").await;
    app.post(
        &lts_streams_path(PROJECT, &group),
        json!({"log_stream_name": "eps", "enterprise_project_name": "default"}),
    )
    .await
    .assert_lts_error(400, "LTS.0009");
}

#[tokio::test]
async fn a_stream_needs_an_existing_group_of_the_project() {
    let app = TestApp::new().await;
    let unknown = uuid::Uuid::new_v4().to_string();
    app.post(
        &lts_streams_path(PROJECT, &unknown),
        json!({"log_stream_name": "s"}),
    )
    .await
    .assert_lts_error(400, "LTS.0201");
    app.get(&lts_streams_path(PROJECT, &unknown))
        .await
        .assert_lts_error(400, "LTS.0201");
    app.post(
        &lts_streams_path(PROJECT, "short"),
        json!({"log_stream_name": "s"}),
    )
    .await
    .assert_lts_error(400, "LTS.0011");
    let group = app.create_lts_group(PROJECT, "mine").await;
    app.get(&lts_streams_path(OTHER_PROJECT, &group))
        .await
        .assert_lts_error(400, "LTS.0201");
}

#[tokio::test]
async fn the_stream_ttl_update_answers_with_topic_names() {
    let app = TestApp::new().await;
    let (group, stream) = app.create_lts_destination(PROJECT).await;
    let response = app
        .put(
            &lts_stream_ttl_path(PROJECT, &group, &stream),
            json!({"ttl_in_days": 30}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let creation = response.body["creation_time"].as_i64().unwrap();
    assert_eq!(
        response.body,
        json!({"creation_time": creation, "log_topic_name": "vpc-flow", "log_topic_id": stream, "ttl_in_days": 30})
    );
    let listed = app.get(&lts_streams_path(PROJECT, &group)).await;
    assert_eq!(streams_of(&listed.body)[0]["ttl_in_days"], 30);

    for bad in [
        json!({}),
        json!({"ttl_in_days": 0}),
        json!({"ttl_in_days": -1}),
    ] {
        app.put(&lts_stream_ttl_path(PROJECT, &group, &stream), bad)
            .await
            .assert_lts_error(400, "LTS.0009");
    }
    let other_group = app.create_lts_group(PROJECT, "other").await;
    let unknown = uuid::Uuid::new_v4().to_string();
    app.put(
        &lts_stream_ttl_path(PROJECT, &group, &unknown),
        json!({"ttl_in_days": 3}),
    )
    .await
    .assert_lts_error(400, "LTS.0208");
    app.put(
        &lts_stream_ttl_path(PROJECT, &other_group, &stream),
        json!({"ttl_in_days": 3}),
    )
    .await
    .assert_lts_error(400, "LTS.0208");
    app.put(
        &lts_stream_ttl_path(PROJECT, &unknown, &stream),
        json!({"ttl_in_days": 3}),
    )
    .await
    .assert_lts_error(400, "LTS.0201");
    app.put(
        &lts_stream_ttl_path(OTHER_PROJECT, &group, &stream),
        json!({"ttl_in_days": 3}),
    )
    .await
    .assert_lts_error(400, "LTS.0201");
    // -1 keeps a stream that has no TTL of its own as it is.
    let inherits = app.create_lts_stream(PROJECT, &group, "inherits").await;
    let kept = app
        .put(
            &lts_stream_ttl_path(PROJECT, &group, &inherits),
            json!({"ttl_in_days": -1}),
        )
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(kept.body["ttl_in_days"], -1);
}

#[tokio::test]
async fn a_deleted_stream_is_gone() {
    let app = TestApp::new().await;
    let (group, stream) = app.create_lts_destination(PROJECT).await;
    let keep = app.create_lts_stream(PROJECT, &group, "keep").await;
    app.delete(&lts_stream_path(OTHER_PROJECT, &group, &stream))
        .await
        .assert_lts_error(400, "LTS.0201");
    let deleted = app.delete(&lts_stream_path(PROJECT, &group, &stream)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.raw.is_empty());
    let listed = app.get(&lts_streams_path(PROJECT, &group)).await;
    let ids: Vec<&str> = streams_of(&listed.body)
        .iter()
        .map(|s| s["log_stream_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [keep.as_str()]);
    app.delete(&lts_stream_path(PROJECT, &group, &stream))
        .await
        .assert_lts_error(400, "LTS.0208");
    app.delete(&lts_stream_path(PROJECT, &group, "x"))
        .await
        .assert_lts_error(400, "LTS.0011");
}

#[tokio::test]
async fn the_project_wide_list_filters_by_exact_names() {
    let app = TestApp::new().await;
    let a = app.create_lts_group(PROJECT, "group-a").await;
    let b = app.create_lts_group(PROJECT, "group-b").await;
    let a1 = app.create_lts_stream(PROJECT, &a, "one").await;
    let b1 = app.create_lts_stream(PROJECT, &b, "one").await;
    let b2 = app.create_lts_stream(PROJECT, &b, "two").await;
    app.create_lts_destination(OTHER_PROJECT).await;
    let ids = |body: &Value| -> Vec<(String, String)> {
        streams_of(body)
            .iter()
            .map(|s| {
                (
                    s["log_group_id"].as_str().unwrap().to_owned(),
                    s["log_stream_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let all = app.get(&format!("/v2/{PROJECT}/log-streams")).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        ids(&all.body),
        [
            (a.clone(), a1.clone()),
            (b.clone(), b1.clone()),
            (b.clone(), b2.clone())
        ]
    );
    let by_group = app
        .get(&format!("/v2/{PROJECT}/log-streams?log_group_name=group-b"))
        .await;
    assert_eq!(
        ids(&by_group.body),
        [(b.clone(), b1.clone()), (b.clone(), b2)]
    );
    let by_both = app
        .get(&format!(
            "/v2/{PROJECT}/log-streams?log_group_name=group-b&log_stream_name=one"
        ))
        .await;
    assert_eq!(ids(&by_both.body), [(b.clone(), b1.clone())]);
    let by_stream = app
        .get(&format!("/v2/{PROJECT}/log-streams?log_stream_name=one"))
        .await;
    assert_eq!(ids(&by_stream.body), [(a, a1), (b, b1)]);
    let none = app
        .get(&format!("/v2/{PROJECT}/log-streams?log_group_name=nope"))
        .await;
    assert_eq!(none.body, json!({"log_streams": []}));
}

#[tokio::test]
async fn a_group_holds_at_most_100_streams() {
    let app = TestApp::new().await;
    let group = app.create_lts_group(PROJECT, "full").await;
    for i in 0..100 {
        app.create_lts_stream(PROJECT, &group, &format!("s{i:03}"))
            .await;
    }
    app.post(
        &lts_streams_path(PROJECT, &group),
        json!({"log_stream_name": "one-too-many"}),
    )
    .await
    .assert_lts_error(400, "LTS.0206");
    let other = app.create_lts_group(PROJECT, "roomy").await;
    app.create_lts_stream(PROJECT, &other, "fine").await;
}
