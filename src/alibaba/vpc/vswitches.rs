//! vSwitches: CreateVSwitch (a block inside its VPC's, in a zone of the region),
//! DescribeVSwitches, DescribeVSwitchAttributes, ModifyVSwitchAttribute and DeleteVSwitch. A
//! vSwitch has no resource group of its own: it shows its VPC's, and is bound to its VPC's
//! system route table.

use serde::Serialize;

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::flow_logs::Empty;
use super::network::{
    attribute, network_text, owner_id, parse_cidr, parse_zone, vpcs_by_id, vswitch_status,
    EVERYTHING, ROUTE_TABLE_ID,
};
use super::wire::{creation_time, dry_run, parse_tags, PageQuery, TagList};
use crate::domain::network::{
    NetworkChanges, NetworkFilter, NetworkResource, NetworkStatus, NewNetworkResource,
};
use crate::domain::{ResourceKind, TagFilter, TenantScope};

/// DescribeVSwitches' page size unless asked.
const DEFAULT_PAGE_SIZE: u32 = 10;

/// The masks a vSwitch's block may have.
const VSWITCH_MASKS: std::ops::RangeInclusive<u8> = 16..=29;

pub async fn create_vswitch(call: &Call<'_>) -> Result<CreateVSwitchResponse, AlibabaError> {
    let (vpc_id, spec) = parse_create(call.params, call.scope)?;
    dry_run(call.params)?;
    let created = call
        .state
        .network
        .create(call.scope, ResourceKind::Subnet, Some(vpc_id), spec)
        .await?;
    Ok(CreateVSwitchResponse {
        v_switch_id: created.id,
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreateVSwitchResponse {
    #[serde(rename = "VSwitchId")]
    v_switch_id: String,
}

pub async fn describe_vswitches(
    call: &Call<'_>,
) -> Result<DescribeVSwitchesResponse, AlibabaError> {
    let query = parse_describe(call.params, owner_id(call.scope))?;
    dry_run(call.params)?;
    let (vswitches, total) = match narrowed(call, query.filter, &query.by_vpc).await? {
        Some(filter) => {
            call.state
                .network
                .counted_page(
                    call.scope,
                    ResourceKind::Subnet,
                    &filter,
                    query.page.offset(),
                    query.page.size,
                )
                .await?
        }
        None => (Vec::new(), 0),
    };
    Ok(DescribeVSwitchesResponse {
        total_count: total,
        page_number: query.page.number,
        page_size: query.page.size,
        v_switches: VSwitchList {
            v_switch: entries(call, vswitches).await?,
        },
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeVSwitchesResponse {
    total_count: u64,
    page_number: u64,
    page_size: u32,
    #[serde(rename = "VSwitches")]
    v_switches: VSwitchList,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct VSwitchList {
    #[serde(rename = "VSwitch")]
    v_switch: Vec<VSwitchEntry>,
}

pub async fn describe_vswitch_attributes(call: &Call<'_>) -> Result<VSwitchEntry, AlibabaError> {
    let id = call.params.require("VSwitchId")?;
    dry_run(call.params)?;
    let vswitch = call
        .state
        .network
        .get(call.scope, ResourceKind::Subnet, id)
        .await?;
    let mut entries = entries(call, vec![vswitch]).await?;
    Ok(entries.remove(0))
}

pub async fn modify_vswitch_attribute(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let id = call.params.require("VSwitchId")?;
    let changes = NetworkChanges {
        name: vswitch_name(call.params)?,
        description: vswitch_description(call.params)?,
        ..Default::default()
    };
    // IPv6 is not emulated: its options are checked for their types only.
    call.params.boolean("EnableIPv6")?;
    ipv6_block(call.params)?;
    call.params.integer("Ipv6CidrMask")?;
    call.state
        .network
        .update(
            call.scope,
            ResourceKind::Subnet,
            id,
            &changes,
            &[NetworkStatus::Available],
        )
        .await?;
    Ok(Empty {})
}

pub async fn delete_vswitch(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let id = call.params.require("VSwitchId")?;
    dry_run(call.params)?;
    call.state
        .network
        .delete(call.scope, ResourceKind::Subnet, id)
        .await?;
    Ok(Empty {})
}

/// The answer entries of these vSwitches: each with its VPC's resource group and route table,
/// and how many of its addresses are free.
async fn entries(
    call: &Call<'_>,
    vswitches: Vec<NetworkResource>,
) -> Result<Vec<VSwitchEntry>, AlibabaError> {
    let mut vpc_ids: Vec<String> = vswitches.iter().map(|s| s.vpc_id.clone()).collect();
    vpc_ids.sort_unstable();
    vpc_ids.dedup();
    let vpcs = vpcs_by_id(call, vpc_ids).await?;
    let free = call
        .state
        .network
        .free_addresses(call.scope, &vswitches)
        .await?;
    Ok(vswitches
        .into_iter()
        .zip(free)
        .map(|(vswitch, free)| {
            let vpc = vpcs.get(&vswitch.vpc_id);
            VSwitchEntry::new(vswitch, vpc, free)
        })
        .collect())
}

/// One vSwitch as DescribeVSwitches lists it and DescribeVSwitchAttributes answers it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct VSwitchEntry {
    #[serde(rename = "VSwitchId")]
    v_switch_id: String,
    vpc_id: String,
    status: &'static str,
    cidr_block: String,
    zone_id: String,
    #[serde(rename = "VSwitchName")]
    v_switch_name: String,
    description: String,
    creation_time: String,
    resource_group_id: String,
    ipv6_cidr_block: String,
    network_acl_id: String,
    share_type: String,
    available_ip_address_count: u64,
    is_default: bool,
    enabled_ipv6: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<u64>,
    route_table: RouteTableRef,
    tags: TagList,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct RouteTableRef {
    route_table_id: String,
    route_table_type: &'static str,
}

impl VSwitchEntry {
    fn new(vswitch: NetworkResource, vpc: Option<&NetworkResource>, free: u64) -> Self {
        VSwitchEntry {
            owner_id: owner_id(&vswitch.scope),
            status: vswitch_status(vswitch.status),
            creation_time: creation_time(vswitch.created_at),
            cidr_block: vswitch
                .spec
                .cidr
                .map(|cidr| cidr.to_string())
                .unwrap_or_default(),
            zone_id: vswitch.spec.zone.unwrap_or_default(),
            v_switch_name: vswitch.spec.name.unwrap_or_default(),
            description: vswitch.spec.description.unwrap_or_default(),
            resource_group_id: vpc
                .and_then(|vpc| vpc.spec.resource_group_id.clone())
                .unwrap_or_default(),
            ipv6_cidr_block: String::new(),
            network_acl_id: String::new(),
            share_type: String::new(),
            available_ip_address_count: free,
            is_default: false,
            enabled_ipv6: false,
            route_table: RouteTableRef {
                route_table_id: vpc
                    .map(|vpc| attribute(vpc, ROUTE_TABLE_ID))
                    .unwrap_or_default(),
                route_table_type: "System",
            },
            tags: TagList::from(vswitch.spec.tags),
            v_switch_id: vswitch.id,
            vpc_id: vswitch.vpc_id,
        }
    }
}

fn vswitch_name(params: &Params) -> Result<Option<String>, AlibabaError> {
    network_text(
        params,
        "VSwitchName",
        128,
        "InvalidVSwitchName.Malformed",
        "Specified virtual switch name is not valid.",
    )
}

fn vswitch_description(params: &Params) -> Result<Option<String>, AlibabaError> {
    network_text(
        params,
        "Description",
        256,
        "InvalidVSwitchDiscription.Malformed",
        "Specified virtual switch description is not valid.",
    )
}

/// `Ipv6CidrBlock`: the last eight bits of the vSwitch's IPv6 block, 0 to 255.
fn ipv6_block(params: &Params) -> Result<Option<u64>, AlibabaError> {
    match params.integer("Ipv6CidrBlock")? {
        Some(block) if block > 255 => Err(AlibabaError::invalid(
            "Ipv6CidrBlock",
            "it must be from 0 to 255",
        )),
        block => Ok(block),
    }
}

/// CreateVSwitch's VPC and what to create in it.
fn parse_create<'a>(
    params: &'a Params,
    scope: &TenantScope,
) -> Result<(&'a str, NewNetworkResource), AlibabaError> {
    let vpc_id = params.require("VpcId")?;
    let zone = parse_zone(scope, params.require("ZoneId")?)?;
    let cidr = parse_cidr(params.require("CidrBlock")?)?;
    if !VSWITCH_MASKS.contains(&cidr.prefix()) {
        return Err(AlibabaError::documented(
            "InvalidCirdrBlock.MaskLength",
            "Specified CIDR block is not valid .",
        ));
    }
    let spec = NewNetworkResource {
        name: vswitch_name(params)?,
        description: vswitch_description(params)?,
        cidr: Some(cidr),
        zone: Some(zone),
        tags: parse_tags(params, "Tag")?,
        ..Default::default()
    };
    ipv6_block(params)?;
    params.integer("Ipv6CidrMask")?;
    params.integer("CidrMask")?;
    Ok((vpc_id, spec))
}

/// What DescribeVSwitches asks: the vSwitches' own filters, the VPC-side ones (the VPC's
/// resource group and route table), and the page.
struct DescribeQuery {
    /// `None` when the filters can match nothing.
    filter: Option<NetworkFilter>,
    by_vpc: VpcSide,
    page: PageQuery,
}

#[derive(Default)]
struct VpcSide {
    resource_group_id: Option<String>,
    route_table_id: Option<String>,
}

fn parse_describe(params: &Params, owner: Option<u64>) -> Result<DescribeQuery, AlibabaError> {
    let one = |name: &str| {
        params
            .get(name)
            .map(|value| vec![value.to_owned()])
            .unwrap_or_default()
    };
    let filter = NetworkFilter {
        ids: one("VSwitchId"),
        names: one("VSwitchName"),
        parent_ids: one("VpcId"),
        zones: one("ZoneId"),
        tags: parse_tags(params, "Tag")?
            .into_iter()
            .map(|tag| TagFilter {
                key: tag.key,
                value: Some(tag.value).filter(|value| !value.is_empty()),
            })
            .collect(),
        ..Default::default()
    };
    // Every vSwitch here is a custom one without IPv6, the caller's own.
    let only_default = params.boolean("IsDefault")? == Some(true);
    let only_ipv6 = params.boolean("EnableIpv6")? == Some(true);
    let other_owner = params
        .integer("VSwitchOwnerId")?
        .is_some_and(|asked| Some(asked) != owner);
    let matches_nothing = only_default || only_ipv6 || other_owner;
    Ok(DescribeQuery {
        filter: (!matches_nothing).then_some(filter),
        by_vpc: VpcSide {
            resource_group_id: params.get("ResourceGroupId").map(str::to_owned),
            route_table_id: params.get("RouteTableId").map(str::to_owned),
        },
        page: PageQuery::parse(params, DEFAULT_PAGE_SIZE)?,
    })
}

/// The vSwitch filter with the VPC-side filters turned into the VPCs they leave; `None` when
/// no VPC is left.
async fn narrowed(
    call: &Call<'_>,
    filter: Option<NetworkFilter>,
    by_vpc: &VpcSide,
) -> Result<Option<NetworkFilter>, AlibabaError> {
    let Some(mut filter) = filter else {
        return Ok(None);
    };
    if by_vpc.resource_group_id.is_none() && by_vpc.route_table_id.is_none() {
        return Ok(Some(filter));
    }
    let vpc_filter = NetworkFilter {
        ids: filter.parent_ids.clone(),
        resource_group_ids: by_vpc.resource_group_id.iter().cloned().collect(),
        ..Default::default()
    };
    let vpcs = call
        .state
        .network
        .list(call.scope, ResourceKind::Vpc, &vpc_filter, &EVERYTHING)
        .await?;
    let parents: Vec<String> = vpcs
        .into_iter()
        .filter(|vpc| {
            by_vpc
                .route_table_id
                .as_ref()
                .is_none_or(|table| attribute(vpc, ROUTE_TABLE_ID) == *table)
        })
        .map(|vpc| vpc.id)
        .collect();
    if parents.is_empty() {
        return Ok(None);
    }
    filter.parent_ids = parents;
    Ok(Some(filter))
}
