use std::net::Ipv4Addr;

use super::cidr::Ipv4Cidr;
use super::destination::{Delivery, Level};
use super::lifecycle::Status;
use super::model::{FlowLogId, NewFlowLog, ResourceKind};
use super::network::NetworkStatus;
use super::repository::StorageError;

/// What can go wrong in the domain, in cloud-neutral terms; each product maps these to its codes.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("flow log {0} not found")]
    NotFound(FlowLogId),
    /// Carries back what the caller asked to create, so its face can word the refusal.
    #[error("a flow log with the same content already exists")]
    Duplicate(Box<NewFlowLog>),
    #[error("flow log {id} is {} and cannot do that now", status.as_str())]
    IncorrectState { id: FlowLogId, status: Status },
    #[error("the tenant already has {quota} flow logs, its quota")]
    QuotaExceeded { quota: u32 },
    #[error("resource {0} would carry more tags than allowed")]
    TooManyTags(String),
    /// A flow log's resource is not in the tenant's network (strict references).
    #[error("the {} {id} a flow log would capture does not exist", kind.as_str())]
    ReferenceNotFound { kind: ResourceKind, id: String },
    /// A flow log's resource exists, as another kind than the flow log says.
    #[error("{id} is a {}, not a {}", actual.as_str(), expected.as_str())]
    ReferenceKindMismatch {
        id: String,
        expected: ResourceKind,
        actual: ResourceKind,
    },
    /// A resource group that is not one of the tenant's (strict references).
    #[error("{0} is not one of the account's resource groups")]
    UnknownResourceGroup(String),
    /// No network resource of this kind with this id in the tenant's scope.
    #[error("{} {id} not found", kind.as_str())]
    NetworkNotFound { kind: ResourceKind, id: String },
    /// The resource a new one would lie in does not exist.
    #[error("the {} {id} to create it in does not exist", kind.as_str())]
    ParentNotFound { kind: ResourceKind, id: String },
    /// The resource a new one would lie in is not available yet (or any more).
    #[error("the {} {id} to create it in is {}", kind.as_str(), status.as_str())]
    ParentNotReady {
        kind: ResourceKind,
        id: String,
        status: NetworkStatus,
    },
    #[error("{} {id} is {} and cannot do that now", kind.as_str(), status.as_str())]
    NetworkIncorrectState {
        kind: ResourceKind,
        id: String,
        status: NetworkStatus,
    },
    /// Resources of kind `dependent` still lie in it.
    #[error("{} {id} still holds {} resources", kind.as_str(), dependent.as_str())]
    HasDependents {
        kind: ResourceKind,
        id: String,
        dependent: ResourceKind,
    },
    #[error("{cidr} is not inside {parent}")]
    CidrOutsideParent { cidr: Ipv4Cidr, parent: Ipv4Cidr },
    #[error("{cidr} overlaps {other} of {other_id}")]
    CidrOverlap {
        cidr: Ipv4Cidr,
        other_id: String,
        other: Ipv4Cidr,
    },
    #[error("gateway {gateway} is not a host of {cidr}")]
    GatewayOutsideCidr { gateway: Ipv4Addr, cidr: Ipv4Cidr },
    #[error("{address} is not an address to use in {cidr}")]
    AddressOutsideSubnet { address: Ipv4Addr, cidr: Ipv4Cidr },
    #[error("{address} is in use")]
    AddressInUse { address: Ipv4Addr },
    #[error("subnet {subnet_id} has no free address")]
    NoFreeAddress { subnet_id: String },
    /// No log group (or stream) with this id in the tenant's scope.
    #[error("log {} {id} not found", level.as_str())]
    DestinationNotFound { level: Level, id: String },
    /// The scope (or the group) already has a log group (or stream) of this name.
    #[error("a log {} named {name} already exists", level.as_str())]
    DestinationExists { level: Level, name: String },
    /// A log group that may only be deleted empty still holds streams.
    #[error("log group {0} still holds log streams")]
    GroupNotEmpty(String),
    /// A flow log's destination is not among the tenant's log streams (strict references).
    #[error("the flow log's destination does not exist ({delivery:?})")]
    DestinationMissing { delivery: Delivery },
    #[error(transparent)]
    Storage(#[from] StorageError),
}
