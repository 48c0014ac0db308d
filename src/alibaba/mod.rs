//! The Alibaba Cloud face: the RPC gateway ([`rpc`]: parameters, `Version` + `Action` routing,
//! V1/V3 signatures, the POP error envelope, JSON or XML) with one module per product behind
//! it, each declaring its API once: VPC flow logs ([`vpc`], 2016-04-28), STS ([`sts`],
//! 2015-04-01) and Resource Manager ([`resourcemanager`], 2020-03-31). SLS ([`sls`]) is a face
//! of its own: a REST API with its own signatures and envelope, sharing the Alibaba
//! credentials and tenancy.

mod codes;
mod ecs;
mod error;
pub mod openapi;
mod params;
mod resourcemanager;
mod rpc;
pub mod signature;
pub mod sls;
mod sts;
mod vpc;
mod xml;

use axum::http::HeaderValue;
use axum::response::Response;
use axum::Router;

pub use error::AlibabaError;
pub use sls::SlsFace;

use crate::context::{Face, FaceKind, Failure, RequestContext, RequestId};
use crate::state::AppState;
use xml::Format;

/// Every product's API, in the order the gateway looks an action up; the first one's endpoint
/// names errors that come before any product is known.
static APIS: rpc::Apis = &[&vpc::API, &sts::API, &resourcemanager::API, &ecs::API];

pub fn router(state: &AppState) -> Router<AppState> {
    rpc::router(state, APIS)
}

/// SLS's routes ([`sls`]): a REST API of its own, which the app routes requests to by
/// [`SlsFace`]'s claim.
pub fn sls_router(state: &AppState) -> Router<AppState> {
    sls::router(state)
}

/// Alibaba's face: the RPC endpoint `/`; request ids are uppercase hyphenated UUIDs, as POP
/// writes them.
pub struct AlibabaFace;

impl Face for AlibabaFace {
    fn kind(&self) -> FaceKind {
        FaceKind::Alibaba
    }

    fn claims(&self, path: &str, _headers: &axum::http::HeaderMap) -> bool {
        path == "/"
    }

    fn new_request_id(&self) -> RequestId {
        let uuid = uuid::Uuid::new_v4();
        RequestId::new(
            uuid.hyphenated()
                .encode_upper(&mut uuid::Uuid::encode_buffer())
                .to_owned(),
        )
    }

    fn render(&self, context: &RequestContext, failure: &Failure) -> Response {
        let product = context.operation().map(|operation| operation.product);
        let mut response = AlibabaError::from_failure(failure)
            .render(Format::Json, rpc::endpoint_of(APIS, product));
        if let Failure::Throttled { retry_after } = failure {
            // Milliseconds, at least 1: the Tea SDKs ignore a missing or non-positive value.
            let millis = retry_after.as_millis().max(1);
            if let Ok(value) = HeaderValue::from_str(&millis.to_string()) {
                response.headers_mut().insert("x-acs-retry-after", value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::APIS;

    #[test]
    fn each_product_registers_each_action_once() {
        for api in APIS {
            let mut names: Vec<&str> = api.actions.iter().map(|action| action.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), api.actions.len(), "{}", api.product);
        }
    }
}
