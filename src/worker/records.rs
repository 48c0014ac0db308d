//! The record worker: every so often it produces the capture windows that have ended (when
//! records are on) and removes records past their stream's time to live. Tests and users who
//! cannot wait drive it through the control API's `generate` instead.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::{DomainError, RecordService, Repository};

/// How often the worker looks for ended windows: well under the shortest window (one minute).
const EVERY: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct RecordWorker<R> {
    records: RecordService<R>,
}

impl<R: Repository> RecordWorker<R> {
    pub fn new(records: &RecordService<R>) -> Self {
        Self {
            records: records.clone(),
        }
    }

    /// One round at `now`: the ended windows (when records are on), then the expired records.
    /// Returns how many records were delivered and how many expired.
    pub async fn step(&self, now: DateTime<Utc>) -> Result<(u64, u64), DomainError> {
        let delivered = if self.records.options().background {
            self.records.generate_due(now).await?.records
        } else {
            0
        };
        Ok((delivered, self.records.expire(now).await?))
    }

    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.step(Utc::now()).await {
                Ok((delivered, expired)) if delivered + expired > 0 => {
                    tracing::debug!(delivered, expired, "flow-log records");
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "record worker could not reach the database")
                }
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
        tracing::debug!("record worker stopped");
    }
}
