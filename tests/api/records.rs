//! Synthetic flow-log records: what `POST /_flowplane/records/generate` produces and
//! `GET /_flowplane/records` shows (each cloud's format, determinism, the traffic type, the
//! admin state, the network the flow log captures), delivery failing and recovering with its
//! destination, the bounds (per stream, time to live) and the background worker's step.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use flowplane::domain::cidr::Ipv4Cidr;
use flowplane::domain::TrafficFilter;
use serde_json::{json, Value};

use crate::support::*;

/// A fixed moment on a ten-minute boundary, so that the fixed flow logs' windows are too.
fn since() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap()
}

fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    record["fields"][name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {record}"))
}

/// The field names of the first record in a listing's raw body, in the order sent (a parsed
/// `Value` sorts them).
fn names_in_order(raw: &str) -> Vec<String> {
    let fields = raw.split("\"fields\":{").nth(1).expect("a record");
    let fields = &fields[..fields.find('}').unwrap()];
    fields
        .split("\",\"")
        .map(|pair| {
            pair.trim_start_matches('"')
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn first_names(app: &TestApp, flow_log_id: &str) -> Vec<String> {
    let response = app
        .get(&format!(
            "/_flowplane/records?flow_log_id={flow_log_id}&limit=1"
        ))
        .await;
    names_in_order(&response.text())
}

fn seconds(record: &Value, name: &str) -> i64 {
    field(record, name).parse().unwrap()
}

/// The records' fields only, in order: what two runs must agree on.
fn contents(records: &[Value]) -> Vec<Value> {
    records
        .iter()
        .map(|record| record["fields"].clone())
        .collect()
}

#[tokio::test]
async fn an_hour_of_windows_delivers_huawei_lines_to_the_stream() {
    let app = TestApp::new().await;
    let flow_log = fixed_huawei_flow_log("fl-hour", TrafficFilter::All, since());
    app.insert_fixed_flow_log(&flow_log).await;

    let generated = app
        .generate_records(json!({"windows": 6, "flow_log_id": "fl-hour"}))
        .await;
    assert_eq!(generated["windows"], 6);
    assert_eq!(generated["flow_logs"], 1);
    let records = app.records_of("fl-hour").await;
    assert_eq!(generated["records"], records.len());
    assert!(records.len() >= 6, "{records:?}");

    let (start, end) = (
        since().timestamp(),
        (since() + Duration::hours(1)).timestamp(),
    );
    let mut statuses = BTreeSet::new();
    let mut actions = BTreeSet::new();
    let mut previous = i64::MAX;
    assert_eq!(first_names(&app, "fl-hour").await, HUAWEI_RECORD_FIELDS);
    for record in &records {
        assert_eq!(record["fields"].as_object().unwrap().len(), 14, "{record}");
        assert_eq!(record["provider"], "huawei");
        assert_eq!(record["tenant_id"], PROJECT);
        assert_eq!(
            record["destination"],
            json!({"group": LOG_GROUP, "stream": LOG_TOPIC})
        );
        assert_eq!(field(record, "version"), "1");
        assert_eq!(field(record, "project-id"), PROJECT);
        assert_eq!(field(record, "interface-id"), "port-fixed");
        let (first, last) = (seconds(record, "start"), seconds(record, "end"));
        assert!(start <= first && first <= last && last <= end, "{record}");
        // Newest first.
        assert!(first <= previous, "{records:?}");
        previous = first;
        let status = field(record, "log-status");
        statuses.insert(status.to_owned());
        match status {
            "OK" => {
                field(record, "srcaddr").parse::<Ipv4Addr>().unwrap();
                field(record, "dstaddr").parse::<Ipv4Addr>().unwrap();
                let protocol: u8 = field(record, "protocol").parse().unwrap();
                assert!([1, 6, 17].contains(&protocol), "{record}");
                if protocol != 1 {
                    field(record, "srcport").parse::<u16>().unwrap();
                    field(record, "dstport").parse::<u16>().unwrap();
                }
                assert!(field(record, "packets").parse::<u64>().unwrap() > 0);
                assert!(field(record, "bytes").parse::<u64>().unwrap() > 0);
                actions.insert(field(record, "action").to_owned());
            }
            "NODATA" | "SKIPDATA" => {
                for name in ["srcaddr", "dstaddr", "packets", "bytes", "action"] {
                    assert_eq!(field(record, name), "-", "{record}");
                }
            }
            other => panic!("log-status {other}"),
        }
    }
    assert!(statuses.contains("OK"));
    assert_eq!(
        actions,
        BTreeSet::from(["ACCEPT".to_owned(), "REJECT".to_owned()]),
        "an hour of traffic has both"
    );

    // The next call continues where this one ended.
    app.generate_records(json!({"windows": 1, "flow_log_id": "fl-hour"}))
        .await;
    let newest = &app.records_of("fl-hour").await[0];
    assert!(seconds(newest, "start") >= end, "{newest}");
}

#[tokio::test]
async fn the_same_seed_flow_log_and_window_give_the_same_records() {
    let run = |flags: &'static [&'static str]| async move {
        let app = TestApp::with_flags(flags).await;
        let flow_log = fixed_huawei_flow_log("fl-same", TrafficFilter::All, since());
        app.insert_fixed_flow_log(&flow_log).await;
        app.generate_records(json!({"windows": 3})).await;
        contents(&app.records_of("fl-same").await)
    };
    let first = run(&[]).await;
    assert!(!first.is_empty());
    assert_eq!(first, run(&[]).await, "a second database");
    assert_eq!(first, run(&["--records-seed", "0"]).await);
    assert_ne!(first, run(&["--records-seed", "7"]).await);

    // Windows generated one call at a time are those generated at once.
    let app = TestApp::new().await;
    let flow_log = fixed_huawei_flow_log("fl-same", TrafficFilter::All, since());
    app.insert_fixed_flow_log(&flow_log).await;
    for _ in 0..3 {
        app.generate_records(json!({"windows": 1, "flow_log_id": "fl-same"}))
            .await;
    }
    assert_eq!(contents(&app.records_of("fl-same").await), first);
}

#[tokio::test]
async fn records_per_window_sets_how_many_flows_an_interface_reports() {
    let app = TestApp::with_flags(&["--records-per-window", "3"]).await;
    let flow_log = fixed_huawei_flow_log("fl-three", TrafficFilter::All, since());
    app.insert_fixed_flow_log(&flow_log).await;
    app.generate_records(json!({"windows": 20})).await;
    let records = app.records_of("fl-three").await;
    let per_window = |start: i64| {
        records
            .iter()
            .filter(|r| field(r, "log-status") == "OK" && seconds(r, "start") / 600 == start / 600)
            .count()
    };
    for record in &records {
        let flows = per_window(seconds(record, "start"));
        assert!(flows == 3 || flows == 0, "{flows} flows in a window");
    }

    let quiet = TestApp::with_flags(&["--records-per-window", "0"]).await;
    quiet.insert_fixed_flow_log(&flow_log).await;
    quiet.generate_records(json!({"windows": 4})).await;
    let records = quiet.records_of("fl-three").await;
    assert_eq!(records.len(), 4);
    assert!(records.iter().all(|r| field(r, "log-status") == "NODATA"));
}

#[tokio::test]
async fn the_traffic_type_keeps_accepted_or_rejected_flows_only() {
    let app = TestApp::new().await;
    for (id, filter, kept) in [
        ("fl-accept", TrafficFilter::Accepted, "ACCEPT"),
        ("fl-reject", TrafficFilter::Rejected, "REJECT"),
    ] {
        let mut flow_log = fixed_huawei_flow_log(id, filter, since());
        flow_log.spec.resource_id = format!("port-{id}");
        app.insert_fixed_flow_log(&flow_log).await;
        app.generate_records(json!({"windows": 30, "flow_log_id": id}))
            .await;
        let records = app.records_of(id).await;
        let flows: Vec<&Value> = records
            .iter()
            .filter(|r| field(r, "log-status") == "OK")
            .collect();
        assert!(!flows.is_empty(), "{id}");
        assert!(
            flows.iter().all(|r| field(r, "action") == kept),
            "{id}: {flows:?}"
        );
        // A window whose flows were all of the other kind is NODATA, not missing.
        let windows: BTreeSet<i64> = records.iter().map(|r| seconds(r, "start") / 600).collect();
        assert_eq!(windows.len(), 30, "{id}");
    }
}

#[tokio::test]
async fn inactive_flow_logs_write_nothing_and_resume_from_reactivation() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    let path = flow_log_path(PROJECT, &id);
    let disabled = app
        .put(&path, json!({"flow_log": {"admin_state": false}}))
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    app.tick_all().await;

    let generated = app
        .generate_records(json!({"windows": 3, "flow_log_id": id}))
        .await;
    assert_eq!(
        generated,
        json!({"windows": 0, "flow_logs": 0, "records": 0})
    );
    assert!(app.records_of(&id).await.is_empty());

    let enabled = app
        .put(&path, json!({"flow_log": {"admin_state": true}}))
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.body);
    app.tick_all().await;
    let reactivated = Utc::now();
    let generated = app
        .generate_records(json!({"windows": 2, "flow_log_id": id}))
        .await;
    assert_eq!(generated["flow_logs"], 1);
    let records = app.records_of(&id).await;
    assert!(!records.is_empty());
    // Its windows start at the ten-minute boundary before it became active again.
    let earliest = records.iter().map(|r| seconds(r, "start")).min().unwrap();
    assert!(earliest >= reactivated.timestamp() - 600, "{earliest}");
    assert!(records.iter().all(|r| field(r, "interface-id") == "port-1"));
}

#[tokio::test]
async fn a_huawei_flow_log_without_its_stream_is_in_error_until_it_exists_again() {
    let app = TestApp::new().await;
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    app.tick_all().await;
    let status = |body: Value| body["flow_log"]["status"].as_str().unwrap().to_owned();
    let path = flow_log_path(PROJECT, &id);
    assert_eq!(status(app.get(&path).await.body), "ACTIVE");

    let scope = flowplane::domain::TenantScope::huawei_project(PROJECT);
    app.destinations()
        .delete_stream(&scope, LOG_GROUP, LOG_TOPIC)
        .await
        .unwrap();
    assert_eq!(status(app.get(&path).await.body), "ERROR");
    let listed = app.list_huawei("status=ERROR").await;
    assert_eq!(listed.body["flow_logs"][0]["id"], id.as_str());
    assert_eq!(
        app.list_huawei("status=ACTIVE").await.body,
        json!({"flow_logs": []})
    );
    // Its windows pass undelivered.
    let generated = app
        .generate_records(json!({"windows": 2, "flow_log_id": id}))
        .await;
    assert_eq!(generated["records"], 0);
    assert!(app.records_of(&id).await.is_empty());

    app.huawei_destination(PROJECT).await;
    assert_eq!(status(app.get(&path).await.body), "ACTIVE");
    let generated = app
        .generate_records(json!({"windows": 2, "flow_log_id": id}))
        .await;
    assert!(generated["records"].as_u64().unwrap() > 0);
    assert_eq!(
        app.records_of(&id).await.len() as u64,
        generated["records"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn an_alibaba_flow_log_reports_its_delivery_and_recovers() {
    let app = TestApp::new().await;
    let id = app.create_alibaba("vpc-deliver", &[]).await;
    app.tick_all().await;
    let delivery = |entry: Value| {
        (
            entry["FlowLogDeliverStatus"].as_str().unwrap().to_owned(),
            entry["FlowLogDeliverErrorMessage"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    assert_eq!(
        delivery(app.describe_alibaba(&id).await.unwrap()),
        ("SUCCESS".to_owned(), String::new())
    );
    let scope = flowplane::domain::TenantScope::alibaba_account(ALIBABA_KEY, REGION);
    let destinations = app.destinations();
    destinations
        .delete_stream(&scope, SLS_PROJECT, SLS_LOGSTORE)
        .await
        .unwrap();
    assert_eq!(
        delivery(app.describe_alibaba(&id).await.unwrap()),
        ("FAILED".to_owned(), "UnavaliableTarget".to_owned())
    );
    destinations
        .delete_group(
            &scope,
            SLS_PROJECT,
            flowplane::domain::destination::GroupDeletion::WithStreams,
        )
        .await
        .unwrap();
    assert_eq!(
        delivery(app.describe_alibaba(&id).await.unwrap()),
        ("FAILED".to_owned(), "ProjectNotExist".to_owned())
    );
    let generated = app
        .generate_records(json!({"windows": 1, "flow_log_id": id}))
        .await;
    assert_eq!(generated["records"], 0);

    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    assert_eq!(
        delivery(app.describe_alibaba(&id).await.unwrap()),
        ("SUCCESS".to_owned(), String::new())
    );
    app.generate_records(json!({"windows": 1, "flow_log_id": id}))
        .await;
    let records = app.records_of(&id).await;
    assert!(!records.is_empty());
    assert_eq!(first_names(&app, &id).await, ALIBABA_RECORD_FIELDS);
    for record in &records {
        assert_eq!(record["fields"].as_object().unwrap().len(), 21, "{record}");
        assert_eq!(
            record["destination"],
            json!({"group": SLS_PROJECT, "stream": SLS_LOGSTORE})
        );
        assert_eq!(field(record, "account-id"), ALIBABA_KEY);
        assert_eq!(field(record, "region"), REGION);
        assert_eq!(field(record, "vpc-id"), "vpc-deliver");
        assert_eq!(field(record, "traffic_path"), "all");
    }
}

#[tokio::test]
async fn alibaba_records_come_from_the_vpcs_interfaces_inside_its_blocks() {
    let app = TestApp::new().await;
    let vpc = app.create_alibaba_vpc("10.8.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "10.8.1.0/24").await;
    let eni = app.create_eni(&vswitch).await;
    app.tick_all().await;
    let id = app.create_alibaba_on("VPC", &vpc).await;
    app.tick_all().await;
    app.generate_records(json!({"windows": 6, "flow_log_id": id}))
        .await;
    let records = app.records_of(&id).await;
    let vswitch_block: Ipv4Cidr = "10.8.1.0/24".parse().unwrap();
    let mut directions = BTreeSet::new();
    for record in &records {
        assert_eq!(field(record, "eni-id"), eni, "{record}");
        assert_eq!(field(record, "vswitch-id"), vswitch);
        assert_eq!(field(record, "vpc-id"), vpc);
        if field(record, "log-status") != "OK" {
            continue;
        }
        let src: Ipv4Addr = field(record, "srcaddr").parse().unwrap();
        let dst: Ipv4Addr = field(record, "dstaddr").parse().unwrap();
        assert!(
            vswitch_block.contains_address(src) || vswitch_block.contains_address(dst),
            "{record}"
        );
        let direction = field(record, "direction");
        directions.insert(direction.to_owned());
        let own = if direction == "in" { dst } else { src };
        assert!(vswitch_block.contains_address(own), "{record}");
        let flags: u16 = field(record, "tcp-flags").parse().unwrap();
        if field(record, "protocol") != "6" {
            assert_eq!(flags, 0, "{record}");
        }
    }
    assert_eq!(
        directions,
        BTreeSet::from(["in".to_owned(), "out".to_owned()])
    );
}

#[tokio::test]
async fn a_stream_keeps_at_most_the_configured_number_of_records_the_newest() {
    let app = TestApp::with_flags(&["--records-max-per-stream", "25"]).await;
    let flow_log = fixed_huawei_flow_log("fl-bound", TrafficFilter::All, since());
    app.insert_fixed_flow_log(&flow_log).await;
    let generated = app
        .generate_records(json!({"windows": 10, "flow_log_id": "fl-bound"}))
        .await;
    assert!(generated["records"].as_u64().unwrap() > 25, "{generated}");
    let kept = app.records_of("fl-bound").await;
    assert_eq!(kept.len(), 25);

    // What was kept is the newest of what an unbounded stream holds.
    let unbounded = TestApp::new().await;
    unbounded.insert_fixed_flow_log(&flow_log).await;
    unbounded
        .generate_records(json!({"windows": 10, "flow_log_id": "fl-bound"}))
        .await;
    let all = unbounded.records_of("fl-bound").await;
    assert_eq!(contents(&kept), contents(&all[..25]));
}

#[tokio::test]
async fn records_past_their_destinations_time_to_live_expire() {
    // Records off: the worker's step only expires, it does not produce the windows it passes.
    let app = TestApp::with_flags(&["--records", "off"]).await;
    let since = Utc::now() - Duration::hours(1);
    let flow_log = fixed_huawei_flow_log("fl-ttl", TrafficFilter::All, since);
    app.insert_fixed_flow_log(&flow_log).await;
    app.generate_records(json!({"windows": 6})).await;
    let delivered = app.records_of("fl-ttl").await.len() as u64;
    assert!(delivered > 0);

    // The test stream has no TTL of its own: its group's seven days apply.
    let worker = app.app.record_worker();
    assert_eq!(
        worker.step(Utc::now() + Duration::days(6)).await.unwrap(),
        (0, 0)
    );
    assert_eq!(app.records_of("fl-ttl").await.len() as u64, delivered);
    assert_eq!(
        worker.step(Utc::now() + Duration::days(8)).await.unwrap(),
        (0, delivered)
    );
    assert!(app.records_of("fl-ttl").await.is_empty());
}

#[tokio::test]
async fn a_streams_own_time_to_live_wins_over_its_groups() {
    let app = TestApp::with_flags(&["--records", "off"]).await;
    let scope = flowplane::domain::TenantScope::alibaba_account(ALIBABA_KEY, REGION);
    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    // The test logstore keeps 30 days; shorten it to one.
    app.destinations()
        .update_stream(
            &scope,
            SLS_PROJECT,
            SLS_LOGSTORE,
            &flowplane::domain::destination::LogContainerChanges {
                ttl_days: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let id = app.create_alibaba("vpc-ttl", &[]).await;
    app.tick_all().await;
    app.generate_records(json!({"windows": 1, "flow_log_id": id}))
        .await;
    let delivered = app.records_of(&id).await.len() as u64;
    assert!(delivered > 0);
    let worker = app.app.record_worker();
    assert_eq!(
        worker.step(Utc::now() + Duration::days(3)).await.unwrap(),
        (0, delivered)
    );
}

#[tokio::test]
async fn the_background_step_produces_the_windows_that_have_ended_once() {
    let app = TestApp::new().await;
    let since = Utc::now() - Duration::minutes(35);
    let flow_log = fixed_huawei_flow_log("fl-step", TrafficFilter::All, since);
    app.insert_fixed_flow_log(&flow_log).await;
    let worker = app.app.record_worker();
    let now = Utc::now();
    let (delivered, _) = worker.step(now).await.unwrap();
    assert!(delivered > 0);
    let records = app.records_of("fl-step").await;
    assert_eq!(records.len() as u64, delivered);
    // Windows from the ten-minute boundary before `since`, each ended by `now`.
    let first = since.timestamp() - since.timestamp() % 600;
    let windows: BTreeSet<i64> = records
        .iter()
        .map(|r| (seconds(r, "start") - first) / 600)
        .collect();
    let ended = (now.timestamp() - first) / 600;
    assert_eq!(windows, (0..ended).collect::<BTreeSet<_>>());
    assert!(records.iter().all(|r| seconds(r, "end") <= now.timestamp()));

    // Nothing more until the next window ends.
    assert_eq!(worker.step(now).await.unwrap(), (0, 0));
    let (later, _) = worker.step(now + Duration::minutes(10)).await.unwrap();
    assert!(later > 0);
}

#[tokio::test]
async fn generate_until_a_time_produces_the_windows_ended_by_then() {
    let app = TestApp::new().await;
    let flow_log = fixed_huawei_flow_log("fl-until", TrafficFilter::All, since());
    app.insert_fixed_flow_log(&flow_log).await;
    let until = since() + Duration::minutes(45);
    let generated = app
        .generate_records(json!({"until": until.to_rfc3339(), "flow_log_id": "fl-until"}))
        .await;
    assert_eq!(generated["windows"], 4);
    // Already there: nothing more.
    let again = app
        .post(
            &format!("/_flowplane/records/generate?until={}", until.timestamp()),
            json!({}),
        )
        .await;
    assert_eq!(
        again.body,
        json!({"windows": 0, "flow_logs": 0, "records": 0})
    );
}

#[tokio::test]
async fn concurrent_generate_calls_never_deliver_a_window_twice() {
    let app = TestApp::new().await;
    let flow_log = fixed_huawei_flow_log("fl-race", TrafficFilter::All, since());
    app.insert_fixed_flow_log(&flow_log).await;
    let body = json!({"windows": 3, "flow_log_id": "fl-race"});
    let (a, b, c, d) = tokio::join!(
        app.generate_records(body.clone()),
        app.generate_records(body.clone()),
        app.generate_records(body.clone()),
        app.generate_records(body.clone()),
    );
    let answers = [a, b, c, d];
    let windows: u64 = answers.iter().map(|a| a["windows"].as_u64().unwrap()).sum();
    let records: u64 = answers.iter().map(|a| a["records"].as_u64().unwrap()).sum();
    let stored = app.records_of("fl-race").await;
    assert_eq!(stored.len() as u64, records);
    let seen: BTreeSet<i64> = stored.iter().map(|r| seconds(r, "start") / 600).collect();
    assert_eq!(seen.len() as u64, windows, "each window once");
    // The windows follow each other without a gap.
    let first = since().timestamp() / 600;
    assert_eq!(
        seen,
        (first..first + i64::try_from(windows).unwrap()).collect()
    );
}

#[tokio::test]
async fn the_record_listing_filters_and_pages() {
    let app = TestApp::new().await;
    for id in ["fl-list-a", "fl-list-b"] {
        let mut flow_log = fixed_huawei_flow_log(id, TrafficFilter::All, since());
        flow_log.spec.resource_id = format!("port-{id}");
        app.insert_fixed_flow_log(&flow_log).await;
    }
    app.generate_records(json!({"windows": 2})).await;
    let a = app.records_of("fl-list-a").await;
    let b = app.records_of("fl-list-b").await;
    let (all, total) = app.records_where("limit=1000").await;
    assert_eq!(total as usize, a.len() + b.len());
    assert_eq!(all.len(), a.len() + b.len());

    let by_stream = format!("group={LOG_GROUP}&stream={LOG_TOPIC}&limit=1000");
    assert_eq!(app.records_where(&by_stream).await.1, total);
    assert_eq!(app.records_where("provider=alibaba").await, (Vec::new(), 0));
    assert_eq!(
        app.records_where(&format!("tenant={PROJECT}&limit=1"))
            .await
            .1,
        total
    );
    assert_eq!(app.records_where("tenant=nobody").await.1, 0);

    // The first window only, by time.
    let second = (since() + Duration::minutes(10)).timestamp();
    let (first_window, count) = app
        .records_where(&format!("to={}&limit=1000", second - 1))
        .await;
    assert!(count > 0 && count < total);
    assert!(first_window.iter().all(|r| seconds(r, "start") < second));
    let (later, count_later) = app
        .records_where(&format!(
            "from={}&limit=1000",
            (since() + Duration::minutes(10)).to_rfc3339_opts(SecondsFormat::Secs, true)
        ))
        .await;
    assert_eq!(count + count_later, total);
    assert!(later.iter().all(|r| seconds(r, "start") >= second));

    // Pages of three, newest first, cover the whole listing once.
    let mut paged = Vec::new();
    for offset in (0..total).step_by(3) {
        let (page, _) = app.records_where(&format!("limit=3&offset={offset}")).await;
        paged.extend(page);
    }
    assert_eq!(paged, all);
}

#[tokio::test]
async fn the_control_api_refuses_what_it_cannot_do() {
    let app = &TestApp::new().await;
    let bad = |body: Value| async move {
        let response = app.post("/_flowplane/records/generate", body).await;
        (response.status, response.body)
    };
    for body in [
        json!({"windows": 0}),
        json!({"windows": 1001}),
        json!({"windows": -1}),
        json!({"windows": "x"}),
        json!({"windows": 1, "until": "2026-11-01T00:00:00Z"}),
        json!({"until": "yesterday"}),
        json!({"flowlog": "x"}),
    ] {
        let (status, answer) = bad(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
    }
    let (status, answer) = bad(json!({"flow_log_id": "fl-nope"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let broken = app
        .send(raw_request(
            axum::http::Method::POST,
            "/_flowplane/records/generate",
            Some("application/json"),
            "{\"windows\":",
        ))
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);

    for query in [
        "group=g",
        "stream=s",
        "from=never",
        "limit=0",
        "limit=x",
        "offset=-1",
        "provider=aws",
        "unknown=1",
    ] {
        let response = app.get(&format!("/_flowplane/records?{query}")).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            response.body
        );
    }
}

#[tokio::test]
async fn two_servers_on_one_database_never_deliver_a_window_twice() {
    let db = TestDb::new().await;
    let (one, two) = (TestApp::on(&db, &[]).await, TestApp::on(&db, &[]).await);
    let flow_log = fixed_huawei_flow_log("fl-shared", TrafficFilter::All, since());
    one.insert_fixed_flow_log(&flow_log).await;
    let body = json!({"windows": 2, "flow_log_id": "fl-shared"});
    let (a, b, c, d) = tokio::join!(
        one.generate_records(body.clone()),
        two.generate_records(body.clone()),
        one.generate_records(body.clone()),
        two.generate_records(body.clone()),
    );
    let windows: u64 = [&a, &b, &c, &d]
        .iter()
        .map(|answer| answer["windows"].as_u64().unwrap())
        .sum();
    let stored = two.records_of("fl-shared").await;
    let seen: BTreeSet<i64> = stored.iter().map(|r| seconds(r, "start") / 600).collect();
    assert_eq!(seen.len() as u64, windows, "each window once");
    let records: u64 = [&a, &b, &c, &d]
        .iter()
        .map(|answer| answer["records"].as_u64().unwrap())
        .sum();
    assert_eq!(stored.len() as u64, records);
}
