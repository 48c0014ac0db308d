//! What the VPC, vSwitch and route-table actions share: the attributes a VPC keeps beside the
//! domain's fields (its vRouter and system route table), the statuses as each resource writes
//! them, the names' rules and codes, zones, and reading the VPCs a page of vSwitches lies in.

use std::collections::HashMap;

use serde::Serialize;

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::wire::optional_text;
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::network::{random_alphanumerics, NetworkFilter, NetworkResource, NetworkStatus};
use crate::domain::{Page, ResourceKind, TenantScope};

/// A VPC's vRouter (`vrt-…`), made with it.
pub const VROUTER_ID: &str = "vrouter_id";
/// A VPC's system route table (`vtb-…`), made with it.
pub const ROUTE_TABLE_ID: &str = "route_table_id";
/// `UserCidr` of CreateVpc, as a list of blocks.
pub const USER_CIDRS: &str = "user_cidrs";
/// Whether `EnableDnsHostname` was set.
pub const DNS_HOSTNAME: &str = "dns_hostname";

/// Every resource a query matches, for reading a few parents or a tenant's VPCs.
pub const EVERYTHING: Page = Page::Offset {
    offset: 0,
    limit: u32::MAX,
};

/// An id of the cloud's shape for what a VPC comes with: `prefix` and 21 lowercase
/// alphanumerics (`vrt-`, `vtb-`).
pub fn generate_id(prefix: &str) -> String {
    format!("{prefix}{}", random_alphanumerics(21))
}

/// A text attribute of a resource, `""` when it has none.
pub fn attribute(resource: &NetworkResource, key: &str) -> String {
    resource
        .spec
        .text_attribute(key)
        .unwrap_or_default()
        .to_owned()
}

/// A VPC's status: `Pending`, `Available`, and `Deleting` while it is deleted.
pub fn vpc_status(status: NetworkStatus) -> &'static str {
    match status {
        NetworkStatus::Pending => "Pending",
        NetworkStatus::Available => "Available",
        NetworkStatus::Deleting => "Deleting",
    }
}

/// A vSwitch's status: the cloud shows `Pending` while one is being deleted too.
pub fn vswitch_status(status: NetworkStatus) -> &'static str {
    match status {
        NetworkStatus::Pending | NetworkStatus::Deleting => "Pending",
        NetworkStatus::Available => "Available",
    }
}

/// The account as the models' integer `OwnerId`; an account named by a non-numeric access key
/// id (`--auth off`) has none, and the field is left out.
pub fn owner_id(scope: &TenantScope) -> Option<u64> {
    scope.tenant_id().parse().ok()
}

/// A name or description: `min` 1 to `max` characters, not starting with `http://` or
/// `https://`; else the action's own code and message.
pub fn network_text(
    params: &Params,
    param: &str,
    max: usize,
    code: &'static str,
    message: &'static str,
) -> Result<Option<String>, AlibabaError> {
    optional_text(params, param, max).map_err(|_| AlibabaError::documented(code, message))
}

/// An IPv4 block that does not parse (or has host bits set).
pub fn parse_cidr(value: &str) -> Result<Ipv4Cidr, AlibabaError> {
    value.parse().map_err(|_| {
        AlibabaError::documented(
            "InvalidCidrBlock.Malformed",
            "Specified CIDR block is not valid.",
        )
    })
}

/// A zone of the caller's region: the region and one letter (`cn-hangzhou-b`).
pub fn parse_zone(scope: &TenantScope, zone: &str) -> Result<String, AlibabaError> {
    let known = zone
        .strip_prefix(scope.region_id())
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|letter| letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_lowercase()));
    if known {
        Ok(zone.to_owned())
    } else {
        Err(AlibabaError::new(
            axum::http::StatusCode::NOT_FOUND,
            "InvalidZoneId.NotFound",
            "Specified zone does not exist.",
        ))
    }
}

/// The VPCs of the tenant with these ids (those that exist), by id.
pub async fn vpcs_by_id(
    call: &Call<'_>,
    ids: Vec<String>,
) -> Result<HashMap<String, NetworkResource>, AlibabaError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = NetworkFilter {
        ids,
        ..Default::default()
    };
    let vpcs = call
        .state
        .network
        .list(call.scope, ResourceKind::Vpc, &filter, &EVERYTHING)
        .await?;
    Ok(vpcs.into_iter().map(|vpc| (vpc.id.clone(), vpc)).collect())
}

/// The ids of the vSwitches in each of these VPCs, in creation order.
pub async fn vswitch_ids_by_vpc(
    call: &Call<'_>,
    vpc_ids: Vec<String>,
) -> Result<HashMap<String, Vec<String>>, AlibabaError> {
    let vswitches = call
        .state
        .network
        .children(call.scope, ResourceKind::Subnet, vpc_ids)
        .await?;
    let mut by_vpc: HashMap<String, Vec<String>> = HashMap::new();
    for vswitch in vswitches {
        by_vpc.entry(vswitch.vpc_id).or_default().push(vswitch.id);
    }
    Ok(by_vpc)
}

/// `VSwitchIds.VSwitchId[]`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VSwitchIds {
    #[serde(rename = "VSwitchId")]
    pub v_switch_id: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_the_regions_with_a_letter() {
        let scope = TenantScope::alibaba_account("1", "cn-hangzhou");
        assert_eq!(
            parse_zone(&scope, "cn-hangzhou-b").unwrap(),
            "cn-hangzhou-b"
        );
        for bad in [
            "cn-hangzhou",
            "cn-hangzhou-",
            "cn-hangzhou-bb",
            "cn-hangzhou-B",
            "cn-hangzhou-1",
            "cn-shanghai-b",
            "cn-hangzhoub",
            "",
        ] {
            let err = parse_zone(&scope, bad).unwrap_err();
            assert_eq!(err.code, "InvalidZoneId.NotFound", "{bad}");
            assert_eq!(err.status.as_u16(), 404);
        }
    }

    #[test]
    fn generated_ids_take_the_clouds_shape() {
        let id = generate_id("vtb-");
        let rest = id.strip_prefix("vtb-").unwrap();
        assert_eq!(rest.len(), 21);
        assert!(rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }

    #[test]
    fn a_vswitch_being_deleted_reads_pending() {
        assert_eq!(vswitch_status(NetworkStatus::Deleting), "Pending");
        assert_eq!(vpc_status(NetworkStatus::Deleting), "Deleting");
    }
}
