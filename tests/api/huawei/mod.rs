//! The Huawei face, as `src/huawei/` is laid out: the gateway (routing, request ids, envelopes,
//! the body limit) and its products; today the VPC flow-log API v1.

mod gateway;
mod vpc;
