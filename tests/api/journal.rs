//! The request journal (`GET /_flowplane/requests`, `src/layers/journal.rs`): an entry per cloud
//! request with what the context learnt, its filters and bound, bodies only with
//! `--journal-bodies` and never a secret, shared by the processes on one database, and flushed
//! at shutdown.

use axum::http::Method;
use chrono::Utc;
use serde_json::Value;

use crate::support::auth::{
    alibaba_timestamp, alibaba_v1_query, huawei_create, nonce, verifying_app, ACCOUNT, HUAWEI_KEY,
    HUAWEI_SECRET,
};
use crate::support::identity::*;
use crate::support::*;

/// A well-formed flow log id that names no flow log.
const UNKNOWN_FLOW_LOG: &str = "0d2b8a4e-6f1c-4b7a-9e3d-5c8f1a2b3c4d";

impl TestApp {
    /// The journal's answer to `query` (`face=huawei`, …), asserted 200.
    async fn requests(&self, query: &str) -> Value {
        let response = self.get(&format!("/_flowplane/requests?{query}")).await;
        assert_eq!(response.status, 200, "{}", response.body);
        response.body
    }

    /// The one entry of `request_id`.
    async fn journaled(&self, request_id: &str) -> Value {
        let body = self.requests(&format!("request_id={request_id}")).await;
        assert_eq!(body["total"], 1, "{body}");
        body["requests"][0].clone()
    }
}

fn ids(body: &Value) -> Vec<String> {
    body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["request_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_cloud_face_is_journaled_with_what_the_request_was() {
    let app = TestApp::new().await;
    // Huawei: an unknown flow log is 404 VPC.3002.
    let huawei = app.get(&flow_log_path(PROJECT, UNKNOWN_FLOW_LOG)).await;
    huawei.assert_vpc_error(404, "VPC.3002");
    // Alibaba: a successful call.
    let alibaba = app.alibaba("DescribeFlowLogs", &[]).await;
    alibaba.assert_alibaba_ok();
    // SLS: an unknown project.
    let sls = app
        .sls(Method::GET, Some("nosuch"), "/logstores", None)
        .await;
    sls.assert_sls_error(404, "ProjectNotExist");
    // The control API is not journaled.
    app.get("/_flowplane/flow-logs").await;

    let all = app.requests("").await;
    assert_eq!(all["total"], 3, "{all}");
    assert_eq!(
        ids(&all),
        [
            sls.sls_request_id(),
            alibaba.request_id(),
            huawei.request_id()
        ],
        "newest first"
    );

    let entry = app.journaled(huawei.request_id()).await;
    assert_eq!(entry["face"], "huawei");
    assert_eq!(entry["product"], "vpc");
    assert_eq!(entry["operation"], "ShowFlowLog");
    assert_eq!(entry["tenant"], PROJECT);
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["path"], flow_log_path(PROJECT, UNKNOWN_FLOW_LOG));
    assert_eq!(entry["status"], 404);
    assert_eq!(entry["error_code"], "VPC.3002");
    assert_eq!(entry["signature"], "not_checked");
    assert!(entry["latency_ms"].as_f64().unwrap() >= 0.0, "{entry}");
    assert!(entry["time"].as_str().unwrap().ends_with('Z'), "{entry}");
    assert!(entry.get("request_body").is_none(), "{entry}");

    let entry = app.journaled(alibaba.request_id()).await;
    assert_eq!(entry["face"], "alibaba");
    assert_eq!(entry["product"], "vpc");
    assert_eq!(entry["operation"], "DescribeFlowLogs");
    assert_eq!(entry["tenant"], ALIBABA_KEY);
    assert_eq!(entry["region"], REGION);
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["error_code"], Value::Null);

    let entry = app.journaled(sls.sls_request_id()).await;
    assert_eq!(entry["face"], "sls");
    assert_eq!(entry["product"], "sls");
    assert_eq!(entry["status"], 404);
    assert_eq!(entry["error_code"], "ProjectNotExist");
    assert_eq!(entry["region"], REGION);
}

#[tokio::test]
async fn the_journal_filters_and_refuses_bad_filters() {
    let app = TestApp::new().await;
    let failed = app.get(&flow_log_path(PROJECT, UNKNOWN_FLOW_LOG)).await;
    let listed = app.get(&flow_logs_path(PROJECT)).await;
    assert_eq!(listed.status, 200);
    let alibaba = app.alibaba("DescribeFlowLogs", &[]).await;
    let missing = app
        .alibaba("DeleteFlowLog", &[("FlowLogId", "fl-nosuch")])
        .await;
    assert!(missing.status.is_client_error(), "{}", missing.body);

    let ids_of = |body: Value| ids(&body);
    assert_eq!(
        ids_of(app.requests("face=huawei").await),
        [listed.request_id(), failed.request_id()]
    );
    assert_eq!(
        ids_of(app.requests(&format!("tenant={ALIBABA_KEY}")).await),
        [missing.request_id(), alibaba.request_id()]
    );
    assert_eq!(
        ids_of(app.requests("status=error").await),
        [missing.request_id(), failed.request_id()]
    );
    assert_eq!(
        ids_of(app.requests("status=4xx&face=huawei").await),
        [failed.request_id()]
    );
    assert_eq!(
        ids_of(app.requests("status=404&face=huawei").await),
        [failed.request_id()]
    );
    assert_eq!(
        ids_of(app.requests("status=2xx").await),
        [alibaba.request_id(), listed.request_id()]
    );
    assert_eq!(
        ids_of(app.requests("status=5xx").await),
        Vec::<String>::new()
    );
    let page = app.requests("limit=1&offset=1").await;
    assert_eq!(page["total"], 4);
    assert_eq!(ids(&page), [alibaba.request_id()]);

    for bad in [
        "face=gcp",
        "face=control",
        "status=abc",
        "status=6xx",
        "status=99",
        "limit=0",
        "limit=1001",
        "offset=-1",
        "colour=blue",
    ] {
        let response = app.get(&format!("/_flowplane/requests?{bad}")).await;
        assert_eq!(response.status, 400, "{bad}: {}", response.body);
        assert_eq!(response.body["error"]["code"], "InvalidParameter", "{bad}");
        assert!(response.body["request_id"].is_string(), "{bad}");
    }
}

#[tokio::test]
async fn signature_verdicts_are_journaled_without_the_signature() {
    let (app, _dir) = verifying_app().await;
    // A valid Huawei signature.
    let signed = app
        .send(huawei_create(
            PROJECT,
            HUAWEI_KEY,
            HUAWEI_SECRET,
            Utc::now(),
            false,
        ))
        .await;
    let entry = app.journaled(signed.request_id()).await;
    assert_eq!(entry["signature"], "valid", "{entry}");
    assert_eq!(entry["signature_error"], Value::Null);
    // A tampered body: the signature does not match.
    let tampered = app
        .send(huawei_create(
            PROJECT,
            HUAWEI_KEY,
            HUAWEI_SECRET,
            Utc::now(),
            true,
        ))
        .await;
    tampered.assert_gateway_error(401, "APIGW.0301");
    let entry = app.journaled(tampered.request_id()).await;
    assert_eq!(entry["signature"], "invalid", "{entry}");
    assert_eq!(entry["signature_error"], "SignatureDoesNotMatch");
    assert_eq!(entry["error_code"], "APIGW.0301");
    // No signature at all.
    let raw = app
        .send(raw_request(Method::GET, &flow_logs_path(PROJECT), None, ""))
        .await;
    let entry = app.journaled(raw.request_id()).await;
    assert_eq!(entry["signature"], "absent", "{entry}");

    // Alibaba: signed with the wrong secret.
    let query = alibaba_v1_query(
        "POST",
        &[("Action", "DescribeFlowLogs"), ("RegionId", REGION)],
        ALIBABA_KEY,
        "not-the-secret",
        &nonce(),
        &alibaba_timestamp(Utc::now()),
    );
    let wrong = app.alibaba_raw(Method::POST, &query, &[], Vec::new()).await;
    wrong.assert_alibaba_error(400, "SignatureDoesNotMatch");
    let entry = app.journaled(wrong.request_id()).await;
    assert_eq!(entry["face"], "alibaba");
    assert_eq!(entry["operation"], "DescribeFlowLogs");
    assert_eq!(entry["signature"], "invalid");
    assert_eq!(entry["signature_error"], "SignatureDoesNotMatch");
    assert_eq!(entry["error_code"], "SignatureDoesNotMatch");
    let path = entry["path"].as_str().unwrap();
    assert!(path.contains("Signature=***"), "{path}");
    assert!(path.contains("SignatureNonce="), "{path}");
    let signature = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("Signature="))
        .unwrap();
    assert!(!path.contains(signature), "{path}");
    // Signed well.
    let good = app.alibaba("DescribeFlowLogs", &[]).await;
    good.assert_alibaba_ok();
    assert_eq!(app.journaled(good.request_id()).await["signature"], "valid");
    // Not signed.
    let bare = app
        .alibaba_raw(
            Method::POST,
            "Action=DescribeFlowLogs&Version=2016-04-28&AccessKeyId=LTAItestaccount0001&RegionId=cn-hangzhou",
            &[],
            Vec::new(),
        )
        .await;
    let entry = app.journaled(bare.request_id()).await;
    assert_eq!(entry["signature"], "absent", "{entry}");
    assert_eq!(entry["error_code"], "IncompleteSignature");

    // SLS: signed by an unknown key.
    let sls = app
        .sls_as(
            "LTAIunknown",
            REGION,
            Method::GET,
            Some("nosuch"),
            "/logstores",
            None,
        )
        .await;
    assert!(sls.status.is_client_error());
    let entry = app.journaled(sls.sls_request_id()).await;
    assert_eq!(entry["face"], "sls");
    assert_eq!(entry["signature"], "invalid", "{entry}");
    assert!(entry["signature_error"].is_string(), "{entry}");
}

#[tokio::test]
async fn the_journal_keeps_the_newest_entries_only() {
    let app = TestApp::with_flags(&["--journal-size", "3"]).await;
    let mut sent = Vec::new();
    for _ in 0..5 {
        let response = app.alibaba("DescribeFlowLogs", &[]).await;
        sent.push(response.request_id().to_owned());
        // Each read flushes, so the prune runs between writes too.
        app.requests("").await;
    }
    let body = app.requests("").await;
    assert_eq!(body["total"], 3, "{body}");
    let newest: Vec<String> = sent.iter().rev().take(3).cloned().collect();
    assert_eq!(ids(&body), newest);

    // One batch of more than the bound is pruned as well.
    let mut sent = Vec::new();
    for _ in 0..7 {
        sent.push(
            app.alibaba("DescribeFlowLogs", &[])
                .await
                .request_id()
                .to_owned(),
        );
    }
    let body = app.requests("").await;
    assert_eq!(body["total"], 3, "{body}");
    assert_eq!(
        ids(&body),
        sent.iter().rev().take(3).cloned().collect::<Vec<_>>()
    );

    let off = TestApp::with_flags(&["--journal-size", "0"]).await;
    off.alibaba("DescribeFlowLogs", &[])
        .await
        .assert_alibaba_ok();
    let body = off.requests("").await;
    assert_eq!(body["total"], 0, "{body}");
}

#[tokio::test]
async fn bodies_are_kept_only_when_asked_and_never_secrets() {
    let (app, _dir) = identity_app_with(&["--journal-bodies"]).await;
    // An IAM token by password.
    let token = app
        .send_json(
            Method::POST,
            "/v3/auth/tokens",
            &[],
            Some(&password_auth(
                ALICE,
                ALICE_PASSWORD,
                ACME_DOMAIN,
                project_scope("cn-north-4"),
            )),
        )
        .await;
    assert_eq!(token.status, 201, "{}", token.body);
    let entry = app.journaled(token.request_id()).await;
    assert_eq!(
        entry["operation"], "KeystoneCreateUserTokenByPassword",
        "{entry}"
    );
    let request_body = entry["request_body"].as_str().expect("a request body");
    assert!(request_body.contains(ALICE), "{request_body}");
    assert!(!request_body.contains(ALICE_PASSWORD), "{request_body}");
    assert!(request_body.contains("***"), "{request_body}");
    let response_body = entry["response_body"].as_str().expect("a response body");
    assert!(response_body.contains("expires_at"), "{response_body}");
    assert!(!response_body.contains(&token.subject_token()));

    // An STS key: its secret and token are in AssumeRole's answer.
    let assumed = app
        .assume_role(&AliKey::account(), ACCOUNT, "flowplane")
        .await;
    let key = AliKey::from_assumed(assumed.assert_alibaba_ok());
    let entry = app.journaled(assumed.request_id()).await;
    let response_body = entry["response_body"].as_str().expect("a response body");
    assert!(response_body.contains(&key.id), "{response_body}");
    assert!(!response_body.contains(&key.secret), "{response_body}");
    assert!(
        !response_body.contains(key.token.as_deref().unwrap()),
        "{response_body}"
    );

    // The STS key in use: its SecurityToken parameter is redacted from the path.
    let used = app
        .ali_v1(
            &key,
            ("2016-04-28", "DescribeFlowLogs"),
            &[("RegionId", REGION)],
        )
        .await;
    used.assert_alibaba_ok();
    let entry = app.journaled(used.request_id()).await;
    let path = entry["path"].as_str().unwrap();
    assert!(path.contains("SecurityToken=***"), "{path}");
    assert!(!path.contains(key.token.as_deref().unwrap()), "{path}");
    for entry in app.requests("").await["requests"].as_array().unwrap() {
        let text = entry.to_string();
        for secret in [ALICE_PASSWORD, &key.secret, key.token.as_deref().unwrap()] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    // Without the flag: no bodies.
    let (plain, _dir) = identity_app().await;
    let token = plain
        .send_json(
            Method::POST,
            "/v3/auth/tokens",
            &[],
            Some(&password_auth(
                ALICE,
                ALICE_PASSWORD,
                ACME_DOMAIN,
                project_scope("cn-north-4"),
            )),
        )
        .await;
    let entry = plain.journaled(token.request_id()).await;
    assert!(entry.get("request_body").is_none(), "{entry}");
    assert!(entry.get("response_body").is_none(), "{entry}");
}

#[tokio::test]
async fn two_apps_on_one_database_share_the_journal() {
    let db = TestDb::new().await;
    let one = TestApp::on(&db, &[]).await;
    let two = TestApp::on(&db, &[]).await;
    let first = one.alibaba("DescribeFlowLogs", &[]).await;
    let second = two.get(&flow_log_path(PROJECT, UNKNOWN_FLOW_LOG)).await;
    // Each read flushes its own process's queue.
    one.requests("").await;
    let body = two.requests("").await;
    assert_eq!(body["total"], 2, "{body}");
    assert_eq!(two.journaled(first.request_id()).await["face"], "alibaba");
    assert_eq!(
        one.journaled(second.request_id()).await["error_code"],
        "VPC.3002"
    );
}

#[tokio::test]
async fn stopping_flushes_the_queue_and_the_journal_survives_a_restart() {
    let db = TestDb::new().await;
    let app = TestApp::on(&db, &[]).await;
    let mut sent = Vec::new();
    for _ in 0..20 {
        sent.push(
            app.alibaba("DescribeFlowLogs", &[])
                .await
                .request_id()
                .to_owned(),
        );
    }
    app.stop().await;
    let restarted = TestApp::on(&db, &[]).await;
    let body = restarted.requests("limit=1000").await;
    assert_eq!(body["total"], 20, "{body}");
    assert_eq!(ids(&body), sent.into_iter().rev().collect::<Vec<_>>());
}

#[tokio::test]
async fn a_served_process_journals_bodies_over_the_socket_and_flushes_when_it_stops() {
    let db = TestDb::new().await;
    let served = Served::start(&db, &["--journal-bodies"]).await;
    let base = served.http();

    let client = reqwest::Client::new();
    let body = serde_json::to_vec(&create_body("port-1")).unwrap();
    let created = client
        .post(format!("{base}{}", flow_logs_path(PROJECT)))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let request_id = created.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let created: Value = created.json().await.unwrap();

    served.stop_within(std::time::Duration::from_secs(10)).await;

    let reopened = TestApp::on(&db, &[]).await;
    let entry = reopened.journaled(&request_id).await;
    assert_eq!(entry["operation"], "CreateFlowLog", "{entry}");
    assert_eq!(entry["status"], 200);
    let request_body = entry["request_body"].as_str().expect("the request body");
    assert!(request_body.contains("port-1"), "{request_body}");
    let response_body = entry["response_body"].as_str().expect("the response body");
    let id = created["flow_log"]["id"].as_str().unwrap();
    assert!(response_body.contains(id), "{response_body}");
}
