//! Alibaba Resource Manager (API 2020-03-31), resource groups: every account's groups, the
//! default one first (`domain::tenancy`), listed and read. The product is global: its SDKs
//! send no `RegionId`.

mod resource_groups;

use super::error::Endpoint;
use super::rpc::{action, Api, RegionRule};

pub static API: Api = Api {
    product: "resourcemanager",
    version: "2020-03-31",
    endpoint: Endpoint {
        host: "resourcemanager.aliyuncs.com",
        product: "ResourceManager",
    },
    region: RegionRule::Optional,
    actions: &[
        action!("ListResourceGroups" => resource_groups::list_resource_groups),
        action!("GetResourceGroup" => resource_groups::get_resource_group),
    ],
};
