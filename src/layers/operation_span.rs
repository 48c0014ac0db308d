//! A tracing span around the handler naming the face, product, operation and tenant, so that
//! whatever the handler logs (a database failure, say) says which call of whose it was.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::context::RequestContext;

pub async fn enter(request: Request, next: Next) -> Response {
    let Some(context) = RequestContext::of(request.extensions()) else {
        return next.run(request).await;
    };
    let operation = context.operation();
    let span = tracing::info_span!(
        "operation",
        face = context.face().as_str(),
        product = operation.map(|op| op.product),
        operation = operation.map(|op| op.name),
        tenant = context.tenant().map(|tenant| tenant.id.as_str()),
        region = context.tenant().and_then(|tenant| tenant.region.as_deref()),
    );
    next.run(request).instrument(span).await
}
