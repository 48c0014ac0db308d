//! Shared test harness: each `TestApp` gets its own database (in memory unless a file is asked
//! for) and is driven through the router without a socket; the worker is driven by `tick`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use flowplane::app::App;
use flowplane::config::{Cli, Command, ServeArgs};
use flowplane::domain::{
    FlowLogService, LogDestination, NewFlowLog, ResourceKind, TenantScope, TrafficFilter,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const ALIBABA_KEY: &str = "LTAItestaccount0001";
pub const REGION: &str = "cn-hangzhou";
pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub const OTHER_PROJECT: &str = "fedcba9876543210fedcba9876543210";
pub const LOG_GROUP: &str = "05b1c9a6-9b0e-4c5f-8f3a-1d2e3f4a5b6c";
pub const LOG_TOPIC: &str = "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

/// Serve settings as the CLI would parse them from `extra` flags; `--auth off` unless `extra`
/// names an `--auth` (most tests send unsigned requests; `auth.rs` signs them).
pub fn serve_args(database_url: &str, extra: &[&str]) -> ServeArgs {
    let mut argv = vec!["flowplane", "serve", "--database-url", database_url];
    if !extra.contains(&"--auth") {
        argv.extend_from_slice(&["--auth", "off"]);
    }
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv)
        .expect("valid test flags")
        .into_command()
    {
        Command::Serve(args) => args,
        other => panic!("expected serve, got {other:?}"),
    }
}

pub struct TestApp {
    pub app: App,
    router: Router,
    /// Set by [`TestApp::verifying`]: Huawei calls and `alibaba_as` are then signed.
    pub signer: Option<crate::signer::Signer>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub raw: Vec<u8>,
    pub body: Value,
}

impl TestResponse {
    pub fn request_id(&self) -> &str {
        self.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("every response has X-Request-Id")
    }

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

impl TestResponse {
    /// Asserts a POP error envelope with `status` and `code`; returns its message.
    #[track_caller]
    pub fn assert_alibaba_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["Code"], code, "body: {}", self.body);
        assert_eq!(
            self.headers["content-type"], "application/json;charset=utf-8",
            "{}",
            self.body
        );
        let request_id = self.body["RequestId"].as_str().expect("RequestId");
        assert_alibaba_request_id(request_id);
        assert_eq!(self.request_id(), request_id);
        assert_eq!(self.body["HostId"], "vpc.aliyuncs.com");
        assert!(self.body["Recommend"]
            .as_str()
            .is_some_and(|r| r.contains(code) && r.contains(request_id)));
        self.body["Message"].as_str().expect("Message is a string")
    }

    /// Asserts a success body: 200, a RequestId, and never a `Code`.
    #[track_caller]
    pub fn assert_alibaba_ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        assert_alibaba_request_id(self.body["RequestId"].as_str().expect("RequestId"));
        assert!(self.body.get("Code").is_none(), "{}", self.body);
        &self.body
    }
}

/// Alibaba's request ids are uppercase hyphenated UUIDs.
#[track_caller]
pub fn assert_alibaba_request_id(id: &str) {
    let parsed = uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("{id} is a UUID"));
    assert_eq!(id, parsed.hyphenated().to_string().to_uppercase());
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

impl TestApp {
    /// A fresh in-memory database.
    pub async fn new() -> Self {
        Self::with_args(serve_args("sqlite::memory:", &[])).await
    }

    pub async fn with_flags(extra: &[&str]) -> Self {
        Self::with_args(serve_args("sqlite::memory:", extra)).await
    }

    /// A database in `path`, kept across `TestApp`s: a restart is a new `TestApp` on the same file.
    pub async fn on_file(path: &std::path::Path, extra: &[&str]) -> Self {
        Self::with_args(serve_args(&format!("sqlite://{}", path.display()), extra)).await
    }

    pub async fn with_args(args: ServeArgs) -> Self {
        let app = App::build(&args).await.expect("app builds");
        let router = app.router();
        Self {
            app,
            router,
            signer: None,
        }
    }

    pub fn service(&self) -> &FlowLogService {
        self.app.service()
    }

    /// Closes the database, as a stopping process would.
    pub async fn stop(self) {
        self.app.service().store().close().await;
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response
            .into_body()
            .collect()
            .await
            .expect("body reads")
            .to_bytes()
            .to_vec();
        let is_xml = headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/xml"));
        let body = if raw.is_empty() || is_xml {
            Value::Null
        } else {
            serde_json::from_slice(&raw).expect("every body is JSON")
        };
        TestResponse {
            status,
            headers,
            raw,
            body,
        }
    }

    pub async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
        if let Some(signer) = &self.signer {
            if uri.starts_with("/v1/") {
                return self.call_as(&signer.huawei_key, method, uri, body).await;
            }
        }
        let builder = Request::builder().method(method).uri(uri);
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json;charset=utf-8")
                .body(Body::from(serde_json::to_vec(&body).unwrap())),
            None => builder
                .header("content-type", "application/json")
                .body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.call(Method::GET, uri, None).await
    }

    pub async fn post(&self, uri: &str, body: Value) -> TestResponse {
        self.call(Method::POST, uri, Some(body)).await
    }

    pub async fn put(&self, uri: &str, body: Value) -> TestResponse {
        self.call(Method::PUT, uri, Some(body)).await
    }

    pub async fn delete(&self, uri: &str) -> TestResponse {
        self.call(Method::DELETE, uri, None).await
    }

    pub async fn post_empty(&self, uri: &str) -> TestResponse {
        self.call(Method::POST, uri, None).await
    }

    /// Creates a Huawei flow log and returns its `FlowLogResp`.
    pub async fn create_huawei(&self, project: &str, resource_id: &str) -> Value {
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

    /// Calls an Alibaba action as the V1 SDKs do: `POST /` with every parameter in the query,
    /// as the default test account in the default region.
    pub async fn alibaba(&self, action: &str, params: &[(&str, &str)]) -> TestResponse {
        self.alibaba_as(ALIBABA_KEY, REGION, action, params).await
    }

    pub async fn alibaba_as(
        &self,
        access_key_id: &str,
        region: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> TestResponse {
        if self.signer.is_some() {
            return self
                .alibaba_v1_as(access_key_id, region, action, params)
                .await;
        }
        let query = {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query
                .append_pair("Action", action)
                .append_pair("Version", "2016-04-28")
                .append_pair("AccessKeyId", access_key_id)
                .append_pair("RegionId", region);
            for (name, value) in params {
                query.append_pair(name, value);
            }
            query.finish()
        };
        self.alibaba_raw(Method::POST, &query, &[], Vec::new())
            .await
    }

    /// An RPC request exactly as given: raw query, extra headers, raw body.
    pub async fn alibaba_raw(
        &self,
        method: Method,
        query: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(format!("/?{query}"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// Creates an Alibaba flow log on `resource_id` (a `vpc-…`) and returns its id.
    pub async fn create_alibaba(&self, resource_id: &str, extra: &[(&str, &str)]) -> String {
        let mut params = vec![
            ("ResourceType", "VPC"),
            ("ResourceId", resource_id),
            ("TrafficType", "All"),
            ("ProjectName", "flowlogproject"),
            ("LogStoreName", "flowlogstore"),
        ];
        params.extend_from_slice(extra);
        let response = self.alibaba("CreateFlowLog", &params).await;
        response.assert_alibaba_ok();
        response.body["FlowLogId"].as_str().unwrap().to_owned()
    }

    /// The DescribeFlowLogs entry of one flow log, or `None` once it is gone.
    pub async fn describe_alibaba(&self, id: &str) -> Option<Value> {
        let response = self.alibaba("DescribeFlowLogs", &[("FlowLogId", id)]).await;
        response.assert_alibaba_ok();
        response.body["FlowLogs"]["FlowLog"]
            .as_array()
            .expect("FlowLogs.FlowLog is an array")
            .first()
            .cloned()
    }

    pub async fn alibaba_status(&self, id: &str) -> Option<String> {
        self.describe_alibaba(id)
            .await
            .map(|entry| entry["Status"].as_str().unwrap().to_owned())
    }

    /// Completes every pending transition, whatever its due time.
    pub async fn tick_all(&self) {
        let response = self
            .post_empty("/_flowplane/transitions/tick?all=true")
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    }

    /// The control API's view of every stored flow log.
    pub async fn stored(&self) -> Vec<Value> {
        let response = self.get("/_flowplane/flow-logs").await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["flow_logs"].as_array().unwrap().clone()
    }
}

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

pub fn ids_of(body: &Value) -> Vec<String> {
    body["flow_logs"]
        .as_array()
        .expect("flow_logs is an array")
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

/// An Alibaba-shaped spec, for exercising the asynchronous life cycle through the domain service.
pub fn alibaba_spec(resource_id: &str) -> NewFlowLog {
    NewFlowLog {
        name: Some("ali".into()),
        description: None,
        resource_kind: ResourceKind::Vpc,
        resource_id: resource_id.into(),
        traffic_filter: TrafficFilter::All,
        traffic_paths: vec!["all".into()],
        aggregation_interval: Some(10),
        ip_version: Some("IPv4".into()),
        log_format: None,
        destination: LogDestination {
            group: "sls-project".into(),
            topic: "sls-logstore".into(),
        },
        index_enabled: false,
        resource_group_id: None,
        tags: Vec::new(),
    }
}

pub fn alibaba_scope() -> TenantScope {
    TenantScope::alibaba_account("1234567890123456", "cn-hangzhou")
}

/// Waits for `condition` with a deadline instead of sleeping a guessed time.
pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
