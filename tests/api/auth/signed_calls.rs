//! Signed calls pass on both faces and act for their key's tenant; the demo credentials serve
//! without a file; a Huawei key limited to some projects gets VPC.0007 elsewhere; no tenant
//! reaches across to another.

use axum::body::Body;
use axum::http::{Method, Request};
use chrono::Utc;
use flowplane::auth::credentials::{Credentials, DEMO_HUAWEI_ACCESS_KEY};
use serde_json::json;

use crate::support::auth::*;
use crate::support::*;

#[tokio::test]
async fn signed_calls_pass_on_both_faces_as_their_keys_tenant() {
    let (app, _dir) = verifying_app().await;

    // Huawei: the whole life cycle, signed with a key that may use any project.
    let id = app.create_huawei_id(PROJECT, "port-1").await;
    assert_eq!(
        ids_of(&app.get(&flow_logs_path(PROJECT)).await.body),
        [id.as_str()]
    );
    let listed = app
        .get(&format!("{}?limit=1&id={id}", flow_logs_path(PROJECT)))
        .await;
    assert_eq!(ids_of(&listed.body), [id.as_str()]);
    let path = flow_log_path(PROJECT, &id);
    assert_eq!(app.get(&path).await.body["flow_log"]["id"], id.as_str());
    let updated = app
        .put(&path, json!({"flow_log": {"admin_state": false}}))
        .await;
    assert_eq!(
        updated.body["flow_log"]["status"], "DOWN",
        "{}",
        updated.body
    );
    assert_eq!(app.delete(&path).await.status, 204);

    // Alibaba V1 (query parameters): the tenant is the key's account, not its id.
    let created = app
        .alibaba_as(
            ALIBABA_KEY,
            REGION,
            "CreateFlowLog",
            &create_params("vpc-signed"),
        )
        .await;
    let flow_log_id = created.assert_alibaba_ok()["FlowLogId"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = app.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["tenant_id"], ACCOUNT);
    assert_eq!(stored[0]["region_id"], REGION);

    // Alibaba V1 with the parameters in a form body.
    let form = alibaba_v1_query(
        "POST",
        &[("Action", "DescribeFlowLogs"), ("RegionId", REGION)],
        ALIBABA_KEY,
        ALIBABA_SECRET,
        &nonce(),
        &alibaba_timestamp(Utc::now()),
    );
    let described = app
        .send(
            Request::post("/")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(described.assert_alibaba_ok()["TotalCount"], "1");

    // Alibaba V3: a GET with query parameters, and a POST with a form body.
    let (query, headers) = alibaba_v3(
        "GET",
        "DescribeFlowLogs",
        &[("RegionId", REGION), ("FlowLogId", &flow_log_id)],
        None,
        b"",
        ALIBABA_KEY,
        ALIBABA_SECRET,
        &nonce(),
        &alibaba_timestamp(Utc::now()),
    );
    let described = app.send_v3(Method::GET, &query, &headers, Vec::new()).await;
    let body = described.assert_alibaba_ok();
    assert_eq!(
        body["FlowLogs"]["FlowLog"][0]["FlowLogId"],
        flow_log_id.as_str()
    );
    let form = b"RegionId=cn-hangzhou&FlowLogId=".iter().copied();
    let form: Vec<u8> = form
        .chain(flow_log_id.bytes())
        .chain(*b"&Description=v3")
        .collect();
    let (query, headers) = alibaba_v3(
        "POST",
        "ModifyFlowLogAttribute",
        &[],
        Some("application/x-www-form-urlencoded"),
        &form,
        ALIBABA_KEY,
        ALIBABA_SECRET,
        &nonce(),
        &alibaba_timestamp(Utc::now()),
    );
    app.tick_all().await;
    app.send_v3(Method::POST, &query, &headers, form)
        .await
        .assert_alibaba_ok();
    assert_eq!(app.stored().await[0]["description"], "v3");
}

#[tokio::test]
async fn the_demo_credentials_are_used_without_a_file() {
    let mut app = TestApp::with_flags(&["--auth", "verify"]).await;
    app.get(&flow_logs_path(PROJECT))
        .await
        .assert_gateway_error(401, "APIGW.0301");
    app.signer = Some(Signer {
        credentials: Credentials::demo(),
        huawei_key: DEMO_HUAWEI_ACCESS_KEY.to_owned(),
    });
    // The demo key may use any project.
    app.create_huawei(PROJECT, "port-1").await;
    app.create_huawei(OTHER_PROJECT, "port-1").await;
    let created = app
        .alibaba_as(
            flowplane::auth::credentials::DEMO_ALIBABA_ACCESS_KEY_ID,
            REGION,
            "CreateFlowLog",
            &create_params("vpc-signed"),
        )
        .await;
    created.assert_alibaba_ok();
    let alibaba = app.get("/_flowplane/flow-logs?provider=alibaba").await.body;
    assert_eq!(
        alibaba["flow_logs"][0]["tenant_id"],
        flowplane::auth::credentials::DEMO_ALIBABA_ACCOUNT_ID
    );
}

#[tokio::test]
async fn a_key_limited_to_projects_gets_vpc_0007_elsewhere() {
    let (app, _dir) = verifying_app().await;
    let app = &app;
    let create = |project: &str| {
        let path = flow_logs_path(project);
        async move {
            app.call_as(
                LIMITED_KEY,
                Method::POST,
                &path,
                Some(create_body("port-1")),
            )
            .await
        }
    };
    let refused = create(OTHER_PROJECT).await;
    assert_eq!(
        refused.assert_vpc_error(400, "VPC.0007"),
        "urlTenantId is not equal tokenTenantId"
    );
    assert!(app.stored().await.is_empty(), "nothing was written");

    let id = app.create_huawei_id(OTHER_PROJECT, "port-9").await;
    for (method, path, body) in [
        (Method::GET, flow_logs_path(OTHER_PROJECT), None),
        (Method::GET, flow_log_path(OTHER_PROJECT, &id), None),
        (
            Method::PUT,
            flow_log_path(OTHER_PROJECT, &id),
            Some(json!({"flow_log": {"admin_state": false}})),
        ),
        (Method::DELETE, flow_log_path(OTHER_PROJECT, &id), None),
    ] {
        app.call_as(LIMITED_KEY, method, &path, body)
            .await
            .assert_vpc_error(400, "VPC.0007");
    }
    let untouched = app.get(&flow_log_path(OTHER_PROJECT, &id)).await;
    assert_eq!(untouched.body["flow_log"]["status"], "ACTIVE");

    // Its own project is fine.
    let mine = create(PROJECT).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let listed = app
        .call_as(LIMITED_KEY, Method::GET, &flow_logs_path(PROJECT), None)
        .await;
    assert_eq!(listed.body["flow_logs"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn signed_callers_never_reach_across_tenants() {
    let (app, _dir) = verifying_app().await;
    assert_projects_never_see_each_other(&app).await;
    assert_no_action_reaches_across_accounts_or_regions(
        &app,
        (ALIBABA_KEY, ACCOUNT),
        (OTHER_ALIBABA_KEY, OTHER_ACCOUNT),
    )
    .await;
    // Nothing was stored under an access key id: the tenants are the accounts.
    for stored in app.get("/_flowplane/flow-logs?provider=alibaba").await.body["flow_logs"]
        .as_array()
        .unwrap()
    {
        assert_eq!(stored["tenant_id"], ACCOUNT, "{stored}");
    }
}
