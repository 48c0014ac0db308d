//! The Huawei face: its paths and create body, its envelopes' assertions, and the tenancy check
//! that runs unsigned (`huawei::vpc`) and signed (`auth`).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};

use super::app::{raw_request, view_path, TestApp, TestResponse};
use super::{LOG_GROUP, LOG_TOPIC, OTHER_PROJECT, PROJECT};

pub fn flow_logs_path(project: &str) -> String {
    format!("/v1/{project}/fl/flow_logs")
}

pub fn flow_log_path(project: &str, id: &str) -> String {
    format!("/v1/{project}/fl/flow_logs/{id}")
}

pub fn create_body(resource_id: &str) -> Value {
    json!({"flow_log": {
        "name": "fl-test",
        "description": "demo",
        "resource_type": "port",
        "resource_id": resource_id,
        "traffic_type": "all",
        "log_group_id": LOG_GROUP,
        "log_topic_id": LOG_TOPIC,
    }})
}

/// A create in `PROJECT` with this content type and these bytes, exactly.
pub fn raw_create(content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    raw_request(Method::POST, &flow_logs_path(PROJECT), content_type, body)
}

/// The ids of a list body, in order.
pub fn ids_of(body: &Value) -> Vec<String> {
    body["flow_logs"]
        .as_array()
        .expect("flow_logs is an array")
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

#[track_caller]
pub fn assert_huawei_request_id(id: &str) {
    assert_eq!(id.len(), 32, "{id}");
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{id}"
    );
}

/// Huawei's times: `YYYY-MM-DDThh:mm:ss`, no zone, no fraction.
#[track_caller]
pub fn assert_time_format(value: &Value) {
    let text = value.as_str().expect("a time is a string");
    assert!(
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok(),
        "{text}"
    );
    assert_eq!(text.len(), 19, "no zone, no fraction: {text}");
}

impl TestResponse {
    /// Asserts a Huawei VPC error `{"code","message"}` and returns its message.
    #[track_caller]
    pub fn assert_vpc_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_huawei_request_id(self.request_id());
        self.body["message"].as_str().expect("message is a string")
    }

    /// Asserts a Huawei gateway error, whose body repeats the request id.
    #[track_caller]
    pub fn assert_gateway_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["error_code"], code, "body: {}", self.body);
        assert!(
            self.body["error_msg"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "body: {}",
            self.body
        );
        assert_eq!(
            self.body["request_id"],
            self.request_id(),
            "body: {}",
            self.body
        );
    }
}

impl TestApp {
    /// Creates a Huawei flow log delivering to the test destination (made to exist first) and
    /// returns its `FlowLogResp`.
    pub async fn create_huawei(&self, project: &str, resource_id: &str) -> Value {
        self.huawei_destination(project).await;
        let response = self
            .post(&flow_logs_path(project), create_body(resource_id))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["flow_log"].clone()
    }

    /// Creates a Huawei flow log and returns its id.
    pub async fn create_huawei_id(&self, project: &str, resource_id: &str) -> String {
        self.create_huawei(project, resource_id).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Lists `PROJECT`'s flow logs with `query` (`name=x&limit=2`).
    pub async fn list_huawei(&self, query: &str) -> TestResponse {
        self.get(&format!("{}?{query}", flow_logs_path(PROJECT)))
            .await
    }
}

/// A flow log of `PROJECT` is out of `OTHER_PROJECT`'s reach: list (by id, by marker), show,
/// update, delete, and the control API's view by tenant. Run unsigned (`huawei::vpc`) and
/// signed (`auth`).
pub async fn assert_projects_never_see_each_other(app: &TestApp) {
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    assert_eq!(
        app.get(&flow_logs_path(OTHER_PROJECT)).await.body,
        json!({"flow_logs": []})
    );
    let by_id = format!("{}?id={id}", flow_logs_path(OTHER_PROJECT));
    assert_eq!(app.get(&by_id).await.body, json!({"flow_logs": []}));
    let marker = format!("{}?marker={id}", flow_logs_path(OTHER_PROJECT));
    assert_eq!(app.get(&marker).await.body, json!({"flow_logs": []}));
    let other = flow_log_path(OTHER_PROJECT, &id);
    app.get(&other).await.assert_vpc_error(404, "VPC.3002");
    app.put(&other, json!({"flow_log": {"admin_state": false}}))
        .await
        .assert_vpc_error(404, "VPC.3005");
    app.delete(&other).await.assert_vpc_error(404, "VPC.3005");
    let mine = app.get(&flow_log_path(PROJECT, &id)).await;
    assert_eq!(
        mine.body["flow_log"]["status"], "ACTIVE",
        "untouched by the other project"
    );
    assert_eq!(
        app.get(&view_path("huawei", OTHER_PROJECT)).await.body,
        json!({"flow_logs": []})
    );
    let mine = app.get(&view_path("huawei", PROJECT)).await.body;
    assert_eq!(mine["flow_logs"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["flow_logs"][0]["id"], id.as_str());
}
