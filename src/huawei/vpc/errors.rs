//! The VPC service's error codes and wording (`{"code","message"}`; reference §2), and how
//! domain failures map onto them.

use axum::http::StatusCode;

use super::names::{wire_name, LOG_STORE_TYPE, RESOURCE_TYPES, TRAFFIC_TYPES};
use crate::domain::{DomainError, NewFlowLog, ResourceKind, TenantScope};
use crate::huawei::error::HuaweiError;

/// Which flow-log operation failed: Huawei words some errors per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowLogOperation {
    Create,
    List,
    Show,
    Update,
    Delete,
}

/// 400 VPC.3001 for a body field (or header) that is missing, of the wrong type or invalid.
pub fn invalid(field: &str) -> HuaweiError {
    HuaweiError::service(
        StatusCode::BAD_REQUEST,
        "VPC.3001",
        format!("{field} is invalid"),
    )
}

/// 400 VPC.3001 with a reason after the field name.
pub fn invalid_because(field: &str, reason: impl std::fmt::Display) -> HuaweiError {
    HuaweiError::service(
        StatusCode::BAD_REQUEST,
        "VPC.3001",
        format!("{field} is invalid: {reason}"),
    )
}

/// The documented (odd) 404 VPC.3001 for a bad list query parameter.
pub fn invalid_list_param(param: &str) -> HuaweiError {
    HuaweiError::service(
        StatusCode::NOT_FOUND,
        "VPC.3001",
        format!("resource could not be found, {param} is invalid"),
    )
}

/// 404 VPC.3001 for a flow-log id that is not even a UUID.
pub fn malformed_flow_log_id() -> HuaweiError {
    HuaweiError::service(
        StatusCode::NOT_FOUND,
        "VPC.3001",
        "resource could not be found, flowlog id is invalid.",
    )
}

/// 500 VPC.3002, the service's answer to a bug.
pub fn internal() -> HuaweiError {
    HuaweiError::service(
        StatusCode::INTERNAL_SERVER_ERROR,
        "VPC.3002",
        "Neutron Error.",
    )
}

/// The 409 VPC.3004 message, worded as Huawei words it.
fn duplicate_message(spec: &NewFlowLog) -> String {
    format!(
        "Content of flow log is duplicate: resource type {}, resource id {}, traffic type {}, log group id {}, \
         log topic id {}, log store type {LOG_STORE_TYPE}.",
        wire_name(&RESOURCE_TYPES, spec.resource_kind),
        spec.resource_id,
        wire_name(&TRAFFIC_TYPES, spec.traffic_filter),
        spec.destination.group,
        spec.destination.topic,
    )
}

/// A domain failure with the wording Huawei uses for `operation`.
pub fn from_domain(
    operation: FlowLogOperation,
    scope: &TenantScope,
    err: DomainError,
) -> HuaweiError {
    match err {
        DomainError::NotFound(id) => {
            let code = match operation {
                FlowLogOperation::Update | FlowLogOperation::Delete => "VPC.3005",
                _ => "VPC.3002",
            };
            HuaweiError::service(
                StatusCode::NOT_FOUND,
                code,
                format!("Flow log {id} could not be found."),
            )
        }
        DomainError::Duplicate(spec) => {
            HuaweiError::service(StatusCode::CONFLICT, "VPC.3004", duplicate_message(&spec))
        }
        DomainError::IncorrectState { id, status } => HuaweiError::service(
            StatusCode::CONFLICT,
            "VPC.3002",
            format!(
                "Flow log {id} is {} and cannot be changed now.",
                status.as_str()
            ),
        ),
        // Strict references: the resource the flow log names is not in the project (as the kind
        // it says: a port id that is a subnet's is not a port).
        DomainError::ReferenceNotFound { kind, id }
        | DomainError::ReferenceKindMismatch {
            id, expected: kind, ..
        } => {
            let what = match kind {
                ResourceKind::NetworkInterface => "Port",
                ResourceKind::Subnet => "Network",
                ResourceKind::Vpc => "Vpc",
            };
            HuaweiError::service(
                StatusCode::NOT_FOUND,
                "VPC.3002",
                format!("{what} {id} could not be found."),
            )
        }
        // Strict references: the LTS log group or stream is not the project's; VPC reports the
        // failure of setting up delivery to it.
        DomainError::DestinationMissing { .. } => HuaweiError::service(
            StatusCode::BAD_REQUEST,
            "VPC.3002",
            "create its topic failed".to_owned(),
        ),
        // Huawei flow logs have neither a quota nor tags nor network rules here; worded
        // generically if ever.
        err @ (DomainError::QuotaExceeded { .. }
        | DomainError::TooManyTags(_)
        | DomainError::UnknownResourceGroup(_)
        | DomainError::NetworkNotFound { .. }
        | DomainError::ParentNotFound { .. }
        | DomainError::ParentNotReady { .. }
        | DomainError::NetworkIncorrectState { .. }
        | DomainError::HasDependents { .. }
        | DomainError::CidrOutsideParent { .. }
        | DomainError::CidrOverlap { .. }
        | DomainError::GatewayOutsideCidr { .. }
        | DomainError::AddressOutsideSubnet { .. }
        | DomainError::AddressInUse { .. }
        | DomainError::NoFreeAddress { .. }
        | DomainError::DestinationNotFound { .. }
        | DomainError::DestinationExists { .. }
        | DomainError::GroupNotEmpty(_)) => {
            HuaweiError::service(StatusCode::BAD_REQUEST, "VPC.3001", err.to_string())
        }
        DomainError::Storage(err) => {
            tracing::error!(error = %err, ?operation, "database failure");
            let tenant = scope.tenant_id();
            let message = match operation {
                FlowLogOperation::Create => format!("Create flow log by {tenant} fail."),
                FlowLogOperation::Update => format!("Update flow log by {tenant} fail."),
                FlowLogOperation::Delete => format!("Delete flow log by {tenant} fail."),
                FlowLogOperation::List | FlowLogOperation::Show => "Neutron Error.".to_owned(),
            };
            HuaweiError::service(StatusCode::INTERNAL_SERVER_ERROR, "VPC.3002", message)
        }
    }
}
