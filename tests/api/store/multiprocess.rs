//! Several `flowplane` processes on one database behave as one service: what one does the other
//! sees at once, the uniqueness rules hold across them, each transition completes exactly once
//! whichever process completes it, and (on Postgres) a process wakes for work another process
//! scheduled without waiting for a poll. Runs on the suite's backend, through both faces.

use axum::http::StatusCode;
use flowplane::domain::Status;
use serde_json::{json, Value};

use crate::support::*;

/// The statuses DescribeFlowLogs shows through `server`.
async fn describe(client: &reqwest::Client, server: &ServerProcess) -> Vec<String> {
    let (status, body) = server
        .alibaba(client, "DescribeFlowLogs", &[("PageSize", "50")])
        .await;
    assert_eq!(status, 200, "{body}");
    described(&body)
        .iter()
        .map(|f| f["Status"].as_str().unwrap().to_owned())
        .collect()
}

/// Ticks `tick?all=true` on every server at once, several times over; returns the sum of what
/// the ticks completed.
async fn tick_everywhere(client: &reqwest::Client, servers: &[&ServerProcess]) -> u64 {
    let ticks: Vec<_> = (0..3)
        .flat_map(|_| servers.iter())
        .map(|server| {
            let request = client
                .post(server.url("/_flowplane/transitions/tick?all=true"))
                .send();
            tokio::spawn(async move {
                let response = request.await.unwrap();
                assert_eq!(response.status(), 200);
                response.json::<Value>().await.unwrap()["completed"]
                    .as_u64()
                    .unwrap()
            })
        })
        .collect();
    let mut completed = 0;
    for tick in ticks {
        completed += tick.await.unwrap();
    }
    completed
}

/// The statuses of the flow logs of [`alibaba_scope`]'s tenant.
async fn statuses(app: &TestApp) -> Vec<String> {
    let tenant = alibaba_scope().tenant_id().to_owned();
    app.get(&view_path("alibaba", &tenant)).await.body["flow_logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_act_as_one_service() {
    let db = TestDb::new().await;
    let flags = ["--transition-delay", "1h", "--alibaba-flow-log-quota", "0"];
    let a = ServerProcess::start_with(db.url(), &flags).await;
    let b = ServerProcess::start_with(db.url(), &flags).await;
    let client = reqwest::Client::new();

    // Created through one, read and changed through the other.
    let id = a.create_huawei_id(&client, "port-1").await;
    let (_, shown, _) = get_json(&client, &b.url(&flow_log_path(PROJECT, &id))).await;
    // Enabled, but its LTS stream does not exist: Huawei reports that as ERROR.
    assert_eq!(shown["flow_log"]["status"], "ERROR", "{shown}");
    let updated = client
        .put(b.url(&flow_log_path(PROJECT, &id)))
        .json(&json!({"flow_log": {"name": "renamed", "admin_state": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let (_, listed, _) = get_json(&client, &a.url(&flow_logs_path(PROJECT))).await;
    assert_eq!(
        (
            listed["flow_logs"][0]["name"].as_str(),
            listed["flow_logs"][0]["status"].as_str()
        ),
        (Some("renamed"), Some("DOWN")),
        "{listed}"
    );

    // The same flow log created through both at once exists once.
    let creates: Vec<_> = (0..20)
        .map(|i| {
            let server = if i % 2 == 0 { &a } else { &b };
            let request = client
                .post(server.url(&flow_logs_path(PROJECT)))
                .json(&create_body("port-2"))
                .send();
            tokio::spawn(async move { request.await.unwrap().status().as_u16() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for create in creates {
        outcomes.push(create.await.unwrap());
    }
    outcomes.sort_unstable();
    assert_eq!(outcomes[0], 200, "{outcomes:?}");
    assert!(outcomes[1..].iter().all(|s| *s == 409), "{outcomes:?}");

    // Deleted through one, gone for the other.
    let deleted = client
        .delete(b.url(&flow_log_path(PROJECT, &id)))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = client
        .get(a.url(&flow_log_path(PROJECT, &id)))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    // Alibaba: created through one, changed through the other, and one flow log per resource
    // however many processes are asked at once.
    let dup_creates: Vec<_> = (0..10)
        .map(|i| {
            let server = if i % 2 == 0 { &a } else { &b };
            tokio::spawn(server.create_alibaba(&client, "vpc-dup"))
        })
        .collect();
    let mut created = 0;
    for create in dup_creates {
        let (status, body) = create.await.unwrap();
        match status {
            200 => created += 1,
            _ => assert_eq!(body["Code"], "InvalidResourceId.NotFound", "{body}"),
        }
    }
    assert_eq!(created, 1);

    // Each transition completes exactly once, whichever process ticks: were one completed
    // twice, the ticks' counts would add up to more than there are transitions. (The
    // processes' own workers wait the hour of --transition-delay.)
    const N: u64 = 12;
    let mut ids = Vec::new();
    for i in 0..N {
        let server = if i % 2 == 0 { &a } else { &b };
        let (status, body) = server.create_alibaba(&client, &format!("vpc-{i}")).await;
        assert_eq!(status, 200, "{body}");
        ids.push(body["FlowLogId"].as_str().unwrap().to_owned());
    }
    // Seen through the other process; vpc-dup is activating too.
    let activating = describe(&client, &b).await;
    assert_eq!(
        activating.iter().filter(|s| *s == "Activating").count() as u64,
        N + 1
    );
    assert_eq!(tick_everywhere(&client, &[&a, &b]).await, N + 1);
    for (action, settled) in [("DeactiveFlowLog", "Inactive"), ("DeleteFlowLog", "")] {
        for (i, id) in ids.iter().enumerate() {
            let server = if i % 2 == 0 { &b } else { &a };
            let (status, body) = server.alibaba(&client, action, &[("FlowLogId", id)]).await;
            assert_eq!(status, 200, "{action}: {body}");
        }
        assert_eq!(tick_everywhere(&client, &[&a, &b]).await, N, "{action}");
        let statuses = describe(&client, &a).await;
        assert_eq!(
            statuses.iter().filter(|s| *s == settled).count() as u64,
            if settled.is_empty() { 0 } else { N },
            "{action}: {statuses:?}"
        );
    }
    assert_eq!(
        describe(&client, &a).await,
        vec!["Active"],
        "vpc-dup is left"
    );

    if !db.is_postgres() {
        skip(
            "waking other processes for new work",
            "SQLite has no notifications (another process's work is found at the next idle recheck)",
        );
        a.stop().await;
        b.stop().await;
        return;
    }

    // Work scheduled elsewhere wakes both processes' workers at once (LISTEN/NOTIFY): they
    // last looked at the database when the work above was scheduled and would otherwise sleep
    // their 30 s idle recheck, far past `eventually`'s deadline. Between them, they complete
    // each transition once: the completions they log add up to exactly the transitions.
    let scheduler = TestApp::on(
        &db,
        &[
            "--transition-delay",
            "50ms",
            "--alibaba-flow-log-quota",
            "0",
        ],
    )
    .await;
    let scope = alibaba_scope();
    const M: u64 = 8;
    for i in 0..M {
        scheduler
            .flow_logs()
            .create(&scope, alibaba_spec(&format!("vpc-soon-{i}")))
            .await
            .unwrap();
    }
    eventually(
        "the processes' workers to activate the new flow logs",
        || async {
            let statuses = statuses(&scheduler).await;
            statuses.len() as u64 == M && statuses.iter().all(|s| s == Status::Active.as_str())
        },
    )
    .await;
    let mut events = a.stop().await;
    events.extend(b.stop().await);
    assert_eq!(completions_logged(&events), M);
}
