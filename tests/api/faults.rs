//! `POST`/`GET`/`DELETE /_flowplane/faults`: request rules (each face's throttling error, a
//! chosen error in the product's envelope, latency, a dropped connection) matched by face,
//! operation, tenant, region and resource id; firing always, N times or by a seeded
//! probability; transition rules (stuck, failed delivery); refusals; two apps on one database.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use flowplane::domain::RULES_REFRESH;
use serde_json::{json, Value};

use crate::support::*;

const FAULTS: &str = "/_flowplane/faults";

/// Adds a rule; the answer is the rule with its id and `fired: 0` (SPEC §5).
async fn add_rule(app: &TestApp, rule: Value) -> Value {
    let response = app.post(FAULTS, rule.clone()).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert!(response.body["id"].is_string(), "{}", response.body);
    assert_eq!(response.body["fired"], 0, "{}", response.body);
    // The effect as posted (defaults filled in).
    let effect_of = |value: &Value| {
        value
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
    };
    assert_eq!(
        effect_of(&response.body["effect"]),
        effect_of(&rule["effect"]),
        "{}",
        response.body
    );
    response.body
}

async fn rules(app: &TestApp) -> Vec<Value> {
    let response = app.get(FAULTS).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["faults"].as_array().unwrap().clone()
}

async fn rule(app: &TestApp, id: &Value) -> Value {
    rules(app)
        .await
        .into_iter()
        .find(|rule| rule["id"] == *id)
        .unwrap_or_else(|| panic!("rule {id} listed"))
}

#[tokio::test]
async fn each_face_answers_a_throttle_rule_with_its_own_throttling_error() {
    let app = TestApp::new().await;
    add_rule(
        &app,
        json!({"face": "huawei", "operation": "ListFlowLogs", "effect": {"throttle": true}, "times": 1}),
    )
    .await;
    let throttled = app.list_huawei("").await;
    throttled.assert_gateway_error(429, "APIGW.0308");
    assert_huawei_request_id(throttled.request_id());
    assert_eq!(
        app.list_huawei("").await.status,
        StatusCode::OK,
        "once only"
    );

    add_rule(
        &app,
        json!({"face": "alibaba", "operation": "DescribeFlowLogs", "effect": {"throttle": {"retry_after": "250ms"}}, "times": 2}),
    )
    .await;
    for _ in 0..2 {
        let throttled = app.alibaba("DescribeFlowLogs", &[]).await;
        let message = throttled.assert_alibaba_error(400, "Throttling.User");
        assert_eq!(message, "Request was denied due to user flow control.");
        assert_eq!(throttled.headers["x-acs-retry-after"], "250");
    }
    app.alibaba("DescribeFlowLogs", &[])
        .await
        .assert_alibaba_ok();

    add_rule(
        &app,
        json!({"face": "sls", "effect": {"throttle": true}, "times": 2}),
    )
    .await;
    app.sls(Method::GET, None, "/", None)
        .await
        .assert_sls_error(403, "ReadQuotaExceed");
    app.create_sls_project("throttled")
        .await
        .assert_sls_error(403, "WriteQuotaExceed");
    app.create_sls_project("throttled").await.assert_sls_ok();

    let listed = rules(&app).await;
    assert_eq!(listed.len(), 3);
    for rule in &listed {
        assert_eq!(rule["matched"], rule["times"], "{rule}");
        assert_eq!(rule["fired"], rule["times"], "{rule}");
        assert_eq!(rule["remaining"], 0, "{rule}");
    }
}

#[tokio::test]
async fn an_error_rule_answers_in_the_products_envelope_and_nothing_is_written() {
    let app = TestApp::new().await;
    add_rule(
        &app,
        json!({"face": "huawei", "product": "vpc", "operation": "CreateFlowLog", "effect": {"error": {"status": 500, "code": "VPC.0001", "message": "System error."}}}),
    )
    .await;
    app.huawei_destination(PROJECT).await;
    let refused = app
        .post(&flow_logs_path(PROJECT), create_body("port-1"))
        .await;
    assert_eq!(refused.assert_vpc_error(500, "VPC.0001"), "System error.");
    assert_eq!(
        app.list_huawei("").await.body,
        json!({"flow_logs": []}),
        "nothing was created"
    );

    add_rule(
        &app,
        json!({"face": "alibaba", "operation": "CreateFlowLog", "effect": {"error": {"status": 503, "code": "ServiceUnavailable"}}}),
    )
    .await;
    let refused = app
        .alibaba("CreateFlowLog", &create_params("vpc-refused"))
        .await;
    refused.assert_alibaba_error(503, "ServiceUnavailable");
    let described = app.alibaba("DescribeFlowLogs", &[]).await;
    assert!(described_ids(described.assert_alibaba_ok()).is_empty());

    // The journal names the error the caller saw.
    let journal = app
        .get(&format!(
            "/_flowplane/requests?request_id={}",
            refused.request_id()
        ))
        .await;
    assert_eq!(
        journal.body["requests"][0]["error_code"], "ServiceUnavailable",
        "{}",
        journal.body
    );
}

#[tokio::test]
async fn rules_match_tenant_region_and_a_resource_id_the_call_names() {
    let app = TestApp::new().await;
    let first = app.create_alibaba("vpc-first", &[]).await;
    let second = app.create_alibaba("vpc-second", &[]).await;
    add_rule(
        &app,
        json!({"face": "alibaba", "resource_id": first, "effect": {"error": {"status": 400, "code": "Forbidden.Fault"}}}),
    )
    .await;
    app.alibaba("DescribeFlowLogs", &[("FlowLogId", &first)])
        .await
        .assert_alibaba_error(400, "Forbidden.Fault");
    app.alibaba("DescribeFlowLogs", &[("FlowLogId", &second)])
        .await
        .assert_alibaba_ok();
    // In a form body too (as Terraform sends RPC calls).
    let form = app
        .alibaba_raw(
            Method::POST,
            "",
            &[FORM],
            format!(
                "Action=DescribeFlowLogs&Version=2016-04-28&RegionId={REGION}\
                 &AccessKeyId={ALIBABA_KEY}&FlowLogId={first}"
            )
            .into_bytes(),
        )
        .await;
    form.assert_alibaba_error(400, "Forbidden.Fault");
    app.delete(FAULTS).await;

    let huawei = app.create_huawei_id(PROJECT, "port-1").await;
    add_rule(
        &app,
        json!({"face": "huawei", "tenant": OTHER_PROJECT, "effect": {"error": {"status": 403, "code": "VPC.0015"}}}),
    )
    .await;
    let shown = app.get(&flow_log_path(PROJECT, &huawei)).await;
    assert_eq!(shown.status, StatusCode::OK, "another tenant's rule");
    add_rule(
        &app,
        json!({"face": "alibaba", "region": "cn-beijing", "effect": {"error": {"status": 400, "code": "Forbidden.Region"}}}),
    )
    .await;
    app.alibaba("DescribeFlowLogs", &[])
        .await
        .assert_alibaba_ok();
    app.alibaba_as(ALIBABA_KEY, "cn-beijing", "DescribeFlowLogs", &[])
        .await
        .assert_alibaba_error(400, "Forbidden.Region");
    add_rule(
        &app,
        json!({"face": "huawei", "resource_id": huawei, "effect": {"error": {"status": 404, "code": "VPC.0404"}}}),
    )
    .await;
    app.get(&flow_log_path(PROJECT, &huawei))
        .await
        .assert_vpc_error(404, "VPC.0404");
}

/// Which of `n` DescribeVpcs calls a probability rule seeded with `seed` refuses.
async fn refused_by_seed(seed: u64, n: usize) -> Vec<bool> {
    let app = TestApp::new().await;
    add_rule(
        &app,
        json!({"face": "alibaba", "operation": "DescribeVpcs", "effect": {"error": {"status": 503, "code": "ServiceUnavailable"}}, "probability": 0.5, "seed": seed}),
    )
    .await;
    let mut refused = Vec::new();
    for _ in 0..n {
        refused.push(app.alibaba("DescribeVpcs", &[]).await.status != StatusCode::OK);
    }
    let rule = &rules(&app).await[0];
    assert_eq!(rule["matched"], n);
    assert_eq!(
        rule["fired"],
        refused.iter().filter(|&&refused| refused).count()
    );
    assert_eq!(rule["probability"], 0.5);
    assert_eq!(rule["seed"], seed);
    refused
}

#[tokio::test]
async fn a_probability_rule_fires_the_same_way_for_the_same_seed() {
    let first = refused_by_seed(7, 24).await;
    assert_eq!(first, refused_by_seed(7, 24).await, "repeatable");
    assert!(first.contains(&true) && first.contains(&false), "{first:?}");
    assert_ne!(first, refused_by_seed(8, 24).await);
}

#[tokio::test]
async fn a_latency_rule_delays_the_answer() {
    let app = TestApp::new().await;
    add_rule(
        &app,
        json!({"face": "alibaba", "operation": "DescribeFlowLogs", "effect": {"latency": "300ms"}}),
    )
    .await;
    let started = Instant::now();
    app.alibaba("DescribeFlowLogs", &[])
        .await
        .assert_alibaba_ok();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let rule = &rules(&app).await[0];
    assert_eq!(rule["effect"], json!({"latency": "300ms"}));
    assert_eq!(rule["fired"], 1);
}

#[tokio::test]
async fn a_drop_rule_closes_the_connection_unanswered() {
    let db = TestDb::new().await;
    let served = Served::start(&db, &["--tls", "off"]).await;
    let base = served.http();
    let client = reqwest::Client::new();
    let added = client
        .post(format!("{base}{FAULTS}"))
        .json(&json!({"face": "huawei", "operation": "ListFlowLogs", "effect": {"drop": true}, "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 201);
    let url = format!("{base}{}", flow_logs_path(PROJECT));
    let dropped = client.get(&url).send().await;
    assert!(dropped.is_err(), "no answer: {dropped:?}");
    let answered = client.get(&url).send().await.unwrap();
    assert_eq!(answered.status().as_u16(), 200, "the next call is served");
    served.stop_within(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_stuck_rule_keeps_the_next_transition_pending_until_tick_all() {
    let app = TestApp::with_flags(&["--transition-delay", "0s"]).await;
    add_rule(
        &app,
        json!({"face": "alibaba", "kind": "flow_log", "effect": {"stuck": true}, "times": 1}),
    )
    .await;
    let stuck = app.create_alibaba("vpc-stuck", &[]).await;
    assert_eq!(
        app.alibaba_status(&stuck).await.as_deref(),
        Some("Activating")
    );
    let far = chrono::Utc::now() + chrono::Duration::days(365 * 100);
    assert_eq!(app.app.worker().tick(far).await.unwrap(), 0, "never due");
    let next = app.create_alibaba("vpc-next", &[]).await;
    assert_eq!(app.alibaba_status(&next).await.as_deref(), Some("Active"));
    app.tick_all().await;
    assert_eq!(app.alibaba_status(&stuck).await.as_deref(), Some("Active"));

    // A VPC's creation, matched by kind.
    add_rule(
        &app,
        json!({"face": "alibaba", "kind": "vpc", "effect": {"stuck": true}, "times": 1}),
    )
    .await;
    let vpc = app.create_vpc_answer(&[("CidrBlock", "10.0.0.0/16")]).await;
    let vpc_id = vpc["VpcId"].as_str().unwrap();
    let described = app.alibaba("DescribeVpcs", &[("VpcId", vpc_id)]).await;
    assert_eq!(
        described.assert_alibaba_ok()["Vpcs"]["Vpc"][0]["Status"],
        "Pending"
    );
    assert_eq!(app.app.worker().tick(far).await.unwrap(), 0);
    app.tick_all().await;
    let described = app.alibaba("DescribeVpcs", &[("VpcId", vpc_id)]).await;
    assert_eq!(
        described.assert_alibaba_ok()["Vpcs"]["Vpc"][0]["Status"],
        "Available"
    );
}

#[tokio::test]
async fn a_fail_rule_fails_a_flow_logs_delivery_until_its_next_activation() {
    let app = TestApp::new().await;
    add_rule(
        &app,
        json!({"face": "huawei", "kind": "flow_log", "effect": {"fail": true}, "times": 1}),
    )
    .await;
    let failed = app.create_huawei_id(PROJECT, "port-1").await;
    let healthy = app.create_huawei_id(PROJECT, "port-2").await;
    let status = |body: Value| body["flow_log"]["status"].as_str().unwrap().to_owned();
    let path = flow_log_path(PROJECT, &failed);
    assert_eq!(status(app.get(&path).await.body), "ERROR");
    assert_eq!(
        status(app.get(&flow_log_path(PROJECT, &healthy)).await.body),
        "ACTIVE"
    );
    let listed = app.list_huawei("status=ERROR").await;
    assert_eq!(ids_of(&listed.body), vec![failed.clone()]);
    let generated = app
        .generate_records(json!({"windows": 1, "flow_log_id": failed}))
        .await;
    assert_eq!(generated["records"], 0, "nothing is delivered");
    // Disabling and enabling it again clears the fault.
    for enabled in [false, true] {
        let updated = app
            .put(&path, json!({"flow_log": {"admin_state": enabled}}))
            .await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    }
    assert_eq!(status(app.get(&path).await.body), "ACTIVE");

    add_rule(
        &app,
        json!({"face": "alibaba", "kind": "flow_log", "effect": {"fail": {"code": "UserNotAuthorised"}}, "tenant": ALIBABA_KEY}),
    )
    .await;
    let id = app.create_alibaba("vpc-failed", &[]).await;
    app.tick_all().await;
    let described = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(described["Status"], "Active");
    assert_eq!(described["FlowLogDeliverStatus"], "FAILED");
    assert_eq!(described["FlowLogDeliverErrorMessage"], "UserNotAuthorised");
}

#[tokio::test]
async fn bad_rules_are_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let drop = json!({"drop": true});
    for (body, why) in [
        (json!({"face": "alibaba"}), "no effect"),
        (json!({"effect": drop}), "no face"),
        (
            json!({"face": "alibaba", "effect": "drop"}),
            "an effect is an object",
        ),
        (
            json!({"face": "alibaba", "effect": {"explode": true}}),
            "unknown effect",
        ),
        (
            json!({"face": "alibaba", "effect": {"drop": true, "stuck": true}}),
            "two effects",
        ),
        (
            json!({"face": "alibaba", "effect": {"error": {"code": "X"}}}),
            "error without a status",
        ),
        (
            json!({"face": "alibaba", "effect": {"error": {"status": 200, "code": "X"}}}),
            "not an error status",
        ),
        (
            json!({"face": "alibaba", "effect": {"error": {"status": 500}}}),
            "error without a code",
        ),
        (
            json!({"face": "alibaba", "effect": {"latency": null}}),
            "latency without a duration",
        ),
        (
            json!({"face": "alibaba", "effect": {"latency": "soon"}}),
            "not a duration",
        ),
        (
            json!({"face": "alibaba", "effect": {"latency": "11m"}}),
            "too long a latency",
        ),
        (
            json!({"face": "alibaba", "effect": {"throttle": {"status": 429}}}),
            "status on a throttle",
        ),
        (
            json!({"face": "alibaba", "effect": {"drop": false}}),
            "drop false",
        ),
        (
            json!({"face": "alibaba", "effect": drop, "times": 0}),
            "zero times",
        ),
        (
            json!({"face": "alibaba", "effect": drop, "probability": 0}),
            "zero probability",
        ),
        (
            json!({"face": "alibaba", "effect": drop, "probability": 1.5}),
            "over one",
        ),
        (
            json!({"face": "alibaba", "effect": drop, "seed": 3}),
            "seed without probability",
        ),
        (json!({"face": "aws", "effect": drop}), "unknown face"),
        (
            json!({"face": "alibaba", "effect": drop, "kind": "flow_log"}),
            "kind on a request rule",
        ),
        (
            json!({"face": "alibaba", "effect": {"stuck": true}, "operation": "CreateVpc"}),
            "operation on a transition rule",
        ),
        (
            json!({"face": "sls", "effect": {"stuck": true}}),
            "SLS has no transitions",
        ),
        (
            json!({"face": "huawei", "effect": {"stuck": true}, "kind": "flow_log"}),
            "a Huawei flow log cannot stick",
        ),
        (
            json!({"face": "alibaba", "effect": {"fail": true}, "kind": "vpc"}),
            "a VPC cannot fail",
        ),
        (
            json!({"face": "alibaba", "effect": {"fail": {"code": "Nope"}}, "kind": "flow_log"}),
            "unknown delivery error",
        ),
        (
            json!({"face": "alibaba", "effect": drop, "provider": "alibaba"}),
            "unknown field (provider is the face)",
        ),
        (
            json!({"face": "alibaba", "effect": drop, "colour": "red"}),
            "unknown field",
        ),
        (json!([1, 2]), "not an object"),
    ] {
        let response = app.post(FAULTS, body.clone()).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(
            response.body["error"]["code"], "InvalidParameter",
            "{why}: {}",
            response.body
        );
    }
    let broken = app
        .send(raw_request(
            Method::POST,
            FAULTS,
            Some("application/json"),
            "{",
        ))
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(rules(&app).await.is_empty());
}

#[tokio::test]
async fn rules_are_deleted_one_by_one_or_all_at_once() {
    let app = TestApp::new().await;
    let first = add_rule(&app, json!({"face": "huawei", "effect": {"drop": true}})).await;
    add_rule(&app, json!({"face": "alibaba", "effect": {"drop": true}})).await;
    add_rule(&app, json!({"face": "sls", "effect": {"drop": true}})).await;
    let listed = rules(&app).await;
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["id"], first["id"], "oldest first");

    let path = format!("{FAULTS}/{}", first["id"].as_str().unwrap());
    let deleted = app.delete(&path).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.raw.is_empty());
    let again = app.delete(&path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    assert_eq!(rules(&app).await.len(), 2);
    assert_eq!(app.delete(FAULTS).await.body, json!({"deleted": 2}));
    assert!(rules(&app).await.is_empty());
    // Without rules, requests are served.
    assert_eq!(app.list_huawei("").await.status, StatusCode::OK);
}

#[tokio::test]
async fn two_apps_on_one_database_apply_the_same_rules_and_share_their_counts() {
    let db = TestDb::new().await;
    let first = TestApp::on(&db, &[]).await;
    let second = TestApp::on(&db, &[]).await;
    // The second app has read the (empty) rules before the first adds one.
    assert_eq!(second.list_huawei("").await.status, StatusCode::OK);
    let added = add_rule(
        &first,
        json!({"face": "huawei", "operation": "ListFlowLogs", "effect": {"throttle": true}, "times": 3}),
    )
    .await;
    assert_eq!(rules(&second).await.len(), 1);
    // Within the refresh interval the second app applies it too.
    let deadline = Instant::now() + RULES_REFRESH * 5;
    loop {
        let answer = second.list_huawei("").await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert!(Instant::now() < deadline, "the second app never applied it");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut throttled = 1;
    for _ in 0..4 {
        for app in [&first, &second] {
            if app.list_huawei("").await.status == StatusCode::TOO_MANY_REQUESTS {
                throttled += 1;
            }
        }
    }
    assert_eq!(throttled, 3, "three firings in all, across both apps");
    let shared = rule(&first, &added["id"]).await;
    assert_eq!(shared["fired"], 3);
    assert_eq!(shared["remaining"], 0);
    first.stop().await;
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_see_the_same_rules_and_settings() {
    let db = TestDb::new().await;
    let flags = ["--transition-delay", "1h"];
    let a = ServerProcess::start_with(db.url(), &flags).await;
    let b = ServerProcess::start_with(db.url(), &flags).await;
    let client = reqwest::Client::new();
    let list = flow_logs_path(PROJECT);

    let added = client
        .post(a.url(FAULTS))
        .json(
            &json!({"face": "huawei", "operation": "ListFlowLogs", "effect": {"throttle": true},
                      "times": 2}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let (_, listed, _) = get_json(&client, &b.url(FAULTS)).await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 1, "{listed}");
    // Until it applies the rule, the other process serves; then its first firing.
    eventually("the other process applies the rule", || {
        let request = client.get(b.url(&list)).send();
        async { request.await.unwrap().status() == 429 }
    })
    .await;
    let mut throttled = 1;
    for server in [&a, &b, &a, &b] {
        if client.get(server.url(&list)).send().await.unwrap().status() == 429 {
            throttled += 1;
        }
    }
    assert_eq!(throttled, 2, "two firings in all");

    // A transition setting made through one process governs the other's creates.
    let set = client
        .put(a.url("/_flowplane/transitions"))
        .json(&json!({"provider": "alibaba", "kind": "flow_log", "mode": "manual"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let (status, created) = b.create_alibaba(&client, "vpc-two-processes").await;
    assert_eq!(status, 200, "{created}");
    let id = created["FlowLogId"].as_str().unwrap().to_owned();
    let (_, answer) = b
        .alibaba(&client, "DescribeFlowLogs", &[("FlowLogId", &id)])
        .await;
    assert_eq!(described_ids(&answer), vec![id.clone()]);
    assert_eq!(described(&answer)[0]["Status"], "Activating");
    let ticked = client
        .post(a.url("/_flowplane/transitions/tick?all=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(ticked.json::<Value>().await.unwrap()["completed"], 1);
    let (_, answer) = b
        .alibaba(&client, "DescribeFlowLogs", &[("FlowLogId", &id)])
        .await;
    assert_eq!(described(&answer)[0]["Status"], "Active");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_transition_failure_fails_as_each_cloud_reports_it() {
    let app = TestApp::with_flags(&["--transition-delay", "0s"]).await;
    let rule = json!({"face": "huawei", "kind": "flow_log", "effect": {"transition_failure": true},
                      "times": 1});
    add_rule(&app, rule).await;
    let failed = app.create_huawei_id(PROJECT, "port-1").await;
    let shown = app.get(&flow_log_path(PROJECT, &failed)).await;
    assert_eq!(shown.body["flow_log"]["status"], "ERROR", "{}", shown.body);

    // A VPC has no failed state: its transition sticks.
    add_rule(
        &app,
        json!({"face": "alibaba", "kind": "vpc", "effect": {"transition_failure": true}}),
    )
    .await;
    let vpc = app.create_vpc_answer(&[("CidrBlock", "10.0.0.0/16")]).await;
    let vpc_id = vpc["VpcId"].as_str().unwrap();
    let far = chrono::Utc::now() + chrono::Duration::days(365 * 100);
    assert_eq!(app.app.worker().tick(far).await.unwrap(), 0, "never due");
    let described = app.alibaba("DescribeVpcs", &[("VpcId", vpc_id)]).await;
    assert_eq!(
        described.assert_alibaba_ok()["Vpcs"]["Vpc"][0]["Status"],
        "Pending"
    );
    // An Alibaba flow log's activation completes with its delivery failed.
    add_rule(
        &app,
        json!({"face": "alibaba", "kind": "flow_log", "effect": {"transition_failure": true}}),
    )
    .await;
    let id = app.create_alibaba("vpc-transition-failure", &[]).await;
    let described = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(described["Status"], "Active");
    assert_eq!(described["FlowLogDeliverStatus"], "FAILED");
    assert_eq!(described["FlowLogDeliverErrorMessage"], "UnknownError");
}
