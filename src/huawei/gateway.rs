//! Huawei's API gateway, in front of every product: each operation is registered once
//! ([`Operations::add`]) with its path, method and SDK name; the gateway names it in the
//! request context, authenticates the caller (AK/SK, temporary AK/SK with a security token, or
//! an IAM token: [`caller`]) and checks the caller's project (setting the tenant), then hands
//! the request to the cross-cutting layers and the product's handler.

use axum::body::{Body, Bytes};
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequest, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use chrono::Utc;

pub use super::caller::Caller;
use super::caller::{self, Refused};
use super::error::HuaweiError;
use crate::auth::signing::{target_of, SignedRequest};
use crate::auth::AuthMode;
use crate::context::{Failure, RequestContext, SignatureVerdict};
use crate::layers;
use crate::state::AppState;

/// The path parameter that names the caller's project, in every product that has one.
const PROJECT_PARAM: &str = "project_id";

/// The longest project id taken.
pub const MAX_PROJECT_ID_CHARS: usize = 64;

/// A project id as it appears in a URL: Huawei's are 32 hex digits; any short id of letters,
/// digits and `-` is taken, so that a user's own project id works.
pub fn is_project_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_PROJECT_ID_CHARS
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
    /// `handler`, behind the gateway's authentication.
    pub fn add(self, path: &str, name: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.register(path, name, handler, true)
    }

    /// Registers an operation whose caller the operation authenticates itself (a password or a
    /// token in the body: `POST /v3/auth/tokens`), so the gateway checks no signature.
    pub fn add_public(
        self,
        path: &str,
        name: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.register(path, name, handler, false)
    }

    /// The operation's route: the operation named, then (`authenticated`) the caller checked,
    /// then the cross-cutting layers, which so see the product, operation and tenant.
    fn register(
        mut self,
        path: &str,
        name: &'static str,
        handler: MethodRouter<AppState>,
        authenticated: bool,
    ) -> Self {
        let product = self.product;
        let mut route = layers::around_operation(handler);
        if authenticated {
            route = route.route_layer(middleware::from_fn_with_state(
                self.state.clone(),
                authenticate,
            ));
        }
        let route = route.route_layer(middleware::from_fn(
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

/// The gateway's part, before the cross-cutting layers. With `--auth verify`: the caller (an
/// AK/SK signature over the raw request, by a file's key or a temporary one, or an IAM token;
/// 401 APIGW.0301 / .0307), then the URL's project must be one the caller may use (400
/// VPC.0007). The body is read here, within the body limit (413 APIGW.0201 over it), and handed
/// on unchanged. Either way the URL's project, when well formed, is the caller's tenant (else
/// its domain), and the [`Caller`] goes into the request's extensions.
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
    let (mut parts, body) = request.into_parts();
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
    let caller = match state.auth {
        AuthMode::Off => {
            RequestContext::record_signature(SignatureVerdict::NotChecked);
            caller::identify(&state, &signed).await
        }
        AuthMode::Verify => match caller::authenticate(&state, &signed, Utc::now()).await {
            Ok(caller) => {
                RequestContext::record_signature(SignatureVerdict::Valid);
                caller
            }
            Err(Refused::Error(err)) => return err.into_response(),
            Err(Refused::Storage) => return Failure::Internal.into_response(),
        },
    };
    if let Some(context) = RequestContext::of(&parts.extensions) {
        match &project {
            Some(project) if is_project_id(project) => context.set_tenant(project.as_str(), None),
            Some(_) => {}
            None => context.set_tenant(caller.identity().domain_id.as_str(), None),
        }
    }
    if state.auth == AuthMode::Verify {
        let allowed = match &project {
            Some(project_id) => caller.principal.may_use_project(project_id),
            None => true,
        };
        if !allowed {
            tracing::info!(
                domain = caller.identity().domain_name,
                "the caller may not use the URL's project"
            );
            return HuaweiError::service(
                StatusCode::BAD_REQUEST,
                "VPC.0007",
                "urlTenantId is not equal tokenTenantId",
            )
            .into_response();
        }
    }
    parts.extensions.insert(caller);
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
