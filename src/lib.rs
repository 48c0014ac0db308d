//! Flowplane: a local, persistent emulator of the Huawei Cloud and Alibaba Cloud VPC flow-log
//! control planes.
//!
//! Requests flow one way: a cloud adapter ([`huawei`], [`alibaba`]) parses and validates the wire format,
//! calls the provider-neutral [`domain`] service, which works on the [`store`]; the
//! [`worker`] completes due life-cycle transitions; [`control`] is the emulator's own API;
//! [`app`] assembles them.

pub mod alibaba;
pub mod app;
pub mod config;
pub mod control;
pub mod credentials;
pub mod domain;
pub mod edge;
pub mod huawei;
pub mod signing;
pub mod store;
pub mod worker;
