//! Flowplane: a local, persistent emulator of the Huawei Cloud and Alibaba Cloud VPC flow-log
//! control planes.
//!
//! A request flows one way: the [`edge`] gives it a [`context`]; the face's gateway
//! ([`huawei`], [`alibaba`]) authenticates and routes it to a product module, behind the
//! cross-cutting [`layers`]; the product parses and validates it into [`domain`] types and
//! calls a domain service, which works on the [`store`] through the domain's repository traits;
//! the answer goes back out the same way. The [`worker`] completes due life-cycle transitions
//! through the same service; [`control`] is the emulator's own API and [`console`] its web
//! pages over the same services; [`app`] assembles it all
//! from [`config`], with the services and settings every handler reaches in [`state`] and the
//! credentials, signing primitives and nonces in [`auth`]; [`seed`] loads `--seed` snapshots at
//! start.

pub mod alibaba;
pub mod apidoc;
pub mod app;
pub mod auth;
pub mod config;
pub mod console;
pub mod context;
pub mod control;
pub mod domain;
pub mod edge;
pub mod huawei;
pub mod layers;
pub mod listener;
pub mod seed;
pub mod state;
pub mod store;
pub mod worker;
