//! Subnets (API v1): create, list and show at `/v1/{project_id}/subnets[/{subnet_id}]`, update
//! and delete under their VPC at `/v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}`
//! (reference §4). A subnet's `id` is its Neutron network id (what a port's `network_id` and a
//! `network` flow log name); its `neutron_subnet_id` is another UUID. Create answers the
//! cloud's `UNKNOWN`, every read `ACTIVE`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::extract::{MaybeProject, PathParams, VpcJson};
use super::network_errors::{from_domain, invalid_field, subnet_not_in_vpc, v1, Api};
use super::network_wire::{is_network_id, list_page, ListQuery};
use super::subnet_wire::{
    CreateSubnetRequestBody, SubnetBody, SubnetResp, SubnetResult, SubnetResultBody, SubnetsBody,
    UpdateSubnetRequestBody,
};
use crate::domain::network::{NetworkFilter, NetworkResource, NetworkStatus};
use crate::domain::{ResourceKind, TenantScope};
use crate::huawei::error::HuaweiError;
use crate::state::AppState;

pub const SUBNETS: &str = "/v1/{project_id}/subnets";
pub const SUBNET: &str = "/v1/{project_id}/subnets/{subnet_id}";
pub const VPC_SUBNET: &str = "/v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}";

/// The region's private DNS servers, which a subnet gets when it names none (cn-north-4's,
/// as in Huawei's examples and Terraform's table).
fn scope_of(project: MaybeProject) -> Result<TenantScope, HuaweiError> {
    project.scope(invalid_field(Api::Subnet, "project_id"))
}

/// The subnet id of the URL (400 VPC.0201 when it cannot be one).
fn subnet_id(params: &PathParams) -> Result<String, HuaweiError> {
    params
        .get("subnet_id")
        .filter(|id| is_network_id(id))
        .map(str::to_owned)
        .ok_or_else(|| v1(StatusCode::BAD_REQUEST, "VPC.0201", "Subnet ID is invalid."))
}

/// The subnet of a `/vpcs/{vpc_id}/subnets/{subnet_id}` URL, which must lie in that VPC.
async fn subnet_in_vpc(
    state: &AppState,
    scope: &TenantScope,
    params: &PathParams,
) -> Result<NetworkResource, HuaweiError> {
    let id = subnet_id(params)?;
    let vpc_id = params
        .get("vpc_id")
        .filter(|id| is_network_id(id))
        .ok_or_else(invalid_field(Api::Subnet, "vpc_id"))?;
    let subnet = state
        .network
        .get(scope, ResourceKind::Subnet, &id)
        .await
        .map_err(|err| from_domain(Api::Subnet, err))?;
    if subnet.parent_id.as_deref() != Some(vpc_id) {
        return Err(subnet_not_in_vpc());
    }
    Ok(subnet)
}

async fn free_addresses(
    state: &AppState,
    scope: &TenantScope,
    subnets: &[NetworkResource],
) -> Result<Vec<u64>, HuaweiError> {
    state
        .network
        .free_addresses(scope, subnets)
        .await
        .map_err(|err| from_domain(Api::Subnet, err))
}

pub async fn create_subnet(
    State(state): State<AppState>,
    project: MaybeProject,
    VpcJson(body): VpcJson<CreateSubnetRequestBody>,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let (vpc_id, spec) = body.into_spec()?;
    let subnet = state
        .network
        .create(&scope, ResourceKind::Subnet, Some(&vpc_id), spec)
        .await
        .map_err(|err| from_domain(Api::Subnet, err))?;
    let free = free_addresses(&state, &scope, std::slice::from_ref(&subnet)).await?;
    // The cloud answers a create before the subnet is attached to its router.
    Ok(Json(SubnetBody {
        subnet: SubnetResp::new(&subnet, "UNKNOWN", free[0]),
    })
    .into_response())
}

pub async fn list_subnets(
    State(state): State<AppState>,
    project: MaybeProject,
    RawQuery(query): RawQuery,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let refusal = || {
        v1(
            StatusCode::BAD_REQUEST,
            "VPC.0201",
            "Query subnets list error.",
        )
    };
    let query = ListQuery::parse(query.as_deref(), refusal)?;
    let filter = NetworkFilter {
        parent_ids: query.all("vpc_id").map(str::to_owned).collect(),
        ..Default::default()
    };
    let subnets = list_page(
        &state.network,
        &scope,
        ResourceKind::Subnet,
        &filter,
        &query,
        None,
        Api::Subnet,
    )
    .await?;
    let free = free_addresses(&state, &scope, &subnets).await?;
    Ok(Json(SubnetsBody {
        subnets: subnets
            .iter()
            .zip(free)
            .map(|(subnet, free)| SubnetResp::read(subnet, free))
            .collect(),
    })
    .into_response())
}

pub async fn show_subnet(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let id = subnet_id(&params)?;
    let subnet = state
        .network
        .get(&scope, ResourceKind::Subnet, &id)
        .await
        .map_err(|err| from_domain(Api::Subnet, err))?;
    let free = free_addresses(&state, &scope, std::slice::from_ref(&subnet)).await?;
    Ok(Json(SubnetBody {
        subnet: SubnetResp::read(&subnet, free[0]),
    })
    .into_response())
}

pub async fn update_subnet(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
    VpcJson(body): VpcJson<UpdateSubnetRequestBody>,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let option = body
        .subnet
        .ok_or_else(invalid_field(Api::Subnet, "subnet"))?;
    let subnet = subnet_in_vpc(&state, &scope, &params).await?;
    let changes = option.into_changes(&subnet)?;
    let subnet = state
        .network
        .update(
            &scope,
            ResourceKind::Subnet,
            &subnet.id,
            &changes,
            &[NetworkStatus::Available],
        )
        .await
        .map_err(|err| from_domain(Api::Subnet, err))?;
    Ok(Json(SubnetResultBody {
        subnet: SubnetResult {
            id: &subnet.id,
            status: "ACTIVE",
        },
    })
    .into_response())
}

pub async fn delete_subnet(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let scope = scope_of(project)?;
    let subnet = subnet_in_vpc(&state, &scope, &params).await?;
    state
        .network
        .delete(&scope, ResourceKind::Subnet, &subnet.id)
        .await
        .map_err(|err| from_domain(Api::Subnet, err))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
