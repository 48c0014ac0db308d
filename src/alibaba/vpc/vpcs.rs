//! VPCs: CreateVpc (which also makes the VPC's vRouter and its system route table),
//! DescribeVpcs, DescribeVpcAttribute, ModifyVpcAttribute and DeleteVpc, answered as the SDK
//! models type them (`TotalCount` and the paging are integers here, every unset string `""`).

use serde::Serialize;
use serde_json::{json, Value};

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::flow_logs::Empty;
use super::network::{
    attribute, generate_id, network_text, owner_id, parse_cidr, vpc_status, vswitch_ids_by_vpc,
    VSwitchIds, DNS_HOSTNAME, ROUTE_TABLE_ID, USER_CIDRS, VROUTER_ID,
};
use super::wire::{
    creation_time, dry_run, parse_resource_group_id, parse_tags, PageQuery, TagList,
};
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::network::{
    NetworkChanges, NetworkFilter, NetworkResource, NetworkStatus, NewNetworkResource,
};
use crate::domain::tenancy::default_resource_group_id;
use crate::domain::{ResourceKind, TagFilter};

/// The block a VPC gets when CreateVpc names none.
const DEFAULT_VPC_CIDR: &str = "172.16.0.0/12";

/// Ranges no VPC may overlap.
const RESERVED_BLOCKS: [&str; 4] = [
    "100.64.0.0/10",
    "224.0.0.0/4",
    "127.0.0.0/8",
    "169.254.0.0/16",
];

/// How many blocks `UserCidr` may list.
const MAX_USER_CIDRS: usize = 3;

/// How many ids DescribeVpcs' `VpcId` may list.
const MAX_VPC_IDS: usize = 20;

/// DescribeVpcs' page size unless asked.
const DEFAULT_PAGE_SIZE: u32 = 10;

pub async fn create_vpc(call: &Call<'_>) -> Result<CreateVpcResponse, AlibabaError> {
    let mut spec = parse_create(call.params)?;
    dry_run(call.params)?;
    spec.resource_group_id
        .get_or_insert_with(|| default_resource_group_id(call.scope.tenant_id()));
    spec.attributes
        .insert(VROUTER_ID.to_owned(), json!(generate_id("vrt-")));
    spec.attributes
        .insert(ROUTE_TABLE_ID.to_owned(), json!(generate_id("vtb-")));
    let created = call
        .state
        .network
        .create(call.scope, ResourceKind::Vpc, None, spec)
        .await?;
    Ok(CreateVpcResponse {
        v_router_id: attribute(&created, VROUTER_ID),
        route_table_id: attribute(&created, ROUTE_TABLE_ID),
        resource_group_id: created.spec.resource_group_id.unwrap_or_default(),
        vpc_id: created.id,
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateVpcResponse {
    vpc_id: String,
    v_router_id: String,
    route_table_id: String,
    resource_group_id: String,
}

pub async fn describe_vpcs(call: &Call<'_>) -> Result<DescribeVpcsResponse, AlibabaError> {
    let (filter, page) = parse_describe(call.params, owner_id(call.scope))?;
    dry_run(call.params)?;
    let (vpcs, total) = match filter {
        Some(filter) => {
            call.state
                .network
                .counted_page(
                    call.scope,
                    ResourceKind::Vpc,
                    &filter,
                    page.offset(),
                    page.size,
                )
                .await?
        }
        None => (Vec::new(), 0),
    };
    let mut vswitches =
        vswitch_ids_by_vpc(call, vpcs.iter().map(|vpc| vpc.id.clone()).collect()).await?;
    Ok(DescribeVpcsResponse {
        total_count: total,
        page_number: page.number,
        page_size: page.size,
        vpcs: VpcList {
            vpc: vpcs
                .into_iter()
                .map(|vpc| {
                    let ids = vswitches.remove(&vpc.id).unwrap_or_default();
                    VpcEntry::new(vpc, ids)
                })
                .collect(),
        },
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeVpcsResponse {
    total_count: u64,
    page_number: u64,
    page_size: u32,
    vpcs: VpcList,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct VpcList {
    vpc: Vec<VpcEntry>,
}

pub async fn describe_vpc_attribute(
    call: &Call<'_>,
) -> Result<DescribeVpcAttributeResponse, AlibabaError> {
    let id = call.params.require("VpcId")?;
    call.params.boolean("IsDefault")?;
    dry_run(call.params)?;
    let vpc = call
        .state
        .network
        .get(call.scope, ResourceKind::Vpc, id)
        .await?;
    let ids = vswitch_ids_by_vpc(call, vec![vpc.id.clone()])
        .await?
        .remove(&vpc.id)
        .unwrap_or_default();
    let counts = [
        ("VSwitch", ids.len() as u64),
        ("VRouter", 1),
        ("RouteTable", 1),
    ];
    Ok(DescribeVpcAttributeResponse {
        common: VpcCommon::new(vpc, ids),
        ipv4_gateway_id: String::new(),
        classic_link_enabled: false,
        support_ipv4_gateway: true,
        associated_cens: json!({"AssociatedCen": []}),
        cloud_resources: CloudResources {
            cloud_resource_set_type: counts
                .into_iter()
                .map(|(kind, count)| CloudResource {
                    resource_type: kind,
                    resource_count: count,
                })
                .collect(),
        },
        associated_propagation_sources: json!({"AssociatedPropagationSources": []}),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeVpcAttributeResponse {
    #[serde(flatten)]
    common: VpcCommon,
    ipv4_gateway_id: String,
    classic_link_enabled: bool,
    support_ipv4_gateway: bool,
    associated_cens: Value,
    cloud_resources: CloudResources,
    associated_propagation_sources: Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct CloudResources {
    cloud_resource_set_type: Vec<CloudResource>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct CloudResource {
    resource_type: &'static str,
    resource_count: u64,
}

pub async fn modify_vpc_attribute(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let id = call.params.require("VpcId")?;
    let (changes, cidr) = parse_modify(call.params)?;
    if let Some(cidr) = cidr {
        // The domain keeps a VPC's block as created; the same block again changes nothing.
        let vpc = call
            .state
            .network
            .get(call.scope, ResourceKind::Vpc, id)
            .await?;
        if vpc.spec.cidr != Some(cidr) {
            return Err(AlibabaError::documented(
                "OperationUnsupported.CidrBlock",
                "Changing the CIDR block of a VPC is not supported.",
            ));
        }
    }
    change_vpc(call, id, &changes, &[NetworkStatus::Available]).await?;
    Ok(Empty {})
}

/// Changes a VPC that is in one of `allowed` (else `IncorrectVpcStatus`).
pub(super) async fn change_vpc(
    call: &Call<'_>,
    id: &str,
    changes: &NetworkChanges,
    allowed: &[NetworkStatus],
) -> Result<NetworkResource, AlibabaError> {
    Ok(call
        .state
        .network
        .update(call.scope, ResourceKind::Vpc, id, changes, allowed)
        .await?)
}

pub async fn delete_vpc(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let id = call.params.require("VpcId")?;
    // A forced delete removes only gateways, which are not emulated: vSwitches still block it.
    call.params.boolean("ForceDelete")?;
    dry_run(call.params)?;
    call.state
        .network
        .delete(call.scope, ResourceKind::Vpc, id)
        .await?;
    Ok(Empty {})
}

fn invalid_vpc_cidr() -> AlibabaError {
    AlibabaError::documented("InvalidParameter", "Specified CIDR block is not valid")
}

/// A VPC's block: masks 8 to 28, overlapping none of the reserved ranges.
fn parse_vpc_cidr(value: &str) -> Result<Ipv4Cidr, AlibabaError> {
    let cidr = parse_cidr(value)?;
    let reserved = RESERVED_BLOCKS
        .iter()
        .filter_map(|block| block.parse::<Ipv4Cidr>().ok())
        .any(|block| block.overlaps(cidr));
    if !(8..=28).contains(&cidr.prefix()) || reserved {
        return Err(invalid_vpc_cidr());
    }
    Ok(cidr)
}

/// `UserCidr`: up to three blocks, comma-separated.
fn parse_user_cidrs(params: &Params) -> Result<Vec<String>, AlibabaError> {
    let Some(value) = params.get("UserCidr") else {
        return Ok(Vec::new());
    };
    let blocks: Vec<&str> = value.split(',').map(str::trim).collect();
    if blocks.len() > MAX_USER_CIDRS {
        return Err(AlibabaError::documented(
            "InvalidUserCidr.Quota",
            "Specified UserCidr count exceeds the quota.",
        ));
    }
    blocks
        .into_iter()
        .map(|block| {
            block
                .parse::<Ipv4Cidr>()
                .map(|cidr| cidr.to_string())
                .map_err(|_| {
                    AlibabaError::documented(
                        "InvalidUserCidr.Malformed",
                        "Specified UserCidr invalid format.",
                    )
                })
        })
        .collect()
}

fn vpc_name(params: &Params) -> Result<Option<String>, AlibabaError> {
    network_text(
        params,
        "VpcName",
        128,
        "InvalidVpcName.Malformed",
        "Specified VPC name is not valid.",
    )
}

fn vpc_description(params: &Params) -> Result<Option<String>, AlibabaError> {
    network_text(
        params,
        "Description",
        256,
        "InvalidVpcDiscription.Malformed",
        "Specified VPC description is not valid.",
    )
}

/// CreateVpc's parameters; the IPv6, IPAM and DNS options are accepted (booleans and integers
/// must be such) and, but for `UserCidr` and `EnableDnsHostname`, not kept.
fn parse_create(params: &Params) -> Result<NewNetworkResource, AlibabaError> {
    let cidr = match params.get("CidrBlock") {
        Some(value) => parse_vpc_cidr(value)?,
        None => DEFAULT_VPC_CIDR.parse().expect("the default block parses"),
    };
    let name = vpc_name(params)?;
    let description = vpc_description(params)?;
    let resource_group_id = params
        .get("ResourceGroupId")
        .map(parse_resource_group_id)
        .transpose()?;
    let tags = parse_tags(params, "Tag")?;
    let user_cidrs = parse_user_cidrs(params)?;
    for flag in ["EnableIpv6", "EnableDnsHostname"] {
        params.boolean(flag)?;
    }
    for number in ["Ipv4CidrMask", "Ipv6CidrMask"] {
        params.integer(number)?;
    }
    let mut spec = NewNetworkResource {
        name,
        description,
        cidr: Some(cidr),
        resource_group_id,
        tags,
        ..Default::default()
    };
    if !user_cidrs.is_empty() {
        spec.attributes
            .insert(USER_CIDRS.to_owned(), json!(user_cidrs));
    }
    if params.boolean("EnableDnsHostname")? == Some(true) {
        spec.attributes.insert(DNS_HOSTNAME.to_owned(), json!(true));
    }
    Ok(spec)
}

/// ModifyVpcAttribute's changes, and the block it names, if any.
fn parse_modify(params: &Params) -> Result<(NetworkChanges, Option<Ipv4Cidr>), AlibabaError> {
    let cidr = params.get("CidrBlock").map(parse_vpc_cidr).transpose()?;
    let mut changes = NetworkChanges {
        name: vpc_name(params)?,
        description: vpc_description(params)?,
        ..Default::default()
    };
    params.boolean("EnableIPv6")?;
    if let Some(enabled) = params.boolean("EnableDnsHostname")? {
        changes
            .attributes
            .insert(DNS_HOSTNAME.to_owned(), json!(enabled));
    }
    Ok((changes, cidr))
}

/// DescribeVpcs' filters (all must hold; `None` when they can match nothing) and page.
fn parse_describe(
    params: &Params,
    owner: Option<u64>,
) -> Result<(Option<NetworkFilter>, PageQuery), AlibabaError> {
    let mut filter = NetworkFilter::default();
    if let Some(ids) = params.get("VpcId") {
        let ids: Vec<String> = ids
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
        if ids.len() > MAX_VPC_IDS {
            return Err(AlibabaError::invalid(
                "VpcId",
                format_args!("it lists more than {MAX_VPC_IDS} VPC ids"),
            ));
        }
        filter.ids = ids;
    }
    if let Some(name) = params.get("VpcName") {
        filter.names = vec![name.to_owned()];
    }
    if let Some(group) = params.get("ResourceGroupId") {
        filter.resource_group_ids = vec![group.to_owned()];
    }
    filter.tags = parse_tags(params, "Tag")?
        .into_iter()
        .map(|tag| TagFilter {
            key: tag.key,
            value: Some(tag.value).filter(|value| !value.is_empty()),
        })
        .collect();
    // Every VPC here is a custom one without IPv6, the caller's own: asking for the default VPC,
    // an IPv6 one or another owner's finds none.
    let only_default = params.boolean("IsDefault")? == Some(true);
    let only_ipv6 = params.boolean("EnableIpv6")? == Some(true);
    let other_owner = params
        .integer("VpcOwnerId")?
        .is_some_and(|asked| Some(asked) != owner);
    let page = PageQuery::parse(params, DEFAULT_PAGE_SIZE)?;
    let matches_nothing = only_default || only_ipv6 || other_owner;
    Ok(((!matches_nothing).then_some(filter), page))
}

/// What DescribeVpcs' entries and DescribeVpcAttribute's answer both carry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct VpcCommon {
    vpc_id: String,
    region_id: String,
    status: &'static str,
    vpc_name: String,
    description: String,
    creation_time: String,
    cidr_block: String,
    v_router_id: String,
    is_default: bool,
    resource_group_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<u64>,
    ipv6_cidr_block: String,
    enabled_ipv6: bool,
    dhcp_options_set_id: String,
    dhcp_options_set_status: String,
    dns_hostname_status: &'static str,
    #[serde(rename = "VSwitchIds")]
    v_switch_ids: VSwitchIds,
    user_cidrs: Value,
    secondary_cidr_blocks: Value,
    ipv6_cidr_blocks: Value,
    tags: TagList,
}

impl VpcCommon {
    fn new(vpc: NetworkResource, vswitch_ids: Vec<String>) -> Self {
        let user_cidrs = vpc
            .spec
            .attributes
            .get(USER_CIDRS)
            .cloned()
            .filter(Value::is_array)
            .unwrap_or_else(|| json!([]));
        let dns_hostname = vpc.spec.attributes.get(DNS_HOSTNAME) == Some(&Value::Bool(true));
        VpcCommon {
            region_id: vpc.scope.region_id().to_owned(),
            owner_id: owner_id(&vpc.scope),
            status: vpc_status(vpc.status),
            v_router_id: attribute(&vpc, VROUTER_ID),
            creation_time: creation_time(vpc.created_at),
            cidr_block: vpc
                .spec
                .cidr
                .map(|cidr| cidr.to_string())
                .unwrap_or_default(),
            vpc_name: vpc.spec.name.unwrap_or_default(),
            description: vpc.spec.description.unwrap_or_default(),
            is_default: false,
            resource_group_id: vpc.spec.resource_group_id.unwrap_or_default(),
            ipv6_cidr_block: String::new(),
            enabled_ipv6: false,
            dhcp_options_set_id: String::new(),
            dhcp_options_set_status: String::new(),
            dns_hostname_status: if dns_hostname { "ENABLED" } else { "DISABLED" },
            v_switch_ids: VSwitchIds {
                v_switch_id: vswitch_ids,
            },
            user_cidrs: json!({ "UserCidr": user_cidrs }),
            secondary_cidr_blocks: json!({"SecondaryCidrBlock": []}),
            ipv6_cidr_blocks: json!({"Ipv6CidrBlock": []}),
            tags: TagList::from(vpc.spec.tags),
            vpc_id: vpc.id,
        }
    }
}

/// One `Vpcs.Vpc[]` entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct VpcEntry {
    #[serde(flatten)]
    common: VpcCommon,
    cen_status: String,
    router_table_ids: Value,
    nat_gateway_ids: Value,
}

impl VpcEntry {
    fn new(vpc: NetworkResource, vswitch_ids: Vec<String>) -> Self {
        let route_table = attribute(&vpc, ROUTE_TABLE_ID);
        VpcEntry {
            common: VpcCommon::new(vpc, vswitch_ids),
            cen_status: String::new(),
            router_table_ids: json!({ "RouterTableIds": [route_table] }),
            nat_gateway_ids: json!({"NatGatewayIds": []}),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpc_blocks_take_masks_8_to_28_outside_the_reserved_ranges() {
        for good in [
            "10.0.0.0/8",
            "192.168.0.0/24",
            "172.16.0.0/12",
            "10.4.0.0/28",
        ] {
            assert!(parse_vpc_cidr(good).is_ok(), "{good}");
        }
        for bad in [
            "10.0.0.0/7",
            "10.0.0.0/29",
            "100.64.0.0/16",
            "0.0.0.0/0",
            "127.0.0.0/8",
        ] {
            assert_eq!(
                parse_vpc_cidr(bad).unwrap_err().code,
                "InvalidParameter",
                "{bad}"
            );
        }
        for bad in ["10.0.0.1/8", "10.0.0.0", "x/8"] {
            assert_eq!(
                parse_vpc_cidr(bad).unwrap_err().code,
                "InvalidCidrBlock.Malformed",
                "{bad}"
            );
        }
    }
}
