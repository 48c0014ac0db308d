//! The transition worker: completes due transitions through the flow-log and network services.
//! It sleeps until the earliest due time or until a service schedules new work, so a transition
//! completes when it is due, not at the next poll.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::{DomainError, FlowLogService, NetworkService, Repository};
use crate::layers::metrics::SharedMetrics;

/// The longest the worker sleeps with nothing due, so that work scheduled by another process
/// sharing a SQLite file is noticed (on Postgres the store wakes the worker at once).
const IDLE_RECHECK: Duration = Duration::from_secs(30);
/// How long the worker waits before retrying after a database error.
const ERROR_BACKOFF: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct TransitionWorker<R> {
    service: FlowLogService<R>,
    network: NetworkService<R>,
    /// Where each completion's lag is observed.
    metrics: SharedMetrics,
}

impl<R: Repository> TransitionWorker<R> {
    /// The worker of both services (which share one wake-up signal).
    pub fn new(
        service: &FlowLogService<R>,
        network: &NetworkService<R>,
        metrics: SharedMetrics,
    ) -> Self {
        Self {
            service: service.clone(),
            network: network.clone(),
            metrics,
        }
    }

    /// Completes every transition due at or before `due_by`; returns how many completed.
    /// Running this twice, concurrently or after a restart, never applies a transition twice.
    pub async fn tick(&self, due_by: DateTime<Utc>) -> Result<u64, DomainError> {
        let mut completed = self.service.complete_due(due_by).await?;
        completed.merge(self.network.complete_due(due_by).await?);
        self.metrics.observe_transition_lags(&completed.lags);
        Ok(completed.count)
    }

    /// The earliest due time of any pending transition.
    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, DomainError> {
        let flow_logs = self.service.next_due().await?;
        let network = self.network.next_due().await?;
        Ok(flow_logs.into_iter().chain(network).min())
    }

    /// Runs until `shutdown` completes. Besides its own process's service, it is woken when
    /// another process sharing the database schedules work (Postgres).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let watcher = {
            let service = self.service.clone();
            tokio::spawn(async move { service.watch_for_work().await })
        };
        let work_scheduled = self.service.work_scheduled();
        tokio::pin!(shutdown);
        loop {
            let wait = match self.complete_due_work().await {
                Ok(next_due) => next_due
                    .map(|due| (due - Utc::now()).to_std().unwrap_or(Duration::ZERO))
                    .map_or(IDLE_RECHECK, |until_due| until_due.min(IDLE_RECHECK)),
                Err(err) => {
                    tracing::warn!(error = %err, "transition worker could not reach the database");
                    ERROR_BACKOFF
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = work_scheduled.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        watcher.abort();
        tracing::debug!("transition worker stopped");
    }

    /// Completes what is due, if anything (an idle wake costs one read, no write), and returns
    /// the next due time.
    async fn complete_due_work(&self) -> Result<Option<DateTime<Utc>>, DomainError> {
        let next_due = self.next_due().await?;
        if next_due.is_some_and(|due| due <= Utc::now()) {
            let completed = self.tick(Utc::now()).await?;
            if completed > 0 {
                tracing::info!(completed, "transitions completed");
            }
            return self.next_due().await;
        }
        Ok(next_due)
    }
}
