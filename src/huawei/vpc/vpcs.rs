//! VPCs: v1 `/v1/{project_id}/vpcs[/{vpc_id}]` (create, list, show, update, delete) and the v3
//! show `/v3/{project_id}/vpc/vpcs/{vpc_id}` that Terraform's read calls (reference §2, §3).
//! A VPC settles at once: create answers the cloud's `CREATING`, every read `OK` (v3 `ACTIVE`).

use std::fmt::Display;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::extract::{MaybeProject, PathParams, RequestBody, VpcJson};
use super::network_errors::{from_domain, invalid, invalid_field, v1, vpc_not_found_v3, Api};
use super::network_wire::{
    attributes, bool_attribute, check_description, check_name, ipv4, is_network_id, list_attribute,
    list_page, parse_create_tags, text_attribute, ListQuery,
};
use super::wire::HuaweiTime;
use crate::context::RequestId;
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::network::NewNetworkResource;
use crate::domain::network::{NetworkChanges, NetworkFilter, NetworkResource, NetworkStatus};
use crate::domain::{ResourceKind, TenantScope};
use crate::huawei::error::HuaweiError;
use crate::state::AppState;

pub const VPCS: &str = "/v1/{project_id}/vpcs";
pub const VPC: &str = "/v1/{project_id}/vpcs/{vpc_id}";
pub const VPC_V3: &str = "/v3/{project_id}/vpc/vpcs/{vpc_id}";

/// The default enterprise project.
const DEFAULT_ENTERPRISE_PROJECT: &str = "0";
/// The list filter value that means "every enterprise project the caller may see".
const ALL_ENTERPRISE_PROJECTS: &str = "all_granted_eps";

// Attribute keys.
const ENTERPRISE_PROJECT_ID: &str = "enterprise_project_id";
const BLOCK_SERVICE_ENDPOINT_STATES: &str = "block_service_endpoint_states";
const USAGE_METRICS: &str = "enable_network_address_usage_metrics";
const ENHANCED_LOCAL_ROUTE: &str = "enhanced_local_route";
const SHARED_SNAT: &str = "enable_shared_snat";
const ROUTES: &str = "routes";

/// The private blocks a VPC must lie in (API Explorer's ranges), each down to a /28.
const PRIVATE_BLOCKS: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const MAX_PREFIX: u8 = 28;

fn vpc_invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
    invalid(Api::Vpc, field, reason)
}

/// A VPC block: an IPv4 network inside one of the private blocks, at most a /28.
pub fn parse_vpc_cidr(text: &str) -> Result<Ipv4Cidr, HuaweiError> {
    let cidr: Ipv4Cidr = text.parse().map_err(|_| vpc_invalid("cidr", None))?;
    let private = PRIVATE_BLOCKS
        .iter()
        .filter_map(|block| block.parse::<Ipv4Cidr>().ok())
        .any(|block| block.contains(cidr));
    if !private || cidr.prefix() > MAX_PREFIX {
        return Err(vpc_invalid("cidr", None));
    }
    Ok(cidr)
}

/// `{"vpc": CreateVpcOption}`; nothing inside is required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateVpcRequestBody {
    vpc: Option<CreateVpcOption>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CreateVpcOption {
    name: Option<String>,
    description: Option<String>,
    cidr: Option<String>,
    enterprise_project_id: Option<String>,
    tags: Option<Vec<String>>,
    block_service_endpoint_states: Option<String>,
    enable_network_address_usage_metrics: Option<bool>,
    enhanced_local_route: Option<bool>,
}

/// `{"vpc": UpdateVpcOption}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateVpcRequestBody {
    vpc: Option<UpdateVpcOption>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct UpdateVpcOption {
    name: Option<String>,
    description: Option<String>,
    cidr: Option<String>,
    routes: Option<Vec<RouteReq>>,
    enable_network_address_usage_metrics: Option<bool>,
    enhanced_local_route: Option<bool>,
    enable_shared_snat: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct RouteReq {
    destination: Option<String>,
    nexthop: Option<String>,
}

impl RequestBody for CreateVpcRequestBody {
    const WRAPPER: &'static str = "vpc";

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        vpc_invalid(field, reason)
    }
}

impl RequestBody for UpdateVpcRequestBody {
    const WRAPPER: &'static str = "vpc";

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        vpc_invalid(field, reason)
    }
}

fn check_enterprise_project(id: &str) -> Result<(), HuaweiError> {
    let ok =
        id == DEFAULT_ENTERPRISE_PROJECT || (id.len() == 36 && uuid::Uuid::try_parse(id).is_ok());
    if ok {
        Ok(())
    } else {
        Err(vpc_invalid("enterprise_project_id", None))
    }
}

impl CreateVpcRequestBody {
    fn into_spec(self) -> Result<NewNetworkResource, HuaweiError> {
        let option = self.vpc.ok_or_else(invalid_field(Api::Vpc, "vpc"))?;
        let name = option.name.unwrap_or_default();
        check_name(Api::Vpc, &name, 0)?;
        let description = option.description.unwrap_or_default();
        check_description(Api::Vpc, &description)?;
        let cidr = option.cidr.as_deref().map(parse_vpc_cidr).transpose()?;
        let enterprise_project = option
            .enterprise_project_id
            .unwrap_or_else(|| DEFAULT_ENTERPRISE_PROJECT.to_owned());
        check_enterprise_project(&enterprise_project)?;
        let endpoint_states = option
            .block_service_endpoint_states
            .unwrap_or_else(|| "off".to_owned());
        if !matches!(endpoint_states.as_str(), "on" | "off") {
            return Err(vpc_invalid("block_service_endpoint_states", None));
        }
        let tags = parse_create_tags(Api::Vpc, option.tags)?;
        Ok(NewNetworkResource {
            name: Some(name),
            description: Some(description),
            cidr,
            tags,
            attributes: attributes([
                (ENTERPRISE_PROJECT_ID, Some(json!(enterprise_project))),
                (BLOCK_SERVICE_ENDPOINT_STATES, Some(json!(endpoint_states))),
                (
                    USAGE_METRICS,
                    Some(json!(option
                        .enable_network_address_usage_metrics
                        .unwrap_or(false))),
                ),
                (
                    ENHANCED_LOCAL_ROUTE,
                    Some(json!(option.enhanced_local_route.unwrap_or(false))),
                ),
            ]),
            ..Default::default()
        })
    }
}

impl UpdateVpcOption {
    /// The changes, checked against the VPC as it is and the subnets in it.
    fn into_changes(
        self,
        vpc: &NetworkResource,
        subnets: &[NetworkResource],
    ) -> Result<NetworkChanges, HuaweiError> {
        if let Some(name) = &self.name {
            check_name(Api::Vpc, name, 0)?;
        }
        if let Some(description) = &self.description {
            check_description(Api::Vpc, description)?;
        }
        if let Some(text) = &self.cidr {
            let cidr = parse_vpc_cidr(text)?;
            if Some(cidr) != vpc.spec.cidr {
                let holds_every_subnet = subnets
                    .iter()
                    .filter_map(|subnet| subnet.spec.cidr)
                    .all(|subnet| cidr.contains(subnet));
                if !holds_every_subnet {
                    return Err(v1(
                        StatusCode::BAD_REQUEST,
                        "VPC.0117",
                        "VPC CIDR block cannot contain the subnet CIDR block.",
                    ));
                }
                // The network service keeps a VPC's block for the life of the VPC.
                return Err(vpc_invalid(
                    "cidr",
                    Some(&"changing a VPC's CIDR block is not supported by this emulator"),
                ));
            }
        }
        let routes = self
            .routes
            .map(|routes| check_routes(routes, vpc))
            .transpose()?;
        Ok(NetworkChanges {
            name: self.name,
            description: self.description,
            attributes: attributes([
                (ROUTES, routes),
                (
                    USAGE_METRICS,
                    self.enable_network_address_usage_metrics.map(Value::from),
                ),
                (
                    ENHANCED_LOCAL_ROUTE,
                    self.enhanced_local_route.map(Value::from),
                ),
                (SHARED_SNAT, self.enable_shared_snat.map(Value::from)),
            ]),
            ..Default::default()
        })
    }
}

/// A VPC's routes: only the default route, to a next hop inside the VPC.
fn check_routes(routes: Vec<RouteReq>, vpc: &NetworkResource) -> Result<Value, HuaweiError> {
    let mut checked = Vec::with_capacity(routes.len());
    for route in routes {
        if route.destination.as_deref() != Some("0.0.0.0/0") {
            return Err(vpc_invalid("destination", None));
        }
        let nexthop = ipv4(Api::Vpc, "nexthop", route.nexthop.as_deref().unwrap_or(""))?;
        if !vpc
            .spec
            .cidr
            .is_some_and(|cidr| cidr.contains_address(nexthop))
        {
            return Err(vpc_invalid("nexthop", None));
        }
        checked.push(json!({"destination": "0.0.0.0/0", "nexthop": nexthop.to_string()}));
    }
    if checked.len() > 1 {
        return Err(vpc_invalid("routes", None));
    }
    Ok(Value::Array(checked))
}

/// The v1 `Vpc` model, every field the Go SDK reads, typed as it reads them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VpcResp<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    cidr: String,
    status: &'static str,
    routes: Vec<Value>,
    enterprise_project_id: &'a str,
    tenant_id: &'a str,
    created_at: HuaweiTime,
    updated_at: HuaweiTime,
    block_service_endpoint_states: &'a str,
    enable_network_address_usage_metrics: bool,
    enable_shared_snat: bool,
    enhanced_local_route: bool,
}

impl<'a> VpcResp<'a> {
    fn new(vpc: &'a NetworkResource, status: &'static str) -> Self {
        VpcResp {
            id: &vpc.id,
            name: vpc.spec.name.as_deref().unwrap_or_default(),
            description: vpc.spec.description.as_deref().unwrap_or_default(),
            cidr: vpc.spec.cidr.map(|c| c.to_string()).unwrap_or_default(),
            status,
            routes: list_attribute(vpc, ROUTES),
            enterprise_project_id: enterprise_project_of(vpc),
            tenant_id: vpc.scope.tenant_id(),
            created_at: HuaweiTime(vpc.created_at),
            updated_at: HuaweiTime(vpc.updated_at),
            block_service_endpoint_states: endpoint_states_of(vpc),
            enable_network_address_usage_metrics: bool_attribute(vpc, USAGE_METRICS, false),
            enable_shared_snat: bool_attribute(vpc, SHARED_SNAT, false),
            enhanced_local_route: bool_attribute(vpc, ENHANCED_LOCAL_ROUTE, false),
        }
    }

    /// As a read shows it: `OK` once settled (`CREATING` before).
    fn read(vpc: &'a NetworkResource) -> Self {
        let status = match vpc.status {
            NetworkStatus::Pending => "CREATING",
            NetworkStatus::Available | NetworkStatus::Deleting => "OK",
        };
        Self::new(vpc, status)
    }
}

fn enterprise_project_of(vpc: &NetworkResource) -> &str {
    match text_attribute(vpc, ENTERPRISE_PROJECT_ID) {
        "" => DEFAULT_ENTERPRISE_PROJECT,
        id => id,
    }
}

fn endpoint_states_of(vpc: &NetworkResource) -> &str {
    match text_attribute(vpc, BLOCK_SERVICE_ENDPOINT_STATES) {
        "" => "off",
        states => states,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct VpcBody<'a> {
    vpc: VpcResp<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct VpcsBody<'a> {
    vpcs: Vec<VpcResp<'a>>,
}

/// The v3 `Vpc` model (every field required in its definition).
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct VpcV3<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    cidr: String,
    extend_cidrs: Vec<String>,
    status: &'static str,
    project_id: &'a str,
    enterprise_project_id: &'a str,
    created_at: HuaweiTime,
    updated_at: HuaweiTime,
    cloud_resources: Vec<Value>,
    tags: Vec<Value>,
    block_service_endpoint_states: &'a str,
    enable_network_address_usage_metrics: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct VpcV3Body<'a> {
    request_id: &'a str,
    vpc: VpcV3<'a>,
}

/// The VPC id of the URL; `malformed` answers one that cannot be an id.
fn vpc_id(
    params: &PathParams,
    malformed: impl FnOnce() -> HuaweiError,
) -> Result<String, HuaweiError> {
    params
        .get("vpc_id")
        .filter(|id| is_network_id(id))
        .map(str::to_owned)
        .ok_or_else(malformed)
}

fn scope_of(project: MaybeProject, api: Api) -> Result<TenantScope, HuaweiError> {
    project.scope(invalid_field(api, "project_id"))
}

pub async fn create_vpc(
    State(state): State<AppState>,
    project: MaybeProject,
    VpcJson(body): VpcJson<CreateVpcRequestBody>,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project, Api::Vpc)?;
    let spec = body.into_spec()?;
    let vpc = state
        .network
        .create(&scope, ResourceKind::Vpc, None, spec)
        .await
        .map_err(|err| from_domain(Api::Vpc, err))?;
    // The cloud answers a create while the router is still being built.
    Ok(Json(VpcBody {
        vpc: VpcResp::new(&vpc, "CREATING"),
    })
    .into_response())
}

pub async fn list_vpcs(
    State(state): State<AppState>,
    project: MaybeProject,
    RawQuery(query): RawQuery,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project, Api::Vpc)?;
    let refusal = || v1(StatusCode::BAD_REQUEST, "VPC.0101", "Query vpc list error.");
    let query = ListQuery::parse(query.as_deref(), refusal)?;
    let filter = NetworkFilter {
        ids: query.all("id").map(str::to_owned).collect(),
        ..Default::default()
    };
    let enterprise_project = query
        .one("enterprise_project_id")
        .filter(|id| *id != ALL_ENTERPRISE_PROJECTS)
        .map(str::to_owned);
    let keep = move |vpc: &NetworkResource| {
        enterprise_project
            .as_deref()
            .is_none_or(|wanted| enterprise_project_of(vpc) == wanted)
    };
    let narrowing = query
        .one("enterprise_project_id")
        .is_some_and(|id| id != ALL_ENTERPRISE_PROJECTS);
    let keep: Option<&(dyn Fn(&NetworkResource) -> bool + Sync)> =
        if narrowing { Some(&keep) } else { None };
    let vpcs = list_page(
        &state.network,
        &scope,
        ResourceKind::Vpc,
        &filter,
        &query,
        keep,
        Api::Vpc,
    )
    .await?;
    Ok(Json(VpcsBody {
        vpcs: vpcs.iter().map(VpcResp::read).collect(),
    })
    .into_response())
}

pub async fn show_vpc(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project, Api::Vpc)?;
    let id = vpc_id(&params, || {
        v1(
            StatusCode::BAD_REQUEST,
            "VPC.0101",
            "getVpc error vpcId is invalid.",
        )
    })?;
    let vpc = state
        .network
        .get(&scope, ResourceKind::Vpc, &id)
        .await
        .map_err(|err| from_domain(Api::Vpc, err))?;
    Ok(Json(VpcBody {
        vpc: VpcResp::read(&vpc),
    })
    .into_response())
}

pub async fn update_vpc(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
    VpcJson(body): VpcJson<UpdateVpcRequestBody>,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project, Api::Vpc)?;
    let id = vpc_id(&params, invalid_field(Api::Vpc, "vpc_id"))?;
    let option = body.vpc.ok_or_else(invalid_field(Api::Vpc, "vpc"))?;
    let vpc = state
        .network
        .get(&scope, ResourceKind::Vpc, &id)
        .await
        .map_err(|err| from_domain(Api::Vpc, err))?;
    let subnets = state
        .network
        .children(&scope, ResourceKind::Subnet, vec![id.clone()])
        .await
        .map_err(|err| from_domain(Api::Vpc, err))?;
    let changes = option.into_changes(&vpc, &subnets)?;
    let vpc = state
        .network
        .update(
            &scope,
            ResourceKind::Vpc,
            &id,
            &changes,
            &[NetworkStatus::Available],
        )
        .await
        .map_err(|err| from_domain(Api::Vpc, err))?;
    Ok(Json(VpcBody {
        vpc: VpcResp::read(&vpc),
    })
    .into_response())
}

pub async fn delete_vpc(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project, Api::Vpc)?;
    let id = vpc_id(&params, invalid_field(Api::Vpc, "vpc_id"))?;
    state
        .network
        .delete(&scope, ResourceKind::Vpc, &id)
        .await
        .map_err(|err| from_domain(Api::Vpc, err))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// v3 `ShowVpc`: `ACTIVE`, no secondary blocks, the route table and subnet counts, the tags.
pub async fn show_vpc_v3(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project, Api::V3)?;
    let raw_id = params.get("vpc_id").unwrap_or_default().to_owned();
    let id = vpc_id(&params, || vpc_not_found_v3(&raw_id))?;
    let vpc = state
        .network
        .get(&scope, ResourceKind::Vpc, &id)
        .await
        .map_err(|err| from_domain(Api::V3, err))?;
    let subnets = state
        .network
        .children(&scope, ResourceKind::Subnet, vec![id.clone()])
        .await
        .map_err(|err| from_domain(Api::V3, err))?;
    let request_id = RequestId::current();
    let status = match vpc.status {
        NetworkStatus::Pending => "PENDING",
        NetworkStatus::Available | NetworkStatus::Deleting => "ACTIVE",
    };
    let body = VpcV3Body {
        request_id: request_id.as_str(),
        vpc: VpcV3 {
            id: &vpc.id,
            name: vpc.spec.name.as_deref().unwrap_or_default(),
            description: vpc.spec.description.as_deref().unwrap_or_default(),
            cidr: vpc.spec.cidr.map(|c| c.to_string()).unwrap_or_default(),
            extend_cidrs: Vec::new(),
            status,
            project_id: vpc.scope.tenant_id(),
            enterprise_project_id: enterprise_project_of(&vpc),
            created_at: HuaweiTime(vpc.created_at),
            updated_at: HuaweiTime(vpc.updated_at),
            cloud_resources: vec![
                json!({"resource_type": "routetable", "resource_count": 1}),
                json!({"resource_type": "virsubnet", "resource_count": subnets.len()}),
            ],
            tags: vpc
                .spec
                .tags
                .iter()
                .map(|tag| json!({"key": tag.key, "value": tag.value}))
                .collect(),
            block_service_endpoint_states: endpoint_states_of(&vpc),
            enable_network_address_usage_metrics: bool_attribute(&vpc, USAGE_METRICS, false),
        },
    };
    Ok(Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_vpc_cidr;

    #[test]
    fn vpc_blocks_lie_in_the_private_ranges_down_to_a_28() {
        for ok in [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "10.1.2.16/28",
            "172.31.0.0/16",
        ] {
            assert!(parse_vpc_cidr(ok).is_ok(), "{ok}");
        }
        for bad in [
            "10.0.0.0/7",
            "172.0.0.0/8",
            "168.10.0.0/16",
            "192.168.0.0/29",
            "192.168.1.0/16",
            "192.168.0.0",
            "",
        ] {
            let err = parse_vpc_cidr(bad).unwrap_err();
            assert_eq!(err.code(), "VPC.0101", "{bad}");
            assert_eq!(err.message(), "cidr is invalid.", "{bad}");
        }
    }
}
