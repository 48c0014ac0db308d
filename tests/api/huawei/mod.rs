//! The Huawei face, as `src/huawei/` is laid out: the gateway (routing, request ids, envelopes,
//! the body limit) and its products: the VPC flow-log API v1, IAM and LTS.

mod gateway;
mod iam;
mod lts;
mod vpc;
