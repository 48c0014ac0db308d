//! Alibaba ECS (`src/alibaba/ecs/`): the network-interface actions and ECS's tag actions on
//! ENIs, every parameter rule, filter, paging style, status and code, on VPCs and vSwitches
//! laid out through the network service (the VPC product answers their own actions).

mod bodies;
mod create;
mod delete;
mod describe;
mod flow_logs;
mod tags;

use axum::http::Method;
use flowplane::domain::cidr::Ipv4Cidr;
use flowplane::domain::network::NewNetworkResource;
use flowplane::domain::{ResourceKind, TenantScope};
use serde_json::Value;

use crate::support::*;

pub const VERSION: &str = "2014-05-26";
pub const ZONE: &str = "cn-hangzhou-b";

/// The default test account's tenant (with `--auth off` the access key id names the account).
pub fn scope() -> TenantScope {
    TenantScope::alibaba_account(ALIBABA_KEY, REGION)
}

/// An ECS action as the V1 SDKs send it (every parameter in the query), as the default test
/// account in `REGION`.
pub async fn ecs(app: &TestApp, action: &str, params: &[(&str, &str)]) -> TestResponse {
    ecs_as(app, ALIBABA_KEY, REGION, action, params).await
}

/// An ECS action as `access_key_id` in `region`, unsigned.
pub async fn ecs_as(
    app: &TestApp,
    access_key_id: &str,
    region: &str,
    action: &str,
    params: &[(&str, &str)],
) -> TestResponse {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("Action", action)
        .append_pair("Version", VERSION)
        .append_pair("AccessKeyId", access_key_id)
        .append_pair("RegionId", region);
    for (name, value) in params {
        query.append_pair(name, value);
    }
    app.alibaba_raw(Method::POST, &query.finish(), &[], Vec::new())
        .await
}

/// ECS's error envelope.
pub trait EcsErrors {
    /// Asserts a POP error from `ecs.aliyuncs.com` with `status` and `code`; returns its message.
    fn assert_ecs_error(&self, status: u16, code: &str) -> &str;
}

impl EcsErrors for TestResponse {
    #[track_caller]
    fn assert_ecs_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["Code"], code, "body: {}", self.body);
        assert_eq!(
            self.headers["content-type"],
            "application/json;charset=utf-8"
        );
        let request_id = self.body["RequestId"].as_str().expect("RequestId");
        assert_alibaba_request_id(request_id);
        assert_eq!(self.request_id(), request_id);
        assert_eq!(self.body["HostId"], "ecs.aliyuncs.com", "{}", self.body);
        let recommend = self.body["Recommend"].as_str().expect("Recommend");
        assert!(
            recommend.contains(&format!("q={code}&product=Ecs&")),
            "{recommend}"
        );
        self.body["Message"].as_str().expect("Message is a string")
    }
}

/// A VPC with `cidr`, laid out and settled through the network service; returns its id.
pub async fn vpc(app: &TestApp, cidr: &str) -> String {
    let spec = NewNetworkResource {
        cidr: Some(cidr.parse::<Ipv4Cidr>().unwrap()),
        ..Default::default()
    };
    let vpc = app
        .network()
        .create(&scope(), ResourceKind::Vpc, None, spec)
        .await
        .expect("the VPC is created");
    app.tick_all().await;
    vpc.id
}

/// A vSwitch with `cidr` in `ZONE` of the VPC, still `Pending`; returns its id.
pub async fn pending_vswitch(app: &TestApp, vpc_id: &str, cidr: &str) -> String {
    let spec = NewNetworkResource {
        cidr: Some(cidr.parse::<Ipv4Cidr>().unwrap()),
        zone: Some(ZONE.to_owned()),
        ..Default::default()
    };
    app.network()
        .create(&scope(), ResourceKind::Subnet, Some(vpc_id), spec)
        .await
        .expect("the vSwitch is created")
        .id
}

/// An `Available` vSwitch with `cidr` in the VPC; returns its id.
pub async fn vswitch(app: &TestApp, vpc_id: &str, cidr: &str) -> String {
    let id = pending_vswitch(app, vpc_id, cidr).await;
    app.tick_all().await;
    id
}

/// A VPC `10.0.0.0/16` with an available vSwitch `10.0.1.0/24`: (VPC id, vSwitch id).
pub async fn network(app: &TestApp) -> (String, String) {
    let vpc = vpc(app, "10.0.0.0/16").await;
    let vsw = vswitch(app, &vpc, "10.0.1.0/24").await;
    (vpc, vsw)
}

/// Creates an ENI in `vswitch_id` with `extra` parameters; returns the answer's body.
pub async fn create_eni(app: &TestApp, vswitch_id: &str, extra: &[(&str, &str)]) -> Value {
    let mut params = vec![("VSwitchId", vswitch_id)];
    params.extend_from_slice(extra);
    let response = ecs(app, "CreateNetworkInterface", &params).await;
    response.assert_alibaba_ok().clone()
}

/// The id of a new ENI in `vswitch_id`.
pub async fn eni(app: &TestApp, vswitch_id: &str, extra: &[(&str, &str)]) -> String {
    let body = create_eni(app, vswitch_id, extra).await;
    body["NetworkInterfaceId"].as_str().unwrap().to_owned()
}

/// DeleteNetworkInterface of `id`.
pub async fn delete_eni(app: &TestApp, id: &str) -> TestResponse {
    ecs(app, "DeleteNetworkInterface", &[("NetworkInterfaceId", id)]).await
}

/// The items of a DescribeNetworkInterfaces answer.
pub fn items(body: &Value) -> &Vec<Value> {
    body["NetworkInterfaceSets"]["NetworkInterfaceSet"]
        .as_array()
        .expect("NetworkInterfaceSets.NetworkInterfaceSet is an array")
}

/// The ids of a DescribeNetworkInterfaces answer, in order.
pub fn ids(body: &Value) -> Vec<String> {
    items(body)
        .iter()
        .map(|item| item["NetworkInterfaceId"].as_str().unwrap().to_owned())
        .collect()
}

/// DescribeNetworkInterfaces with `params`: the answer's body.
pub async fn describe(app: &TestApp, params: &[(&str, &str)]) -> Value {
    ecs(app, "DescribeNetworkInterfaces", params)
        .await
        .assert_alibaba_ok()
        .clone()
}

/// The status DescribeNetworkInterfaceAttribute gives, or `None` once the ENI is gone.
pub async fn status(app: &TestApp, id: &str) -> Option<String> {
    let response = ecs(
        app,
        "DescribeNetworkInterfaceAttribute",
        &[("NetworkInterfaceId", id)],
    )
    .await;
    if response.status.as_u16() == 404 {
        response.assert_ecs_error(404, "InvalidEniId.NotFound");
        return None;
    }
    Some(
        response.assert_alibaba_ok()["Status"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// How many addresses of the vSwitch are free for ENIs.
pub async fn free_addresses(app: &TestApp, vswitch_id: &str) -> u64 {
    let network = app.network();
    let subnet = network
        .get(&scope(), ResourceKind::Subnet, vswitch_id)
        .await
        .unwrap();
    network.free_addresses(&scope(), &[subnet]).await.unwrap()[0]
}
