//! What a flow log may point at: any well-formed id (`--references lenient`, the default), or
//! only a resource of its stated kind in the caller's network (`strict`), on both faces; and
//! Alibaba's `VpcId` filter, which follows the links of the known network in either mode.

use flowplane::domain::network::NewNetworkResource;
use flowplane::domain::tenancy::{default_resource_group_id, resource_groups};
use flowplane::domain::{ResourceKind, TenantScope};
use serde_json::json;

use crate::support::*;

/// The Alibaba tenant `app.alibaba` calls as (`--auth off`: the access key id is the account).
fn alibaba() -> TenantScope {
    TenantScope::alibaba_account(ALIBABA_KEY, REGION)
}

fn block(cidr: &str) -> NewNetworkResource {
    NewNetworkResource {
        cidr: Some(cidr.parse().unwrap()),
        ..Default::default()
    }
}

/// A VPC, a subnet in it and an interface in that, in `scope`; their ids.
async fn network(app: &TestApp, scope: &TenantScope) -> [String; 3] {
    let network = app.network();
    let vpc = network
        .create(scope, ResourceKind::Vpc, None, block("10.0.0.0/16"))
        .await
        .unwrap();
    app.tick_all().await;
    let subnet = network
        .create(
            scope,
            ResourceKind::Subnet,
            Some(&vpc.id),
            block("10.0.1.0/24"),
        )
        .await
        .unwrap();
    app.tick_all().await;
    let interface = network
        .create(
            scope,
            ResourceKind::NetworkInterface,
            Some(&subnet.id),
            NewNetworkResource::default(),
        )
        .await
        .unwrap();
    app.tick_all().await;
    [vpc.id, subnet.id, interface.id]
}

fn huawei_create(kind: &str, id: &str) -> serde_json::Value {
    let mut body = create_body(id);
    body["flow_log"]["resource_type"] = json!(kind);
    body
}

#[tokio::test]
async fn lenient_flow_logs_point_at_any_well_formed_id() {
    let app = TestApp::new().await;
    app.create_huawei(PROJECT, "port-that-nobody-made").await;
    app.create_alibaba("vpc-thatnobodymade", &[]).await;
}

#[tokio::test]
async fn strict_huawei_flow_logs_need_the_resource_as_its_kind() {
    let app = TestApp::with_flags(&["--references", "strict"]).await;
    app.huawei_destination(PROJECT).await;
    let project = TenantScope::huawei_project(PROJECT);
    let [vpc, subnet, port] = network(&app, &project).await;
    for (kind, id) in [("vpc", &vpc), ("network", &subnet), ("port", &port)] {
        let created = app
            .post(&flow_logs_path(PROJECT), huawei_create(kind, id))
            .await;
        assert_eq!(created.status, 200, "{kind}: {}", created.body);
    }
    for (kind, id, word) in [
        ("port", "missing-port".to_owned(), "Port"),
        ("network", "missing-net".to_owned(), "Network"),
        ("vpc", "missing-vpc".to_owned(), "Vpc"),
        // A subnet's id given as a port's: no such port.
        ("port", subnet.clone(), "Port"),
        ("vpc", port.clone(), "Vpc"),
    ] {
        let refused = app
            .post(&flow_logs_path(PROJECT), huawei_create(kind, &id))
            .await;
        let message = refused.assert_vpc_error(404, "VPC.3002");
        assert_eq!(message, format!("{word} {id} could not be found."));
    }
    // Another project's network is not this project's.
    let refused = app
        .post(&flow_logs_path(OTHER_PROJECT), huawei_create("vpc", &vpc))
        .await;
    refused.assert_vpc_error(404, "VPC.3002");
    assert_eq!(app.stored().await.len(), 3, "refusals wrote nothing");
}

#[tokio::test]
async fn strict_alibaba_flow_logs_need_the_resource_and_one_of_the_accounts_groups() {
    let app = TestApp::with_flags(&["--references", "strict", "--transition-delay", "0s"]).await;
    app.alibaba_destination(ALIBABA_KEY, REGION).await;
    let [vpc, vswitch, eni] = network(&app, &alibaba()).await;
    for (kind, id) in [
        ("VPC", &vpc),
        ("VSwitch", &vswitch),
        ("NetworkInterface", &eni),
    ] {
        let params = with_param(&create_params(id), "ResourceType", Some(kind));
        app.alibaba("CreateFlowLog", &params)
            .await
            .assert_alibaba_ok();
    }
    let missing = with_param(
        &create_params("vpc-nobodymadethis"),
        "ResourceType",
        Some("VPC"),
    );
    let refused = app.alibaba("CreateFlowLog", &missing).await;
    assert_eq!(
        refused.assert_alibaba_error(400, "InvalidInstanceId"),
        "vpc does not exist."
    );
    let missing = with_param(
        &create_params("vsw-nobodymadethis"),
        "ResourceType",
        Some("VSwitch"),
    );
    let refused = app.alibaba("CreateFlowLog", &missing).await;
    assert_eq!(
        refused.assert_alibaba_error(400, "InvalidInstanceId"),
        "vswitch does not exist."
    );
    // An ENI's id with ResourceType VPC would be refused by its prefix already; a vSwitch's id
    // under its own prefix but another kind of resource cannot be made, so the type mismatch is
    // checked through an id the network holds under another kind.
    let eni_as_vswitch = with_param(&create_params(&eni), "ResourceType", Some("VSwitch"));
    app.alibaba("CreateFlowLog", &eni_as_vswitch)
        .await
        .assert_alibaba_error(400, "InvalidResourceType.NotFound");

    // Resource groups: the account's own are taken, others refused.
    let groups = resource_groups(ALIBABA_KEY);
    let subnet_two = app
        .network()
        .create(
            &alibaba(),
            ResourceKind::Subnet,
            Some(&vpc),
            block("10.0.2.0/24"),
        )
        .await
        .unwrap();
    let mut params = with_param(
        &create_params(&subnet_two.id),
        "ResourceType",
        Some("VSwitch"),
    );
    params.push(("ResourceGroupId", &groups[1].id));
    app.alibaba("CreateFlowLog", &params)
        .await
        .assert_alibaba_ok();
    let foreign = resource_groups("9999999999999999").remove(0).id;
    let mut params = with_param(&create_params(&vpc), "ResourceType", Some("VPC"));
    params.push(("ResourceGroupId", &foreign));
    app.alibaba("CreateFlowLog", &params)
        .await
        .assert_alibaba_error(400, "IllegalParam.ResourceGroupId");
}

#[tokio::test]
async fn the_vpc_filter_follows_the_known_network_in_either_mode() {
    for mode in ["lenient", "strict"] {
        let app = TestApp::with_flags(&["--references", mode, "--transition-delay", "0s"]).await;
        app.alibaba_destination(ALIBABA_KEY, REGION).await;
        let [vpc, vswitch, eni] = network(&app, &alibaba()).await;
        let other_vpc = app
            .network()
            .create(&alibaba(), ResourceKind::Vpc, None, block("192.168.0.0/16"))
            .await
            .unwrap()
            .id;
        let on_vpc = app.create_alibaba_on("VPC", &vpc).await;
        let on_vswitch = app.create_alibaba_on("VSwitch", &vswitch).await;
        let on_eni = app.create_alibaba_on("NetworkInterface", &eni).await;
        let on_other = app.create_alibaba_on("VPC", &other_vpc).await;
        let listed = app.alibaba("DescribeFlowLogs", &[("VpcId", &vpc)]).await;
        let mut ids = described_ids(listed.assert_alibaba_ok());
        ids.sort();
        let mut expected = vec![on_vpc, on_vswitch, on_eni];
        expected.sort();
        assert_eq!(ids, expected, "{mode}");
        let listed = app
            .alibaba("DescribeFlowLogs", &[("VpcId", &other_vpc)])
            .await;
        assert_eq!(described_ids(listed.assert_alibaba_ok()), vec![on_other]);
    }
}

#[tokio::test]
async fn flow_logs_without_a_group_are_in_the_default_group() {
    let app = TestApp::new().await;
    let id = app.create_alibaba("vpc-defaultgroup", &[]).await;
    let entry = app.describe_alibaba(&id).await.unwrap();
    assert_eq!(
        entry["ResourceGroupId"],
        default_resource_group_id(ALIBABA_KEY).as_str()
    );
    let listed = app
        .alibaba(
            "DescribeFlowLogs",
            &[("ResourceGroupId", &default_resource_group_id(ALIBABA_KEY))],
        )
        .await;
    assert_eq!(described_ids(listed.assert_alibaba_ok()), vec![id]);
}
