//! Signature nonces: their statements and [`NonceRepository`].

use chrono::{DateTime, Utc};

use super::exec::Exec;
use super::row::to_millis;
use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::auth::nonces::NonceRepository;
use crate::domain::{ResetCounts, StorageError};

impl NonceRepository for Store {
    /// Two processes recording one nonce at once: the second insert waits for the first's
    /// transaction and then finds the key taken, so the nonce is accepted once.
    async fn use_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let inserted = with_db!(self, transaction, |db| {
            db.execute(prune(now)).await?;
            db.execute(insert(access_key_id, nonce, expires_at)).await?
        });
        Ok(inserted == 1)
    }
}

/// Forgets every nonce (a whole reset only: they carry no provider or tenant).
pub(super) async fn reset<E: Exec>(
    db: &mut E,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    let deleted = db.execute(Sql::new("DELETE FROM signature_nonces")).await?;
    counts.add("signature_nonces", deleted);
    Ok(())
}

fn prune<DB: Dialect>(now: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM signature_nonces WHERE expires_at < ");
    sql.int(to_millis(now));
    sql
}

/// Records the nonce unless it is there already (then it affects no row).
fn insert<DB: Dialect>(access_key_id: &str, nonce: &str, expires_at: DateTime<Utc>) -> Sql<DB> {
    let mut sql =
        Sql::new("INSERT INTO signature_nonces (access_key_id, nonce, expires_at) VALUES (");
    sql.text(access_key_id)
        .push(", ")
        .text(nonce)
        .push(", ")
        .int(to_millis(expires_at))
        .push(") ON CONFLICT DO NOTHING");
    sql
}
