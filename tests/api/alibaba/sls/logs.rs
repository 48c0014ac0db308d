//! GetLogs: flow-log records delivered into a logstore made over SLS, read back with the
//! search syntax (field queries, `and`/`or`/`not`, ranges), time range, `line`/`offset`/
//! `reverse`, both wire forms; analytic queries refused; delivery status when the logstore
//! goes and comes back.

use axum::http::Method;
use flowplane::domain::repository::RecordSelection;
use flowplane::domain::{TenantScope, Visibility};
use serde_json::{json, Value};

use crate::support::*;

const PROJECT_NAME: &str = "fl-proj-1";
const LOGSTORE: &str = "flowlog";

/// An app with a project and logstore made over SLS, an active flow log on them (made over
/// VPC's RPC), and `windows` capture windows delivered; the flow log's id.
async fn delivering(windows: u32) -> (TestApp, String) {
    let app = TestApp::new().await;
    app.sls_destination(PROJECT_NAME, LOGSTORE).await;
    let params = with_param(
        &with_param(
            &create_params("vpc-bp1abc"),
            "ProjectName",
            Some(PROJECT_NAME),
        ),
        "LogStoreName",
        Some(LOGSTORE),
    );
    let created = app.alibaba("CreateFlowLog", &params).await;
    let id = created.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.tick_all().await;
    generate(&app, &id, windows).await;
    (app, id)
}

async fn generate(app: &TestApp, id: &str, windows: u32) -> u64 {
    let generated = app
        .post(
            "/_flowplane/records/generate",
            json!({"windows": windows, "flow_log_id": id}),
        )
        .await;
    assert_eq!(generated.status.as_u16(), 200, "{}", generated.body);
    generated.body["records"].as_u64().unwrap()
}

/// A window covering every generated record (they lie from activation onward).
fn window() -> (i64, i64) {
    let now = chrono::Utc::now().timestamp();
    (now - 3600, now + 7 * 86400)
}

async fn get_logs(app: &TestApp, query: &str, extra: Value) -> Value {
    let (from, to) = window();
    let mut body = json!({"from": from, "to": to, "line": 100, "offset": 0, "query": query,
                          "reverse": false, "powerSql": false, "accurate": true});
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = app.sls_get_logs(PROJECT_NAME, LOGSTORE, body).await;
    let answer = response.assert_sls_ok().clone();
    assert_eq!(answer["meta"]["progress"], "Complete");
    assert_eq!(
        answer["meta"]["count"].as_u64().unwrap() as usize,
        answer["data"].as_array().unwrap().len()
    );
    assert_eq!(response.headers["x-log-progress"], "Complete");
    answer
}

/// Every record the query matches, paging by `offset` as the Python SDK does.
async fn all_logs(app: &TestApp, query: &str) -> Vec<Value> {
    let mut logs = Vec::new();
    loop {
        let page = get_logs(app, query, json!({"offset": logs.len()})).await;
        let data = page["data"].as_array().unwrap().clone();
        let done = data.len() < 100;
        logs.extend(data);
        if done {
            return logs;
        }
    }
}

/// A record's byte count; `None` for a window without traffic (`-`).
fn bytes(log: &Value) -> Option<u64> {
    log["bytes"].as_str().and_then(|b| b.parse().ok())
}

fn field<'a>(log: &'a Value, name: &str) -> &'a str {
    log[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {log}"))
}

#[tokio::test]
async fn delivered_records_carry_alibabas_fields() {
    let (app, _) = delivering(12).await;
    let logs = all_logs(&app, "").await;
    assert!(logs.len() > 12, "{}", logs.len());
    let scope = TenantScope::alibaba_account(ALIBABA_KEY, REGION);
    let stored = app
        .records()
        .count(RecordSelection {
            visibility: Visibility::Tenant(&scope),
            destination: Some((PROJECT_NAME, LOGSTORE)),
            flow_log_id: None,
            from: None,
            to: None,
        })
        .await
        .unwrap();
    assert_eq!(
        stored,
        logs.len() as u64,
        "GetLogs reads every stored record"
    );
    for log in &logs {
        let object = log.as_object().unwrap();
        for name in ALIBABA_RECORD_FIELDS {
            assert!(object[name].is_string(), "{name} in {log}");
        }
        assert_eq!(object.len(), ALIBABA_RECORD_FIELDS.len() + 3, "{log}");
        assert_eq!(field(log, "__topic__"), "flow_log");
        assert_eq!(field(log, "__source__"), "");
        assert_eq!(field(log, "__time__"), field(log, "start"));
        assert_eq!(field(log, "version"), "1");
        assert_eq!(field(log, "account-id"), ALIBABA_KEY);
        assert_eq!(field(log, "region"), REGION);
        assert!(field(log, "eni-id").starts_with("eni-"), "{log}");
        assert!(["OK", "NODATA", "SKIPDATA"].contains(&field(log, "log-status")));
        if field(log, "log-status") == "OK" {
            assert!(
                ["ACCEPT", "REJECT"].contains(&field(log, "action")),
                "{log}"
            );
            assert!(["in", "out"].contains(&field(log, "direction")), "{log}");
            field(log, "dstport").parse::<u16>().unwrap();
            field(log, "bytes").parse::<u64>().unwrap();
        }
    }
    // Oldest first by default; newest first with reverse.
    let times: Vec<i64> = logs
        .iter()
        .map(|l| field(l, "__time__").parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let reversed = get_logs(&app, "*", json!({"reverse": true, "line": 5})).await;
    let newest: i64 = field(&reversed["data"][0], "__time__").parse().unwrap();
    assert_eq!(newest, *times.last().unwrap());
    assert_eq!(reversed["data"].as_array().unwrap().len(), 5);
    // line and offset page through the same order.
    let page = get_logs(&app, "*", json!({"line": 3, "offset": 2})).await;
    assert_eq!(page["data"].as_array().unwrap(), &logs[2..5].to_vec());
    let beyond = get_logs(&app, "*", json!({"offset": i64::MAX})).await;
    assert_eq!(beyond["data"], json!([]));
    let capped = get_logs(&app, "*", json!({"line": 1000})).await;
    assert_eq!(
        capped["data"].as_array().unwrap().len(),
        logs.len().min(100)
    );
    // The time range is [from, to).
    let first = times[0];
    let narrow = app
        .sls_get_logs(
            PROJECT_NAME,
            LOGSTORE,
            json!({"from": first, "to": first + 1, "query": ""}),
        )
        .await;
    let data = narrow.assert_sls_ok()["data"].as_array().unwrap().clone();
    assert!(!data.is_empty());
    assert!(data
        .iter()
        .all(|l| field(l, "__time__") == first.to_string()));
    let before = app
        .sls_get_logs(
            PROJECT_NAME,
            LOGSTORE,
            json!({"from": first - 600, "to": first}),
        )
        .await;
    assert_eq!(before.assert_sls_ok()["data"], json!([]));
    // A topic other than flow_log matches nothing.
    let topic = get_logs(&app, "*", json!({"topic": "other"})).await;
    assert_eq!(topic["data"], json!([]));
}

#[tokio::test]
async fn field_queries_select_exactly_the_matching_records() {
    let (app, _) = delivering(12).await;
    let all = all_logs(&app, "*").await;
    let expect = |keep: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        all.iter().filter(|l| keep(l)).cloned().collect()
    };
    let is = |l: &Value, name: &str, value: &str| l[name].as_str() == Some(value);

    let rejected = all_logs(&app, "action: REJECT").await;
    assert!(!rejected.is_empty());
    assert_eq!(rejected, expect(&|l| is(l, "action", "REJECT")));
    assert!(rejected.len() < all.len());
    assert_eq!(all_logs(&app, "action:reject").await, rejected);
    assert_eq!(all_logs(&app, "action = REJECT").await, rejected);

    let ssh = all_logs(&app, "action: REJECT and dstport: 22").await;
    assert_eq!(
        ssh,
        expect(&|l| is(l, "action", "REJECT") && is(l, "dstport", "22"))
    );
    assert_eq!(all_logs(&app, "action: REJECT AND dstport = 22").await, ssh);

    let either = all_logs(&app, "dstport: 22 or dstport: 443").await;
    assert_eq!(
        either,
        expect(&|l| is(l, "dstport", "22") || is(l, "dstport", "443"))
    );
    let accepted = all_logs(&app, "not action: REJECT").await;
    assert_eq!(accepted, expect(&|l| !is(l, "action", "REJECT")));
    let grouped = all_logs(
        &app,
        "(dstport: 22 or dstport: 3389) and not action: ACCEPT",
    )
    .await;
    assert_eq!(
        grouped,
        expect(
            &|l| (is(l, "dstport", "22") || is(l, "dstport", "3389")) && !is(l, "action", "ACCEPT")
        )
    );
    let big = all_logs(&app, "bytes > 1000").await;
    assert_eq!(big, expect(&|l| bytes(l).is_some_and(|b| b > 1000)));
    let ranged = all_logs(&app, "bytes in [100 5000)").await;
    assert_eq!(
        ranged,
        expect(&|l| bytes(l).is_some_and(|b| (100..5000).contains(&b)))
    );
    let full_text = all_logs(&app, "REJECT").await;
    assert_eq!(full_text, rejected);
    assert_eq!(all_logs(&app, "__topic__: flow_log").await, all);
    assert_eq!(all_logs(&app, "action: NOPE").await, Vec::<Value>::new());
}

#[tokio::test]
async fn the_legacy_get_form_answers_an_array_with_meta_headers() {
    let (app, _) = delivering(3).await;
    let (from, to) = window();
    let target = format!(
        "/logstores/{LOGSTORE}?type=log&from={from}&to={to}&line=100&offset=0&reverse=false\
         &query=action%3A+REJECT&topic=&powerSql=False&accurate=True&fromNs=0&toNs=0"
    );
    let response = app
        .sls(Method::GET, Some(PROJECT_NAME), &target, None)
        .await;
    let logs = response.assert_sls_ok().as_array().unwrap().clone();
    assert!(logs.iter().all(|l| l["action"] == "REJECT"));
    assert_eq!(response.headers["x-log-progress"], "Complete");
    assert_eq!(
        response.headers["x-log-count"].to_str().unwrap(),
        logs.len().to_string()
    );
    assert_eq!(response.headers["x-log-has-sql"], "false");
    assert_eq!(logs, all_logs(&app, "action: REJECT").await);
    app.sls(
        Method::GET,
        Some(PROJECT_NAME),
        &format!("/logstores/{LOGSTORE}?type=histogram&from=1&to=2"),
        None,
    )
    .await
    .assert_sls_error(400, "ParameterInvalid");
}

#[tokio::test]
async fn bad_get_logs_requests_are_refused_in_the_envelope() {
    let (app, _) = delivering(1).await;
    let message = app
        .sls_get_logs(
            PROJECT_NAME,
            LOGSTORE,
            json!({"from": 1, "to": 2, "query": "* | select count(*) as c"}),
        )
        .await
        .assert_sls_error(400, "ParameterInvalid")
        .to_owned();
    assert!(message.contains("not supported"), "{message}");
    for query in ["(action: REJECT", "and x", "bytes > lots", "\"open"] {
        app.sls_get_logs(
            PROJECT_NAME,
            LOGSTORE,
            json!({"from": 1, "to": 2, "query": query}),
        )
        .await
        .assert_sls_error(400, "ParameterInvalid");
    }
    for body in [
        json!({"to": 2}),
        json!({"from": -1, "to": 2}),
        json!({"from": "x", "to": 2}),
        json!({"from": 1, "to": 2, "line": -1}),
        json!({"from": 1, "to": 2, "offset": -1}),
        json!({"from": 1, "to": 2, "reverse": 3}),
        json!({"from": 1, "to": 2, "query": 5}),
    ] {
        app.sls_get_logs(PROJECT_NAME, LOGSTORE, body)
            .await
            .assert_sls_error(400, "ParameterInvalid");
    }
    app.sls_get_logs(PROJECT_NAME, LOGSTORE, json!({"from": 5, "to": 5}))
        .await
        .assert_sls_error(400, "InvalidTimeRange");
    app.sls_get_logs(PROJECT_NAME, "nosuch", json!({"from": 1, "to": 2}))
        .await
        .assert_sls_error(404, "LogStoreNotExist");
    app.sls_get_logs("nosuch", LOGSTORE, json!({"from": 1, "to": 2}))
        .await
        .assert_sls_error(404, "ProjectNotExist");
    // Huge times are clamped, not errors.
    let far = app
        .sls_get_logs(PROJECT_NAME, LOGSTORE, json!({"from": 0, "to": i64::MAX}))
        .await;
    far.assert_sls_ok();
}

#[tokio::test]
async fn another_account_or_region_reads_nothing() {
    let (app, _) = delivering(2).await;
    let (from, to) = window();
    let body = json!({"from": from, "to": to});
    let target = format!("/logstores/{LOGSTORE}/logs");
    app.sls_as(
        OTHER_ALIBABA_KEY,
        REGION,
        Method::POST,
        Some(PROJECT_NAME),
        &target,
        Some(body.clone()),
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    app.sls_as(
        ALIBABA_KEY,
        "cn-shanghai",
        Method::POST,
        Some(PROJECT_NAME),
        &target,
        Some(body.clone()),
    )
    .await
    .assert_sls_error(404, "ProjectNotExist");
    // The other account's own project of the same name is empty.
    app.sls_as(
        OTHER_ALIBABA_KEY,
        REGION,
        Method::POST,
        Some(PROJECT_NAME),
        "/",
        Some(json!({"projectName": PROJECT_NAME})),
    )
    .await
    .assert_sls_ok();
    app.sls_as(
        OTHER_ALIBABA_KEY,
        REGION,
        Method::POST,
        Some(PROJECT_NAME),
        "/logstores",
        Some(json!({"logstoreName": LOGSTORE})),
    )
    .await
    .assert_sls_ok();
    let theirs = app
        .sls_as(
            OTHER_ALIBABA_KEY,
            REGION,
            Method::POST,
            Some(PROJECT_NAME),
            &target,
            Some(body),
        )
        .await;
    assert_eq!(theirs.assert_sls_ok()["data"], json!([]));
}

#[tokio::test]
async fn delivery_fails_while_the_logstore_is_gone_and_resumes_when_it_is_back() {
    let (app, id) = delivering(2).await;
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(entry["FlowLogDeliverStatus"], "SUCCESS");

    app.sls(
        Method::DELETE,
        Some(PROJECT_NAME),
        &format!("/logstores/{LOGSTORE}"),
        None,
    )
    .await
    .assert_sls_ok();
    assert_eq!(generate(&app, &id, 2).await, 0);
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(entry["FlowLogDeliverStatus"], "FAILED");
    assert_eq!(entry["FlowLogDeliverErrorMessage"], "UnavaliableTarget");

    app.create_sls_logstore(PROJECT_NAME, LOGSTORE)
        .await
        .assert_sls_ok();
    assert!(
        all_logs(&app, "*").await.is_empty(),
        "a recreated logstore starts empty"
    );
    assert!(generate(&app, &id, 2).await > 0);
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(entry["FlowLogDeliverStatus"], "SUCCESS");
    let logs = all_logs(&app, "*").await;
    assert!(!logs.is_empty());
    assert!(logs.iter().all(|l| l["__topic__"] == "flow_log"));

    app.sls(Method::DELETE, Some(PROJECT_NAME), "/", None)
        .await
        .assert_sls_ok();
    generate(&app, &id, 1).await;
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(entry["FlowLogDeliverStatus"], "FAILED");
    assert_eq!(entry["FlowLogDeliverErrorMessage"], "ProjectNotExist");
}

#[tokio::test]
async fn destinations_made_without_sls_are_visible_over_sls() {
    let app = TestApp::new().await;
    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    let project = app.sls(Method::GET, Some(SLS_PROJECT), "/", None).await;
    assert_eq!(project.assert_sls_ok()["projectName"], SLS_PROJECT);
    let logstore = app
        .sls(
            Method::GET,
            Some(SLS_PROJECT),
            &format!("/logstores/{SLS_LOGSTORE}"),
            None,
        )
        .await;
    assert_eq!(logstore.assert_sls_ok()["logstoreName"], SLS_LOGSTORE);
}

/// A protobuf message's fields: (number, varint or bytes).
fn proto_fields(mut bytes: &[u8]) -> Vec<(u64, Result<u64, Vec<u8>>)> {
    fn varint(bytes: &mut &[u8]) -> u64 {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = bytes[0];
            *bytes = &bytes[1..];
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                break;
            }
        }
        value
    }
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let key = varint(&mut bytes);
        match key & 7 {
            0 => fields.push((key >> 3, Ok(varint(&mut bytes)))),
            2 => {
                let length = varint(&mut bytes) as usize;
                fields.push((key >> 3, Err(bytes[..length].to_vec())));
                bytes = &bytes[length..];
            }
            other => panic!("wire type {other}"),
        }
    }
    fields
}

/// A PullLogs body: each log group's (time, contents).
fn pulled_logs(body: &[u8]) -> Vec<(u64, std::collections::BTreeMap<String, String>)> {
    let bytes = |value: &Result<u64, Vec<u8>>| value.clone().unwrap_err();
    let mut logs = Vec::new();
    for (number, group) in proto_fields(body) {
        assert_eq!(number, 1);
        let group = proto_fields(&bytes(&group));
        let topic = group.iter().find(|(n, _)| *n == 3).map(|(_, v)| bytes(v));
        assert_eq!(topic.as_deref(), Some(&b"flow_log"[..]));
        for (_, log) in group.iter().filter(|(n, _)| *n == 1) {
            let mut time = 0;
            let mut contents = std::collections::BTreeMap::new();
            for (n, value) in proto_fields(&bytes(log)) {
                match n {
                    1 => time = value.unwrap(),
                    2 => {
                        let pair = proto_fields(&bytes(&value));
                        let text = |i: usize| String::from_utf8(bytes(&pair[i].1)).unwrap();
                        contents.insert(text(0), text(1));
                    }
                    other => panic!("Log field {other}"),
                }
            }
            logs.push((time, contents));
        }
    }
    logs
}

#[tokio::test]
async fn cursors_and_pull_logs_read_the_logstore_in_order() {
    use tower::ServiceExt;
    let (app, _) = delivering(4).await;
    let all = all_logs(&app, "*").await;
    let shard = |n: u32, query: &str| format!("/logstores/{LOGSTORE}/shards/{n}?{query}");
    let cursor = |body: &Value| body["cursor"].as_str().unwrap().to_owned();
    let begin = app
        .sls(
            Method::GET,
            Some(PROJECT_NAME),
            &shard(0, "type=cursor&from=begin"),
            None,
        )
        .await;
    let begin = cursor(begin.assert_sls_ok());
    assert_eq!(begin, "MA==");
    let end = app
        .sls(
            Method::GET,
            Some(PROJECT_NAME),
            &shard(0, "type=cursor&from=end"),
            None,
        )
        .await;
    let end = cursor(end.assert_sls_ok());
    let first_time: i64 = field(&all[0], "__time__").parse().unwrap();
    let at_first = app
        .sls(
            Method::GET,
            Some(PROJECT_NAME),
            &shard(0, &format!("type=cursor&from={first_time}")),
            None,
        )
        .await;
    assert_eq!(cursor(at_first.assert_sls_ok()), begin);
    let time = app
        .sls(
            Method::GET,
            Some(PROJECT_NAME),
            &shard(0, &format!("type=cursor_time&cursor={begin}")),
            None,
        )
        .await;
    assert_eq!(time.assert_sls_ok()["cursor_time"], first_time);

    // PullLogs from the beginning, 5 log groups at a time, up to the end cursor.
    let mut position = begin.clone();
    let mut pulled = Vec::new();
    loop {
        let target = shard(
            0,
            &format!("type=log&cursor={}&count=5", urlencode(&position)),
        );
        let request = sls_request(
            Method::GET,
            &sls_host(Some(PROJECT_NAME), REGION),
            &target,
            None,
            ALIBABA_KEY,
            None,
            chrono::Utc::now(),
            &[],
        );
        let response = app.app.router().oneshot(request).await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/x-protobuf");
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(
            headers["x-log-bodyrawsize"].to_str().unwrap(),
            body.len().to_string()
        );
        let logs = pulled_logs(&body);
        assert_eq!(
            headers["x-log-count"].to_str().unwrap(),
            logs.len().to_string()
        );
        let next = headers["x-log-cursor"].to_str().unwrap().to_owned();
        pulled.extend(logs);
        if next == position {
            break;
        }
        position = next;
    }
    assert_eq!(position, end);
    assert_eq!(pulled.len(), all.len());
    for ((time, contents), log) in pulled.iter().zip(&all) {
        assert_eq!(time.to_string(), field(log, "__time__"));
        for name in ALIBABA_RECORD_FIELDS {
            assert_eq!(contents[name], field(log, name), "{name}");
        }
    }
    // The other shard is empty; a shard past the count does not exist; a bad cursor is refused.
    let other = app
        .sls(
            Method::GET,
            Some(PROJECT_NAME),
            &shard(1, "type=cursor&from=end"),
            None,
        )
        .await;
    assert_eq!(cursor(other.assert_sls_ok()), "MA==");
    app.sls(
        Method::GET,
        Some(PROJECT_NAME),
        &shard(2, "type=cursor&from=begin"),
        None,
    )
    .await
    .assert_sls_error(400, "ShardNotExist");
    app.sls(
        Method::GET,
        Some(PROJECT_NAME),
        &shard(0, "type=log&cursor=nope"),
        None,
    )
    .await
    .assert_sls_error(400, "InvalidCursor");
    app.sls(
        Method::GET,
        Some(PROJECT_NAME),
        &shard(0, "type=log&cursor=MA%3D%3D&count=0"),
        None,
    )
    .await
    .assert_sls_error(400, "ParameterInvalid");
    // A pull with a query (SPL) is refused rather than answered unfiltered.
    app.sls(
        Method::GET,
        Some(PROJECT_NAME),
        &shard(0, "type=log&cursor=MA%3D%3D&query=*+%7C+where+1%3D1"),
        None,
    )
    .await
    .assert_sls_error(400, "ParameterInvalid");
    app.sls(
        Method::GET,
        Some(PROJECT_NAME),
        "/logstores/nosuch/shards/0?type=cursor&from=begin",
        None,
    )
    .await
    .assert_sls_error(404, "LogStoreNotExist");
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
