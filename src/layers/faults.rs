//! Fault rules applied to requests: after the gateway has routed and authenticated a call (the
//! context names the face, product, operation and tenant), the rules that match it may add
//! latency, answer in its place with the face's throttling error or a chosen cloud error (the
//! edge renders either in the product's envelope, with the request id), or drop the connection.
//! The rules themselves, and whether one fires, are the domain's ([`crate::domain::FaultService`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::context::{DropConnection, Failure, NamedValues, RequestContext};
use crate::domain::faults::{FaultEffect, RequestFacts};
use crate::domain::repository::FaultRepository;
use crate::domain::{DomainError, FaultService, RequestFault};

/// The fault rules as the layer asks them, whatever store they live in; the edge puts one in
/// every request's extensions.
pub trait RequestFaults: Send + Sync + 'static {
    /// Whether no rule can fire for any request now (no database read).
    fn quiet(&self) -> bool;

    fn on_request<'a>(
        &'a self,
        facts: &'a RequestFacts<'a>,
    ) -> Pin<Box<dyn Future<Output = Result<RequestFault, DomainError>> + Send + 'a>>;
}

impl<R: FaultRepository + Clone + 'static> RequestFaults for FaultService<R> {
    fn quiet(&self) -> bool {
        self.no_request_rules()
    }

    fn on_request<'a>(
        &'a self,
        facts: &'a RequestFacts<'a>,
    ) -> Pin<Box<dyn Future<Output = Result<RequestFault, DomainError>> + Send + 'a>> {
        Box::pin(FaultService::on_request(self, facts))
    }
}

/// The handle the edge hands to this layer.
pub type SharedFaults = Arc<dyn RequestFaults>;

pub async fn apply(request: Request, next: Next) -> Response {
    let extensions = request.extensions();
    let (Some(context), Some(faults)) = (
        RequestContext::of(extensions).cloned(),
        extensions.get::<SharedFaults>().cloned(),
    ) else {
        return next.run(request).await;
    };
    if faults.quiet() {
        return next.run(request).await;
    }
    let named_values = extensions.get::<Arc<dyn NamedValues>>();
    let uri = request.uri();
    let names = |value: &str| {
        uri.path().split('/').any(|segment| segment == value)
            || uri.query().is_some_and(|query| {
                form_urlencoded::parse(query.as_bytes()).any(|(_, v)| v == value)
            })
            || named_values
                .as_ref()
                .is_some_and(|values| values.names(value))
    };
    let operation = context.operation();
    let tenant = context.tenant();
    let facts = RequestFacts {
        face: context.face().as_str(),
        product: operation.map(|op| op.product),
        operation: operation.map(|op| op.name),
        tenant: tenant.map(|tenant| tenant.id.as_str()),
        region: tenant.and_then(|tenant| tenant.region.as_deref()),
        names: &names,
    };
    let fault = match faults.on_request(&facts).await {
        Ok(fault) => fault,
        Err(err) => {
            // The request itself may still be served: a fault store that does not answer is
            // no reason to fail it.
            tracing::warn!(error = %err, "fault rules could not be read");
            RequestFault::default()
        }
    };
    if !fault.latency.is_zero() {
        tokio::time::sleep(fault.latency).await;
    }
    match fault.answer {
        None => next.run(request).await,
        Some(FaultEffect::Throttle { retry_after }) => {
            Failure::Throttled { retry_after }.into_response()
        }
        Some(FaultEffect::Error {
            status,
            code,
            message,
        }) => Failure::Cloud {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message,
        }
        .into_response(),
        Some(_drop) => {
            // The journal shows what the caller never saw.
            context.set_error_code("ConnectionDropped");
            let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
    }
}
