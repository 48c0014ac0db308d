//! The provider-neutral core: the flow-log model, its life cycle, the repository contract it
//! needs from persistence, and the service every face, the control API and the worker call.
//! It knows nothing of HTTP or SQL.

pub mod cidr;
mod error;
mod lifecycle;
mod model;
pub mod network;
mod network_service;
pub mod repository;
mod service;
pub mod tenancy;

pub use error::DomainError;
pub use lifecycle::{Operation, Settlement, Status, Step};
pub use model::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, LogDestination, NewFlowLog,
    Page, Provider, ResourceKind, Tag, TagFilter, TenantScope, TrafficFilter,
    MAX_TAGS_PER_FLOW_LOG,
};
pub use network_service::{max_network_tags, NetworkDelays, NetworkService};
pub use repository::{Repository, StorageError, Visibility};
pub use service::{Applied, FlowLogService, Modifiable, Quotas, ReferenceMode, TransitionDelays};
