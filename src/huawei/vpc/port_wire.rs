//! The port API's wire types: the create and update bodies checked into domain values
//! (security groups, allowed address pairs, DHCP options kept as attributes) and the `Port`
//! model.

use std::fmt::Display;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::extract::RequestBody;
use super::network_errors::{invalid, invalid_field, Api};
use super::network_wire::{
    attributes, is_network_id, list_attribute, strings_attribute, text_attribute,
};
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::network::{NetworkChanges, NetworkResource, NewNetworkResource};
use crate::huawei::error::HuaweiError;

pub const MAX_NAME_CHARS: usize = 255;
pub const VIP_OWNER: &str = "neutron:VIP_PORT";

// Attribute keys.
pub const DEVICE_OWNER: &str = "device_owner";
pub const SECURITY_GROUPS: &str = "security_groups";
pub const ADDRESS_PAIRS: &str = "allowed_address_pairs";
pub const EXTRA_DHCP_OPTS: &str = "extra_dhcp_opts";

pub fn port_invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
    invalid(Api::Port, field, reason)
}

/// `{"port": CreatePortOption}`: `network_id` is required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreatePortRequestBody {
    pub port: Option<CreatePortOption>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreatePortOption {
    name: Option<String>,
    network_id: Option<String>,
    fixed_ips: Option<Vec<FixedIp>>,
    device_owner: Option<String>,
    security_groups: Option<Vec<String>>,
    admin_state_up: Option<bool>,
    allowed_address_pairs: Option<Vec<AddressPair>>,
    extra_dhcp_opts: Option<Vec<DhcpOpt>>,
}

/// `{"port": UpdatePortOption}`; a `null` list leaves it as it is, `[]` clears it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdatePortRequestBody {
    pub port: Option<UpdatePortOption>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdatePortOption {
    name: Option<String>,
    security_groups: Option<Vec<String>>,
    allowed_address_pairs: Option<Vec<AddressPair>>,
    extra_dhcp_opts: Option<Vec<DhcpOpt>>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FixedIp {
    pub subnet_id: Option<String>,
    ip_address: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AddressPair {
    ip_address: Option<String>,
    mac_address: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DhcpOpt {
    opt_name: Option<String>,
    opt_value: Option<String>,
}

impl RequestBody for CreatePortRequestBody {
    const WRAPPER: &'static str = "port";

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        port_invalid(field, reason)
    }
}

impl RequestBody for UpdatePortRequestBody {
    const WRAPPER: &'static str = "port";

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        port_invalid(field, reason)
    }
}

pub fn check_name(name: &str) -> Result<(), HuaweiError> {
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(port_invalid("name", None));
    }
    Ok(())
}

/// Security group ids, as UUIDs; kept as given (there is no security-group API to check them
/// against).
pub fn check_security_groups(groups: Vec<String>) -> Result<Value, HuaweiError> {
    if groups.iter().any(|group| !is_network_id(group)) {
        return Err(port_invalid("security_groups", None));
    }
    Ok(json!(groups))
}

pub fn is_mac(value: &str) -> bool {
    let octets: Vec<&str> = value.split(':').collect();
    octets.len() == 6
        && octets
            .iter()
            .all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Allowed address pairs: an IPv4 address or block (not `0.0.0.0/0`) and an optional MAC.
pub fn check_address_pairs(pairs: Vec<AddressPair>) -> Result<Value, HuaweiError> {
    let mut checked = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let address = pair
            .ip_address
            .ok_or_else(invalid_field(Api::Port, "ip_address"))?;
        let ok = address.parse::<Ipv4Addr>().is_ok()
            || address
                .parse::<Ipv4Cidr>()
                .is_ok_and(|cidr| cidr.prefix() > 0);
        if !ok {
            return Err(port_invalid("ip_address", None));
        }
        if pair.mac_address.as_deref().is_some_and(|mac| !is_mac(mac)) {
            return Err(port_invalid("mac_address", None));
        }
        let mut entry = Map::new();
        entry.insert("ip_address".into(), json!(address));
        if let Some(mac) = pair.mac_address {
            entry.insert("mac_address".into(), json!(mac.to_ascii_lowercase()));
        }
        checked.push(Value::Object(entry));
    }
    Ok(Value::Array(checked))
}

pub fn check_dhcp_opts(opts: Vec<DhcpOpt>) -> Result<Value, HuaweiError> {
    let mut checked = Vec::with_capacity(opts.len());
    for opt in opts {
        let name = opt
            .opt_name
            .filter(|name| !name.is_empty() && name.chars().count() <= 64)
            .ok_or_else(invalid_field(Api::Port, "opt_name"))?;
        let value = opt.opt_value.unwrap_or_default();
        if value.chars().count() > 255 || value.chars().any(char::is_control) {
            return Err(port_invalid("opt_value", None));
        }
        checked.push(json!({"opt_name": name, "opt_value": value}));
    }
    Ok(Value::Array(checked))
}

impl CreatePortRequestBody {
    /// The subnet to create in, the address asked for and the rest of the port, checked
    /// against the subnet.
    pub fn into_spec(self) -> Result<(String, Option<FixedIp>, NewNetworkResource), HuaweiError> {
        let option = self.port.ok_or_else(invalid_field(Api::Port, "port"))?;
        let name = option.name.unwrap_or_default();
        check_name(&name)?;
        let network_id = option
            .network_id
            .filter(|id| is_network_id(id))
            .ok_or_else(invalid_field(Api::Port, "network_id"))?;
        let mut fixed_ips = option.fixed_ips.unwrap_or_default();
        if fixed_ips.len() > 1 {
            return Err(port_invalid("fixed_ips", None));
        }
        let fixed_ip = fixed_ips.pop();
        let private_ip = fixed_ip
            .as_ref()
            .and_then(|fixed| fixed.ip_address.as_deref())
            .map(|address| {
                address
                    .parse::<Ipv4Addr>()
                    .map_err(|_| port_invalid("ip_address", None))
            })
            .transpose()?;
        let device_owner = option.device_owner.unwrap_or_default();
        if !device_owner.is_empty() && device_owner != VIP_OWNER {
            return Err(port_invalid("device_owner", None));
        }
        if option.admin_state_up == Some(false) {
            return Err(port_invalid("admin_state_up", None));
        }
        let security_groups = check_security_groups(option.security_groups.unwrap_or_default())?;
        let pairs = check_address_pairs(option.allowed_address_pairs.unwrap_or_default())?;
        let dhcp_opts = check_dhcp_opts(option.extra_dhcp_opts.unwrap_or_default())?;
        let spec = NewNetworkResource {
            name: Some(name),
            private_ip,
            attributes: attributes([
                (DEVICE_OWNER, Some(json!(device_owner))),
                (SECURITY_GROUPS, Some(security_groups)),
                (ADDRESS_PAIRS, Some(pairs)),
                (EXTRA_DHCP_OPTS, Some(dhcp_opts)),
            ]),
            ..Default::default()
        };
        Ok((network_id, fixed_ip, spec))
    }
}

impl UpdatePortOption {
    pub fn into_changes(self) -> Result<NetworkChanges, HuaweiError> {
        if let Some(name) = &self.name {
            check_name(name)?;
        }
        Ok(NetworkChanges {
            name: self.name,
            attributes: attributes([
                (
                    SECURITY_GROUPS,
                    self.security_groups
                        .map(check_security_groups)
                        .transpose()?,
                ),
                (
                    ADDRESS_PAIRS,
                    self.allowed_address_pairs
                        .map(check_address_pairs)
                        .transpose()?,
                ),
                (
                    EXTRA_DHCP_OPTS,
                    self.extra_dhcp_opts.map(check_dhcp_opts).transpose()?,
                ),
            ]),
            ..Default::default()
        })
    }
}

/// The `Port` model: every field is required in its definition, typed as the Go SDK reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PortResp<'a> {
    id: &'a str,
    name: &'a str,
    network_id: &'a str,
    admin_state_up: bool,
    mac_address: &'a str,
    fixed_ips: Vec<Value>,
    device_id: &'static str,
    device_owner: &'a str,
    tenant_id: &'a str,
    status: &'static str,
    security_groups: Vec<String>,
    allowed_address_pairs: Vec<Value>,
    extra_dhcp_opts: Vec<Value>,
    #[serde(rename = "binding:vnic_type")]
    vnic_type: &'static str,
    #[serde(rename = "binding:vif_details")]
    vif_details: Value,
    #[serde(rename = "binding:profile")]
    profile: Value,
    dns_assignment: Vec<Value>,
    dns_name: &'static str,
    instance_id: &'static str,
    instance_type: &'static str,
    port_security_enabled: bool,
    zone_id: &'a str,
    enable_efi: bool,
    ipv6_bandwidth_id: &'static str,
}

impl<'a> PortResp<'a> {
    /// `neutron_subnet_id` is the subnet's, which `fixed_ips` names.
    pub fn new(port: &'a NetworkResource, neutron_subnet_id: &str) -> Self {
        let mac = port.mac_address.as_deref().unwrap_or_default();
        PortResp {
            id: &port.id,
            name: port.spec.name.as_deref().unwrap_or_default(),
            network_id: port.parent_id.as_deref().unwrap_or_default(),
            admin_state_up: true,
            mac_address: mac,
            fixed_ips: port
                .spec
                .private_ip
                .map(|address| {
                    vec![json!({"subnet_id": neutron_subnet_id, "ip_address": address.to_string()})]
                })
                .unwrap_or_default(),
            device_id: "",
            device_owner: text_attribute(port, DEVICE_OWNER),
            tenant_id: port.scope.tenant_id(),
            status: "DOWN",
            security_groups: strings_attribute(port, SECURITY_GROUPS),
            // Neutron fills a pair's MAC with the port's own.
            allowed_address_pairs: list_attribute(port, ADDRESS_PAIRS)
                .into_iter()
                .map(|mut pair| {
                    if let Some(object) = pair.as_object_mut() {
                        object.entry("mac_address").or_insert_with(|| json!(mac));
                    }
                    pair
                })
                .collect(),
            extra_dhcp_opts: list_attribute(port, EXTRA_DHCP_OPTS),
            vnic_type: "normal",
            vif_details: json!({}),
            profile: json!({}),
            dns_assignment: Vec::new(),
            dns_name: "",
            instance_id: "",
            instance_type: "",
            port_security_enabled: true,
            zone_id: port.spec.zone.as_deref().unwrap_or_default(),
            enable_efi: false,
            ipv6_bandwidth_id: "",
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PortBody<'a> {
    pub port: PortResp<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PortsBody<'a> {
    pub ports: Vec<PortResp<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_pairs_take_addresses_and_blocks_but_not_everything() {
        let pair = |ip: &str| AddressPair {
            ip_address: Some(ip.to_owned()),
            mac_address: None,
        };
        assert!(check_address_pairs(vec![pair("10.0.0.5"), pair("10.0.0.0/24")]).is_ok());
        for bad in ["0.0.0.0/0", "10.0.0.1/24", "host", ""] {
            let err = check_address_pairs(vec![pair(bad)]).unwrap_err();
            assert_eq!(err.message(), "ip_address is invalid.", "{bad}");
        }
        let with_mac = AddressPair {
            ip_address: Some("10.0.0.5".into()),
            mac_address: Some("FA:16:3E:00:00:01".into()),
        };
        assert_eq!(
            check_address_pairs(vec![with_mac]).unwrap(),
            json!([{"ip_address": "10.0.0.5", "mac_address": "fa:16:3e:00:00:01"}])
        );
    }
}
