//! The provider-neutral view of stored flow logs that `GET /_flowplane/flow-logs` returns.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::domain::{waits_for_tick, FlowLog};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlowLogView<'a> {
    provider: &'static str,
    tenant_id: &'a str,
    region_id: &'a str,
    id: &'a str,
    name: Option<&'a str>,
    description: Option<&'a str>,
    resource_kind: &'static str,
    resource_id: &'a str,
    traffic_filter: &'static str,
    traffic_paths: &'a [String],
    aggregation_interval: Option<u32>,
    ip_version: Option<&'a str>,
    log_format: Option<&'a str>,
    destination: DestinationView<'a>,
    index_enabled: bool,
    resource_group_id: Option<&'a str>,
    status: &'static str,
    /// When its transition completes; `null` when settled, or when only a tick completes it.
    due_at: Option<String>,
    /// Whether its transition waits for `tick?all=true` (a `manual` setting, a `stuck` rule).
    waits_for_tick: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct DestinationView<'a> {
    group: &'a str,
    topic: &'a str,
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl<'a> From<&'a FlowLog> for FlowLogView<'a> {
    fn from(flow_log: &'a FlowLog) -> Self {
        let spec = &flow_log.spec;
        FlowLogView {
            provider: flow_log.scope.provider().as_str(),
            tenant_id: flow_log.scope.tenant_id(),
            region_id: flow_log.scope.region_id(),
            id: flow_log.id.as_str(),
            name: spec.name.as_deref(),
            description: spec.description.as_deref(),
            resource_kind: spec.resource_kind.as_str(),
            resource_id: &spec.resource_id,
            traffic_filter: spec.traffic_filter.as_str(),
            traffic_paths: &spec.traffic_paths,
            aggregation_interval: spec.aggregation_interval,
            ip_version: spec.ip_version.as_deref(),
            log_format: spec.log_format.as_deref(),
            destination: DestinationView {
                group: &spec.destination.group,
                topic: &spec.destination.topic,
            },
            index_enabled: spec.index_enabled,
            resource_group_id: spec.resource_group_id.as_deref(),
            status: flow_log.status.as_str(),
            due_at: flow_log
                .due_at
                .filter(|due| !waits_for_tick(*due))
                .map(rfc3339),
            waits_for_tick: flow_log.due_at.is_some_and(waits_for_tick),
            created_at: rfc3339(flow_log.created_at),
            updated_at: rfc3339(flow_log.updated_at),
        }
    }
}
