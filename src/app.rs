//! App assembly: opens the store, builds the services, the worker and the router behind the
//! edge, and serves them until shutdown, supervising the worker.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::auth::credentials::{Credentials, CredentialsError};
use crate::auth::issued::{Issued, Lifetimes};
use crate::auth::nonces::Nonces;
use crate::config::ServeArgs;
use crate::context::Face;
use crate::domain::{
    DestinationService, FaultService, FlowLogService, NetworkDelays, NetworkService, Quotas,
    RecordService, SnapshotService, TransitionDelays,
};
use crate::edge::{self, Edge, RequestTally};
use crate::layers::journal::Journal;
use crate::layers::metrics::Metrics;
use crate::listener::{self, CertSource, Limits, Tls, TlsError};
use crate::state::{AppState, Closing, Destinations, FlowLogs, Network, Records, Snapshots};
use crate::store::{Store, StoreError};
use crate::worker::{RecordWorker, TransitionWorker, Workers};
use crate::{alibaba, console, control, huawei};

/// Why a Flowplane could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Credentials(#[from] CredentialsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Seed(#[from] crate::seed::SeedError),
}

/// Why serving ended with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
    /// The transition worker ended while the server was still serving.
    #[error("the transition worker stopped while serving: {0}")]
    WorkerStopped(String),
    /// The listener's certificate could not be loaded or generated.
    #[error("cannot set up HTTPS: {0}")]
    Tls(#[from] crate::listener::TlsError),
}

/// A ready-to-serve Flowplane: database open and migrated.
pub struct App {
    state: AppState,
    store: Store,
    workers: Workers<Store>,
    request_timeout: Duration,
    /// Requests served since the last summary line, and how often it is written.
    tally: Arc<RequestTally>,
    log_summary_interval: Duration,
    /// Where the listener's certificate comes from (`None`: `--tls off`).
    cert_source: Option<CertSource>,
    limits: Limits,
}

impl App {
    /// Loads the credentials (the file `--credentials` names, or the demo keys), then opens and
    /// migrates the database the settings name.
    pub async fn build(settings: &ServeArgs) -> Result<Self, BuildError> {
        let credentials = match &settings.credentials {
            Some(path) => Credentials::load(path)?,
            None => Credentials::demo(),
        };
        if settings.control_token.is_none() && !settings.listen.ip().is_loopback() {
            tracing::warn!(
                address = %settings.listen,
                "the control API (/_flowplane/) is open to the network: anyone who reaches this \
                 address may reset or change the emulator; set --control-token \
                 (FLOWPLANE_CONTROL_TOKEN)"
            );
        }
        let store = Store::connect(&settings.database.store_settings()).await?;
        store.migrate().await?;
        let faults = FaultService::new(store.clone());
        let flow_logs = FlowLogService::new(
            store.clone(),
            TransitionDelays {
                alibaba: settings.transition_delay,
            },
            Quotas {
                alibaba: Some(settings.alibaba_flow_log_quota).filter(|&quota| quota > 0),
            },
            settings.references.into(),
            faults.clone(),
        );
        let network = NetworkService::new(
            store.clone(),
            NetworkDelays {
                // Huawei's VPCs and subnets answer settled at once, as the flow logs do.
                huawei: std::time::Duration::ZERO,
                alibaba: settings.transition_delay,
            },
            flow_logs.work_scheduled(),
            faults.clone(),
        );
        let records = RecordService::new(store.clone(), settings.records.options());
        let snapshots =
            SnapshotService::new(store.clone(), flow_logs.work_scheduled(), faults.clone());
        if let Some(seed) = &settings.seed {
            crate::seed::load(&snapshots, seed).await?;
        }
        let metrics = Arc::new(Metrics::new());
        let workers = Workers {
            transitions: TransitionWorker::new(&flow_logs, &network, metrics.clone()),
            records: RecordWorker::new(&records),
        };
        Ok(Self {
            state: AppState {
                flow_logs,
                network,
                destinations: DestinationService::new(store.clone()),
                records,
                snapshots,
                nonces: Nonces::new(store.clone()),
                auth: settings.auth,
                credentials: Arc::new(credentials),
                issued: Issued::new(
                    store.clone(),
                    Lifetimes {
                        cap: settings.max_credential_lifetime,
                    },
                ),
                control_token: settings.control_token.clone(),
                faults,
                metrics,
                journal: Journal::new(store.clone(), settings.journal.settings()),
                closing: Closing::default(),
            },
            store,
            workers,
            request_timeout: settings.request_timeout,
            tally: Arc::default(),
            log_summary_interval: settings.log_summary_interval,
            cert_source: settings
                .listener
                .cert_source(&settings.database.database_url),
            limits: settings.listener.limits(settings.request_timeout),
        })
    }

    pub fn flow_logs(&self) -> &FlowLogs {
        &self.state.flow_logs
    }

    pub fn network(&self) -> &Network {
        &self.state.network
    }

    /// The store itself, for tests that check its contracts directly.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn destinations(&self) -> &Destinations {
        &self.state.destinations
    }

    pub fn records(&self) -> &Records {
        &self.state.records
    }

    pub fn snapshots(&self) -> &Snapshots {
        &self.state.snapshots
    }

    /// The transition worker, for driving transitions by hand (`tick`) in tests.
    pub fn worker(&self) -> &TransitionWorker<Store> {
        &self.workers.transitions
    }

    /// The record worker, for driving it by hand (`step`) in tests.
    pub fn record_worker(&self) -> &RecordWorker<Store> {
        &self.workers.records
    }

    /// The faces' routes behind the edge. SLS shares its paths (`/`, `/logstores/…`) with the
    /// other faces, so its requests, told apart by their headers ([`alibaba::SlsFace`]), go to
    /// routes of their own; every other request to the other faces' merged routes.
    pub fn router(&self) -> Router {
        let state = &self.state;
        let others = edge::with_fallbacks(
            Router::new()
                .merge(huawei::router(state))
                .merge(alibaba::router(state))
                .merge(control::router(state))
                .merge(console::router(state)),
        )
        .with_state(state.clone());
        let sls = edge::with_fallbacks(alibaba::sls_router(state)).with_state(state.clone());
        let routes = Router::new().fallback_service(tower::service_fn(move |request: Request| {
            let routes = if alibaba::SlsFace.claims(request.uri().path(), request.headers()) {
                sls.clone()
            } else {
                others.clone()
            };
            routes.oneshot(request)
        }));
        let mut edge = Edge::new(faces(), self.request_timeout).with_tally(Arc::clone(&self.tally));
        if self.state.journal.enabled() {
            edge = edge.with_journal(Arc::new(self.state.journal.clone()));
        }
        edge = edge
            .with_faults(Arc::new(self.state.faults.clone()))
            .with_metrics(Arc::clone(&self.state.metrics));
        edge.around(routes)
    }

    /// The request journal, for tests that flush it by hand.
    pub fn journal(&self) -> &Journal<Store> {
        &self.state.journal
    }

    /// Flushes the request journal and closes the database, as serving ends.
    pub async fn close(&self) {
        self.state.journal.close().await;
        self.store.close().await;
    }

    /// The listener's certificate, loaded or generated (at first start) as the settings say;
    /// `None` with `--tls off`.
    pub fn load_tls(&self) -> Result<Option<Tls>, TlsError> {
        self.cert_source.as_ref().map(Tls::load).transpose()
    }

    /// Serves on `listener` (plain HTTP and, unless `--tls off`, HTTPS), with the workers
    /// running, until `shutdown` completes; see [`App::serve_with`].
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let tls = self.load_tls()?;
        self.serve_with(listener, tls, shutdown).await
    }

    /// Serves on `listener` with `tls` (from [`App::load_tls`]) beside plain HTTP, with the
    /// workers running, until `shutdown` completes; then stops accepting, lets in-flight
    /// requests finish (at most the request timeout), stops the workers and closes the
    /// database. If a worker stops on its own meanwhile, serving ends with
    /// [`ServeError::WorkerStopped`].
    pub async fn serve_with(
        self,
        listener: TcpListener,
        tls: Option<Tls>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let closing = self.state.closing.clone();
        let shutdown = async move {
            shutdown.await;
            closing.begin();
        };
        let server = listener::serve(listener, self.router(), tls, self.limits, shutdown);
        let workers = self.workers.clone();
        // A zero interval: no summary lines.
        let summary = (!self.log_summary_interval.is_zero()).then(|| {
            tokio::spawn(edge::summarize(
                Arc::clone(&self.tally),
                self.log_summary_interval,
            ))
        });
        let served = supervise(server, |stop| workers.run(stop)).await;
        if let Some(summary) = summary {
            summary.abort();
        }
        self.tally.summarize(self.log_summary_interval);
        self.close().await;
        served
    }
}

/// The faces, in the order they claim requests: Alibaba's SLS by its headers (on any path but
/// the control API's), Alibaba's RPC at `/`, the control API under `/_flowplane/`, and
/// Huawei's gateway for every other path.
pub fn faces() -> Vec<Box<dyn Face>> {
    vec![
        Box::new(alibaba::SlsFace),
        Box::new(alibaba::AlibabaFace),
        Box::new(control::ControlFace),
        Box::new(huawei::HuaweiFace),
    ]
}

/// Puts routes behind the edge every face shares. Public so that tests can put a route of
/// their own behind it.
pub fn with_edge<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    request_timeout: Duration,
) -> Router<S> {
    Edge::new(faces(), request_timeout).wrap(routes)
}

/// Runs `server` and the worker `start_worker` makes (given the future that tells it to stop)
/// together. When the server ends, the worker is told to stop and awaited; when the worker ends
/// first (it returned or panicked), that is an error: the server is dropped, so that the
/// process can say so and exit instead of serving without completing transitions.
pub async fn supervise<W>(
    server: impl Future<Output = std::io::Result<()>>,
    start_worker: impl FnOnce(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) -> W,
) -> Result<(), ServeError>
where
    W: Future<Output = ()> + Send + 'static,
{
    let (stop_worker, worker_stopped) = watch::channel(false);
    let stop = Box::pin(async move {
        let mut receiver = worker_stopped;
        // An error means the sender is gone, which also means stop.
        let _ = receiver.wait_for(|stop| *stop).await;
    });
    let mut worker = tokio::spawn(start_worker(stop));
    tokio::select! {
        served = server => {
            let _ = stop_worker.send(true);
            if let Err(err) = worker.await {
                tracing::error!(error = %err, "transition worker failed while stopping");
            }
            Ok(served?)
        }
        ended = &mut worker => {
            let reason = match ended {
                Ok(()) => "it returned".to_owned(),
                Err(err) if err.is_panic() => panic_message(err.into_panic()),
                Err(err) => err.to_string(),
            };
            tracing::error!(reason = %reason, "the transition worker stopped while serving; shutting down");
            Err(ServeError::WorkerStopped(reason))
        }
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => format!("it panicked: {message}"),
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(message) => format!("it panicked: {message}"),
            Err(_) => "it panicked".to_owned(),
        },
    }
}
