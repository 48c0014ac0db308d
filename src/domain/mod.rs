//! The provider-neutral core: flow logs and their life cycle, the network they capture, the
//! destinations they deliver to and the records they deliver; the repository contract it needs
//! from persistence, and the services every face, the control API and the workers call.
//! It knows nothing of HTTP or SQL.

pub mod cidr;
pub mod destination;
mod destination_service;
mod error;
mod fault_service;
pub mod faults;
mod lifecycle;
mod model;
pub mod network;
mod network_service;
mod record_service;
pub mod records;
pub mod repository;
mod reset;
mod service;
mod snapshot;
mod snapshot_service;
pub mod stats;
pub mod tenancy;
mod transition_settings;

pub use destination_service::DestinationService;
pub use error::DomainError;
pub use fault_service::{FaultService, RequestFault, RULES_REFRESH};
pub use lifecycle::{waits_for_tick, Completed, Operation, Settled, Settlement, Status, Step};
pub use model::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, LogDestination, NewFlowLog,
    Page, Provider, ResourceKind, Tag, TagFilter, TenantScope, TrafficFilter,
    MAX_TAGS_PER_FLOW_LOG,
};
pub use network_service::{max_network_tags, NetworkDelays, NetworkService};
pub use record_service::{Advance, Generated, RecordOptions, RecordService, MAX_WINDOWS_AT_ONCE};
pub use repository::SnapshotError;
pub use repository::{PendingTransition, Repository, StorageError, Visibility};
pub use reset::{ResetArea, ResetCounts, ResetProduct, ResetScope, ResetScopeError, ResetTenant};
pub use service::{Applied, FlowLogService, Modifiable, Quotas, ReferenceMode, TransitionDelays};
pub use snapshot::{
    ImportCounts, ImportMode, InvalidSnapshot, Snapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION,
};
pub use snapshot_service::SnapshotService;
pub use transition_settings::{
    SettingRefused, TransitionDefaults, TransitionKind, TransitionMode, TransitionSetting,
};
