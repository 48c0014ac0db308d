//! Throughput, latency and memory of both cloud faces over a real socket, on a SQLite file.
//! Prints figures; asserts only that every request succeeded (machines here are shared and
//! noisy, so speed is measured, not tested).
//!
//! `cargo bench --bench throughput` (FLOWPLANE_BENCH_N sets the requests per phase, default 2000).

use std::time::{Duration, Instant};

use clap::Parser;
use flowplane::app::App;
use flowplane::config::{Cli, Command};
use flowplane::domain::destination::NewLogContainer;
use flowplane::domain::TenantScope;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const CONCURRENCY: usize = 16;

struct Phase {
    name: &'static str,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Phase {
    fn report(mut self) {
        self.latencies.sort_unstable();
        let at = |q: f64| self.latencies[((self.latencies.len() as f64 - 1.0) * q) as usize];
        let per_second = self.latencies.len() as f64 / self.elapsed.as_secs_f64();
        println!(
            "{:<34} {:>6} req  {:>9.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms",
            self.name,
            self.latencies.len(),
            per_second,
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            at(1.0).as_secs_f64() * 1e3,
        );
    }
}

fn create_body(i: usize) -> Value {
    json!({"flow_log": {
        "name": format!("bench-{i}"), "resource_type": "port", "resource_id": format!("port-{i}"),
        "traffic_type": "all", "log_group_id": "05b1c9a6-9b0e-4c5f-8f3a-1d2e3f4a5b6c",
        "log_topic_id": "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d"}})
}

/// Runs `count` requests made by `request(i)` with `concurrency` in flight.
async fn phase<F, Fut>(name: &'static str, count: usize, concurrency: usize, request: F) -> Phase
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = reqwest::Response> + Send,
{
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for i in (worker..count).step_by(concurrency) {
                    let sent = Instant::now();
                    let response = request(i).await;
                    assert!(
                        response.status().is_success(),
                        "{name} #{i}: {}",
                        response.status()
                    );
                    response.bytes().await.expect("body");
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(count);
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    Phase {
        name,
        latencies,
        elapsed: started.elapsed(),
    }
}

/// The transition-lag histogram's cumulative buckets (upper bound in seconds, count) from
/// `/metrics`.
async fn lag_buckets(client: &reqwest::Client, address: &str) -> Vec<(f64, u64)> {
    let text = client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("flowplane_transition_lag_seconds_bucket{le=\"")?;
            let (bound, rest) = rest.split_once("\"} ")?;
            let bound = if bound == "+Inf" {
                f64::INFINITY
            } else {
                bound.parse().ok()?
            };
            Some((bound, rest.trim().parse().ok()?))
        })
        .collect()
}

/// Creates Alibaba flow logs at 1,000 per second (each activates after the default delay), waits
/// until the worker has completed them all, and prints their lag beyond the delay: the bucket
/// bounds that hold the median and the 99th percentile (from `flowplane_transition_lag_seconds`).
async fn transition_lag(client: &reqwest::Client, address: &str, rpc: &str, count: usize) {
    // What earlier phases left pending completes now, early (no lag), out of the measurement.
    let ticked = client
        .post(format!(
            "http://{address}/_flowplane/transitions/tick?all=true"
        ))
        .send()
        .await
        .unwrap();
    assert!(ticked.status().is_success());
    let before = lag_buckets(client, address).await;
    let observed = |now: &[(f64, u64)]| -> Vec<(f64, u64)> {
        now.iter()
            .zip(&before)
            .map(|(&(bound, n), &(_, was))| (bound, n - was))
            .collect()
    };
    let mut pace = tokio::time::interval(Duration::from_millis(1));
    let mut creates = tokio::task::JoinSet::new();
    let started = Instant::now();
    for i in 0..count {
        pace.tick().await;
        let url = format!(
            "{rpc}CreateFlowLog&ResourceType=VPC&ResourceId=vpc-lag-{i}&TrafficType=All\
             &ProjectName=benchproject&LogStoreName=benchstore"
        );
        let client = client.clone();
        creates.spawn(async move { client.post(url).send().await.unwrap().status() });
    }
    while let Some(status) = creates.join_next().await {
        assert!(status.unwrap().is_success());
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(60);
    let seen = loop {
        let seen = observed(&lag_buckets(client, address).await);
        if seen.last().is_some_and(|&(_, n)| n >= count as u64) {
            break seen;
        }
        assert!(
            Instant::now() < deadline,
            "transitions still pending: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let total = seen.last().unwrap().1 as f64;
    let bound_at = |q: f64| {
        let bound = seen
            .iter()
            .find(|&&(_, n)| n as f64 >= q * total)
            .unwrap()
            .0;
        format!("{:.1} ms", bound * 1e3)
    };
    println!(
        "{:<34} {:>6} trn  {:>9.0} trn/s  p50 <= {}  p99 <= {}  (beyond the 2 s delay)",
        "transition lag (paced creates)",
        total,
        rate,
        bound_at(0.50),
        bound_at(0.99),
    );
}

fn memory_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("FLOWPLANE_BENCH_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let url = format!("sqlite://{}", db.display());
    let Command::Serve(args) = Cli::parse_from([
        "flowplane",
        "serve",
        "--database-url",
        &url,
        "--alibaba-flow-log-quota",
        "0",
        // Unsigned requests: the bench measures the flow-log paths, not signature checks.
        "--auth",
        "off",
        // One request generates the records of every flow log the phases created.
        "--request-timeout",
        "5m",
    ])
    .into_command() else {
        unreachable!("serve")
    };
    let app = App::build(&args).await.expect("app");
    // The Alibaba flow logs deliver to this logstore (the Huawei ones' destination is missing).
    let sls = TenantScope::alibaba_account("LTAIbench", "cn-hangzhou");
    let container = |name: &str| NewLogContainer {
        name: name.to_owned(),
        ttl_days: Some(30),
        ..Default::default()
    };
    app.destinations()
        .create_group(&sls, container("benchproject"))
        .await
        .unwrap();
    app.destinations()
        .create_stream(&sls, "benchproject", container("benchstore"))
        .await
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}/v1/{PROJECT}/fl/flow_logs");
    let rpc = format!(
        "http://{address}/?Version=2016-04-28&AccessKeyId=LTAIbench&RegionId=cn-hangzhou&Action="
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(listener, async {
        let _ = stopped.await;
    }));
    let rss_idle = memory_kib("VmRSS:");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();

    println!("flowplane throughput: {count} requests per phase, SQLite file, loopback HTTP/1.1 keep-alive");
    let (c, b) = (client.clone(), base.clone());
    phase("create (1 in flight)", count, 1, move |i| {
        let (c, b) = (c.clone(), b.clone());
        async move { c.post(b).json(&create_body(i)).send().await.unwrap() }
    })
    .await
    .report();
    let (c, b) = (client.clone(), base.clone());
    phase("create (16 in flight)", count, CONCURRENCY, move |i| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            c.post(b)
                .json(&create_body(count + i))
                .send()
                .await
                .unwrap()
        }
    })
    .await
    .report();

    let listed: Value = client
        .get(format!("{base}?limit={}", 2 * count))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = listed["flow_logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2 * count);

    let (c, b, i2) = (client.clone(), base.clone(), ids.clone());
    phase("show (16 in flight)", count, CONCURRENCY, move |i| {
        let url = format!("{b}/{}", i2[i % i2.len()]);
        let c = c.clone();
        async move { c.get(url).send().await.unwrap() }
    })
    .await
    .report();
    let (c, b) = (client.clone(), base.clone());
    phase(
        "list 100 (16 in flight)",
        count / 4,
        CONCURRENCY,
        move |_| {
            let url = format!("{b}?limit=100");
            let c = c.clone();
            async move { c.get(url).send().await.unwrap() }
        },
    )
    .await
    .report();
    let (c, b, i2) = (client.clone(), base.clone(), ids.clone());
    phase("update (16 in flight)", count, CONCURRENCY, move |i| {
        let url = format!("{b}/{}", i2[i % i2.len()]);
        let c = c.clone();
        async move {
            c.put(url)
                .json(&json!({"flow_log": {"admin_state": i % 2 == 0}}))
                .send()
                .await
                .unwrap()
        }
    })
    .await
    .report();
    let (c, b, i2) = (client.clone(), base.clone(), ids.clone());
    phase("delete (16 in flight)", count, CONCURRENCY, move |i| {
        let url = format!("{b}/{}", i2[i]);
        let c = c.clone();
        async move { c.delete(url).send().await.unwrap() }
    })
    .await
    .report();

    let (c, r) = (client.clone(), rpc.clone());
    phase(
        "alibaba create (16 in flight)",
        count,
        CONCURRENCY,
        move |i| {
            let url = format!(
                "{r}CreateFlowLog&ResourceType=VPC&ResourceId=vpc-{i}&TrafficType=All\
             &ProjectName=benchproject&LogStoreName=benchstore&Tag.1.Key=bench&Tag.1.Value={i}"
            );
            let c = c.clone();
            async move { c.post(url).send().await.unwrap() }
        },
    )
    .await
    .report();
    let (c, r) = (client.clone(), rpc.clone());
    phase(
        "alibaba describe 50 (16 in flight)",
        count / 4,
        CONCURRENCY,
        move |i| {
            let url = format!("{r}DescribeFlowLogs&PageSize=50&PageNumber={}", i % 10 + 1);
            let c = c.clone();
            async move { c.post(url).send().await.unwrap() }
        },
    )
    .await
    .report();

    transition_lag(&client, &address.to_string(), &rpc, count).await;

    // Records: every Alibaba flow log writes an hour of windows into the one logstore, which
    // keeps its newest 10 000 (so most deliveries also trim); then pages of them are read.
    let control = format!("http://{address}/_flowplane");
    let ticked = client
        .post(format!("{control}/transitions/tick?all=true"))
        .send()
        .await
        .unwrap();
    assert!(ticked.status().is_success());
    let started = Instant::now();
    let generated: Value = client
        .post(format!("{control}/records/generate"))
        .json(&json!({"windows": 6}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let records = generated["records"]
        .as_u64()
        .unwrap_or_else(|| panic!("{generated}"));
    assert!(records > 0, "{generated}");
    println!(
        "{:<34} {:>6} rec  {:>9.0} rec/s  ({} flow logs x {} windows in {:.3} s)",
        "records generate",
        records,
        records as f64 / elapsed.as_secs_f64(),
        generated["flow_logs"],
        generated["windows"].as_u64().unwrap() / generated["flow_logs"].as_u64().unwrap().max(1),
        elapsed.as_secs_f64(),
    );
    let c = client.clone();
    phase(
        "records page of 100 (16 in flight)",
        count / 4,
        CONCURRENCY,
        move |i| {
            let url = format!("{control}/records?limit=100&offset={}", (i % 50) * 100);
            let c = c.clone();
            async move { c.get(url).send().await.unwrap() }
        },
    )
    .await
    .report();

    println!(
        "memory: resident {} KiB idle, {} KiB now, peak {} KiB",
        rss_idle,
        memory_kib("VmRSS:"),
        memory_kib("VmHWM:")
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
