//! Postgres going away while Flowplane serves, and coming back: requests get the cloud's own
//! 5xx envelope, the process keeps running, and everything (requests, the transition worker,
//! its LISTEN connection) recovers by itself. The test stops and starts a cluster of its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use flowplane::domain::Status;
use serde_json::Value;

use crate::support::cluster::PgCluster;
use crate::support::*;

/// What one request of the background traffic got: its status and the body's error code.
type Outcome = (u16, Option<String>, bool);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_mid_traffic_gives_cloud_errors_and_service_resumes() {
    let cluster = match PgCluster::start() {
        Ok(cluster) => cluster,
        Err(why) => return skip("the Postgres outage test", &why),
    };
    let mut server = ServerProcess::start_with(
        &cluster.url(),
        &[
            "--database-acquire-timeout",
            "1s",
            "--transition-delay",
            "1h",
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let id = server.create_huawei_id(&client, "port-1").await;

    // Traffic all along: every answer is the list or the cloud's own 500, never anything else.
    let stop_traffic = Arc::new(AtomicBool::new(false));
    let traffic = {
        let (client, url, stop) = (
            client.clone(),
            server.url(&flow_logs_path(PROJECT)),
            stop_traffic.clone(),
        );
        tokio::spawn(async move {
            let mut outcomes: Vec<Outcome> = Vec::new();
            while !stop.load(Ordering::Relaxed) && outcomes.len() < 100_000 {
                let (status, body, request_id) = get_json(&client, &url).await;
                let code = body["code"].as_str().map(str::to_owned);
                outcomes.push((status, code, request_id.is_some()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            outcomes
        })
    };

    tokio::task::block_in_place(|| cluster.stop()).expect("the cluster stops");
    let create = post_create(&client, &server.base, "port-2").await;
    assert_eq!(create.status(), 500);
    assert_huawei_request_id(create.headers()["x-request-id"].to_str().unwrap());
    let body: Value = create.json().await.unwrap();
    assert_eq!(body["code"], "VPC.3002", "{body}");
    assert_eq!(
        body["message"],
        format!("Create flow log by {PROJECT} fail."),
        "{body}"
    );
    let (status, body, _) = get_json(&client, &server.url(&flow_log_path(PROJECT, &id))).await;
    assert_eq!((status, body["code"].as_str()), (500, Some("VPC.3002")));
    let (status, body) = server.alibaba(&client, "DescribeFlowLogs", &[]).await;
    assert_eq!(status, 503);
    assert_eq!(body["Code"], "ServiceUnavailable", "{body}");
    assert_alibaba_request_id(body["RequestId"].as_str().unwrap());
    let (status, health, _) = get_json(&client, &server.url("/_flowplane/health")).await;
    assert_eq!(status, 503);
    assert_eq!(
        (health["status"].as_str(), health["database"].as_str()),
        (Some("unavailable"), Some("postgres"))
    );
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the process keeps running"
    );

    tokio::task::block_in_place(|| cluster.resume()).expect("the cluster starts again");
    let show = server.url(&flow_log_path(PROJECT, &id));
    eventually("requests to succeed again", || async {
        get_json(&client, &show).await.0 == 200
    })
    .await;
    stop_traffic.store(true, Ordering::Relaxed);
    let outcomes = traffic.await.unwrap();
    assert!(
        outcomes.iter().all(|(status, code, has_id)| *has_id
            && (*status == 200 || (*status == 500 && code.as_deref() == Some("VPC.3002")))),
        "{outcomes:?}"
    );
    assert!(
        outcomes.iter().any(|(status, ..)| *status == 500),
        "the outage was seen by the traffic: {outcomes:?}"
    );
    let create = post_create(&client, &server.base, "port-2").await;
    assert_eq!(create.status(), 200);
    assert_eq!(
        get_json(&client, &server.url("/_flowplane/health")).await.0,
        200
    );

    // The worker and its LISTEN connection are back too: work another process schedules now is
    // completed by this one without waiting for its idle recheck.
    let other =
        TestApp::with_args(serve_args(&cluster.url(), &["--transition-delay", "50ms"])).await;
    let flow_log = other
        .flow_logs()
        .create(&alibaba_scope(), alibaba_spec("vpc-1"))
        .await
        .unwrap();
    eventually("the server's worker to complete the transition", || async {
        other
            .store()
            .get(&alibaba_scope(), &flow_log.id)
            .await
            .unwrap()
            .is_some_and(|f| f.status == Status::Active)
    })
    .await;
    other.stop().await;
    server
        .next_event(|event| event["fields"]["message"] == "transitions completed")
        .await;
    server.stop().await;
}
