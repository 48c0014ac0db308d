//! What the domain needs from persistence, and the results it gets back. The store implements
//! these traits; the domain never sees SQL. Each trait is one area of the store, so that a new
//! operation is one method here and its implementation in that area's store file.
//!
//! Every method keeps its invariant inside the database (constraints, conditional statements,
//! transactions), so the answers hold when several processes share one database.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::destination::{
    Delivery, GroupDeletion, LogContainerChanges, LogContainerFilter, LogGroup, LogStream,
};
use super::faults::{DeliveryFault, FaultRule, FaultRuleId};
use super::lifecycle::{Settled, Settlement, Status};
use super::model::LogDestination;
use super::model::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, Page, Provider, ResourceKind, Tag,
    TagFilter, TenantScope,
};
use super::network::{NetworkChanges, NetworkFilter, NetworkResource, NetworkStatus};
use super::records::FlowRecord;
use super::reset::{ResetCounts, ResetScope};
use super::snapshot::{ImportCounts, ImportMode, InvalidSnapshot, Snapshot};
use super::stats::Distribution;
use super::transition_settings::{TransitionKind, TransitionMode, TransitionSetting};

/// Why persistence failed, in terms the domain can act on.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A uniqueness rule of the schema refused the write; nothing was written.
    #[error("a uniqueness rule was violated")]
    UniqueViolation,
    /// The database could not be reached or refused the statement.
    #[error("database error: {0}")]
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
    /// A stored row does not decode into the domain.
    #[error("stored row is not valid: {0}")]
    Corrupt(String),
}

/// Why a snapshot was not imported; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Not a snapshot this Flowplane reads, or rows the schema or the domain refuse.
    #[error("{0}")]
    Invalid(String),
    /// A row's key (an id, a unique name) is already taken.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<InvalidSnapshot> for SnapshotError {
    fn from(InvalidSnapshot(message): InvalidSnapshot) -> Self {
        SnapshotError::Invalid(message)
    }
}

/// A new status for a flow log, with the time it completes when it is transitional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub status: Status,
    pub due_at: Option<DateTime<Utc>>,
    /// A fault rule's failed delivery; `None` clears an earlier one.
    pub delivery_fault: Option<DeliveryFault>,
}

/// The outcome of a flow-log insert bounded by the tenant's quota (and its references).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insertion {
    Inserted,
    /// The tenant already has as many flow logs as its quota allows; nothing was written.
    QuotaReached,
    /// The resource it captures is not in the tenant's network; nothing was written.
    ResourceMissing,
    /// Its destination (log group and stream) is not the tenant's; nothing was written.
    DestinationMissing,
}

/// The outcome of a tag write over several resources; nothing is written unless it is `Done`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagWrite {
    Done,
    /// This resource does not exist in the tenant's scope (or is of another kind).
    Missing(String),
    /// This resource would carry more tags than allowed.
    TooMany(String),
}

/// Which resources a tag operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagOwner {
    FlowLogs,
    /// Network resources of one kind.
    Network(ResourceKind),
}

/// One tag of one resource, as tag listings return them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceTag {
    pub id: String,
    pub tag: Tag,
}

/// A resource's parent, as a new child was checked against it: the child is inserted only if the
/// parent is still at `revision` and in one of `statuses`.
#[derive(Debug, Clone, Copy)]
pub struct ParentGuard<'a> {
    pub id: &'a str,
    pub revision: i64,
    pub statuses: &'a [NetworkStatus],
}

/// The outcome of a network insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkInsertion {
    Inserted,
    /// The parent changed (another child, a status change) or went away since it was read:
    /// nothing was written; read it again.
    ParentChanged,
}

/// The outcome of a conditional removal of a network resource.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkRemoval {
    /// The row is gone.
    Removed,
    /// The row now says `Deleting` and goes at its due time.
    Deleting(Box<NetworkResource>),
    /// Resources still lie in it; nothing changed.
    HasChildren,
    /// It is gone or in another status; nothing changed.
    NotMatched,
}

/// Which tenants a query may see: exactly one (every cloud request), or any (the control API).
#[derive(Debug, Clone, Copy)]
pub enum Visibility<'a> {
    Tenant(&'a TenantScope),
    Any {
        provider: Option<Provider>,
        tenant_id: Option<&'a str>,
        region_id: Option<&'a str>,
    },
}

type Answer<T> = Result<T, StorageError>;

/// Flow logs themselves.
pub trait FlowLogRepository: Send + Sync {
    /// Inserts the flow log with its tags, unless the tenant already has `quota` flow logs or,
    /// with `require_references`, the resource it captures is not in the tenant's network or its
    /// destination is not one of the tenant's log streams (the checks and the insert are one
    /// statement). Fails with [`StorageError::UniqueViolation`] when a uniqueness rule forbids
    /// the row.
    fn insert(
        &self,
        flow_log: &FlowLog,
        quota: Option<u32>,
        require_references: bool,
    ) -> impl Future<Output = Answer<Insertion>> + Send;

    fn get(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
    ) -> impl Future<Output = Answer<Option<FlowLog>>> + Send;

    fn list(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        page: &Page,
    ) -> impl Future<Output = Answer<Vec<FlowLog>>> + Send;

    /// One page of the matching flow logs by offset, and how many match in all, read together
    /// (the page never holds more than the count says).
    fn counted_page(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Answer<(Vec<FlowLog>, u64)>> + Send;

    /// Applies the changes only if the flow log is in one of the `expected` statuses (an empty
    /// list matches nothing); `None` when it is gone or in another status.
    fn update(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
        changes: &AttributeChanges,
        status_change: Option<StatusChange>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<Option<FlowLog>>> + Send;

    /// Deletes the flow log only if it is in one of the `expected` statuses.
    fn delete(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        expected: &[Status],
    ) -> impl Future<Output = Answer<bool>> + Send;

    /// Removes, in one transaction, every stored thing of the areas the scope covers, of its
    /// provider and tenant; returns how many rows of each kind.
    fn reset(&self, scope: &ResetScope) -> impl Future<Output = Answer<ResetCounts>> + Send;
}

/// Tags on flow logs and network resources.
pub trait TagRepository: Send + Sync {
    /// Sets the tags (adding keys, replacing values) on every one of the owner's resources, all
    /// or none: every one must exist in the scope and end with at most `max_tags` tags.
    fn tag(
        &self,
        owner: TagOwner,
        scope: &TenantScope,
        ids: &[String],
        tags: &[Tag],
        max_tags: usize,
    ) -> impl Future<Output = Answer<TagWrite>> + Send;

    /// Removes the tags with these keys (every tag when `keys` is `None`) from every one of the
    /// resources, which must all exist in the scope.
    fn untag(
        &self,
        owner: TagOwner,
        scope: &TenantScope,
        ids: &[String],
        keys: Option<&[String]>,
    ) -> impl Future<Output = Answer<TagWrite>> + Send;

    /// The tags of the scope's resources, narrowed to `ids` when not empty and to the resources
    /// carrying every one of `filters`; in creation order, then key order.
    fn list_tags(
        &self,
        owner: TagOwner,
        scope: &TenantScope,
        ids: &[String],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Answer<Vec<ResourceTag>>> + Send;
}

/// VPCs, subnets and network interfaces.
pub trait NetworkRepository: Send + Sync {
    /// Inserts the resource with its tags; one with a parent only while the parent is as the
    /// guard says (the parent's revision then moves on, so children of one parent are checked
    /// against each other one at a time). Fails with [`StorageError::UniqueViolation`] when an
    /// interface's address is taken.
    fn insert_network(
        &self,
        resource: &NetworkResource,
        parent: Option<ParentGuard<'_>>,
    ) -> impl Future<Output = Answer<NetworkInsertion>> + Send;

    /// The resource with this id in the scope, of any kind.
    fn get_network(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> impl Future<Output = Answer<Option<NetworkResource>>> + Send;

    /// One page of the matching resources of a kind, in creation order, and how many match in
    /// all when `count` is asked for (read together).
    fn list_network(
        &self,
        visibility: Visibility<'_>,
        kind: ResourceKind,
        filter: &NetworkFilter,
        page: &Page,
        count: bool,
    ) -> impl Future<Output = Answer<(Vec<NetworkResource>, u64)>> + Send;

    /// How many resources lie directly in each of `parent_ids`.
    fn count_children(
        &self,
        scope: &TenantScope,
        parent_ids: &[String],
    ) -> impl Future<Output = Answer<Vec<(String, u64)>>> + Send;

    /// Applies the changes only if the resource is of `kind` and in one of `expected`.
    fn update_network(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
        expected: &[NetworkStatus],
        changes: &NetworkChanges,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<Option<NetworkResource>>> + Send;

    /// Removes the resource (or, with `deleting`, marks it `Deleting` until then) only if it is
    /// of `kind`, in one of `expected`, and nothing lies in it.
    fn remove_network(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
        expected: &[NetworkStatus],
        deleting: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<NetworkRemoval>> + Send;

    /// Completes every network transition due by `due_by` (`Pending` becomes `Available`,
    /// `Deleting` goes). Conditional, so none completes twice.
    fn settle_network_due(
        &self,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<Settled>> + Send;

    /// The earliest due time of any pending network transition.
    fn next_network_due(&self) -> impl Future<Output = Answer<Option<DateTime<Utc>>>> + Send;
}

/// The outcome of a log stream insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamInsertion {
    Inserted,
    /// Its group does not exist in the scope; nothing was written.
    GroupMissing,
}

/// The outcome of a log group removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRemoval {
    /// The group is gone, with its streams and their records.
    Removed,
    /// It still holds streams and may only go empty; nothing changed.
    HasStreams,
    NotFound,
}

/// Log groups and their streams (LTS groups and streams, SLS projects and logstores).
pub trait DestinationRepository: Send + Sync {
    /// Fails with [`StorageError::UniqueViolation`] when the scope has a group of that name.
    fn insert_group(&self, group: &LogGroup) -> impl Future<Output = Answer<()>> + Send;

    /// Inserts the stream into its group, which must exist in the scope (one statement). Fails
    /// with [`StorageError::UniqueViolation`] when the group has a stream of that name.
    fn insert_stream(
        &self,
        stream: &LogStream,
    ) -> impl Future<Output = Answer<StreamInsertion>> + Send;

    fn get_group(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> impl Future<Output = Answer<Option<LogGroup>>> + Send;

    fn get_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
    ) -> impl Future<Output = Answer<Option<LogStream>>> + Send;

    /// One page of the scope's matching groups in creation order, and how many match in all.
    fn list_groups(
        &self,
        visibility: Visibility<'_>,
        filter: &LogContainerFilter,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Answer<(Vec<LogGroup>, u64)>> + Send;

    /// One page of the matching streams of one group (of every group when `None`), in creation
    /// order, and how many match in all.
    fn list_streams(
        &self,
        scope: &TenantScope,
        group_id: Option<&str>,
        filter: &LogContainerFilter,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Answer<(Vec<LogStream>, u64)>> + Send;

    fn update_group(
        &self,
        scope: &TenantScope,
        id: &str,
        changes: &LogContainerChanges,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<Option<LogGroup>>> + Send;

    fn update_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
        changes: &LogContainerChanges,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<Option<LogStream>>> + Send;

    /// Removes the group (its streams and records go with it), or with `OnlyEmpty` only while
    /// it holds no stream: one conditional statement.
    fn delete_group(
        &self,
        scope: &TenantScope,
        id: &str,
        deletion: GroupDeletion,
    ) -> impl Future<Output = Answer<GroupRemoval>> + Send;

    /// Removes the stream and its records; `false` when it did not exist.
    fn delete_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
    ) -> impl Future<Output = Answer<bool>> + Send;

    /// Whether the destination's group and stream exist in the scope now.
    fn delivery(
        &self,
        scope: &TenantScope,
        destination: &LogDestination,
    ) -> impl Future<Output = Answer<Delivery>> + Send;
}

/// Which records a read is about; times are the records' start times, `from` inclusive and `to`
/// exclusive.
#[derive(Debug, Clone, Copy)]
pub struct RecordSelection<'a> {
    pub visibility: Visibility<'a>,
    /// One stream's records (group id, stream id).
    pub destination: Option<(&'a str, &'a str)>,
    pub flow_log_id: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Flow-log records and the generator's progress.
pub trait RecordRepository: Send + Sync {
    /// Active flow logs whose next capture window has ended by `now` (or that have not
    /// produced one yet), at most `limit` of them, oldest progress first.
    /// `default_window` is the window of a flow log without an aggregation interval.
    fn records_due(
        &self,
        now: DateTime<Utc>,
        default_window: chrono::Duration,
        limit: u32,
    ) -> impl Future<Output = Answer<Vec<FlowLog>>> + Send;

    /// Moves the flow log's progress from `expected` to `through` and stores `records` (which
    /// go to its destination, when it exists), then trims that stream to its newest
    /// `max_per_stream` records: one transaction. `false`, with nothing written, when the
    /// progress is no longer `expected` (another worker delivered those windows).
    fn deliver(
        &self,
        scope: &TenantScope,
        flow_log_id: &str,
        expected: Option<DateTime<Utc>>,
        through: DateTime<Utc>,
        records: &[FlowRecord],
        max_per_stream: u32,
    ) -> impl Future<Output = Answer<bool>> + Send;

    /// The selected records, newest first (oldest first with `oldest_first`), one page.
    fn list_records(
        &self,
        selection: RecordSelection<'_>,
        oldest_first: bool,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Answer<Vec<FlowRecord>>> + Send;

    /// How many records the selection holds.
    fn count_records(
        &self,
        selection: RecordSelection<'_>,
    ) -> impl Future<Output = Answer<u64>> + Send;

    /// The sequence number of the newest record stored (0 when none): it moves whenever records
    /// are delivered, so a watcher can tell that some were.
    fn latest_record_seq(&self) -> impl Future<Output = Answer<i64>> + Send;

    /// Removes records older than their stream's time to live (its group's when it has none)
    /// at `now`; returns how many.
    fn expire_records(&self, now: DateTime<Utc>) -> impl Future<Output = Answer<u64>> + Send;
}

/// Pending life-cycle transitions.
pub trait TransitionRepository: Send + Sync {
    /// Completes every transition out of `from` due at or before `due_by`. One conditional
    /// statement, so a second worker or a restart cannot apply it twice.
    fn settle_due(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<Settled>> + Send;

    /// The earliest due time of any pending transition.
    fn next_due(&self) -> impl Future<Output = Answer<Option<DateTime<Utc>>>> + Send;

    /// The pending transitions of flow logs and network resources, soonest due first, at most
    /// `limit` (read through the due-time indexes, which hold pending rows only).
    fn pending_transitions(
        &self,
        limit: u32,
    ) -> impl Future<Output = Answer<Vec<PendingTransition>>> + Send;

    /// Wakes `wake` whenever another process sharing the database schedules a transition, for
    /// as long as the database is open; returns at once where the database has no such signal.
    fn watch_for_work(&self, wake: Arc<Notify>) -> impl Future<Output = ()> + Send;
}

/// Run-time transition settings, shared by every process on the database.
pub trait TransitionSettingRepository: Send + Sync {
    /// The stored mode of one provider and kind; `None`: its default applies.
    fn transition_mode(
        &self,
        provider: Provider,
        kind: TransitionKind,
    ) -> impl Future<Output = Answer<Option<TransitionMode>>> + Send;

    /// Every stored setting.
    fn transition_settings(&self) -> impl Future<Output = Answer<Vec<TransitionSetting>>> + Send;

    /// Writes the changes in one transaction: a mode is stored, `None` removes the setting.
    fn write_transition_settings(
        &self,
        changes: &[(Provider, TransitionKind, Option<TransitionMode>)],
    ) -> impl Future<Output = Answer<()>> + Send;
}

/// Alibaba's per-tenant activation of the flow-log service.
pub trait ActivationRepository: Send + Sync {
    /// Records that the tenant activated the service; activating twice is harmless.
    fn activate_service(
        &self,
        scope: &TenantScope,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<()>> + Send;

    fn service_activated(&self, scope: &TenantScope) -> impl Future<Output = Answer<bool>> + Send;
}

/// Snapshots of the world: every table a snapshot holds, read and written in one place.
pub trait SnapshotRepository: Send + Sync {
    /// Every row of `scope` (the delivered records only with `records`), section by section.
    fn export_sections(
        &self,
        scope: &ResetScope,
        records: bool,
    ) -> impl Future<Output = Answer<std::collections::BTreeMap<String, Vec<serde_json::Value>>>> + Send;

    /// Imports one snapshot in one transaction: all of it or, refused, nothing.
    fn import_snapshot(
        &self,
        snapshot: &Snapshot,
        mode: ImportMode,
    ) -> impl Future<Output = Result<ImportCounts, SnapshotError>> + Send;

    /// Merges `snapshots`, in order and in one transaction, when no table a snapshot holds
    /// has a row (other processes starting on the database take turns); `None` otherwise.
    fn seed(
        &self,
        snapshots: &[Snapshot],
    ) -> impl Future<Output = Result<Option<ResetCounts>, SnapshotError>> + Send;
}

/// The database as a whole.
pub trait DatabaseRepository: Send + Sync {
    /// Whether the database answers now.
    fn ping(&self) -> impl Future<Output = Answer<()>> + Send;

    /// The backend's name, as the health check reports it (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;

    /// How many stored resources there are, per provider, tenant, kind and status (one grouped read).
    fn count_resources(&self) -> impl Future<Output = Answer<Vec<ResourceCount>>> + Send;

    /// The connection pools' use now.
    fn pool_use(&self) -> Vec<PoolUse>;

    /// How many writes each commit held, where the backend groups them (SQLite files).
    fn write_batches(&self) -> Option<Distribution>;
}

/// How many resources of one provider, kind and status are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceCount {
    pub provider: String,
    pub tenant: String,
    /// `flow_log`, `vpc`, `subnet`, `network_interface`, `log_group`, `log_stream`, `record`.
    pub kind: String,
    /// The stored status (`active`, `pending`, …); `stored` for what has none.
    pub status: String,
    pub count: u64,
}

/// A transition not yet complete: which resource, in which transitional status, due when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTransition {
    pub scope: TenantScope,
    /// `flow_log`, `vpc`, `subnet` or `network_interface`.
    pub kind: String,
    pub id: String,
    /// The stored transitional status (`creating`, `pending`, `deleting`, …).
    pub status: String,
    /// Far in the future when only a tick completes it (see [`super::waits_for_tick`]).
    pub due_at: DateTime<Utc>,
}

/// One connection pool's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// `reader` or `writer` (one pool on Postgres serves both: it is listed once).
    pub pool: &'static str,
    /// Open connections.
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
}

/// Fault rules (`/_flowplane/faults`) and their counters.
pub trait FaultRepository: Send + Sync {
    /// Stores a new rule unless `max` rules exist already (`false`).
    fn insert_fault_rule(
        &self,
        rule: &FaultRule,
        max: usize,
    ) -> impl Future<Output = Answer<bool>> + Send;

    /// Every rule, oldest first.
    fn fault_rules(&self) -> impl Future<Output = Answer<Vec<FaultRule>>> + Send;

    /// Removes one rule, or every rule; how many.
    fn delete_fault_rules(
        &self,
        id: Option<&FaultRuleId>,
    ) -> impl Future<Output = Answer<u64>> + Send;

    /// Counts a match of a rule that can still fire; the match's number (from 1), or `None`
    /// when the rule is gone or spent.
    fn match_fault(&self, id: &FaultRuleId) -> impl Future<Output = Answer<Option<u64>>> + Send;

    /// Counts a firing (and, with `also_match`, the match) of a rule that can still fire, in
    /// one conditional update; `false` when it is gone or spent.
    fn fire_fault(
        &self,
        id: &FaultRuleId,
        also_match: bool,
    ) -> impl Future<Output = Answer<bool>> + Send;
}

/// Everything the domain services need.
pub trait Repository:
    FlowLogRepository
    + TagRepository
    + NetworkRepository
    + DestinationRepository
    + RecordRepository
    + TransitionRepository
    + TransitionSettingRepository
    + FaultRepository
    + ActivationRepository
    + DatabaseRepository
    + Clone
    + 'static
{
}

impl<T> Repository for T where
    T: FlowLogRepository
        + TagRepository
        + NetworkRepository
        + DestinationRepository
        + RecordRepository
        + TransitionRepository
        + TransitionSettingRepository
        + FaultRepository
        + ActivationRepository
        + DatabaseRepository
        + Clone
        + 'static
{
}
