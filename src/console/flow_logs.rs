//! Flow logs of both clouds in one table (filtered, paged by keyset, so page 20,000 of a million
//! rows costs what page one does), and a flow log's own page: its settings, tags, its
//! resource's place in the network, its destination and its latest records.

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;

use super::html::{self, empty_row, href, kind_label, or_dash, provider_select, Section};
use super::{
    any_tenant_of, flow_logs_where, given, has_more, keyset_page, page_size, provider_filter, ById,
    ConsoleError, Params, FLOW_LOG, FLOW_LOGS, LOG_STREAM, NETWORK_RESOURCE,
};
use crate::domain::network::NetworkResource;
use crate::domain::records::FlowRecord;
use crate::domain::repository::RecordSelection;
use crate::domain::{FlowLog, FlowLogFilter, Provider, Status, TenantScope, Visibility};
use crate::state::AppState;

/// How many of a flow log's records its page shows (the newest).
const RECORDS_SHOWN: u32 = 20;
/// How far up the network a placement walks (interface → subnet → VPC).
const PLACEMENT_DEPTH: usize = 3;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    provider: Option<String>,
    tenant: Option<String>,
    region: Option<String>,
    status: Option<String>,
    resource: Option<String>,
    /// The id of the last row of the previous page.
    after: Option<String>,
    limit: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    Params(query): Params<ListQuery>,
) -> Result<Response, ConsoleError> {
    let provider = provider_filter(&query.provider)?;
    let limit = page_size(query.limit)?;
    let mut filter = FlowLogFilter::default();
    if let Some(status) = given(&query.status) {
        let status = Status::parse(status).ok_or_else(|| {
            ConsoleError::BadRequest(format!("status {status:?} is not a flow-log status"))
        })?;
        filter.statuses.push(status);
    }
    if let Some(resource) = given(&query.resource) {
        filter.resource_ids.push(resource.to_owned());
    }
    let visibility = Visibility::Any {
        provider,
        tenant_id: given(&query.tenant),
        region_id: given(&query.region),
    };
    let page = keyset_page(&query.after, limit);
    let mut flow_logs = state.flow_logs.list_all(visibility, &filter, &page).await?;
    let more = has_more(&mut flow_logs, limit);

    let selected_status = given(&query.status).and_then(Status::parse);
    let controls = html! {
        form #filter method="get" action=(FLOW_LOGS) {
            (provider_select(provider))
            label { "Tenant " input name="tenant" value=[given(&query.tenant)] size="20"; }
            label { "Region " input name="region" value=[given(&query.region)] size="14"; }
            label {
                "Status "
                select name="status" {
                    option value="" selected[selected_status.is_none()] { "any" }
                    @for status in Status::ALL {
                        option value=(status.as_str()) selected[selected_status == Some(status)] { (status.as_str()) }
                    }
                }
            }
            label { "Resource " input name="resource" value=[given(&query.resource)] size="24"; }
            button type="submit" { "Filter" }
            " "
            a href=(FLOW_LOGS) { "Clear" }
        }
    };
    let next = flow_logs.last().filter(|_| more).map(|last| {
        href(
            FLOW_LOGS,
            &[
                ("provider", given(&query.provider).unwrap_or("")),
                ("tenant", given(&query.tenant).unwrap_or("")),
                ("region", given(&query.region).unwrap_or("")),
                ("status", given(&query.status).unwrap_or("")),
                ("resource", given(&query.resource).unwrap_or("")),
                ("after", last.id.as_str()),
                (
                    "limit",
                    &query.limit.map(|l| l.to_string()).unwrap_or_default(),
                ),
            ],
        )
    });
    let data = html! {
        (flow_log_table(&flow_logs, "No flow log matches."))
        nav.pages aria-label="Pages" {
            @if given(&query.after).is_some() { a href=(FLOW_LOGS) { "First page" } " " }
            @if let Some(next) = next { a #next-page href=(next) rel="next" { "Next page" } }
        }
    };
    Ok(html::page("Flow logs", Section::FlowLogs, controls, data))
}

/// Flow logs as the browse table has them; also on network and destination pages.
pub fn flow_log_table(flow_logs: &[FlowLog], empty: &str) -> Markup {
    html! {
        table #flow-logs {
            thead { tr {
                th scope="col" { "Provider" } th scope="col" { "Tenant" } th scope="col" { "Region" }
                th scope="col" { "Id" } th scope="col" { "Name" } th scope="col" { "Resource" }
                th scope="col" { "Destination" } th scope="col" { "Status" } th scope="col" { "Delivery" }
            } }
            tbody {
                @for flow_log in flow_logs {
                    @let provider = flow_log.scope.provider().as_str();
                    tr data-id=(flow_log.id.as_str()) data-provider=(provider) {
                        td.provider { (provider) }
                        td.tenant { (flow_log.scope.tenant_id()) }
                        td.region { (or_dash(Some(flow_log.scope.region_id()))) }
                        td.id { a href=(flow_log_link(flow_log)) { (flow_log.id.as_str()) } }
                        td.name { (or_dash(flow_log.spec.name.as_deref())) }
                        td.resource {
                            (kind_label(provider, flow_log.spec.resource_kind.as_str())) " "
                            a href=(href(NETWORK_RESOURCE, &[("provider", provider), ("id", &flow_log.spec.resource_id)])) {
                                (flow_log.spec.resource_id)
                            }
                        }
                        td.destination { a href=(stream_link(flow_log)) { (destination_text(flow_log)) } }
                        td.status data-status=(flow_log.status.as_str()) { (flow_log.status.as_str()) }
                        td.delivery { (delivery_text(flow_log)) }
                    }
                }
                @if flow_logs.is_empty() { (empty_row(9, empty)) }
            }
        }
    }
}

pub fn flow_log_link(flow_log: &FlowLog) -> String {
    href(
        FLOW_LOG,
        &[
            ("provider", flow_log.scope.provider().as_str()),
            ("id", flow_log.id.as_str()),
        ],
    )
}

fn stream_link(flow_log: &FlowLog) -> String {
    let scope = &flow_log.scope;
    href(
        LOG_STREAM,
        &[
            ("provider", scope.provider().as_str()),
            ("tenant", scope.tenant_id()),
            ("region", scope.region_id()),
            ("group", &flow_log.spec.destination.group),
            ("id", &flow_log.spec.destination.topic),
        ],
    )
}

fn destination_text(flow_log: &FlowLog) -> String {
    let destination = &flow_log.spec.destination;
    format!("{} / {}", destination.group, destination.topic)
}

fn delivery_text(flow_log: &FlowLog) -> &'static str {
    use crate::domain::destination::Delivery;
    match flow_log.delivery {
        Delivery::Delivering => "delivering",
        Delivery::GroupMissing => "no such group",
        Delivery::StreamMissing => "no such stream",
        Delivery::Faulted(fault) => fault.as_str(),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    Params(query): Params<ById>,
) -> Result<Response, ConsoleError> {
    let (provider, id) = query.target()?;
    let flow_log = find(&state, provider, id).await?.ok_or_else(|| {
        ConsoleError::NotFound(format!("no {} flow log {id:?}", provider.as_str()))
    })?;
    let placement = placement(&state, &flow_log.scope, &flow_log.spec.resource_id).await?;
    let records = latest_records(
        &state,
        &flow_log.scope,
        None,
        Some(flow_log.id.as_str()),
        RECORDS_SHOWN,
    )
    .await?;
    let spec = &flow_log.spec;
    let title = spec.name.clone().unwrap_or_else(|| flow_log.id.to_string());
    let now = chrono::Utc::now();
    let data = html! {
        section aria-labelledby="settings-title" {
            h2 #settings-title { "Settings" }
            dl #settings.settings {
                div { dt { "Provider" } dd { (provider.as_str()) } }
                div { dt { "Tenant" } dd { (flow_log.scope.tenant_id()) } }
                div { dt { "Region" } dd { (or_dash(Some(flow_log.scope.region_id()))) } }
                div { dt { "Id" } dd { (flow_log.id.as_str()) } }
                div { dt { "Name" } dd { (or_dash(spec.name.as_deref())) } }
                div { dt { "Description" } dd { (or_dash(spec.description.as_deref())) } }
                div { dt { "Status" } dd.status { (flow_log.status.as_str()) } }
                @if let Some(due) = flow_log.due_at {
                    div { dt { "Due" } dd { (html::due(due, now)) } }
                }
                div { dt { "Delivery" } dd { (delivery_text(&flow_log)) } }
                div { dt { "Resource" } dd { (kind_label(provider.as_str(), spec.resource_kind.as_str())) " " (spec.resource_id) } }
                div { dt { "Traffic" } dd { (spec.traffic_filter.as_str()) } }
                div { dt { "Traffic paths" } dd { (or_dash(Some(&spec.traffic_paths.join(", ")))) } }
                div { dt { "Aggregation interval" } dd { (spec.aggregation_interval.map_or_else(|| "—".to_owned(), |s| format!("{s} s"))) } }
                div { dt { "IP version" } dd { (or_dash(spec.ip_version.as_deref())) } }
                div { dt { "Log format" } dd { (or_dash(spec.log_format.as_deref())) } }
                div { dt { "Index enabled" } dd { (spec.index_enabled) } }
                div { dt { "Resource group" } dd { (or_dash(spec.resource_group_id.as_deref())) } }
                div { dt { "Created" } dd { (html::time(flow_log.created_at)) } }
                div { dt { "Updated" } dd { (html::time(flow_log.updated_at)) } }
                div { dt { "Active since" } dd { (flow_log.active_since.map_or_else(|| "—".to_owned(), html::time)) } }
                div { dt { "Records through" } dd { (flow_log.records_through.map_or_else(|| "—".to_owned(), html::time)) } }
            }
        }
        (html::tags_table(&spec.tags))
        section aria-labelledby="placement-title" {
            h2 #placement-title { "Place in the network" }
            (placement_list(provider, &placement, &spec.resource_id))
        }
        section #destination aria-labelledby="destination-title" {
            h2 #destination-title { "Destination" }
            p {
                (kind_label(provider.as_str(), "log_group")) " " code { (spec.destination.group) }
                ", " (kind_label(provider.as_str(), "log_stream")) " "
                a href=(stream_link(&flow_log)) { code { (spec.destination.topic) } }
                " — " (delivery_text(&flow_log))
            }
        }
        section aria-labelledby="records-title" {
            h2 #records-title { "Latest records" }
            (records_table(&records))
        }
    };
    Ok(html::page(&title, Section::FlowLogs, html! {}, data))
}

/// The flow log of this provider with this id, whichever tenant holds it.
async fn find(
    state: &AppState,
    provider: Provider,
    id: &str,
) -> Result<Option<FlowLog>, ConsoleError> {
    let filter = FlowLogFilter {
        ids: vec![id.to_owned()],
        ..Default::default()
    };
    let found = flow_logs_where(state, any_tenant_of(provider), filter, 1).await?;
    Ok(found.into_iter().next())
}

/// The resource with this id and the ones it lies in, outermost (the VPC) first.
pub async fn placement(
    state: &AppState,
    scope: &TenantScope,
    id: &str,
) -> Result<Vec<NetworkResource>, ConsoleError> {
    let mut chain = Vec::new();
    let mut next = Some(id.to_owned());
    while let Some(id) = next.take() {
        if chain.len() == PLACEMENT_DEPTH {
            break;
        }
        if let Some(resource) = state.network.find(scope, &id).await? {
            next = resource.parent_id.clone();
            chain.push(resource);
        }
    }
    chain.reverse();
    Ok(chain)
}

/// VPC → subnet/vSwitch → interface, as links; `missing` when the resource is not stored.
pub fn placement_list(provider: Provider, chain: &[NetworkResource], missing: &str) -> Markup {
    html! {
        ol #placement.placement {
            @for resource in chain {
                li data-id=(resource.id) {
                    (kind_label(provider.as_str(), resource.kind.as_str())) " "
                    a href=(href(NETWORK_RESOURCE, &[("provider", provider.as_str()), ("id", &resource.id)])) { (resource.id) }
                    @if let Some(name) = &resource.spec.name { " " span.name { (name) } }
                    @if let Some(cidr) = &resource.spec.cidr { " " code { (cidr.to_string()) } }
                    @if let Some(ip) = &resource.spec.private_ip { " " code { (ip.to_string()) } }
                }
            }
            @if chain.is_empty() {
                li.empty { "The resource " code { (missing) } " is not stored (a strict server would have refused it)." }
            }
        }
    }
}

/// The newest records of the scope's flow log or stream (group id, stream id).
pub async fn latest_records(
    state: &AppState,
    scope: &TenantScope,
    destination: Option<(&str, &str)>,
    flow_log_id: Option<&str>,
    limit: u32,
) -> Result<Vec<FlowRecord>, ConsoleError> {
    let selection = RecordSelection {
        visibility: Visibility::Tenant(scope),
        destination,
        flow_log_id,
        from: None,
        to: None,
    };
    Ok(state.records.read(selection, false, 0, limit).await?)
}

/// Records, newest first, with each cloud's own fields.
pub fn records_table(records: &[FlowRecord]) -> Markup {
    let fields: Vec<(&'static str, String)> =
        records.first().map(FlowRecord::fields).unwrap_or_default();
    html! {
        div.scroll { table #records {
            thead { tr {
                th scope="col" { "Time" }
                @for (name, _) in &fields { th scope="col" { (name) } }
            } }
            tbody {
                @for record in records {
                    tr {
                        td { (html::time(record.time())) }
                        @for (_, value) in record.fields() { td { (value) } }
                    }
                }
                @if records.is_empty() { (empty_row(1 + fields.len(), "No records yet: they come once the flow log is active and a capture window has ended (or generate them under Act).")) }
            }
        } }
    }
}
