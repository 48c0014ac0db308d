//! The life cycle and the transition worker, driven by `tick` (and once by its own loop, with a
//! deadline instead of a sleep).

use std::time::Duration;

use chrono::Utc;
use flowplane::domain::{Applied, DomainError, FlowLog, FlowLogId, Operation, Status, TenantScope};
use flowplane::state::FlowLogs;
use tokio::sync::oneshot;

use crate::support::*;

async fn status_of(app: &TestApp, id: &FlowLogId) -> Option<Status> {
    app.store()
        .get(&alibaba_scope(), id)
        .await
        .unwrap()
        .map(|f| f.status)
}

/// Applies `operation`, which must update the flow log (not delete it); returns the update.
async fn updated(
    service: &FlowLogs,
    scope: &TenantScope,
    id: &FlowLogId,
    operation: Operation,
) -> FlowLog {
    match service.apply(scope, id, operation).await.unwrap() {
        Applied::Updated(flow_log) => *flow_log,
        other => panic!("{operation:?}: updated, not {other:?}"),
    }
}

#[tokio::test]
async fn create_activates_when_due() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    let created = app
        .flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap();
    assert_eq!(created.status, Status::Activating);
    let due = created
        .due_at
        .expect("a transitional status has a due time");
    assert_eq!(due, created.created_at + chrono::Duration::hours(1));

    let worker = app.app.worker();
    assert_eq!(worker.tick(Utc::now()).await.unwrap(), 0, "not due yet");
    assert_eq!(status_of(&app, &created.id).await, Some(Status::Activating));
    assert_eq!(worker.tick(due).await.unwrap(), 1);
    assert_eq!(status_of(&app, &created.id).await, Some(Status::Active));
    assert_eq!(
        worker.tick(due + chrono::Duration::hours(1)).await.unwrap(),
        0,
        "completing is idempotent"
    );
}

#[tokio::test]
async fn deactivate_activate_and_delete_pass_through_their_transitional_states() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    let (service, worker, scope) = (app.flow_logs(), app.app.worker(), alibaba_scope());
    let later = || Utc::now() + chrono::Duration::hours(2);
    let id = service
        .create(&scope, alibaba_spec("vpc-1"))
        .await
        .unwrap()
        .id;
    worker.tick(later()).await.unwrap();

    let flow_log = updated(service, &scope, &id, Operation::Deactivate).await;
    assert_eq!(flow_log.status, Status::Deactivating);
    assert_eq!(worker.tick(later()).await.unwrap(), 1);
    assert_eq!(status_of(&app, &id).await, Some(Status::Inactive));

    let flow_log = updated(service, &scope, &id, Operation::Activate).await;
    assert_eq!(flow_log.status, Status::Activating);
    worker.tick(later()).await.unwrap();
    assert_eq!(status_of(&app, &id).await, Some(Status::Active));

    let flow_log = updated(service, &scope, &id, Operation::Delete).await;
    assert_eq!(flow_log.status, Status::Deleting);
    assert_eq!(worker.tick(Utc::now()).await.unwrap(), 0);
    assert_eq!(
        status_of(&app, &id).await,
        Some(Status::Deleting),
        "still there until due"
    );
    assert_eq!(worker.tick(later()).await.unwrap(), 1);
    assert_eq!(status_of(&app, &id).await, None, "gone");
}

#[tokio::test]
async fn operations_from_the_wrong_state_are_refused_and_change_nothing() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    let (service, scope) = (app.flow_logs(), alibaba_scope());
    let id = service
        .create(&scope, alibaba_spec("vpc-1"))
        .await
        .unwrap()
        .id;
    // In a transitional state, every operation is refused.
    for op in [
        Operation::Activate,
        Operation::Deactivate,
        Operation::Delete,
    ] {
        let err = service.apply(&scope, &id, op).await.unwrap_err();
        assert!(
            matches!(
                err,
                DomainError::IncorrectState {
                    status: Status::Activating,
                    ..
                }
            ),
            "{op:?}: {err}"
        );
    }
    app.app
        .worker()
        .tick(Utc::now() + chrono::Duration::hours(2))
        .await
        .unwrap();
    let err = service
        .apply(&scope, &id, Operation::Activate)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DomainError::IncorrectState {
                status: Status::Active,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(status_of(&app, &id).await, Some(Status::Active));

    let missing = FlowLogId::generate(flowplane::domain::Provider::Alibaba);
    assert!(matches!(
        service.apply(&scope, &missing, Operation::Delete).await,
        Err(DomainError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_zero_delay_settles_at_once() {
    let app = TestApp::with_flags(&["--transition-delay", "0s"]).await;
    let (service, scope) = (app.flow_logs(), alibaba_scope());
    let created = service.create(&scope, alibaba_spec("vpc-1")).await.unwrap();
    assert_eq!((created.status, created.due_at), (Status::Active, None));
    let flow_log = updated(service, &scope, &created.id, Operation::Deactivate).await;
    assert_eq!(flow_log.status, Status::Inactive);
    assert_eq!(
        service
            .apply(&scope, &created.id, Operation::Delete)
            .await
            .unwrap(),
        Applied::Deleted
    );
    assert_eq!(status_of(&app, &created.id).await, None);
}

#[tokio::test]
async fn tenants_cannot_drive_each_others_life_cycle() {
    let app = TestApp::with_flags(&["--transition-delay", "0s"]).await;
    let service = app.flow_logs();
    let id = service
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap()
        .id;
    let other_account =
        flowplane::domain::TenantScope::alibaba_account("9999999999999999", "cn-hangzhou");
    let other_region =
        flowplane::domain::TenantScope::alibaba_account("1234567890123456", "cn-beijing");
    for scope in [other_account, other_region] {
        assert!(matches!(
            service.apply(&scope, &id, Operation::Deactivate).await,
            Err(DomainError::NotFound(_))
        ));
    }
    assert_eq!(status_of(&app, &id).await, Some(Status::Active));
}

#[tokio::test]
async fn the_worker_loop_wakes_for_new_work_and_stops_on_shutdown() {
    let app = TestApp::with_flags(&["--transition-delay", "20ms"]).await;
    let (stop, stopped) = oneshot::channel::<()>();
    let worker = tokio::spawn(app.app.worker().clone().run(async {
        let _ = stopped.await;
    }));
    // The worker is idle (nothing due) when this work arrives; it must wake for it.
    let id = app
        .flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap()
        .id;
    eventually("the worker to activate the flow log", || async {
        status_of(&app, &id).await == Some(Status::Active)
    })
    .await;

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), worker)
        .await
        .expect("the worker stops")
        .unwrap();
}

#[tokio::test]
async fn an_overdue_transition_completes_at_once_after_a_restart() {
    let db = TestDb::new().await;
    let first = TestApp::on(&db, &["--transition-delay", "1ms"]).await;
    let id = first
        .flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap()
        .id;
    first.stop().await;

    let second = TestApp::on(&db, &["--transition-delay", "1h"]).await;
    let pending = second
        .store()
        .get(&alibaba_scope(), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        pending.status,
        Status::Activating,
        "the transition survived the restart"
    );
    assert!(pending.due_at.unwrap() <= Utc::now(), "and is overdue");

    let (stop, stopped) = oneshot::channel::<()>();
    let worker = tokio::spawn(second.app.worker().clone().run(async {
        let _ = stopped.await;
    }));
    eventually("the overdue transition to complete", || async {
        status_of(&second, &id).await == Some(Status::Active)
    })
    .await;
    stop.send(()).unwrap();
    worker.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_ticks_complete_each_transition_exactly_once() {
    let db = TestDb::new().await;
    let app = TestApp::on(
        &db,
        &["--transition-delay", "1h", "--alibaba-flow-log-quota", "0"],
    )
    .await;
    for i in 0..20 {
        app.flow_logs()
            .create(&alibaba_scope(), alibaba_spec(&format!("vpc-{i}")))
            .await
            .unwrap();
    }
    let later = Utc::now() + chrono::Duration::hours(2);
    let ticks: Vec<_> = (0..4)
        .map(|_| {
            let worker = app.app.worker().clone();
            tokio::spawn(async move { worker.tick(later).await.unwrap() })
        })
        .collect();
    let mut completed = 0;
    for tick in ticks {
        completed += tick.await.unwrap();
    }
    assert_eq!(completed, 20, "every transition completed once, none twice");
}
