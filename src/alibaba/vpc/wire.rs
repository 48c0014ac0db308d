//! What the VPC product's actions share: the API's names for domain values, the checks of the
//! parameters several actions take (flow-log ids, names, resource groups, tags, pages, DryRun),
//! and the answer parts several actions write (times, `Tags.Tag[]`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::super::error::AlibabaError;
use super::super::params::Params;
use crate::domain::{FlowLogId, ResourceKind, Status, Tag, TrafficFilter, MAX_TAGS_PER_FLOW_LOG};

pub const RESOURCE_TYPES: [(&str, ResourceKind); 3] = [
    ("NetworkInterface", ResourceKind::NetworkInterface),
    ("VSwitch", ResourceKind::Subnet),
    ("VPC", ResourceKind::Vpc),
];

pub const TRAFFIC_TYPES: [(&str, TrafficFilter); 3] = [
    ("All", TrafficFilter::All),
    ("Allow", TrafficFilter::Accepted),
    ("Drop", TrafficFilter::Rejected),
];

pub const STATUSES: [(&str, Status); 5] = [
    ("Activating", Status::Activating),
    ("Active", Status::Active),
    ("Deactivating", Status::Deactivating),
    ("Inactive", Status::Inactive),
    ("Deleting", Status::Deleting),
];

pub const TRAFFIC_PATHS: [&str; 10] = [
    "all",
    "internetGateway",
    "natGateway",
    "vpnGateway",
    "transitRouter",
    "gatewayEndpoint",
    "vbr",
    "ecr",
    "ipv4Gateway",
    "gatewayLoadBalancerEndpoint",
];

pub const AGGREGATION_INTERVALS: [u32; 3] = [1, 5, 10];

pub const DEFAULT_AGGREGATION_INTERVAL: u32 = 10;

pub const IP_VERSIONS: [&str; 2] = ["IPv4", "DualStack"];

pub const DEFAULT_IP_VERSION: &str = "IPv4";

pub fn wire_value<T: Copy + PartialEq>(table: &[(&'static str, T)], value: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(name, _)| *name)
        .expect("every domain value has a wire name")
}

pub fn domain_value<T: Copy>(table: &[(&'static str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// A mutating action's `FlowLogId`: absent is `MissingFlowLogId`; one that cannot exist is not
/// found, as an unknown one is.
pub fn parse_flow_log_id(params: &Params) -> Result<FlowLogId, AlibabaError> {
    let id = params.require("FlowLogId")?;
    if is_flow_log_id(id) {
        Ok(FlowLogId::from_trusted(id))
    } else {
        Err(AlibabaError::flow_log_not_found())
    }
}

pub fn is_flow_log_id(id: &str) -> bool {
    id.strip_prefix("fl-").is_some_and(|rest| {
        rest.len() == 20
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Text a user names things with: `min..=max` characters, no control characters, not starting
/// with `http://` or `https://`.
fn check_text(param: &str, value: &str, min: usize, max: usize) -> Result<(), AlibabaError> {
    let chars = value.chars().count();
    if chars < min || chars > max {
        return Err(AlibabaError::malformed(
            param,
            format_args!("it must be {min} to {max} characters long"),
        ));
    }
    if value.starts_with("http://") || value.starts_with("https://") {
        return Err(AlibabaError::malformed(
            param,
            "it must not start with http:// or https://",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AlibabaError::malformed(
            param,
            "it must not contain control characters",
        ));
    }
    Ok(())
}

/// Absent is `None`; given empty, it breaks the 1-character minimum.
pub fn optional_text(
    params: &Params,
    param: &str,
    max: usize,
) -> Result<Option<String>, AlibabaError> {
    params
        .given(param)
        .map(|value| check_text(param, value, 1, max).map(|()| value.to_owned()))
        .transpose()
}

/// `rg-` followed by lowercase letters and digits.
pub fn parse_resource_group_id(value: &str) -> Result<String, AlibabaError> {
    let valid = value.len() <= 64
        && value.strip_prefix("rg-").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if valid {
        Ok(value.to_owned())
    } else {
        Err(AlibabaError::documented(
            "IllegalParam.ResourceGroupId",
            "Invalid ResourceGroupId value.",
        ))
    }
}

pub fn parse_resource_type(value: &str) -> Result<ResourceKind, AlibabaError> {
    domain_value(&RESOURCE_TYPES, value).ok_or_else(AlibabaError::unsupported_resource_type)
}

pub fn parse_traffic_type(value: &str) -> Result<TrafficFilter, AlibabaError> {
    domain_value(&TRAFFIC_TYPES, value)
        .ok_or_else(|| AlibabaError::malformed("TrafficType", "it must be All, Allow or Drop"))
}

/// A tag key: 1–128 characters, not `aliyun…` or `acs:…`, no `http://` or `https://` inside.
fn check_tag_text(param: &str, value: &str, min: usize) -> Result<(), AlibabaError> {
    let chars = value.chars().count();
    let valid = (min..=128).contains(&chars)
        && !value.starts_with("aliyun")
        && !value.starts_with("acs:")
        && !value.contains("http://")
        && !value.contains("https://")
        && !value.chars().any(char::is_control);
    if valid {
        Ok(())
    } else {
        Err(AlibabaError::malformed(
            param,
            format_args!(
                "it must be {min} to 128 characters, not start with aliyun or acs:, and not contain http:// or https://"
            ),
        ))
    }
}

/// `Tag.N.Key` / `Tag.N.Value`: keys required and unique, values may be empty.
pub fn parse_tags(params: &Params, prefix: &str) -> Result<Vec<Tag>, AlibabaError> {
    let records = params.records(prefix, ["Key", "Value"], MAX_TAGS_PER_FLOW_LOG)?;
    let mut tags: Vec<Tag> = Vec::with_capacity(records.len());
    for (index, [key, value]) in records.into_iter().enumerate() {
        let key = key
            .filter(|k| !k.is_empty())
            .ok_or_else(|| AlibabaError::missing(&format!("{prefix}.{}.Key", index + 1)))?;
        check_tag_text("TagKey", key, 1)?;
        let value = value.unwrap_or_default();
        check_tag_text("TagValue", value, 0)?;
        if tags.iter().any(|tag| tag.key == key) {
            return Err(AlibabaError::invalid(
                &format!("{prefix}.{}.Key", index + 1),
                "the tag key is given more than once",
            ));
        }
        tags.push(Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(tags)
}

/// `PageNumber` (from 1) and `PageSize` (1 to 50, `default` when absent) of a Describe action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    pub number: u64,
    pub size: u32,
}

/// The most any Describe action of the product gives in one page.
pub const MAX_PAGE_SIZE: u32 = 50;

impl PageQuery {
    pub fn parse(params: &Params, default_size: u32) -> Result<Self, AlibabaError> {
        let number = match params.integer("PageNumber")? {
            None => 1,
            Some(0) => return Err(AlibabaError::invalid("PageNumber", "it must be at least 1")),
            Some(number) => number,
        };
        let size = match params.integer("PageSize")? {
            None => default_size,
            Some(size @ 1..=50) => size as u32,
            Some(_) => {
                return Err(AlibabaError::invalid(
                    "PageSize",
                    format_args!("it must be from 1 to {MAX_PAGE_SIZE}"),
                ))
            }
        };
        Ok(PageQuery { number, size })
    }

    /// How many entries come before the page.
    pub fn offset(self) -> u64 {
        (self.number - 1).saturating_mul(u64::from(self.size))
    }
}

/// `DryRun=true`: the call was valid and nothing is done (400 `DryRunOperation`, as the cloud
/// answers a dry run that passes its checks).
pub fn dry_run(params: &Params) -> Result<(), AlibabaError> {
    if params.boolean("DryRun")?.unwrap_or(false) {
        Err(AlibabaError::documented(
            "DryRunOperation",
            "Request validation has been passed with DryRun flag set.",
        ))
    } else {
        Ok(())
    }
}

/// `YYYY-MM-DDThh:mm:ssZ`, as the models give it.
pub fn creation_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `Tags.Tag[{Key, Value}]`, as every Describe action of the product writes tags.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TagList {
    tag: Vec<TagEntry>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct TagEntry {
    key: String,
    value: String,
}

impl From<Vec<Tag>> for TagList {
    fn from(tags: Vec<Tag>) -> Self {
        TagList {
            tag: tags
                .into_iter()
                .map(|tag| TagEntry {
                    key: tag.key,
                    value: tag.value,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_time_is_second_precise_utc() {
        let time = DateTime::from_timestamp_millis(1_642_734_530_123).unwrap();
        assert_eq!(creation_time(time), "2022-01-21T03:08:50Z");
    }

    #[test]
    fn flow_log_ids() {
        assert!(is_flow_log_id("fl-0123456789abcdefghij"));
        assert!(!is_flow_log_id("fl-0123456789ABCDEFGHIJ"));
        assert!(!is_flow_log_id("fl-short"));
        assert!(!is_flow_log_id("xx-0123456789abcdefghij"));
    }
}
