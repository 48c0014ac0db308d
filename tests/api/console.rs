//! The console (`/_flowplane/ui`): every page renders what is stored, across both clouds, as
//! escaped HTML under a strict content policy; bad queries are 400 pages and unknown ids 404
//! pages; the event stream reports requests, transitions and records, resumes where it left
//! off and ends with serving; with a control token, the sign-in cookie opens the console and
//! the control API the page calls.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use flowplane::domain::network::NewNetworkResource;
use flowplane::domain::{ResourceKind, Tag, TenantScope};
use http_body_util::BodyExt;
use serde_json::json;

use crate::support::*;

const HOSTILE: &str = r#"<script>alert(1)</script><img src=x onerror=alert(2)>"'&"#;
const HOSTILE_ESCAPED: &str =
    "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;'&amp;";

/// A console page that must render: 200, HTML, the content policy; its text.
async fn page(app: &TestApp, uri: &str) -> String {
    let response = app.get(uri).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{uri}: {}",
        response.text()
    );
    assert_page_headers(&response, uri);
    response.text()
}

#[track_caller]
fn assert_page_headers(response: &TestResponse, uri: &str) {
    assert_eq!(
        response.headers["content-type"], "text/html; charset=utf-8",
        "{uri}"
    );
    let policy = response.headers["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("default-src 'none'"),
        "{uri}: {policy}"
    );
    assert_eq!(response.headers["cache-control"], "no-store", "{uri}");
}

/// The `href` of the element with this id, unescaped.
fn href_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!(r#"id="{id}""#))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let href = tag.split(r#"href=""#).nth(1)?.split('"').next()?;
    Some(href.replace("&amp;", "&"))
}

#[tokio::test]
async fn pages_show_the_network_flow_logs_destinations_and_records_of_both_clouds() {
    let app = TestApp::new().await;
    let account = app.alibaba_account(ALIBABA_KEY);
    let vpc = app.create_alibaba_vpc("10.0.0.0/8").await;
    let vswitch = app.create_vswitch(&vpc, "10.1.0.0/16").await;
    let eni = app.create_eni(&vswitch).await;
    let alibaba = app.create_alibaba_on("NetworkInterface", &eni).await;
    app.huawei_destination(PROJECT).await;
    let huawei = app.create_huawei_id(PROJECT, "port-1").await;
    app.tick_all().await;
    let generated = app.generate_records(json!({ "windows": 1 })).await;
    assert!(generated["records"].as_u64().unwrap() > 0, "{generated}");

    let overview = page(&app, "/_flowplane/ui").await;
    for row in [
        format!(r#"data-provider="alibaba" data-tenant="{account}" data-kind="flow_log""#),
        format!(r#"data-provider="alibaba" data-tenant="{account}" data-kind="subnet""#),
        format!(r#"data-provider="alibaba" data-tenant="{account}" data-kind="log_stream""#),
        format!(r#"data-provider="huawei" data-tenant="{PROJECT}" data-kind="flow_log""#),
        format!(r#"data-provider="huawei" data-tenant="{PROJECT}" data-kind="record""#),
    ] {
        assert!(overview.contains(&row), "{row} in {overview}");
    }
    assert!(overview.contains(r#"data-status="active">active <strong>1</strong>"#));
    assert!(overview.contains("No transition is pending."));

    let list = page(&app, "/_flowplane/ui/flow-logs").await;
    for id in [&alibaba, &huawei] {
        assert!(
            list.contains(&format!(r#"data-id="{id}""#)),
            "{id} in {list}"
        );
    }
    let huawei_only = page(
        &app,
        "/_flowplane/ui/flow-logs?provider=huawei&status=active",
    )
    .await;
    assert!(huawei_only.contains(&huawei) && !huawei_only.contains(&alibaba));
    let by_resource = page(&app, &format!("/_flowplane/ui/flow-logs?resource={eni}")).await;
    assert!(by_resource.contains(&alibaba) && !by_resource.contains(&huawei));

    // The flow log's page: its place in the network, outermost first, and its records.
    let detail = page(
        &app,
        &format!("/_flowplane/ui/flow-log?provider=alibaba&id={alibaba}"),
    )
    .await;
    let placement = &detail[detail.find(r#"id="placement""#).unwrap()..];
    let (at_vpc, at_vswitch, at_eni) = (
        placement.find(&vpc).unwrap(),
        placement.find(&vswitch).unwrap(),
        placement.find(&eni).unwrap(),
    );
    assert!(at_vpc < at_vswitch && at_vswitch < at_eni, "{placement}");
    let records = &detail[detail.find(r#"<table id="records">"#).unwrap()..];
    assert!(!records.contains("No records yet"), "{records}");
    assert!(records.contains("<th scope=\"col\">srcaddr</th>") || records.contains("srcaddr"));
    assert!(detail.contains(SLS_PROJECT) && detail.contains(SLS_LOGSTORE));

    let network = page(&app, "/_flowplane/ui/network?kind=subnet&provider=alibaba").await;
    assert!(network.contains(&format!(r#"data-id="{vswitch}" data-kind="subnet""#)));
    let vpc_page = page(
        &app,
        &format!("/_flowplane/ui/network-resource?provider=alibaba&id={vpc}"),
    )
    .await;
    let children = &vpc_page[vpc_page.find(r#"<table id="children">"#).unwrap()..];
    assert!(children.contains(&vswitch), "{children}");
    let eni_page = page(
        &app,
        &format!("/_flowplane/ui/network-resource?provider=alibaba&id={eni}"),
    )
    .await;
    assert!(eni_page.contains(&format!(r#"data-id="{alibaba}""#)));

    let destinations = page(&app, "/_flowplane/ui/destinations").await;
    assert!(destinations.contains(&format!(r#"data-id="{SLS_PROJECT}""#)));
    assert!(destinations.contains(&format!(r#"data-id="{LOG_GROUP}""#)));
    let group = page(
        &app,
        &format!(
            "/_flowplane/ui/log-group?provider=alibaba&tenant={account}&region={REGION}&id={SLS_PROJECT}"
        ),
    )
    .await;
    assert!(group.contains(&format!(r#"data-id="{SLS_LOGSTORE}""#)));
    assert!(group.contains(&format!(r#"data-id="{alibaba}""#)));
    let stream = page(
        &app,
        &format!(
            "/_flowplane/ui/log-stream?provider=huawei&tenant={PROJECT}&group={LOG_GROUP}&id={LOG_TOPIC}"
        ),
    )
    .await;
    assert!(stream.contains(&format!(r#"data-id="{huawei}""#)));
    assert!(stream.contains(r#"<table id="tags">"#));
    assert!(!stream.contains("No records yet"), "{stream}");

    let requests = page(&app, "/_flowplane/ui/requests").await;
    assert!(requests.contains(r#"<td class="operation">CreateFlowLog</td>"#));
    assert!(requests.contains(r#"<td class="operation">CreateVSwitch</td>"#));
}

#[tokio::test]
async fn the_flow_log_table_pages_by_keyset() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for vpc in ["vpc-page1", "vpc-page2", "vpc-page3"] {
        ids.push(app.create_alibaba(vpc, &[]).await);
    }
    let first = page(&app, "/_flowplane/ui/flow-logs?limit=2").await;
    assert!(first.contains(&ids[0]) && first.contains(&ids[1]) && !first.contains(&ids[2]));
    let next = href_of(&first, "next-page").expect("a next page");
    assert!(next.contains(&format!("after={}", ids[1])), "{next}");
    let second = page(&app, &next).await;
    assert!(second.contains(&ids[2]) && !second.contains(&format!(r#"data-id="{}""#, ids[0])));
    assert!(href_of(&second, "next-page").is_none(), "the last page");
}

#[tokio::test]
async fn bad_queries_are_400_pages_and_unknown_ids_404_pages() {
    let app = TestApp::new().await;
    for (uri, status) in [
        ("/_flowplane/ui/flow-logs?provider=gcp", 400),
        ("/_flowplane/ui/flow-logs?unknown=1", 400),
        ("/_flowplane/ui/flow-logs?limit=0", 400),
        ("/_flowplane/ui/flow-logs?limit=501", 400),
        ("/_flowplane/ui/flow-logs?limit=ten", 400),
        ("/_flowplane/ui/flow-logs?status=sleeping", 400),
        ("/_flowplane/ui/flow-logs?%ZZ", 400),
        ("/_flowplane/ui/network?kind=router", 400),
        ("/_flowplane/ui/destinations?offset=-1", 400),
        ("/_flowplane/ui/requests?verbose=1", 400),
        ("/_flowplane/ui/flow-log", 400),
        ("/_flowplane/ui/flow-log?provider=huawei", 400),
        ("/_flowplane/ui/log-group?provider=alibaba&id=x", 400),
        ("/_flowplane/ui/events?after=soon", 400),
        ("/_flowplane/ui/flow-log?provider=huawei&id=nope", 404),
        (
            "/_flowplane/ui/network-resource?provider=alibaba&id=vpc-nope",
            404,
        ),
        (
            "/_flowplane/ui/log-group?provider=alibaba&tenant=a&region=cn-hangzhou&id=nope",
            404,
        ),
        (
            "/_flowplane/ui/log-stream?provider=huawei&tenant=p&group=g&id=nope",
            404,
        ),
    ] {
        let response = app.get(uri).await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{uri}: {}",
            response.text()
        );
        assert_page_headers(&response, uri);
        assert!(response.text().contains(r#"role="alert""#), "{uri}");
    }
    // A hostile value in the query comes back escaped in the error page.
    let response = app
        .get("/_flowplane/ui/flow-logs?provider=%3Cscript%3Ealert(1)%3C/script%3E")
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(!response.text().contains("<script>alert"));
    assert!(response.text().contains("&lt;script&gt;alert(1)"));
    // Unknown console paths are the control face's 404.
    assert_eq!(
        app.get("/_flowplane/ui/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn hostile_names_descriptions_tags_and_tenants_are_escaped_on_every_page() {
    let app = TestApp::new().await;
    // Through the Alibaba face, which takes any text in descriptions and tags.
    let alibaba = app
        .create_alibaba(
            "vpc-hostile",
            &[
                ("Description", HOSTILE),
                ("Tag.1.Key", HOSTILE),
                ("Tag.1.Value", HOSTILE),
            ],
        )
        .await;
    // Straight into the domain and the store, past the faces' own rules: a tenant, a name and a
    // resource id no cloud would accept, as a shared database could still hold.
    let vpc = app
        .settled_network()
        .create(
            &alibaba_test_scope(),
            ResourceKind::Vpc,
            None,
            NewNetworkResource {
                name: Some(HOSTILE.into()),
                description: Some(HOSTILE.into()),
                tags: vec![Tag {
                    key: "k".into(),
                    value: HOSTILE.into(),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let mut flow_log = fixed_huawei_flow_log(
        "hostile-flow-log",
        flowplane::domain::TrafficFilter::All,
        chrono::Utc::now(),
    );
    flow_log.scope = TenantScope::huawei_project(HOSTILE);
    flow_log.spec.name = Some(HOSTILE.into());
    flow_log.spec.resource_id = HOSTILE.into();
    app.insert_fixed_flow_log(&flow_log).await;
    app.post(
        "/_flowplane/faults",
        json!({"face": "alibaba", "operation": HOSTILE,
               "effect": {"error": {"status": 400, "code": "Hostile", "message": HOSTILE}}}),
    )
    .await;
    app.get(&format!("/v1/{PROJECT}/fl/flow_logs/{}", "%3Cscript%3E"))
        .await;

    let hostile_tenant = form_urlencoded::byte_serialize(HOSTILE.as_bytes()).collect::<String>();
    for uri in [
        "/_flowplane/ui".to_owned(),
        "/_flowplane/ui/flow-logs".to_owned(),
        format!("/_flowplane/ui/flow-logs?tenant={hostile_tenant}"),
        format!("/_flowplane/ui/flow-log?provider=alibaba&id={alibaba}"),
        "/_flowplane/ui/flow-log?provider=huawei&id=hostile-flow-log".to_owned(),
        "/_flowplane/ui/network".to_owned(),
        format!("/_flowplane/ui/network-resource?provider=alibaba&id={vpc}"),
        format!("/_flowplane/ui/log-group?provider=huawei&tenant={hostile_tenant}&id={LOG_GROUP}"),
        "/_flowplane/ui/destinations".to_owned(),
        "/_flowplane/ui/requests".to_owned(),
        "/_flowplane/ui/act".to_owned(),
    ] {
        let html = page(&app, &uri).await;
        assert!(
            !html.contains("<script>alert") && !html.contains("<img src=x"),
            "{uri}: {html}"
        );
    }
    for (uri, shows) in [
        (
            format!("/_flowplane/ui/flow-log?provider=alibaba&id={alibaba}"),
            "the description and the tag",
        ),
        (
            "/_flowplane/ui/flow-log?provider=huawei&id=hostile-flow-log".to_owned(),
            "the name, tenant and resource",
        ),
        (
            format!("/_flowplane/ui/network-resource?provider=alibaba&id={vpc}"),
            "the name",
        ),
        ("/_flowplane/ui/act".to_owned(), "the rule"),
    ] {
        let html = page(&app, &uri).await;
        assert!(
            html.contains(HOSTILE_ESCAPED),
            "{uri} shows {shows}: {html}"
        );
    }
}

/// Reads the stream's frames until their text holds every one of `wanted`; fails at the
/// deadline with what it read.
async fn read_until(body: &mut Body, seen: &mut String, wanted: &[&str]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !wanted.iter().all(|want| seen.contains(want)) {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .unwrap_or_else(|_| panic!("no {wanted:?} in {seen}"))
            .expect("the stream goes on")
            .expect("a frame");
        if let Ok(data) = frame.into_data() {
            seen.push_str(std::str::from_utf8(&data).unwrap());
        }
    }
}

#[tokio::test]
async fn the_event_stream_reports_requests_transitions_and_records_and_resumes() {
    let app = TestApp::new().await;
    let response = app
        .open(
            Request::get("/_flowplane/ui/events")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let mut seen = String::new();
    read_until(&mut body, &mut seen, &["event: hello"]).await;

    let id = app.create_alibaba("vpc-live", &[]).await;
    let failed = app
        .alibaba("DeleteFlowLog", &[("FlowLogId", "fl-nope")])
        .await;
    let failed_id = failed.request_id().to_owned();
    read_until(
        &mut body,
        &mut seen,
        &[
            "event: request",
            r#""operation":"CreateFlowLog""#,
            &format!(r#""request_id":"{failed_id}""#),
            &format!(r#""id":"{id}","from":null,"status":"activating""#),
        ],
    )
    .await;
    // The overview lists the pending transition with when it is due.
    let overview = page(&app, "/_flowplane/ui").await;
    let pending = &overview[overview.find(r#"<table id="pending">"#).unwrap()..];
    let row = &pending[pending.find(&format!(r#"<tr data-id="{id}">"#)).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td>activating</td>"), "{row}");
    assert!(row.contains(" s)</td>"), "a due time: {row}");
    app.tick_all().await;
    read_until(
        &mut body,
        &mut seen,
        &[&format!(
            r#""id":"{id}","from":"activating","status":"active""#
        )],
    )
    .await;
    app.generate_records(json!({ "windows": 1 })).await;
    read_until(&mut body, &mut seen, &["event: records"]).await;
    assert!(!seen.contains("AccessKeySecret") && !seen.contains("Signature="));

    // A reconnecting page says where it stopped: the stream resumes after that entry.
    let resumed = app
        .open(
            Request::get("/_flowplane/ui/events")
                .header("last-event-id", "0")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let mut body = resumed.into_body();
    let mut seen = String::new();
    read_until(
        &mut body,
        &mut seen,
        &["id: 1\n", r#""operation":"CreateFlowLog""#],
    )
    .await;
}

#[tokio::test]
async fn serving_ends_promptly_with_an_event_stream_open() {
    let db = TestDb::new().await;
    // A long request timeout: shutdown would otherwise wait that long for the stream.
    let served = Served::start(&db, &["--request-timeout", "120s", "--tls", "off"]).await;
    let mut stream = reqwest::Client::new()
        .get(format!("{}/_flowplane/ui/events", served.http()))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let hello = stream.chunk().await.unwrap().expect("the hello event");
    assert!(String::from_utf8_lossy(&hello).contains("event: hello"));

    // Serving ends without waiting for the stream, which ends rather than being cut mid-event.
    served.stop_within(Duration::from_secs(20)).await;
    while let Ok(Some(_)) = stream.chunk().await {}
}

#[tokio::test]
async fn requests_page_highlights_failures_with_the_cloud_error() {
    let app = TestApp::new().await;
    let ok = app.list_huawei("").await;
    let failed = app.get(&flow_log_path(PROJECT, "no-such-flow-log")).await;
    assert_eq!(failed.status, StatusCode::NOT_FOUND);
    let code = failed.body["error_code"]
        .as_str()
        .or(failed.body["code"].as_str())
        .unwrap_or_default()
        .to_owned();
    let html = page(&app, "/_flowplane/ui/requests").await;
    let row = format!(
        r#"<tr class="failed" data-request-id="{}">"#,
        failed.request_id()
    );
    let at = html.find(&row).unwrap_or_else(|| panic!("{row} in {html}"));
    let cells = &html[at..at + html[at..].find("</tr>").unwrap()];
    assert!(cells.contains(r#"<td class="status">404</td>"#), "{cells}");
    assert!(
        !code.is_empty() && cells.contains(&format!(r#"<td class="error">{code}</td>"#)),
        "{cells}"
    );
    let ok_row = format!(r#"<tr class="" data-request-id="{}">"#, ok.request_id());
    assert!(html.contains(&ok_row), "{ok_row} in {html}");

    assert!(html.contains(r#"<ol class="changes" id="state-changes" aria-live="polite">"#));

    // The overview counts them over the last minute.
    let overview = page(&app, "/_flowplane/ui").await;
    assert!(
        overview.contains(r#"<dd id="requests-last-minute">2</dd>"#),
        "{overview}"
    );
    assert!(
        overview.contains(r#"<dd id="failed-last-minute">1</dd>"#),
        "{overview}"
    );

    let failures = page(&app, "/_flowplane/ui/requests?failed=1").await;
    assert!(failures.contains(failed.request_id()) && !failures.contains(ok.request_id()));
}

#[tokio::test]
async fn the_act_page_lists_rules_settings_and_the_control_calls_it_makes() {
    let app = TestApp::new().await;
    let added = app
        .post(
            "/_flowplane/faults",
            json!({"face": "alibaba", "product": "vpc", "operation": "DescribeFlowLogs",
                   "effect": {"error": {"status": 400, "code": "Throttling.User", "message": "slow"}},
                   "times": 1}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED);
    let rule = added.body["id"].as_str().unwrap();
    let act = page(&app, "/_flowplane/ui/act").await;
    assert!(act.contains(&format!(r#"data-delete="/_flowplane/faults/{rule}""#)));
    assert!(act.contains("error 400 Throttling.User: slow"));
    for control in [
        r#"data-post="/_flowplane/transitions/tick""#,
        r#"data-post="/_flowplane/transitions/tick?all=true""#,
        r#"data-action="/_flowplane/faults""#,
        r#"data-action="/_flowplane/records/generate""#,
        r#"data-action="/_flowplane/reset""#,
        r#"id="snapshot-download" href="/_flowplane/snapshot""#,
        r#"data-action="/_flowplane/snapshot""#,
        r#"<table id="transition-settings">"#,
    ] {
        assert!(act.contains(control), "{control} in {act}");
    }
    let overview = page(&app, "/_flowplane/ui").await;
    assert!(overview.contains(&format!(r#"<tr data-id="{rule}">"#)));

    // Once the rule has fired its one time it is no longer in force.
    app.alibaba("DescribeFlowLogs", &[])
        .await
        .assert_alibaba_error(400, "Throttling.User");
    let overview = page(&app, "/_flowplane/ui").await;
    assert!(!overview.contains(&format!(r#"<tr data-id="{rule}">"#)));
    assert!(overview.contains("No fault rule is in force."));
}

#[tokio::test]
async fn assets_are_embedded_and_served_open() {
    let app = TestApp::with_flags(&["--control-token", "s3cret"]).await;
    for (path, content_type, holds) in [
        (
            "/_flowplane/ui/assets/console.css",
            "text/css; charset=utf-8",
            "#live-status",
        ),
        (
            "/_flowplane/ui/assets/console.js",
            "text/javascript; charset=utf-8",
            "EventSource",
        ),
        ("/_flowplane/ui/assets/favicon.svg", "image/svg+xml", "<svg"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.headers["content-type"], content_type);
        assert_eq!(response.headers["x-content-type-options"], "nosniff");
        assert!(response.text().contains(holds), "{path}");
    }
}

#[tokio::test]
async fn with_a_control_token_the_console_asks_for_it_once_and_the_cookie_opens_both() {
    let token = "s3cret;tok=en";
    let app = TestApp::with_flags(&["--control-token", token]).await;
    let redirected = app.get("/_flowplane/ui/flow-logs").await;
    assert_eq!(redirected.status, StatusCode::SEE_OTHER);
    assert_eq!(redirected.headers["location"], "/_flowplane/ui/sign-in");
    assert_eq!(
        app.get("/_flowplane/ui/events").await.status,
        StatusCode::UNAUTHORIZED
    );
    let form = app.get("/_flowplane/ui/sign-in").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains(r#"<form id="sign-in" method="post""#));

    let sign_in = |body: String| {
        Request::post("/_flowplane/ui/sign-in")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let wrong = app.send(sign_in("token=guess".into())).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.get("set-cookie").is_none());
    assert_eq!(
        app.send(sign_in("nothing".into())).await.status,
        StatusCode::BAD_REQUEST
    );

    let encoded: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let signed_in = app.send(sign_in(format!("token={encoded}"))).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let cookie = signed_in.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(token),
        "the token is encoded in the cookie: {cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();

    let with_cookie = |uri: &str, cookie: &str| {
        Request::get(uri)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap()
    };
    let console = app.send(with_cookie("/_flowplane/ui/act", &pair)).await;
    assert_eq!(console.status, StatusCode::OK);
    let control = app.send(with_cookie("/_flowplane/faults", &pair)).await;
    assert_eq!(control.status, StatusCode::OK, "{}", control.body);
    // A call that changes something, signed by the cookie alone, must carry the console's
    // header: another page of the same site can make a browser send the cookie, not the header.
    let rule = json!({"face": "alibaba", "effect": {"latency": "1ms"}}).to_string();
    let post_rule = |console: bool| {
        let mut request = Request::post("/_flowplane/faults")
            .header("cookie", &pair)
            .header("content-type", "application/json");
        if console {
            request = request.header("x-flowplane-console", "1");
        }
        request.body(Body::from(rule.clone())).unwrap()
    };
    let refused = app.send(post_rule(false)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    let listed = app.send(with_cookie("/_flowplane/faults", &pair)).await;
    assert_eq!(listed.body["faults"], json!([]), "nothing was added");
    assert_eq!(app.send(post_rule(true)).await.status, StatusCode::CREATED);
    let forged = app
        .send(with_cookie("/_flowplane/faults", "flowplane_token=guess"))
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let forged_page = app
        .send(with_cookie("/_flowplane/ui", "flowplane_token=guess"))
        .await;
    assert_eq!(forged_page.status, StatusCode::SEE_OTHER);
}
