//! What every face shares at the HTTP edge: the request id of the request being served, and the
//! failures that arise before a face's handler runs (no such route, timeout, panic).

use axum::response::{IntoResponse, Response};

tokio::task_local! {
    static CURRENT_REQUEST_ID: RequestId;
}

/// The id of one request, already formatted the way its face writes ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    pub fn new(id: String) -> Self {
        Self(id)
    }

    /// The id of the request being served on this task; a fresh one outside any request.
    pub fn current() -> RequestId {
        CURRENT_REQUEST_ID
            .try_with(Clone::clone)
            .unwrap_or_else(|_| RequestId(uuid::Uuid::new_v4().simple().to_string()))
    }

    /// Runs `future` with `self` as the current request id.
    pub async fn scope<F: std::future::Future>(self, future: F) -> F::Output {
        CURRENT_REQUEST_ID.scope(self, future).await
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A failure found outside any face's handler. It travels as a response extension to the edge
/// middleware, which renders it in the envelope of the face the path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeFailure {
    NoSuchRoute,
    MethodNotAllowed,
    Timeout,
    Internal,
}

impl IntoResponse for EdgeFailure {
    fn into_response(self) -> Response {
        let mut response = axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(self);
        response
    }
}
