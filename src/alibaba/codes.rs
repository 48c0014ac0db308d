//! How domain failures read on Alibaba's products: one table for every product, keyed on the
//! kind of resource, with the codes, statuses and messages the clouds' error tables give
//! (`openapi/reference/alibaba-*.md`). Not-found answers are 404, which is what the SDKs and
//! Terraform's `NotFoundError` take for "already gone".

use axum::http::StatusCode;

use super::error::AlibabaError;
use crate::domain::{DomainError, ResourceKind};

fn bad_request(code: &'static str, message: String) -> AlibabaError {
    AlibabaError::new(StatusCode::BAD_REQUEST, code, message)
}

/// 404 `<Kind>.NotFound` for a network resource of `kind` that does not exist.
pub fn network_not_found(kind: ResourceKind) -> AlibabaError {
    let (code, message) = match kind {
        ResourceKind::Vpc => ("InvalidVpcId.NotFound", "Specified VPC does not exist."),
        ResourceKind::Subnet => ("InvalidVSwitchId.NotFound", "VSwitch not exist."),
        ResourceKind::NetworkInterface => {
            ("InvalidEniId.NotFound", "The specified EniId is not found.")
        }
    };
    AlibabaError::new(StatusCode::NOT_FOUND, code, message)
}

/// 400 when a network resource of `kind` is in a status that does not allow the operation.
pub fn network_incorrect_status(kind: ResourceKind) -> AlibabaError {
    let (code, message) = match kind {
        ResourceKind::Vpc => (
            "IncorrectVpcStatus",
            "Current VPC status does not support this operation.",
        ),
        ResourceKind::Subnet => (
            "IncorrectVSwitchStatus",
            "The current virtual switch status does not support this operation.",
        ),
        ResourceKind::NetworkInterface => (
            "InvalidOperation.InvalidEniState",
            "The operation is not allowed in the current ENI state.",
        ),
    };
    bad_request(code, message.to_owned())
}

/// The name a flow log's error table gives a resource kind (`vswitch does not exist.`).
fn flow_log_target(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Vpc => "vpc",
        ResourceKind::Subnet => "vswitch",
        ResourceKind::NetworkInterface => "eni",
    }
}

impl From<DomainError> for AlibabaError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(_) => Self::flow_log_not_found(),
            DomainError::IncorrectState { .. } => {
                Self::documented("IncorrectStatus.flowlog", "Invalid flowlog status.")
            }
            DomainError::Duplicate(_) => Self::documented(
                "InvalidResourceId.NotFound",
                "This resourceId already has flowlog instance existed.",
            ),
            DomainError::QuotaExceeded { .. } => Self::documented(
                "QuotaExceeded.FlowlogCount",
                "This user has reached the maximum instance number of flowlog.",
            ),
            DomainError::TooManyTags(_) => Self::documented(
                "QuotaExceeded.TagNum",
                "The number of tags on the resource exceeds the limit of 20.",
            ),
            DomainError::ReferenceNotFound { kind, .. } => bad_request(
                "InvalidInstanceId",
                format!("{} does not exist.", flow_log_target(kind)),
            ),
            DomainError::UnknownResourceGroup(_) => Self::documented(
                "IllegalParam.ResourceGroupId",
                "Invalid ResourceGroupld value.",
            ),
            DomainError::ReferenceKindMismatch { .. } => Self::documented(
                "InvalidResourceType.NotFound",
                "Resource type no the same.",
            ),
            DomainError::NetworkNotFound { kind, .. } | DomainError::ParentNotFound { kind, .. } => {
                network_not_found(kind)
            }
            DomainError::ParentNotReady { kind, .. }
            | DomainError::NetworkIncorrectState { kind, .. } => network_incorrect_status(kind),
            DomainError::HasDependents { kind, .. } => match kind {
                ResourceKind::Vpc => bad_request(
                    "DependencyViolation.VSwitch",
                    "Specified object has dependent resources".to_owned(),
                ),
                _ => bad_request(
                    "DependencyViolation",
                    "Specified object has dependent resources.".to_owned(),
                ),
            },
            DomainError::CidrOutsideParent { .. } | DomainError::GatewayOutsideCidr { .. } => {
                bad_request(
                    "InvalidParameter",
                    "Specified CIDR block is not valid in VPC.".to_owned(),
                )
            }
            DomainError::CidrOverlap { .. } => bad_request(
                "InvalidCidrBlock.Overlapped",
                "Specified CIDR block overlapped with other subnets.".to_owned(),
            ),
            DomainError::AddressOutsideSubnet { address, cidr } => AlibabaError::new(
                StatusCode::FORBIDDEN,
                "InvalidVSwitchId.IpInvalid",
                format!(
                    "The specified IpAddress \"{address}\" is not valid in VSwitch CIDR block \"{cidr}\"."
                ),
            ),
            DomainError::AddressInUse { .. } => Self::documented(
                "InvalidPrivateIpAddress.Duplicated",
                "Specified private IP address is duplicated.",
            ),
            DomainError::NoFreeAddress { .. } => AlibabaError::new(
                StatusCode::FORBIDDEN,
                "InvalidVSwitchId.IpNotEnough",
                "The specified VSwitch has not enough IpAddress.",
            ),
            // Strict references: the SLS project or logstore a flow log names is not the
            // account's (the code CreateFlowLog's table gives for either).
            DomainError::DestinationMissing { .. } => Self::documented(
                "ProjectOrLogstoreNotExist",
                "The specified project or logstore does not exist.",
            ),
            // The log products' own failures, which SLS answers in its own envelope; worded
            // generically should a POP product ever meet one.
            err @ (DomainError::DestinationNotFound { .. }
            | DomainError::DestinationExists { .. }
            | DomainError::GroupNotEmpty(_)) => bad_request("InvalidParameter", err.to_string()),
            DomainError::Storage(err) => {
                tracing::error!(error = %err, "database failure");
                Self::service_unavailable()
            }
        }
    }
}
