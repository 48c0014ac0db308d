//! The Huawei VPC flow-log API v1: every operation, status code and error code.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn create_returns_200_with_the_full_flow_log() {
    let app = TestApp::new().await;
    let response = app
        .post(&flow_logs_path(PROJECT), create_body("port-1"))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_huawei_request_id(response.request_id());
    let flow_log = &response.body["flow_log"];
    let id = flow_log["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert_eq!(flow_log["name"], "fl-test");
    assert_eq!(flow_log["description"], "demo");
    assert_eq!(flow_log["tenant_id"], PROJECT);
    assert_eq!(flow_log["resource_type"], "port");
    assert_eq!(flow_log["resource_id"], "port-1");
    assert_eq!(flow_log["traffic_type"], "all");
    assert_eq!(flow_log["log_group_id"], LOG_GROUP);
    assert_eq!(flow_log["log_topic_id"], LOG_TOPIC);
    assert_eq!(flow_log["log_store_type"], "lts");
    assert_eq!(flow_log["admin_state"], json!(true));
    assert_eq!(flow_log["status"], "ACTIVE");
    assert_eq!(flow_log["index_enabled"], json!(false));
    assert_time_format(&flow_log["created_at"]);
    assert_eq!(flow_log["created_at"], flow_log["updated_at"]);

    let stored = app.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], id);
    assert_eq!(stored[0]["provider"], "huawei");
    assert_eq!(stored[0]["resource_kind"], "network_interface");
    assert_eq!(stored[0]["status"], "active");
}

#[tokio::test]
async fn create_maps_every_resource_and_traffic_type() {
    let app = TestApp::new().await;
    for (resource_type, traffic_type) in [("port", "accept"), ("network", "reject"), ("vpc", "all")]
    {
        let mut body = create_body(&format!("{resource_type}-1"));
        body["flow_log"]["resource_type"] = json!(resource_type);
        body["flow_log"]["traffic_type"] = json!(traffic_type);
        body["flow_log"]["index_enabled"] = json!(true);
        let response = app.post(&flow_logs_path(PROJECT), body).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        assert_eq!(response.body["flow_log"]["resource_type"], resource_type);
        assert_eq!(response.body["flow_log"]["traffic_type"], traffic_type);
        assert_eq!(response.body["flow_log"]["index_enabled"], json!(true));
    }
}

#[tokio::test]
async fn create_without_optional_fields_shows_empty_strings() {
    let app = TestApp::new().await;
    let mut body = create_body("port-1");
    let object = body["flow_log"].as_object_mut().unwrap();
    object.remove("name");
    object.remove("description");
    let response = app.post(&flow_logs_path(PROJECT), body).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["flow_log"]["name"], "");
    assert_eq!(response.body["flow_log"]["description"], "");
}

#[tokio::test]
async fn create_validation_errors_name_the_field_and_write_nothing() {
    let app = TestApp::new().await;
    let cases: Vec<(&str, Value)> = vec![
        ("resource_type", json!("subnet")),
        ("resource_type", json!("Port")),
        ("traffic_type", json!("allow")),
        ("log_group_id", json!("group-1")),
        ("log_topic_id", json!(false)),
        ("resource_id", json!(42)),
        ("name", json!("n".repeat(65))),
        ("name", json!("bad name")),
        ("description", json!("a < b")),
        ("index_enabled", json!(1)),
    ];
    for (field, value) in cases {
        let mut body = create_body("port-1");
        body["flow_log"][field] = value.clone();
        let response = app.post(&flow_logs_path(PROJECT), body).await;
        let message = response.assert_vpc_error(400, "VPC.3001");
        assert!(message.contains(field), "{field}={value}: {message}");
    }
    for field in [
        "resource_type",
        "resource_id",
        "traffic_type",
        "log_group_id",
        "log_topic_id",
    ] {
        let mut body = create_body("port-1");
        body["flow_log"].as_object_mut().unwrap().remove(field);
        let message = app
            .post(&flow_logs_path(PROJECT), body)
            .await
            .assert_vpc_error(400, "VPC.3001")
            .to_owned();
        assert_eq!(message, format!("{field} is invalid"));
    }
    // What the SDK sends for an empty CreateFlowLogReq().
    app.post(&flow_logs_path(PROJECT), json!({"flow_log": {}}))
        .await
        .assert_vpc_error(400, "VPC.3001");
    assert!(app.stored().await.is_empty());
}

#[tokio::test]
async fn duplicate_content_in_one_project_is_409() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-1").await;
    let response = app
        .post(&flow_logs_path(PROJECT), create_body("port-1"))
        .await;
    let message = response.assert_vpc_error(409, "VPC.3004");
    assert!(
        message.starts_with("Content of flow log is duplicate"),
        "{message}"
    );
    assert!(message.contains("port-1"), "{message}");

    // Any difference in the content, or another project, is not a duplicate.
    let mut other_traffic = create_body("port-1");
    other_traffic["flow_log"]["traffic_type"] = json!("reject");
    assert_eq!(
        app.post(&flow_logs_path(PROJECT), other_traffic)
            .await
            .status,
        StatusCode::OK
    );
    app.create_huawei(OTHER_PROJECT, "port-1").await;
    assert_eq!(app.stored().await.len(), 3);
}

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
        app.service().create(&scope, spec.clone()).await.unwrap();
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

#[tokio::test]
async fn show_returns_the_flow_log_or_the_documented_404s() {
    let app = TestApp::new().await;
    let created = app.create_huawei(PROJECT, "port-1").await;
    let id = created["id"].as_str().unwrap();
    let response = app.get(&flow_log_path(PROJECT, id)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["flow_log"], created);

    let unknown = uuid::Uuid::new_v4().to_string();
    let message = app
        .get(&flow_log_path(PROJECT, &unknown))
        .await
        .assert_vpc_error(404, "VPC.3002")
        .to_owned();
    assert_eq!(message, format!("Flow log {unknown} could not be found."));
    let message = app
        .get(&flow_log_path(PROJECT, "not-a-uuid"))
        .await
        .assert_vpc_error(404, "VPC.3001")
        .to_owned();
    assert_eq!(
        message,
        "resource could not be found, flowlog id is invalid."
    );
}

#[tokio::test]
async fn update_changes_name_description_and_admin_state() {
    let app = TestApp::new().await;
    let created = app.create_huawei(PROJECT, "port-1").await;
    let id = created["id"].as_str().unwrap();
    let before = app.stored().await[0]["updated_at"]
        .as_str()
        .unwrap()
        .to_owned();
    // Stored times have millisecond resolution; step past the creation millisecond.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let body =
        json!({"flow_log": {"name": "fl-renamed", "description": "changed", "admin_state": false}});
    let response = app.put(&flow_log_path(PROJECT, id), body).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let updated = &response.body["flow_log"];
    assert_eq!(updated["name"], "fl-renamed");
    assert_eq!(updated["description"], "changed");
    assert_eq!(updated["admin_state"], json!(false));
    assert_eq!(updated["status"], "DOWN");
    assert_eq!(updated["created_at"], created["created_at"]);
    let stored = app.stored().await;
    assert_eq!(stored[0]["status"], "inactive");
    assert!(
        stored[0]["updated_at"].as_str().unwrap() > before.as_str(),
        "updated_at moves"
    );

    // Terraform always sends admin_state: the state it already has is not an error.
    let again = app
        .put(
            &flow_log_path(PROJECT, id),
            json!({"flow_log": {"admin_state": false}}),
        )
        .await;
    assert_eq!(again.body["flow_log"]["status"], "DOWN");
    assert_eq!(
        again.body["flow_log"]["name"], "fl-renamed",
        "fields not sent are kept"
    );

    let enabled = app
        .put(
            &flow_log_path(PROJECT, id),
            json!({"flow_log": {"admin_state": true}}),
        )
        .await;
    assert_eq!(enabled.body["flow_log"]["status"], "ACTIVE");
    assert_eq!(enabled.body["flow_log"]["admin_state"], json!(true));

    // Immutable fields in the body are ignored.
    let ignored = app
        .put(
            &flow_log_path(PROJECT, id),
            json!({"flow_log": {"resource_type": "vpc"}}),
        )
        .await;
    assert_eq!(ignored.status, StatusCode::OK);
    assert_eq!(ignored.body["flow_log"]["resource_type"], "port");
    assert_eq!(
        app.get(&flow_log_path(PROJECT, id)).await.body["flow_log"]["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn update_errors() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let path = flow_log_path(PROJECT, &id);
    for (body, field) in [
        (json!({"flow_log": {"name": "has space"}}), "name"),
        (json!({"flow_log": {"description": ">"}}), "description"),
        (json!({"flow_log": {"admin_state": "false"}}), "admin_state"),
        (json!({"flow_log": {"name": ["x"]}}), "name"),
        (json!({"name": "x"}), "flow_log"),
    ] {
        let response = app.put(&path, body.clone()).await;
        let message = response.assert_vpc_error(400, "VPC.3001");
        assert!(message.contains(field), "{body}: {message}");
    }
    assert_eq!(
        app.get(&path).await.body["flow_log"]["name"],
        "fl-test",
        "nothing was written"
    );

    let unknown = uuid::Uuid::new_v4().to_string();
    let body = json!({"flow_log": {"name": "x"}});
    let message = app
        .put(&flow_log_path(PROJECT, &unknown), body.clone())
        .await
        .assert_vpc_error(404, "VPC.3005")
        .to_owned();
    assert_eq!(message, format!("Flow log {unknown} could not be found."));
    app.put(&flow_log_path(PROJECT, "nope"), body)
        .await
        .assert_vpc_error(404, "VPC.3001");
}

#[tokio::test]
async fn delete_is_204_then_gone() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let path = flow_log_path(PROJECT, &id);
    let response = app.delete(&path).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert!(response.raw.is_empty());
    assert_huawei_request_id(response.request_id());
    app.get(&path).await.assert_vpc_error(404, "VPC.3002");
    // Terraform reads 404 as "gone": a second delete must be 404, not 400.
    app.delete(&path).await.assert_vpc_error(404, "VPC.3005");
    app.delete(&flow_log_path(PROJECT, "x"))
        .await
        .assert_vpc_error(404, "VPC.3001");
    assert!(app.stored().await.is_empty());
    // The content is free again.
    app.create_huawei(PROJECT, "port-1").await;
}

#[tokio::test]
async fn a_disabled_flow_log_can_be_deleted() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let path = flow_log_path(PROJECT, &id);
    app.put(&path, json!({"flow_log": {"admin_state": false}}))
        .await;
    assert_eq!(app.delete(&path).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn projects_never_see_each_other() {
    assert_projects_never_see_each_other(&TestApp::new().await).await;
}

#[tokio::test]
async fn a_bad_project_id_is_refused() {
    let app = TestApp::new().await;
    // What the SDK sends when no project id was configured.
    let response = app.get("/v1/%7Bproject_id%7D/fl/flow_logs").await;
    assert_eq!(
        response.assert_vpc_error(400, "VPC.3001"),
        "project_id is invalid"
    );
    let long = "a".repeat(65);
    app.post(&flow_logs_path(&long), create_body("p"))
        .await
        .assert_vpc_error(400, "VPC.3001");
    assert!(app.stored().await.is_empty());
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_gateway_404() {
    let app = TestApp::new().await;
    app.get("/v1/x/fl/other")
        .await
        .assert_gateway_error(404, "APIGW.0101");
    app.get("/v2/x")
        .await
        .assert_gateway_error(404, "APIGW.0101");
    app.call(Method::PATCH, &flow_logs_path(PROJECT), None)
        .await
        .assert_gateway_error(404, "APIGW.0101");
    app.call(
        Method::POST,
        &flow_log_path(PROJECT, &uuid::Uuid::new_v4().to_string()),
        Some(json!({})),
    )
    .await
    .assert_gateway_error(404, "APIGW.0101");
}

#[tokio::test]
async fn every_response_has_a_fresh_request_id() {
    let app = TestApp::new().await;
    let a = app.get(&flow_logs_path(PROJECT)).await;
    let b = app.get(&flow_logs_path(PROJECT)).await;
    assert_huawei_request_id(a.request_id());
    assert_ne!(a.request_id(), b.request_id());
}
