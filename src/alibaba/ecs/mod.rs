//! Alibaba ECS (API 2014-05-26), elastic network interfaces: every action the product answers,
//! registered here once. An ENI lies in a vSwitch of the network the VPC product shows; ECS's
//! errors say they come from `ecs.aliyuncs.com`.

mod network_interfaces;
mod tags;
mod wire;

use super::error::Endpoint;
use super::rpc::{action, Api, RegionRule};

pub static API: Api = Api {
    product: "ecs",
    version: "2014-05-26",
    endpoint: Endpoint {
        host: "ecs.aliyuncs.com",
        product: "Ecs",
    },
    region: RegionRule::Required,
    actions: &[
        action!("CreateNetworkInterface" => network_interfaces::create_network_interface),
        action!("DescribeNetworkInterfaces" => network_interfaces::describe_network_interfaces),
        action!(
            "DescribeNetworkInterfaceAttribute" => network_interfaces::describe_network_interface_attribute
        ),
        action!("DeleteNetworkInterface" => network_interfaces::delete_network_interface),
        action!("TagResources" => tags::tag_resources),
        action!("UntagResources" => tags::untag_resources),
        action!("ListTagResources" => tags::list_tag_resources),
    ],
};
