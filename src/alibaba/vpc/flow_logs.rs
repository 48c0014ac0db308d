//! Flow logs: CreateFlowLog, DescribeFlowLogs, ModifyFlowLogAttribute, DeleteFlowLog,
//! ActiveFlowLog, DeactiveFlowLog, GetFlowLogServiceStatus and OpenFlowLogService: each action's
//! parameters checked against the API's rules into domain values, and its answer typed as the
//! SDK models type it.

use serde::Serialize;

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::wire::{
    creation_time, domain_value, optional_text, parse_flow_log_id, parse_resource_group_id,
    parse_resource_type, parse_tags, parse_traffic_type, wire_value, PageQuery, TagList,
    AGGREGATION_INTERVALS, DEFAULT_AGGREGATION_INTERVAL, DEFAULT_IP_VERSION, IP_VERSIONS,
    RESOURCE_TYPES, STATUSES, TRAFFIC_PATHS, TRAFFIC_TYPES,
};
use crate::domain::destination::Delivery;
use crate::domain::tenancy::default_resource_group_id;
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, LogDestination, Modifiable, NewFlowLog, Operation,
    ResourceKind, TagFilter, MAX_TAGS_PER_FLOW_LOG,
};

/// `{"Success": "true"}`: the answer of the actions that only succeed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Succeeded {
    success: &'static str,
}

impl Succeeded {
    pub const fn new() -> Self {
        Succeeded { success: "true" }
    }
}

/// An empty answer (the request id only).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Empty {}

pub async fn create_flow_log(call: &Call<'_>) -> Result<CreateFlowLogResponse, AlibabaError> {
    let mut spec = parse_create(call.params)?;
    // Without a group, the flow log belongs to the account's default group.
    spec.resource_group_id
        .get_or_insert_with(|| default_resource_group_id(call.scope.tenant_id()));
    let created = call.state.flow_logs.create(call.scope, spec).await?;
    Ok(CreateFlowLogResponse {
        resource_group_id: created.spec.resource_group_id.unwrap_or_default(),
        flow_log_id: created.id.as_str().to_owned(),
        success: "true",
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateFlowLogResponse {
    flow_log_id: String,
    success: &'static str,
    resource_group_id: String,
}

pub async fn describe_flow_logs(call: &Call<'_>) -> Result<DescribeFlowLogsResponse, AlibabaError> {
    let query = parse_describe(call.params)?;
    let (flow_logs, total) = call
        .state
        .flow_logs
        .counted_page(
            call.scope,
            &query.filter,
            query.page.offset(),
            query.page.size,
        )
        .await?;
    Ok(DescribeFlowLogsResponse {
        success: "true",
        total_count: total.to_string(),
        page_number: query.page.number.to_string(),
        page_size: query.page.size.to_string(),
        flow_logs: FlowLogList {
            flow_log: flow_logs.into_iter().map(FlowLogEntry::from).collect(),
        },
    })
}

/// `TotalCount`, `PageNumber` and `PageSize` are strings in the models.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeFlowLogsResponse {
    success: &'static str,
    total_count: String,
    page_number: String,
    page_size: String,
    flow_logs: FlowLogList,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct FlowLogList {
    flow_log: Vec<FlowLogEntry>,
}

pub async fn modify_flow_log_attribute(call: &Call<'_>) -> Result<Succeeded, AlibabaError> {
    let id = parse_flow_log_id(call.params)?;
    let changes = parse_modify(call.params)?;
    call.state
        .flow_logs
        .modify(call.scope, &id, &changes, Modifiable::WhenSettled)
        .await?;
    Ok(Succeeded::new())
}

pub async fn delete_flow_log(call: &Call<'_>) -> Result<Succeeded, AlibabaError> {
    apply(call, Operation::Delete).await
}

pub async fn active_flow_log(call: &Call<'_>) -> Result<Succeeded, AlibabaError> {
    apply(call, Operation::Activate).await
}

pub async fn deactive_flow_log(call: &Call<'_>) -> Result<Succeeded, AlibabaError> {
    apply(call, Operation::Deactivate).await
}

async fn apply(call: &Call<'_>, operation: Operation) -> Result<Succeeded, AlibabaError> {
    let id = parse_flow_log_id(call.params)?;
    call.state
        .flow_logs
        .apply(call.scope, &id, operation)
        .await?;
    Ok(Succeeded::new())
}

pub async fn get_flow_log_service_status(
    call: &Call<'_>,
) -> Result<ServiceStatusResponse, AlibabaError> {
    let enabled = call.state.flow_logs.service_activated(call.scope).await?;
    Ok(ServiceStatusResponse { enabled })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceStatusResponse {
    enabled: bool,
}

/// The model also has `Code` and `Message`; a `Code` in a success body reads as an error to
/// Terraform, so they are left out.
pub async fn open_flow_log_service(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    call.state.flow_logs.activate_service(call.scope).await?;
    Ok(Empty {})
}

/// DescribeFlowLogs' page size: 20 unless asked, at most 50.
const DEFAULT_PAGE_SIZE: u32 = 20;

/// How many traffic paths there are to choose from; more entries would repeat one.
const MAX_TRAFFIC_PATHS: usize = TRAFFIC_PATHS.len();

const MAX_LOG_FORMAT_CHARS: usize = 2048;

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
fn parse_create(params: &Params) -> Result<NewFlowLog, AlibabaError> {
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
fn parse_modify(params: &Params) -> Result<AttributeChanges, AlibabaError> {
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
struct DescribeQuery {
    filter: FlowLogFilter,
    page: PageQuery,
}

fn parse_describe(params: &Params) -> Result<DescribeQuery, AlibabaError> {
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
    Ok(DescribeQuery {
        filter,
        page: PageQuery::parse(params, DEFAULT_PAGE_SIZE)?,
    })
}

/// One `FlowLogs.FlowLog[]` entry, typed as the Go and Python models type it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FlowLogEntry {
    flow_log_id: String,
    flow_log_name: String,
    description: String,
    status: &'static str,
    business_status: &'static str,
    creation_time: String,
    region_id: String,
    resource_type: &'static str,
    resource_id: String,
    traffic_type: &'static str,
    project_name: String,
    log_store_name: String,
    aggregation_interval: u32,
    ip_version: String,
    log_format: String,
    service_type: &'static str,
    resource_group_id: String,
    flow_log_deliver_status: &'static str,
    flow_log_deliver_error_message: &'static str,
    traffic_path: TrafficPathList,
    tags: TagList,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct TrafficPathList {
    traffic_path_list: Vec<String>,
}

impl From<FlowLog> for FlowLogEntry {
    fn from(flow_log: FlowLog) -> Self {
        let spec = flow_log.spec;
        FlowLogEntry {
            flow_log_id: flow_log.id.as_str().to_owned(),
            flow_log_name: spec.name.unwrap_or_default(),
            description: spec.description.unwrap_or_default(),
            status: wire_value(&STATUSES, flow_log.status),
            business_status: "Normal",
            creation_time: creation_time(flow_log.created_at),
            region_id: flow_log.scope.region_id().to_owned(),
            resource_type: wire_value(&RESOURCE_TYPES, spec.resource_kind),
            resource_id: spec.resource_id,
            traffic_type: wire_value(&TRAFFIC_TYPES, spec.traffic_filter),
            project_name: spec.destination.group,
            log_store_name: spec.destination.topic,
            aggregation_interval: spec
                .aggregation_interval
                .unwrap_or(DEFAULT_AGGREGATION_INTERVAL),
            ip_version: spec
                .ip_version
                .unwrap_or_else(|| DEFAULT_IP_VERSION.to_owned()),
            log_format: spec.log_format.unwrap_or_default(),
            service_type: "",
            resource_group_id: spec
                .resource_group_id
                .unwrap_or_else(|| default_resource_group_id(flow_log.scope.tenant_id())),
            flow_log_deliver_status: deliver_status(flow_log.delivery),
            flow_log_deliver_error_message: deliver_error(flow_log.delivery),
            traffic_path: TrafficPathList {
                traffic_path_list: spec.traffic_paths,
            },
            tags: TagList::from(spec.tags),
        }
    }
}

/// `FlowLogDeliverStatus`: whether the records reach the SLS logstore as it stands.
fn deliver_status(delivery: Delivery) -> &'static str {
    if delivery.is_delivering() {
        "SUCCESS"
    } else {
        "FAILED"
    }
}

/// `FlowLogDeliverErrorMessage`: the project is gone, or only the logstore (which the VPC SDK
/// models call an unavailable target, spelt as the cloud spells it).
fn deliver_error(delivery: Delivery) -> &'static str {
    match delivery {
        Delivery::Delivering => "",
        Delivery::GroupMissing => "ProjectNotExist",
        Delivery::StreamMissing => "UnavaliableTarget",
        Delivery::Faulted(fault) => fault.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
