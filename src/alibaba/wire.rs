//! Alibaba's wire format for flow logs: each action's parameters checked against the API's
//! rules and parsed into domain values, and domain values written back as the SDK models want.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::error::AlibabaError;
use super::params::Params;
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, FlowLogId, LogDestination, NewFlowLog, ResourceKind,
    Status, Tag, TagFilter, TenantScope, TrafficFilter, MAX_TAGS_PER_FLOW_LOG,
};

/// DescribeFlowLogs' page size: 20 unless asked, at most 50.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 50;
/// ListTagResources' page size: 50 unless asked, at most 50.
pub const MAX_TAG_RESULTS: u32 = 50;
/// How many resources one tag action may name.
const MAX_RESOURCE_IDS: usize = 50;
/// How many traffic paths there are to choose from; more entries would repeat one.
const MAX_TRAFFIC_PATHS: usize = TRAFFIC_PATHS.len();
const MAX_LOG_FORMAT_CHARS: usize = 2048;

const RESOURCE_TYPES: [(&str, ResourceKind); 3] = [
    ("NetworkInterface", ResourceKind::NetworkInterface),
    ("VSwitch", ResourceKind::Subnet),
    ("VPC", ResourceKind::Vpc),
];

const TRAFFIC_TYPES: [(&str, TrafficFilter); 3] = [
    ("All", TrafficFilter::All),
    ("Allow", TrafficFilter::Accepted),
    ("Drop", TrafficFilter::Rejected),
];

const STATUSES: [(&str, Status); 5] = [
    ("Activating", Status::Activating),
    ("Active", Status::Active),
    ("Deactivating", Status::Deactivating),
    ("Inactive", Status::Inactive),
    ("Deleting", Status::Deleting),
];

const TRAFFIC_PATHS: [&str; 10] = [
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

const AGGREGATION_INTERVALS: [u32; 3] = [1, 5, 10];
const DEFAULT_AGGREGATION_INTERVAL: u32 = 10;
const IP_VERSIONS: [&str; 2] = ["IPv4", "DualStack"];
const DEFAULT_IP_VERSION: &str = "IPv4";

fn wire_value<T: Copy + PartialEq>(table: &[(&'static str, T)], value: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(name, _)| *name)
        .expect("every domain value has a wire name")
}

fn domain_value<T: Copy>(table: &[(&'static str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// The caller's tenant: its account and the `RegionId` of the request.
pub fn parse_scope(params: &Params, account: &str) -> Result<TenantScope, AlibabaError> {
    let region = params.require("RegionId")?;
    if !is_region_id(region) {
        return Err(AlibabaError::documented(
            "InvalidRegionId.NotFound",
            "The RegionId provided does not exist in our records.",
        ));
    }
    Ok(TenantScope::alibaba_account(account, region))
}

/// Region ids look like `cn-hangzhou`, `ap-southeast-1`, `cn-hangzhou-finance`.
fn is_region_id(region: &str) -> bool {
    let mut parts = region.split('-');
    let head_ok = parts
        .next()
        .is_some_and(|head| head.len() == 2 && head.bytes().all(|b| b.is_ascii_lowercase()));
    let mut rest = parts.peekable();
    head_ok
        && region.len() <= 64
        && rest.peek().is_some()
        && rest.all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
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

fn is_flow_log_id(id: &str) -> bool {
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
fn optional_text(params: &Params, param: &str, max: usize) -> Result<Option<String>, AlibabaError> {
    params
        .given(param)
        .map(|value| check_text(param, value, 1, max).map(|()| value.to_owned()))
        .transpose()
}

/// SLS names: 3–63 characters of `[a-z0-9-]` (a logstore also `_`), starting and ending with a
/// lowercase letter or digit.
fn is_sls_name(value: &str, underscore: bool) -> bool {
    let bytes = value.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes
            .iter()
            .all(|b| edge(b) || *b == b'-' || (underscore && *b == b'_'))
}

fn parse_aggregation_interval(params: &Params) -> Result<Option<u32>, AlibabaError> {
    let Some(value) = params.get("AggregationInterval") else {
        return Ok(None);
    };
    value
        .parse::<u32>()
        .ok()
        .filter(|minutes| AGGREGATION_INTERVALS.contains(minutes))
        .map(Some)
        .ok_or_else(|| {
            AlibabaError::documented(
                "IllegalParam.AggregationInterval",
                "The param of aggregationInterval is illegal.",
            )
        })
}

fn parse_ip_version(params: &Params) -> Result<Option<String>, AlibabaError> {
    match params.get("IpVersion") {
        None => Ok(None),
        Some(version) if IP_VERSIONS.contains(&version) => Ok(Some(version.to_owned())),
        Some(_) => Err(AlibabaError::documented(
            "IllegalParam.IpVersion",
            "The parameter of IpVersion is illegal.",
        )),
    }
}

fn parse_log_format(params: &Params) -> Result<Option<String>, AlibabaError> {
    params
        .get("LogFormat")
        .map(|format| {
            if format.chars().count() > MAX_LOG_FORMAT_CHARS
                || format.chars().any(char::is_control)
            {
                Err(AlibabaError::malformed(
                    "LogFormat",
                    format_args!(
                        "it must be at most {MAX_LOG_FORMAT_CHARS} characters without control characters"
                    ),
                ))
            } else {
                Ok(format.to_owned())
            }
        })
        .transpose()
}

/// `rg-` followed by lowercase letters and digits.
fn parse_resource_group_id(value: &str) -> Result<String, AlibabaError> {
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

fn parse_resource_type(value: &str) -> Result<ResourceKind, AlibabaError> {
    domain_value(&RESOURCE_TYPES, value).ok_or_else(AlibabaError::unsupported_resource_type)
}

fn parse_traffic_type(value: &str) -> Result<TrafficFilter, AlibabaError> {
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
fn parse_tags(params: &Params, prefix: &str) -> Result<Vec<Tag>, AlibabaError> {
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

fn parse_traffic_paths(params: &Params) -> Result<Vec<String>, AlibabaError> {
    // More entries than there are paths must repeat one.
    let paths = params
        .list("TrafficPath", MAX_TRAFFIC_PATHS)
        .map_err(|_| illegal_traffic_path())?;
    if paths.is_empty() {
        return Ok(vec!["all".to_owned()]);
    }
    let mut parsed: Vec<String> = Vec::with_capacity(paths.len());
    for path in paths {
        if !TRAFFIC_PATHS.contains(&path) {
            return Err(illegal_traffic_path());
        }
        if parsed.iter().any(|p| p == path) {
            return Err(AlibabaError::documented(
                "DuplicatedParam.TrafficPath",
                "The param of trafficPath is duplicated.",
            ));
        }
        parsed.push(path.to_owned());
    }
    Ok(parsed)
}

fn illegal_traffic_path() -> AlibabaError {
    AlibabaError::documented(
        "IllegalParam.TrafficPath",
        "The param of trafficPath is illegal.",
    )
}

/// CreateFlowLog's parameters, checked in the order the API lists them.
pub fn parse_create(params: &Params) -> Result<NewFlowLog, AlibabaError> {
    let resource_kind = parse_resource_type(params.require("ResourceType")?)?;
    let resource_id = params.require("ResourceId")?;
    let expected_prefix = match resource_kind {
        ResourceKind::NetworkInterface => "eni-",
        ResourceKind::Subnet => "vsw-",
        ResourceKind::Vpc => "vpc-",
    };
    let id_chars_ok = resource_id.len() <= 64
        && resource_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !id_chars_ok {
        return Err(AlibabaError::malformed(
            "ResourceId",
            "it must be at most 64 letters, digits, - or _",
        ));
    }
    if !resource_id.starts_with(expected_prefix) {
        return Err(AlibabaError::documented(
            "InvalidResourceType.NotFound",
            "Resource type no the same.",
        ));
    }
    let traffic_filter = parse_traffic_type(params.require("TrafficType")?)?;
    let destination = match (params.get("ProjectName"), params.get("LogStoreName")) {
        (None, None) => {
            return Err(AlibabaError::documented(
                "MissingParam.TrafficAnalyzerIdOrLogProjectOrLogStore",
                "TrafficAnalyzerId and ProjectName and LogStoreName parameters are not passed in.",
            ))
        }
        (None, Some(_)) => return Err(AlibabaError::missing("ProjectName")),
        (Some(_), None) => return Err(AlibabaError::missing("LogStoreName")),
        (Some(project), Some(logstore)) => {
            if !is_sls_name(project, false) {
                return Err(AlibabaError::malformed(
                    "ProjectName",
                    "it must be 3 to 63 lowercase letters, digits or -, starting and ending with a letter or digit",
                ));
            }
            if !is_sls_name(logstore, true) {
                return Err(AlibabaError::malformed(
                    "LogStoreName",
                    "it must be 3 to 63 lowercase letters, digits, - or _, starting and ending with a letter or digit",
                ));
            }
            LogDestination {
                group: project.to_owned(),
                topic: logstore.to_owned(),
            }
        }
    };
    Ok(NewFlowLog {
        name: optional_text(params, "FlowLogName", 128)?,
        description: optional_text(params, "Description", 256)?,
        resource_kind,
        resource_id: resource_id.to_owned(),
        traffic_filter,
        traffic_paths: parse_traffic_paths(params)?,
        aggregation_interval: Some(
            parse_aggregation_interval(params)?.unwrap_or(DEFAULT_AGGREGATION_INTERVAL),
        ),
        ip_version: Some(parse_ip_version(params)?.unwrap_or_else(|| DEFAULT_IP_VERSION.into())),
        log_format: parse_log_format(params)?,
        destination,
        index_enabled: false,
        resource_group_id: params
            .get("ResourceGroupId")
            .map(parse_resource_group_id)
            .transpose()?,
        tags: parse_tags(params, "Tag")?,
    })
}

/// ModifyFlowLogAttribute's optional changes.
pub fn parse_modify(params: &Params) -> Result<AttributeChanges, AlibabaError> {
    Ok(AttributeChanges {
        name: optional_text(params, "FlowLogName", 128)?,
        description: optional_text(params, "Description", 256)?,
        aggregation_interval: parse_aggregation_interval(params)?,
        ip_version: parse_ip_version(params)?,
        log_format: parse_log_format(params)?,
        resource_group_id: None,
    })
}

/// DescribeFlowLogs' filters (exact matches, tags all required) and page.
pub struct DescribeQuery {
    pub filter: FlowLogFilter,
    pub page_number: u64,
    pub page_size: u32,
}

impl DescribeQuery {
    pub fn offset(&self) -> u64 {
        (self.page_number - 1).saturating_mul(u64::from(self.page_size))
    }
}

pub fn parse_describe(params: &Params) -> Result<DescribeQuery, AlibabaError> {
    let one = |name: &str| {
        params
            .get(name)
            .map(|v| vec![v.to_owned()])
            .unwrap_or_default()
    };
    let mut filter = FlowLogFilter {
        ids: one("FlowLogId"),
        names: one("FlowLogName"),
        descriptions: one("Description"),
        resource_ids: one("ResourceId"),
        groups: one("ProjectName"),
        topics: one("LogStoreName"),
        resource_group_ids: one("ResourceGroupId"),
        vpc_ids: one("VpcId"),
        ..Default::default()
    };
    if let Some(kind) = params.get("ResourceType") {
        filter.resource_kinds = vec![parse_resource_type(kind)?];
    }
    if let Some(traffic) = params.get("TrafficType") {
        filter.traffic_filters = vec![parse_traffic_type(traffic)?];
    }
    if let Some(status) = params.get("Status") {
        let status = domain_value(&STATUSES, status).ok_or_else(|| {
            AlibabaError::malformed("Status", "it must be Active, Activating or Inactive")
        })?;
        filter.statuses = vec![status];
    }
    let tags = params.records("Tags", ["Key", "Value"], MAX_TAGS_PER_FLOW_LOG)?;
    for (index, [key, value]) in tags.into_iter().enumerate() {
        let key = key
            .filter(|k| !k.is_empty())
            .ok_or_else(|| AlibabaError::missing(&format!("Tags.{}.Key", index + 1)))?;
        filter.tags.push(TagFilter {
            key: key.to_owned(),
            value: value.map(str::to_owned),
        });
    }
    let page_number = match params.integer("PageNumber")? {
        None => 1,
        Some(0) => return Err(AlibabaError::invalid("PageNumber", "it must be at least 1")),
        Some(number) => number,
    };
    let page_size = match params.integer("PageSize")? {
        None => DEFAULT_PAGE_SIZE,
        Some(size @ 1..=50) => size as u32,
        Some(_) => {
            return Err(AlibabaError::invalid(
                "PageSize",
                format_args!("it must be from 1 to {MAX_PAGE_SIZE}"),
            ))
        }
    };
    Ok(DescribeQuery {
        filter,
        page_number,
        page_size,
    })
}

/// The `ResourceType` of the tag and resource-group actions: only flow logs live here. Its
/// case does not matter (Terraform sends `FLOWLOG`, the SDK docs say `FlowLog`).
pub fn require_flow_log_resource_type(params: &Params) -> Result<(), AlibabaError> {
    if params
        .require("ResourceType")?
        .eq_ignore_ascii_case("flowlog")
    {
        Ok(())
    } else {
        Err(AlibabaError::unsupported_resource_type())
    }
}

/// `ResourceId.N` of the tag actions, each a flow-log id (one that cannot exist is not found).
pub fn parse_resource_ids(params: &Params, required: bool) -> Result<Vec<FlowLogId>, AlibabaError> {
    let ids = params.list("ResourceId", MAX_RESOURCE_IDS)?;
    if required && ids.is_empty() {
        return Err(AlibabaError::missing("ResourceId.1"));
    }
    let mut parsed: Vec<FlowLogId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !is_flow_log_id(id) {
            return Err(AlibabaError::flow_log_not_found());
        }
        let id = FlowLogId::from_trusted(id);
        if !parsed.contains(&id) {
            parsed.push(id);
        }
    }
    Ok(parsed)
}

pub fn parse_tag_resources(params: &Params) -> Result<(Vec<FlowLogId>, Vec<Tag>), AlibabaError> {
    require_flow_log_resource_type(params)?;
    let ids = parse_resource_ids(params, true)?;
    let tags = parse_tags(params, "Tag")?;
    if tags.is_empty() {
        return Err(AlibabaError::missing("Tag.1.Key"));
    }
    Ok((ids, tags))
}

/// UnTagResources: the keys to remove, or `None` for every tag (`All=true` without keys).
pub fn parse_untag_resources(
    params: &Params,
) -> Result<(Vec<FlowLogId>, Option<Vec<String>>), AlibabaError> {
    require_flow_log_resource_type(params)?;
    let ids = parse_resource_ids(params, true)?;
    let keys: Vec<String> = params
        .list("TagKey", MAX_TAGS_PER_FLOW_LOG)?
        .into_iter()
        .map(str::to_owned)
        .collect();
    let all = params.boolean("All")?.unwrap_or(false);
    let keys = if keys.is_empty() && all {
        None
    } else {
        Some(keys)
    };
    Ok((ids, keys))
}

pub struct ListTagsQuery {
    pub ids: Vec<FlowLogId>,
    pub filters: Vec<TagFilter>,
    pub offset: u64,
    pub limit: u32,
}

pub fn parse_list_tag_resources(params: &Params) -> Result<ListTagsQuery, AlibabaError> {
    require_flow_log_resource_type(params)?;
    let ids = parse_resource_ids(params, false)?;
    let tags = parse_tags(params, "Tag")?;
    if ids.is_empty() && tags.is_empty() {
        return Err(AlibabaError::documented(
            "MissingParameter",
            "ResourceId.N or Tag.N is mandatory for this action.",
        ));
    }
    let filters = tags
        .into_iter()
        .map(|tag| TagFilter {
            key: tag.key,
            value: Some(tag.value).filter(|v| !v.is_empty()),
        })
        .collect();
    let limit = match params.integer("MaxResults")? {
        None => MAX_TAG_RESULTS,
        Some(size @ 1..=50) => size as u32,
        Some(_) => {
            return Err(AlibabaError::invalid(
                "MaxResults",
                format_args!("it must be from 1 to {MAX_TAG_RESULTS}"),
            ))
        }
    };
    // The token is the offset of the next page.
    let offset = params
        .get("NextToken")
        .map(|token| {
            token
                .parse::<u64>()
                .map_err(|_| AlibabaError::invalid("NextToken", "it is not a token this API gave"))
        })
        .transpose()?
        .unwrap_or(0);
    Ok(ListTagsQuery {
        ids,
        filters,
        offset,
        limit,
    })
}

pub fn parse_move_resource_group(params: &Params) -> Result<(FlowLogId, String), AlibabaError> {
    require_flow_log_resource_type(params)?;
    let id = params.require("ResourceId")?;
    if !is_flow_log_id(id) {
        return Err(AlibabaError::flow_log_not_found());
    }
    let group = parse_resource_group_id(params.require("NewResourceGroupId")?)?;
    Ok((FlowLogId::from_trusted(id), group))
}

/// `YYYY-MM-DDThh:mm:ssZ`, as the models give it.
fn creation_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// One `FlowLogs.FlowLog[]` entry, typed as the Go and Python models type it.
pub fn flow_log_body(flow_log: &FlowLog) -> Value {
    let spec = &flow_log.spec;
    let tags: Vec<Value> = spec
        .tags
        .iter()
        .map(|tag| json!({"Key": tag.key, "Value": tag.value}))
        .collect();
    json!({
        "FlowLogId": flow_log.id.as_str(),
        "FlowLogName": spec.name.as_deref().unwrap_or_default(),
        "Description": spec.description.as_deref().unwrap_or_default(),
        "Status": wire_value(&STATUSES, flow_log.status),
        "BusinessStatus": "Normal",
        "CreationTime": creation_time(flow_log.created_at),
        "RegionId": flow_log.scope.region_id(),
        "ResourceType": wire_value(&RESOURCE_TYPES, spec.resource_kind),
        "ResourceId": spec.resource_id,
        "TrafficType": wire_value(&TRAFFIC_TYPES, spec.traffic_filter),
        "ProjectName": spec.destination.group,
        "LogStoreName": spec.destination.topic,
        "AggregationInterval": spec.aggregation_interval.unwrap_or(DEFAULT_AGGREGATION_INTERVAL),
        "IpVersion": spec.ip_version.as_deref().unwrap_or(DEFAULT_IP_VERSION),
        "LogFormat": spec.log_format.as_deref().unwrap_or_default(),
        "ServiceType": "",
        "ResourceGroupId": spec.resource_group_id.as_deref().unwrap_or_default(),
        "FlowLogDeliverStatus": "SUCCESS",
        "FlowLogDeliverErrorMessage": "",
        "TrafficPath": {"TrafficPathList": spec.traffic_paths},
        "Tags": {"Tag": tags},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_ids() {
        for good in [
            "cn-hangzhou",
            "ap-southeast-1",
            "cn-hangzhou-finance",
            "us-east-1",
        ] {
            assert!(is_region_id(good), "{good}");
        }
        for bad in [
            "",
            "cn",
            "cn-",
            "CN-hangzhou",
            "cn--x",
            "c-hangzhou",
            "cn-hang zhou",
            "cn-杭州",
        ] {
            assert!(!is_region_id(bad), "{bad}");
        }
    }

    #[test]
    fn sls_names() {
        assert!(is_sls_name("flowlogproject", false));
        assert!(is_sls_name("my-project-1", false));
        assert!(!is_sls_name("my_project", false));
        assert!(is_sls_name("my_store", true));
        for bad in ["ab", "-abc", "abc-", "ABC", &"a".repeat(64)] {
            assert!(!is_sls_name(bad, true), "{bad}");
        }
    }

    #[test]
    fn flow_log_ids() {
        assert!(is_flow_log_id("fl-0123456789abcdefghij"));
        assert!(!is_flow_log_id("fl-0123456789ABCDEFGHIJ"));
        assert!(!is_flow_log_id("fl-short"));
        assert!(!is_flow_log_id("xx-0123456789abcdefghij"));
    }

    #[test]
    fn creation_time_is_second_precise_utc() {
        let time = DateTime::from_timestamp_millis(1_642_734_530_123).unwrap();
        assert_eq!(creation_time(time), "2022-01-21T03:08:50Z");
    }
}
