//! What the network tests share: the paths of the VPC, subnet, port and tag APIs, and creating
//! the resources a test builds on.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

/// A network id no test creates.
pub const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";

pub fn vpcs_path(project: &str) -> String {
    format!("/v1/{project}/vpcs")
}

pub fn vpc_path(project: &str, id: &str) -> String {
    format!("/v1/{project}/vpcs/{id}")
}

pub fn vpc_v3_path(project: &str, id: &str) -> String {
    format!("/v3/{project}/vpc/vpcs/{id}")
}

pub fn subnets_path(project: &str) -> String {
    format!("/v1/{project}/subnets")
}

pub fn subnet_path(project: &str, id: &str) -> String {
    format!("/v1/{project}/subnets/{id}")
}

/// The update and delete path of a subnet, under its VPC.
pub fn vpc_subnet_path(project: &str, vpc_id: &str, id: &str) -> String {
    format!("/v1/{project}/vpcs/{vpc_id}/subnets/{id}")
}

pub fn ports_path(project: &str) -> String {
    format!("/v1/{project}/ports")
}

pub fn port_path(project: &str, id: &str) -> String {
    format!("/v1/{project}/ports/{id}")
}

/// The ids of a list body's `key` array, in order.
pub fn ids_in(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is an array: {body}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

pub fn subnet_body(vpc_id: &str, cidr: &str, gateway: &str) -> Value {
    json!({"subnet": {"name": "subnet-1", "cidr": cidr, "gateway_ip": gateway, "vpc_id": vpc_id}})
}

impl TestApp {
    /// Creates a VPC in `project` and returns its `Vpc`.
    pub async fn create_vpc(&self, project: &str, cidr: &str) -> Value {
        let response = self
            .post(
                &vpcs_path(project),
                json!({"vpc": {"name": "vpc-1", "cidr": cidr}}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["vpc"].clone()
    }

    pub async fn create_vpc_id(&self, project: &str, cidr: &str) -> String {
        self.create_vpc(project, cidr).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates a subnet and returns its `Subnet`.
    pub async fn create_subnet(
        &self,
        project: &str,
        vpc_id: &str,
        cidr: &str,
        gateway: &str,
    ) -> Value {
        let response = self
            .post(&subnets_path(project), subnet_body(vpc_id, cidr, gateway))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["subnet"].clone()
    }

    /// A VPC `10.0.0.0/16` with a subnet `10.0.1.0/24`: their ids.
    pub async fn vpc_and_subnet(&self, project: &str) -> (String, String) {
        let vpc_id = self.create_vpc_id(project, "10.0.0.0/16").await;
        let subnet = self
            .create_subnet(project, &vpc_id, "10.0.1.0/24", "10.0.1.1")
            .await;
        (vpc_id, subnet["id"].as_str().unwrap().to_owned())
    }

    /// Creates a port in the subnet and returns its `Port`.
    pub async fn create_port(&self, project: &str, subnet_id: &str) -> Value {
        let response = self
            .post(
                &ports_path(project),
                json!({"port": {"name": "port-1", "network_id": subnet_id}}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body["port"].clone()
    }
}
