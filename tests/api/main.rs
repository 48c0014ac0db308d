//! One integration-test binary (faster to build than one per file), one module per area.

mod alibaba;
mod control;
mod helpers;
mod huawei;
mod openapi;
mod persistence;
mod robustness;
mod serve;
mod signatures;
mod worker;
