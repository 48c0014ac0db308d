//! Flow logs delivering into LTS end to end: group and stream over the API, a flow log on them,
//! windows generated, the lines queried back; a deleted stream turns the flow log ERROR, and a
//! flow log on a new stream is ACTIVE and delivers again.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::support::*;

async fn status(app: &TestApp, flow_log: &str) -> String {
    let response = app.get(&flow_log_path(PROJECT, flow_log)).await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.body);
    response.body["flow_log"]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn lines(app: &TestApp, group: &str, stream: &str, from: i64, to: i64) -> Vec<String> {
    let body = app
        .query_lts(
            PROJECT,
            group,
            stream,
            json!({"start_time": from.to_string(), "end_time": to.to_string(), "limit": 5000}),
        )
        .await;
    body["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|log| log["content"].as_str().unwrap().to_owned())
        .collect()
}

/// Checks one Huawei record line field by field.
#[track_caller]
fn check_line(line: &str, port: &str, from: i64, to: i64) {
    let f: Vec<&str> = line.split(' ').collect();
    assert_eq!(f.len(), 14, "{line}");
    assert_eq!(f[0], "1");
    assert_eq!(f[1], PROJECT);
    assert_eq!(f[2], port);
    let start: i64 = f[10].parse().unwrap();
    let end: i64 = f[11].parse().unwrap();
    // A flow shorter than a second starts and ends in the same second.
    assert!(start <= end, "{line}");
    assert!(start * 1000 >= from - 1000 && end * 1000 <= to, "{line}");
    match f[13] {
        "OK" => {
            assert!(f[3].parse::<std::net::Ipv4Addr>().is_ok(), "{line}");
            assert!(f[4].parse::<std::net::Ipv4Addr>().is_ok(), "{line}");
            for port in [f[5], f[6]] {
                port.parse::<u16>().unwrap();
            }
            assert!(["1", "6", "17"].contains(&f[7]), "{line}");
            assert!(f[8].parse::<u64>().unwrap() > 0, "{line}");
            assert!(f[9].parse::<u64>().unwrap() > 0, "{line}");
            assert!(["ACCEPT", "REJECT"].contains(&f[12]), "{line}");
        }
        "NODATA" | "SKIPDATA" => {
            assert!(f[3..10].iter().all(|v| *v == "-"), "{line}");
            assert_eq!(f[12], "-");
        }
        other => panic!("log-status {other}: {line}"),
    }
}

#[tokio::test]
async fn flow_logs_deliver_into_lts_and_follow_their_stream() {
    let app = TestApp::new().await;
    // Windows are aligned to ten minutes: the first may start before the flow log.
    let from = Utc::now().timestamp_millis() - 11 * 60_000;
    let (group, stream) = app.create_lts_destination(PROJECT).await;
    let port = uuid::Uuid::new_v4().to_string();
    let flow_log = app.create_huawei_on(PROJECT, &port, &group, &stream).await;
    assert_eq!(status(&app, &flow_log).await, "ACTIVE");

    let generated = app.generate_windows(&flow_log, 6).await;
    let to = (Utc::now() + Duration::minutes(70)).timestamp_millis();
    let delivered = lines(&app, &group, &stream, from, to).await;
    assert_eq!(delivered.len() as u64, generated);
    for line in &delivered {
        check_line(line, &port, from, to);
    }
    // Six windows of ten minutes: the records' windows cover about an hour.
    let starts: Vec<i64> = delivered
        .iter()
        .map(|l| l.split(' ').nth(10).unwrap().parse().unwrap())
        .collect();
    let span = starts.iter().max().unwrap() - starts.iter().min().unwrap();
    assert!((40 * 60..60 * 60).contains(&span), "{span}");

    // The stream goes: the flow log is ERROR, and its windows deliver nowhere.
    assert_eq!(
        app.delete(&lts_stream_path(PROJECT, &group, &stream))
            .await
            .status
            .as_u16(),
        204
    );
    assert_eq!(status(&app, &flow_log).await, "ERROR");
    let listed = app.get(&flow_logs_path(PROJECT)).await;
    assert_eq!(listed.body["flow_logs"][0]["status"], "ERROR");
    app.generate_windows(&flow_log, 1).await;
    app.post(
        &lts_query_path(PROJECT, &group, &stream),
        json!({"start_time": from.to_string(), "end_time": to.to_string()}),
    )
    .await
    .assert_lts_error(400, "LTS.0208");

    // A flow log's topic is fixed: a new stream means a new flow log on it (the old one is
    // deleted), which is ACTIVE and delivers there.
    let renewed = app.create_lts_stream(PROJECT, &group, "vpc-flow").await;
    assert_ne!(renewed, stream);
    assert_eq!(
        status(&app, &flow_log).await,
        "ERROR",
        "the old stream stays gone"
    );
    assert_eq!(
        app.delete(&flow_log_path(PROJECT, &flow_log))
            .await
            .status
            .as_u16(),
        204
    );
    let again = app.create_huawei_on(PROJECT, &port, &group, &renewed).await;
    assert_eq!(status(&app, &again).await, "ACTIVE");
    let generated = app.generate_windows(&again, 2).await;
    let to = (Utc::now() + Duration::minutes(30)).timestamp_millis();
    let delivered = lines(&app, &group, &renewed, from, to).await;
    assert_eq!(delivered.len() as u64, generated);
    assert!(generated > 0);
    for line in &delivered {
        check_line(line, &port, from, to);
    }
}

#[tokio::test]
async fn a_deleted_group_turns_its_flow_logs_error() {
    let app = TestApp::new().await;
    let (group, stream) = app.create_lts_destination(PROJECT).await;
    let flow_log = app
        .create_huawei_on(PROJECT, &uuid::Uuid::new_v4().to_string(), &group, &stream)
        .await;
    assert_eq!(
        app.delete(&lts_group_path(PROJECT, &group))
            .await
            .status
            .as_u16(),
        204
    );
    assert_eq!(status(&app, &flow_log).await, "ERROR");
    let body: Value = app.get(&lts_groups_path(PROJECT)).await.body;
    assert_eq!(body, json!({"log_groups": []}));
}
