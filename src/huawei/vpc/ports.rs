//! Ports (API v1): `/v1/{project_id}/ports[/{port_id}]` (reference §5). A port lies in a subnet,
//! named by its `network_id` (the subnet's id); its one fixed IP is the one asked for or the
//! subnet's next free address, and `fixed_ips[].subnet_id` is the subnet's
//! `neutron_subnet_id`. A port is never bound to a device here, so it stays `DOWN`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::extract::{MaybeProject, PathParams, VpcJson};
use super::network_errors::{from_domain, invalid_field, port_not_found, Api};
use super::network_wire::{is_network_id, list_page, strings_attribute, text_attribute, ListQuery};
use super::port_wire::{
    port_invalid, CreatePortRequestBody, PortBody, PortResp, PortsBody, UpdatePortRequestBody,
    DEVICE_OWNER, SECURITY_GROUPS,
};
use super::subnet_wire::NEUTRON_SUBNET_ID;
use crate::domain::network::{NetworkFilter, NetworkResource, NetworkStatus};
use crate::domain::{ResourceKind, TenantScope};
use crate::huawei::error::HuaweiError;
use crate::state::AppState;

pub const PORTS: &str = "/v1/{project_id}/ports";
pub const PORT: &str = "/v1/{project_id}/ports/{port_id}";

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
