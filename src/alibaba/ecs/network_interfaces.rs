//! Elastic network interfaces: CreateNetworkInterface, DescribeNetworkInterfaces,
//! DescribeNetworkInterfaceAttribute and DeleteNetworkInterface. An ENI lies in a vSwitch of the
//! network service, which gives it the vSwitch's zone and VPC and an address of its block; it
//! is `Available` once created and passes through `Deleting` when deleted. Security groups are
//! not emulated: the ids given are kept and shown as given.

use std::net::Ipv4Addr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::wire::{
    ecs_error, eni_not_found, has_id_shape, invalid_value, is_eni_id, parse_description,
    parse_name, parse_resource_group_id, parse_status, parse_tag_filters, parse_tags, require,
    status_name, vswitch_not_found,
};
use crate::domain::network::{NetworkFilter, NetworkResource, NewNetworkResource};
use crate::domain::tenancy::default_resource_group_id;
use crate::domain::{Page, ResourceKind};

const ENI: ResourceKind = ResourceKind::NetworkInterface;

/// The attribute keys an ENI keeps in the network service.
mod attribute {
    pub const SECURITY_GROUPS: &str = "security_group_ids";
    pub const TYPE: &str = "type";
    pub const TRAFFIC_MODE: &str = "traffic_mode";
    pub const DELETE_ON_RELEASE: &str = "delete_on_release";
    pub const SOURCE_DEST_CHECK: &str = "source_dest_check";
    pub const QUEUE_NUMBER: &str = "queue_number";
}

/// How many security groups one ENI may be in.
const MAX_SECURITY_GROUPS: usize = 10;

/// How many ids, addresses or prefixes a Describe filter list may hold.
const MAX_FILTER_VALUES: usize = 100;

/// `PageSize`: 10 unless asked, at most 100; `MaxResults`: 10 unless asked, clamped to 10–500.
const DEFAULT_PAGE_SIZE: u32 = 10;
const MAX_PAGE_SIZE: u64 = 100;
const MIN_MAX_RESULTS: u64 = 10;
const MAX_MAX_RESULTS: u64 = 500;

/// An empty object: the `AssociatedPublicIp` of an ENI without an elastic IP address.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = EcsEmpty)]
pub struct Empty {}

/// A list that is always empty here: IPv6 addresses and IPv4/IPv6 prefixes are not emulated.
type NoneEmulated = [(); 0];

pub async fn create_network_interface(
    call: &Call<'_>,
) -> Result<CreateNetworkInterfaceResponse, AlibabaError> {
    let (vswitch_id, mut spec) = parse_create(call.params)?;
    // Without a group, the ENI belongs to the account's default group.
    spec.resource_group_id
        .get_or_insert_with(|| default_resource_group_id(call.scope.tenant_id()));
    let created = call
        .state
        .network
        .create(call.scope, ENI, Some(&vswitch_id), spec)
        .await
        .map_err(ecs_error)?;
    Ok(CreateNetworkInterfaceResponse {
        eni: Eni::from(&created),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreateNetworkInterfaceResponse {
    #[serde(flatten)]
    eni: Eni,
}

pub async fn describe_network_interfaces(
    call: &Call<'_>,
) -> Result<DescribeNetworkInterfacesResponse, AlibabaError> {
    let query = parse_describe(call.params)?;
    if let Some(vswitch_id) = &query.vswitch_id {
        let found = call
            .state
            .network
            .find(call.scope, vswitch_id)
            .await
            .map_err(ecs_error)?;
        if !found.is_some_and(|vswitch| vswitch.kind == ResourceKind::Subnet) {
            return Err(vswitch_not_found(vswitch_id));
        }
    }
    let page = if query.matches_nothing {
        Listed::default()
    } else if !query.attributes.is_empty() {
        listed_in_memory(call, &query).await?
    } else {
        listed_by_store(call, &query).await?
    };
    let (page_number, page_size) = match query.paging {
        Paging::Numbered { number, size } => (number, size),
        Paging::Token { limit, .. } => (1, limit),
    };
    Ok(DescribeNetworkInterfacesResponse {
        total_count: page.total,
        page_number,
        page_size,
        next_token: page.next_token,
        network_interface_sets: NetworkInterfaceSets {
            network_interface_set: page.items.iter().map(EniDetail::from).collect(),
        },
    })
}

/// `TotalCount`, `PageNumber` and `PageSize` are integers in ECS's models; `NextToken` is
/// there only while another page follows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeNetworkInterfacesResponse {
    total_count: u64,
    page_number: u64,
    page_size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    network_interface_sets: NetworkInterfaceSets,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct NetworkInterfaceSets {
    network_interface_set: Vec<EniDetail>,
}

pub async fn describe_network_interface_attribute(
    call: &Call<'_>,
) -> Result<EniDetail, AlibabaError> {
    let id = parse_eni_id(call.params)?;
    let eni = call
        .state
        .network
        .get(call.scope, ENI, id)
        .await
        .map_err(ecs_error)?;
    Ok(EniDetail::from(&eni))
}

pub async fn delete_network_interface(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let id = parse_eni_id(call.params)?;
    call.state
        .network
        .delete(call.scope, ENI, id)
        .await
        .map_err(ecs_error)?;
    Ok(Empty {})
}

/// `NetworkInterfaceId`: required; one that cannot be an ENI's is not found, as an unknown one.
fn parse_eni_id(params: &Params) -> Result<&str, AlibabaError> {
    let id = require(params, "NetworkInterfaceId")?;
    if is_eni_id(id) {
        Ok(id)
    } else {
        Err(eni_not_found(id))
    }
}

// ---- Bodies ---------------------------------------------------------------------------------

/// What every ENI body carries (CreateNetworkInterface's, each DescribeNetworkInterfaces item,
/// DescribeNetworkInterfaceAttribute's), typed as the SDK models type it: `OwnerId` a string,
/// every list in its wrapper object (Terraform's provider panics on a missing one), unset
/// strings `""`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct Eni {
    network_interface_id: String,
    network_interface_name: String,
    description: String,
    status: &'static str,
    #[serde(rename = "Type")]
    eni_type: String,
    mac_address: String,
    private_ip_address: String,
    private_ip_sets: PrivateIpSets,
    vpc_id: String,
    v_switch_id: String,
    zone_id: String,
    resource_group_id: String,
    owner_id: String,
    security_group_ids: SecurityGroupIds,
    tags: Tags,
    ipv6_sets: Ipv6Sets,
    ipv4_prefix_sets: Ipv4PrefixSets,
    ipv6_prefix_sets: Ipv6PrefixSets,
    service_managed: bool,
    source_dest_check: bool,
}

/// An ENI as the Describe actions show it: [`Eni`] and what only they carry. `QueueNumber` and
/// `DeleteOnRelease` are there when they were set; `InstanceId` is `""` (no ENI is attached).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct EniDetail {
    #[serde(flatten)]
    eni: Eni,
    creation_time: String,
    instance_id: &'static str,
    network_interface_traffic_mode: String,
    associated_public_ip: Empty,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_on_release: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct PrivateIpSets {
    private_ip_set: Vec<PrivateIpSet>,
}

/// Each entry has a boolean `Primary`: Terraform asserts its type.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct PrivateIpSet {
    private_ip_address: String,
    primary: bool,
    associated_public_ip: Empty,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct SecurityGroupIds {
    security_group_id: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[schema(as = EcsTags)]
struct Tags {
    tag: Vec<EcsTag>,
}

/// ECS's tags say `TagKey` / `TagValue` (VPC's say `Key` / `Value`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct EcsTag {
    tag_key: String,
    tag_value: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct Ipv6Sets {
    /// Always empty: not emulated.
    #[schema(value_type = Vec<Object>)]
    ipv6_set: NoneEmulated,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct Ipv4PrefixSets {
    /// Always empty: not emulated.
    #[schema(value_type = Vec<Object>)]
    ipv4_prefix_set: NoneEmulated,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct Ipv6PrefixSets {
    /// Always empty: not emulated.
    #[schema(value_type = Vec<Object>)]
    ipv6_prefix_set: NoneEmulated,
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn attribute_text(attributes: &Map<String, Value>, key: &str, default: &str) -> String {
    attributes
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or(default)
        .to_owned()
}

impl From<&NetworkResource> for Eni {
    fn from(eni: &NetworkResource) -> Self {
        let spec = &eni.spec;
        let attributes = &spec.attributes;
        let address = spec.private_ip.map(|ip| ip.to_string()).unwrap_or_default();
        let security_groups = attributes
            .get(attribute::SECURITY_GROUPS)
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Eni {
            network_interface_id: eni.id.clone(),
            network_interface_name: text(&spec.name),
            description: text(&spec.description),
            status: status_name(eni.status),
            eni_type: attribute_text(attributes, attribute::TYPE, "Secondary"),
            mac_address: eni.mac_address.clone().unwrap_or_default(),
            private_ip_sets: PrivateIpSets {
                private_ip_set: vec![PrivateIpSet {
                    private_ip_address: address.clone(),
                    primary: true,
                    associated_public_ip: Empty {},
                }],
            },
            private_ip_address: address,
            vpc_id: eni.vpc_id.clone(),
            v_switch_id: eni.parent_id.clone().unwrap_or_default(),
            zone_id: text(&spec.zone),
            resource_group_id: text(&spec.resource_group_id),
            owner_id: eni.scope.tenant_id().to_owned(),
            security_group_ids: SecurityGroupIds {
                security_group_id: security_groups,
            },
            tags: Tags {
                tag: spec
                    .tags
                    .iter()
                    .map(|tag| EcsTag {
                        tag_key: tag.key.clone(),
                        tag_value: tag.value.clone(),
                    })
                    .collect(),
            },
            ipv6_sets: Ipv6Sets { ipv6_set: [] },
            ipv4_prefix_sets: Ipv4PrefixSets {
                ipv4_prefix_set: [],
            },
            ipv6_prefix_sets: Ipv6PrefixSets {
                ipv6_prefix_set: [],
            },
            service_managed: false,
            source_dest_check: attributes
                .get(attribute::SOURCE_DEST_CHECK)
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }
}

/// `YYYY-MM-DDThh:mm:ssZ`, as ECS writes times.
fn creation_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl From<&NetworkResource> for EniDetail {
    fn from(eni: &NetworkResource) -> Self {
        let attributes = &eni.spec.attributes;
        EniDetail {
            eni: Eni::from(eni),
            creation_time: creation_time(eni.created_at),
            instance_id: "",
            network_interface_traffic_mode: attribute_text(
                attributes,
                attribute::TRAFFIC_MODE,
                "Standard",
            ),
            associated_public_ip: Empty {},
            queue_number: attributes
                .get(attribute::QUEUE_NUMBER)
                .and_then(Value::as_u64),
            delete_on_release: attributes
                .get(attribute::DELETE_ON_RELEASE)
                .and_then(Value::as_bool),
        }
    }
}

// ---- CreateNetworkInterface's parameters ----------------------------------------------------

/// 400 `UnsupportedParameter`: what would give an ENI addresses beyond its primary one, which
/// are not emulated (refused rather than ignored, so that nothing reads back otherwise than it
/// was asked).
fn unsupported(param: &str) -> AlibabaError {
    AlibabaError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "UnsupportedParameter",
        format!("The parameter \"{param}\" is not supported: only the primary private IPv4 address of an ENI is emulated."),
    )
}

/// The vSwitch and what to create in it, checked in the order the API lists the parameters.
fn parse_create(params: &Params) -> Result<(String, NewNetworkResource), AlibabaError> {
    let vswitch_id = require(params, "VSwitchId")?.to_owned();
    let security_groups = parse_security_groups(params)?;
    let private_ip = params
        .get("PrimaryIpAddress")
        .map(|address| {
            address
                .parse::<Ipv4Addr>()
                .map_err(|_| invalid_value("PrimaryIpAddress"))
        })
        .transpose()?;
    let name = parse_name(params)?;
    let description = parse_description(params)?;
    let resource_group_id = parse_resource_group_id(params)?;
    let tags = parse_tags(params)?;
    for list in [
        "PrivateIpAddress",
        "Ipv6Address",
        "Ipv4Prefix",
        "Ipv6Prefix",
    ] {
        if !params.list(list, MAX_FILTER_VALUES)?.is_empty() {
            return Err(unsupported(&format!("{list}.N")));
        }
    }
    for count in [
        "SecondaryPrivateIpAddressCount",
        "Ipv6AddressCount",
        "Ipv4PrefixCount",
        "Ipv6PrefixCount",
    ] {
        if params.integer(count)?.is_some_and(|n| n > 0) {
            return Err(unsupported(count));
        }
    }
    let mut attributes = Map::new();
    attributes.insert(
        attribute::SECURITY_GROUPS.to_owned(),
        Value::from(security_groups),
    );
    let eni_type = one_of(params, "InstanceType", &["Secondary", "Trunk"])?.unwrap_or("Secondary");
    attributes.insert(attribute::TYPE.to_owned(), Value::from(eni_type));
    let traffic_mode = one_of(
        params,
        "NetworkInterfaceTrafficMode",
        &["Standard", "HighPerformance"],
    )?
    .unwrap_or("Standard");
    attributes.insert(
        attribute::TRAFFIC_MODE.to_owned(),
        Value::from(traffic_mode),
    );
    for (param, key) in [
        ("DeleteOnRelease", attribute::DELETE_ON_RELEASE),
        ("SourceDestCheck", attribute::SOURCE_DEST_CHECK),
    ] {
        if let Some(flag) = params.boolean(param)? {
            attributes.insert(key.to_owned(), Value::from(flag));
        }
    }
    if let Some(queues) = params.integer("QueueNumber")? {
        if !(1..=2048).contains(&queues) {
            return Err(invalid_value("QueueNumber"));
        }
        attributes.insert(attribute::QUEUE_NUMBER.to_owned(), Value::from(queues));
    }
    Ok((
        vswitch_id,
        NewNetworkResource {
            name,
            description,
            private_ip,
            resource_group_id,
            tags,
            attributes,
            ..Default::default()
        },
    ))
}

/// A parameter that must be one of `values`, if given.
fn one_of<'a>(
    params: &'a Params,
    param: &str,
    values: &[&str],
) -> Result<Option<&'a str>, AlibabaError> {
    match params.get(param) {
        Some(value) if !values.contains(&value) => Err(invalid_value(param)),
        given => Ok(given),
    }
}

/// `SecurityGroupId` or `SecurityGroupIds.N` (not both): `sg-` ids, kept as given (security
/// groups are not emulated); neither gives an ENI in no group.
fn parse_security_groups(params: &Params) -> Result<Vec<String>, AlibabaError> {
    let many = params.list("SecurityGroupIds", MAX_SECURITY_GROUPS)?;
    let ids: Vec<&str> = match (params.get("SecurityGroupId"), many.is_empty()) {
        (Some(_), false) => {
            return Err(AlibabaError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "InvalidParameter.Conflict",
                "The parameters \"SecurityGroupId\" and \"SecurityGroupIds.N\" cannot be specified together.",
            ))
        }
        (Some(one), true) => vec![one],
        (None, _) => many,
    };
    let mut groups: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !has_id_shape(id, "sg-") {
            return Err(AlibabaError::new(
                axum::http::StatusCode::NOT_FOUND,
                "InvalidSecurityGroupId.NotFound",
                "The specified SecurityGroupId does not exist.",
            ));
        }
        if !groups.iter().any(|group| group == id) {
            groups.push(id.to_owned());
        }
    }
    Ok(groups)
}

// ---- DescribeNetworkInterfaces' parameters and paging --------------------------------------

/// Which slice of the list: by `NextToken` (the id of the last ENI of the previous page) and
/// `MaxResults`, or by the deprecated `PageNumber` and `PageSize`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Paging {
    Token { after: Option<String>, limit: u32 },
    Numbered { number: u64, size: u32 },
}

struct DescribeQuery {
    filter: NetworkFilter,
    attributes: AttributeFilter,
    /// Checked to exist: an unknown vSwitch is `InvalidVSwitchId.NotFound`.
    vswitch_id: Option<String>,
    /// A filter no ENI here can match (an attached ENI, a primary one, IPv6 addresses, …).
    matches_nothing: bool,
    paging: Paging,
}

fn parse_describe(params: &Params) -> Result<DescribeQuery, AlibabaError> {
    let mut matches_nothing = false;
    let mut filter = NetworkFilter {
        ids: owned(params.list("NetworkInterfaceId", MAX_FILTER_VALUES)?),
        ..Default::default()
    };
    for (param, values) in [
        ("VSwitchId", &mut filter.parent_ids),
        ("VpcId", &mut filter.vpc_ids),
        ("NetworkInterfaceName", &mut filter.names),
        ("ResourceGroupId", &mut filter.resource_group_ids),
        ("PrimaryIpAddress", &mut filter.private_ips),
    ] {
        values.extend(params.get(param).map(str::to_owned));
    }
    let vswitch_id = params.get("VSwitchId").map(str::to_owned);
    // Secondary addresses, IPv6 addresses and instances are not emulated: no ENI has them.
    for list in ["PrivateIpAddress", "Ipv6Address"] {
        matches_nothing |= !params.list(list, MAX_FILTER_VALUES)?.is_empty();
    }
    matches_nothing |= params.get("InstanceId").is_some();
    matches_nothing |= params.boolean("ServiceManaged")? == Some(true);
    let eni_type = one_of(params, "Type", &["Primary", "Secondary", "Trunk"])?;
    // A primary ENI is an instance's own: none exists here.
    matches_nothing |= eni_type == Some("Primary");
    if let Some(status) = params.get("Status") {
        match parse_status(status)? {
            Some(status) => filter.statuses.push(status),
            None => matches_nothing = true,
        }
    }
    filter.tags = parse_tag_filters(params)?;
    Ok(DescribeQuery {
        filter,
        attributes: AttributeFilter {
            security_group_id: params.get("SecurityGroupId").map(str::to_owned),
            eni_type: eni_type.map(str::to_owned),
        },
        vswitch_id,
        matches_nothing,
        paging: parse_paging(params)?,
    })
}

fn owned(values: Vec<&str>) -> Vec<String> {
    values.into_iter().map(str::to_owned).collect()
}

/// `NextToken` takes precedence; `MaxResults` alone starts token paging; otherwise pages are
/// numbered (what a call without paging parameters gets).
fn parse_paging(params: &Params) -> Result<Paging, AlibabaError> {
    let max_results = params.integer("MaxResults")?;
    let page_number = params.integer("PageNumber")?;
    let page_size = params.integer("PageSize")?;
    let token = params.get("NextToken");
    if token.is_some() || (max_results.is_some() && page_number.is_none() && page_size.is_none()) {
        if token.is_some_and(|token| !is_eni_id(token)) {
            return Err(invalid_value("NextToken"));
        }
        // The SDK's documented clamping: below 10 is 10, above 500 is 500.
        let limit = max_results
            .unwrap_or(MIN_MAX_RESULTS)
            .clamp(MIN_MAX_RESULTS, MAX_MAX_RESULTS) as u32;
        return Ok(Paging::Token {
            after: token.map(str::to_owned),
            limit,
        });
    }
    let number = page_number.unwrap_or(1);
    if number == 0 {
        return Err(invalid_value("PageNumber"));
    }
    let size = match page_size {
        None => DEFAULT_PAGE_SIZE,
        Some(size @ 1..=MAX_PAGE_SIZE) => size as u32,
        Some(_) => return Err(invalid_value("PageSize")),
    };
    Ok(Paging::Numbered { number, size })
}

/// Filters on what an ENI keeps in its attributes, which the store does not filter on: checked
/// on every ENI the other filters let through.
#[derive(Debug, Default)]
struct AttributeFilter {
    security_group_id: Option<String>,
    eni_type: Option<String>,
}

impl AttributeFilter {
    fn is_empty(&self) -> bool {
        self.security_group_id.is_none() && self.eni_type.is_none()
    }

    fn matches(&self, eni: &NetworkResource) -> bool {
        let attributes = &eni.spec.attributes;
        let in_group = |group: &String| {
            attributes
                .get(attribute::SECURITY_GROUPS)
                .and_then(Value::as_array)
                .is_some_and(|groups| groups.iter().any(|id| id.as_str() == Some(group)))
        };
        let of_type = |eni_type: &String| {
            attribute_text(attributes, attribute::TYPE, "Secondary") == *eni_type
        };
        self.security_group_id.as_ref().is_none_or(in_group)
            && self.eni_type.as_ref().is_none_or(of_type)
    }
}

/// One page of ENIs, how many match in all, and the token of the next page if there is one.
#[derive(Debug, Default)]
struct Listed {
    items: Vec<NetworkResource>,
    total: u64,
    next_token: Option<String>,
}

impl Listed {
    /// The page; when `more` follow, the token of the next page is its last ENI's id.
    fn new(items: Vec<NetworkResource>, total: u64, more: bool) -> Self {
        let next_token = more
            .then(|| items.last().map(|eni| eni.id.clone()))
            .flatten();
        Listed {
            items,
            total,
            next_token,
        }
    }
}

/// The page the store reads: by marker (one more than a page tells whether another follows)
/// with the count read apart, or by offset with the count read together.
async fn listed_by_store(call: &Call<'_>, query: &DescribeQuery) -> Result<Listed, AlibabaError> {
    let network = &call.state.network;
    match &query.paging {
        Paging::Token { after, limit } => {
            let page = Page::AfterMarker {
                marker: after.clone(),
                limit: limit + 1,
            };
            let mut items = network
                .list(call.scope, ENI, &query.filter, &page)
                .await
                .map_err(ecs_error)?;
            let more = items.len() > *limit as usize;
            items.truncate(*limit as usize);
            let (_, total) = network
                .counted_page(call.scope, ENI, &query.filter, 0, 0)
                .await
                .map_err(ecs_error)?;
            Ok(Listed::new(items, total, more))
        }
        Paging::Numbered { number, size } => {
            let offset = (number - 1).saturating_mul(u64::from(*size));
            let (items, total) = network
                .counted_page(call.scope, ENI, &query.filter, offset, *size)
                .await
                .map_err(ecs_error)?;
            let more = offset.saturating_add(items.len() as u64) < total;
            Ok(Listed::new(items, total, more))
        }
    }
}

/// The page of the ENIs that also pass the attribute filters: every match read, then paged
/// here, the same way the store pages.
async fn listed_in_memory(call: &Call<'_>, query: &DescribeQuery) -> Result<Listed, AlibabaError> {
    let everything = Page::Offset {
        offset: 0,
        limit: u32::MAX,
    };
    let mut matching = call
        .state
        .network
        .list(call.scope, ENI, &query.filter, &everything)
        .await
        .map_err(ecs_error)?;
    matching.retain(|eni| query.attributes.matches(eni));
    let total = matching.len() as u64;
    let (start, limit) = match &query.paging {
        Paging::Token { after: None, limit } => (0, *limit),
        Paging::Token {
            after: Some(marker),
            limit,
        } => {
            // An unknown marker gives an empty page, as the store's does.
            let start = matching
                .iter()
                .position(|eni| eni.id == *marker)
                .map_or(matching.len(), |at| at + 1);
            (start, *limit)
        }
        Paging::Numbered { number, size } => {
            let offset = (number - 1).saturating_mul(u64::from(*size));
            (usize::try_from(offset).unwrap_or(usize::MAX), *size)
        }
    };
    let end = start.saturating_add(limit as usize).min(matching.len());
    let more = end < matching.len();
    let items: Vec<NetworkResource> = matching.drain(start.min(end)..end).collect();
    Ok(Listed::new(items, total, more))
}
