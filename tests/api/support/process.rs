//! The real binary: one-shot runs of the CLI, a `flowplane serve` process with its JSON log read
//! all along, HTTP over a socket with reqwest; and the waits and notes such tests need.

use std::time::Duration;

use serde_json::Value;

use super::alibaba::create_params;
use super::huawei::{create_body, flow_logs_path};
use super::{ALIBABA_KEY, PROJECT, REGION};

/// The `flowplane` binary, with none of the environment's `FLOWPLANE_*` variables.
pub fn flowplane_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flowplane"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("FLOWPLANE_")) {
        command.env_remove(name);
    }
    command
}

/// Runs the binary with only the given `FLOWPLANE_*` variables set.
pub fn flowplane_with_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    flowplane_command()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

pub fn flowplane(args: &[&str]) -> std::process::Output {
    flowplane_with_env(args, &[])
}

/// A GET over the socket: the status, the JSON body and the `X-Request-Id`, if any.
pub async fn get_json(client: &reqwest::Client, url: &str) -> (u16, Value, Option<String>) {
    let response = client.get(url).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        status,
        response.json().await.expect("a JSON body"),
        request_id,
    )
}

/// A Huawei create of `resource_id` in `PROJECT` over the socket, on the server at `base`.
pub async fn post_create(
    client: &reqwest::Client,
    base: &str,
    resource_id: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}{}", flow_logs_path(PROJECT)))
        .json(&create_body(resource_id))
        .send()
        .await
        .unwrap()
}

/// A `flowplane serve` process on `database_url`, on a port the OS picked, with its JSON log
/// lines read all along (so it never blocks on a full pipe) and kept.
pub struct ServerProcess {
    pub child: tokio::process::Child,
    pub base: String,
    log: tokio::sync::mpsc::UnboundedReceiver<Value>,
    /// Every log event received so far.
    seen: Vec<Value>,
}

impl ServerProcess {
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    pub async fn start_with(database_url: &str, extra: &[&str]) -> Self {
        Self::start_on("127.0.0.1:0", database_url, extra, &[]).await
    }

    /// A process listening on `listen` (an unspecified address is then asked on loopback),
    /// with `extra` arguments and the `env` variables set.
    pub async fn start_on(
        listen: &str,
        database_url: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        use tokio::io::AsyncBufReadExt;

        let mut command = tokio::process::Command::from(flowplane_command());
        let mut child = command
            .envs(env.iter().copied())
            .args([
                "serve",
                "--listen",
                listen,
                "--log-format",
                "json",
                "--database-url",
                database_url,
            ])
            .args(extra)
            // Unsigned requests, unless the caller asks for verification.
            .args(if extra.contains(&"--auth") {
                &[][..]
            } else {
                &["--auth", "off"][..]
            })
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let (sender, log) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(event) = serde_json::from_str::<Value>(&line) {
                    let _ = sender.send(event);
                }
            }
        });
        let mut server = Self {
            child,
            base: String::new(),
            log,
            seen: Vec::new(),
        };
        // The startup line names the address actually bound.
        let startup = tokio::time::timeout(
            Duration::from_secs(30),
            server.next_event(|event| event["fields"]["listen"].is_string()),
        )
        .await
        .expect("the server starts listening");
        let bound = startup["fields"]["listen"].as_str().unwrap();
        server.base = format!("http://{}", bound.replace("0.0.0.0:", "127.0.0.1:"));
        server
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a Huawei flow log on `resource_id` through this process; returns its id.
    pub async fn create_huawei_id(&self, client: &reqwest::Client, resource_id: &str) -> String {
        let created = post_create(client, &self.base, resource_id).await;
        assert_eq!(created.status(), 200);
        created.json::<Value>().await.unwrap()["flow_log"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An Alibaba RPC call to this server, as the default test account in the default region:
    /// its status and JSON body.
    pub fn alibaba(
        &self,
        client: &reqwest::Client,
        action: &str,
        params: &[(&str, &str)],
    ) -> impl std::future::Future<Output = (u16, Value)> + Send + 'static {
        let mut query = vec![
            ("Action", action),
            ("Version", "2016-04-28"),
            ("AccessKeyId", ALIBABA_KEY),
            ("RegionId", REGION),
        ];
        query.extend_from_slice(params);
        let request = client.post(self.url("/")).query(&query).send();
        async move {
            let response = request.await.unwrap();
            let status = response.status().as_u16();
            (status, response.json().await.unwrap())
        }
    }

    /// Creates an Alibaba flow log on the VPC `resource_id` through this process.
    pub fn create_alibaba(
        &self,
        client: &reqwest::Client,
        resource_id: &str,
    ) -> impl std::future::Future<Output = (u16, Value)> + Send + 'static {
        self.alibaba(client, "CreateFlowLog", &create_params(resource_id))
    }

    /// The next log event that `wanted` accepts, within a deadline.
    pub async fn next_event(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let event = self.log.recv().await.expect("the server is still logging");
                self.seen.push(event.clone());
                if wanted(&event) {
                    return event;
                }
            }
        })
        .await
        .expect("the event was logged")
    }

    /// Sends `signal` (`-TERM`, `-INT`…) to the process.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().expect("still running").to_string();
        assert!(std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success());
    }

    /// SIGTERM, then asserts a clean exit and returns every event the process logged.
    pub async fn stop(mut self) -> Vec<Value> {
        self.signal("-TERM");
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("it exits")
            .unwrap();
        assert!(status.success(), "{status}");
        while let Some(event) = self.log.recv().await {
            self.seen.push(event);
        }
        self.seen
    }
}

/// The sum of the `completed` counts the transition worker logged in `events`.
pub fn completions_logged(events: &[Value]) -> u64 {
    events
        .iter()
        .filter(|event| event["fields"]["message"] == "transitions completed")
        .map(|event| event["fields"]["completed"].as_u64().expect("a count"))
        .sum()
}

/// Waits for `condition` with a deadline instead of sleeping a guessed time.
pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Says that (part of) a test was skipped and why, past libtest's output capture (which takes
/// only the `print!` family), so that it shows in every run.
pub fn skip(what: &str, why: &str) {
    use std::io::Write;

    let _ = std::io::stderr().write_all(format!("note: {what} skipped: {why}\n").as_bytes());
}
