//! Layers that cut across faces and products. Each gateway puts every operation's handler
//! behind [`around_operation`], after it has routed the request (the context names the face,
//! product and operation) and authenticated the caller (the context names the tenant), so a
//! layer here sees every cloud request of every product, keyed on the same context, and a new
//! cross-cutting control is one file here and one line in [`around_operation`].
//!
//! Layers that only need to see the finished response (the request log) live in the edge.

pub mod faults;
pub mod journal;
pub mod metrics;
mod operation_span;

use axum::routing::MethodRouter;

/// Puts an operation's handler behind the cross-cutting layers, outermost last.
pub fn around_operation<S>(handler: MethodRouter<S>) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    handler
        .route_layer(axum::middleware::from_fn(faults::apply))
        .route_layer(axum::middleware::from_fn(operation_span::enter))
}
