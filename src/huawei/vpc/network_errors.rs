//! The network APIs' error codes and wording (reference `huawei-vpc-network.md` §2.4, §3, §4.2,
//! §4.4, §5.4, §6), and how the network service's failures map onto them. v1 and `/v2.0` answer
//! `{"code","message"}`; v3 answers `{"request_id","error_code","error_msg"}`.

use axum::http::StatusCode;

use crate::domain::{DomainError, ResourceKind};
use crate::huawei::error::HuaweiError;

/// The API an error is worded for: each has its own code for a bad parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `/v1/{project_id}/vpcs…`: `VPC.01xx`.
    Vpc,
    /// `/v1/{project_id}/subnets…`: `VPC.02xx`.
    Subnet,
    /// `/v1/{project_id}/ports…`: `VPC.2500` (the only port row Huawei documents).
    Port,
    /// `/v2.0/{project_id}/{vpcs|subnets}/…/tags…`: `VPC.1801`.
    Tags,
    /// `/v3/{project_id}/…` (the VPC show, the port tags): the v3 envelope.
    V3,
}

/// A v1 (and `/v2.0`) error, `{"code","message"}`.
pub fn v1(status: StatusCode, code: &'static str, message: impl Into<String>) -> HuaweiError {
    HuaweiError::service(status, code, message)
}

/// A v3 error, `{"request_id","error_code","error_msg"}`: the envelope Huawei's gateway also
/// answers in.
pub fn v3(status: StatusCode, code: &'static str, message: impl Into<String>) -> HuaweiError {
    HuaweiError::gateway(status, code, message)
}

/// The 400 of `api` for a bad parameter: `<field> is invalid.` with the reason when known.
pub fn invalid(api: Api, field: &str, reason: Option<&dyn std::fmt::Display>) -> HuaweiError {
    let message = match reason {
        Some(reason) => format!("{field} is invalid: {reason}"),
        None => format!("{field} is invalid."),
    };
    match api {
        Api::Vpc => v1(StatusCode::BAD_REQUEST, "VPC.0101", message),
        Api::Subnet => v1(StatusCode::BAD_REQUEST, "VPC.0201", message),
        Api::Port => v1(StatusCode::BAD_REQUEST, "VPC.2500", message),
        Api::Tags => v1(StatusCode::BAD_REQUEST, "VPC.1801", message),
        Api::V3 => v3(StatusCode::BAD_REQUEST, "VPC.1801", message),
    }
}

/// `invalid` without a reason, for `ok_or_else`.
pub fn invalid_field(api: Api, field: &'static str) -> impl Fn() -> HuaweiError + Copy {
    move || invalid(api, field, None)
}

/// 404 VPC.0003: the VPC of a v1 VPC or subnet operation does not exist. Terraform's delete
/// loop and `CheckDeleted` read only the 404.
pub fn vpc_not_found() -> HuaweiError {
    v1(StatusCode::NOT_FOUND, "VPC.0003", "VPC does not exist.")
}

/// 404 VPC.9904 of the v3 show.
pub fn vpc_not_found_v3(id: &str) -> HuaweiError {
    v3(
        StatusCode::NOT_FOUND,
        "VPC.9904",
        format!("Vpc {id} could not be found."),
    )
}

/// 404 VPC.0202, as the cloud answers a subnet show (and update, delete) of an unknown id.
pub fn subnet_not_found(id: &str) -> HuaweiError {
    v1(
        StatusCode::NOT_FOUND,
        "VPC.0202",
        format!("Query resource by id {id} fail.the subnet could not be found."),
    )
}

/// 404 for an unknown port (or a port's unknown network), in Neutron's words. Huawei documents
/// no code for it; `VPC.2504` keeps it in the port family (reference §5.4).
pub fn port_not_found(what: &str, id: &str) -> HuaweiError {
    v1(
        StatusCode::NOT_FOUND,
        "VPC.2504",
        format!("{what} {id} could not be found."),
    )
}

/// 404 for the v3 port tags of an unknown port.
pub fn port_not_found_v3(id: &str) -> HuaweiError {
    v3(
        StatusCode::NOT_FOUND,
        "VPC.9904",
        format!("Port {id} could not be found."),
    )
}

/// 400 VPC.1801 for the `/v2.0` tags of an unknown VPC or subnet.
pub fn tagged_resource_not_found() -> HuaweiError {
    v1(
        StatusCode::BAD_REQUEST,
        "VPC.1801",
        "resource id is invalid.",
    )
}

/// 400 VPC.1801 (v1 or v3 envelope) past ten tags on one resource.
pub fn too_many_tags(api: Api) -> HuaweiError {
    let message = "number of tags exceeds max num of 10.";
    match api {
        Api::V3 => v3(StatusCode::BAD_REQUEST, "VPC.1801", message),
        _ => v1(StatusCode::BAD_REQUEST, "VPC.1801", message),
    }
}

/// 400 VPC.0207: the subnet of an update or delete URL lies in another VPC. (Terraform reads a
/// 400 from a subnet delete as "already gone", so only a subnet that exists elsewhere gets it.)
pub fn subnet_not_in_vpc() -> HuaweiError {
    v1(
        StatusCode::BAD_REQUEST,
        "VPC.0207",
        "Subnet does not belong to the VPC.",
    )
}

/// 500 of `api` for a database failure (the cloud's "Neutron Error.").
fn storage(api: Api) -> HuaweiError {
    match api {
        Api::Vpc | Api::Tags => v1(
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPC.0105",
            "Neutron Error.",
        ),
        Api::Subnet => v1(
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPC.0202",
            "Neutron error.",
        ),
        Api::Port => v1(
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPC.2500",
            "Neutron Error.",
        ),
        Api::V3 => v3(
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPC.9999",
            "Internal Server Error.",
        ),
    }
}

/// A network-service failure as `api` answers it.
pub fn from_domain(api: Api, err: DomainError) -> HuaweiError {
    match err {
        DomainError::NetworkNotFound { kind, id } | DomainError::ParentNotFound { kind, id } => {
            match (api, kind) {
                (Api::Tags, _) => tagged_resource_not_found(),
                (Api::V3, ResourceKind::Vpc) => vpc_not_found_v3(&id),
                (Api::V3, _) => port_not_found_v3(&id),
                (_, ResourceKind::Vpc) => vpc_not_found(),
                (Api::Port, ResourceKind::Subnet) => port_not_found("Network", &id),
                (_, ResourceKind::Subnet) => subnet_not_found(&id),
                (_, ResourceKind::NetworkInterface) => port_not_found("Port", &id),
            }
        }
        DomainError::ParentNotReady { kind, .. } => match kind {
            ResourceKind::Vpc => v1(
                StatusCode::BAD_REQUEST,
                "VPC.0004",
                "VPC is not active, please try later.",
            ),
            _ => v1(
                StatusCode::INTERNAL_SERVER_ERROR,
                "VPC.0205",
                "Invalid subnet status. Try again later.",
            ),
        },
        DomainError::NetworkIncorrectState { kind, .. } => match kind {
            ResourceKind::Vpc => v1(
                StatusCode::CONFLICT,
                "VPC.0103",
                "Resource status is busy, try it again later.",
            ),
            _ => v1(
                StatusCode::INTERNAL_SERVER_ERROR,
                "VPC.0205",
                "Invalid subnet status. Try again later.",
            ),
        },
        DomainError::HasDependents { kind, .. } => match kind {
            ResourceKind::Vpc => v1(
                StatusCode::CONFLICT,
                "VPC.0104",
                "Router contains subnets, please delete subnet first.",
            ),
            _ => v1(
                StatusCode::INTERNAL_SERVER_ERROR,
                "VPC.0209",
                "The subnet is being used by an ECS or a load balancer.",
            ),
        },
        DomainError::CidrOutsideParent { .. } => v1(
            StatusCode::BAD_REQUEST,
            "VPC.0203",
            "Subnet is not in the range of VPC.",
        ),
        DomainError::CidrOverlap { .. } => v1(
            StatusCode::BAD_REQUEST,
            "VPC.0204",
            "The subnet has already existed in the VPC, or has been in conflict with the VPC subnet.",
        ),
        DomainError::GatewayOutsideCidr { .. } => invalid(Api::Subnet, "gateway_ip", None),
        DomainError::AddressOutsideSubnet { .. } => invalid(Api::Port, "fixed_ips", None),
        DomainError::AddressInUse { .. } => v1(
            StatusCode::CONFLICT,
            "VPC.0522",
            "The IP address is in use.",
        ),
        DomainError::NoFreeAddress { .. } => v1(
            StatusCode::CONFLICT,
            "VPC.0532",
            "No more IP addresses available on network.",
        ),
        DomainError::TooManyTags(_) => too_many_tags(api),
        DomainError::Storage(err) => {
            tracing::error!(error = %err, ?api, "database failure");
            storage(api)
        }
        // Flow-log failures: never raised by the network service.
        err @ (DomainError::NotFound(_)
        | DomainError::Duplicate(_)
        | DomainError::IncorrectState { .. }
        | DomainError::QuotaExceeded { .. }
        | DomainError::ReferenceNotFound { .. }
        | DomainError::ReferenceKindMismatch { .. }
        | DomainError::UnknownResourceGroup(_)
        | DomainError::DestinationMissing { .. }
        | DomainError::DestinationNotFound { .. }
        | DomainError::DestinationExists { .. }
        | DomainError::GroupNotEmpty(_)) => {
            tracing::error!(error = %err, ?api, "a flow-log failure from the network service");
            storage(api)
        }
    }
}
