//! Alibaba Cloud's Simple Log Service (SLS, LOG REST API 0.6.0): a face of its own beside the
//! RPC gateway, since SLS is not a POP product. Its requests share paths with the other faces
//! (`GET /` is ListProject), so it claims them by their headers (`x-log-apiversion`, or an
//! `Authorization` of `LOG …` / `SLS4-HMAC-SHA256 …`); the project is in the `Host`
//! (`<project>.<endpoint>`). The gateway ([`gateway`]) reads the host, the body and the
//! signature (V1 and V4, [`signature`]) with the Alibaba credentials; the handlers
//! ([`projects`], [`logstores`], [`logs`] with the search syntax in [`query`], [`cursor`]) translate to the
//! destination and record services; errors are SLS's `{"errorCode","errorMessage"}`
//! ([`error`]) with `x-log-requestid`.

mod cursor;
mod error;
mod gateway;
mod host;
mod logs;
mod logstores;
pub mod openapi;
mod projects;
pub mod query;
pub mod signature;

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};

pub use error::SlsError;

use crate::context::{Face, FaceKind, Failure, RequestContext, RequestId};
use crate::layers;
use crate::state::AppState;

/// The product's name in the request context.
pub const PRODUCT: &str = "sls";

/// SLS's routes, behind its gateway and the cross-cutting layers.
pub fn router(state: &AppState) -> Router<AppState> {
    let auth = || middleware::from_fn_with_state(state.clone(), gateway::authenticate);
    let around = |method_router| layers::around_operation(method_router).route_layer(auth());
    Router::new()
        .route(
            "/",
            around(
                get(projects::get_or_list)
                    .post(projects::create)
                    .put(projects::update)
                    .delete(projects::delete),
            ),
        )
        .route(
            "/logstores",
            around(get(logstores::list).post(logstores::create)),
        )
        .route(
            "/logstores/{logstore}",
            around(
                get(logstores::get_or_logs)
                    .put(logstores::update)
                    .delete(logstores::delete),
            ),
        )
        .route("/logstores/{logstore}/logs", around(post(logs::post)))
        .route("/logstores/{logstore}/index", around(get(logstores::index)))
        .route(
            "/logstores/{logstore}/shards",
            around(get(logstores::shards)),
        )
        .route(
            "/logstores/{logstore}/shards/{shard}",
            around(get(cursor::shard)),
        )
        .route(
            "/logstores/{logstore}/meteringmode",
            around(get(logstores::metering_mode)),
        )
}

/// Whether a request is SLS's: it carries `x-log-apiversion`, or an SLS `Authorization`.
/// The control API's paths stay the control API's.
pub fn is_sls_request(path: &str, headers: &HeaderMap) -> bool {
    if path == "/_flowplane" || path.starts_with("/_flowplane/") {
        return false;
    }
    headers.contains_key("x-log-apiversion")
        || headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                let value = value.trim_start();
                value.starts_with("LOG ") || value.starts_with("SLS4-HMAC-SHA256 ")
            })
}

/// SLS's face: claimed by headers; request ids of 24 upper-case hex digits.
pub struct SlsFace;

impl Face for SlsFace {
    fn kind(&self) -> FaceKind {
        FaceKind::Sls
    }

    fn claims(&self, path: &str, headers: &HeaderMap) -> bool {
        is_sls_request(path, headers)
    }

    fn new_request_id(&self) -> RequestId {
        let hex = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        RequestId::new(hex[..24].to_owned())
    }

    fn render(&self, context: &RequestContext, failure: &Failure) -> Response {
        let read = context.operation().is_some_and(|operation| {
            ["Get", "List", "Pull"]
                .iter()
                .any(|verb| operation.name.starts_with(verb))
        });
        SlsError::from_failure(failure, read).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn claims_by_headers_not_paths() {
        let mut headers = HeaderMap::new();
        assert!(!is_sls_request("/", &headers));
        assert!(!is_sls_request("/logstores/a", &headers));
        headers.insert("x-log-apiversion", HeaderValue::from_static("0.6.0"));
        assert!(is_sls_request("/", &headers));
        assert!(is_sls_request("/logstores/a", &headers));
        assert!(!is_sls_request("/_flowplane/health", &headers));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("LOG ak:sig"),
        );
        assert!(is_sls_request("/", &headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("SLS4-HMAC-SHA256 Credential=a/b/c/sls/aliyun_v4_request"),
        );
        assert!(is_sls_request("/", &headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("ACS3-HMAC-SHA256 Credential=a"),
        );
        assert!(!is_sls_request("/", &headers));
    }

    #[test]
    fn request_ids_are_24_upper_hex() {
        let id = SlsFace.new_request_id();
        assert_eq!(id.as_str().len(), 24);
        assert!(id
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
    }
}
