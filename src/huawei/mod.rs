//! The Huawei Cloud face: the API gateway ([`gateway`]: routing, AK/SK signatures, the
//! caller's project) with one module per product behind it: VPC ([`vpc`]: flow logs, VPCs,
//! subnets, ports and their tags), IAM ([`iam`]: projects, domains, tokens, temporary keys) and
//! LTS ([`lts`]: log groups, log streams, the flow-log records delivered to them).
//! Errors are answered in Huawei's envelopes ([`error`]) with an `X-Request-Id`.

mod caller;
mod error;
mod gateway;
mod iam;
mod lts;
mod openapi;
pub mod signature;
mod vpc;

use axum::response::{IntoResponse, Response};
use axum::Router;

pub use error::HuaweiError;

use crate::context::{Face, FaceKind, Failure, RequestContext, RequestId};
use crate::state::AppState;

/// Every product's operations, behind the gateway.
pub fn router(state: &AppState) -> Router<AppState> {
    vpc::operations(gateway::Operations::new(state, vpc::PRODUCT))
        .into_router()
        .merge(iam::operations(gateway::Operations::new(state, iam::PRODUCT)).into_router())
        .merge(lts::operations(gateway::Operations::new(state, lts::PRODUCT)).into_router())
}

/// The face's part of the OpenAPI document: one table per product, beside its router
/// (`vpc/openapi.rs`, `iam/openapi.rs`, `lts/openapi.rs`), each naming the operations as the
/// product registers them with the gateway (the same path constants and SDK names) with the
/// wire types their handlers read and write (`utoipa::ToSchema` derived on them). A new
/// operation's documentation is one entry in its product's table.
pub fn openapi_part() -> crate::apidoc::Part {
    let mut part = crate::apidoc::Part::default();
    vpc::openapi::describe(&mut part);
    iam::openapi::describe(&mut part);
    lts::openapi::describe(&mut part);
    part
}

/// Huawei's face: every path that no other face claims (Huawei's APIs are all over the path
/// space), request ids of 32 lowercase hex digits.
pub struct HuaweiFace;

impl Face for HuaweiFace {
    fn kind(&self) -> FaceKind {
        FaceKind::Huawei
    }

    fn claims(&self, _path: &str, _headers: &axum::http::HeaderMap) -> bool {
        true
    }

    fn new_request_id(&self) -> RequestId {
        RequestId::new(uuid::Uuid::new_v4().simple().to_string())
    }

    fn render(&self, context: &RequestContext, failure: &Failure) -> Response {
        // The context's product answers a bug its own way; the VPC service's otherwise. LTS's
        // envelope is its own.
        let product = context.operation().map(|operation| operation.product);
        if product == Some(lts::PRODUCT) && matches!(failure, Failure::Internal) {
            return lts::internal_error();
        }
        let internal = match product {
            Some(iam::PRODUCT) => iam::internal_error,
            _ => vpc::internal_error,
        };
        HuaweiError::from_failure(failure, internal).into_response()
    }
}
