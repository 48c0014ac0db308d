//! The subnet API's wire types: the create and update bodies checked into domain values (CIDR,
//! gateway, DNS servers as the cloud settles them, DHCP options), and the `Subnet` model.

use std::fmt::Display;
use std::net::Ipv4Addr;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::extract::RequestBody;
use super::network_errors::{invalid, invalid_field, v1, Api};
use super::network_wire::{
    attributes, bool_attribute, check_description, check_name, ipv4, is_network_id, list_attribute,
    parse_create_tags, strings_attribute, text_attribute,
};
use super::wire::HuaweiTime;
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::network::{NetworkChanges, NetworkResource, NetworkStatus, NewNetworkResource};
use crate::huawei::error::HuaweiError;

pub const DEFAULT_DNS: [&str; 2] = ["100.125.1.250", "100.125.129.250"];
pub const MAX_PREFIX: u8 = 28;
pub const MAX_ZONE_CHARS: usize = 64;

// Attribute keys.
pub const NEUTRON_SUBNET_ID: &str = "neutron_subnet_id";
pub const PRIMARY_DNS: &str = "primary_dns";
pub const SECONDARY_DNS: &str = "secondary_dns";
pub const DNS_LIST: &str = "dns_list";
pub const DHCP_ENABLE: &str = "dhcp_enable";
pub const EXTRA_DHCP_OPTS: &str = "extra_dhcp_opts";
pub const USAGE_METRICS: &str = "enable_network_address_usage_metrics";

pub fn subnet_invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
    invalid(Api::Subnet, field, reason)
}

/// 400 VPC.0212 for a block that is no IPv4 network or is smaller than a /28.
pub fn bad_cidr() -> HuaweiError {
    v1(
        StatusCode::BAD_REQUEST,
        "VPC.0212",
        "The subnet cidr is not valid.",
    )
}

/// `{"subnet": CreateSubnetOption}`: `name`, `cidr`, `gateway_ip` and `vpc_id` are required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateSubnetRequestBody {
    pub subnet: Option<CreateSubnetOption>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateSubnetOption {
    name: Option<String>,
    description: Option<String>,
    cidr: Option<String>,
    gateway_ip: Option<String>,
    vpc_id: Option<String>,
    ipv6_enable: Option<bool>,
    dhcp_enable: Option<bool>,
    primary_dns: Option<String>,
    secondary_dns: Option<String>,
    #[serde(rename = "dnsList")]
    dns_list: Option<Vec<String>>,
    availability_zone: Option<String>,
    extra_dhcp_opts: Option<Vec<ExtraDhcpOpt>>,
    tags: Option<Vec<String>>,
    enable_network_address_usage_metrics: Option<bool>,
}

/// `{"subnet": UpdateSubnetOption}`: `name` is required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateSubnetRequestBody {
    pub subnet: Option<UpdateSubnetOption>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateSubnetOption {
    name: Option<String>,
    description: Option<String>,
    ipv6_enable: Option<bool>,
    dhcp_enable: Option<bool>,
    primary_dns: Option<String>,
    secondary_dns: Option<String>,
    #[serde(rename = "dnsList")]
    dns_list: Option<Vec<String>>,
    extra_dhcp_opts: Option<Vec<ExtraDhcpOpt>>,
    enable_network_address_usage_metrics: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ExtraDhcpOpt {
    opt_name: Option<String>,
    opt_value: Option<String>,
}

impl RequestBody for CreateSubnetRequestBody {
    const WRAPPER: &'static str = "subnet";

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        subnet_invalid(field, reason)
    }
}

impl RequestBody for UpdateSubnetRequestBody {
    const WRAPPER: &'static str = "subnet";

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        subnet_invalid(field, reason)
    }
}

/// A subnet block: an IPv4 network of at most a /28 (the VPC's range the service checks).
pub fn parse_subnet_cidr(text: &str) -> Result<Ipv4Cidr, HuaweiError> {
    text.parse::<Ipv4Cidr>()
        .ok()
        .filter(|cidr| cidr.prefix() <= MAX_PREFIX)
        .ok_or_else(bad_cidr)
}

/// The DNS servers as given: `primary_dns`, `secondary_dns`, `dnsList`.
pub struct DnsAsked {
    primary: Option<String>,
    secondary: Option<String>,
    list: Option<Vec<String>>,
}

impl DnsAsked {
    fn is_empty(&self) -> bool {
        self.primary.is_none() && self.secondary.is_none() && self.list.is_none()
    }

    /// Primary, secondary and the list, as the cloud settles them: with none given, the
    /// region's servers; a lone secondary is the primary too; a list alone gives the primary and
    /// secondary its first two; the list always holds the primary and secondary.
    fn settle(self) -> Result<(String, String, Vec<String>), HuaweiError> {
        let check = |field: &'static str, value: &str| ipv4(Api::Subnet, field, value).map(|_| ());
        if let Some(primary) = &self.primary {
            check("primary_dns", primary)?;
        }
        if let Some(secondary) = &self.secondary {
            check("secondary_dns", secondary)?;
        }
        for server in self.list.iter().flatten() {
            check("dnsList", server)?;
        }
        if self.is_empty() {
            let [primary, secondary] = DEFAULT_DNS.map(str::to_owned);
            return Ok((primary.clone(), secondary.clone(), vec![primary, secondary]));
        }
        let list = self.list.unwrap_or_default();
        let primary = self
            .primary
            .or_else(|| self.secondary.clone().filter(|_| list.is_empty()))
            .or_else(|| list.first().cloned())
            .unwrap_or_default();
        let secondary = self
            .secondary
            .filter(|secondary| *secondary != primary)
            .or_else(|| list.iter().find(|server| **server != primary).cloned())
            .unwrap_or_default();
        let mut settled: Vec<String> = [&primary, &secondary]
            .into_iter()
            .filter(|server| !server.is_empty())
            .cloned()
            .collect();
        for server in list {
            if !settled.contains(&server) {
                settled.push(server);
            }
        }
        Ok((primary, secondary, settled))
    }
}

pub fn dns_attributes(primary: String, secondary: String, list: Vec<String>) -> Map<String, Value> {
    attributes([
        (PRIMARY_DNS, Some(json!(primary))),
        (SECONDARY_DNS, Some(json!(secondary))),
        (DNS_LIST, Some(json!(list))),
    ])
}

/// An `addresstime` (lease time): `-1` (unlimited) or 1 to 30000 hours, `5h`.
pub fn is_lease_time(value: &str) -> bool {
    value == "-1"
        || value
            .strip_suffix('h')
            .and_then(|hours| hours.parse::<u32>().ok())
            .is_some_and(|hours| (1..=30000).contains(&hours) && !value.starts_with('0'))
}

/// Checks DHCP options into `{opt_name, opt_value}` objects; a `null` value (an update's way
/// to remove an option) becomes `null`.
pub fn check_dhcp_opts(
    opts: Vec<ExtraDhcpOpt>,
    names: &[&str],
) -> Result<Vec<(String, Value)>, HuaweiError> {
    let mut checked: Vec<(String, Value)> = Vec::with_capacity(opts.len());
    for opt in opts {
        let name = opt
            .opt_name
            .filter(|name| names.contains(&name.as_str()))
            .ok_or_else(invalid_field(Api::Subnet, "opt_name"))?;
        if checked.iter().any(|(other, _)| *other == name) {
            return Err(subnet_invalid("extra_dhcp_opts", None));
        }
        let value = match opt.opt_value {
            None => Value::Null,
            Some(value) => {
                let ok = match name.as_str() {
                    "ntp" => {
                        let servers: Vec<&str> = value.split(',').collect();
                        servers.len() <= 4
                            && servers.iter().all(|s| s.parse::<Ipv4Addr>().is_ok())
                            && servers
                                .iter()
                                .enumerate()
                                .all(|(i, s)| !servers[..i].contains(s))
                    }
                    "addresstime" | "ipv6_addresstime" => is_lease_time(&value),
                    _ => {
                        !value.is_empty()
                            && value.chars().count() <= 64
                            && !value.chars().any(char::is_control)
                    }
                };
                if !ok {
                    return Err(subnet_invalid("opt_value", None));
                }
                Value::String(value)
            }
        };
        checked.push((name, value));
    }
    Ok(checked)
}

/// Stored options, with `changes` merged in by name (`null` removes one).
pub fn merge_dhcp_opts(stored: Vec<Value>, changes: Vec<(String, Value)>) -> Value {
    let mut merged: Vec<(String, Value)> = stored
        .into_iter()
        .filter_map(|opt| {
            let name = opt.get("opt_name")?.as_str()?.to_owned();
            Some((name, opt.get("opt_value").cloned().unwrap_or(Value::Null)))
        })
        .collect();
    for (name, value) in changes {
        merged.retain(|(other, _)| *other != name);
        if !value.is_null() {
            merged.push((name, value));
        }
    }
    Value::Array(
        merged
            .into_iter()
            .map(|(name, value)| json!({"opt_name": name, "opt_value": value}))
            .collect(),
    )
}

/// 400 for IPv6: the emulator's subnets are IPv4 only.
pub fn no_ipv6(ipv6_enable: Option<bool>) -> Result<(), HuaweiError> {
    if ipv6_enable == Some(true) {
        return Err(subnet_invalid(
            "ipv6_enable",
            Some(&"IPv6 subnets are not supported by this emulator"),
        ));
    }
    Ok(())
}

impl CreateSubnetRequestBody {
    /// The VPC to create in and what to create, checked field by field.
    pub fn into_spec(self) -> Result<(String, NewNetworkResource), HuaweiError> {
        let option = self
            .subnet
            .ok_or_else(invalid_field(Api::Subnet, "subnet"))?;
        let name = option.name.ok_or_else(invalid_field(Api::Subnet, "name"))?;
        check_name(Api::Subnet, &name, 1)?;
        let description = option.description.unwrap_or_default();
        check_description(Api::Subnet, &description)?;
        let cidr = parse_subnet_cidr(option.cidr.as_deref().ok_or_else(bad_cidr)?)?;
        let gateway = option
            .gateway_ip
            .ok_or_else(invalid_field(Api::Subnet, "gateway_ip"))?;
        let gateway = ipv4(Api::Subnet, "gateway_ip", &gateway)?;
        let vpc_id = option
            .vpc_id
            .filter(|id| is_network_id(id))
            .ok_or_else(invalid_field(Api::Subnet, "vpc_id"))?;
        no_ipv6(option.ipv6_enable)?;
        let (primary, secondary, dns_list) = DnsAsked {
            primary: option.primary_dns,
            secondary: option.secondary_dns,
            list: option.dns_list,
        }
        .settle()?;
        let zone = option.availability_zone.filter(|zone| !zone.is_empty());
        if zone.as_ref().is_some_and(|zone| {
            zone.chars().count() > MAX_ZONE_CHARS || zone.chars().any(char::is_control)
        }) {
            return Err(subnet_invalid("availability_zone", None));
        }
        let dhcp_opts = check_dhcp_opts(
            option.extra_dhcp_opts.unwrap_or_default(),
            &["ntp", "addresstime"],
        )?;
        let tags = parse_create_tags(Api::Subnet, option.tags)?;
        let mut attributes = dns_attributes(primary, secondary, dns_list);
        attributes.extend(super::network_wire::attributes([
            (
                NEUTRON_SUBNET_ID,
                Some(json!(uuid::Uuid::new_v4().to_string())),
            ),
            (DHCP_ENABLE, Some(json!(option.dhcp_enable.unwrap_or(true)))),
            (
                EXTRA_DHCP_OPTS,
                Some(merge_dhcp_opts(Vec::new(), dhcp_opts)),
            ),
            (
                USAGE_METRICS,
                Some(json!(option
                    .enable_network_address_usage_metrics
                    .unwrap_or(false))),
            ),
        ]));
        let spec = NewNetworkResource {
            name: Some(name),
            description: Some(description),
            cidr: Some(cidr),
            gateway_ip: Some(gateway),
            zone,
            tags,
            attributes,
            ..Default::default()
        };
        Ok((vpc_id, spec))
    }
}

impl UpdateSubnetOption {
    pub fn into_changes(self, subnet: &NetworkResource) -> Result<NetworkChanges, HuaweiError> {
        let name = self.name.ok_or_else(invalid_field(Api::Subnet, "name"))?;
        check_name(Api::Subnet, &name, 1)?;
        if let Some(description) = &self.description {
            check_description(Api::Subnet, description)?;
        }
        no_ipv6(self.ipv6_enable)?;
        let dns = DnsAsked {
            primary: self.primary_dns,
            secondary: self.secondary_dns,
            list: self.dns_list,
        };
        let mut changes = if dns.is_empty() {
            Map::new()
        } else {
            let (primary, secondary, list) = dns.settle()?;
            dns_attributes(primary, secondary, list)
        };
        if let Some(opts) = self.extra_dhcp_opts {
            let opts = check_dhcp_opts(
                opts,
                &["ntp", "addresstime", "ipv6_addresstime", "domainname"],
            )?;
            changes.insert(
                EXTRA_DHCP_OPTS.to_owned(),
                merge_dhcp_opts(list_attribute(subnet, EXTRA_DHCP_OPTS), opts),
            );
        }
        changes.extend(attributes([
            (DHCP_ENABLE, self.dhcp_enable.map(Value::from)),
            (
                USAGE_METRICS,
                self.enable_network_address_usage_metrics.map(Value::from),
            ),
        ]));
        Ok(NetworkChanges {
            name: Some(name),
            description: self.description,
            attributes: changes,
            ..Default::default()
        })
    }
}

/// The `Subnet` model: every field the SDKs read, typed as they read them (the IPv6 fields are
/// not returned for IPv4 subnets).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubnetResp<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    cidr: String,
    gateway_ip: String,
    ipv6_enable: bool,
    dhcp_enable: bool,
    primary_dns: &'a str,
    secondary_dns: &'a str,
    #[serde(rename = "dnsList")]
    dns_list: Vec<String>,
    availability_zone: &'a str,
    vpc_id: &'a str,
    status: &'static str,
    neutron_network_id: &'a str,
    neutron_subnet_id: &'a str,
    extra_dhcp_opts: Vec<Value>,
    scope: &'static str,
    tenant_id: &'a str,
    created_at: HuaweiTime,
    updated_at: HuaweiTime,
    enable_network_address_usage_metrics: bool,
    available_ip_address_count: i32,
}

impl<'a> SubnetResp<'a> {
    pub fn new(subnet: &'a NetworkResource, status: &'static str, free: u64) -> Self {
        SubnetResp {
            id: &subnet.id,
            name: subnet.spec.name.as_deref().unwrap_or_default(),
            description: subnet.spec.description.as_deref().unwrap_or_default(),
            cidr: subnet.spec.cidr.map(|c| c.to_string()).unwrap_or_default(),
            gateway_ip: subnet
                .spec
                .gateway_ip
                .map(|g| g.to_string())
                .unwrap_or_default(),
            ipv6_enable: false,
            dhcp_enable: bool_attribute(subnet, DHCP_ENABLE, true),
            primary_dns: text_attribute(subnet, PRIMARY_DNS),
            secondary_dns: text_attribute(subnet, SECONDARY_DNS),
            dns_list: strings_attribute(subnet, DNS_LIST),
            availability_zone: subnet.spec.zone.as_deref().unwrap_or_default(),
            vpc_id: &subnet.vpc_id,
            status,
            neutron_network_id: &subnet.id,
            neutron_subnet_id: text_attribute(subnet, NEUTRON_SUBNET_ID),
            extra_dhcp_opts: list_attribute(subnet, EXTRA_DHCP_OPTS),
            scope: "center",
            tenant_id: subnet.scope.tenant_id(),
            created_at: HuaweiTime(subnet.created_at),
            updated_at: HuaweiTime(subnet.updated_at),
            enable_network_address_usage_metrics: bool_attribute(subnet, USAGE_METRICS, false),
            available_ip_address_count: i32::try_from(free).unwrap_or(i32::MAX),
        }
    }

    /// As a read shows it: `ACTIVE` once settled (`UNKNOWN` before).
    pub fn read(subnet: &'a NetworkResource, free: u64) -> Self {
        let status = match subnet.status {
            NetworkStatus::Pending => "UNKNOWN",
            NetworkStatus::Available | NetworkStatus::Deleting => "ACTIVE",
        };
        Self::new(subnet, status, free)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubnetBody<'a> {
    pub subnet: SubnetResp<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubnetsBody<'a> {
    pub subnets: Vec<SubnetResp<'a>>,
}

/// An update's answer, `SubnetResult`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubnetResultBody<'a> {
    pub subnet: SubnetResult<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubnetResult<'a> {
    pub id: &'a str,
    pub status: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settle(
        primary: Option<&str>,
        secondary: Option<&str>,
        list: Option<&[&str]>,
    ) -> (String, String, Vec<String>) {
        DnsAsked {
            primary: primary.map(str::to_owned),
            secondary: secondary.map(str::to_owned),
            list: list.map(|l| l.iter().map(|s| (*s).to_owned()).collect()),
        }
        .settle()
        .unwrap()
    }

    #[test]
    fn dns_servers_settle_as_the_cloud_settles_them() {
        let (p, s, l) = settle(None, None, None);
        assert_eq!((p.as_str(), s.as_str()), (DEFAULT_DNS[0], DEFAULT_DNS[1]));
        assert_eq!(l, DEFAULT_DNS);
        let (p, s, l) = settle(None, Some("1.1.1.1"), None);
        assert_eq!(
            (p.as_str(), s.as_str(), l),
            ("1.1.1.1", "", vec!["1.1.1.1".to_owned()])
        );
        let (p, s, l) = settle(None, None, Some(&["8.8.8.8", "1.1.1.1", "9.9.9.9"]));
        assert_eq!((p.as_str(), s.as_str()), ("8.8.8.8", "1.1.1.1"));
        assert_eq!(l, ["8.8.8.8", "1.1.1.1", "9.9.9.9"]);
        let (p, s, l) = settle(Some("9.9.9.9"), None, Some(&["8.8.8.8"]));
        assert_eq!((p.as_str(), s.as_str()), ("9.9.9.9", "8.8.8.8"));
        assert_eq!(l, ["9.9.9.9", "8.8.8.8"], "the list holds the primary");
        let err = DnsAsked {
            primary: Some("dns.example".into()),
            secondary: None,
            list: None,
        }
        .settle()
        .unwrap_err();
        assert_eq!(err.message(), "primary_dns is invalid.");
    }

    #[test]
    fn lease_times_are_minus_one_or_hours() {
        for ok in ["-1", "1h", "24h", "30000h"] {
            assert!(is_lease_time(ok), "{ok}");
        }
        for bad in ["0h", "30001h", "24", "1d", "h", "01h", ""] {
            assert!(!is_lease_time(bad), "{bad}");
        }
    }

    #[test]
    fn dhcp_options_merge_by_name() {
        let stored = vec![json!({"opt_name": "ntp", "opt_value": "1.1.1.1"})];
        let merged = merge_dhcp_opts(
            stored,
            vec![
                ("ntp".into(), Value::Null),
                ("addresstime".into(), json!("5h")),
            ],
        );
        assert_eq!(
            merged,
            json!([{"opt_name": "addresstime", "opt_value": "5h"}])
        );
    }
}
