//! One integration-test binary (faster to build than one per file), one module per area.

mod alibaba;
mod auth;
mod control;
mod helpers;
mod huawei;
mod openapi;
mod persistence;
mod robustness;
mod serve;
mod signatures;
mod signer;
mod worker;
