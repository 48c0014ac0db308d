//! The suite's shared harness, one module for every test file: `use crate::support::*;` brings
//! the app under test, its databases, both faces' request and assertion helpers and the real
//! binary's; `support::auth` (signing, the auth tests' credentials), `support::cluster` (a
//! Postgres cluster of a test's own) and `support::snapshot` (insta, with the suite's snapshot
//! directory and redactions) are named where they are used.
//!
//! The suite runs on SQLite, or on Postgres when `FLOWPLANE_TEST_POSTGRES_URL` names a server:
//! then every test gets a database of its own (see [`db`]).

pub mod alibaba;
pub mod alibaba_network;
pub mod app;
pub mod auth;
pub mod cluster;
pub mod db;
pub mod destinations;
pub mod huawei;
pub mod identity;
pub mod lts;
pub mod process;
pub mod served;
pub mod sls;
pub mod snapshot;

pub use alibaba::*;
pub use alibaba_network::*;
pub use app::*;
pub use db::*;
pub use destinations::*;
pub use huawei::*;
pub use lts::*;
pub use process::*;
pub use served::*;
pub use sls::*;

pub use flowplane::auth::nonces::NonceRepository;
pub use flowplane::domain::repository::FlowLogRepository;

/// The default Alibaba test account's access key id (with `--auth off`, it names the account).
pub const ALIBABA_KEY: &str = "LTAItestaccount0001";
/// Another Alibaba account's access key id.
pub const OTHER_ALIBABA_KEY: &str = "LTAIotheraccount";
pub const REGION: &str = "cn-hangzhou";
pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub const OTHER_PROJECT: &str = "fedcba9876543210fedcba9876543210";
pub const LOG_GROUP: &str = "05b1c9a6-9b0e-4c5f-8f3a-1d2e3f4a5b6c";
pub const LOG_TOPIC: &str = "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
