//! The real listener and the binary: serving over a socket, graceful shutdown, the CLI.

use std::time::Duration;

use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn serves_over_a_socket_and_shuts_down_gracefully() {
    let db = TestDb::new().await;
    let served = Served::start(&db, &[]).await;
    let base = served.http();

    let client = reqwest::Client::new();
    let (_, health, _) = get_json(&client, &format!("{base}/_flowplane/health")).await;
    assert_eq!(health["status"], "ok");
    let response = post_create(&client, &base, "port-1").await;
    assert_eq!(response.status(), 200);
    assert_huawei_request_id(response.headers()["x-request-id"].to_str().unwrap());

    served.stop_within(Duration::from_secs(10)).await;
    assert!(
        client
            .get(format!("{base}/_flowplane/health"))
            .send()
            .await
            .is_err(),
        "the listener is closed"
    );

    // What was acknowledged is stored for the next process.
    let reopened = TestApp::on(&db, &[]).await;
    assert_eq!(reopened.stored().await.len(), 1);
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
        "--database-max-connections",
        "--database-acquire-timeout",
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

#[tokio::test]
async fn migrate_on_the_suites_backend_is_repeatable() {
    let db = TestDb::new().await;
    for _ in 0..2 {
        let output = flowplane(&["migrate", "--database-url", db.url()]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let app = TestApp::on(&db, &[]).await;
    app.create_huawei(PROJECT, "port-1").await;
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
        ("FLOWPLANE_DATABASE_MAX_CONNECTIONS", "lots"),
        ("FLOWPLANE_DATABASE_ACQUIRE_TIMEOUT", "whenever"),
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
fn an_unreachable_postgres_is_a_clear_error_and_a_failing_exit() {
    // Nothing listens on port 1; a directory without a server socket in it.
    let no_socket = tempfile::tempdir().unwrap();
    let socket_url = format!(
        "postgres://user:secret@localhost/db?host={}",
        no_socket.path().display()
    );
    for (command, url) in [
        ("serve", "postgres://user:secret@127.0.0.1:1/db"),
        ("migrate", "postgresql://user:secret@127.0.0.1:1/db"),
        ("serve", socket_url.as_str()),
    ] {
        let output = flowplane(&[
            command,
            "--database-url",
            url,
            "--database-acquire-timeout",
            "2s",
        ]);
        assert!(!output.status.success(), "{command} {url}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("cannot open the database postgres") && stderr.contains("user:***@"),
            "{stderr}"
        );
        assert!(
            stderr.contains("refused") || stderr.contains("No such file"),
            "the reason is given: {stderr}"
        );
        assert!(
            !stderr.contains("secret"),
            "the password is never printed: {stderr}"
        );
    }
}

#[test]
fn a_password_parameter_of_the_database_url_is_never_printed_either() {
    let no_socket = tempfile::tempdir().unwrap();
    let url = format!(
        "postgres:///flowplane?host={}&password=hunter2",
        no_socket.path().display()
    );
    for command in ["serve", "migrate"] {
        let output = flowplane(&[
            command,
            "--database-url",
            &url,
            "--database-acquire-timeout",
            "2s",
        ]);
        assert!(!output.status.success(), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("password=***"), "{stderr}");
        assert!(!stderr.contains("hunter2"), "{command}: {stderr}");
    }
}

#[tokio::test]
async fn the_serving_line_redacts_the_database_password() {
    let db = TestDb::new().await;
    if !db.is_postgres() {
        return skip(
            "the serving line's redaction on a live Postgres",
            "the suite runs on SQLite",
        );
    }
    // Trust authentication ignores the password, so the server starts and says where.
    let separator = if db.url().contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}password=hunter2", db.url());
    let server = ServerProcess::start(&url).await;
    let events = server.stop().await;
    let serving = events
        .iter()
        .find(|event| event["fields"]["message"] == "flowplane is serving")
        .expect("the serving line");
    let database = serving["fields"]["database"].as_str().unwrap_or_default();
    assert!(database.ends_with("password=***"), "{serving}");
    assert!(
        !events
            .iter()
            .any(|event| event.to_string().contains("hunter2")),
        "{events:?}"
    );
}

#[tokio::test]
async fn healthcheck_asks_a_running_server() {
    let db = TestDb::new().await;
    let server = ServerProcess::start(db.url()).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let port = address.rsplit(':').next().unwrap().to_owned();
    let check = |args: &[&str], env: &[(&str, &str)]| {
        let mut argv = vec!["healthcheck"];
        argv.extend_from_slice(args);
        flowplane_with_env(&argv, env)
    };

    let healthy = check(&["--listen", &address], &[]);
    assert!(
        healthy.status.success(),
        "{}",
        String::from_utf8_lossy(&healthy.stderr)
    );
    let body: Value = serde_json::from_slice(&healthy.stdout).unwrap();
    assert_eq!(body["status"], "ok");
    // As in the container: the server's own FLOWPLANE_LISTEN, an unspecified address.
    let wildcard = format!("0.0.0.0:{port}");
    assert!(check(&[], &[("FLOWPLANE_LISTEN", &wildcard)])
        .status
        .success());

    server.stop().await;
    let refused = check(&["--listen", &address, "--healthcheck-timeout", "2s"], &[]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(&format!("cannot ask {address}")),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// Each request's own line is at `debug`.
const REQUEST_LINES: &[(&str, &str)] = &[("FLOWPLANE_LOG", "info,flowplane::edge=debug")];

#[tokio::test]
async fn at_info_a_summary_line_sums_up_the_requests_not_one_line_each() {
    let db = TestDb::new().await;
    let mut server =
        ServerProcess::start_with(db.url(), &["--log-summary-interval", "200ms"]).await;
    for _ in 0..3 {
        reqwest::get(server.url(&flow_logs_path(PROJECT)))
            .await
            .unwrap();
    }
    reqwest::get(server.url(&flow_log_path(PROJECT, "missing")))
        .await
        .unwrap();
    let mut served = 0;
    while served < 4 {
        let summary = server
            .next_event(|event| event["fields"]["message"] == "requests served")
            .await;
        let fields = &summary["fields"];
        served += fields["requests"].as_u64().unwrap();
        assert!(fields["mean_latency_ms"].as_f64().is_some(), "{summary}");
        assert_eq!(fields["server_errors"], 0, "{summary}");
    }
    assert_eq!(served, 4);
    let events = server.stop().await;
    assert!(
        !events
            .iter()
            .any(|event| event["fields"]["message"] == "request served"),
        "no line per request at info"
    );
    assert_eq!(
        events
            .iter()
            .filter(|event| event["fields"]["message"] == "requests served")
            .map(|event| event["fields"]["client_errors"].as_u64().unwrap())
            .sum::<u64>(),
        1,
        "the 404"
    );
}

#[tokio::test]
async fn each_request_is_logged_in_a_span_carrying_its_request_id() {
    let db = TestDb::new().await;
    let mut server = ServerProcess::start_on("127.0.0.1:0", db.url(), &[], REQUEST_LINES).await;
    let response = reqwest::get(server.url(&flow_logs_path(PROJECT)))
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
async fn the_request_line_says_what_the_request_context_learnt() {
    let db = TestDb::new().await;
    let mut server = ServerProcess::start_on("127.0.0.1:0", db.url(), &[], REQUEST_LINES).await;
    let client = reqwest::Client::new();
    let served = |event: &serde_json::Value| event["fields"]["message"] == "request served";

    reqwest::get(server.url(&flow_logs_path(PROJECT)))
        .await
        .unwrap();
    let event = server.next_event(served).await;
    let fields = &event["fields"];
    assert_eq!(fields["face"], "huawei", "{event}");
    assert_eq!(fields["product"], "vpc", "{event}");
    assert_eq!(fields["operation"], "ListFlowLogs", "{event}");
    assert_eq!(fields["tenant"], PROJECT, "{event}");

    let (status, _) = server.alibaba(&client, "DescribeFlowLogs", &[]).await;
    assert_eq!(status, 200);
    let event = server.next_event(served).await;
    let fields = &event["fields"];
    assert_eq!(fields["face"], "alibaba", "{event}");
    assert_eq!(fields["product"], "vpc", "{event}");
    assert_eq!(fields["operation"], "DescribeFlowLogs", "{event}");
    assert_eq!(fields["tenant"], ALIBABA_KEY, "{event}");

    // Routed but refused before the caller is known: the operation, no tenant.
    let no_region = client
        .post(server.url("/"))
        .query(&[
            ("Action", "DescribeFlowLogs"),
            ("Version", "2016-04-28"),
            ("AccessKeyId", ALIBABA_KEY),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(no_region.status(), 400);
    let event = server.next_event(served).await;
    assert_eq!(event["fields"]["operation"], "DescribeFlowLogs", "{event}");
    assert!(event["fields"].get("tenant").is_none(), "{event}");

    reqwest::get(server.url("/_flowplane/health"))
        .await
        .unwrap();
    let event = server.next_event(served).await;
    assert_eq!(event["fields"]["face"], "control", "{event}");
    assert!(event["fields"].get("operation").is_none(), "{event}");
}

#[tokio::test]
async fn an_acknowledged_write_survives_a_killed_process() {
    let db = TestDb::new().await;
    let client = reqwest::Client::new();

    let mut server = ServerProcess::start(db.url()).await;
    let id = server.create_huawei_id(&client, "port-1").await;
    let disabled = client
        .put(server.url(&flow_log_path(PROJECT, &id)))
        .json(&serde_json::json!({"flow_log": {"admin_state": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    server.child.kill().await.unwrap(); // SIGKILL: no shutdown, no checkpoint

    let server = ServerProcess::start(db.url()).await;
    let (_, shown, _) = get_json(&client, &server.url(&flow_log_path(PROJECT, &id))).await;
    assert_eq!(shown["flow_log"]["status"], "DOWN", "{shown}");
}

/// Under load the writes are committed in groups (on SQLite): a create is answered only once
/// the commit holding it is done, so killing the process while others are still in flight loses
/// none that was answered.
#[tokio::test]
async fn acknowledged_concurrent_writes_survive_a_kill_mid_burst() {
    let db = TestDb::new().await;
    let client = reqwest::Client::new();
    let mut server = ServerProcess::start(db.url()).await;
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (client, base) = (client.clone(), server.base.clone());
        creates.spawn(async move {
            // Requests cut off by the kill simply fail.
            let created = client
                .post(format!("{base}{}", flow_logs_path(PROJECT)))
                .json(&create_body(&format!("port-{i}")))
                .send()
                .await
                .ok()?;
            (created.status() == 200).then_some(created.json::<Value>().await.ok()?)
        });
    }
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 100 {
        if let Some(created) = creates.join_next().await.unwrap().unwrap() {
            acknowledged.push(created["flow_log"]["id"].as_str().unwrap().to_owned());
        }
    }
    server.child.kill().await.unwrap(); // SIGKILL mid-burst: no shutdown, no checkpoint
    while let Some(done) = creates.join_next().await {
        if let Some(created) = done.unwrap() {
            acknowledged.push(created["flow_log"]["id"].as_str().unwrap().to_owned());
        }
    }

    let server = ServerProcess::start(db.url()).await;
    for id in &acknowledged {
        let (status, shown, _) = get_json(&client, &server.url(&flow_log_path(PROJECT, id))).await;
        assert_eq!(status, 200, "{id} was acknowledged, then lost: {shown}");
    }
}

#[tokio::test]
async fn sigint_and_sigterm_stop_the_server_cleanly() {
    for signal in ["-INT", "-TERM"] {
        let db = TestDb::new().await;
        let mut server = ServerProcess::start(db.url()).await;
        server.signal(signal);
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
