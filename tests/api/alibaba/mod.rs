//! The Alibaba face, as `src/alibaba/` is laid out: the RPC gateway (parameters, Action and
//! Version, the POP envelope, XML) and its products; today VPC's flow logs, tags and resource
//! groups.

mod gateway;
mod vpc;
