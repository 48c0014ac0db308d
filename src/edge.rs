//! What every face shares at the HTTP edge: which face a request is for, its request context
//! (request id first), a tracing span, a deadline, panic recovery, the fallbacks for unknown
//! paths and methods, failures rendered in the face's envelope, `X-Request-Id` on every
//! response, one log line per request, and one request-journal entry per cloud request
//! ([`crate::layers::journal`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

use crate::context::{Face, FaceKind, Failure, RequestContext, SignatureVerdict};
use crate::layers::faults::SharedFaults;
use crate::layers::journal::{self, JournalEntry, Recorder};
use crate::layers::metrics::SharedMetrics;

/// Larger request bodies are refused with the face's own 413.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The faces, in the order they claim requests (the last one should claim every path), and the
/// deadline of one request.
#[derive(Clone)]
pub struct Edge {
    faces: Arc<[Box<dyn Face>]>,
    timeout: Duration,
    journal: Option<Arc<dyn Recorder>>,
    /// The fault rules, handed to the fault layer in each cloud request's extensions.
    faults: Option<SharedFaults>,
    /// Counts each cloud request.
    metrics: Option<SharedMetrics>,
    /// Counts every request for the summary line.
    tally: Option<Arc<RequestTally>>,
}

impl Edge {
    pub fn new(faces: Vec<Box<dyn Face>>, timeout: Duration) -> Self {
        assert!(!faces.is_empty(), "the edge needs at least one face");
        Self {
            faces: faces.into(),
            timeout,
            journal: None,
            faults: None,
            metrics: None,
            tally: None,
        }
    }

    /// Journals every request to the cloud faces (not the control API's) in `journal`.
    pub fn with_journal(mut self, journal: Arc<dyn Recorder>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Applies the fault rules to every request to the cloud faces ([`crate::layers::faults`]).
    pub fn with_faults(mut self, faults: SharedFaults) -> Self {
        self.faults = Some(faults);
        self
    }

    /// Counts every request in `tally`, for the summary line.
    pub fn with_tally(mut self, tally: Arc<RequestTally>) -> Self {
        self.tally = Some(tally);
        self
    }

    /// Counts every request to the cloud faces in `metrics`.
    pub fn with_metrics(mut self, metrics: SharedMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn face_of(&self, path: &str, headers: &HeaderMap) -> &dyn Face {
        self.faces
            .iter()
            .find(|face| face.claims(path, headers))
            .unwrap_or_else(|| self.faces.last().expect("at least one face"))
            .as_ref()
    }

    /// Puts routes behind the edge, with its fallbacks for unknown paths and methods.
    pub fn wrap<S: Clone + Send + Sync + 'static>(self, routes: Router<S>) -> Router<S> {
        self.around(with_fallbacks(routes))
    }

    /// Puts routes that answer every request themselves (each set of routes behind
    /// [`with_fallbacks`], say) behind the edge's layers.
    pub fn around<S: Clone + Send + Sync + 'static>(self, routes: Router<S>) -> Router<S> {
        routes
            .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
            .layer(CatchPanicLayer::custom(|_| {
                Failure::Internal.into_response()
            }))
            .layer(middleware::from_fn_with_state(self, serve))
    }
}

/// The edge's answers to unknown paths and methods: failures the face renders.
pub fn with_fallbacks<S: Clone + Send + Sync + 'static>(routes: Router<S>) -> Router<S> {
    routes
        .fallback(|| async { Failure::NoSuchRoute })
        .method_not_allowed_fallback(|| async { Failure::MethodNotAllowed })
}

/// Gives every request its context, a span and a deadline; renders failures in the envelope of
/// the request's face; sets `X-Request-Id`; logs one line with what the context learnt.
async fn serve(State(edge): State<Edge>, mut request: Request, next: Next) -> Response {
    let face = edge.face_of(request.uri().path(), request.headers());
    let context = Arc::new(RequestContext::new(face.kind(), face.new_request_id()));
    request.extensions_mut().insert(Arc::clone(&context));
    if let Some(faults) = edge
        .faults
        .as_ref()
        .filter(|_| face.kind() != FaceKind::Control)
    {
        request.extensions_mut().insert(Arc::clone(faults));
    }
    let journal = edge
        .journal
        .as_deref()
        .filter(|_| face.kind() != FaceKind::Control);
    let mut pending = match journal {
        Some(journal) => Some(Pending::of(journal, &mut request).await),
        None => None,
    };
    let metrics = edge
        .metrics
        .as_deref()
        .filter(|_| face.kind() != FaceKind::Control);
    let tally = edge.tally.as_deref();
    let span = tracing::info_span!(
        "request",
        request_id = %context.request_id(),
        method = %request.method(),
        path = %request.uri().path(),
    );
    let timeout = edge.timeout;
    async move {
        let started = Instant::now();
        let run = async {
            let response = tokio::time::timeout(timeout, next.run(request))
                .await
                .unwrap_or_else(|_| Failure::Timeout.into_response());
            match response.extensions().get::<Failure>() {
                Some(failure) => face.render(&context, failure),
                None => response,
            }
        };
        let mut response = RequestContext::scope(Arc::clone(&context), run).await;
        if let Ok(value) = HeaderValue::from_str(context.request_id().as_str()) {
            response.headers_mut().insert("x-request-id", value);
        }
        log_request(&context, &response, started);
        if let Some(tally) = tally {
            tally.count(response.status(), started.elapsed());
        }
        if let Some(metrics) = metrics {
            metrics.record(&context, response.status().as_u16(), started.elapsed());
        }
        if let (Some(journal), Some(pending)) = (journal, pending.take()) {
            response = pending.finish(journal, &context, response, started).await;
        }
        response
    }
    .instrument(span)
    .await
}

fn log_request(context: &RequestContext, response: &Response, started: Instant) {
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let operation = context.operation();
    let product = operation.map(|op| op.product);
    let operation = operation.map(|op| op.name);
    let tenant = context.tenant().map(|tenant| tenant.id.as_str());
    let face = context.face().as_str();
    if response.status().is_server_error() {
        tracing::warn!(
            face,
            product,
            operation,
            tenant,
            status,
            latency_ms,
            "request failed"
        );
    } else {
        // One line per request at `debug`: at `info` it would cost a third of the ceiling
        // under load (README, "Logs"); the summary line sums them up at `info`.
        tracing::debug!(
            face,
            product,
            operation,
            tenant,
            status,
            latency_ms,
            "request served"
        );
    }
}

/// Requests served since the last summary: counted by the edge, summed up at `info` every
/// `--log-summary-interval` ([`summarize`]).
#[derive(Debug, Default)]
pub struct RequestTally {
    requests: AtomicU64,
    client_errors: AtomicU64,
    server_errors: AtomicU64,
    latency_us: AtomicU64,
    slowest_us: AtomicU64,
}

impl RequestTally {
    fn count(&self, status: StatusCode, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.requests.fetch_add(1, Ordering::Relaxed);
        if status.is_client_error() {
            self.client_errors.fetch_add(1, Ordering::Relaxed);
        } else if status.is_server_error() {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        self.latency_us.fetch_add(micros, Ordering::Relaxed);
        self.slowest_us.fetch_max(micros, Ordering::Relaxed);
    }

    /// Logs what was counted since the last call, if anything, and starts over.
    pub fn summarize(&self, interval: Duration) {
        let requests = self.requests.swap(0, Ordering::Relaxed);
        let client_errors = self.client_errors.swap(0, Ordering::Relaxed);
        let server_errors = self.server_errors.swap(0, Ordering::Relaxed);
        let latency_us = self.latency_us.swap(0, Ordering::Relaxed);
        let slowest_us = self.slowest_us.swap(0, Ordering::Relaxed);
        if requests == 0 {
            return;
        }
        tracing::info!(
            requests,
            client_errors,
            server_errors,
            mean_latency_ms = latency_us as f64 / requests as f64 / 1000.0,
            max_latency_ms = slowest_us as f64 / 1000.0,
            interval = %humantime::format_duration(interval),
            "requests served"
        );
    }
}

/// Sums up the tally every `interval`, until dropped (aborted).
pub async fn summarize(tally: Arc<RequestTally>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        tally.summarize(interval);
    }
}

/// What the journal entry of a request needs from the request itself, taken before it runs.
struct Pending {
    time: chrono::DateTime<chrono::Utc>,
    method: String,
    path: String,
    body: Option<String>,
}

impl Pending {
    /// The method and the path with its query (secrets redacted); with `--journal-bodies`, the
    /// body too (read here and put back), when its length is known and within the body limit
    /// (a longer or chunked one is left to the handler, unread).
    async fn of(journal: &dyn Recorder, request: &mut Request) -> Self {
        let uri = request.uri();
        let mut pending = Pending {
            time: chrono::Utc::now(),
            method: request.method().to_string(),
            path: journal::redacted_target(uri.path(), uri.query()),
            body: None,
        };
        // The body's length as declared (`Content-Length`) or known (a test's body).
        let declared = axum::body::HttpBody::size_hint(request.body()).upper();
        if journal.keeps_bodies()
            && declared.is_some_and(|length| length <= BODY_LIMIT_BYTES as u64)
        {
            let body = std::mem::take(request.body_mut());
            match axum::body::to_bytes(body, BODY_LIMIT_BYTES).await {
                Ok(bytes) => {
                    pending.body = journal::journaled_body(&bytes, content_type(request.headers()));
                    *request.body_mut() = Body::from(bytes);
                }
                // The body could not be read: the handler finds it empty, as it would
                // have failed to read it.
                Err(err) => tracing::debug!(error = %err, "request body unreadable"),
            }
        }
        pending
    }

    /// Queues the entry of the answered request; with `--journal-bodies`, the response's body
    /// is read (and put back) to keep it.
    async fn finish(
        self,
        journal: &dyn Recorder,
        context: &RequestContext,
        mut response: Response,
        started: Instant,
    ) -> Response {
        let latency_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
        let mut response_body = None;
        if journal.keeps_bodies() {
            let (parts, body) = response.into_parts();
            response = match axum::body::to_bytes(body, usize::MAX).await {
                Ok(bytes) => {
                    response_body = journal::journaled_body(&bytes, content_type(&parts.headers));
                    Response::from_parts(parts, Body::from(bytes))
                }
                Err(err) => {
                    tracing::warn!(error = %err, "response body unreadable for the journal");
                    Response::from_parts(parts, Body::empty())
                }
            };
        }
        let operation = context.operation();
        let tenant = context.tenant();
        let signature = context
            .signature()
            .cloned()
            .unwrap_or(SignatureVerdict::NotChecked);
        journal.record(JournalEntry {
            time: self.time,
            face: context.face().as_str().to_owned(),
            product: operation.map(|op| op.product.to_owned()),
            operation: operation.map(|op| op.name.to_owned()),
            tenant: tenant.map(|tenant| tenant.id.clone()),
            region: tenant.and_then(|tenant| tenant.region.clone()),
            method: self.method,
            path: self.path,
            status: response.status().as_u16(),
            error_code: context.error_code(),
            latency_us,
            request_id: context.request_id().to_string(),
            signature: signature.as_str().to_owned(),
            signature_error: signature.reason().map(str::to_owned),
            request_body: self.body,
            response_body,
        });
        response
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
}
