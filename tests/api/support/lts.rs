//! Huawei LTS: its paths, LTS's error envelope, and creating groups and streams over the API.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::app::{TestApp, TestResponse};
use super::huawei::{assert_huawei_request_id, flow_logs_path};

pub fn lts_groups_path(project: &str) -> String {
    format!("/v2/{project}/groups")
}

pub fn lts_group_path(project: &str, group: &str) -> String {
    format!("/v2/{project}/groups/{group}")
}

pub fn lts_streams_path(project: &str, group: &str) -> String {
    format!("/v2/{project}/groups/{group}/streams")
}

pub fn lts_stream_path(project: &str, group: &str, stream: &str) -> String {
    format!("/v2/{project}/groups/{group}/streams/{stream}")
}

pub fn lts_stream_ttl_path(project: &str, group: &str, stream: &str) -> String {
    format!("/v2/{project}/groups/{group}/streams-ttl/{stream}")
}

pub fn lts_query_path(project: &str, group: &str, stream: &str) -> String {
    format!("/v2/{project}/groups/{group}/streams/{stream}/content/query")
}

impl TestResponse {
    /// Asserts an LTS error: exactly `{"error_code","error_msg"}`, the request id in the header.
    #[track_caller]
    pub fn assert_lts_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["error_code"], code, "body: {}", self.body);
        assert_eq!(
            self.body.as_object().map(|o| o.len()),
            Some(2),
            "only error_code and error_msg: {}",
            self.body
        );
        assert_huawei_request_id(self.request_id());
        self.body["error_msg"]
            .as_str()
            .expect("error_msg is a string")
    }
}

impl TestApp {
    /// Creates a log group (TTL 7 days) over the API and returns its id.
    pub async fn create_lts_group(&self, project: &str, name: &str) -> String {
        let response = self
            .post(
                &lts_groups_path(project),
                json!({"log_group_name": name, "ttl_in_days": 7}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.body["log_group_id"].as_str().unwrap().to_owned()
    }

    /// Creates a log stream (no TTL of its own) over the API and returns its id.
    pub async fn create_lts_stream(&self, project: &str, group: &str, name: &str) -> String {
        let response = self
            .post(
                &lts_streams_path(project, group),
                json!({"log_stream_name": name}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.body["log_stream_id"].as_str().unwrap().to_owned()
    }

    /// A group and a stream in it, over the API: `(group id, stream id)`.
    pub async fn create_lts_destination(&self, project: &str) -> (String, String) {
        let group = self.create_lts_group(project, "flow-logs").await;
        let stream = self.create_lts_stream(project, &group, "vpc-flow").await;
        (group, stream)
    }

    /// Creates a Huawei flow log of a port delivering to `group`/`stream`; returns its id.
    pub async fn create_huawei_on(
        &self,
        project: &str,
        port: &str,
        group: &str,
        stream: &str,
    ) -> String {
        let response = self
            .post(
                &flow_logs_path(project),
                json!({"flow_log": {
                    "name": "fl-lts",
                    "resource_type": "port",
                    "resource_id": port,
                    "traffic_type": "all",
                    "log_group_id": group,
                    "log_topic_id": stream,
                }}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["flow_log"]["id"].as_str().unwrap().to_owned()
    }

    /// Generates `windows` capture windows of the flow log; returns how many records.
    pub async fn generate_windows(&self, flow_log_id: &str, windows: u32) -> u64 {
        let response = self
            .post(
                "/_flowplane/records/generate",
                json!({"windows": windows, "flow_log_id": flow_log_id}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["records"].as_u64().unwrap()
    }

    /// A `ListLogs` query; asserts 200.
    pub async fn query_lts(&self, project: &str, group: &str, stream: &str, body: Value) -> Value {
        let response = self
            .post(&lts_query_path(project, group, stream), body)
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body
    }
}
