//! App assembly: opens the store, builds the service, the worker and the router with its edge
//! middleware, and serves them until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

use crate::alibaba::{self, AlibabaError};
use crate::config::{AuthMode, ServeArgs};
use crate::control::{self, ControlError};
use crate::credentials::{Credentials, CredentialsError};
use crate::domain::{FlowLogService, Quotas, TransitionDelays};
use crate::edge::{EdgeFailure, RequestId};
use crate::huawei::{self, HuaweiError};
use crate::store::{Store, StoreError};
use crate::worker::TransitionWorker;

/// Larger request bodies are refused with the face's 413.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub service: FlowLogService,
    pub worker: TransitionWorker,
    /// Whether the cloud faces check request signatures.
    pub auth: AuthMode,
    /// The keys signatures are checked against (SPEC §4).
    pub credentials: Arc<Credentials>,
}

/// Why a Flowplane could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Credentials(#[from] CredentialsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A ready-to-serve Flowplane: database open and migrated.
pub struct App {
    state: AppState,
    request_timeout: Duration,
}

impl App {
    /// Loads the credentials (the file `--credentials` names, or the demo keys), then opens and
    /// migrates the database the settings name.
    pub async fn build(settings: &ServeArgs) -> Result<Self, BuildError> {
        let credentials = match &settings.credentials {
            Some(path) => Credentials::load(path)?,
            None => Credentials::demo(),
        };
        let store = Store::connect(&settings.database).await?;
        store.migrate().await?;
        let service = FlowLogService::new(
            store,
            TransitionDelays {
                alibaba: settings.transition_delay,
            },
            Quotas {
                alibaba: Some(settings.alibaba_flow_log_quota).filter(|&quota| quota > 0),
            },
        );
        let worker = TransitionWorker::new(&service);
        Ok(Self {
            state: AppState {
                service,
                worker,
                auth: settings.auth,
                credentials: Arc::new(credentials),
            },
            request_timeout: settings.request_timeout,
        })
    }

    pub fn service(&self) -> &FlowLogService {
        &self.state.service
    }

    /// The worker, for driving transitions by hand (`tick`) in tests.
    pub fn worker(&self) -> &TransitionWorker {
        &self.state.worker
    }

    pub fn router(&self) -> Router {
        let routes = Router::new()
            .merge(huawei::router(&self.state))
            .merge(alibaba::router())
            .merge(control::router());
        with_edge(routes, self.request_timeout).with_state(self.state.clone())
    }

    /// Serves on `listener`, with the transition worker running, until `shutdown` completes;
    /// then lets in-flight requests finish, stops the worker and closes the database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_worker, worker_stopped) = watch::channel(false);
        let worker = tokio::spawn(self.state.worker.clone().run(wait_for_true(worker_stopped)));
        let served = axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await;
        let _ = stop_worker.send(true);
        if let Err(err) = worker.await {
            tracing::error!(error = %err, "transition worker failed");
        }
        self.state.service.store().close().await;
        served
    }
}

/// Puts routes behind the edge every face shares: the fallbacks for unknown paths and methods,
/// the body limit, panic recovery and the [`edge`] middleware. Public so that tests can put a
/// route of their own behind it.
pub fn with_edge<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    request_timeout: Duration,
) -> Router<S> {
    routes
        .fallback(|| async { EdgeFailure::NoSuchRoute })
        .method_not_allowed_fallback(|| async { EdgeFailure::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(CatchPanicLayer::custom(|_| {
            EdgeFailure::Internal.into_response()
        }))
        .layer(middleware::from_fn_with_state(request_timeout, edge))
}

async fn wait_for_true(mut receiver: watch::Receiver<bool>) {
    // An error means the sender is gone, which also means stop.
    let _ = receiver.wait_for(|stop| *stop).await;
}

/// The three faces one listener serves, told apart by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Huawei,
    Alibaba,
    Control,
}

impl Face {
    fn of(path: &str) -> Self {
        if path == "/" {
            Face::Alibaba
        } else if path == "/_flowplane" || path.starts_with("/_flowplane/") {
            Face::Control
        } else {
            // Every other path is behind Huawei's gateway.
            Face::Huawei
        }
    }

    fn new_request_id(self) -> RequestId {
        let uuid = uuid::Uuid::new_v4();
        match self {
            // Alibaba's POP writes an uppercase hyphenated UUID.
            Face::Alibaba => RequestId::new(
                uuid.hyphenated()
                    .encode_upper(&mut uuid::Uuid::encode_buffer())
                    .to_owned(),
            ),
            // Huawei's gateway writes 32 lowercase hex digits.
            Face::Huawei | Face::Control => RequestId::new(uuid.simple().to_string()),
        }
    }

    fn render(self, failure: EdgeFailure) -> Response {
        match self {
            Face::Huawei => HuaweiError::from_edge(failure).into_response(),
            Face::Alibaba => AlibabaError::from_edge(failure).into_response(),
            Face::Control => ControlError::Edge(failure).into_response(),
        }
    }
}

/// Gives every request an id, a tracing span and a deadline; renders edge failures in the
/// envelope of the request's face; sets `X-Request-Id` on every response.
async fn edge(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    let face = Face::of(request.uri().path());
    let request_id = face.new_request_id();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
    );
    async move {
        let started = Instant::now();
        let scoped = request_id.clone();
        let mut response = scoped
            .scope(async move {
                let response = tokio::time::timeout(timeout, next.run(request))
                    .await
                    .unwrap_or_else(|_| EdgeFailure::Timeout.into_response());
                match response.extensions().get::<EdgeFailure>() {
                    Some(failure) => face.render(*failure),
                    None => response,
                }
            })
            .await;
        if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
            response.headers_mut().insert("x-request-id", value);
        }
        let status = response.status().as_u16();
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        if response.status().is_server_error() {
            tracing::warn!(status, latency_ms, "request failed");
        } else {
            tracing::info!(status, latency_ms, "request served");
        }
        response
    }
    .instrument(span)
    .await
}
