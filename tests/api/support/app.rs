//! The app under test, driven through its router without a socket: each [`TestApp`] gets its own
//! database (see [`super::db`]) unless it is opened on a shared one; the worker is driven by the
//! control API's tick. The faces' own request and assertion helpers are in [`super::huawei`] and
//! [`super::alibaba`].

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use flowplane::app::App;
use flowplane::config::{Cli, Command, ServeArgs};
use flowplane::state::{Destinations, FlowLogs, Network, Records};
use flowplane::store::Store;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::auth::Signer;
use super::db::TestDb;

/// Serve settings as the CLI would parse them from `extra` flags; `--auth off` unless `extra`
/// names an `--auth` (most tests send unsigned requests; the `auth` tests sign them).
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
    pub signer: Option<Signer>,
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

    /// The body as text (for XML answers, whose `body` is `Null`).
    pub fn text(&self) -> String {
        String::from_utf8(self.raw.clone()).expect("the body is UTF-8")
    }
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

    /// The flow-log service, for tests that drive the domain directly.
    pub fn flow_logs(&self) -> &FlowLogs {
        self.app.flow_logs()
    }

    /// The network service, for tests that build the network a flow log points at.
    pub fn network(&self) -> &Network {
        self.app.network()
    }

    /// The log destinations (LTS groups and streams, SLS projects and logstores).
    pub fn destinations(&self) -> &Destinations {
        self.app.destinations()
    }

    /// The flow-log records.
    pub fn records(&self) -> &Records {
        self.app.records()
    }

    /// The store itself, to check its contracts directly (the repository traits are
    /// re-exported by `support`).
    pub fn store(&self) -> &Store {
        self.app.store()
    }

    /// Flushes the request journal and closes the database, as a stopping process would.
    pub async fn stop(self) {
        self.app.close().await;
    }

    /// The response as the router gives it, its body unread: for an endless one (the
    /// console's event stream), read a frame at a time.
    pub async fn open(&self, request: Request<Body>) -> axum::response::Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible")
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
        // XML (Alibaba's `Format=XML`), text (the Prometheus scrape) and the console's HTML,
        // CSS, script and icon are read from `raw`.
        let is_text = headers.get("content-type").is_some_and(|v| {
            v.as_bytes().starts_with(b"text/") || v.as_bytes().starts_with(b"image/")
        });
        let body = if raw.is_empty() || is_text {
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

    /// A JSON call; a verifying app signs the Huawei ones (`/v1/…`) with its default key.
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

/// The control API's view of one provider's tenant.
pub fn view_path(provider: &str, tenant: &str) -> String {
    format!("/_flowplane/flow-logs?provider={provider}&tenant={tenant}")
}

/// A request exactly as given: no header but the content type, if any.
pub fn raw_request(
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    builder.body(body.into()).unwrap()
}

/// The JSON body of a response taken straight from a router.
pub async fn json_body(response: axum::response::Response) -> Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}
