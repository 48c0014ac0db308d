//! The load generator (issue 13): drives the release `flowplane` binary, started as a child
//! process with signature checks on (`--auth verify`, the demo credentials), over N keep-alive
//! HTTP/1.1 connections for a fixed time per scenario, every request validly signed for its
//! cloud, and prints requests/s, the share of the unknown-path ceiling, p50/p99/max latency,
//! errors and the server's resident memory. Then it stops the server, bulk-inserts
//! `FLOWPLANE_LOAD_ROWS` Huawei flow logs (a tenth as many Alibaba ones in one account, as many
//! records) with SQL, restarts it (time to ready, idle memory at that size) and runs the reads
//! again. Figures are printed, not asserted; a scenario with a failed request fails the run.
//!
//! ```sh
//! cargo bench --bench load                                   # SQLite; Postgres too when
//!                                                            # FLOWPLANE_TEST_POSTGRES_URL is set
//! FLOWPLANE_LOAD_SECONDS=1 FLOWPLANE_LOAD_ROWS=10000 cargo bench --bench load    # smoke
//! cargo bench --bench load -- --database-url postgres://…    # that backend only
//! cargo bench --bench load -- --moto http://127.0.0.1:5000   # EC2 flow logs on a moto_server
//! ```
//!
//! Options (flag or environment): `--seconds`/`FLOWPLANE_LOAD_SECONDS` per scenario (5),
//! `--connections`/`FLOWPLANE_LOAD_CONNECTIONS` (16), `--rows`/`FLOWPLANE_LOAD_ROWS` (1,000,000),
//! `--database-url`/`FLOWPLANE_LOAD_DATABASE_URL`, `--moto`/`FLOWPLANE_LOAD_MOTO`;
//! `FLOWPLANE_LOAD_ONLY=<text>` runs only the scenarios whose name holds it (and the ceiling).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::Utc;
use flowplane::auth::signing::{
    canonical_query, form_pairs, percent_decode_bytes, rfc3986_encode, sha256_hex,
};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::net::TcpStream;

/// The demo credentials (SPEC §4): the server runs without a credentials file.
const HUAWEI_KEY: &str = "HWDEMOACCESSKEY00001";
const HUAWEI_SECRET: &str = "hw-demo-secret-key-0000000000000000000000";
const ALIBABA_KEY: &str = "LTAIdemoAccessKey0001";
const ALIBABA_SECRET: &str = "ali-demo-access-key-secret-000000";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const REGION: &str = "cn-hangzhou";
/// How many records one stream keeps (the server's `--records-max-per-stream` default).
const RECORDS_PER_STREAM: u64 = 10_000;

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
    seconds: f64,
    connections: usize,
    rows: u64,
    database_url: Option<String>,
    moto: Option<String>,
}

impl Options {
    fn parse() -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut options = Options {
            seconds: env("FLOWPLANE_LOAD_SECONDS").map_or(5.0, |v| v.parse().expect("seconds")),
            connections: env("FLOWPLANE_LOAD_CONNECTIONS")
                .map_or(16, |v| v.parse().expect("connections")),
            rows: env("FLOWPLANE_LOAD_ROWS").map_or(1_000_000, |v| v.parse().expect("rows")),
            database_url: env("FLOWPLANE_LOAD_DATABASE_URL"),
            moto: env("FLOWPLANE_LOAD_MOTO"),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (arg.clone(), None),
            };
            let mut value = || inline.clone().or_else(|| args.next()).expect("a value");
            match name.as_str() {
                "--seconds" => options.seconds = value().parse().expect("seconds"),
                "--connections" => options.connections = value().parse().expect("connections"),
                "--rows" => options.rows = value().parse().expect("rows"),
                "--database-url" => options.database_url = Some(value()),
                "--moto" => options.moto = Some(value()),
                // What `cargo bench` passes to every bench.
                "--bench" => {}
                other => panic!("unknown option {other}"),
            }
        }
        options
    }
}

// ---------------------------------------------------------------------------------------------
// Requests and signing

/// One request, whatever client sends it.
#[derive(Clone)]
struct Call {
    method: Method,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// A Huawei `SDK-HMAC-SHA256` request (reference §3.1, as the Python SDK signs: every header,
/// names lower-cased and sorted, `Host` with its port).
fn huawei(host: &str, method: Method, target: &str, body: Option<Value>) -> Call {
    let body = body.map_or_else(Vec::new, |b| serde_json::to_vec(&b).unwrap());
    let content_type = "application/json;charset=utf-8";
    let date = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let signed = [
        ("content-type", content_type),
        ("host", host),
        ("x-sdk-date", date.as_str()),
    ];
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut uri = percent_decode_bytes(path)
        .split(|byte| *byte == b'/')
        .map(rfc3986_encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let names = "content-type;host;x-sdk-date";
    let header_lines: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let canonical = format!(
        "{method}\n{uri}\n{}\n{header_lines}\n{names}\n{}",
        canonical_query(form_pairs(query.as_bytes())),
        sha256_hex(&body)
    );
    let string_to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let signature = hex::encode(hmac_sha256(
        HUAWEI_SECRET.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    Call {
        method,
        target: target.to_owned(),
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("x-sdk-date".into(), date),
            (
                "authorization".into(),
                format!(
                    "SDK-HMAC-SHA256 Access={HUAWEI_KEY}, SignedHeaders={names}, Signature={signature}"
                ),
            ),
        ],
        body,
    }
}

/// An Alibaba RPC call (VPC 2016-04-28), V1 HMAC-SHA1 signed in the query, with a fresh nonce.
fn alibaba(action: &str, params: &[(&str, &str)]) -> Call {
    let nonce = uuid::Uuid::new_v4().to_string();
    let timestamp = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut all: Vec<(&str, &str)> = vec![
        ("Version", "2016-04-28"),
        ("Format", "JSON"),
        ("AccessKeyId", ALIBABA_KEY),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", &nonce),
        ("Timestamp", &timestamp),
        ("Action", action),
        ("RegionId", REGION),
    ];
    all.extend_from_slice(params);
    let pairs = all
        .iter()
        .map(|(name, value)| (name.as_bytes().to_vec(), value.as_bytes().to_vec()))
        .collect();
    let string_to_sign = format!(
        "POST&%2F&{}",
        rfc3986_encode(canonical_query(pairs).as_bytes())
    );
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(format!("{ALIBABA_SECRET}&").as_bytes()).expect("key");
    mac.update(string_to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &all {
        query.append_pair(name, value);
    }
    query.append_pair("Signature", &signature);
    Call {
        method: Method::POST,
        target: format!("/?{}", query.finish()),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// An AWS EC2 query call for moto (which checks no signature: a plausible SigV4 header).
fn ec2(params: &[(&str, &str)]) -> Call {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Version", "2016-11-15");
    for (name, value) in params {
        form.append_pair(name, value);
    }
    let date = Utc::now().format("%Y%m%d").to_string();
    Call {
        method: Method::POST,
        target: "/".into(),
        headers: vec![
            (
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ),
            (
                "x-amz-date".into(),
                Utc::now().format("%Y%m%dT%H%M%SZ").to_string(),
            ),
            (
                "authorization".into(),
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/{date}/us-east-1/ec2/aws4_request, \
                     SignedHeaders=content-type;host;x-amz-date, Signature={}",
                    "0".repeat(64)
                ),
            ),
        ],
        body: form.finish().into_bytes(),
    }
}

// ---------------------------------------------------------------------------------------------
// Clients

#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientKind {
    Hyper,
    Reqwest,
}

enum Conn {
    Hyper(hyper::client::conn::http1::SendRequest<Full<Bytes>>),
    Reqwest(reqwest::Client, String),
}

struct Answer {
    status: u16,
    body: Bytes,
}

impl Conn {
    async fn open(kind: ClientKind, address: SocketAddr) -> Result<Self, String> {
        match kind {
            ClientKind::Hyper => {
                let stream = TcpStream::connect(address)
                    .await
                    .map_err(|e| e.to_string())?;
                stream.set_nodelay(true).ok();
                let (sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .map_err(|e| e.to_string())?;
                tokio::spawn(connection);
                Ok(Conn::Hyper(sender))
            }
            ClientKind::Reqwest => Ok(Conn::Reqwest(
                reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .tcp_nodelay(true)
                    .build()
                    .map_err(|e| e.to_string())?,
                format!("http://{address}"),
            )),
        }
    }

    /// Whether the connection can take another request: false once the server has closed it
    /// (moto's server closes after every answer; Flowplane keeps it open).
    async fn usable(&mut self) -> bool {
        match self {
            Conn::Hyper(sender) => sender.ready().await.is_ok(),
            Conn::Reqwest(..) => true,
        }
    }

    async fn send(&mut self, host: &str, call: Call) -> Result<Answer, String> {
        match self {
            Conn::Hyper(sender) => {
                sender.ready().await.map_err(|e| e.to_string())?;
                let mut request = Request::builder()
                    .method(call.method)
                    .uri(call.target)
                    .header("host", host);
                for (name, value) in call.headers {
                    request = request.header(name, value);
                }
                let request = request.body(Full::new(Bytes::from(call.body))).unwrap();
                let response = sender
                    .send_request(request)
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status().as_u16();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                Ok(Answer { status, body })
            }
            Conn::Reqwest(client, base) => {
                let mut request = client.request(call.method, format!("{base}{}", call.target));
                for (name, value) in call.headers {
                    request = request.header(name, value);
                }
                let response = request
                    .body(call.body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status().as_u16();
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                Ok(Answer { status, body })
            }
        }
    }
}

/// One connection for setup calls.
struct Setup {
    conn: Conn,
    host: String,
}

impl Setup {
    async fn new(address: SocketAddr) -> Self {
        Self {
            conn: Conn::open(ClientKind::Hyper, address)
                .await
                .expect("connect"),
            host: address.to_string(),
        }
    }

    /// Sends `call` on a connection that is open (reopened when the server closed it).
    async fn call(&mut self, call: Call) -> Answer {
        for attempt in 0.. {
            if attempt > 0 || !self.conn.usable().await {
                let address = self.host.parse().expect("an address");
                self.conn = Conn::open(ClientKind::Hyper, address)
                    .await
                    .expect("connect");
            }
            match self.conn.send(&self.host, call.clone()).await {
                Ok(answer) => return answer,
                Err(err) if attempt < 2 => eprintln!("setup call failed ({err}); reconnecting"),
                Err(err) => panic!("{} {}: {err}", call.method, call.target),
            }
        }
        unreachable!()
    }

    /// Sends `call`; panics unless the answer is 2xx. The body as JSON.
    async fn ok(&mut self, call: Call) -> Value {
        let what = format!("{} {}", call.method, call.target);
        let answer = self.call(call).await;
        assert!(
            (200..300).contains(&answer.status),
            "{what}: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

type MakeCall = Arc<dyn Fn(u64) -> Call + Send + Sync>;

struct Scenario {
    name: String,
    make: MakeCall,
    /// The status every answer must have (2xx unless the scenario says otherwise).
    expect: fn(u16) -> bool,
    client: ClientKind,
}

fn success(status: u16) -> bool {
    (200..300).contains(&status)
}

fn not_found(status: u16) -> bool {
    status == 404
}

/// The unknown-path answer (404 from the edge, no face reached): the ceiling.
fn unknown_path() -> Scenario {
    let mut unknown = scenario("unknown path (ceiling, hyper)", |_| {
        plain_get("/load/unknown-path")
    });
    unknown.expect = not_found;
    unknown
}

/// An unsigned GET (the edge's own answers, the console's pages).
fn plain_get(target: &str) -> Call {
    Call {
        method: Method::GET,
        target: target.to_owned(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn scenario(
    name: impl Into<String>,
    make: impl Fn(u64) -> Call + Send + Sync + 'static,
) -> Scenario {
    Scenario {
        name: name.into(),
        make: Arc::new(make),
        expect: success,
        client: ClientKind::Hyper,
    }
}

struct Figures {
    /// Not run: `FLOWPLANE_LOAD_ONLY` names other scenarios.
    skipped: bool,
    name: String,
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: u64,
    samples: Vec<String>,
    /// Connections opened: one per connection when they are kept alive.
    opened: u64,
    peak_rss_kib: Option<u64>,
}

/// Runs `scenario` for `seconds` over `connections` keep-alive connections.
async fn run(
    address: SocketAddr,
    scenario: &Scenario,
    seconds: f64,
    connections: usize,
    server_pid: Option<u32>,
) -> Figures {
    let skipped = std::env::var("FLOWPLANE_LOAD_ONLY").is_ok_and(|only| {
        !scenario.name.contains("unknown path") && !scenario.name.contains(&only)
    });
    let seconds = if skipped { 0.0 } else { seconds };
    let counter = Arc::new(AtomicU64::new(0));
    let host = address.to_string();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (make, counter, host) = (scenario.make.clone(), counter.clone(), host.clone());
            let (expect, kind) = (scenario.expect, scenario.client);
            tokio::spawn(async move {
                let mut latencies: Vec<u32> = Vec::with_capacity(1 << 14);
                let (mut errors, mut samples) = (0u64, Vec::new());
                let (mut conn, mut opened): (Option<Conn>, u64) = (None, 0);
                while Instant::now() < deadline {
                    if let Some(open) = conn.as_mut() {
                        if !open.usable().await {
                            conn = None;
                        }
                    }
                    if conn.is_none() {
                        opened += 1;
                        match Conn::open(kind, address).await {
                            Ok(opened) => conn = Some(opened),
                            Err(err) => {
                                errors += 1;
                                if samples.len() < 3 {
                                    samples.push(format!("connect: {err}"));
                                }
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            }
                        }
                    }
                    let call = make(counter.fetch_add(1, Ordering::Relaxed));
                    let sent = Instant::now();
                    let answer = conn.as_mut().unwrap().send(&host, call).await;
                    let elapsed = sent.elapsed();
                    match answer {
                        Ok(answer) if expect(answer.status) => {
                            latencies.push(elapsed.as_micros().min(u32::MAX as u128) as u32);
                        }
                        Ok(answer) => {
                            errors += 1;
                            if samples.len() < 3 {
                                samples.push(format!(
                                    "{} {}",
                                    answer.status,
                                    String::from_utf8_lossy(&answer.body)
                                        .chars()
                                        .take(300)
                                        .collect::<String>()
                                ));
                            }
                        }
                        Err(err) => {
                            errors += 1;
                            conn = None;
                            if samples.len() < 3 {
                                samples.push(err);
                            }
                        }
                    }
                }
                (latencies, errors, samples, opened)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let (mut errors, mut samples, mut opened) = (0, Vec::new(), 0);
    for worker in workers {
        let (l, e, s, o) = worker.await.expect("worker");
        opened += o;
        latencies.extend(l);
        errors += e;
        samples.extend(s);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * q).round() as usize)
            .map_or(0.0, |micros| f64::from(*micros) / 1e3)
    };
    samples.truncate(3);
    Figures {
        skipped,
        name: scenario.name.clone(),
        requests: latencies.len() as u64,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        errors,
        samples,
        opened,
        peak_rss_kib: server_pid.and_then(|pid| memory_kib(pid, "VmHWM:")),
    }
}

struct Report {
    title: String,
    ceiling: Option<f64>,
    rows: Vec<Figures>,
}

impl Report {
    fn new(title: impl Into<String>) -> Self {
        let title = title.into();
        println!("\n== {title}");
        println!(
            "{:<44} {:>8} {:>9} {:>7} {:>8} {:>8} {:>8} {:>6} {:>6} {:>9}",
            "scenario",
            "requests",
            "req/s",
            "ceil%",
            "p50 ms",
            "p99 ms",
            "max ms",
            "errors",
            "conns",
            "peak RSS"
        );
        Self {
            title,
            ceiling: None,
            rows: Vec::new(),
        }
    }

    fn add(&mut self, figures: Figures) {
        if figures.skipped {
            return;
        }
        if self.ceiling.is_none() {
            self.ceiling = Some(figures.per_second);
        }
        let share = self
            .ceiling
            .map_or(0.0, |ceiling| 100.0 * figures.per_second / ceiling);
        println!(
            "{:<44} {:>8} {:>9.0} {:>6.0}% {:>8.2} {:>8.2} {:>8.2} {:>6} {:>6} {:>9}",
            figures.name,
            figures.requests,
            figures.per_second,
            share,
            figures.p50_ms,
            figures.p99_ms,
            figures.max_ms,
            figures.errors,
            figures.opened,
            figures
                .peak_rss_kib
                .map_or("-".to_owned(), |kib| format!("{} MiB", kib / 1024)),
        );
        for sample in &figures.samples {
            println!("    error: {sample}");
        }
        self.rows.push(figures);
    }

    fn errors(&self) -> u64 {
        self.rows.iter().map(|r| r.errors).sum()
    }

    /// The same figures as a Markdown table, for the README.
    fn markdown(&self) {
        println!("\n{}\n", self.title);
        println!("| scenario | req/s | of ceiling | p50 ms | p99 ms | max ms | errors |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for r in &self.rows {
            let share = self
                .ceiling
                .map_or(0.0, |ceiling| 100.0 * r.per_second / ceiling);
            println!(
                "| {} | {:.0} | {:.0}% | {:.2} | {:.2} | {:.2} | {} |",
                r.name, r.per_second, share, r.p50_ms, r.p99_ms, r.max_ms, r.errors
            );
        }
    }
}

fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        line.strip_prefix(field)?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    })
}

// ---------------------------------------------------------------------------------------------
// The server

struct Server {
    child: tokio::process::Child,
    pid: u32,
    address: SocketAddr,
}

impl Server {
    /// Starts the binary on `database_url` and waits until its health check answers; returns it
    /// and the time from spawn to ready.
    async fn start(database_url: &str, log_path: &Path) -> (Self, Duration) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .expect("log file");
        let tls_dir = log_path.parent().expect("the log's directory").join("tls");
        let started = Instant::now();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_flowplane"))
            .args([
                "serve",
                "--listen",
                &address.to_string(),
                "--database-url",
                database_url,
                "--auth",
                "verify",
                "--tls-dir",
                tls_dir.to_str().expect("a UTF-8 path"),
                "--alibaba-flow-log-quota",
                "0",
                // Records come from the control API's generate and from the bulk load; the
                // background producer is not what is measured.
                "--records",
                "off",
            ])
            .env_remove("FLOWPLANE_CREDENTIALS")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("spawn flowplane");
        let pid = child.id().expect("pid");
        loop {
            if let Ok(mut conn) = Conn::open(ClientKind::Hyper, address).await {
                let health = Call {
                    method: Method::GET,
                    target: "/_flowplane/health".into(),
                    headers: Vec::new(),
                    body: Vec::new(),
                };
                if let Ok(answer) = conn.send(&address.to_string(), health).await {
                    if answer.status == 200 {
                        break;
                    }
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "flowplane did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let ready = started.elapsed();
        (
            Self {
                child,
                pid,
                address,
            },
            ready,
        )
    }

    fn rss_kib(&self) -> u64 {
        memory_kib(self.pid, "VmRSS:").unwrap_or(0)
    }

    /// SIGTERM, then waits for the exit.
    async fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("flowplane exits on SIGTERM")
            .expect("wait");
        assert!(status.success(), "flowplane exited with {status}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bulk loading

enum Backend {
    Sqlite(PathBuf),
    Postgres { admin: String, database: String },
}

impl Backend {
    fn url(&self) -> String {
        match self {
            Backend::Sqlite(path) => format!("sqlite://{}", path.display()),
            Backend::Postgres { admin, database } => with_database(admin, database),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "SQLite",
            Backend::Postgres { .. } => "Postgres",
        }
    }
}

/// `url` with its database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// What the bulk load needs to know of the rows the API made.
struct Templates {
    huawei_flow_log: String,
    alibaba_flow_log: String,
    group: String,
    stream: String,
}

/// The id of bulk-loaded Huawei flow log `i` (1-based): a UUID v4 the SQL below also makes.
fn bulk_huawei_id(i: u64) -> String {
    format!("0b0b0b0b-0000-4000-8000-{i:012x}")
}

/// Inserts `rows` Huawei flow logs in the project, `rows / 10` Alibaba ones in the account and
/// `rows` records (`RECORDS_PER_STREAM` in the bench stream, the rest in further streams of its
/// group), copying the columns of rows the API made. Returns the time taken.
async fn bulk_load(backend: &Backend, templates: &Templates, rows: u64) -> Duration {
    let started = Instant::now();
    let alibaba = (rows / 10).max(1);
    let streams = rows.div_ceil(RECORDS_PER_STREAM).max(1);
    let now_ms = Utc::now().timestamp_millis();
    let flow_log_columns = "id, provider, tenant_id, region_id, name, description, resource_kind, \
        resource_id, traffic_filter, traffic_paths, aggregation_interval, ip_version, log_format, \
        log_group, log_topic, index_enabled, resource_group_id, status, due_at, created_at, \
        updated_at, active_since, records_through, delivery_fault";
    let copied = |id: &str, resource: &str| {
        format!(
            "{id}, provider, tenant_id, region_id, name, description, resource_kind, {resource}, \
             traffic_filter, traffic_paths, aggregation_interval, ip_version, log_format, \
             log_group, log_topic, index_enabled, resource_group_id, status, due_at, created_at, \
             updated_at, active_since, records_through, delivery_fault"
        )
    };
    let stream_columns = "provider, tenant_id, region_id, group_id, id, name, description, \
        ttl_days, tags, attributes, created_at, updated_at";
    let record_columns = "provider, tenant_id, region_id, group_id, stream_id, flow_log_id, \
        window_start, time, sample";
    let (t_hw, t_ali, group, stream) = (
        &templates.huawei_flow_log,
        &templates.alibaba_flow_log,
        &templates.group,
        &templates.stream,
    );
    let statements: Vec<String> = match backend {
        Backend::Sqlite(_) => {
            let series = |n: u64| {
                format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})"
                )
            };
            vec![
                format!(
                    "INSERT INTO flow_logs ({flow_log_columns}) {} SELECT {} FROM n, \
                     (SELECT * FROM flow_logs WHERE id = '{t_hw}') t",
                    series(rows),
                    copied(
                        "printf('0b0b0b0b-0000-4000-8000-%012x', i)",
                        "'port-bulk-' || i"
                    )
                ),
                format!(
                    "INSERT INTO flow_logs ({flow_log_columns}) {} SELECT {} FROM n, \
                     (SELECT * FROM flow_logs WHERE id = '{t_ali}') t",
                    series(alibaba),
                    copied("printf('fl-bulk%016d', i)", "'vpc-bulk-' || i")
                ),
                format!(
                    "INSERT INTO log_streams ({stream_columns}) {} SELECT provider, tenant_id, \
                     region_id, group_id, id || '-' || i, name || '-' || i, description, \
                     ttl_days, tags, attributes, created_at, updated_at FROM n, \
                     (SELECT * FROM log_streams WHERE group_id = '{group}' AND id = '{stream}') t \
                     WHERE i < {streams}",
                    series(streams)
                ),
                format!(
                    "INSERT INTO flow_log_records ({record_columns}) {} SELECT provider, \
                     tenant_id, region_id, group_id, CASE WHEN i % {streams} = 0 THEN stream_id \
                     ELSE stream_id || '-' || (i % {streams}) END, flow_log_id, \
                     {now_ms} - (i / {streams}) * 1000, {now_ms} - (i / {streams}) * 1000, sample \
                     FROM n, (SELECT * FROM flow_log_records WHERE stream_id = '{stream}' \
                     ORDER BY seq LIMIT 1) t",
                    series(rows)
                ),
            ]
        }
        Backend::Postgres { .. } => {
            let series = |n: u64| format!("generate_series(1, {n}) AS n(i)");
            vec![
                format!(
                    "INSERT INTO flow_logs ({flow_log_columns}) SELECT {} FROM {}, \
                     (SELECT * FROM flow_logs WHERE id = '{t_hw}') t",
                    copied(
                        "'0b0b0b0b-0000-4000-8000-' || lpad(to_hex(i), 12, '0')",
                        "'port-bulk-' || i"
                    ),
                    series(rows)
                ),
                format!(
                    "INSERT INTO flow_logs ({flow_log_columns}) SELECT {} FROM {}, \
                     (SELECT * FROM flow_logs WHERE id = '{t_ali}') t",
                    copied("'fl-bulk' || lpad(i::text, 16, '0')", "'vpc-bulk-' || i"),
                    series(alibaba)
                ),
                format!(
                    "INSERT INTO log_streams ({stream_columns}) SELECT provider, tenant_id, \
                     region_id, group_id, id || '-' || i, name || '-' || i, description, \
                     ttl_days, tags, attributes, created_at, updated_at FROM {}, \
                     (SELECT * FROM log_streams WHERE group_id = '{group}' AND id = '{stream}') t \
                     WHERE i < {streams}",
                    series(streams)
                ),
                format!(
                    "INSERT INTO flow_log_records ({record_columns}) SELECT provider, \
                     tenant_id, region_id, group_id, CASE WHEN i % {streams} = 0 THEN stream_id \
                     ELSE stream_id || '-' || (i % {streams}) END, flow_log_id, \
                     {now_ms} - (i / {streams}) * 1000, {now_ms} - (i / {streams}) * 1000, sample \
                     FROM {}, (SELECT * FROM flow_log_records WHERE stream_id = '{stream}' \
                     ORDER BY seq LIMIT 1) t",
                    series(rows)
                ),
                // Planner statistics, as autovacuum would gather them soon after such a load.
                "ANALYZE".to_owned(),
            ]
        }
    };
    match backend {
        Backend::Sqlite(path) => {
            use sqlx::{ConnectOptions, Connection};
            let mut db = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .connect()
                .await
                .expect("open the SQLite file");
            for statement in &statements {
                sqlx::query(statement)
                    .execute(&mut db)
                    .await
                    .unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
            // Closed, so that the write-ahead log is checkpointed as a server's clean
            // shutdown leaves it (a restart would otherwise replay the whole load).
            db.close().await.expect("close the SQLite file");
        }
        Backend::Postgres { .. } => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&backend.url())
                .await
                .expect("connect to Postgres");
            for statement in &statements {
                sqlx::query(statement)
                    .execute(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
            pool.close().await;
        }
    }
    started.elapsed()
}

// ---------------------------------------------------------------------------------------------
// The runs

fn create_body(n: u64, run: &str) -> Value {
    json!({"flow_log": {
        "name": format!("load-{n}"), "resource_type": "port", "resource_id": format!("port-{run}-{n}"),
        "traffic_type": "all", "log_group_id": "05b1c9a6-9b0e-4c5f-8f3a-1d2e3f4a5b6c",
        "log_topic_id": "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d"}})
}

fn flow_logs_path() -> String {
    format!("/v1/{PROJECT}/fl/flow_logs")
}

/// The record query: LTS `ListLogs` of the bench stream over its last ten minutes, 50 lines.
fn list_logs(host: &str, group: &str, stream: &str) -> Call {
    let to = Utc::now().timestamp_millis();
    huawei(
        host,
        Method::POST,
        &format!("/v2/{PROJECT}/groups/{group}/streams/{stream}/content/query"),
        Some(json!({"start_time": to - 600_000, "end_time": to, "limit": 50, "is_desc": true})),
    )
}

async fn run_backend(options: &Options, backend: Backend, dir: &Path) -> Vec<Report> {
    let log = dir.join(format!("flowplane-{}.log", backend.name()));
    let url = backend.url();
    let (server, ready) = Server::start(&url, &log).await;
    let (address, pid) = (server.address, server.pid);
    let host = address.to_string();
    let idle = server.rss_kib();
    let (seconds, connections) = (options.seconds, options.connections);
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    println!(
        "\nflowplane load: {} ({}), {connections} connections, {seconds} s per scenario, --auth verify; \
         ready in {} ms on an empty database, idle RSS {} MiB",
        backend.name(),
        url,
        ready.as_millis(),
        idle / 1024
    );

    // A log group and stream, and one flow log delivering into them with an hour of records.
    let mut setup = Setup::new(address).await;
    let group = setup
        .ok(huawei(
            &host,
            Method::POST,
            &format!("/v2/{PROJECT}/groups"),
            Some(json!({"log_group_name": "load-group", "ttl_in_days": 7})),
        ))
        .await["log_group_id"]
        .as_str()
        .expect("log_group_id")
        .to_owned();
    let stream = setup
        .ok(huawei(
            &host,
            Method::POST,
            &format!("/v2/{PROJECT}/groups/{group}/streams"),
            Some(json!({"log_stream_name": "load-stream"})),
        ))
        .await["log_stream_id"]
        .as_str()
        .expect("log_stream_id")
        .to_owned();
    let template = setup
        .ok(huawei(
            &host,
            Method::POST,
            &flow_logs_path(),
            Some(json!({"flow_log": {
                "name": "load-template", "resource_type": "port", "resource_id": "port-template",
                "traffic_type": "all", "log_group_id": group, "log_topic_id": stream}})),
        ))
        .await["flow_log"]["id"]
        .as_str()
        .expect("flow log id")
        .to_owned();
    let generated = setup
        .ok(Call {
            method: Method::POST,
            target: "/_flowplane/records/generate".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&json!({"windows": 6, "flow_log_id": template})).unwrap(),
        })
        .await;
    assert!(
        generated["records"].as_u64().unwrap_or(0) > 0,
        "{generated}"
    );
    let alibaba_template = setup
        .ok(alibaba(
            "CreateFlowLog",
            &[
                ("ResourceType", "VPC"),
                ("ResourceId", "vpc-template"),
                ("TrafficType", "All"),
                ("ProjectName", "load-project"),
                ("LogStoreName", "load-store"),
            ],
        ))
        .await["FlowLogId"]
        .as_str()
        .expect("FlowLogId")
        .to_owned();
    drop(setup);

    let mut reports = Vec::new();
    let mut report = Report::new(format!(
        "{}: empty database, {connections} connections, {seconds} s each",
        backend.name()
    ));
    // A warm-up (not reported): connections, the server's and the client's first allocations.
    let mut warm_up = unknown_path();
    warm_up.name = "warm-up".into();
    run(address, &warm_up, seconds.min(1.0), connections, Some(pid)).await;
    for kind in [ClientKind::Hyper, ClientKind::Reqwest] {
        let mut unknown = unknown_path();
        if kind == ClientKind::Reqwest {
            unknown.name = "unknown path (ceiling, reqwest)".into();
        }
        unknown.client = kind;
        report.add(run(address, &unknown, seconds, connections, Some(pid)).await);
    }
    // Huawei creates on `host` named `label`, their bodies unique to the run's `tag` (a plain
    // function of its arguments: the server's host changes with its restart).
    let huawei_create = |host: &str, label: String, tag: String| {
        let h = host.to_owned();
        scenario(label, move |n| {
            huawei(
                &h,
                Method::POST,
                &flow_logs_path(),
                Some(create_body(n, &tag)),
            )
        })
    };
    report.add(
        run(
            address,
            &huawei_create(&host, "Huawei CreateFlowLog".into(), run_id.clone()),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    // The ids to show, and a marker from the middle.
    let mut setup = Setup::new(address).await;
    let listed = setup
        .ok(huawei(
            &host,
            Method::GET,
            &format!("{}?limit=2000", flow_logs_path()),
            None,
        ))
        .await;
    let ids: Arc<Vec<String>> = Arc::new(
        listed["flow_logs"]
            .as_array()
            .expect("flow_logs")
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect(),
    );
    let marker = ids[ids.len() / 2].clone();
    let scenarios_read = |host: &str, ids: Arc<Vec<String>>, marker: String, label: &str| {
        let (h1, h2) = (host.to_owned(), host.to_owned());
        vec![
            scenario(format!("Huawei ShowFlowLog{label}"), move |n| {
                let id = &ids[(n as usize).wrapping_mul(7919) % ids.len()];
                huawei(
                    &h1,
                    Method::GET,
                    &format!("{}/{id}", flow_logs_path()),
                    None,
                )
            }),
            scenario(
                format!("Huawei ListFlowLogs 50 after a marker{label}"),
                move |_| {
                    huawei(
                        &h2,
                        Method::GET,
                        &format!("{}?limit=50&marker={marker}", flow_logs_path()),
                        None,
                    )
                },
            ),
        ]
    };
    for s in scenarios_read(&host, ids.clone(), marker.clone(), "") {
        report.add(run(address, &s, seconds, connections, Some(pid)).await);
    }
    let r = run_id.clone();
    report.add(
        run(
            address,
            &scenario("Alibaba CreateFlowLog", move |n| {
                alibaba(
                    "CreateFlowLog",
                    &[
                        ("ResourceType", "VPC"),
                        ("ResourceId", &format!("vpc-{r}{n}")),
                        ("TrafficType", "All"),
                        ("ProjectName", "load-project"),
                        ("LogStoreName", "load-store"),
                    ],
                )
            }),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    let describe = |label: &str| {
        scenario(
            format!("Alibaba DescribeFlowLogs page 3 of 50{label}"),
            |_| {
                alibaba(
                    "DescribeFlowLogs",
                    &[("PageNumber", "3"), ("PageSize", "50")],
                )
            },
        )
    };
    report.add(run(address, &describe(""), seconds, connections, Some(pid)).await);
    let h = host.clone();
    report.add(
        run(
            address,
            &scenario("Huawei CreateVpc", move |n| {
                huawei(
                    &h,
                    Method::POST,
                    &format!("/v1/{PROJECT}/vpcs"),
                    Some(json!({"vpc": {"name": format!("load-{n}"), "cidr": "10.0.0.0/16"}})),
                )
            }),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    report.add(
        run(
            address,
            &scenario("Alibaba CreateVpc", |n| {
                alibaba(
                    "CreateVpc",
                    &[
                        ("CidrBlock", "10.0.0.0/16"),
                        ("VpcName", &format!("load-{n}")),
                    ],
                )
            }),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    let (h, g, s) = (host.clone(), group.clone(), stream.clone());
    report.add(
        run(
            address,
            &scenario("LTS ListLogs 50 of 10 minutes (records)", move |_| {
                list_logs(&h, &g, &s)
            }),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    drop(setup);
    let peak = memory_kib(pid, "VmHWM:").unwrap_or(0);
    println!(
        "memory: idle {} MiB, now {} MiB, peak {} MiB",
        idle / 1024,
        server.rss_kib() / 1024,
        peak / 1024
    );
    reports.push(report);

    // Stop, bulk-load, restart.
    server.stop().await;
    let rows = options.rows;
    let loaded = bulk_load(
        &backend,
        &Templates {
            huawei_flow_log: template,
            alibaba_flow_log: alibaba_template,
            group: group.clone(),
            stream: stream.clone(),
        },
        rows,
    )
    .await;
    let (server, ready) = Server::start(&url, &log).await;
    let (address, pid) = (server.address, server.pid);
    let host = address.to_string();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = server.rss_kib();
    println!(
        "\nbulk load: {rows} Huawei flow logs, {} Alibaba flow logs in one account, {rows} records \
         in {:.1} s; restarted: ready in {} ms, idle RSS {} MiB",
        (rows / 10).max(1),
        loaded.as_secs_f64(),
        ready.as_millis(),
        idle / 1024
    );
    let mut report = Report::new(format!(
        "{}: after loading {rows} Huawei flow logs (+{} Alibaba in one account, +{rows} records); \
         ready in {} ms, idle RSS {} MiB",
        backend.name(),
        (rows / 10).max(1),
        ready.as_millis(),
        idle / 1024
    ));
    let unknown = unknown_path();
    report.add(run(address, &unknown, seconds, connections, Some(pid)).await);
    let bulk_ids: Arc<Vec<String>> = Arc::new(
        (0..10_000u64)
            .map(|k| bulk_huawei_id(1 + k * rows / 10_000))
            .collect(),
    );
    let label = format!(" @{rows}");
    for s in scenarios_read(&host, bulk_ids, bulk_huawei_id(rows / 2), &label) {
        report.add(run(address, &s, seconds, connections, Some(pid)).await);
    }
    report.add(
        run(
            address,
            &describe(&format!(" @{}", (rows / 10).max(1))),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    let (h, g, s) = (host.clone(), group.clone(), stream.clone());
    report.add(
        run(
            address,
            &scenario(
                format!("LTS ListLogs 50 of 10 minutes @{rows} records"),
                move |_| list_logs(&h, &g, &s),
            ),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    // The latency of one request at a time (the p99 targets), beside the throughput above.
    let bulk_ids: Arc<Vec<String>> = Arc::new(
        (0..10_000u64)
            .map(|k| bulk_huawei_id(1 + k * rows / 10_000))
            .collect(),
    );
    let label = format!(" @{rows}, 1 connection");
    for s in scenarios_read(&host, bulk_ids, bulk_huawei_id(rows / 2), &label)
        .into_iter()
        .skip(1)
    {
        report.add(run(address, &s, seconds, 1, Some(pid)).await);
    }
    report.add(
        run(
            address,
            &describe(&format!(" @{}, 1 connection", (rows / 10).max(1))),
            seconds,
            1,
            Some(pid),
        )
        .await,
    );
    // The console's pages that read the most, one at a time as a person loads them.
    let marker = bulk_huawei_id(rows / 2);
    for (name, target) in [
        ("overview", "/_flowplane/ui".to_owned()),
        (
            "flow logs after a marker",
            format!("/_flowplane/ui/flow-logs?after={marker}"),
        ),
    ] {
        let page = scenario(format!("Console {name} @{rows}, 1 connection"), move |_| {
            plain_get(&target)
        });
        report.add(run(address, &page, seconds, 1, Some(pid)).await);
    }
    report.add(
        run(
            address,
            &huawei_create(
                &host,
                format!("Huawei CreateFlowLog @{rows}"),
                format!("{run_id}b"),
            ),
            seconds,
            connections,
            Some(pid),
        )
        .await,
    );
    println!(
        "memory: idle {} MiB, now {} MiB, peak {} MiB",
        idle / 1024,
        server.rss_kib() / 1024,
        memory_kib(pid, "VmHWM:").unwrap_or(0) / 1024
    );
    server.stop().await;
    reports.push(report);
    reports
}

/// EC2 flow logs on a moto_server: CreateFlowLogs and DescribeFlowLogs (50 of them).
async fn run_moto(options: &Options, base: &str) -> Report {
    let address: SocketAddr =
        tokio::net::lookup_host(base.trim_start_matches("http://").trim_end_matches('/'))
            .await
            .expect("moto address")
            .next()
            .expect("an address");
    let mut setup = Setup::new(address).await;
    let vpc = setup
        .call(ec2(&[
            ("Action", "CreateVpc"),
            ("CidrBlock", "10.0.0.0/16"),
        ]))
        .await;
    let text = String::from_utf8_lossy(&vpc.body);
    let vpc_id = text
        .split("<vpcId>")
        .nth(1)
        .and_then(|rest| rest.split("</vpcId>").next())
        .unwrap_or_else(|| panic!("no vpcId in {text}"))
        .to_owned();
    let create = move |n: u64, vpc: &str| {
        ec2(&[
            ("Action", "CreateFlowLogs"),
            ("ResourceId.1", vpc),
            ("ResourceType", "VPC"),
            ("TrafficType", "ALL"),
            ("LogGroupName", &format!("load-{n}")),
            (
                "DeliverLogsPermissionArn",
                "arn:aws:iam::123456789012:role/flow-logs",
            ),
        ])
    };
    for n in 0..50 {
        let answer = setup.call(create(1_000_000_000 + n, &vpc_id)).await;
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
    }
    let mut report = Report::new(format!(
        "moto ({base}): {} connections, {} s each",
        options.connections, options.seconds
    ));
    let mut unknown = unknown_path();
    unknown.expect = |_| true;
    report.add(
        run(
            address,
            &unknown,
            options.seconds,
            options.connections,
            None,
        )
        .await,
    );
    report.add(
        run(
            address,
            &scenario("EC2 DescribeFlowLogs (50 flow logs)", |_| {
                ec2(&[("Action", "DescribeFlowLogs"), ("MaxResults", "50")])
            }),
            options.seconds,
            options.connections,
            None,
        )
        .await,
    );
    report.add(
        run(
            address,
            &scenario("EC2 CreateFlowLogs", move |n| create(n, &vpc_id)),
            options.seconds,
            options.connections,
            None,
        )
        .await,
    );
    report
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    let dir = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    if let Some(moto) = &options.moto {
        reports.push(run_moto(&options, moto).await);
    } else {
        let mut backends = Vec::new();
        match &options.database_url {
            Some(url) if url.starts_with("postgres") => backends.push(url.clone()),
            Some(url) => backends.push(url.clone()),
            None => {
                backends.push("sqlite".to_owned());
                if let Ok(url) = std::env::var("FLOWPLANE_TEST_POSTGRES_URL") {
                    backends.push(url);
                }
            }
        }
        for url in backends {
            let (backend, admin) = if url.starts_with("postgres") {
                let database = format!("flowplane_load_{}", std::process::id());
                let admin = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&url)
                    .await
                    .expect("connect to Postgres");
                sqlx::query(&format!("CREATE DATABASE {database}"))
                    .execute(&admin)
                    .await
                    .expect("create the load database");
                (
                    Backend::Postgres {
                        admin: url.clone(),
                        database,
                    },
                    Some(admin),
                )
            } else {
                let path = url
                    .strip_prefix("sqlite://")
                    .map_or_else(|| dir.path().join("load.db"), PathBuf::from);
                (Backend::Sqlite(path), None)
            };
            let database = match &backend {
                Backend::Postgres { database, .. } => Some(database.clone()),
                Backend::Sqlite(_) => None,
            };
            reports.extend(run_backend(&options, backend, dir.path()).await);
            if let (Some(admin), Some(database)) = (admin, database) {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
            }
        }
    }
    println!("\nmachine: {} cores, {}", num_cpus(), cpu_model());
    for report in &reports {
        report.markdown();
    }
    let errors: u64 = reports.iter().map(Report::errors).sum();
    if errors > 0 {
        eprintln!("load: {errors} requests failed");
        std::process::exit(1);
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                line.strip_prefix("model name")?
                    .split_once(':')
                    .map(|(_, m)| m.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}
