//! DescribeRouteTableList: the system route table every VPC is created with (Terraform reads a
//! VPC's route table, router and resource group from it). A system table is part of its VPC: its
//! id, its router's, its group and its vSwitches are the VPC's; it has no name, description or
//! tags, and no custom tables or VBR tables exist.

use serde::Serialize;
use serde_json::{json, Value};

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::network::{
    attribute, owner_id, vpc_status, vswitch_ids_by_vpc, VSwitchIds, EVERYTHING, ROUTE_TABLE_ID,
    VROUTER_ID,
};
use super::wire::{creation_time, dry_run, parse_tags, PageQuery, TagList};
use crate::domain::network::{NetworkFilter, NetworkResource};
use crate::domain::ResourceKind;

/// DescribeRouteTableList's page size unless asked.
const DEFAULT_PAGE_SIZE: u32 = 10;

pub async fn describe_route_table_list(
    call: &Call<'_>,
) -> Result<DescribeRouteTableListResponse, AlibabaError> {
    let query = parse_describe(call.params)?;
    dry_run(call.params)?;
    let tables: Vec<NetworkResource> = match &query.vpc_filter {
        Some(filter) => call
            .state
            .network
            .list(call.scope, ResourceKind::Vpc, filter, &EVERYTHING)
            .await?
            .into_iter()
            .filter(|vpc| query.matches(vpc))
            .collect(),
        None => Vec::new(),
    };
    let total = tables.len() as u64;
    let page: Vec<NetworkResource> = tables
        .into_iter()
        .skip(usize::try_from(query.page.offset()).unwrap_or(usize::MAX))
        .take(query.page.size as usize)
        .collect();
    let mut vswitches =
        vswitch_ids_by_vpc(call, page.iter().map(|vpc| vpc.id.clone()).collect()).await?;
    Ok(DescribeRouteTableListResponse {
        total_count: total,
        page_number: query.page.number,
        page_size: query.page.size,
        router_table_list: RouterTableList {
            router_table_list_type: page
                .into_iter()
                .map(|vpc| {
                    let ids = vswitches.remove(&vpc.id).unwrap_or_default();
                    SystemRouteTable::new(vpc, ids)
                })
                .collect(),
        },
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRouteTableListResponse {
    total_count: u64,
    page_number: u64,
    page_size: u32,
    router_table_list: RouterTableList,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct RouterTableList {
    router_table_list_type: Vec<SystemRouteTable>,
}

/// One `RouterTableList.RouterTableListType[]` entry: a VPC's system route table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct SystemRouteTable {
    route_table_id: String,
    route_table_type: &'static str,
    route_table_name: String,
    description: String,
    router_id: String,
    router_type: &'static str,
    vpc_id: String,
    status: &'static str,
    creation_time: String,
    resource_group_id: String,
    associate_type: &'static str,
    route_propagation_enable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<u64>,
    #[serde(rename = "VSwitchIds")]
    v_switch_ids: VSwitchIds,
    gateway_ids: Value,
    tags: TagList,
}

impl SystemRouteTable {
    fn new(vpc: NetworkResource, vswitch_ids: Vec<String>) -> Self {
        SystemRouteTable {
            route_table_id: attribute(&vpc, ROUTE_TABLE_ID),
            route_table_type: "System",
            route_table_name: String::new(),
            description: String::new(),
            router_id: attribute(&vpc, VROUTER_ID),
            router_type: "VRouter",
            status: vpc_status(vpc.status),
            creation_time: creation_time(vpc.created_at),
            resource_group_id: vpc.spec.resource_group_id.clone().unwrap_or_default(),
            associate_type: "VSwitch",
            route_propagation_enable: true,
            owner_id: owner_id(&vpc.scope),
            v_switch_ids: VSwitchIds {
                v_switch_id: vswitch_ids,
            },
            gateway_ids: json!({"GatewayIds": []}),
            tags: TagList::from(Vec::new()),
            vpc_id: vpc.id,
        }
    }
}

/// What DescribeRouteTableList asks: the VPCs to look at (`None` when no system table can
/// match), the filters on their tables' ids, and the page.
struct DescribeQuery {
    vpc_filter: Option<NetworkFilter>,
    router_id: Option<String>,
    route_table_id: Option<String>,
    page: PageQuery,
}

impl DescribeQuery {
    fn matches(&self, vpc: &NetworkResource) -> bool {
        let is = |wanted: &Option<String>, key: &str| {
            wanted
                .as_ref()
                .is_none_or(|wanted| attribute(vpc, key) == *wanted)
        };
        is(&self.router_id, VROUTER_ID) && is(&self.route_table_id, ROUTE_TABLE_ID)
    }
}

fn parse_describe(params: &Params) -> Result<DescribeQuery, AlibabaError> {
    let one = |name: &str| {
        params
            .get(name)
            .map(|value| vec![value.to_owned()])
            .unwrap_or_default()
    };
    let vpc_filter = NetworkFilter {
        ids: one("VpcId"),
        resource_group_ids: one("ResourceGroupId"),
        ..Default::default()
    };
    // A system table has no name and no tags, and is a VRouter's.
    let named = params.get("RouteTableName").is_some();
    let tagged = !parse_tags(params, "Tag")?.is_empty();
    let custom = params
        .get("RouteTableType")
        .is_some_and(|kind| kind != "System");
    let vbr = params
        .get("RouterType")
        .is_some_and(|kind| kind != "VRouter");
    let matches_nothing = named || tagged || custom || vbr;
    Ok(DescribeQuery {
        vpc_filter: (!matches_nothing).then_some(vpc_filter),
        router_id: params.get("RouterId").map(str::to_owned),
        route_table_id: params.get("RouteTableId").map(str::to_owned),
        page: PageQuery::parse(params, DEFAULT_PAGE_SIZE)?,
    })
}
