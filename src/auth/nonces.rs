//! Signature nonces: a signed request that carries one (Alibaba's) is accepted once. Nonces are
//! kept in the database, so a replay is refused after a restart and by every process sharing it.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::REPLAY_WINDOW;
use crate::domain::StorageError;

/// Where nonces are kept.
pub trait NonceRepository: Send + Sync {
    /// Records a nonce of `access_key_id` that is valid until `expires_at`; `false` when it was
    /// already used (a replay). Nonces expired by `now` are pruned first, in the same
    /// transaction; the primary key makes the check hold across processes.
    fn use_nonce(
        &self,
        access_key_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;
}

/// Claims nonces for verified requests.
#[derive(Clone)]
pub struct Nonces<R> {
    store: R,
}

impl<R: NonceRepository> Nonces<R> {
    pub fn new(store: R) -> Self {
        Self { store }
    }

    /// Claims a request signature's nonce for `access_key_id`: `false` when it was used already
    /// (a replay). It is kept while a request signed at `signed_at` could still be accepted,
    /// [`REPLAY_WINDOW`] after it.
    pub async fn claim(
        &self,
        access_key_id: &str,
        nonce: &str,
        signed_at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.store
            .use_nonce(access_key_id, nonce, signed_at + REPLAY_WINDOW, Utc::now())
            .await
    }
}
