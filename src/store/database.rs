//! The database as a whole: [`DatabaseRepository`].

use sqlx::{Postgres, Sqlite};

use super::row::Text;
use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::domain::repository::{DatabaseRepository, PoolUse, ResourceCount};
use crate::domain::stats::Distribution;
use crate::domain::StorageError;

impl DatabaseRepository for Store {
    async fn ping(&self) -> Result<(), StorageError> {
        with_db!(self, read, |db| {
            db.execute(Sql::new("SELECT 1")).await?;
        });
        Ok(())
    }

    fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => Sqlite::NAME,
            Store::Postgres(_) => Postgres::NAME,
        }
    }

    async fn count_resources(&self) -> Result<Vec<ResourceCount>, StorageError> {
        let rows: Vec<(Text, Text, Text, Text, i64)> = with_db!(self, read, |db| {
            db.fetch_all(Sql::new(RESOURCE_COUNTS)).await?
        });
        Ok(rows
            .into_iter()
            .map(|(provider, tenant, kind, status, count)| ResourceCount {
                provider: provider.0,
                tenant: tenant.0,
                kind: kind.0,
                status: status.0,
                count: u64::try_from(count).unwrap_or(0),
            })
            .collect())
    }

    fn pool_use(&self) -> Vec<PoolUse> {
        match self {
            Store::Sqlite(backend) => backend.pools().pool_use(),
            Store::Postgres(backend) => backend.pools().pool_use(),
        }
    }

    fn write_batches(&self) -> Option<Distribution> {
        match self {
            Store::Sqlite(backend) => backend.write_batches(),
            Store::Postgres(_) => None,
        }
    }
}

/// Every stored resource counted per provider, tenant, kind and status: one grouped read per
/// table.
const RESOURCE_COUNTS: &str = "\
    SELECT provider, tenant_id, CAST('flow_log' AS TEXT), status, COUNT(*) FROM flow_logs \
        GROUP BY provider, tenant_id, status \
    UNION ALL SELECT provider, tenant_id, kind, status, COUNT(*) FROM network_resources \
        GROUP BY provider, tenant_id, kind, status \
    UNION ALL SELECT provider, tenant_id, CAST('log_group' AS TEXT), CAST('stored' AS TEXT), \
        COUNT(*) FROM log_groups GROUP BY provider, tenant_id \
    UNION ALL SELECT provider, tenant_id, CAST('log_stream' AS TEXT), CAST('stored' AS TEXT), \
        COUNT(*) FROM log_streams GROUP BY provider, tenant_id \
    UNION ALL SELECT provider, tenant_id, CAST('record' AS TEXT), CAST('stored' AS TEXT), \
        COUNT(*) FROM flow_log_records GROUP BY provider, tenant_id";
