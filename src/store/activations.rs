//! Alibaba's flow-log service activations: their statements and [`ActivationRepository`].

use chrono::{DateTime, Utc};

use super::exec::delete_counted;
use super::exec::Exec;
use super::row::to_millis;
use super::sql::{push_tenant, Dialect, Sql};
use super::{with_db, Store};
use crate::domain::repository::ActivationRepository;
use crate::domain::{ResetCounts, ResetScope, StorageError, TenantScope};

impl ActivationRepository for Store {
    async fn activate_service(
        &self,
        scope: &TenantScope,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        with_db!(self, write, |db| {
            db.execute(activate(scope, now)).await?;
        });
        Ok(())
    }

    async fn service_activated(&self, scope: &TenantScope) -> Result<bool, StorageError> {
        let (count,): (i64,) =
            with_db!(self, read, |db| { db.fetch_one(activations(scope)).await? });
        Ok(count > 0)
    }
}

/// Deletes the service activations the reset covers.
pub(super) async fn reset<E: Exec>(
    db: &mut E,
    scope: &ResetScope,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    delete_counted(
        db,
        "flow_log_service_activations",
        "service_activations",
        scope,
        counts,
    )
    .await
}

fn activate<DB: Dialect>(scope: &TenantScope, now: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new(
        "INSERT INTO flow_log_service_activations (provider, tenant_id, region_id, activated_at) VALUES (",
    );
    sql.text(scope.provider().as_str())
        .push(", ")
        .text(scope.tenant_id())
        .push(", ")
        .text(scope.region_id())
        .push(", ")
        .int(to_millis(now))
        .push(") ON CONFLICT DO NOTHING");
    sql
}

fn activations<DB: Dialect>(scope: &TenantScope) -> Sql<DB> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM flow_log_service_activations WHERE TRUE");
    push_tenant(&mut sql, "", scope);
    sql
}
