//! Ports (API v1): `/v1/{project_id}/ports[/{port_id}]` (reference §5). A port lies in a subnet,
//! named by its `network_id` (the subnet's id); its one fixed IP is the one asked for or the
//! subnet's next free address, and `fixed_ips[].subnet_id` is the subnet's
//! `neutron_subnet_id`. A port is never bound to a device here, so it stays `DOWN`.

use std::fmt::Display;
use std::net::Ipv4Addr;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::extract::{MaybeProject, PathParams, RequestBody, VpcJson};
use super::network_errors::{from_domain, invalid, invalid_field, port_not_found, Api};
use super::network_wire::{
    attributes, is_network_id, list_attribute, list_page, strings_attribute, text_attribute,
    ListQuery,
};
use super::subnets::NEUTRON_SUBNET_ID;
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::network::NewNetworkResource;
use crate::domain::network::{NetworkChanges, NetworkFilter, NetworkResource, NetworkStatus};
use crate::domain::{ResourceKind, TenantScope};
use crate::huawei::error::HuaweiError;
use crate::state::AppState;

pub const PORTS: &str = "/v1/{project_id}/ports";
pub const PORT: &str = "/v1/{project_id}/ports/{port_id}";

const MAX_NAME_CHARS: usize = 255;
const VIP_OWNER: &str = "neutron:VIP_PORT";

// Attribute keys.
const DEVICE_OWNER: &str = "device_owner";
const SECURITY_GROUPS: &str = "security_groups";
const ADDRESS_PAIRS: &str = "allowed_address_pairs";
const EXTRA_DHCP_OPTS: &str = "extra_dhcp_opts";

fn port_invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
    invalid(Api::Port, field, reason)
}

/// `{"port": CreatePortOption}`: `network_id` is required.
#[derive(Debug, Deserialize)]
pub struct CreatePortRequestBody {
    port: Option<CreatePortOption>,
}

#[derive(Debug, Deserialize)]
struct CreatePortOption {
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
#[derive(Debug, Deserialize)]
pub struct UpdatePortRequestBody {
    port: Option<UpdatePortOption>,
}

#[derive(Debug, Deserialize)]
struct UpdatePortOption {
    name: Option<String>,
    security_groups: Option<Vec<String>>,
    allowed_address_pairs: Option<Vec<AddressPair>>,
    extra_dhcp_opts: Option<Vec<DhcpOpt>>,
}

#[derive(Debug, Deserialize)]
struct FixedIp {
    subnet_id: Option<String>,
    ip_address: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AddressPair {
    ip_address: Option<String>,
    mac_address: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DhcpOpt {
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

fn check_name(name: &str) -> Result<(), HuaweiError> {
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(port_invalid("name", None));
    }
    Ok(())
}

/// Security group ids, as UUIDs; kept as given (there is no security-group API to check them
/// against).
fn check_security_groups(groups: Vec<String>) -> Result<Value, HuaweiError> {
    if groups.iter().any(|group| !is_network_id(group)) {
        return Err(port_invalid("security_groups", None));
    }
    Ok(json!(groups))
}

fn is_mac(value: &str) -> bool {
    let octets: Vec<&str> = value.split(':').collect();
    octets.len() == 6
        && octets
            .iter()
            .all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Allowed address pairs: an IPv4 address or block (not `0.0.0.0/0`) and an optional MAC.
fn check_address_pairs(pairs: Vec<AddressPair>) -> Result<Value, HuaweiError> {
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

fn check_dhcp_opts(opts: Vec<DhcpOpt>) -> Result<Value, HuaweiError> {
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
    fn into_spec(self) -> Result<(String, Option<FixedIp>, NewNetworkResource), HuaweiError> {
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
    fn into_changes(self) -> Result<NetworkChanges, HuaweiError> {
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
#[derive(Debug, Serialize)]
struct PortResp<'a> {
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
    fn new(port: &'a NetworkResource, neutron_subnet_id: &str) -> Self {
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

#[derive(Debug, Serialize)]
struct PortBody<'a> {
    port: PortResp<'a>,
}

#[derive(Debug, Serialize)]
struct PortsBody<'a> {
    ports: Vec<PortResp<'a>>,
}

fn scope_of(project: MaybeProject) -> Result<TenantScope, HuaweiError> {
    project.scope(invalid_field(Api::Port, "project_id"))
}

/// The port id of the URL; one that cannot be an id is an unknown port.
fn port_id(params: &PathParams) -> Result<String, HuaweiError> {
    let id = params.get("port_id").unwrap_or_default();
    if is_network_id(id) {
        Ok(id.to_owned())
    } else {
        Err(port_not_found("Port", id))
    }
}

/// The `neutron_subnet_id` of each port's subnet, read together.
async fn neutron_subnet_ids(
    state: &AppState,
    scope: &TenantScope,
    ports: &[NetworkResource],
) -> Result<Vec<String>, HuaweiError> {
    let mut parent_ids: Vec<String> = ports.iter().filter_map(|p| p.parent_id.clone()).collect();
    parent_ids.sort_unstable();
    parent_ids.dedup();
    let subnets = state
        .network
        .list(
            scope,
            ResourceKind::Subnet,
            &NetworkFilter {
                ids: parent_ids,
                ..Default::default()
            },
            &crate::domain::Page::Offset {
                offset: 0,
                limit: u32::MAX,
            },
        )
        .await
        .map_err(|err| from_domain(Api::Port, err))?;
    Ok(ports
        .iter()
        .map(|port| {
            subnets
                .iter()
                .find(|subnet| Some(&subnet.id) == port.parent_id.as_ref())
                .map(|subnet| text_attribute(subnet, NEUTRON_SUBNET_ID).to_owned())
                .unwrap_or_default()
        })
        .collect())
}

async fn port_answer(
    state: &AppState,
    scope: &TenantScope,
    port: &NetworkResource,
) -> Result<Response, HuaweiError> {
    let neutron = neutron_subnet_ids(state, scope, std::slice::from_ref(port)).await?;
    Ok(Json(PortBody {
        port: PortResp::new(port, &neutron[0]),
    })
    .into_response())
}

pub async fn create_port(
    State(state): State<AppState>,
    project: MaybeProject,
    VpcJson(body): VpcJson<CreatePortRequestBody>,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let (network_id, fixed_ip, spec) = body.into_spec()?;
    let subnet = state
        .network
        .get(&scope, ResourceKind::Subnet, &network_id)
        .await
        .map_err(|err| from_domain(Api::Port, err))?;
    let named_subnet = fixed_ip.and_then(|fixed| fixed.subnet_id);
    if named_subnet.is_some_and(|id| id != text_attribute(&subnet, NEUTRON_SUBNET_ID)) {
        return Err(port_invalid("fixed_ips", None));
    }
    let port = state
        .network
        .create(
            &scope,
            ResourceKind::NetworkInterface,
            Some(&network_id),
            spec,
        )
        .await
        .map_err(|err| from_domain(Api::Port, err))?;
    port_answer(&state, &scope, &port).await
}

/// What a port list asks, beyond what the store filters.
#[derive(Default)]
struct Narrowing {
    device_owners: Vec<String>,
    security_groups: Vec<String>,
}

impl Narrowing {
    fn is_empty(&self) -> bool {
        self.device_owners.is_empty() && self.security_groups.is_empty()
    }

    fn keeps(&self, port: &NetworkResource) -> bool {
        let owner = text_attribute(port, DEVICE_OWNER);
        let groups = strings_attribute(port, SECURITY_GROUPS);
        (self.device_owners.is_empty() || self.device_owners.iter().any(|o| o == owner))
            && self.security_groups.iter().all(|g| groups.contains(g))
    }
}

/// A boolean filter value, any case; `refusal` for another.
fn flag(value: &str, refusal: impl Fn() -> HuaweiError) -> Result<bool, HuaweiError> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(refusal()),
    }
}

pub async fn list_ports(
    State(state): State<AppState>,
    project: MaybeProject,
    RawQuery(query): RawQuery,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let query = ListQuery::parse(query.as_deref(), invalid_field(Api::Port, "limit"))?;
    let mut filter = NetworkFilter {
        ids: query.all("id").map(str::to_owned).collect(),
        names: query.all("name").map(str::to_owned).collect(),
        parent_ids: query.all("network_id").map(str::to_owned).collect(),
        mac_addresses: query.all("mac_address").map(str::to_owned).collect(),
        ..Default::default()
    };
    let mut matches_nothing = false;
    // A port is never bound, never building, never administratively down, never EFI.
    for device in query.all("device_id") {
        matches_nothing |= !device.is_empty();
    }
    for status in query.all("status") {
        match status {
            "DOWN" => {}
            "ACTIVE" | "BUILD" => matches_nothing = true,
            _ => return Err(port_invalid("status", None)),
        }
    }
    for value in query.all("admin_state_up") {
        matches_nothing |= !flag(value, invalid_field(Api::Port, "admin_state_up"))?;
    }
    for value in query.all("enable_efi") {
        matches_nothing |= flag(value, invalid_field(Api::Port, "enable_efi"))?;
    }
    // Neutron's `fixed_ips=ip_address=…` and `fixed_ips=subnet_id=…`.
    let mut neutron_subnets = Vec::new();
    for fixed in query.all("fixed_ips") {
        match fixed.split_once('=') {
            Some(("ip_address", address)) => filter.private_ips.push(address.to_owned()),
            Some(("subnet_id", id)) => neutron_subnets.push(id.to_owned()),
            _ => return Err(port_invalid("fixed_ips", None)),
        }
    }
    if !neutron_subnets.is_empty() && !matches_nothing {
        let subnets = state
            .network
            .list(
                &scope,
                ResourceKind::Subnet,
                &NetworkFilter::default(),
                &crate::domain::Page::Offset {
                    offset: 0,
                    limit: u32::MAX,
                },
            )
            .await
            .map_err(|err| from_domain(Api::Port, err))?;
        let ids: Vec<String> = subnets
            .into_iter()
            .filter(|subnet| {
                neutron_subnets
                    .iter()
                    .any(|id| id == text_attribute(subnet, NEUTRON_SUBNET_ID))
            })
            .map(|subnet| subnet.id)
            .filter(|id| filter.parent_ids.is_empty() || filter.parent_ids.contains(id))
            .collect();
        matches_nothing |= ids.is_empty();
        filter.parent_ids = ids;
    }
    if matches_nothing {
        return Ok(Json(PortsBody { ports: Vec::new() }).into_response());
    }
    let narrowing = Narrowing {
        device_owners: query.all("device_owner").map(str::to_owned).collect(),
        security_groups: query.all("security_groups").map(str::to_owned).collect(),
    };
    let keep = |port: &NetworkResource| narrowing.keeps(port);
    let keep: Option<&(dyn Fn(&NetworkResource) -> bool + Sync)> = if narrowing.is_empty() {
        None
    } else {
        Some(&keep)
    };
    let ports = list_page(
        &state.network,
        &scope,
        ResourceKind::NetworkInterface,
        &filter,
        &query,
        keep,
        Api::Port,
    )
    .await?;
    let neutron = neutron_subnet_ids(&state, &scope, &ports).await?;
    Ok(Json(PortsBody {
        ports: ports
            .iter()
            .zip(&neutron)
            .map(|(port, neutron)| PortResp::new(port, neutron))
            .collect(),
    })
    .into_response())
}

pub async fn show_port(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let id = port_id(&params)?;
    let port = state
        .network
        .get(&scope, ResourceKind::NetworkInterface, &id)
        .await
        .map_err(|err| from_domain(Api::Port, err))?;
    port_answer(&state, &scope, &port).await
}

pub async fn update_port(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
    VpcJson(body): VpcJson<UpdatePortRequestBody>,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let id = port_id(&params)?;
    let changes = body
        .port
        .ok_or_else(invalid_field(Api::Port, "port"))?
        .into_changes()?;
    let port = state
        .network
        .update(
            &scope,
            ResourceKind::NetworkInterface,
            &id,
            &changes,
            &[NetworkStatus::Available],
        )
        .await
        .map_err(|err| from_domain(Api::Port, err))?;
    port_answer(&state, &scope, &port).await
}

pub async fn delete_port(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let id = port_id(&params)?;
    state
        .network
        .delete(&scope, ResourceKind::NetworkInterface, &id)
        .await
        .map_err(|err| from_domain(Api::Port, err))?;
    Ok(StatusCode::NO_CONTENT.into_response())
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
