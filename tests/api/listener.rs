//! The listener: plain HTTP and HTTPS on one port, the generated certificate (its names, kept
//! across restarts) or the user's, and the bounds on what one client can hold (header-read and
//! idle timeouts, the connection cap), with graceful shutdown still prompt.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use flowplane::listener::tls::{CA_FILE, CERT_FILE};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// An in-process server on a free port, with its certificate in `tls_dir`.
async fn start(db: &TestDb, tls_dir: &Path, extra: &[&str]) -> Served {
    let mut args = vec!["--tls-dir", tls_dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    Served::start(db, &args).await
}

/// A client that trusts only the PEM certificate at `root`, reports the peer's certificate
/// and reaches `example.test` at `address`.
fn client_trusting(root: &Path, address: SocketAddr) -> reqwest::Client {
    let pem = std::fs::read(root).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .tls_info(true)
        .resolve("example.test", address)
        .resolve("other.test", address)
        .build()
        .unwrap()
}

/// The SHA-256 of the certificate the server presented.
async fn served_fingerprint(client: &reqwest::Client, url: &str) -> String {
    let response = client.get(url).send().await.expect("an HTTPS answer");
    assert_eq!(response.status(), 200);
    let info = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .expect("TLS info");
    hex::encode(Sha256::digest(
        info.peer_certificate().expect("a peer certificate"),
    ))
}

fn pem_fingerprint(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let body: String = text
        .lines()
        .skip_while(|line| !line.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    hex::encode(Sha256::digest(der))
}

#[tokio::test]
async fn plain_http_and_https_answer_the_same_on_one_port() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let served = start(&db, dir.path(), &["--tls-name", "example.test"]).await;
    let plain = reqwest::Client::new();
    let tls = client_trusting(&dir.path().join(CA_FILE), served.address);

    let (status, health, _) = get_json(
        &tls,
        &format!("{}/_flowplane/health", served.https("localhost")),
    )
    .await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let created = post_create(&tls, &served.https("127.0.0.1"), "port-tls").await;
    assert_eq!(created.status(), 200);
    let created = post_create(&plain, &served.http(), "port-plain").await;
    assert_eq!(created.status(), 200);

    let path = format!("/v1/{PROJECT}/fl/flow_logs");
    let (_, over_tls, _) = get_json(&tls, &format!("{}{path}", served.https("example.test"))).await;
    let (_, over_plain, _) = get_json(&plain, &format!("{}{path}", served.http())).await;
    assert_eq!(over_tls, over_plain);
    assert_eq!(over_tls["flow_logs"].as_array().unwrap().len(), 2);

    // The certificate names localhost, 127.0.0.1 and the extra name, and no other.
    assert!(
        tls.get(format!("{}/_flowplane/health", served.https("other.test")))
            .send()
            .await
            .is_err(),
        "a name the certificate lacks is refused"
    );
    let untrusting = reqwest::Client::builder().use_rustls_tls().build().unwrap();
    assert!(
        untrusting
            .get(format!("{}/_flowplane/health", served.https("localhost")))
            .send()
            .await
            .is_err(),
        "a client that does not trust the CA refuses it"
    );
    served.stop_within(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn the_generated_certificate_is_kept_across_restarts() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join(CA_FILE);
    let served = start(&db, dir.path(), &[]).await;
    let client = client_trusting(&ca, served.address);
    let first = served_fingerprint(
        &client,
        &format!("{}/_flowplane/health", served.https("localhost")),
    )
    .await;
    assert_eq!(first, pem_fingerprint(&dir.path().join(CERT_FILE)));
    let ca_first = pem_fingerprint(&ca);
    served.stop_within(Duration::from_secs(10)).await;

    let served = start(&db, dir.path(), &[]).await;
    let client = client_trusting(&ca, served.address);
    let again = served_fingerprint(
        &client,
        &format!("{}/_flowplane/health", served.https("localhost")),
    )
    .await;
    assert_eq!(first, again, "the same certificate after a restart");
    served.stop_within(Duration::from_secs(10)).await;

    // A new name re-issues the leaf from the same CA: the trusted file stays valid.
    let served = start(&db, dir.path(), &["--tls-name", "example.test"]).await;
    assert_eq!(pem_fingerprint(&ca), ca_first);
    let client = client_trusting(&ca, served.address);
    let reissued = served_fingerprint(
        &client,
        &format!("{}/_flowplane/health", served.https("example.test")),
    )
    .await;
    assert_ne!(reissued, first);
    served.stop_within(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_given_certificate_and_key_are_served() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let cert_path = dir.path().join("mine.pem");
    let key_path = dir.path().join("mine.key");
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let generated = dir.path().join("generated");
    let served = start(
        &db,
        &generated,
        &[
            "--tls-cert",
            cert_path.to_str().unwrap(),
            "--tls-key",
            key_path.to_str().unwrap(),
        ],
    )
    .await;
    let client = client_trusting(&cert_path, served.address);
    let fingerprint = served_fingerprint(
        &client,
        &format!("{}/_flowplane/health", served.https("localhost")),
    )
    .await;
    assert_eq!(fingerprint, pem_fingerprint(&cert_path));
    assert!(!generated.exists(), "nothing generated");
    served.stop_within(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn tls_off_serves_plain_http_only() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let served = start(&db, dir.path(), &["--tls", "off"]).await;
    let (status, _, _) = get_json(
        &reqwest::Client::new(),
        &format!("{}/_flowplane/health", served.http()),
    )
    .await;
    assert_eq!(status, 200);
    let tls = reqwest::Client::builder()
        .use_rustls_tls()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert!(tls
        .get(format!("{}/_flowplane/health", served.https("localhost")))
        .send()
        .await
        .is_err());
    assert!(!dir.path().join(CA_FILE).exists(), "nothing generated");
    served.stop_within(Duration::from_secs(10)).await;
}

/// Reads until the server closes the connection (EOF or reset), with a deadline; returns
/// what was read.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .expect("the server closes the connection");
    received
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let timeout = Duration::from_millis(600);
    let served = start(&db, dir.path(), &["--header-read-timeout", "600ms"]).await;

    // One header line every 100 ms, never the end of the head.
    let mut stream = TcpStream::connect(served.address).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"GET /_flowplane/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buffer = [0u8; 256];
        loop {
            tokio::select! {
                read = stream.read(&mut buffer) => match read {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                },
                () = tokio::time::sleep(Duration::from_millis(100)) => {
                    if stream.write_all(b"X-Trickle: 1\r\n").await.is_err() {
                        return;
                    }
                }
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the trickling client was not cut off");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= timeout,
        "cut off after {elapsed:?}, before the timeout"
    );

    // A connection that says nothing (no request, no TLS handshake) is closed too.
    let mut silent = TcpStream::connect(served.address).await.unwrap();
    let started = Instant::now();
    let received = read_until_closed(&mut silent, Duration::from_secs(10)).await;
    assert!(received.is_empty());
    assert!(started.elapsed() >= timeout);

    // A prompt client is still served.
    let (status, _, _) = get_json(
        &reqwest::Client::new(),
        &format!("{}/_flowplane/health", served.http()),
    )
    .await;
    assert_eq!(status, 200);
    served.stop_within(Duration::from_secs(10)).await;
}

const HEALTH: &[u8] = b"GET /_flowplane/health HTTP/1.1\r\nHost: flowplane\r\n\r\n";

/// Sends one keep-alive request and reads its whole answer (the health body is small JSON).
async fn one_request(stream: &mut TcpStream) -> String {
    stream.write_all(HEALTH).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(Duration::from_secs(10), async {
        while !String::from_utf8_lossy(&received).contains("\"status\"") {
            let n = stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "closed before answering");
            received.extend_from_slice(&buffer[..n]);
        }
    })
    .await
    .expect("an answer");
    String::from_utf8(received).unwrap()
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let served = start(&db, dir.path(), &["--idle-timeout", "500ms"]).await;
    let mut stream = TcpStream::connect(served.address).await.unwrap();
    assert!(one_request(&mut stream).await.starts_with("HTTP/1.1 200"));
    let idle_since = Instant::now();
    let received = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(received.is_empty());
    let idle = idle_since.elapsed();
    assert!(idle >= Duration::from_millis(450), "closed after {idle:?}");
    served.stop_within(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let served = start(&db, dir.path(), &["--max-connections", "2"]).await;
    let mut first = TcpStream::connect(served.address).await.unwrap();
    assert!(one_request(&mut first).await.starts_with("HTTP/1.1 200"));
    let mut second = TcpStream::connect(served.address).await.unwrap();
    assert!(one_request(&mut second).await.starts_with("HTTP/1.1 200"));

    // The third is connected (the kernel's backlog) but not served while both are open.
    let mut third = TcpStream::connect(served.address).await.unwrap();
    third.write_all(HEALTH).await.unwrap();
    let mut buffer = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), third.read(&mut buffer))
            .await
            .is_err(),
        "the connection past the cap was served"
    );

    drop(first);
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !String::from_utf8_lossy(&received).contains("\"status\"") {
            let n = third.read(&mut buffer).await.unwrap();
            assert!(n > 0);
            received.extend_from_slice(&buffer[..n]);
        }
    })
    .await
    .expect("served once a slot is free");
    assert!(received.starts_with(b"HTTP/1.1 200"));
    drop(second);
    served.stop_within(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn shutdown_with_open_idle_connections_is_prompt() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let served = start(&db, dir.path(), &[]).await;
    // An idle plain keep-alive connection, an idle TLS one (a pooled client) and one that has
    // not sent anything yet.
    let mut plain = TcpStream::connect(served.address).await.unwrap();
    assert!(one_request(&mut plain).await.starts_with("HTTP/1.1 200"));
    let tls = client_trusting(&dir.path().join(CA_FILE), served.address);
    let (status, _, _) = get_json(
        &tls,
        &format!("{}/_flowplane/health", served.https("localhost")),
    )
    .await;
    assert_eq!(status, 200);
    let _silent = TcpStream::connect(served.address).await.unwrap();

    let started = Instant::now();
    served.stop_within(Duration::from_secs(10)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "idle connections held the shutdown for {:?}",
        started.elapsed()
    );
    let received = read_until_closed(&mut plain, Duration::from_secs(10)).await;
    assert!(received.is_empty());
}

#[tokio::test]
async fn the_binary_names_the_ca_to_trust_and_serves_https() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with(
        db.url(),
        &[
            "--tls-dir",
            dir.path().to_str().unwrap(),
            "--tls-name",
            "example.test",
        ],
    )
    .await;
    let address: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let client = client_trusting(&dir.path().join(CA_FILE), address);
    let (status, _, _) = get_json(
        &client,
        &format!("https://example.test:{}/_flowplane/health", address.port()),
    )
    .await;
    assert_eq!(status, 200);
    let events = server.stop().await;
    let named: Vec<&Value> = events
        .iter()
        .filter(|event| event["fields"]["ca"].is_string())
        .collect();
    assert_eq!(named.len(), 1, "{events:?}");
    assert_eq!(
        named[0]["fields"]["ca"].as_str().unwrap(),
        dir.path().join(CA_FILE).to_str().unwrap()
    );
    let logged = serde_json::to_string(&events).unwrap();
    assert!(!logged.contains("PRIVATE KEY"), "no key in the log");
}

#[test]
fn the_listener_flags_have_environment_twins() {
    let help = String::from_utf8_lossy(&flowplane(&["--help"]).stdout).into_owned();
    for flag in [
        "--tls ",
        "--tls-cert",
        "--tls-key",
        "--tls-dir",
        "--tls-name",
        "--header-read-timeout",
        "--idle-timeout",
        "--max-connections",
    ] {
        assert!(help.contains(flag), "--help mentions {flag}");
    }
    for (name, bad) in [
        ("FLOWPLANE_TLS", "maybe"),
        ("FLOWPLANE_HEADER_READ_TIMEOUT", "0s"),
        ("FLOWPLANE_IDLE_TIMEOUT", "whenever"),
        ("FLOWPLANE_MAX_CONNECTIONS", "0"),
    ] {
        let output = flowplane_with_env(
            &["serve", "--database-url", "sqlite::memory:"],
            &[(name, bad)],
        );
        assert!(!output.status.success(), "{name}={bad} is refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(bad), "{name}: {stderr}");
    }
    // A certificate without its key (or the other way round) is refused at once.
    let output = flowplane_with_env(
        &["serve", "--database-url", "sqlite::memory:"],
        &[("FLOWPLANE_TLS_CERT", "/nonexistent/cert.pem")],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tls-key"));
}
