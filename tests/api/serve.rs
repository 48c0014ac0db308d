//! The real listener and the binary: serving over a socket, graceful shutdown, the CLI.

use std::process::Command;
use std::time::Duration;

use flowplane::app::App;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::helpers::*;

#[tokio::test]
async fn serves_over_a_socket_and_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("flowplane.db").display());
    let app = App::build(&serve_args(&url, &[])).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(listener, async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let health: Value = client
        .get(format!("{base}/_flowplane/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let response = client
        .post(format!("{base}{}", flow_logs_path(PROJECT)))
        .json(&create_body("port-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_huawei_request_id(response.headers()["x-request-id"].to_str().unwrap());

    stop.send(()).unwrap();
    let served = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap();
    assert!(served.is_ok(), "{served:?}");
    assert!(
        client
            .get(format!("{base}/_flowplane/health"))
            .send()
            .await
            .is_err(),
        "the listener is closed"
    );

    // What was acknowledged is on disk for the next process.
    let reopened = TestApp::on_file(&dir.path().join("flowplane.db"), &[]).await;
    assert_eq!(reopened.stored().await.len(), 1);
}

/// Runs the binary with only the given `FLOWPLANE_*` variables set.
fn flowplane_with_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowplane"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("FLOWPLANE_")) {
        command.env_remove(name);
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

fn flowplane(args: &[&str]) -> std::process::Output {
    flowplane_with_env(args, &[])
}

#[test]
fn help_and_version() {
    let help = flowplane(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for word in [
        "serve",
        "migrate",
        "--listen",
        "--database-url",
        "--transition-delay",
        "--log-format",
        "--auth",
        "--credentials",
    ] {
        assert!(text.contains(word), "--help mentions {word}: {text}");
    }
    let version = flowplane(&["--version"]);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("flowplane {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn migrate_creates_and_migrates_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", db.display());
    let output = flowplane(&["migrate", "--database-url", &url]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(db.exists());
    // Running it again is a no-op.
    assert!(flowplane(&["migrate", "--database-url", &url])
        .status
        .success());
}

#[test]
fn an_unusable_database_is_a_clear_error_and_a_failing_exit() {
    let output = flowplane(&[
        "migrate",
        "--database-url",
        "sqlite:///nonexistent-dir/sub/flowplane.db",
    ]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot open the database"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let output = flowplane(&["--database-url", "mysql://localhost/db"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("postgres://"));
}

#[test]
fn every_option_has_an_environment_twin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env.db");
    let url = format!("sqlite://{}", db.display());
    let output = flowplane_with_env(&["migrate"], &[("FLOWPLANE_DATABASE_URL", &url)]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(db.exists(), "FLOWPLANE_DATABASE_URL was used");

    for (name, bad) in [
        ("FLOWPLANE_LISTEN", "not-an-address"),
        ("FLOWPLANE_TRANSITION_DELAY", "soon"),
        ("FLOWPLANE_REQUEST_TIMEOUT", "-1s"),
        ("FLOWPLANE_LOG_FORMAT", "xml"),
        ("FLOWPLANE_AUTH", "maybe"),
        ("FLOWPLANE_CREDENTIALS", "/nonexistent-dir/credentials.toml"),
    ] {
        let output = flowplane_with_env(&["serve", "--database-url", &url], &[(name, bad)]);
        assert!(!output.status.success(), "{name}={bad} is read and refused");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(bad),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_bad_credentials_file_is_a_clear_error_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("never-created.db").display());
    let missing = dir.path().join("missing.toml");
    let output = flowplane(&[
        "serve",
        "--database-url",
        &url,
        "--credentials",
        missing.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot use the credentials"), "{stderr}");
    assert!(stderr.contains("missing.toml"), "{stderr}");

    // A malformed file names the file and the line, and never prints the secret on it.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[huawei]]\naccess_key = \"AK\"\nsecret_key = 9876543210\n",
    )
    .unwrap();
    let output = flowplane_with_env(
        &["serve", "--database-url", &url],
        &[("FLOWPLANE_CREDENTIALS", bad.to_str().unwrap())],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.toml: line 3"), "{stderr}");
    assert!(!stderr.contains("9876543210"), "{stderr}");
    // The credentials are read before the database is opened.
    assert!(!dir.path().join("never-created.db").exists());
}

#[test]
fn a_postgres_url_is_refused_clearly_until_that_backend_exists() {
    let output = flowplane(&[
        "serve",
        "--database-url",
        "postgres://user:secret@127.0.0.1:1/db",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Postgres backend is not built yet"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret"),
        "the password is never printed: {stderr}"
    );
}

/// A `flowplane serve` process on `database_url`, on a port the OS picked, with its JSON log
/// lines available in `log`.
struct ServerProcess {
    child: tokio::process::Child,
    base: String,
    log: tokio::sync::mpsc::UnboundedReceiver<Value>,
}

impl ServerProcess {
    async fn start(database_url: &str) -> Self {
        use tokio::io::AsyncBufReadExt;

        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_flowplane"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "json",
                "--database-url",
                database_url,
                "--auth",
                "off",
            ])
            .env_remove("FLOWPLANE_LOG")
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let (sender, mut log) = tokio::sync::mpsc::unbounded_channel();
        // Read the log all along, so the server never blocks on a full pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(event) = serde_json::from_str::<Value>(&line) {
                    let _ = sender.send(event);
                }
            }
        });
        // The startup line names the address actually bound.
        let base = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(event) = log.recv().await {
                if let Some(listen) = event["fields"]["listen"].as_str() {
                    return format!("http://{listen}");
                }
            }
            panic!("the server exited before it listened");
        })
        .await
        .expect("the server starts listening");
        Self { child, base, log }
    }

    /// The next log event that `wanted` accepts, within a deadline.
    async fn next_event(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let event = self.log.recv().await.expect("the server is still logging");
                if wanted(&event) {
                    return event;
                }
            }
        })
        .await
        .expect("the event was logged")
    }
}

#[tokio::test]
async fn each_request_is_logged_in_a_span_carrying_its_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        ServerProcess::start(&format!("sqlite://{}", dir.path().join("f.db").display())).await;
    let response = reqwest::get(format!("{}{}", server.base, flow_logs_path(PROJECT)))
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let event = server
        .next_event(|event| event["fields"]["message"] == "request served")
        .await;
    assert_eq!(event["span"]["name"], "request", "{event}");
    assert_eq!(event["span"]["request_id"], request_id.as_str(), "{event}");
    assert_eq!(event["span"]["method"], "GET", "{event}");
    assert_eq!(event["fields"]["status"], 200, "{event}");
}

#[tokio::test]
async fn an_acknowledged_write_survives_a_killed_process() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("flowplane.db").display());
    let client = reqwest::Client::new();

    let mut server = ServerProcess::start(&url).await;
    let created = client
        .post(format!("{}{}", server.base, flow_logs_path(PROJECT)))
        .json(&create_body("port-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let id = created.json::<Value>().await.unwrap()["flow_log"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let disabled = client
        .put(format!("{}{}", server.base, flow_log_path(PROJECT, &id)))
        .json(&serde_json::json!({"flow_log": {"admin_state": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    server.child.kill().await.unwrap(); // SIGKILL: no shutdown, no checkpoint

    let server = ServerProcess::start(&url).await;
    let shown: Value = client
        .get(format!("{}{}", server.base, flow_log_path(PROJECT, &id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["flow_log"]["status"], "DOWN", "{shown}");
}

#[tokio::test]
async fn sigint_and_sigterm_stop_the_server_cleanly() {
    for signal in ["-INT", "-TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let mut server =
            ServerProcess::start(&format!("sqlite://{}", dir.path().join("f.db").display())).await;
        let pid = server.child.id().unwrap().to_string();
        assert!(Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success());
        server
            .next_event(|event| event["fields"]["message"] == "flowplane stopped")
            .await;
        let status = tokio::time::timeout(Duration::from_secs(10), server.child.wait())
            .await
            .expect("it exits")
            .unwrap();
        assert!(status.success(), "{signal}: {status}");
    }
}
