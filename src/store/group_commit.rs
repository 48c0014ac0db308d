//! Group commit on SQLite: concurrent writes share one transaction and one commit.
//!
//! SQLite takes one writer at a time, and every commit appends to the WAL, so a write's own
//! commit is most of its cost. Writes queue (first come, first served) for the one writer
//! connection; each runs inside a savepoint of the transaction open on it, so a write that fails
//! (a key taken, a quota reached) or is abandoned midway rolls back only itself and its caller
//! hears at once. A write that succeeded is acknowledged only when the transaction holding it has
//! committed: a write that finishes with others waiting hands the commit to a committer task,
//! which takes its turn after every write that queued before it — a burst of N writes costs one
//! commit — and a write that finishes alone commits at once itself.
//! Statements and conditions are the same as unbatched: only the commit is shared.
//!
//! Savepoints and the transaction are sqlx's own ([`SqliteTransactionManager`]): its connection
//! worker counts the depth itself and rolls back a `BEGIN` whose caller went away, so a request
//! cancelled at any point leaves a depth the next holder can read and repair.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteTransactionManager;
use sqlx::{Connection, Pool, Sqlite, SqliteConnection, TransactionManager};
use tokio::sync::{watch, Mutex, Notify, OwnedMutexGuard};

use crate::domain::stats::{Buckets, Distribution};

/// The outer transaction takes the write lock at once: a deferred one that reads first could
/// find another process's commit in between and fail instead of waiting (busy timeout).
const BEGIN: &str = "BEGIN IMMEDIATE";

/// The writes of one process on one SQLite file.
#[derive(Clone)]
pub struct GroupWriter {
    shared: Arc<Shared>,
}

struct Shared {
    writer: Arc<Mutex<Writer>>,
    /// Wakes the committer: a write finished, or one was abandoned.
    commit_wanted: Arc<Notify>,
    /// Writes waiting for the writer connection.
    queued: AtomicUsize,
    /// How many writes each commit held.
    batches: Buckets,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The committer holds only a weak reference: woken now, it finds the writer gone and ends.
        self.commit_wanted.notify_one();
    }
}

struct Writer {
    pool: Pool<Sqlite>,
    open: Option<Batch>,
    /// A write left the connection without finishing: its savepoint may still be open.
    abandoned: bool,
}

/// The transaction open on the writer connection and the writes it holds.
struct Batch {
    connection: PoolConnection<Sqlite>,
    writes: u64,
    /// Set to the commit's outcome once it is known.
    outcome: watch::Sender<Option<Result<(), String>>>,
}

impl GroupWriter {
    /// Writes through `pool`'s connection (a pool of one); the committer runs on the current
    /// Tokio runtime until the writer is dropped.
    pub fn new(pool: Pool<Sqlite>) -> Self {
        let commit_wanted = Arc::new(Notify::new());
        let shared = Arc::new(Shared {
            writer: Arc::new(Mutex::new(Writer {
                pool,
                open: None,
                abandoned: false,
            })),
            commit_wanted: commit_wanted.clone(),
            queued: AtomicUsize::new(0),
            batches: Buckets::new(BATCH_BOUNDS),
        });
        tokio::spawn(commit_when_wanted(Arc::downgrade(&shared), commit_wanted));
        Self { shared }
    }

    /// Waits for the writer connection, then opens a savepoint for one write on it (in the
    /// open transaction, or a new one).
    pub async fn write(&self) -> Result<GroupWrite, sqlx::Error> {
        let queued = Queued::join(&self.shared.queued);
        let mut writer = self.shared.writer.clone().lock_owned().await;
        drop(queued);
        writer.repair().await?;
        if writer.open.is_none() {
            let mut connection = writer.pool.acquire().await?;
            SqliteTransactionManager::begin(&mut connection, Some(BEGIN.into())).await?;
            writer.open = Some(Batch {
                connection,
                writes: 0,
                outcome: watch::channel(None).0,
            });
        }
        // From here until the write finishes, a drop leaves a savepoint to roll back.
        writer.abandoned = true;
        let mut write = GroupWrite {
            writer: Some(writer),
            shared: self.shared.clone(),
        };
        SqliteTransactionManager::begin(write.connection(), None).await?;
        Ok(write)
    }

    /// How many writes each commit held, so far.
    pub fn batches(&self) -> Distribution {
        self.shared.batches.distribution()
    }
}

/// One write in progress: a savepoint on the writer connection, which it holds until
/// [`GroupWrite::finish`]. Dropped unfinished (an error, a cancelled request), its savepoint is
/// rolled back before anyone else writes.
pub struct GroupWrite {
    writer: Option<OwnedMutexGuard<Writer>>,
    shared: Arc<Shared>,
}

impl GroupWrite {
    pub fn connection(&mut self) -> &mut SqliteConnection {
        let batch = self.writer.as_mut().and_then(|writer| writer.open.as_mut());
        &mut batch.expect("a write holds an open batch").connection
    }

    /// Keeps the write's changes, lets the next write in, and waits until the transaction
    /// holding them has committed. With no write waiting, it commits at once itself (a lone
    /// write costs no hand-over to the committer).
    pub async fn finish(mut self) -> Result<(), sqlx::Error> {
        SqliteTransactionManager::commit(self.connection()).await?;
        let writer = self.writer.as_mut().expect("a write holds the writer");
        let batch = writer.open.as_mut().expect("a write holds an open batch");
        batch.writes += 1;
        let mut outcome = batch.outcome.subscribe();
        let alone = self.shared.queued.load(Ordering::Acquire) == 0;
        if alone {
            // Cancelled meanwhile, `abandoned` (still set) has the next holder read the depth.
            writer.commit_open(&self.shared.batches).await;
        }
        let mut writer = self.writer.take().expect("a write holds the writer");
        writer.abandoned = false;
        drop(writer);
        if !alone {
            self.shared.commit_wanted.notify_one();
        }
        let committed = outcome.wait_for(Option::is_some).await;
        match committed.as_deref() {
            Ok(Some(Ok(()))) => Ok(()),
            Ok(Some(Err(message))) => Err(commit_failed(message)),
            // The committer went away with the batch (the runtime is shutting down).
            Ok(None) | Err(_) => Err(commit_failed("the writer stopped")),
        }
    }
}

impl Drop for GroupWrite {
    fn drop(&mut self) {
        if self.writer.is_some() {
            // `abandoned` is still set: whoever takes the writer next repairs it first. The
            // committer is woken in case nobody else comes.
            self.shared.commit_wanted.notify_one();
        }
    }
}

impl Writer {
    /// Repairs what an abandoned write left: rolls back its savepoint (if it got that far), and
    /// forgets a transaction that is no longer open (a `BEGIN` that never took, a commit that
    /// did).
    async fn repair(&mut self) -> Result<(), sqlx::Error> {
        if !std::mem::take(&mut self.abandoned) {
            return Ok(());
        }
        let Some(batch) = self.open.as_mut() else {
            return Ok(());
        };
        // The abandoned write's statements may still be queued on the connection's worker: a
        // ping runs after them, and then the worker's depth is the truth.
        if let Err(err) = batch.connection.ping().await {
            self.abandoned = true;
            return Err(err);
        }
        let connection = &mut batch.connection;
        while SqliteTransactionManager::get_transaction_depth(connection) > 1 {
            if let Err(err) = SqliteTransactionManager::rollback(connection).await {
                self.abandoned = true;
                return Err(err);
            }
        }
        if SqliteTransactionManager::get_transaction_depth(connection) == 0 {
            // No transaction is open: nothing is left to commit, and whoever waited for this
            // batch was the abandoned write itself (a write commits alone only when nobody
            // else is in the batch).
            self.open = None;
        }
        Ok(())
    }

    /// Repairs what an abandoned write left, then commits the open transaction, if any.
    async fn commit(&mut self, batches: &Buckets) {
        if let Err(err) = self.repair().await {
            tracing::error!(error = %err, "cannot roll back an abandoned write");
        }
        self.commit_open(batches).await;
    }

    /// Commits the open transaction, if any, and tells its writes. The batch is let go only
    /// once its commit has answered, so that a commit cut short leaves a depth to read.
    async fn commit_open(&mut self, batches: &Buckets) {
        let Some(batch) = self.open.as_mut() else {
            return;
        };
        let outcome = SqliteTransactionManager::commit(&mut batch.connection).await;
        let mut batch = self.open.take().expect("the batch was open");
        if let Err(err) = &outcome {
            tracing::error!(error = %err, writes = batch.writes, "a shared commit failed");
            if SqliteTransactionManager::rollback(&mut batch.connection)
                .await
                .is_err()
            {
                // A connection whose state is unknown does not go back to the pool.
                batch.connection.close_on_drop();
            }
        }
        if batch.writes > 0 {
            batches.observe(batch.writes as f64);
        }
        batch
            .outcome
            .send_replace(Some(outcome.map_err(|err| err.to_string())));
    }
}

/// The committer: each time a write finishes or is abandoned, takes its turn on the writer —
/// after every write that queued before it — and commits what the transaction holds.
async fn commit_when_wanted(shared: Weak<Shared>, commit_wanted: Arc<Notify>) {
    loop {
        commit_wanted.notified().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let mut writer = shared.writer.clone().lock_owned().await;
        writer.commit(&shared.batches).await;
    }
}

/// Counts a write waiting for the writer connection while it lives.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn join(queued: &'a AtomicUsize) -> Self {
        queued.fetch_add(1, Ordering::AcqRel);
        Self(queued)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn commit_failed(message: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("the shared commit failed: {message}"))
}

/// Upper bounds of the batch-size histogram's buckets (writes per commit).
const BATCH_BOUNDS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
    use sqlx::Executor;

    use super::*;

    async fn pools(dir: &tempfile::TempDir) -> (Pool<Sqlite>, Pool<Sqlite>) {
        let options = SqliteConnectOptions::from_str(&format!(
            "sqlite://{}",
            dir.path().join("group.db").display()
        ))
        .unwrap()
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .unwrap();
        writer
            .execute("CREATE TABLE items (name TEXT PRIMARY KEY)")
            .await
            .unwrap();
        let reader = SqlitePoolOptions::new()
            .connect_with(options)
            .await
            .unwrap();
        (writer, reader)
    }

    async fn insert(write: &mut GroupWrite, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO items (name) VALUES (?)")
            .bind(name)
            .execute(write.connection())
            .await
            .map(drop)
    }

    async fn stored(reader: &Pool<Sqlite>) -> Vec<String> {
        sqlx::query_scalar("SELECT name FROM items ORDER BY name")
            .fetch_all(reader)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn writes_queued_together_share_one_commit_and_a_refused_one_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (writer_pool, reader) = pools(&dir).await;
        let writer = GroupWriter::new(writer_pool);
        let mut first = writer.write().await.unwrap();
        insert(&mut first, "a").await.unwrap();
        // While the first write holds the connection, five more queue behind it; one of them
        // takes a name the first has written (not committed yet).
        let queued: Vec<_> = ["b", "c", "a", "d", "e"]
            .into_iter()
            .map(|name| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    let mut write = writer.write().await?;
                    insert(&mut write, name).await?;
                    write.finish().await
                })
            })
            .collect();
        tokio::task::yield_now().await;
        assert!(stored(&reader).await.is_empty(), "nothing is committed yet");
        first.finish().await.unwrap();
        let mut outcomes = Vec::new();
        for write in queued {
            outcomes.push(write.await.unwrap());
        }
        assert!(outcomes[2]
            .as_ref()
            .unwrap_err()
            .as_database_error()
            .is_some_and(|err| err.is_unique_violation()));
        assert!([0, 1, 3, 4].iter().all(|&i| outcomes[i].is_ok()));
        assert_eq!(stored(&reader).await, ["a", "b", "c", "d", "e"]);
        let batches = writer.batches();
        assert_eq!(batches.sum, 5.0, "five writes committed");
        assert_eq!(batches.count, 1, "in one commit: {batches:?}");
    }

    #[tokio::test]
    async fn an_abandoned_write_leaves_nothing_and_the_next_one_commits() {
        let dir = tempfile::tempdir().unwrap();
        let (writer_pool, reader) = pools(&dir).await;
        let writer = GroupWriter::new(writer_pool);
        let mut kept = writer.write().await.unwrap();
        insert(&mut kept, "kept").await.unwrap();
        kept.finish().await.unwrap();
        let mut abandoned = writer.write().await.unwrap();
        insert(&mut abandoned, "abandoned").await.unwrap();
        drop(abandoned);
        let mut next = writer.write().await.unwrap();
        insert(&mut next, "next").await.unwrap();
        next.finish().await.unwrap();
        assert_eq!(stored(&reader).await, ["kept", "next"]);
        // A write cancelled while it waits for the connection changes nothing either.
        let holder = writer.write().await.unwrap();
        let waiting = tokio::spawn({
            let writer = writer.clone();
            async move {
                let mut write = writer.write().await.unwrap();
                insert(&mut write, "cancelled").await.unwrap();
                write.finish().await.unwrap();
            }
        });
        tokio::task::yield_now().await;
        waiting.abort();
        drop(holder);
        let mut last = writer.write().await.unwrap();
        insert(&mut last, "last").await.unwrap();
        last.finish().await.unwrap();
        assert_eq!(stored(&reader).await, ["kept", "last", "next"]);
        assert_eq!(writer.batches().sum, 3.0);
    }
}
