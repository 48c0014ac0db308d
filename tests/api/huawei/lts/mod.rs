//! The Huawei LTS product (`src/huawei/lts/`): log groups and streams, every status and error
//! code, the record query (time range, keywords, highlighting, paging), tenancy, odd requests,
//! and flow-log delivery into a stream end to end.

mod delivery;
mod groups;
mod query;
mod robustness;
mod streams;
