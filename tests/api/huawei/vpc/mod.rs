//! The Huawei VPC flow-log API v1 (`src/huawei/vpc/`): every operation, status code and error
//! code.

mod bodies;
mod flow_logs_create;
mod flow_logs_list;
mod flow_logs_show_update_delete;
