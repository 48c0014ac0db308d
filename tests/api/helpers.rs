//! Shared test harness: each `TestApp` gets its own database and is driven through the router
//! without a socket; the worker is driven by `tick`.
//!
//! The suite runs on SQLite, or on Postgres when `FLOWPLANE_TEST_POSTGRES_URL` names a server
//! (a URL whose database the test may connect to and create databases from, such as
//! `postgres://postgres@127.0.0.1:5432/postgres`): then every test gets a database of its own,
//! dropped when the test ends. Tests of SQLite's own behaviour run on SQLite either way.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use flowplane::app::App;
pub use flowplane::auth::nonces::NonceRepository;
use flowplane::config::{Cli, Command, ServeArgs};
pub use flowplane::domain::repository::FlowLogRepository;
use flowplane::domain::{LogDestination, NewFlowLog, ResourceKind, TenantScope, TrafficFilter};
use flowplane::state::FlowLogs;
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

/// The Postgres server the suite runs on, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("FLOWPLANE_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// The backend the suite runs on, as `/_flowplane/health` names it.
pub fn suite_backend() -> &'static str {
    if postgres_admin_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// A database of the suite's backend that lives as long as this value: a SQLite file in a
/// temporary directory, or a Postgres database created for it and dropped (with whatever is
/// still connected) when it is dropped.
pub struct TestDb {
    url: String,
    kind: DbKind,
}

enum DbKind {
    SqliteMemory,
    SqliteFile(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh database that several apps or processes can open in turn or together.
    pub async fn new() -> Self {
        match postgres_admin_url() {
            Some(admin_url) => Self::postgres(admin_url).await,
            None => Self::sqlite_file(),
        }
    }

    /// A fresh database for one app only: in memory on SQLite.
    pub async fn private() -> Self {
        match postgres_admin_url() {
            Some(admin_url) => Self::postgres(admin_url).await,
            None => Self {
                url: "sqlite::memory:".into(),
                kind: DbKind::SqliteMemory,
            },
        }
    }

    /// A SQLite file, whatever backend the suite runs on.
    pub fn sqlite_file() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Self {
            url: format!("sqlite://{}", dir.path().join("flowplane.db").display()),
            kind: DbKind::SqliteFile(dir),
        }
    }

    async fn postgres(admin_url: String) -> Self {
        use sqlx::Connection;

        let name = format!("flowplane_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|err| panic!("FLOWPLANE_TEST_POSTGRES_URL does not connect: {err}"));
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("a test database is created");
        let _ = admin.close().await;
        Self {
            url: with_database(&admin_url, &name),
            kind: DbKind::Postgres { admin_url, name },
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, DbKind::Postgres { .. })
    }

    /// Holds the database's write lock until released: writes wait, reads go on.
    pub async fn block_writes(&self) -> WriteBlock {
        use sqlx::Connection;

        match &self.kind {
            DbKind::Postgres { .. } => {
                let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query("BEGIN").execute(&mut connection).await.unwrap();
                sqlx::query("LOCK TABLE flow_logs IN EXCLUSIVE MODE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                WriteBlock::Postgres(connection)
            }
            DbKind::SqliteFile(_) => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                WriteBlock::Sqlite(connection)
            }
            DbKind::SqliteMemory => panic!("an in-memory database has no other connection"),
        }
    }
}

pub enum WriteBlock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteBlock {
    pub async fn release(self) {
        match self {
            WriteBlock::Sqlite(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
            WriteBlock::Postgres(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let DbKind::Postgres { admin_url, name } = &self.kind else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        let drop_sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        // Drop runs inside the test's runtime, which cannot be blocked on: the database is
        // dropped from a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            use sqlx::Connection;

            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&drop_sql).execute(&mut admin).await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) && !std::thread::panicking() {
            panic!("the test database {name} could not be dropped: {dropped:?}");
        }
    }
}

/// `url` with its database (the path) replaced by `database`; the query string is kept.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut replaced = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        replaced.push('?');
        replaced.push_str(query);
    }
    replaced
}

pub struct TestApp {
    pub app: App,
    router: Router,
    /// Set by [`TestApp::verifying`]: Huawei calls and `alibaba_as` are then signed.
    pub signer: Option<crate::signer::Signer>,
    /// The database of an app that has one of its own; dropped after the app.
    pub(crate) own_db: Option<TestDb>,
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
    /// An app on a fresh database of its own.
    pub async fn new() -> Self {
        Self::with_flags(&[]).await
    }

    pub async fn with_flags(extra: &[&str]) -> Self {
        let db = TestDb::private().await;
        let mut app = Self::with_args(serve_args(db.url(), extra)).await;
        app.own_db = Some(db);
        app
    }

    /// An app on `db`, which outlives it: a restart is a new `TestApp` on the same database.
    pub async fn on(db: &TestDb, extra: &[&str]) -> Self {
        Self::with_args(serve_args(db.url(), extra)).await
    }

    pub async fn with_args(args: ServeArgs) -> Self {
        let app = App::build(&args).await.expect("app builds");
        let router = app.router();
        Self {
            app,
            router,
            signer: None,
            own_db: None,
        }
    }

    pub fn service(&self) -> &FlowLogs {
        self.app.flow_logs()
    }

    /// The store itself, to check its contracts directly (bring the repository traits into
    /// scope: they are re-exported here).
    pub fn store(&self) -> &flowplane::store::Store {
        self.app.store()
    }

    /// Closes the database, as a stopping process would.
    pub async fn stop(self) {
        self.app.store().close().await;
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

/// A `flowplane serve` process on `database_url`, on a port the OS picked, with its JSON log
/// lines read all along (so it never blocks on a full pipe) and kept.
pub struct ServerProcess {
    pub child: tokio::process::Child,
    pub base: String,
    log: tokio::sync::mpsc::UnboundedReceiver<Value>,
    /// Every log event received so far.
    seen: Vec<Value>,
}

impl ServerProcess {
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    pub async fn start_with(database_url: &str, extra: &[&str]) -> Self {
        use tokio::io::AsyncBufReadExt;

        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_flowplane"));
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("FLOWPLANE_")) {
            command.env_remove(name);
        }
        let mut child = command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "json",
                "--database-url",
                database_url,
            ])
            .args(extra)
            // Unsigned requests, unless the caller asks for verification.
            .args(if extra.contains(&"--auth") {
                &[][..]
            } else {
                &["--auth", "off"][..]
            })
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let (sender, log) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(event) = serde_json::from_str::<Value>(&line) {
                    let _ = sender.send(event);
                }
            }
        });
        let mut server = Self {
            child,
            base: String::new(),
            log,
            seen: Vec::new(),
        };
        // The startup line names the address actually bound.
        let startup = tokio::time::timeout(
            Duration::from_secs(30),
            server.next_event(|event| event["fields"]["listen"].is_string()),
        )
        .await
        .expect("the server starts listening");
        server.base = format!("http://{}", startup["fields"]["listen"].as_str().unwrap());
        server
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a Huawei flow log on `resource_id` through this process; returns its id.
    pub async fn create_huawei_id(&self, client: &reqwest::Client, resource_id: &str) -> String {
        let created = client
            .post(self.url(&flow_logs_path(PROJECT)))
            .json(&create_body(resource_id))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 200);
        created.json::<Value>().await.unwrap()["flow_log"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The next log event that `wanted` accepts, within a deadline.
    pub async fn next_event(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let event = self.log.recv().await.expect("the server is still logging");
                self.seen.push(event.clone());
                if wanted(&event) {
                    return event;
                }
            }
        })
        .await
        .expect("the event was logged")
    }

    /// Sends `signal` (`-TERM`, `-INT`…) to the process.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().expect("still running").to_string();
        assert!(std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success());
    }

    /// SIGTERM, then asserts a clean exit and returns every event the process logged.
    pub async fn stop(mut self) -> Vec<Value> {
        self.signal("-TERM");
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("it exits")
            .unwrap();
        assert!(status.success(), "{status}");
        while let Some(event) = self.log.recv().await {
            self.seen.push(event);
        }
        self.seen
    }
}

/// Says that (part of) a test was skipped and why, past libtest's output capture (which takes
/// only the `print!` family), so that it shows in every run.
pub fn skip(what: &str, why: &str) {
    use std::io::Write;

    let _ = std::io::stderr().write_all(format!("note: {what} skipped: {why}\n").as_bytes());
}

/// The sum of the `completed` counts the transition worker logged in `events`.
pub fn completions_logged(events: &[Value]) -> u64 {
    events
        .iter()
        .filter(|event| event["fields"]["message"] == "transitions completed")
        .map(|event| event["fields"]["completed"].as_u64().expect("a count"))
        .sum()
}
