//! VPCs, subnets (vSwitches) and interfaces (ports, ENIs) of both clouds: one table per kind,
//! paged by keyset, and a resource's page: where it lies, what lies in it, which flow logs
//! capture it.

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;

use super::flow_logs::{flow_log_table, placement, placement_list};
use super::html::{self, empty_row, href, kind_label, or_dash, provider_select, Section};
use super::{
    any_tenant_of, flow_logs_where, given, has_more, keyset_page, page_size, provider_filter, ById,
    ConsoleError, Params, NETWORK, NETWORK_RESOURCE,
};
use crate::domain::network::{NetworkFilter, NetworkResource};
use crate::domain::{FlowLogFilter, Page, Provider, ResourceKind, Visibility};
use crate::state::AppState;

/// The kinds, in the order the network nests them.
const KINDS: [ResourceKind; 3] = [
    ResourceKind::Vpc,
    ResourceKind::Subnet,
    ResourceKind::NetworkInterface,
];
/// The most children or flow logs a resource's page lists.
const RELATED_SHOWN: u32 = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    kind: Option<String>,
    provider: Option<String>,
    tenant: Option<String>,
    region: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    Params(query): Params<ListQuery>,
) -> Result<Response, ConsoleError> {
    let kind = match given(&query.kind) {
        None => ResourceKind::Vpc,
        Some(kind) => ResourceKind::parse(kind).ok_or_else(|| {
            ConsoleError::BadRequest(format!(
                "kind must be vpc, subnet or network_interface, not {kind:?}"
            ))
        })?,
    };
    let provider = provider_filter(&query.provider)?;
    let limit = page_size(query.limit)?;
    let visibility = Visibility::Any {
        provider,
        tenant_id: given(&query.tenant),
        region_id: given(&query.region),
    };
    let page = keyset_page(&query.after, limit);
    let mut resources = state
        .network
        .list_any(visibility, kind, &NetworkFilter::default(), &page)
        .await?;
    let more = has_more(&mut resources, limit);

    let filter_of = |kind: &str, after: &str| {
        href(
            NETWORK,
            &[
                ("kind", kind),
                ("provider", given(&query.provider).unwrap_or("")),
                ("tenant", given(&query.tenant).unwrap_or("")),
                ("region", given(&query.region).unwrap_or("")),
                ("after", after),
            ],
        )
    };
    let controls = html! {
        nav.tabs aria-label="Kinds" {
            @for each in KINDS {
                @if each == kind {
                    a href=(filter_of(each.as_str(), "")) aria-current="page" { (plural(each)) }
                } @else {
                    a href=(filter_of(each.as_str(), "")) { (plural(each)) }
                }
                " "
            }
        }
        form #filter method="get" action=(NETWORK) {
            input type="hidden" name="kind" value=(kind.as_str());
            (provider_select(provider))
            label { "Tenant " input name="tenant" value=[given(&query.tenant)] size="20"; }
            label { "Region " input name="region" value=[given(&query.region)] size="14"; }
            button type="submit" { "Filter" }
        }
    };
    let data = html! {
        (network_table("network", &resources, "Nothing of this kind is stored."))
        nav.pages aria-label="Pages" {
            @if let Some(last) = resources.last().filter(|_| more) {
                a #next-page href=(filter_of(kind.as_str(), &last.id)) rel="next" { "Next page" }
            }
        }
    };
    Ok(html::page(plural(kind), Section::Network, controls, data))
}

fn plural(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Vpc => "VPCs",
        ResourceKind::Subnet => "Subnets and vSwitches",
        ResourceKind::NetworkInterface => "Ports and ENIs",
    }
}

fn network_table(id: &str, resources: &[NetworkResource], empty: &str) -> Markup {
    html! {
        table id=(id) {
            thead { tr {
                th scope="col" { "Provider" } th scope="col" { "Tenant" } th scope="col" { "Region" }
                th scope="col" { "Kind" } th scope="col" { "Id" } th scope="col" { "Name" }
                th scope="col" { "Address" } th scope="col" { "In" } th scope="col" { "Status" }
            } }
            tbody {
                @for resource in resources {
                    @let provider = resource.scope.provider().as_str();
                    tr data-id=(resource.id) data-kind=(resource.kind.as_str()) {
                        td { (provider) }
                        td { (resource.scope.tenant_id()) }
                        td { (or_dash(Some(resource.scope.region_id()))) }
                        td { (kind_label(provider, resource.kind.as_str())) }
                        td { a href=(resource_link(resource)) { (resource.id) } }
                        td.name { (or_dash(resource.spec.name.as_deref())) }
                        td { (address(resource)) }
                        td {
                            @if let Some(parent) = &resource.parent_id {
                                a href=(href(NETWORK_RESOURCE, &[("provider", provider), ("id", parent)])) { (parent) }
                            } @else { "—" }
                        }
                        td.status { (resource.status.as_str()) }
                    }
                }
                @if resources.is_empty() { (empty_row(9, empty)) }
            }
        }
    }
}

fn resource_link(resource: &NetworkResource) -> String {
    href(
        NETWORK_RESOURCE,
        &[
            ("provider", resource.scope.provider().as_str()),
            ("id", &resource.id),
        ],
    )
}

fn address(resource: &NetworkResource) -> String {
    match (&resource.spec.cidr, &resource.spec.private_ip) {
        (Some(cidr), _) => cidr.to_string(),
        (None, Some(ip)) => ip.to_string(),
        (None, None) => "—".to_owned(),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    Params(query): Params<ById>,
) -> Result<Response, ConsoleError> {
    let (provider, id) = query.target()?;
    let resource = find(&state, provider, id).await?.ok_or_else(|| {
        ConsoleError::NotFound(format!("no {} network resource {id:?}", provider.as_str()))
    })?;
    let scope = &resource.scope;
    let chain = placement(&state, scope, &resource.id).await?;
    let children = match KINDS.iter().position(|kind| *kind == resource.kind) {
        Some(at) if at + 1 < KINDS.len() => {
            state
                .network
                .children(scope, KINDS[at + 1], vec![resource.id.clone()])
                .await?
        }
        _ => Vec::new(),
    };
    let capturing = FlowLogFilter {
        resource_ids: vec![resource.id.clone()],
        ..Default::default()
    };
    let flow_logs =
        flow_logs_where(&state, Visibility::Tenant(scope), capturing, RELATED_SHOWN).await?;
    let spec = &resource.spec;
    let label = kind_label(provider.as_str(), resource.kind.as_str());
    let title = format!(
        "{label} {}",
        spec.name.as_deref().unwrap_or(resource.id.as_str())
    );
    let attributes = serde_json::to_string(&spec.attributes).unwrap_or_default();
    let data = html! {
        dl #settings.settings {
            div { dt { "Provider" } dd { (provider.as_str()) } }
            div { dt { "Tenant" } dd { (scope.tenant_id()) } }
            div { dt { "Region" } dd { (or_dash(Some(scope.region_id()))) } }
            div { dt { "Id" } dd { (resource.id) } }
            div { dt { "Name" } dd { (or_dash(spec.name.as_deref())) } }
            div { dt { "Description" } dd { (or_dash(spec.description.as_deref())) } }
            div { dt { "Status" } dd.status { (resource.status.as_str()) } }
            div { dt { "Address" } dd { (address(&resource)) } }
            @if let Some(gateway) = &spec.gateway_ip { div { dt { "Gateway" } dd { (gateway.to_string()) } } }
            @if let Some(mac) = &resource.mac_address { div { dt { "MAC address" } dd { (mac) } } }
            div { dt { "Zone" } dd { (or_dash(spec.zone.as_deref())) } }
            div { dt { "Resource group" } dd { (or_dash(spec.resource_group_id.as_deref())) } }
            div { dt { "Created" } dd { (html::time(resource.created_at)) } }
            div { dt { "Attributes" } dd { code { (attributes) } } }
        }
        (html::tags_table(&spec.tags))
        section aria-labelledby="placement-title" {
            h2 #placement-title { "Place in the network" }
            (placement_list(provider, &chain, &resource.id))
        }
        section aria-labelledby="children-title" {
            h2 #children-title { "What lies in it" }
            (network_table("children", &children, "Nothing lies in it."))
        }
        section aria-labelledby="capturing-title" {
            h2 #capturing-title { "Flow logs capturing it" }
            (flow_log_table(&flow_logs, "No flow log captures it."))
        }
    };
    Ok(html::page(&title, Section::Network, html! {}, data))
}

/// The network resource of this provider with this id, of whichever kind and tenant.
async fn find(
    state: &AppState,
    provider: Provider,
    id: &str,
) -> Result<Option<NetworkResource>, ConsoleError> {
    let filter = NetworkFilter {
        ids: vec![id.to_owned()],
        ..Default::default()
    };
    let page = Page::Offset {
        offset: 0,
        limit: 1,
    };
    for kind in KINDS {
        let found = state
            .network
            .list_any(any_tenant_of(provider), kind, &filter, &page)
            .await?;
        if let Some(resource) = found.into_iter().next() {
            return Ok(Some(resource));
        }
    }
    Ok(None)
}
