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

use super::lifecycle::{Settlement, Status};
use super::model::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, Page, Provider, Tag,
    TagFilter, TenantScope,
};

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

/// A new status for a flow log, with the time it completes when it is transitional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub status: Status,
    pub due_at: Option<DateTime<Utc>>,
}

/// The outcome of an insert bounded by the tenant's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insertion {
    Inserted,
    /// The tenant already has as many flow logs as its quota allows; nothing was written.
    QuotaReached,
}

/// The outcome of a tag write over several flow logs; nothing is written unless it is `Done`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagWrite {
    Done,
    /// This flow log does not exist in the tenant's scope.
    Missing(FlowLogId),
    /// This flow log would carry more tags than allowed.
    TooMany(FlowLogId),
}

/// Which tenants a query may see: exactly one (every cloud request), or any (the control API).
#[derive(Debug, Clone, Copy)]
pub enum Visibility<'a> {
    Tenant(&'a TenantScope),
    Any {
        provider: Option<Provider>,
        tenant_id: Option<&'a str>,
    },
}

type Answer<T> = Result<T, StorageError>;

/// Flow logs themselves.
pub trait FlowLogRepository: Send + Sync {
    /// Inserts the flow log with its tags, unless the tenant already has `quota` flow logs (the
    /// count and the insert are one statement). Fails with [`StorageError::UniqueViolation`]
    /// when a uniqueness rule forbids the row.
    fn insert(
        &self,
        flow_log: &FlowLog,
        quota: Option<u32>,
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

    /// Removes every flow log (their tags go with them) and service activation, or those of one
    /// provider; returns how many flow logs.
    fn reset(&self, provider: Option<Provider>) -> impl Future<Output = Answer<u64>> + Send;
}

/// Tags on flow logs.
pub trait TagRepository: Send + Sync {
    /// Sets the tags (adding keys, replacing values) on every one of the flow logs, all or none:
    /// every flow log must exist in the scope and end with at most `max_tags` tags.
    fn tag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        tags: &[Tag],
        max_tags: usize,
    ) -> impl Future<Output = Answer<TagWrite>> + Send;

    /// Removes the tags with these keys (every tag when `keys` is `None`) from every one of the
    /// flow logs, which must all exist in the scope.
    fn untag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        keys: Option<&[String]>,
    ) -> impl Future<Output = Answer<TagWrite>> + Send;

    /// The tags of the scope's flow logs, narrowed to `ids` when not empty and to the flow logs
    /// carrying every one of `filters`; in creation order, then key order.
    fn list_tags(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Answer<Vec<FlowLogTag>>> + Send;
}

/// Pending life-cycle transitions.
pub trait TransitionRepository: Send + Sync {
    /// Completes every transition out of `from` due at or before `due_by`; returns how many.
    /// One conditional statement, so a second worker or a restart cannot apply it twice.
    fn settle_due(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Answer<u64>> + Send;

    /// The earliest due time of any pending transition.
    fn next_due(&self) -> impl Future<Output = Answer<Option<DateTime<Utc>>>> + Send;

    /// Wakes `wake` whenever another process sharing the database schedules a transition, for
    /// as long as the database is open; returns at once where the database has no such signal.
    fn watch_for_work(&self, wake: Arc<Notify>) -> impl Future<Output = ()> + Send;
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

/// The database as a whole.
pub trait DatabaseRepository: Send + Sync {
    /// Whether the database answers now.
    fn ping(&self) -> impl Future<Output = Answer<()>> + Send;

    /// The backend's name, as the health check reports it (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;
}

/// Everything the flow-log service needs.
pub trait Repository:
    FlowLogRepository
    + TagRepository
    + TransitionRepository
    + ActivationRepository
    + DatabaseRepository
    + Clone
    + 'static
{
}

impl<T> Repository for T where
    T: FlowLogRepository
        + TagRepository
        + TransitionRepository
        + ActivationRepository
        + DatabaseRepository
        + Clone
        + 'static
{
}
