//! Alibaba VPC (`src/alibaba/vpc/`): every flow-log action, parameter rule, error code and
//! transition, tags and resource groups, with the worker driven by the control API's tick.

mod bodies;
mod flow_logs_create;
mod flow_logs_describe;
mod flow_logs_lifecycle;
mod tags_and_resource_groups;
mod tenancy_and_terraform;
