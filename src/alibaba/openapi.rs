//! The Alibaba face's description, generated from the tables its gateways route by.
//!
//! RPC (POP) calls all go to `/` and differ by their `Action` and `Version` parameters, which
//! OpenAPI cannot key paths by; pseudo-paths would describe requests no SDK sends. So the RPC
//! actions are listed under the document's `x-flowplane-rpc` extension, per product as
//! [`super::APIS`] registers them (version, endpoint, region rule, every action's name): the
//! same table `rpc::identify` routes by, so an action that is registered is described. SLS is
//! REST (the project in the `Host` header), so its operations are this document's paths,
//! named by the SLS gateway's own `operation_of`.

use serde_json::{json, Value};
use utoipa::openapi::extensions::ExtensionsBuilder;

use super::rpc::RegionRule;
use super::sls;
use super::APIS;
use crate::apidoc::{Document, Part};

/// SLS's operations as paths, and the RPC actions under `x-flowplane-rpc`.
pub fn document() -> Document {
    let mut part = Part::default();
    sls::openapi::describe(&mut part);
    let rpc = rpc_actions(&part);
    let mut document = part.into_openapi(
        "Flowplane: the Alibaba Cloud face",
        "Generated from the code. SLS (Simple Log Service) is REST: its paths are below, the \
         project in the Host header (<project>.<region>.log.aliyuncs.com, or \
         <project>.<endpoint> when Flowplane is the client's proxy), x-log-apiversion 0.6.0, \
         LOG (V1) or SLS4-HMAC-SHA256 (V4) signatures, errors {\"errorCode\", \"errorMessage\"} \
         with x-log-requestid. The RPC (POP) products answer GET or POST / with Action, Version \
         and their parameters (query or form body), V1 (Signature=) or V3 (ACS3-HMAC-SHA256) \
         signatures, answers in JSON (Format=JSON, the default) or XML with a RequestId, errors \
         {\"RequestId\", \"HostId\", \"Code\", \"Message\", \"Recommend\"}; x-flowplane-rpc lists \
         every product, version and action with the schema of its answer (without the \
         RequestId that every answer adds).",
    );
    document.extensions = Some(ExtensionsBuilder::new().add("x-flowplane-rpc", rpc).build());
    document
}

/// `{"products": [{"product", "version", "endpoint", "region", "actions": [{"name", "answer"}]}]}`,
/// `answer` the schema (in the document's components) of the type the action's function
/// returns, to which the RPC router adds `RequestId`.
fn rpc_actions(part: &Part) -> Value {
    let products: Vec<Value> = APIS
        .iter()
        .map(|api| {
            json!({
                "product": api.product,
                "version": api.version,
                "endpoint": api.endpoint.host,
                "region": match api.region {
                    RegionRule::Required => "RegionId required",
                    RegionRule::Optional => "RegionId optional",
                },
                "actions": api
                    .actions
                    .iter()
                    .map(|action| json!({ "name": action.name, "answer": (action.answer)(part) }))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "path": "/", "methods": ["GET", "POST"], "products": products })
}
