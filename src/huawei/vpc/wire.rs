//! The VPC flow-log API's wire types: request bodies as typed structs (a field of the wrong
//! type is named by its path), checked with Huawei's rules and messages into domain values;
//! query strings; and the `FlowLogResp` the SDKs read back.

use std::fmt::Display;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::errors::{invalid, invalid_because, invalid_list_param};
use super::extract::RequestBody;
use super::names::{
    from_wire, status_name, wire_name, LOG_STORE_TYPE, RESOURCE_TYPES, TRAFFIC_TYPES,
};
use crate::domain::{
    AttributeChanges, FlowLog, FlowLogFilter, LogDestination, NewFlowLog, Page, Status, TenantScope,
};
use crate::huawei::error::HuaweiError;

const DEFAULT_LIST_LIMIT: u32 = 2000;
const MAX_NAME_CHARS: usize = 64;
const MAX_DESCRIPTION_CHARS: usize = 255;
const MAX_RESOURCE_ID_CHARS: usize = 64;

/// What a `status=` list filter selects: flow-log statuses, and whether their destination must
/// (`ACTIVE`) or must not (`ERROR`) exist; `None` for a value Huawei does not have.
fn statuses_named(value: &str) -> Option<(Vec<Status>, Option<bool>)> {
    let enabled = |wanted: bool| {
        Status::ALL
            .into_iter()
            .filter(|s| s.is_enabled() == wanted)
            .collect()
    };
    match value {
        "ACTIVE" => Some((enabled(true), Some(true))),
        "ERROR" => Some((enabled(true), Some(false))),
        "DOWN" => Some((enabled(false), None)),
        _ => None,
    }
}

/// Huawei flow-log ids are UUIDs; anything else is refused before the store is asked.
pub fn is_flow_log_id(value: &str) -> bool {
    is_uuid(value)
}

fn is_uuid(value: &str) -> bool {
    value.len() == 36 && uuid::Uuid::try_parse(value).is_ok()
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.')
        || ('\u{4e00}'..='\u{9fa5}').contains(&c)
}

/// The object every flow-log request body wraps its fields in.
pub const WRAPPER: &str = "flow_log";

/// `{"flow_log": CreateFlowLogReq}`; `null` counts as absent, unknown fields are ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateFlowLogRequestBody {
    /// Required: absent or `null` is 400 `flow_log is invalid`.
    #[schema(value_type = CreateFlowLogReq, required = true)]
    flow_log: Option<CreateFlowLogReq>,
}

impl RequestBody for CreateFlowLogRequestBody {
    const WRAPPER: &'static str = WRAPPER;

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        flow_log_invalid(field, reason)
    }
}

impl RequestBody for UpdateFlowLogRequestBody {
    const WRAPPER: &'static str = WRAPPER;

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        flow_log_invalid(field, reason)
    }
}

/// 400 VPC.3001, `<field> is invalid[: reason]`.
fn flow_log_invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
    match reason {
        Some(reason) => invalid_because(field, reason),
        None => invalid(field),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CreateFlowLogReq {
    #[schema(schema_with = schema::name)]
    name: Option<String>,
    #[schema(schema_with = schema::description)]
    description: Option<String>,
    #[schema(schema_with = schema::resource_type, required = true)]
    resource_type: Option<String>,
    #[schema(schema_with = schema::resource_id, required = true)]
    resource_id: Option<String>,
    #[schema(schema_with = schema::traffic_type, required = true)]
    traffic_type: Option<String>,
    #[schema(schema_with = schema::uuid, required = true)]
    log_group_id: Option<String>,
    #[schema(schema_with = schema::uuid, required = true)]
    log_topic_id: Option<String>,
    index_enabled: Option<bool>,
}

/// `{"flow_log": UpdateFlowLogReq}`: only `name`, `description` and `admin_state` can change;
/// other fields are ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateFlowLogRequestBody {
    /// Required: absent or `null` is 400 `flow_log is invalid`.
    #[schema(value_type = UpdateFlowLogReq, required = true)]
    flow_log: Option<UpdateFlowLogReq>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct UpdateFlowLogReq {
    #[schema(schema_with = schema::name)]
    name: Option<String>,
    #[schema(schema_with = schema::description)]
    description: Option<String>,
    admin_state: Option<bool>,
}

/// The rules `into_spec` and `into_changes` check, as JSON Schema for the OpenAPI document: a
/// request the schema accepts passes them, and one it refuses does not.
mod schema {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::Object;

    use super::super::names::{RESOURCE_TYPES, TRAFFIC_TYPES};
    use super::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_RESOURCE_ID_CHARS};

    fn text(pattern: String) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
    }

    /// Letters, digits, `_`, `-`, `.` and CJK ideographs (`is_name_char`); `null` is absent.
    pub fn name() -> Object {
        text(format!(
            "^[A-Za-z0-9_.\\u4e00-\\u9fa5-]{{0,{MAX_NAME_CHARS}}}$"
        ))
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .build()
    }

    /// No `<` or `>`; `null` is absent.
    pub fn description() -> Object {
        text(format!("^[^<>]{{0,{MAX_DESCRIPTION_CHARS}}}$"))
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .build()
    }

    pub fn resource_type() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(RESOURCE_TYPES.iter().map(|(wire, _)| *wire)))
            .build()
    }

    pub fn traffic_type() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(TRAFFIC_TYPES.iter().map(|(wire, _)| *wire)))
            .build()
    }

    /// Printable ASCII, no space.
    pub fn resource_id() -> Object {
        text(format!("^[!-~]{{1,{MAX_RESOURCE_ID_CHARS}}}$")).build()
    }

    /// A hyphenated UUID.
    pub fn uuid() -> Object {
        text(
            "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
                .to_owned(),
        )
        .build()
    }
}

fn required(value: Option<String>, field: &str) -> Result<String, HuaweiError> {
    value.ok_or_else(|| invalid(field))
}

fn check_name(name: Option<String>) -> Result<Option<String>, HuaweiError> {
    match name {
        Some(name) if name.chars().count() > MAX_NAME_CHARS || !name.chars().all(is_name_char) => {
            Err(invalid("name"))
        }
        name => Ok(name),
    }
}

fn check_description(description: Option<String>) -> Result<Option<String>, HuaweiError> {
    match description {
        Some(description)
            if description.chars().count() > MAX_DESCRIPTION_CHARS
                || description.contains(['<', '>']) =>
        {
            Err(invalid("description"))
        }
        description => Ok(description),
    }
}

fn uuid_field(value: Option<String>, field: &str) -> Result<String, HuaweiError> {
    let value = required(value, field)?;
    if is_uuid(&value) {
        Ok(value)
    } else {
        Err(invalid(field))
    }
}

impl CreateFlowLogRequestBody {
    /// What to create, checked field by field in the API's order.
    pub fn into_spec(self) -> Result<NewFlowLog, HuaweiError> {
        let request = self.flow_log.ok_or_else(|| invalid(WRAPPER))?;
        let name = check_name(request.name)?;
        let description = check_description(request.description)?;
        let resource_kind = from_wire(
            &RESOURCE_TYPES,
            &required(request.resource_type, "resource_type")?,
        )
        .ok_or_else(|| invalid("resource_type"))?;
        let resource_id = required(request.resource_id, "resource_id")?;
        let resource_id_ok = !resource_id.is_empty()
            && resource_id.chars().count() <= MAX_RESOURCE_ID_CHARS
            && resource_id.chars().all(|c| c.is_ascii_graphic());
        if !resource_id_ok {
            return Err(invalid("resource_id"));
        }
        let traffic_filter = from_wire(
            &TRAFFIC_TYPES,
            &required(request.traffic_type, "traffic_type")?,
        )
        .ok_or_else(|| invalid("traffic_type"))?;
        let destination = LogDestination {
            group: uuid_field(request.log_group_id, "log_group_id")?,
            topic: uuid_field(request.log_topic_id, "log_topic_id")?,
        };
        Ok(NewFlowLog {
            name,
            description,
            resource_kind,
            resource_id,
            traffic_filter,
            traffic_paths: Vec::new(),
            aggregation_interval: None,
            ip_version: None,
            log_format: None,
            destination,
            index_enabled: request.index_enabled.unwrap_or(false),
            resource_group_id: None,
            tags: Vec::new(),
        })
    }
}

impl UpdateFlowLogRequestBody {
    /// The attribute changes and the wanted `admin_state`.
    pub fn into_changes(self) -> Result<(AttributeChanges, Option<bool>), HuaweiError> {
        let request = self.flow_log.ok_or_else(|| invalid(WRAPPER))?;
        let changes = AttributeChanges {
            name: check_name(request.name)?,
            description: check_description(request.description)?,
            ..Default::default()
        };
        Ok((changes, request.admin_state))
    }
}

/// The list query: every filter an exact match, `limit` (default 2000) and `marker`.
pub fn parse_list_query(
    scope: &TenantScope,
    query: Option<&str>,
) -> Result<(FlowLogFilter, Page), HuaweiError> {
    let mut filter = FlowLogFilter::default();
    let mut limit = None;
    let mut marker = None;
    let mut seen_status = false;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let value = value.into_owned();
        match key.as_ref() {
            "id" => filter.ids.push(value),
            "name" => filter.names.push(value),
            "description" => filter.descriptions.push(value),
            "tenant_id" => filter.matches_nothing |= value != scope.tenant_id(),
            "resource_type" => filter.resource_kinds.push(
                from_wire(&RESOURCE_TYPES, &value)
                    .ok_or_else(|| invalid_list_param("resource_type"))?,
            ),
            "resource_id" => filter.resource_ids.push(value),
            "traffic_type" => filter.traffic_filters.push(
                from_wire(&TRAFFIC_TYPES, &value)
                    .ok_or_else(|| invalid_list_param("traffic_type"))?,
            ),
            "log_group_id" => filter.groups.push(value),
            "log_topic_id" => filter.topics.push(value),
            "log_store_type" if value == LOG_STORE_TYPE => {}
            "log_store_type" => return Err(invalid_list_param("log_store_type")),
            "status" => {
                let (statuses, delivering) =
                    statuses_named(&value).ok_or_else(|| invalid_list_param("status"))?;
                filter.statuses.extend(statuses);
                // Several statuses are alternatives: the destination then matters no more.
                filter.delivering = match seen_status {
                    false => delivering,
                    true if filter.delivering == delivering => delivering,
                    true => None,
                };
                seen_status = true;
            }
            "limit" => {
                let parsed = value
                    .parse::<u32>()
                    .ok()
                    .filter(|l| i32::try_from(*l).is_ok());
                match (limit, parsed) {
                    (None, Some(parsed)) => limit = Some(parsed),
                    _ => return Err(invalid_list_param("limit")),
                }
            }
            "marker" if marker.is_none() => marker = Some(value),
            "marker" => return Err(invalid_list_param("marker")),
            // Huawei ignores query parameters it does not know.
            _ => {}
        }
    }
    // Neutron reads a limit of 0 as "no explicit limit".
    let limit = limit.filter(|l| *l > 0).unwrap_or(DEFAULT_LIST_LIMIT);
    Ok((filter, Page::AfterMarker { marker, limit }))
}

/// `FlowLogResp`, with the exact JSON types the Go and Python SDK models expect.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlowLogResp<'a> {
    id: &'a str,
    name: &'a str,
    tenant_id: &'a str,
    description: &'a str,
    resource_type: &'static str,
    resource_id: &'a str,
    traffic_type: &'static str,
    log_group_id: &'a str,
    log_topic_id: &'a str,
    log_store_type: &'static str,
    index_enabled: bool,
    created_at: HuaweiTime,
    updated_at: HuaweiTime,
    admin_state: bool,
    status: &'static str,
}

/// A UTC time as Huawei writes it: no zone, no fraction. Serialised straight into the output.
#[derive(Debug)]
pub struct HuaweiTime(pub DateTime<Utc>);

impl utoipa::PartialSchema for HuaweiTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .description(Some("UTC, no zone, no fraction: 2024-01-02T03:04:05."))
            .examples(["2024-01-02T03:04:05"])
            .into()
    }
}

impl utoipa::ToSchema for HuaweiTime {
    fn name() -> std::borrow::Cow<'static, str> {
        "HuaweiTime".into()
    }
}

impl Serialize for HuaweiTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format("%Y-%m-%dT%H:%M:%S"))
    }
}

impl<'a> From<&'a FlowLog> for FlowLogResp<'a> {
    fn from(flow_log: &'a FlowLog) -> Self {
        let spec = &flow_log.spec;
        FlowLogResp {
            id: flow_log.id.as_str(),
            name: spec.name.as_deref().unwrap_or_default(),
            tenant_id: flow_log.scope.tenant_id(),
            description: spec.description.as_deref().unwrap_or_default(),
            resource_type: wire_name(&RESOURCE_TYPES, spec.resource_kind),
            resource_id: &spec.resource_id,
            traffic_type: wire_name(&TRAFFIC_TYPES, spec.traffic_filter),
            log_group_id: &spec.destination.group,
            log_topic_id: &spec.destination.topic,
            log_store_type: LOG_STORE_TYPE,
            index_enabled: spec.index_enabled,
            created_at: HuaweiTime(flow_log.created_at),
            updated_at: HuaweiTime(flow_log.updated_at),
            admin_state: flow_log.status.is_enabled(),
            status: status_name(flow_log.status, flow_log.delivery),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlowLogBody<'a> {
    pub flow_log: FlowLogResp<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlowLogsBody<'a> {
    pub flow_logs: Vec<FlowLogResp<'a>>,
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::{ResourceKind, TrafficFilter};
    use crate::huawei::vpc::extract::typed_body;

    const LOG_GROUP: &str = "05b1c9a6-9b0e-4c5f-8f3a-1d2e3f4a5b6c";
    const LOG_TOPIC: &str = "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

    fn valid_create() -> Value {
        json!({"flow_log": {
            "name": "fl-1", "description": "demo", "resource_type": "port",
            "resource_id": "a1b2c3d4-0000-4000-8000-000000000001", "traffic_type": "all",
            "log_group_id": "05b1c9a6-9b0e-4c5f-8f3a-1d2e3f4a5b6c", "log_topic_id": "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d"}})
    }

    fn message(err: HuaweiError) -> String {
        err.message().to_owned()
    }

    fn parse_create(body: &Value) -> Result<NewFlowLog, HuaweiError> {
        typed_body::<CreateFlowLogRequestBody>(body.clone())?.into_spec()
    }

    fn parse_update(body: &Value) -> Result<(AttributeChanges, Option<bool>), HuaweiError> {
        typed_body::<UpdateFlowLogRequestBody>(body.clone())?.into_changes()
    }

    #[test]
    fn a_valid_create_parses_into_the_domain() {
        let spec = parse_create(&valid_create()).unwrap();
        assert_eq!(spec.resource_kind, ResourceKind::NetworkInterface);
        assert_eq!(spec.traffic_filter, TrafficFilter::All);
        assert_eq!(spec.name.as_deref(), Some("fl-1"));
        assert!(!spec.index_enabled);
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            ("resource_type", json!("subnet")),
            ("resource_type", json!(null)),
            ("traffic_type", json!("ALL")),
            ("log_group_id", json!("not-a-uuid")),
            ("log_topic_id", json!(12)),
            ("resource_id", json!("")),
            ("resource_id", json!("has space")),
            ("name", json!("x".repeat(65))),
            ("name", json!("bad/name")),
            ("name", json!(5)),
            ("description", json!("<script>")),
            ("description", json!("d".repeat(256))),
            ("index_enabled", json!("yes")),
        ];
        for (field, value) in cases {
            let mut body = valid_create();
            body["flow_log"][field] = value.clone();
            if value.is_null() {
                body["flow_log"].as_object_mut().unwrap().remove(field);
            }
            let err = parse_create(&body).unwrap_err();
            assert_eq!(err.code(), "VPC.3001", "{field}={value}");
            assert_eq!(
                message(err),
                format!("{field} is invalid"),
                "{field}={value}"
            );
        }
    }

    #[test]
    fn names_allow_chinese_and_the_documented_punctuation() {
        let mut body = valid_create();
        body["flow_log"]["name"] = json!("流日志_a-b.c");
        assert_eq!(
            parse_create(&body).unwrap().name.as_deref(),
            Some("流日志_a-b.c")
        );
        body["flow_log"]["name"] = json!("日".repeat(64));
        assert!(
            parse_create(&body).is_ok(),
            "64 characters, more bytes, is still fine"
        );
    }

    #[test]
    fn a_missing_wrapper_is_named() {
        for body in [
            json!({}),
            json!({"flow_log": "x"}),
            json!([1]),
            json!(null),
            json!({"flow_log": ["n", "d", "port", "r", "all", LOG_GROUP, LOG_TOPIC]}),
            json!([{"name": "n"}]),
        ] {
            assert_eq!(
                message(parse_create(&body).unwrap_err()),
                "flow_log is invalid"
            );
        }
    }

    #[test]
    fn update_takes_only_its_three_fields() {
        let (changes, admin) = parse_update(
            &json!({"flow_log": {"name": "n", "admin_state": false, "resource_type": "vpc"}}),
        )
        .unwrap();
        assert_eq!(changes.name.as_deref(), Some("n"));
        assert_eq!(changes.description, None);
        assert_eq!(admin, Some(false));
        assert_eq!(
            parse_update(&json!({"flow_log": {"admin_state": "false"}}))
                .unwrap_err()
                .code(),
            "VPC.3001"
        );
    }

    #[test]
    fn list_query_parses_filters_and_paging() {
        let scope = TenantScope::huawei_project("p1");
        let (filter, page) = parse_list_query(
            &scope,
            Some("resource_type=port&status=DOWN&limit=10&marker=m1&name=a%20b"),
        )
        .unwrap();
        assert_eq!(filter.resource_kinds, vec![ResourceKind::NetworkInterface]);
        assert_eq!(
            filter.statuses,
            vec![Status::Deactivating, Status::Inactive, Status::Deleting]
        );
        assert_eq!(filter.names, vec!["a b".to_owned()]);
        assert_eq!(
            page,
            Page::AfterMarker {
                marker: Some("m1".into()),
                limit: 10
            }
        );
        let (_, page) = parse_list_query(&scope, None).unwrap();
        assert_eq!(
            page,
            Page::AfterMarker {
                marker: None,
                limit: 2000
            }
        );
    }

    #[test]
    fn bad_list_params_are_the_documented_404() {
        let scope = TenantScope::huawei_project("p1");
        for (query, param) in [
            ("limit=abc", "limit"),
            ("limit=-1", "limit"),
            ("limit=2147483648", "limit"),
            ("limit=1&limit=2", "limit"),
            ("resource_type=subnet", "resource_type"),
            ("traffic_type=x", "traffic_type"),
            ("status=BOGUS", "status"),
            ("log_store_type=sls", "log_store_type"),
        ] {
            let err = parse_list_query(&scope, Some(query)).unwrap_err();
            assert_eq!(err.status(), axum::http::StatusCode::NOT_FOUND, "{query}");
            assert_eq!(
                message(err),
                format!("resource could not be found, {param} is invalid"),
                "{query}"
            );
        }
    }

    #[test]
    fn filters_that_can_match_nothing_say_so() {
        let scope = TenantScope::huawei_project("p1");
        let (errors, _) = parse_list_query(&scope, Some("status=ERROR")).unwrap();
        assert_eq!(errors.delivering, Some(false));
        assert!(errors.statuses.iter().all(|s| s.is_enabled()));
        let (either, _) = parse_list_query(&scope, Some("status=ERROR&status=ACTIVE")).unwrap();
        assert_eq!(either.delivering, None);
        assert!(
            parse_list_query(&scope, Some("tenant_id=other"))
                .unwrap()
                .0
                .matches_nothing
        );
        assert!(
            !parse_list_query(&scope, Some("tenant_id=p1"))
                .unwrap()
                .0
                .matches_nothing
        );
    }
}
