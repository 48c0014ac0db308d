//! The Alibaba face, as `src/alibaba/` is laid out: the RPC gateway (parameters, Action and
//! Version, the POP envelope, XML) and its products: VPC's flow logs, tags and resource groups,
//! STS, and Resource Manager; and SLS, a face of its own.

mod ecs;
mod gateway;
mod resourcemanager;
mod sls;
mod sts;
mod vpc;
