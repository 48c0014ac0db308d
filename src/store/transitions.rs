//! Pending transitions: their statements and [`TransitionRepository`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::row::{from_millis, scope, to_millis, Text};
use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::domain::repository::TransitionRepository;
use crate::domain::{PendingTransition, Settled, Settlement, Status, StorageError};

/// Pending flow logs and network resources, soonest first; the limit is appended.
const PENDING_TRANSITIONS: &str = "\
    SELECT provider, tenant_id, region_id, CAST('flow_log' AS TEXT), id, status, due_at \
        FROM flow_logs WHERE due_at IS NOT NULL \
    UNION ALL SELECT provider, tenant_id, region_id, kind, id, status, due_at \
        FROM network_resources WHERE due_at IS NOT NULL \
    ORDER BY 7, 5 LIMIT ";

fn pending<DB: Dialect>(limit: u32) -> Sql<DB> {
    let mut sql = Sql::new(PENDING_TRANSITIONS);
    sql.int(i64::from(limit));
    sql
}

/// How often a settling statement is run again when the database aborted it as a deadlock.
const DEADLOCK_ATTEMPTS: usize = 3;

impl TransitionRepository for Store {
    /// Under Postgres's READ COMMITTED a row that another process is settling is waited for and
    /// then re-checked against the statement's condition, which it no longer meets: each
    /// transition completes once, whichever process gets there first. Two settling statements
    /// that lock the same rows in different orders can deadlock; the database then aborts one,
    /// which is simply run again.
    async fn settle_due(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Settled, StorageError> {
        let mut attempt = 1;
        loop {
            match self.settle_once(from, settlement, due_by, now).await {
                Err(err) if attempt < DEADLOCK_ATTEMPTS && is_deadlock(&err) => attempt += 1,
                done => {
                    let (count, due) = done?;
                    return settled(count, due);
                }
            }
        }
    }

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StorageError> {
        let (millis,): (Option<i64>,) = with_db!(self, read, |db| {
            db.fetch_one(Sql::new(
                "SELECT MIN(due_at) FROM flow_logs WHERE due_at IS NOT NULL",
            ))
            .await?
        });
        millis.map(from_millis).transpose()
    }

    async fn pending_transitions(
        &self,
        limit: u32,
    ) -> Result<Vec<PendingTransition>, StorageError> {
        let rows: Vec<(Text, Text, Text, Text, Text, Text, i64)> =
            with_db!(self, read, |db| { db.fetch_all(pending(limit)).await? });
        rows.into_iter()
            .map(
                |(provider, tenant_id, region_id, kind, id, status, due_at)| {
                    Ok(PendingTransition {
                        scope: scope(provider, tenant_id, region_id)?,
                        kind: kind.0,
                        id: id.0,
                        status: status.0,
                        due_at: from_millis(due_at)?,
                    })
                },
            )
            .collect()
    }

    async fn watch_for_work(&self, wake: Arc<Notify>) {
        match self {
            // SQLite has no such signal: a worker finds another process's work at its next
            // idle recheck.
            Store::Sqlite(_) => {}
            Store::Postgres(backend) => backend.watch_for_work(wake).await,
        }
    }
}

impl Store {
    async fn settle_once(
        &self,
        from: Status,
        settlement: Settlement,
        due_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(u64, Vec<(i64,)>), sqlx::Error> {
        Ok(with_db!(self, transaction, |db| {
            let due = db
                .fetch_all(due_times("flow_logs", from.as_str(), due_by, ""))
                .await?;
            (
                db.execute(settle_due(from, settlement, due_by, now))
                    .await?,
                due,
            )
        }))
    }
}

/// The due times of what a settling statement is about to complete, read (and on Postgres
/// locked) by the same condition first: an `UPDATE … RETURNING` would give the new due time.
pub(super) fn due_times<DB: Dialect>(
    table: &str,
    status: &str,
    due_by: DateTime<Utc>,
    condition: &str,
) -> Sql<DB> {
    let mut sql = Sql::new(format!("SELECT due_at FROM {table} WHERE status = "));
    sql.text(status)
        .push(" AND due_at <= ")
        .int(to_millis(due_by))
        .push(condition)
        .push(DB::LOCK_FOR_UPDATE);
    sql
}

/// A pass's outcome from its statement's count and the due times read before it.
pub(super) fn settled(count: u64, due: Vec<(i64,)>) -> Result<Settled, StorageError> {
    let due = due
        .into_iter()
        .map(|(millis,)| from_millis(millis))
        .collect::<Result<_, _>>()?;
    Ok(Settled { count, due })
}

/// Completes every transition out of `from` due at or before `due_by`, in one conditional
/// statement: a row another writer settled first no longer matches, so none completes twice.
fn settle_due<DB: Dialect>(
    from: Status,
    settlement: Settlement,
    due_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Sql<DB> {
    let mut sql = match settlement {
        Settlement::Becomes(status) => {
            let mut sql = Sql::new("UPDATE flow_logs SET status = ");
            sql.text(status.as_str())
                .push(", due_at = NULL, updated_at = ")
                .int(to_millis(now));
            if status == Status::Active {
                sql.push(", active_since = ").int(to_millis(now));
            }
            sql
        }
        Settlement::Gone => Sql::new("DELETE FROM flow_logs"),
    };
    sql.push(" WHERE status = ")
        .text(from.as_str())
        .push(" AND due_at <= ")
        .int(to_millis(due_by));
    sql
}

/// Postgres's `deadlock_detected`; SQLite never reports it.
fn is_deadlock(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code == "40P01")
}
