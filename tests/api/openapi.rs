//! The OpenAPI documents are generated from the code (`control::openapi`, `huawei::openapi`,
//! `alibaba::openapi`): the committed files under `openapi/` must be what the code generates,
//! the server serves them, every documented operation exists under the name the router gives
//! it and answers with one of its documented statuses, and the documented fields are the
//! returned ones.

use axum::http::Method;
use flowplane::apidoc::{to_file_text, Document};
use flowplane::control::openapi as docs;
use serde_json::{json, Value};

use crate::support::*;

/// What generates a document.
type Generator = fn() -> Document;

/// Each committed document and the code that generates it.
const DOCUMENTS: [(&str, Generator); 2] = [
    ("openapi/flowplane.json", docs::document),
    ("openapi/alibaba.json", docs::alibaba_document),
];

/// Set to rewrite the committed documents from the code.
const UPDATE: &str = "FLOWPLANE_UPDATE_OPENAPI";

fn generated(generate: Generator) -> String {
    to_file_text(&generate())
}

fn document() -> Value {
    serde_json::from_str(&generated(docs::document)).expect("the document is JSON")
}

#[test]
fn the_committed_documents_are_what_the_code_generates() {
    for (file, generate) in DOCUMENTS {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let text = generated(generate);
        if std::env::var_os(UPDATE).is_some() {
            std::fs::write(&path, &text).expect("the document is written");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            let line = committed
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(text.lines().count()));
            panic!(
                "{file} differs from what the code generates (first at line {}): regenerate it \
                 with `{UPDATE}=1 cargo test --test api openapi` and commit the result",
                line + 1
            );
        }
    }
}

#[tokio::test]
async fn the_documents_are_served_without_the_control_token() {
    let app = TestApp::with_flags(&["--control-token", "secret-token"]).await;
    for (uri, generate) in [
        (
            "/_flowplane/openapi.json",
            docs::document as fn() -> Document,
        ),
        ("/_flowplane/openapi/alibaba.json", docs::alibaba_document),
    ] {
        let response = app.get(uri).await;
        assert_eq!(response.status, 200, "{uri}");
        let expected: Value = serde_json::from_str(&generated(generate)).unwrap();
        assert_eq!(response.body, expected, "{uri}");
        assert_eq!(response.body["openapi"], "3.1.0");
    }
}

/// A path with its parameters filled: the project, the flow log, and well-formed ids of things
/// that do not exist.
fn filled(template: &str, flow_log: &str) -> String {
    let unknown = "00000000-0000-4000-8000-000000000000";
    let mut path = template
        .replace("{project_id}", PROJECT)
        .replace("{flowlog_id}", flow_log)
        .replace("{key}", "k1")
        .replace("{id}", "no-such-rule");
    for name in ["vpc_id", "subnet_id", "port_id", "group_id", "stream_id"] {
        path = path.replace(&format!("{{{name}}}"), unknown);
    }
    assert!(
        !path.contains('{'),
        "a path parameter is not filled: {template}"
    );
    path
}

#[tokio::test]
async fn every_documented_operation_answers_with_a_documented_status_under_its_name() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let doc = document();
    let mut operations = 0;
    let mut huawei = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = filled(template, &id);
        for (method, operation) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let body = matches!(method, Method::POST | Method::PUT).then(|| {
                if template.contains("/fl/flow_logs") {
                    create_body("port-2")
                } else {
                    json!({})
                }
            });
            let response = app.call(method.clone(), &path, body).await;
            let status = response.status.as_u16().to_string();
            assert!(
                operation["responses"].get(&status).is_some(),
                "{method} {template} answered {status}, which the document does not list: {}",
                response.body
            );
            operations += 1;
            if template.starts_with("/_flowplane") || template == "/metrics" {
                continue;
            }
            // The router names the operation as the document does (the request journal says).
            huawei += 1;
            let journal = app
                .get(&format!(
                    "/_flowplane/requests?request_id={}",
                    response.request_id()
                ))
                .await;
            let name = operation
                .get("x-sdk-operation")
                .unwrap_or(&operation["operationId"]);
            assert_eq!(
                &journal.body["requests"][0]["operation"], name,
                "{method} {template}: {}",
                journal.body
            );
        }
    }
    assert!(huawei >= 50, "every Huawei operation: {huawei}");
    assert!(
        operations >= huawei + 15,
        "and the control API's: {operations}"
    );
}

#[test]
fn operation_ids_are_unique_and_links_name_operations() {
    let doc = document();
    let mut ids = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            ids.push(operation["operationId"].as_str().unwrap().to_owned());
        }
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for answer in operation["responses"].as_object().unwrap().values() {
                for link in answer
                    .get("links")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let target = link.1["operationId"].as_str().unwrap();
                    assert!(ids.iter().any(|id| id == target), "a link to {target}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_documented_flow_log_fields_are_what_the_api_returns() {
    let app = TestApp::new().await;
    let created = app.create_huawei(PROJECT, "port-1").await;
    let doc = document();
    let schema = &doc["components"]["schemas"]["FlowLogResp"];
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
}

#[tokio::test]
async fn every_registered_alibaba_action_is_described() {
    let doc: Value = serde_json::from_str(&generated(docs::alibaba_document)).unwrap();
    let products = doc["x-flowplane-rpc"]["products"].as_array().unwrap();
    let names: Vec<(&str, &str)> = products
        .iter()
        .flat_map(|product| {
            let name = product["product"].as_str().unwrap();
            product["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |action| (name, action["name"].as_str().unwrap()))
        })
        .collect();
    for wanted in [
        ("vpc", "CreateFlowLog"),
        ("vpc", "DescribeFlowLogs"),
        ("ecs", "CreateNetworkInterface"),
        ("sts", "AssumeRole"),
    ] {
        assert!(names.contains(&wanted), "{wanted:?} in {names:?}");
    }
    // SLS's operations are paths, named as its gateway names them.
    assert_eq!(
        doc["paths"]["/logstores"]["post"]["operationId"],
        "CreateLogStore"
    );
    // Every registered action answers (not InvalidAction), so the list is the router's.
    let app = TestApp::new().await;
    for product in products {
        let version = product["version"].as_str().unwrap();
        for action in product["actions"].as_array().unwrap() {
            let answer = action["answer"]["$ref"].as_str().expect("a typed answer");
            let schema = answer.rsplit('/').next().unwrap();
            assert!(
                doc["components"]["schemas"].get(schema).is_some(),
                "{answer}"
            );
            let action = action["name"].as_str().unwrap();
            let query = format!(
                "Action={action}&Version={version}&AccessKeyId={ALIBABA_KEY}&RegionId={REGION}"
            );
            let response = app.alibaba_raw(Method::POST, &query, &[], Vec::new()).await;
            assert_ne!(
                response.body["Code"], "InvalidAction.NotFound",
                "{action} {version}: {}",
                response.body
            );
        }
    }
}
