//! The overview: what each provider's tenants hold by kind and status, the transitions still
//! pending and when they are due, the fault rules in force, and the requests of the last minute.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use maud::{html, Markup};

use super::act::rules_table;
use super::html::{self, empty_row, href, kind_label, Section};
use super::{ConsoleError, ACT, DESTINATIONS, FLOW_LOGS, NETWORK, REQUESTS};
use crate::domain::faults::FaultRule;
use crate::domain::PendingTransition;
use crate::state::AppState;

/// (provider, tenant) → kind → [(status, count)], in a stable order.
/// Kinds are listed as the network nests them, then what flow logs deliver to.
type Held = BTreeMap<(String, String), BTreeMap<(usize, String), Vec<(String, u64)>>>;

const KIND_ORDER: [&str; 7] = [
    "vpc",
    "subnet",
    "network_interface",
    "flow_log",
    "log_group",
    "log_stream",
    "record",
];

/// The most pending transitions the overview lists (the soonest due).
const PENDING_SHOWN: u32 = 50;
/// The span the request rate is measured over.
const ACTIVITY_WINDOW_SECS: i64 = 60;

pub async fn page(State(state): State<AppState>) -> Result<Response, ConsoleError> {
    let now = Utc::now();
    // Four independent reads, together: the page takes the longest of them, not their sum.
    let (counts, pending, faults, activity) = tokio::try_join!(
        state.flow_logs.resource_counts(),
        state.flow_logs.pending_transitions(PENDING_SHOWN),
        state.faults.list(),
        async {
            let since = now - chrono::Duration::seconds(ACTIVITY_WINDOW_SECS);
            Ok(state.journal.activity(since).await?)
        },
    )?;

    let mut held: Held = BTreeMap::new();
    for count in counts.into_iter().filter(|count| count.count > 0) {
        held.entry((count.provider, count.tenant))
            .or_default()
            .entry((
                KIND_ORDER
                    .iter()
                    .position(|kind| *kind == count.kind)
                    .unwrap_or(KIND_ORDER.len()),
                count.kind,
            ))
            .or_default()
            .push((count.status, count.count));
    }
    let live_faults: Vec<&FaultRule> = faults.iter().filter(|rule| rule.live()).collect();
    let per_second = activity.requests as f64 / ACTIVITY_WINDOW_SECS as f64;

    let data = html! {
        section #activity aria-labelledby="activity-title" {
            h2 #activity-title { "Requests in the last minute" }
            dl.figures {
                div { dt { "Requests per second" } dd #requests-per-second { (format!("{per_second:.2}")) } }
                div { dt { "Requests" } dd #requests-last-minute { (activity.requests) } }
                div { dt { "Failed" } dd #failed-last-minute { (activity.failed) } }
            }
            p { a href=(REQUESTS) { "Watch the requests" } " · " a href=(href(REQUESTS, &[("failed", "1")])) { "only the failed ones" } }
        }
        section aria-labelledby="counts-title" {
            h2 #counts-title { "What each tenant holds" }
            table #counts {
                thead { tr {
                    th scope="col" { "Provider" } th scope="col" { "Tenant" }
                    th scope="col" { "Kind" } th scope="col" { "By status" }
                } }
                tbody {
                    @for ((provider, tenant), kinds) in &held {
                        @for ((_, kind), statuses) in kinds {
                            tr data-provider=(provider) data-tenant=(tenant) data-kind=(kind) {
                                td { (provider) }
                                td { (tenant) }
                                td { a href=(browse_link(provider, tenant, kind)) { (kind_label(provider, kind)) } }
                                td {
                                    @for (status, count) in statuses {
                                        span.count data-status=(status) { (status) " " strong { (count) } }
                                        " "
                                    }
                                }
                            }
                        }
                    }
                    @if held.is_empty() { (empty_row(4, "Nothing is stored yet: create something with an SDK, Terraform or curl.")) }
                }
            }
        }
        section aria-labelledby="pending-title" {
            h2 #pending-title { "Transitions pending" }
            (pending_table(&pending, now))
            p { a href=(ACT) { "Tick transitions" } }
        }
        section aria-labelledby="faults-title" {
            h2 #faults-title { "Fault rules in force" }
            (rules_table("overview-faults", &live_faults, false, "No fault rule is in force."))
        }
    };
    Ok(html::page("Overview", Section::Overview, html! {}, data))
}

fn pending_table(pending: &[PendingTransition], now: chrono::DateTime<Utc>) -> Markup {
    html! {
        table #pending {
            thead { tr {
                th scope="col" { "Provider" } th scope="col" { "Tenant" } th scope="col" { "Kind" }
                th scope="col" { "Id" } th scope="col" { "Status" } th scope="col" { "Due" }
            } }
            tbody {
                @for transition in pending {
                    @let provider = transition.scope.provider().as_str();
                    tr data-id=(transition.id) {
                        td { (provider) }
                        td { (transition.scope.tenant_id()) }
                        td { (kind_label(provider, &transition.kind)) }
                        td { a href=(detail_link(transition)) { (transition.id) } }
                        td { (transition.status) }
                        td { (html::due(transition.due_at, now)) }
                    }
                }
                @if pending.is_empty() { (empty_row(6, "No transition is pending.")) }
            }
        }
    }
}

/// The list a count row leads to.
fn browse_link(provider: &str, tenant: &str, kind: &str) -> String {
    let filter = [("provider", provider), ("tenant", tenant)];
    match kind {
        "flow_log" => href(FLOW_LOGS, &filter),
        "vpc" | "subnet" | "network_interface" => href(
            NETWORK,
            &[("kind", kind), ("provider", provider), ("tenant", tenant)],
        ),
        _ => href(DESTINATIONS, &filter),
    }
}

fn detail_link(transition: &PendingTransition) -> String {
    let target = [
        ("provider", transition.scope.provider().as_str()),
        ("id", transition.id.as_str()),
    ];
    if transition.kind == "flow_log" {
        href(super::FLOW_LOG, &target)
    } else {
        href(super::NETWORK_RESOURCE, &target)
    }
}
