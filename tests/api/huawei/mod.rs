//! The Huawei face, as `src/huawei/` is laid out: the gateway (routing, request ids, envelopes,
//! the body limit) and its products: the VPC flow-log API v1 and IAM.

mod gateway;
mod iam;
mod vpc;
