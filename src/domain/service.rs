//! The service the cloud products, the control API and the worker call: it applies the
//! life-cycle rules over the repository and wakes the transition worker when it schedules work.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::destination::Delivery;
use super::error::DomainError;
use super::fault_service::FaultService;
use super::faults::{DeliveryFault, TransitionFacts, TransitionOutcome};
use super::lifecycle::{Completed, Operation, Settlement, Status, Step};
use super::model::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, FlowLogTag, NewFlowLog, Page, Provider,
    Tag, TagFilter, TenantScope, MAX_TAGS_PER_FLOW_LOG,
};
use super::repository::{
    Insertion, PendingTransition, PoolUse, Repository, ResourceCount, StatusChange, StorageError,
    TagOwner, TagWrite, Visibility,
};
use super::reset::{ResetCounts, ResetScope};
use super::stats::Distribution;
use super::tenancy::is_resource_group_of;
use super::transition_settings::{
    SettingRefused, TransitionDefaults, TransitionKind, TransitionMode, TransitionSetting,
};

/// How long each provider's transitional states last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionDelays {
    pub alibaba: Duration,
}

impl TransitionDelays {
    pub fn for_provider(self, provider: Provider) -> Duration {
        match provider {
            // Huawei's documented contract has no pending state.
            Provider::Huawei => Duration::ZERO,
            Provider::Alibaba => self.alibaba,
        }
    }
}

/// How many flow logs one tenant may have, per provider; `None` is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quotas {
    /// Per Alibaba account and region (`QuotaExceeded.FlowlogCount`).
    pub alibaba: Option<u32>,
}

impl Quotas {
    pub fn for_provider(self, provider: Provider) -> Option<u32> {
        match provider {
            Provider::Huawei => None,
            Provider::Alibaba => self.alibaba,
        }
    }
}

/// Whether a flow log may point at any well-formed resource id (`Lenient`), or only at a
/// resource of its stated kind in the caller's network (`Strict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferenceMode {
    #[default]
    Lenient,
    Strict,
}

/// The outcome of a life-cycle operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Updated(Box<FlowLog>),
    Deleted,
}

/// Which statuses an attribute change may start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifiable {
    /// Only a settled flow log (Alibaba's ModifyFlowLogAttribute).
    WhenSettled,
    /// Any flow log that is not being deleted (moving it to another resource group).
    UnlessDeleting,
}

/// How often a conditional write is retried when another writer changed the status in between.
const CONFLICT_RETRIES: usize = 3;

/// The flow-log service over a repository `R` (the store, in the app).
#[derive(Clone)]
pub struct FlowLogService<R> {
    store: R,
    delays: TransitionDelays,
    quotas: Quotas,
    references: ReferenceMode,
    /// Woken whenever a transition is scheduled, so the worker need not poll.
    work_scheduled: Arc<Notify>,
    /// Fault rules that make a transition stick or a delivery fail.
    faults: FaultService<R>,
}

impl<R: Repository> FlowLogService<R> {
    pub fn new(
        store: R,
        delays: TransitionDelays,
        quotas: Quotas,
        references: ReferenceMode,
        faults: FaultService<R>,
    ) -> Self {
        Self {
            store,
            delays,
            quotas,
            references,
            work_scheduled: Arc::new(Notify::new()),
            faults,
        }
    }

    /// Notified whenever this process schedules a transition.
    pub fn work_scheduled(&self) -> Arc<Notify> {
        Arc::clone(&self.work_scheduled)
    }

    pub async fn create(
        &self,
        scope: &TenantScope,
        spec: NewFlowLog,
    ) -> Result<FlowLog, DomainError> {
        let strict = self.references == ReferenceMode::Strict;
        let delivery = if strict {
            self.check_reference(scope, &spec).await?;
            Delivery::Delivering
        } else {
            self.store.delivery(scope, &spec.destination).await?
        };
        let now = Utc::now();
        // A new flow log comes into being as if activated from nothing.
        let (step, fault) = self
            .plan(scope, Operation::Activate, &[&spec.resource_id], now)
            .await?;
        let StatusChange {
            status,
            due_at,
            delivery_fault,
        } = status_change(step, fault).expect("activating never deletes");
        let delivery = delivery_fault.map_or(delivery, Delivery::Faulted);
        let flow_log = FlowLog {
            id: FlowLogId::generate(scope.provider()),
            scope: scope.clone(),
            spec,
            status,
            due_at,
            created_at: now,
            updated_at: now,
            delivery,
            active_since: (status == Status::Active).then_some(now),
            records_through: None,
        };
        let quota = self.quotas.for_provider(scope.provider());
        match self.store.insert(&flow_log, quota, strict).await {
            Ok(Insertion::Inserted) => {
                self.wake_if_pending(due_at);
                Ok(flow_log)
            }
            Ok(Insertion::QuotaReached) => Err(DomainError::QuotaExceeded {
                quota: quota.unwrap_or_default(),
            }),
            // Deleted between the check and the insert.
            Ok(Insertion::ResourceMissing) => Err(DomainError::ReferenceNotFound {
                kind: flow_log.spec.resource_kind,
                id: flow_log.spec.resource_id,
            }),
            Ok(Insertion::DestinationMissing) => Err(DomainError::DestinationMissing {
                delivery: self
                    .store
                    .delivery(scope, &flow_log.spec.destination)
                    .await?,
            }),
            Err(StorageError::UniqueViolation) => {
                Err(DomainError::Duplicate(Box::new(flow_log.spec)))
            }
            Err(other) => Err(DomainError::Storage(other)),
        }
    }

    /// Strict references: the resource must be in the tenant's network, as the stated kind, the
    /// destination one of the tenant's log streams, and the resource group one of the tenant's.
    async fn check_reference(
        &self,
        scope: &TenantScope,
        spec: &NewFlowLog,
    ) -> Result<(), DomainError> {
        check_resource_group(scope, spec.resource_group_id.as_deref())?;
        self.check_resource(scope, spec).await?;
        match self.store.delivery(scope, &spec.destination).await? {
            Delivery::Delivering => Ok(()),
            delivery => Err(DomainError::DestinationMissing { delivery }),
        }
    }

    async fn check_resource(
        &self,
        scope: &TenantScope,
        spec: &NewFlowLog,
    ) -> Result<(), DomainError> {
        match self.store.get_network(scope, &spec.resource_id).await? {
            None => Err(DomainError::ReferenceNotFound {
                kind: spec.resource_kind,
                id: spec.resource_id.clone(),
            }),
            Some(resource) if resource.kind != spec.resource_kind => {
                Err(DomainError::ReferenceKindMismatch {
                    id: spec.resource_id.clone(),
                    expected: spec.resource_kind,
                    actual: resource.kind,
                })
            }
            Some(_) => Ok(()),
        }
    }

    pub async fn get(&self, scope: &TenantScope, id: &FlowLogId) -> Result<FlowLog, DomainError> {
        self.store
            .get(scope, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(id.clone()))
    }

    pub async fn list(
        &self,
        scope: &TenantScope,
        filter: &FlowLogFilter,
        page: &Page,
    ) -> Result<Vec<FlowLog>, DomainError> {
        if filter.matches_nothing {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .list(Visibility::Tenant(scope), filter, page)
            .await?)
    }

    /// One page by offset and how many flow logs match in all, read together.
    pub async fn counted_page(
        &self,
        scope: &TenantScope,
        filter: &FlowLogFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<FlowLog>, u64), DomainError> {
        if filter.matches_nothing {
            return Ok((Vec::new(), 0));
        }
        Ok(self
            .store
            .counted_page(Visibility::Tenant(scope), filter, offset, limit)
            .await?)
    }

    /// Changes attributes and, when `enabled` is given, makes the flow log enabled or disabled:
    /// asking for the state it is already in is not an error (Huawei's `admin_state`).
    pub async fn update(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        changes: &AttributeChanges,
        enabled: Option<bool>,
    ) -> Result<FlowLog, DomainError> {
        for _ in 0..CONFLICT_RETRIES {
            let current = self.get(scope, id).await?;
            let operation = match enabled {
                Some(true) if !current.status.is_enabled() => Some(Operation::Activate),
                Some(false) if current.status.is_enabled() => Some(Operation::Deactivate),
                _ => None,
            };
            let status_change = match operation {
                Some(op) => {
                    ensure_allowed(op, &current)?;
                    let ids = [id.as_str(), current.spec.resource_id.as_str()];
                    let (step, fault) = self.plan(scope, op, &ids, Utc::now()).await?;
                    Some(status_change(step, fault).expect("activate and deactivate never delete"))
                }
                None => None,
            };
            let updated = self
                .store
                .update(
                    scope,
                    id,
                    &[current.status],
                    changes,
                    status_change,
                    Utc::now(),
                )
                .await?;
            if let Some(flow_log) = updated {
                self.wake_if_pending(flow_log.due_at);
                return Ok(flow_log);
            }
        }
        Err(self.refusal(scope, id).await)
    }

    /// Changes attributes of a flow log in one of the `allowed` statuses, in one conditional
    /// write; from another status it fails with [`DomainError::IncorrectState`].
    pub async fn modify(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        changes: &AttributeChanges,
        allowed: Modifiable,
    ) -> Result<FlowLog, DomainError> {
        if self.references == ReferenceMode::Strict {
            check_resource_group(scope, changes.resource_group_id.as_deref())?;
        }
        let expected = match allowed {
            Modifiable::WhenSettled => &[Status::Active, Status::Inactive][..],
            Modifiable::UnlessDeleting => &[
                Status::Activating,
                Status::Active,
                Status::Deactivating,
                Status::Inactive,
            ][..],
        };
        match self
            .store
            .update(scope, id, expected, changes, None, Utc::now())
            .await?
        {
            Some(flow_log) => Ok(flow_log),
            None => Err(self.refusal(scope, id).await),
        }
    }

    /// Sets tags on every one of the flow logs, or on none of them.
    pub async fn tag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        tags: &[Tag],
    ) -> Result<(), DomainError> {
        let ids = flow_log_ids(ids);
        let written = self
            .store
            .tag(TagOwner::FlowLogs, scope, &ids, tags, MAX_TAGS_PER_FLOW_LOG)
            .await?;
        tag_write(written)
    }

    /// Removes the tags with these keys (all tags when `None`) from every one of the flow logs.
    pub async fn untag(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        keys: Option<&[String]>,
    ) -> Result<(), DomainError> {
        let ids = flow_log_ids(ids);
        tag_write(
            self.store
                .untag(TagOwner::FlowLogs, scope, &ids, keys)
                .await?,
        )
    }

    pub async fn list_tags(
        &self,
        scope: &TenantScope,
        ids: &[FlowLogId],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> Result<Vec<FlowLogTag>, DomainError> {
        let ids = flow_log_ids(ids);
        let tags = self
            .store
            .list_tags(TagOwner::FlowLogs, scope, &ids, filters, offset, limit)
            .await?;
        Ok(tags
            .into_iter()
            .map(|tagged| FlowLogTag {
                id: FlowLogId::from_trusted(tagged.id),
                tag: tagged.tag,
            })
            .collect())
    }

    pub async fn activate_service(&self, scope: &TenantScope) -> Result<(), DomainError> {
        Ok(self.store.activate_service(scope, Utc::now()).await?)
    }

    pub async fn service_activated(&self, scope: &TenantScope) -> Result<bool, DomainError> {
        Ok(self.store.service_activated(scope).await?)
    }

    /// Applies a life-cycle operation strictly: from a status the operation does not start from,
    /// it fails with [`DomainError::IncorrectState`] (Alibaba's semantics). The precondition is
    /// part of the one conditional write; the flow log is read only to explain a refusal.
    pub async fn apply(
        &self,
        scope: &TenantScope,
        id: &FlowLogId,
        op: Operation,
    ) -> Result<Applied, DomainError> {
        let allowed = op.allowed_from();
        let (step, fault) = self.plan(scope, op, &[id.as_str()], Utc::now()).await?;
        let applied = match status_change(step, fault) {
            Some(change) => {
                let unchanged = AttributeChanges::default();
                let updated = self
                    .store
                    .update(scope, id, allowed, &unchanged, Some(change), Utc::now())
                    .await?;
                updated.map(|flow_log| {
                    self.wake_if_pending(flow_log.due_at);
                    Applied::Updated(Box::new(flow_log))
                })
            }
            None => self
                .store
                .delete(scope, id, allowed)
                .await?
                .then_some(Applied::Deleted),
        };
        match applied {
            Some(applied) => Ok(applied),
            None => Err(self.refusal(scope, id).await),
        }
    }

    /// Completes every transition due at or before `due_by`. Each completion is one
    /// conditional statement, so running this twice, concurrently or after a restart, never
    /// applies a transition twice.
    pub async fn complete_due(&self, due_by: DateTime<Utc>) -> Result<Completed, DomainError> {
        let mut completed = Completed::default();
        for status in Status::TRANSITIONAL {
            let settlement = status.settlement().expect("transitional statuses settle");
            let now = Utc::now();
            let settled = self
                .store
                .settle_due(status, settlement, due_by, now)
                .await?;
            completed.add(settled, now);
        }
        Ok(completed)
    }

    /// When the next pending transition is due, if any.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, DomainError> {
        Ok(self.store.next_due().await?)
    }

    /// Wakes [`Self::work_scheduled`] whenever another process sharing the database schedules
    /// a transition, for as long as the database is open (where the database can tell).
    pub async fn watch_for_work(&self) {
        self.store.watch_for_work(self.work_scheduled()).await
    }

    // Operator operations for the control API: they cross tenants by design.

    /// Every stored flow log the visibility allows, in creation order.
    pub async fn list_all(
        &self,
        visibility: Visibility<'_>,
        filter: &FlowLogFilter,
        page: &Page,
    ) -> Result<Vec<FlowLog>, DomainError> {
        Ok(self.store.list(visibility, filter, page).await?)
    }

    /// The pending transitions of every kind, soonest due first, at most `limit`.
    pub async fn pending_transitions(
        &self,
        limit: u32,
    ) -> Result<Vec<PendingTransition>, DomainError> {
        Ok(self.store.pending_transitions(limit).await?)
    }

    /// Removes what the scope covers (see [`ResetScope`]); how many rows of each kind.
    pub async fn reset(&self, scope: &ResetScope) -> Result<ResetCounts, DomainError> {
        Ok(self.store.reset(scope).await?)
    }

    /// Whether the database answers now.
    pub async fn ping(&self) -> Result<(), DomainError> {
        Ok(self.store.ping().await?)
    }

    /// The database backend's name (`sqlite`, `postgres`).
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Every stored resource counted per provider, tenant, kind and status (for the metrics
    /// and the console).
    pub async fn resource_counts(&self) -> Result<Vec<ResourceCount>, DomainError> {
        Ok(self.store.count_resources().await?)
    }

    /// The database connection pools' use now (for the metrics).
    pub fn pool_use(&self) -> Vec<PoolUse> {
        self.store.pool_use()
    }

    /// How many writes each commit held, where the database groups them (for the metrics).
    pub fn write_batches(&self) -> Option<Distribution> {
        self.store.write_batches()
    }

    /// The step an operation takes now, by the transition settings and the fault rules: a rule
    /// that fires makes the transition stick (it never comes due by itself) or, on an
    /// activation, marks the flow log's delivery failed. `ids` are the flow log's (none before
    /// it exists) and the resource it captures, for rules that name one.
    async fn plan(
        &self,
        scope: &TenantScope,
        op: Operation,
        ids: &[&str],
        now: DateTime<Utc>,
    ) -> Result<(Step, Option<DeliveryFault>), DomainError> {
        let mut delay = self.delay_for(scope.provider()).await?;
        let facts = TransitionFacts {
            provider: scope.provider(),
            kind: TransitionKind::FlowLog,
            tenant: scope.tenant_id(),
            region: scope.region_id(),
            resource_ids: ids,
            activation: op == Operation::Activate,
        };
        let fault = match self.faults.on_transition(&facts).await? {
            Some(TransitionOutcome::Stuck) => {
                delay = Duration::MAX;
                None
            }
            Some(TransitionOutcome::DeliveryFails(fault)) => Some(fault),
            None => None,
        };
        Ok((op.plan(delay, now), fault))
    }

    /// How long a provider's flow-log transitions last now: the stored setting (one keyed read
    /// per transitional operation), or the default.
    async fn delay_for(&self, provider: Provider) -> Result<Duration, DomainError> {
        let stored = self
            .store
            .transition_mode(provider, TransitionKind::FlowLog)
            .await?;
        Ok(stored.map_or_else(|| self.delays.for_provider(provider), TransitionMode::delay))
    }

    /// The defaults of the transition settings: `--transition-delay` for Alibaba, at once for
    /// Huawei.
    pub fn transition_defaults(&self) -> TransitionDefaults {
        TransitionDefaults {
            huawei: Duration::ZERO,
            alibaba: self.delays.alibaba,
        }
    }

    /// Every provider and kind with its effective mode, and whether it was set (`true`) or is
    /// the default.
    pub async fn transition_settings(&self) -> Result<Vec<(TransitionSetting, bool)>, DomainError> {
        let stored = self.store.transition_settings().await?;
        let defaults = self.transition_defaults();
        let mut settings = Vec::new();
        for provider in Provider::ALL {
            for kind in TransitionKind::ALL {
                let set = stored
                    .iter()
                    .find(|s| s.provider == provider && s.kind == kind);
                let mode = set.map_or_else(|| defaults.mode(provider, kind), |s| s.mode);
                settings.push((
                    TransitionSetting {
                        provider,
                        kind,
                        mode,
                    },
                    set.is_some(),
                ));
            }
        }
        Ok(settings)
    }

    /// Stores the settings (`None`: back to the default) in one transaction, after checking
    /// every one; a refused one writes nothing.
    pub async fn set_transition_settings(
        &self,
        changes: &[(Provider, TransitionKind, Option<TransitionMode>)],
    ) -> Result<Result<(), SettingRefused>, DomainError> {
        for &(provider, kind, mode) in changes {
            if let Some(mode) = mode {
                if let Err(refused) = (TransitionSetting {
                    provider,
                    kind,
                    mode,
                })
                .check()
                {
                    return Ok(Err(refused));
                }
            }
        }
        self.store.write_transition_settings(changes).await?;
        Ok(Ok(()))
    }

    fn wake_if_pending(&self, due_at: Option<DateTime<Utc>>) {
        if due_at.is_some() {
            self.work_scheduled.notify_one();
        }
    }

    /// Why a conditional write matched nothing: the flow log is gone, or in a status the write
    /// did not expect.
    async fn refusal(&self, scope: &TenantScope, id: &FlowLogId) -> DomainError {
        match self.get(scope, id).await {
            Ok(current) => DomainError::IncorrectState {
                id: id.clone(),
                status: current.status,
            },
            Err(err) => err,
        }
    }
}

/// What a step writes to the row (with the delivery fault a rule marks it with, or none);
/// `None` when it removes the row.
fn status_change(step: Step, delivery_fault: Option<DeliveryFault>) -> Option<StatusChange> {
    match step {
        Step::Pending { status, due_at } => Some(StatusChange {
            status,
            due_at: Some(due_at),
            delivery_fault,
        }),
        Step::Settle(Settlement::Becomes(status)) => Some(StatusChange {
            status,
            due_at: None,
            delivery_fault,
        }),
        Step::Settle(Settlement::Gone) => None,
    }
}

fn tag_write(written: TagWrite) -> Result<(), DomainError> {
    match written {
        TagWrite::Done => Ok(()),
        TagWrite::Missing(id) => Err(DomainError::NotFound(FlowLogId::from_trusted(id))),
        TagWrite::TooMany(id) => Err(DomainError::TooManyTags(id)),
    }
}

/// An Alibaba resource group must be one of the account's.
fn check_resource_group(scope: &TenantScope, group: Option<&str>) -> Result<(), DomainError> {
    match group {
        Some(group)
            if scope.provider() == Provider::Alibaba
                && !is_resource_group_of(scope.tenant_id(), group) =>
        {
            Err(DomainError::UnknownResourceGroup(group.to_owned()))
        }
        _ => Ok(()),
    }
}

fn flow_log_ids(ids: &[FlowLogId]) -> Vec<String> {
    ids.iter().map(|id| id.as_str().to_owned()).collect()
}

fn ensure_allowed(op: Operation, current: &FlowLog) -> Result<(), DomainError> {
    if op.allowed_from().contains(&current.status) {
        Ok(())
    } else {
        Err(DomainError::IncorrectState {
            id: current.id.clone(),
            status: current.status,
        })
    }
}
