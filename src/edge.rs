//! What every face shares at the HTTP edge: which face a request is for, its request context
//! (request id first), a tracing span, a deadline, panic recovery, the fallbacks for unknown
//! paths and methods, failures rendered in the face's envelope, `X-Request-Id` on every
//! response, and one log line per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

use crate::context::{Face, Failure, RequestContext};

/// Larger request bodies are refused with the face's own 413.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The faces, in the order they claim requests (the last one should claim every path), and the
/// deadline of one request.
#[derive(Clone)]
pub struct Edge {
    faces: Arc<[Box<dyn Face>]>,
    timeout: Duration,
}

impl Edge {
    pub fn new(faces: Vec<Box<dyn Face>>, timeout: Duration) -> Self {
        assert!(!faces.is_empty(), "the edge needs at least one face");
        Self {
            faces: faces.into(),
            timeout,
        }
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
    let span = tracing::info_span!(
        "request",
        request_id = %context.request_id(),
        method = %request.method(),
        path = %request.uri().path(),
    );
    async move {
        let started = Instant::now();
        let run = async {
            let response = tokio::time::timeout(edge.timeout, next.run(request))
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
        tracing::info!(
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
