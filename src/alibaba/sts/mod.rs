//! Alibaba STS (API 2015-04-01): who the caller is (`GetCallerIdentity`) and temporary
//! credentials for a RAM role session (`AssumeRole`), which every product's gateway then
//! accepts with their `SecurityToken` until they expire. The SDKs send no `RegionId`.

mod roles;

use super::error::Endpoint;
use super::rpc::{action, Api, RegionRule};

pub static API: Api = Api {
    product: "sts",
    version: "2015-04-01",
    endpoint: Endpoint {
        host: "sts.aliyuncs.com",
        product: "Sts",
    },
    region: RegionRule::Optional,
    actions: &[
        action!("GetCallerIdentity" => roles::get_caller_identity),
        action!("AssumeRole" => roles::assume_role),
    ],
};
