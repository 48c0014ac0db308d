//! Alibaba VPC (API 2016-04-28): flow logs, VPCs, vSwitches, their system route tables, tags and
//! resource groups; every action the product answers, registered here once. An action's function lives in the module of its resource; one that is not registered
//! here is dead code, which the build refuses.

mod flow_logs;
mod network;
mod route_tables;
mod tags;
mod vpcs;
mod vswitches;
mod wire;

use super::error::Endpoint;
use super::rpc::{action, Api, RegionRule};

pub static API: Api = Api {
    product: "vpc",
    version: "2016-04-28",
    endpoint: Endpoint {
        host: "vpc.aliyuncs.com",
        product: "Vpc",
    },
    region: RegionRule::Required,
    actions: &[
        action!("CreateFlowLog" => flow_logs::create_flow_log),
        action!("DescribeFlowLogs" => flow_logs::describe_flow_logs),
        action!("ModifyFlowLogAttribute" => flow_logs::modify_flow_log_attribute),
        action!("DeleteFlowLog" => flow_logs::delete_flow_log),
        action!("ActiveFlowLog" => flow_logs::active_flow_log),
        action!("DeactiveFlowLog" => flow_logs::deactive_flow_log),
        action!("GetFlowLogServiceStatus" => flow_logs::get_flow_log_service_status),
        action!("OpenFlowLogService" => flow_logs::open_flow_log_service),
        action!("TagResources" => tags::tag_resources),
        action!("UnTagResources" => tags::untag_resources),
        action!("ListTagResources" => tags::list_tag_resources),
        action!("MoveResourceGroup" => tags::move_resource_group),
        action!("CreateVpc" => vpcs::create_vpc),
        action!("DescribeVpcs" => vpcs::describe_vpcs),
        action!("DescribeVpcAttribute" => vpcs::describe_vpc_attribute),
        action!("ModifyVpcAttribute" => vpcs::modify_vpc_attribute),
        action!("DeleteVpc" => vpcs::delete_vpc),
        action!("CreateVSwitch" => vswitches::create_vswitch),
        action!("DescribeVSwitches" => vswitches::describe_vswitches),
        action!("DescribeVSwitchAttributes" => vswitches::describe_vswitch_attributes),
        action!("ModifyVSwitchAttribute" => vswitches::modify_vswitch_attribute),
        action!("DeleteVSwitch" => vswitches::delete_vswitch),
        action!("DescribeRouteTableList" => route_tables::describe_route_table_list),
    ],
};

#[cfg(test)]
mod tests {
    use super::API;

    #[test]
    fn each_action_is_registered_once() {
        let mut names: Vec<&str> = API.actions.iter().map(|action| action.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), API.actions.len());
    }
}
