//! The Postgres backend: a connection pool shared by every request, migrations at start, NUL
//! escaped in text, and LISTEN/NOTIFY so that every process sharing the database wakes when any
//! of them schedules a transition.

use std::convert::Infallible;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Postgres};
use tokio::sync::Notify;

use super::exec::impl_exec;
use super::sql::{Dialect, Sql};
use super::{PoolSettings, Pools, StoreError, Write};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The channel a trigger on `flow_logs` notifies whenever a row gets a due time
/// (`migrations/postgres`).
pub const WORK_CHANNEL: &str = "flowplane_transitions";

/// How long the watcher waits before listening again after the database failed it.
const LISTEN_BACKOFF: Duration = Duration::from_secs(1);

/// Postgres text cannot hold NUL, which SQLite stores and a caller may send (in a description,
/// say). Text is stored with NUL as `ESCAPE '0'` and `ESCAPE` itself doubled: an injective
/// encoding, so equality, uniqueness and filters mean the same as on SQLite. `ESCAPE` is a
/// noncharacter, so text that needs no escaping (nearly all) is stored as it is.
const ESCAPE: char = '\u{FFFF}';

impl Dialect for Postgres {
    const NAME: &'static str = "postgres";
    const LOCK_FOR_UPDATE: &'static str = " ORDER BY id FOR UPDATE";
    const HOLD_ROW: &'static str = " FOR SHARE";
    const POSITION: &'static str = "strpos";
    const CONSISTENT_READS: Option<&'static str> =
        Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");

    fn tags_json(resources: &str, tags: &str, owner: &str) -> String {
        format!(
            "COALESCE((SELECT json_agg(json_build_array(t.key, t.value) ORDER BY t.key) FROM {tags} t \
             WHERE t.provider = {resources}.provider AND t.{owner} = {resources}.id)::text, '[]') AS tags"
        )
    }

    fn store_text(value: &str) -> String {
        if !value.contains(['\0', ESCAPE]) {
            return value.to_owned();
        }
        let mut stored = String::with_capacity(value.len() + 8);
        for c in value.chars() {
            match c {
                '\0' => stored.extend([ESCAPE, '0']),
                ESCAPE => stored.extend([ESCAPE, ESCAPE]),
                c => stored.push(c),
            }
        }
        stored
    }

    fn load_text(stored: String) -> String {
        if !stored.contains(ESCAPE) {
            return stored;
        }
        let mut value = String::with_capacity(stored.len());
        let mut chars = stored.chars();
        while let Some(c) = chars.next() {
            if c != ESCAPE {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some('0') => value.push('\0'),
                Some(other) => value.push(other),
                None => value.push(ESCAPE),
            }
        }
        value
    }

    /// Under READ COMMITTED two concurrent inserts would both count the tenant's flow logs
    /// before either is committed; a transaction-scoped advisory lock on the tenant makes them
    /// take turns, in this process and every other one.
    fn quota_lock(key: &str) -> Option<Sql<Self>> {
        let mut sql = Sql::new("SELECT pg_advisory_xact_lock(hashtextextended(");
        sql.text(key).push(", 0))");
        Some(sql)
    }
}

impl_exec!(PgConnection, Postgres);

#[derive(Clone)]
pub struct PostgresBackend {
    /// One pool, for reads and writes.
    pools: Pools<Postgres>,
    /// The listener's one connection, apart so that it never takes a request's place.
    listener_pool: PgPool,
}

impl PostgresBackend {
    /// Connects once at once, so that an unreachable database fails the start with the reason
    /// (refused, unknown host, bad password…) instead of a pool timeout; afterwards the pool
    /// opens connections as needed and replaces broken ones, so the store recovers by itself
    /// when the database comes back.
    pub async fn connect(url: &str, settings: PoolSettings) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("flowplane");
        let first = tokio::time::timeout(settings.acquire_timeout, options.connect())
            .await
            .map_err(|_| {
                sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "no answer within {}",
                        humantime::format_duration(settings.acquire_timeout)
                    ),
                ))
            })??;
        first.close().await?;
        let pool_options = || {
            PgPoolOptions::new()
                .acquire_timeout(settings.acquire_timeout)
                .test_before_acquire(true)
        };
        let pool = pool_options()
            .max_connections(settings.max_connections)
            .connect_lazy_with(options.clone());
        Ok(Self {
            pools: Pools::one(pool),
            listener_pool: pool_options().max_connections(1).connect_lazy_with(options),
        })
    }

    pub fn pools(&self) -> &Pools<Postgres> {
        &self.pools
    }

    /// Postgres takes concurrent writers, and its WAL writer already flushes the commits of
    /// concurrent transactions together: each write runs on its own pooled connection.
    pub(super) async fn write(&self) -> Result<Write<Postgres>, sqlx::Error> {
        self.pools.direct().await
    }

    pub(super) async fn transaction(&self) -> Result<Write<Postgres>, sqlx::Error> {
        self.pools.atomic().await
    }

    pub async fn close(&self) {
        self.listener_pool.close().await;
        self.pools.close().await;
    }

    /// Wakes `wake` whenever any process schedules a transition in this database, until the
    /// store is closed. After a lost connection it listens again and wakes once, so that work
    /// scheduled meanwhile is found by the worker's next read.
    pub async fn watch_for_work(&self, wake: Arc<Notify>) {
        loop {
            match self.listen(&wake).await {
                Err(sqlx::Error::PoolClosed) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for scheduled transitions; retrying");
                    tokio::time::sleep(LISTEN_BACKOFF).await;
                }
            }
        }
    }

    async fn listen(&self, wake: &Notify) -> Result<Infallible, sqlx::Error> {
        let mut listener = PgListener::connect_with(&self.listener_pool).await?;
        listener.listen(WORK_CHANNEL).await?;
        wake.notify_one();
        loop {
            // `None`: the connection was lost and has been re-established; notifications sent
            // in between are lost, so wake all the same.
            let _notification = listener.try_recv().await?;
            wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(value: &str) -> String {
        <Postgres as Dialect>::store_text(value)
    }

    fn load(stored: String) -> String {
        <Postgres as Dialect>::load_text(stored)
    }

    #[test]
    fn stored_text_round_trips_and_is_free_of_nul() {
        for value in [
            "",
            "plain",
            "\0",
            "a\0b\0",
            "\u{FFFF}",
            "\u{FFFF}0",
            "\u{FFFF}\0\u{FFFF}\u{FFFF}0",
            "名字 \u{1F600}",
        ] {
            let stored = store(value);
            assert!(!stored.contains('\0'), "{value:?} -> {stored:?}");
            assert_eq!(load(stored), value);
        }
        assert_eq!(store("plain"), "plain", "most text is stored as it is");
    }

    #[test]
    fn distinct_text_stays_distinct() {
        let values = ["\0", "\u{FFFF}0", "\u{FFFF}", "0", "\u{FFFF}\u{FFFF}"];
        for (i, a) in values.iter().enumerate() {
            for b in &values[i + 1..] {
                assert_ne!(store(a), store(b), "{a:?} vs {b:?}");
            }
        }
    }
}
