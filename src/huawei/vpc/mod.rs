//! Huawei VPC: flow logs (API v1, [`flow_logs`]) and the network they capture: VPCs
//! ([`vpcs`], v1 and the v3 show), subnets ([`subnets`]), ports ([`ports`]) and their tags
//! ([`network_tags`], `/v2.0` and v3). Each operation is registered with the gateway once, under
//! the name the SDKs give it; the handlers translate between the wire and the domain and
//! nothing else. Requests are read by [`extract`]; errors are worded by [`errors`] (flow logs)
//! and [`network_errors`] (the network).

mod errors;
mod extract;
mod flow_logs;
mod names;
mod network_errors;
mod network_tags;
mod network_wire;
pub mod openapi;
mod port_wire;
mod ports;
mod subnet_wire;
mod subnets;
mod vpcs;
mod wire;

use axum::routing::{delete, get, post, put};

pub use errors::internal as internal_error;
use network_tags::{PortTags, SubnetTags, VpcTags};

use super::gateway::Operations;

/// The product's name in the request context.
pub const PRODUCT: &str = "vpc";

/// Every operation of the product, with the gateway.
pub fn operations(operations: Operations) -> Operations {
    use flow_logs::*;
    use network_tags as tags;
    use ports::*;
    use subnets::*;
    use vpcs::*;
    operations
        .add(FLOW_LOGS, "CreateFlowLog", post(create_flow_log))
        .add(FLOW_LOGS, "ListFlowLogs", get(list_flow_logs))
        .add(FLOW_LOG, "ShowFlowLog", get(show_flow_log))
        .add(FLOW_LOG, "UpdateFlowLog", put(update_flow_log))
        .add(FLOW_LOG, "DeleteFlowLog", delete(delete_flow_log))
        .add(VPCS, "CreateVpc", post(create_vpc))
        .add(VPCS, "ListVpcs", get(list_vpcs))
        .add(VPC, "ShowVpc", get(show_vpc))
        .add(VPC, "UpdateVpc", put(update_vpc))
        .add(VPC, "DeleteVpc", delete(delete_vpc))
        .add(VPC_V3, "ShowVpc", get(show_vpc_v3))
        .add(SUBNETS, "CreateSubnet", post(create_subnet))
        .add(SUBNETS, "ListSubnets", get(list_subnets))
        .add(SUBNET, "ShowSubnet", get(show_subnet))
        .add(VPC_SUBNET, "UpdateSubnet", put(update_subnet))
        .add(VPC_SUBNET, "DeleteSubnet", delete(delete_subnet))
        .add(PORTS, "CreatePort", post(create_port))
        .add(PORTS, "ListPorts", get(list_ports))
        .add(PORT, "ShowPort", get(show_port))
        .add(PORT, "UpdatePort", put(update_port))
        .add(PORT, "DeletePort", delete(delete_port))
        // `/v2.0` tags of VPCs and subnets; the batch delete renames itself once it reads its
        // action.
        .add(
            tags::VPC_TAGS_ACTION,
            "BatchCreateVpcTags",
            post(tags::tags_action::<VpcTags>),
        )
        .add(
            tags::VPC_TAGS,
            "ShowVpcTags",
            get(tags::show_tags::<VpcTags>),
        )
        .add(
            tags::VPC_TAGS,
            "CreateVpcResourceTag",
            post(tags::create_tag::<VpcTags>),
        )
        .add(
            tags::VPC_TAG,
            "DeleteVpcTag",
            delete(tags::delete_tag::<VpcTags>),
        )
        .add(
            tags::VPC_PROJECT_TAGS,
            "ListVpcTags",
            get(tags::project_tags::<VpcTags>),
        )
        .add(
            tags::SUBNET_TAGS_ACTION,
            "BatchCreateSubnetTags",
            post(tags::tags_action::<SubnetTags>),
        )
        .add(
            tags::SUBNET_TAGS,
            "ShowSubnetTags",
            get(tags::show_tags::<SubnetTags>),
        )
        .add(
            tags::SUBNET_TAGS,
            "CreateSubnetTag",
            post(tags::create_tag::<SubnetTags>),
        )
        .add(
            tags::SUBNET_TAG,
            "DeleteSubnetTag",
            delete(tags::delete_tag::<SubnetTags>),
        )
        .add(
            tags::SUBNET_PROJECT_TAGS,
            "ListSubnetTags",
            get(tags::project_tags::<SubnetTags>),
        )
        // v3 tags of ports.
        .add(
            tags::PORT_TAGS_CREATE,
            "BatchCreatePortTags",
            post(tags::batch_create::<PortTags>),
        )
        .add(
            tags::PORT_TAGS_DELETE,
            "BatchDeletePortTags",
            post(tags::batch_delete::<PortTags>),
        )
        .add(
            tags::PORT_TAGS,
            "ShowPortTags",
            get(tags::show_tags::<PortTags>),
        )
        .add(
            tags::PORT_TAGS,
            "CreatePortTag",
            post(tags::create_tag::<PortTags>),
        )
        .add(
            tags::PORT_TAG,
            "DeletePortTag",
            delete(tags::delete_tag::<PortTags>),
        )
        .add(
            tags::PORT_PROJECT_TAGS,
            "ListPortTags",
            get(tags::project_tags::<PortTags>),
        )
}
