//! Where flow logs deliver: Huawei LTS log groups and streams, Alibaba SLS projects and
//! logstores; a group's streams, and a stream's records and the flow logs delivering to it.

use axum::extract::State;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::flow_logs::{flow_log_table, latest_records, records_table};
use super::html::{self, empty_row, href, kind_label, or_dash, provider_select, scope_of, Section};
use super::{
    flow_logs_where, given, page_size, provider_filter, provider_named, required, ConsoleError,
    Params, DESTINATIONS, LOG_GROUP, LOG_STREAM,
};
use crate::domain::destination::{LogContainerFilter, NewLogContainer};
use crate::domain::{DomainError, FlowLogFilter, Provider, TenantScope, Visibility};
use crate::state::AppState;

/// The most streams, flow logs or records a group's or stream's page lists.
const RELATED_SHOWN: u32 = 200;
const RECORDS_SHOWN: u32 = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsQuery {
    provider: Option<String>,
    tenant: Option<String>,
    offset: Option<u64>,
    limit: Option<u32>,
}

pub async fn groups(
    State(state): State<AppState>,
    Params(query): Params<GroupsQuery>,
) -> Result<Response, ConsoleError> {
    let provider = provider_filter(&query.provider)?;
    let limit = page_size(query.limit)?;
    let offset = query.offset.unwrap_or(0);
    let visibility = Visibility::Any {
        provider,
        tenant_id: given(&query.tenant),
        region_id: None,
    };
    let (groups, total) = state
        .destinations
        .groups_any(visibility, &LogContainerFilter::default(), offset, limit)
        .await?;
    let controls = html! {
        form #filter method="get" action=(DESTINATIONS) {
            (provider_select(provider))
            label { "Tenant " input name="tenant" value=[given(&query.tenant)] size="20"; }
            button type="submit" { "Filter" }
        }
    };
    let next_offset = offset + groups.len() as u64;
    let data = html! {
        p { (total) " in all." }
        table #log-groups {
            thead { tr {
                th scope="col" { "Provider" } th scope="col" { "Tenant" } th scope="col" { "Region" }
                th scope="col" { "Kind" } th scope="col" { "Id" } th scope="col" { "Name" }
                th scope="col" { "Description" } th scope="col" { "Keeps records" } th scope="col" { "Created" }
            } }
            tbody {
                @for group in &groups {
                    @let provider = group.scope.provider().as_str();
                    tr data-id=(group.id) {
                        td { (provider) }
                        td { (group.scope.tenant_id()) }
                        td { (or_dash(Some(group.scope.region_id()))) }
                        td { (kind_label(provider, "log_group")) }
                        td { a href=(href(LOG_GROUP, &[("provider", provider), ("tenant", group.scope.tenant_id()), ("region", group.scope.region_id()), ("id", &group.id)])) { (group.id) } }
                        td.name { (group.spec.name) }
                        td { (or_dash(group.spec.description.as_deref())) }
                        td { (ttl(&group.spec)) }
                        td { (html::time(group.created_at)) }
                    }
                }
                @if groups.is_empty() { (empty_row(9, "No log group or project is stored.")) }
            }
        }
        nav.pages aria-label="Pages" {
            @if next_offset < total {
                a #next-page rel="next" href=(href(DESTINATIONS, &[
                    ("provider", given(&query.provider).unwrap_or("")),
                    ("tenant", given(&query.tenant).unwrap_or("")),
                    ("offset", &next_offset.to_string()),
                ])) { "Next page" }
            }
        }
    };
    Ok(html::page(
        "Destinations",
        Section::Destinations,
        controls,
        data,
    ))
}

/// The tenant scope a group's or stream's page names (a Huawei project has no region).
fn scope_named(
    provider: &Option<String>,
    tenant: &Option<String>,
    region: &Option<String>,
) -> Result<(Provider, TenantScope), ConsoleError> {
    let provider = provider_named(provider)?;
    let tenant = required(tenant, "tenant")?;
    Ok((
        provider,
        scope_of(provider, tenant, given(region).unwrap_or("")),
    ))
}

/// A lookup's failure: the database's own, or else that the container is not there.
fn not_found(err: DomainError, message: String) -> ConsoleError {
    match err {
        DomainError::Storage(_) => ConsoleError::Domain(err),
        _ => ConsoleError::NotFound(message),
    }
}

fn ttl(spec: &NewLogContainer) -> String {
    spec.ttl_days
        .map_or_else(|| "—".to_owned(), |days| format!("{days} days"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupQuery {
    provider: Option<String>,
    tenant: Option<String>,
    region: Option<String>,
    id: Option<String>,
}

pub async fn group(
    State(state): State<AppState>,
    Params(query): Params<GroupQuery>,
) -> Result<Response, ConsoleError> {
    let (provider, scope) = scope_named(&query.provider, &query.tenant, &query.region)?;
    let id = required(&query.id, "id")?;
    let group = state
        .destinations
        .group(&scope, id)
        .await
        .map_err(|err| not_found(err, format!("no {} log group {id:?}", provider.as_str())))?;
    let (streams, _) = state
        .destinations
        .streams(
            &scope,
            Some(id),
            &LogContainerFilter::default(),
            0,
            RELATED_SHOWN,
        )
        .await?;
    let delivering = FlowLogFilter {
        groups: vec![group.id.clone()],
        ..Default::default()
    };
    let flow_logs = flow_logs_where(
        &state,
        Visibility::Tenant(&scope),
        delivering,
        RELATED_SHOWN,
    )
    .await?;
    let p = provider.as_str();
    let title = format!("{} {}", kind_label(p, "log_group"), group.spec.name);
    let data = html! {
        (container_settings(&scope, &group.id, &group.spec))
        (html::tags_table(&group.spec.tags))
        section aria-labelledby="streams-title" {
            h2 #streams-title { "Its " (kind_label(p, "log_stream")) "s" }
            table #log-streams {
                thead { tr {
                    th scope="col" { "Id" } th scope="col" { "Name" } th scope="col" { "Description" }
                    th scope="col" { "Keeps records" } th scope="col" { "Created" }
                } }
                tbody {
                    @for stream in &streams {
                        tr data-id=(stream.id) {
                            td { a href=(href(LOG_STREAM, &[("provider", p), ("tenant", scope.tenant_id()), ("region", scope.region_id()), ("group", &group.id), ("id", &stream.id)])) { (stream.id) } }
                            td.name { (stream.spec.name) }
                            td { (or_dash(stream.spec.description.as_deref())) }
                            td { (ttl(&stream.spec)) }
                            td { (html::time(stream.created_at)) }
                        }
                    }
                    @if streams.is_empty() { (empty_row(5, "It holds no stream.")) }
                }
            }
        }
        section aria-labelledby="delivering-title" {
            h2 #delivering-title { "Flow logs delivering to it" }
            (flow_log_table(&flow_logs, "No flow log delivers to it."))
        }
    };
    Ok(html::page(&title, Section::Destinations, html! {}, data))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    provider: Option<String>,
    tenant: Option<String>,
    region: Option<String>,
    group: Option<String>,
    id: Option<String>,
}

pub async fn stream(
    State(state): State<AppState>,
    Params(query): Params<StreamQuery>,
) -> Result<Response, ConsoleError> {
    let (provider, scope) = scope_named(&query.provider, &query.tenant, &query.region)?;
    let group_id = required(&query.group, "group")?;
    let id = required(&query.id, "id")?;
    let stream = state
        .destinations
        .stream(&scope, group_id, id)
        .await
        .map_err(|err| {
            not_found(
                err,
                format!("no {} log stream {id:?} in {group_id:?}", provider.as_str()),
            )
        })?;
    let records = latest_records(&state, &scope, Some((group_id, id)), None, RECORDS_SHOWN).await?;
    let delivering = FlowLogFilter {
        groups: vec![group_id.to_owned()],
        topics: vec![id.to_owned()],
        ..Default::default()
    };
    let flow_logs = flow_logs_where(
        &state,
        Visibility::Tenant(&scope),
        delivering,
        RELATED_SHOWN,
    )
    .await?;
    let p = provider.as_str();
    let title = format!("{} {}", kind_label(p, "log_stream"), stream.spec.name);
    let group_link = href(
        LOG_GROUP,
        &[
            ("provider", p),
            ("tenant", scope.tenant_id()),
            ("region", scope.region_id()),
            ("id", group_id),
        ],
    );
    let data = html! {
        p { "In " (kind_label(p, "log_group")) " " a href=(group_link) { (group_id) } "." }
        (container_settings(&scope, &stream.id, &stream.spec))
        (html::tags_table(&stream.spec.tags))
        section aria-labelledby="delivering-title" {
            h2 #delivering-title { "Flow logs delivering to it" }
            (flow_log_table(&flow_logs, "No flow log delivers to it."))
        }
        section aria-labelledby="records-title" {
            h2 #records-title { "Latest records" }
            (records_table(&records))
        }
    };
    Ok(html::page(&title, Section::Destinations, html! {}, data))
}

fn container_settings(scope: &TenantScope, id: &str, spec: &NewLogContainer) -> maud::Markup {
    let attributes = serde_json::to_string(&spec.attributes).unwrap_or_default();
    html! {
        dl #settings.settings {
            div { dt { "Provider" } dd { (scope.provider().as_str()) } }
            div { dt { "Tenant" } dd { (scope.tenant_id()) } }
            div { dt { "Region" } dd { (or_dash(Some(scope.region_id()))) } }
            div { dt { "Id" } dd { (id) } }
            div { dt { "Name" } dd { (spec.name) } }
            div { dt { "Description" } dd { (or_dash(spec.description.as_deref())) } }
            div { dt { "Keeps records" } dd { (ttl(spec)) } }
            div { dt { "Attributes" } dd { code { (attributes) } } }
        }
    }
}
