//! `POST /_flowplane/reset` by provider, tenant, product: each scope deletes exactly what it
//! names (checked row kind by row kind against a world of four tenants, two of each cloud), in
//! one transaction, and the services work as before afterwards.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::identity::*;
use crate::support::*;

/// The row kinds a product covers (`None`: every kind of the world but the nonces and issued
/// credentials, which the world of this test does not make).
fn kinds(product: Option<&str>) -> &'static [&'static str] {
    const FLOW_LOGS: &[&str] = &["flow_logs", "flow_log_tags", "service_activations"];
    const VPC: &[&str] = &[
        "flow_logs",
        "flow_log_tags",
        "service_activations",
        "network_resources",
        "network_resource_tags",
    ];
    const DESTINATIONS: &[&str] = &["log_groups", "log_streams", "records"];
    const ALL: &[&str] = &[
        "flow_logs",
        "flow_log_tags",
        "service_activations",
        "network_resources",
        "network_resource_tags",
        "log_groups",
        "log_streams",
        "records",
    ];
    match product {
        None => ALL,
        Some("vpc") => VPC,
        Some("flowlogs") => FLOW_LOGS,
        Some("lts" | "sls") => DESTINATIONS,
        Some("records") => &["records"],
        Some(other) => panic!("no kinds for {other}"),
    }
}

/// What one tenant of the world holds, by kind.
pub(crate) struct Tenant {
    pub(crate) provider: &'static str,
    pub(crate) id: String,
    pub(crate) rows: BTreeMap<&'static str, u64>,
}

/// Builds the world: two Huawei projects and two Alibaba accounts, each with a flow log, a
/// destination (LTS group and stream, SLS project and logstore) and records; a VPC and subnet
/// in each Huawei project, a tagged VPC with a vSwitch and an ENI and a tagged flow log in the first Alibaba account.
pub(crate) async fn world(app: &TestApp) -> Vec<Tenant> {
    let mut tenants = Vec::new();
    for project in [PROJECT, OTHER_PROJECT] {
        let flow_log = app.create_huawei_id(project, "port-1").await;
        app.vpc_and_subnet(project).await;
        let records = app.generate_windows(&flow_log, 1).await;
        tenants.push(Tenant {
            provider: "huawei",
            id: project.to_owned(),
            rows: BTreeMap::from([
                ("flow_logs", 1),
                ("network_resources", 2),
                ("log_groups", 1),
                ("log_streams", 1),
                ("records", records),
            ]),
        });
    }

    let account = app.alibaba_account(ALIBABA_KEY);
    let vpc = app.create_alibaba_vpc("192.168.0.0/16").await;
    let vswitch = app.create_vswitch(&vpc, "192.168.1.0/24").await;
    app.create_eni(&vswitch).await;
    app.tag_numbered("VPC", &vpc, 2).await.assert_alibaba_ok();
    app.alibaba("OpenFlowLogService", &[])
        .await
        .assert_alibaba_ok();
    let flow_log = app.create_alibaba_on("VPC", &vpc).await;
    app.tag_numbered("FLOWLOG", &flow_log, 1)
        .await
        .assert_alibaba_ok();

    let other = app.alibaba_account(OTHER_ALIBABA_KEY);
    let other_scope = flowplane::domain::TenantScope::alibaba_account(&other, REGION);
    app.alibaba_destination(&other, REGION).await;
    let other_flow_log = app
        .flow_logs()
        .create(&other_scope, alibaba_spec("vpc-other"))
        .await
        .unwrap();
    app.tick_all().await;
    let records = app.generate_windows(&flow_log, 1).await;
    let other_records = app.generate_windows(other_flow_log.id.as_str(), 1).await;
    // The other account's flow log captures no interface: it has no records.
    assert!(records > 0, "the VPC's interface delivers records");
    tenants.push(Tenant {
        provider: "alibaba",
        id: account,
        rows: BTreeMap::from([
            ("flow_logs", 1),
            ("flow_log_tags", 1),
            ("service_activations", 1),
            ("network_resources", 3),
            ("network_resource_tags", 2),
            ("log_groups", 1),
            ("log_streams", 1),
            ("records", records),
        ]),
    });
    tenants.push(Tenant {
        provider: "alibaba",
        id: other,
        rows: BTreeMap::from([
            ("flow_logs", 1),
            ("log_groups", 1),
            ("log_streams", 1),
            ("records", other_records),
        ]),
    });
    tenants
}

/// The non-zero counts of `kinds` in a reset's `by_kind`.
fn counted(body: &Value, kinds: &[&str]) -> BTreeMap<String, u64> {
    kinds
        .iter()
        .map(|kind| {
            (
                kind.to_string(),
                body["by_kind"][kind].as_u64().unwrap_or(0),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// What the tenants that `keep` selects hold of `kinds`, non-zero counts only.
fn expected(
    tenants: &[Tenant],
    kinds: &[&str],
    keep: impl Fn(&Tenant) -> bool,
) -> BTreeMap<String, u64> {
    let mut sum = BTreeMap::new();
    for tenant in tenants.iter().filter(|t| keep(t)) {
        for kind in kinds {
            let n = tenant.rows.get(kind).copied().unwrap_or(0);
            if n > 0 {
                *sum.entry(kind.to_string()).or_insert(0) += n;
            }
        }
    }
    sum
}

async fn reset(app: &TestApp, query: &str) -> Value {
    let response = app.post_empty(&format!("/_flowplane/reset{query}")).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        response.body
    );
    let total: u64 = response.body["by_kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(response.body["deleted"], total, "{}", response.body);
    response.body
}

#[tokio::test]
async fn each_scope_deletes_exactly_what_it_names() {
    let app = TestApp::new().await;
    let all = kinds(None);

    // (query, provider, tenant index, region, product)
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<usize>,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        ("?provider=huawei", Some("huawei"), None, None),
        ("?provider=alibaba", Some("alibaba"), None, None),
        ("?tenant={0}", None, Some(0), None),
        ("?provider=huawei&tenant={1}", Some("huawei"), Some(1), None),
        (
            "?tenant={2}&region=cn-hangzhou",
            Some("alibaba"),
            Some(2),
            None,
        ),
        (
            "?tenant={3}&product=sls",
            Some("alibaba"),
            Some(3),
            Some("sls"),
        ),
        ("?product=vpc", None, None, Some("vpc")),
        ("?product=vpc&tenant={2}", None, Some(2), Some("vpc")),
        (
            "?product=flowlogs&provider=alibaba",
            Some("alibaba"),
            None,
            Some("flowlogs"),
        ),
        ("?product=lts", Some("huawei"), None, Some("lts")),
        ("?product=sls", Some("alibaba"), None, Some("sls")),
        (
            "?product=records&tenant={0}",
            None,
            Some(0),
            Some("records"),
        ),
        ("?product=records", None, None, Some("records")),
    ];
    for (query, provider, tenant, product) in cases {
        let tenants = world(&app).await;
        let query = tenant
            .map(|i| query.replace(&format!("{{{i}}}"), &tenants[i].id))
            .unwrap_or_else(|| query.to_owned());
        let chosen = |t: &Tenant| {
            provider.is_none_or(|p| t.provider == p) && tenant.is_none_or(|i| t.id == tenants[i].id)
        };
        let got = reset(&app, &query).await;
        let kinds = kinds(product);
        assert_eq!(
            counted(&got, all),
            expected(&tenants, kinds, chosen),
            "{query} deletes what it names: {got}"
        );

        // What is left is the rest of the world, nothing less.
        let rest = reset(&app, "").await;
        assert_eq!(
            counted(&rest, all),
            expected(&tenants, all, |_| true)
                .into_iter()
                .filter_map(|(kind, n)| {
                    let gone = if kinds.contains(&kind.as_str()) {
                        expected(&tenants, &[kind.as_str()], chosen)
                            .get(&kind)
                            .copied()
                            .unwrap_or(0)
                    } else {
                        0
                    };
                    (n > gone).then(|| (kind, n - gone))
                })
                .collect(),
            "{query} leaves everything else: {rest}"
        );
        assert!(app.stored().await.is_empty());
    }
}

#[tokio::test]
async fn the_services_work_after_a_reset_and_a_tenant_keeps_its_defaults() {
    let app = TestApp::new().await;
    let tenants = world(&app).await;
    reset(&app, &format!("?tenant={}", tenants[0].id)).await;
    // The reset tenant works as a new one; the other keeps everything.
    assert!(
        app.get(&view_path("huawei", PROJECT)).await.body["flow_logs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.get(&view_path("huawei", OTHER_PROJECT)).await.body["flow_logs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let again = app.create_huawei_id(PROJECT, "port-1").await;
    assert!(app.generate_windows(&again, 1).await > 0);
    app.vpc_and_subnet(PROJECT).await;

    reset(&app, "?provider=alibaba").await;
    let status = app.alibaba("GetFlowLogServiceStatus", &[]).await;
    assert_eq!(status.assert_alibaba_ok()["Enabled"], false);
    let vpc = app.create_alibaba_vpc("192.168.0.0/16").await;
    let flow_log = app.create_alibaba(&vpc, &[]).await;
    // The account's resource groups are there, as for a new account.
    let described = app.describe_alibaba(&flow_log).await.unwrap();
    assert!(
        described["ResourceGroupId"]
            .as_str()
            .unwrap()
            .starts_with("rg-acfm"),
        "{described}"
    );
}

#[tokio::test]
async fn a_bad_scope_is_400_and_deletes_nothing() {
    let app = TestApp::new().await;
    world(&app).await;
    for query in [
        "?provider=aws",
        "?product=ec2",
        "?product=lts&provider=alibaba",
        "?product=sls&provider=huawei",
        "?tenant=",
        "?tenant=a%27%20OR%201%3D1",
        "?region=cn-hangzhou",
        "?provider=huawei&tenant=x&region=cn-hangzhou",
        "?product=iam&tenant=x",
        "?product=vpc&product=lts",
        "?everything=1",
    ] {
        let response = app.post_empty(&format!("/_flowplane/reset{query}")).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            response.body["error"]["code"], "InvalidParameter",
            "{query}"
        );
        assert_eq!(response.body["request_id"], response.request_id());
    }
    assert_eq!(
        app.stored().await.len(),
        4,
        "a refused reset deletes nothing"
    );
}

#[tokio::test]
async fn iam_and_sts_forget_issued_credentials() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    app.sts_key().await;
    let sts = reset(&app, "?product=sts").await;
    assert_eq!(
        sts["by_kind"],
        json!({"issued_tokens": 0, "temporary_keys": 1})
    );
    // Alibaba's reset left Huawei's token.
    let kept = app
        .with_token(&token, Method::GET, &flow_logs_path(PROJECT), None)
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    let iam = reset(&app, "?product=iam").await;
    assert_eq!(iam["by_kind"]["issued_tokens"], 1, "{iam}");
    app.with_token(&token, Method::GET, &flow_logs_path(PROJECT), None)
        .await
        .assert_gateway_error(401, "APIGW.0301");
}
