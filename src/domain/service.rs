//! The service the cloud adapters call: it applies the life-cycle rules over the store and wakes
//! the transition worker when it schedules work.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::error::DomainError;
use super::lifecycle::{Operation, Settlement, Step};
use super::model::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, NewFlowLog, Page, Provider, TenantScope,
};
use crate::store::{StatusChange, Store, StoreError, Visibility};

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

/// The outcome of a life-cycle operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Updated(Box<FlowLog>),
    Deleted,
}

/// How often a conditional write is retried when another writer changed the status in between.
const CONFLICT_RETRIES: usize = 3;

#[derive(Clone)]
pub struct FlowLogService {
    store: Store,
    delays: TransitionDelays,
    /// Woken whenever a transition is scheduled, so the worker need not poll.
    work_scheduled: Arc<Notify>,
}

impl FlowLogService {
    pub fn new(store: Store, delays: TransitionDelays) -> Self {
        Self {
            store,
            delays,
            work_scheduled: Arc::new(Notify::new()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn work_scheduled(&self) -> Arc<Notify> {
        Arc::clone(&self.work_scheduled)
    }

    pub async fn create(
        &self,
        scope: &TenantScope,
        spec: NewFlowLog,
    ) -> Result<FlowLog, DomainError> {
        let now = Utc::now();
        // A new flow log comes into being as if activated from nothing.
        let delay = self.delays.for_provider(scope.provider());
        let StatusChange { status, due_at } =
            status_change(Operation::Activate.plan(delay, now)).expect("activating never deletes");
        let flow_log = FlowLog {
            id: FlowLogId::generate(scope.provider()),
            scope: scope.clone(),
            spec,
            status,
            due_at,
            created_at: now,
            updated_at: now,
        };
        match self.store.insert(&flow_log).await {
            Ok(()) => {
                self.wake_if_pending(due_at);
                Ok(flow_log)
            }
            Err(StoreError::UniqueViolation) => {
                Err(DomainError::Duplicate(Box::new(flow_log.spec)))
            }
            Err(other) => Err(DomainError::Store(other)),
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

    pub async fn count(
        &self,
        scope: &TenantScope,
        filter: &FlowLogFilter,
    ) -> Result<u64, DomainError> {
        if filter.matches_nothing {
            return Ok(0);
        }
        Ok(self.store.count(scope, filter).await?)
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
                    Some(
                        status_change(self.plan(scope, op))
                            .expect("activate and deactivate never delete"),
                    )
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
        let applied = match status_change(self.plan(scope, op)) {
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

    fn plan(&self, scope: &TenantScope, op: Operation) -> Step {
        op.plan(self.delays.for_provider(scope.provider()), Utc::now())
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

/// What a step writes to the row; `None` when it removes the row.
fn status_change(step: Step) -> Option<StatusChange> {
    match step {
        Step::Pending { status, due_at } => Some(StatusChange {
            status,
            due_at: Some(due_at),
        }),
        Step::Settle(Settlement::Becomes(status)) => Some(StatusChange {
            status,
            due_at: None,
        }),
        Step::Settle(Settlement::Gone) => None,
    }
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
