//! The background workers, run together and stopped together: transitions (the life cycles'
//! due states) and records (the flow logs' capture windows, and records past their time to
//! live).

mod records;
mod transitions;

use std::future::Future;

use tokio::sync::watch;

pub use records::RecordWorker;
pub use transitions::TransitionWorker;

use crate::domain::Repository;

#[derive(Clone)]
pub struct Workers<R> {
    pub transitions: TransitionWorker<R>,
    pub records: RecordWorker<R>,
}

impl<R: Repository> Workers<R> {
    /// Runs both workers until `shutdown` completes; returns when both have stopped.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let (stop, stopped) = watch::channel(false);
        let until_stopped = |mut receiver: watch::Receiver<bool>| async move {
            // An error means the sender is gone, which also means stop.
            let _ = receiver.wait_for(|stop| *stop).await;
        };
        let both = async {
            tokio::join!(
                self.transitions.run(until_stopped(stopped.clone())),
                self.records.run(until_stopped(stopped)),
            )
        };
        tokio::pin!(both);
        tokio::select! {
            () = shutdown => {
                let _ = stop.send(true);
                both.await;
            }
            _ = &mut both => {}
        }
    }
}
