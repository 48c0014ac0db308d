//! The transition worker: completes due transitions. It sleeps until the earliest due time or
//! until the service schedules new work, so a transition completes when it is due, not at the
//! next poll.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::domain::{FlowLogService, Status};
use crate::store::{Store, StoreError};

/// The longest the worker sleeps with nothing due, so that work scheduled by another process
/// sharing a SQLite file is noticed (on Postgres the store wakes the worker at once).
const IDLE_RECHECK: Duration = Duration::from_secs(30);
/// How long the worker waits before retrying after a database error.
const ERROR_BACKOFF: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct TransitionWorker {
    store: Store,
    work_scheduled: Arc<Notify>,
}

impl TransitionWorker {
    pub fn new(service: &FlowLogService) -> Self {
        Self {
            store: service.store().clone(),
            work_scheduled: service.work_scheduled(),
        }
    }

    /// Completes every transition due at or before `now`; returns how many completed. Each
    /// completion is one conditional statement, so running this twice, concurrently or after a
    /// restart, never applies a transition twice.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut completed = 0;
        for status in Status::TRANSITIONAL {
            let settlement = status.settlement().expect("transitional statuses settle");
            completed += self
                .store
                .settle_due(status, settlement, now, Utc::now())
                .await?;
        }
        Ok(completed)
    }

    /// Runs until `shutdown` completes. Besides its own process's service, it is woken by the
    /// store when another process sharing the database schedules work (Postgres).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let watcher = {
            let (store, wake) = (self.store.clone(), Arc::clone(&self.work_scheduled));
            tokio::spawn(async move { store.watch_for_work(wake).await })
        };
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
                () = self.work_scheduled.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        watcher.abort();
        tracing::debug!("transition worker stopped");
    }

    /// Completes what is due, if anything (an idle wake costs one read, no write), and returns
    /// the next due time.
    async fn complete_due_work(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let next_due = self.store.next_due().await?;
        if next_due.is_some_and(|due| due <= Utc::now()) {
            let completed = self.tick(Utc::now()).await?;
            if completed > 0 {
                tracing::info!(completed, "transitions completed");
            }
            return self.store.next_due().await;
        }
        Ok(next_due)
    }
}
