//! Alibaba's VPCs and vSwitches for the tests: created through the VPC API and settled by the
//! tick, readers of their Describe answers, and an ENI placed in a vSwitch through the domain
//! (the branch has no ECS API to create one).

use std::sync::Arc;
use std::time::Duration;

use flowplane::domain::network::NewNetworkResource;
use flowplane::domain::{FaultService, NetworkDelays, NetworkService, ResourceKind, TenantScope};
use flowplane::state::Network;
use serde_json::Value;
use tokio::sync::Notify;

use super::app::TestApp;
use super::{ALIBABA_KEY, REGION};

/// The zone the tests put vSwitches in.
pub const ALIBABA_ZONE: &str = "cn-hangzhou-b";

/// The default test account in the default region, as the domain scopes it.
pub fn alibaba_test_scope() -> TenantScope {
    TenantScope::alibaba_account(ALIBABA_KEY, REGION)
}

impl TestApp {
    /// A network service over this app's store whose resources settle at once, for placing what
    /// no API of the branch creates (an ENI in a vSwitch) straight into the domain.
    pub fn settled_network(&self) -> Network {
        let settled = NetworkDelays {
            huawei: Duration::ZERO,
            alibaba: Duration::ZERO,
        };
        NetworkService::new(
            self.store().clone(),
            settled,
            Arc::new(Notify::new()),
            FaultService::new(self.store().clone()),
        )
    }

    /// Creates a VPC with `extra` parameters and returns its CreateVpc answer (still `Pending`).
    pub async fn create_vpc_answer(&self, extra: &[(&str, &str)]) -> Value {
        let response = self.alibaba("CreateVpc", extra).await;
        response.assert_alibaba_ok().clone()
    }

    /// Creates a VPC of `cidr` and lets it settle; returns its id.
    pub async fn create_alibaba_vpc(&self, cidr: &str) -> String {
        let created = self.create_vpc_answer(&[("CidrBlock", cidr)]).await;
        self.tick_all().await;
        created["VpcId"].as_str().unwrap().to_owned()
    }

    /// Creates a vSwitch of `cidr` in `vpc` (zone [`ALIBABA_ZONE`]) and lets it settle; returns its id.
    pub async fn create_vswitch(&self, vpc: &str, cidr: &str) -> String {
        let response = self
            .alibaba(
                "CreateVSwitch",
                &[
                    ("VpcId", vpc),
                    ("ZoneId", ALIBABA_ZONE),
                    ("CidrBlock", cidr),
                ],
            )
            .await;
        let id = response.assert_alibaba_ok()["VSwitchId"]
            .as_str()
            .unwrap()
            .to_owned();
        self.tick_all().await;
        id
    }

    /// DescribeVpcAttribute's answer (or its error).
    pub async fn vpc_attribute(&self, id: &str) -> super::app::TestResponse {
        self.alibaba("DescribeVpcAttribute", &[("VpcId", id)]).await
    }

    /// DescribeVSwitchAttributes' answer (or its error).
    pub async fn vswitch_attributes(&self, id: &str) -> super::app::TestResponse {
        self.alibaba("DescribeVSwitchAttributes", &[("VSwitchId", id)])
            .await
    }

    /// An ENI in `vswitch` of the default test account, made through the domain; its id.
    pub async fn create_eni(&self, vswitch: &str) -> String {
        self.settled_network()
            .create(
                &alibaba_test_scope(),
                ResourceKind::NetworkInterface,
                Some(vswitch),
                NewNetworkResource::default(),
            )
            .await
            .expect("the ENI is created")
            .id
    }
}

/// The ids of a Describe answer's list at `path` (`["Vpcs", "Vpc"]`), under `key`.
pub fn listed_ids(body: &Value, path: [&str; 2], key: &str) -> Vec<String> {
    body[path[0]][path[1]]
        .as_array()
        .unwrap_or_else(|| panic!("{}.{} is an array: {body}", path[0], path[1]))
        .iter()
        .map(|entry| entry[key].as_str().unwrap().to_owned())
        .collect()
}

/// Filters of a Describe call and the ids it must list, in order.
pub type ListCase<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);

/// Calls `action` with each case's filters: it must list exactly the case's ids under
/// `path`'s `key`, in order, with an integer `TotalCount` to match.
pub async fn assert_listed(
    app: &TestApp,
    action: &str,
    path: [&str; 2],
    key: &str,
    cases: Vec<ListCase<'_>>,
) {
    for (filters, want) in cases {
        let response = app.alibaba(action, &filters).await;
        let body = response.assert_alibaba_ok();
        assert_eq!(listed_ids(body, path, key), want, "{action} {filters:?}");
        assert_eq!(body["TotalCount"], want.len(), "{action} {filters:?}");
    }
}
