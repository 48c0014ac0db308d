//! The Huawei VPC product (`src/huawei/vpc/`): the flow-log API v1 and the network it captures
//! (VPCs, subnets, ports, their tags), every operation, status code and error code; `network`
//! holds what the network tests share.

mod bodies;
mod flow_logs_create;
mod flow_logs_list;
mod flow_logs_show_update_delete;
mod network;
mod network_bodies;
mod network_flow_logs;
mod network_robustness;
mod network_tags;
mod ports;
mod subnets;
mod vpcs;
