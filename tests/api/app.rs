//! The app assembly: the transition worker is supervised while the server serves.

use std::future::pending;

use flowplane::app::{supervise, ServeError};

#[tokio::test]
async fn a_worker_that_panics_while_serving_ends_serving_with_an_error() {
    let served = supervise(pending(), |_stop| async { panic!("a worker bug") }).await;
    match served {
        Err(ServeError::WorkerStopped(reason)) => {
            assert_eq!(reason, "it panicked: a worker bug")
        }
        other => panic!("expected the worker's stop to be reported, got {other:?}"),
    }
}

#[tokio::test]
async fn a_worker_that_returns_while_serving_ends_serving_with_an_error() {
    let served = supervise(pending(), |_stop| async {}).await;
    assert!(
        matches!(&served, Err(ServeError::WorkerStopped(reason)) if reason == "it returned"),
        "{served:?}"
    );
}

#[tokio::test]
async fn when_the_server_stops_the_worker_is_told_to_stop_and_awaited() {
    let (stopped, saw_stop) = tokio::sync::oneshot::channel();
    let served = supervise(async { Ok(()) }, |stop| async move {
        stop.await;
        let _ = stopped.send(());
    })
    .await;
    assert!(served.is_ok(), "{served:?}");
    saw_stop
        .await
        .expect("the worker finished its stop before serving returned");
}

#[tokio::test]
async fn a_server_error_is_returned_after_the_worker_stops() {
    let served = supervise(
        async { Err(std::io::Error::other("the listener failed")) },
        |stop| stop,
    )
    .await;
    assert!(matches!(served, Err(ServeError::Io(_))), "{served:?}");
}
