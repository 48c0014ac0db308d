//! Huawei IAM (`src/huawei/iam/`): projects and domains, tokens by password, temporary access
//! keys by token, and what the gateway accepts of each.

mod projects;
mod temporary_keys;
mod tokens;
