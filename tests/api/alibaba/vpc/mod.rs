//! Alibaba VPC (`src/alibaba/vpc/`): every flow-log, VPC, vSwitch and route-table action,
//! parameter rule, error code and transition, tags and resource groups, with the worker driven
//! by the control API's tick.

mod bodies;
mod flow_logs_create;
mod flow_logs_describe;
mod flow_logs_lifecycle;
mod network_bodies;
mod network_flow_logs;
mod network_hostile;
mod network_tags;
mod route_tables;
mod tags_and_resource_groups;
mod tenancy_and_terraform;
mod vpcs;
mod vswitches;
