//! `GET`/`PUT`/`DELETE /_flowplane/transitions`: each mode for Alibaba flow logs, VPCs,
//! vSwitches and ENIs, Huawei's flow logs (immediate only), validation, and settings shared by
//! two apps on one database.

use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use flowplane::domain::network::{NetworkStatus, NewNetworkResource};
use flowplane::domain::ResourceKind;
use serde_json::{json, Value};

use crate::support::*;

const SETTINGS: &str = "/_flowplane/transitions";

async fn put_setting(app: &TestApp, body: Value) -> TestResponse {
    app.put(SETTINGS, body).await
}

async fn set(app: &TestApp, provider: &str, kind: &str, mode: &str, delay: Option<&str>) {
    let mut body = json!({ "provider": provider, "kind": kind, "mode": mode });
    if let Some(delay) = delay {
        body["delay"] = json!(delay);
    }
    let response = put_setting(app, body).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
}

/// The setting of `provider` and `kind` in `GET`'s answer.
async fn setting(app: &TestApp, provider: &str, kind: &str) -> Value {
    let response = app.get(SETTINGS).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["provider"] == provider && s["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("{provider} {kind} listed: {}", response.body))
}

async fn tick(app: &TestApp) -> u64 {
    let response = app.post_empty("/_flowplane/transitions/tick").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.body["completed"].as_u64().unwrap()
}

#[tokio::test]
async fn get_lists_every_provider_and_kind_with_its_default() {
    let app = TestApp::with_flags(&["--transition-delay", "2s"]).await;
    let response = app.get(SETTINGS).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let settings = response.body["settings"].as_array().unwrap();
    assert_eq!(
        settings.len(),
        8,
        "2 providers × 4 kinds: {}",
        response.body
    );
    assert!(settings.iter().all(|s| s["source"] == "default"));
    assert_eq!(
        setting(&app, "alibaba", "flow_log").await,
        json!({"provider": "alibaba", "kind": "flow_log", "mode": "delay", "delay": "2s", "source": "default"})
    );
    for kind in ["vpc", "subnet", "network_interface"] {
        assert_eq!(setting(&app, "alibaba", kind).await["delay"], "2s");
    }
    for kind in ["flow_log", "vpc", "subnet", "network_interface"] {
        let huawei = setting(&app, "huawei", kind).await;
        assert_eq!(huawei["mode"], "immediate", "{huawei}");
        assert_eq!(huawei["delay"], Value::Null);
    }
}

#[tokio::test]
async fn alibaba_flow_logs_follow_each_mode() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;

    set(&app, "alibaba", "flow_log", "immediate", None).await;
    let id = app.create_alibaba("vpc-immediate", &[]).await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Active"));
    let deactivated = app.alibaba("DeactiveFlowLog", &[("FlowLogId", &id)]).await;
    deactivated.assert_alibaba_ok();
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Inactive"));

    set(&app, "alibaba", "flow_log", "manual", None).await;
    assert_eq!(setting(&app, "alibaba", "flow_log").await["source"], "set");
    let id = app.create_alibaba("vpc-manual", &[]).await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Activating"));
    let viewed = app
        .stored()
        .await
        .into_iter()
        .find(|view| view["id"] == id.as_str())
        .unwrap();
    assert_eq!(viewed["due_at"], Value::Null, "no date: {viewed}");
    assert_eq!(viewed["waits_for_tick"], true, "{viewed}");
    assert_eq!(tick(&app).await, 0, "a manual transition is never due");
    let far = Utc::now() + chrono::Duration::days(365 * 1000);
    assert_eq!(app.app.worker().tick(far).await.unwrap(), 0);
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Activating"));
    app.tick_all().await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Active"));
    // Deactivating is manual too.
    app.alibaba("DeactiveFlowLog", &[("FlowLogId", &id)])
        .await
        .assert_alibaba_ok();
    assert_eq!(tick(&app).await, 0);
    assert_eq!(
        app.alibaba_status(&id).await.as_deref(),
        Some("Deactivating")
    );
    app.tick_all().await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Inactive"));

    set(&app, "alibaba", "flow_log", "delay", Some("50ms")).await;
    assert_eq!(setting(&app, "alibaba", "flow_log").await["delay"], "50ms");
    let id = app.create_alibaba("vpc-delay", &[]).await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Activating"));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(tick(&app).await, 1, "due after the 50ms delay");
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Active"));

    // Back to the default: --transition-delay's hour.
    let response = app
        .delete(&format!("{SETTINGS}?provider=alibaba&kind=flow_log"))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(
        setting(&app, "alibaba", "flow_log").await["source"],
        "default"
    );
    let id = app.create_alibaba("vpc-default", &[]).await;
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Activating"));
    let worker = app.app.worker();
    assert_eq!(
        worker
            .tick(Utc::now() + chrono::Duration::minutes(59))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        worker
            .tick(Utc::now() + chrono::Duration::minutes(61))
            .await
            .unwrap(),
        1
    );
    assert_eq!(app.alibaba_status(&id).await.as_deref(), Some("Active"));
}

#[tokio::test]
async fn mode_default_in_a_put_returns_to_the_default() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    set(&app, "alibaba", "vpc", "manual", None).await;
    set(&app, "alibaba", "vpc", "default", None).await;
    let vpc = setting(&app, "alibaba", "vpc").await;
    assert_eq!(vpc["source"], "default");
    assert_eq!(vpc["delay"], "1h");
}

#[tokio::test]
async fn alibaba_vpcs_and_vswitches_follow_each_mode() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;

    set(&app, "alibaba", "vpc", "manual", None).await;
    let vpc = app.create_vpc_answer(&[("CidrBlock", "10.0.0.0/8")]).await["VpcId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.vpc_attribute(&vpc).await.body["Status"], "Pending");
    assert_eq!(tick(&app).await, 0);
    assert_eq!(app.vpc_attribute(&vpc).await.body["Status"], "Pending");
    app.tick_all().await;
    assert_eq!(app.vpc_attribute(&vpc).await.body["Status"], "Available");

    set(&app, "alibaba", "subnet", "immediate", None).await;
    let created = app
        .alibaba(
            "CreateVSwitch",
            &[
                ("VpcId", &vpc),
                ("ZoneId", ALIBABA_ZONE),
                ("CidrBlock", "10.1.0.0/16"),
            ],
        )
        .await;
    let vswitch = created.assert_alibaba_ok()["VSwitchId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.vswitch_attributes(&vswitch).await.body["Status"],
        "Available"
    );
    // Deleting it is immediate too: the vSwitch is gone at once.
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &vswitch)])
        .await
        .assert_alibaba_ok();
    app.vswitch_attributes(&vswitch)
        .await
        .assert_alibaba_error(404, "InvalidVSwitchId.NotFound");

    set(&app, "alibaba", "subnet", "delay", Some("50ms")).await;
    let created = app
        .alibaba(
            "CreateVSwitch",
            &[
                ("VpcId", &vpc),
                ("ZoneId", ALIBABA_ZONE),
                ("CidrBlock", "10.2.0.0/16"),
            ],
        )
        .await;
    let vswitch = created.assert_alibaba_ok()["VSwitchId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.vswitch_attributes(&vswitch).await.body["Status"],
        "Pending"
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(tick(&app).await, 1);
    assert_eq!(
        app.vswitch_attributes(&vswitch).await.body["Status"],
        "Available"
    );

    // A manual VPC delete waits in Deleting for the tick-all.
    app.alibaba("DeleteVSwitch", &[("VSwitchId", &vswitch)])
        .await
        .assert_alibaba_ok();
    tokio::time::sleep(Duration::from_millis(120)).await;
    tick(&app).await;
    app.alibaba("DeleteVpc", &[("VpcId", &vpc)])
        .await
        .assert_alibaba_ok();
    assert_eq!(app.vpc_attribute(&vpc).await.body["Status"], "Deleting");
    assert_eq!(tick(&app).await, 0);
    app.tick_all().await;
    assert_eq!(app.vpc_attribute(&vpc).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_interface_is_created_settled_and_its_setting_governs_its_delete() {
    let app = TestApp::with_flags(&["--transition-delay", "1h"]).await;
    let vpc = app.create_alibaba_vpc("10.0.0.0/8").await;
    let vswitch = app.create_vswitch(&vpc, "10.1.0.0/16").await;
    set(&app, "alibaba", "network_interface", "manual", None).await;
    let scope = alibaba_test_scope();
    let network = app.network();
    let eni = network
        .create(
            &scope,
            ResourceKind::NetworkInterface,
            Some(&vswitch),
            NewNetworkResource::default(),
        )
        .await
        .unwrap();
    assert_eq!(eni.status, NetworkStatus::Available);
    network
        .delete(&scope, ResourceKind::NetworkInterface, &eni.id)
        .await
        .unwrap();
    let deleting = network.find(&scope, &eni.id).await.unwrap().unwrap();
    assert_eq!(deleting.status, NetworkStatus::Deleting);
    assert_eq!(tick(&app).await, 0);
    app.tick_all().await;
    assert!(network.find(&scope, &eni.id).await.unwrap().is_none());
}

#[tokio::test]
async fn huawei_flow_logs_stay_immediate() {
    let app = TestApp::new().await;
    for (mode, delay) in [("manual", None), ("delay", Some("2s"))] {
        let mut body = json!({"provider": "huawei", "kind": "flow_log", "mode": mode});
        if let Some(delay) = delay {
            body["delay"] = json!(delay);
        }
        let response = put_setting(&app, body).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{}",
            response.body
        );
        assert_eq!(response.body["error"]["code"], "InvalidParameter");
        assert!(response.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Huawei"));
    }
    assert_eq!(
        setting(&app, "huawei", "flow_log").await["source"],
        "default"
    );
    set(&app, "huawei", "flow_log", "immediate", None).await;
    assert_eq!(setting(&app, "huawei", "flow_log").await["source"], "set");
    let created = app.create_huawei(PROJECT, "vpc-1").await;
    assert_eq!(created["status"], "ACTIVE", "{created}");
}

#[tokio::test]
async fn huawei_vpcs_can_be_delayed_by_hand() {
    let app = TestApp::new().await;
    set(&app, "huawei", "vpc", "manual", None).await;
    let scope = flowplane::domain::TenantScope::huawei_project(PROJECT);
    let vpc = app
        .network()
        .create(
            &scope,
            ResourceKind::Vpc,
            None,
            NewNetworkResource {
                cidr: Some("10.0.0.0/8".parse().unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(vpc.status, NetworkStatus::Pending);
    app.tick_all().await;
    let settled = app.network().find(&scope, &vpc.id).await.unwrap().unwrap();
    assert_eq!(settled.status, NetworkStatus::Available);
}

#[tokio::test]
async fn bad_settings_are_refused_and_write_nothing() {
    let app = TestApp::new().await;
    let cases = [
        json!({"provider": "aws", "kind": "flow_log", "mode": "manual"}),
        json!({"provider": "alibaba", "kind": "router", "mode": "manual"}),
        json!({"provider": "alibaba", "kind": "vpc", "mode": "eventually"}),
        json!({"provider": "alibaba", "kind": "vpc", "mode": "delay"}),
        json!({"provider": "alibaba", "kind": "vpc", "mode": "delay", "delay": "soon"}),
        json!({"provider": "alibaba", "kind": "vpc", "mode": "delay", "delay": "0s"}),
        json!({"provider": "alibaba", "kind": "vpc", "mode": "manual", "delay": "2s"}),
        json!({"provider": "alibaba", "kind": "vpc", "mode": "manual", "extra": 1}),
        json!({"provider": "alibaba", "kind": "vpc"}),
        json!("manual"),
        // One bad entry refuses the whole list.
        json!([
            {"provider": "alibaba", "kind": "vpc", "mode": "manual"},
            {"provider": "alibaba", "kind": "subnet", "mode": "delay"},
        ]),
        json!([
            {"provider": "alibaba", "kind": "vpc", "mode": "manual"},
            {"provider": "huawei", "kind": "flow_log", "mode": "manual"},
        ]),
    ];
    for body in cases {
        let response = put_setting(&app, body.clone()).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            response.body
        );
        assert_eq!(response.body["error"]["code"], "InvalidParameter", "{body}");
    }
    let response = app
        .send(raw_request(
            axum::http::Method::PUT,
            SETTINGS,
            Some("application/json"),
            "{not json",
        ))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let response = app.delete(&format!("{SETTINGS}?kind=router")).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);

    let all = app.get(SETTINGS).await;
    assert!(
        all.body["settings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["source"] == "default"),
        "nothing was written: {}",
        all.body
    );
}

#[tokio::test]
async fn kinds_may_be_named_as_the_products_name_them() {
    let app = TestApp::new().await;
    set(&app, "alibaba", "vswitch", "manual", None).await;
    assert_eq!(setting(&app, "alibaba", "subnet").await["mode"], "manual");
    set(&app, "alibaba", "eni", "manual", None).await;
    set(&app, "huawei", "port", "manual", None).await;
    assert_eq!(
        setting(&app, "alibaba", "network_interface").await["mode"],
        "manual"
    );
    assert_eq!(
        setting(&app, "huawei", "network_interface").await["mode"],
        "manual"
    );
}

#[tokio::test]
async fn a_list_sets_several_at_once_and_delete_clears_them() {
    let app = TestApp::new().await;
    let response = put_setting(
        &app,
        json!([
            {"provider": "alibaba", "kind": "vpc", "mode": "manual"},
            {"provider": "alibaba", "kind": "subnet", "mode": "delay", "delay": "1.5s"},
        ]),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(setting(&app, "alibaba", "vpc").await["mode"], "manual");
    assert_eq!(
        setting(&app, "alibaba", "subnet").await["delay"],
        "1s 500ms"
    );
    // GET's own answer can be PUT back.
    let all = app.get(SETTINGS).await.body;
    let echoed: Vec<Value> = all["settings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "set")
        .map(|s| {
            let mut s = s.clone();
            s.as_object_mut().unwrap().remove("source");
            if s["delay"].is_null() {
                s.as_object_mut().unwrap().remove("delay");
            }
            s
        })
        .collect();
    let response = put_setting(&app, json!({ "settings": echoed })).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);

    let response = app.delete(SETTINGS).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(response.body["settings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["source"] == "default"));
}

#[tokio::test]
async fn two_apps_on_one_database_share_the_settings() {
    let db = TestDb::new().await;
    let first = TestApp::on(&db, &["--transition-delay", "1h"]).await;
    let second = TestApp::on(&db, &["--transition-delay", "1h"]).await;

    set(&first, "alibaba", "flow_log", "manual", None).await;
    assert_eq!(
        setting(&second, "alibaba", "flow_log").await["mode"],
        "manual"
    );
    let id = second.create_alibaba("vpc-shared", &[]).await;
    assert_eq!(
        second.alibaba_status(&id).await.as_deref(),
        Some("Activating")
    );
    assert_eq!(tick(&first).await, 0);
    first.tick_all().await;
    assert_eq!(second.alibaba_status(&id).await.as_deref(), Some("Active"));

    set(&second, "alibaba", "flow_log", "immediate", None).await;
    let id = first.create_alibaba("vpc-shared-2", &[]).await;
    assert_eq!(first.alibaba_status(&id).await.as_deref(), Some("Active"));

    let response = first.delete(SETTINGS).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        setting(&second, "alibaba", "flow_log").await["source"],
        "default"
    );
    first.stop().await;
    second.stop().await;
}

#[tokio::test]
async fn one_setting_answers_the_setting_now_in_force_and_a_list_every_setting() {
    let app = TestApp::new().await;
    let response = put_setting(
        &app,
        json!({"provider": "alibaba", "kind": "vswitch", "mode": "delay", "delay": "1500ms"}),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(
        response.body,
        json!({"provider": "alibaba", "kind": "subnet", "mode": "delay", "delay": "1s 500ms", "source": "set"})
    );
    let response = put_setting(
        &app,
        json!([{"provider": "alibaba", "kind": "vpc", "mode": "manual"}]),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body["settings"].as_array().unwrap().len(), 8);
}
