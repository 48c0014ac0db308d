//! The OpenAPI document under `openapi/` describes what the router serves: every documented
//! operation exists, and answers with one of its documented statuses.

use axum::http::Method;
use serde_json::{json, Value};

use crate::support::*;

fn document() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/huawei-vpc-flow-logs.json"
    ))
    .expect("the document exists");
    serde_json::from_str(&text).expect("the document is JSON")
}

#[tokio::test]
async fn every_documented_operation_answers_with_a_documented_status() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let doc = document();
    let mut operations = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = template
            .replace("{project_id}", PROJECT)
            .replace("{flowlog_id}", &id);
        for (method, operation) in item
            .as_object()
            .unwrap()
            .iter()
            .filter(|(m, _)| *m != "parameters")
        {
            let method: Method = method.to_uppercase().parse().unwrap();
            let body = matches!(method, Method::POST | Method::PUT).then(|| create_body("port-2"));
            let response = app.call(method.clone(), &path, body).await;
            let status = response.status.as_u16().to_string();
            assert!(
                operation["responses"].get(&status).is_some(),
                "{method} {template} answered {status}, which the document does not list: {}",
                response.body
            );
            operations += 1;
        }
    }
    assert_eq!(operations, 5, "create, list, show, update, delete");
}

#[tokio::test]
async fn the_documented_flow_log_fields_are_what_the_api_returns() {
    let app = TestApp::new().await;
    let created = app.create_huawei(PROJECT, "port-1").await;
    let doc = document();
    let schema = &doc["components"]["schemas"]["FlowLog"];
    let mut documented: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut returned: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    documented.sort_unstable();
    returned.sort_unstable();
    assert_eq!(documented, returned);
    assert_eq!(
        schema["required"].as_array().unwrap().len(),
        returned.len(),
        "every field is always present"
    );
    // ERROR: enabled, but its LTS destination is missing.
    assert_eq!(
        schema["properties"]["status"]["enum"],
        json!(["ACTIVE", "DOWN", "ERROR"])
    );
}
