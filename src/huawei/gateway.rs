//! Huawei's API gateway, in front of every product: each operation is registered once
//! ([`Operations::add`]) with its path, method and SDK name; the gateway names it in the
//! request context, checks the AK/SK signature and the caller's project (setting the tenant),
//! then hands the request to the cross-cutting layers and the product's handler.

use axum::body::{Body, Bytes};
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequest, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use chrono::Utc;

use super::error::HuaweiError;
use super::signature;
use crate::auth::signing::{target_of, SignedRequest};
use crate::auth::AuthMode;
use crate::context::RequestContext;
use crate::layers;
use crate::state::AppState;

/// The path parameter that names the caller's project, in every product that has one.
const PROJECT_PARAM: &str = "project_id";

/// A project id as it appears in a URL: Huawei's are 32 hex digits; any short id of letters,
/// digits and `-` is taken, so that a user's own project id works.
pub fn is_project_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A product's operations, registered with the gateway.
pub struct Operations {
    state: AppState,
    product: &'static str,
    router: Router<AppState>,
}

impl Operations {
    pub fn new(state: &AppState, product: &'static str) -> Self {
        Self {
            state: state.clone(),
            product,
            router: Router::new(),
        }
    }

    /// Registers the operation `name` (as the SDKs name it) at `path` with its one-method
    /// `handler`.
    pub fn add(mut self, path: &str, name: &'static str, handler: MethodRouter<AppState>) -> Self {
        let product = self.product;
        let route = layers::around_operation(handler)
            .route_layer(middleware::from_fn_with_state(
                self.state.clone(),
                authenticate,
            ))
            .route_layer(middleware::from_fn(
                move |request: Request, next: Next| async move {
                    if let Some(context) = RequestContext::of(request.extensions()) {
                        context.set_operation(product, name);
                    }
                    next.run(request).await
                },
            ));
        self.router = self.router.route(path, route);
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// With `--auth verify`, the gateway's part: the AK/SK signature over the raw request (401
/// APIGW.0301), then the URL's project must be one the key may use (400 VPC.0007). The body is
/// read here, within the body limit (413 APIGW.0201 over it), and handed on unchanged. Either
/// way the URL's project, when well formed, is the caller's tenant.
async fn authenticate(
    State(state): State<AppState>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    request: Request,
    next: Next,
) -> Response {
    // Not UTF-8: no readable project; the handler refuses it, unless the key is limited anyway.
    let project = params.ok().and_then(|params| {
        params
            .iter()
            .find(|(name, _)| *name == PROJECT_PARAM)
            .map(|(_, value)| value.to_owned())
    });
    if let (Some(context), Some(project)) = (RequestContext::of(request.extensions()), &project) {
        if is_project_id(project) {
            context.set_tenant(project.as_str(), None);
        }
    }
    if state.auth == AuthMode::Off {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let body = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return HuaweiError::payload_too_large().into_response()
        }
        Err(_) => {
            return HuaweiError::service(
                StatusCode::BAD_REQUEST,
                "VPC.3001",
                "flow_log is invalid: the request body could not be read",
            )
            .into_response()
        }
    };
    let signed = SignedRequest {
        method: parts.method.as_str(),
        target: target_of(&parts.uri),
        headers: &parts.headers,
        body: &body,
    };
    let key = match signature::verify(&signed, &state.credentials, Utc::now()) {
        Ok(key) => key,
        Err(err) => {
            tracing::info!(reason = %err, "signature refused");
            if let Some(canonical_request) = err.canonical_request() {
                tracing::debug!(canonical_request, "the server's canonical request");
            }
            return HuaweiError::from(err).into_response();
        }
    };
    let allowed = match &project {
        Some(project_id) => key.may_use_project(project_id),
        None => key.projects().is_none(),
    };
    if !allowed {
        tracing::info!(
            access_key = key.access_key(),
            "the key may not use the URL's project"
        );
        return HuaweiError::service(
            StatusCode::BAD_REQUEST,
            "VPC.0007",
            "urlTenantId is not equal tokenTenantId",
        )
        .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

#[cfg(test)]
mod tests {
    use super::is_project_id;

    #[test]
    fn project_ids_are_checked() {
        assert!(is_project_id("0123456789abcdef0123456789abcdef"));
        for bad in ["", "{project_id}", "a b", &"x".repeat(65)] {
            assert!(!is_project_id(bad), "{bad:?}");
        }
    }
}
