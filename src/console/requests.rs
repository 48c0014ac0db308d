//! The requests the cloud faces answered, newest first, from the journal; the script adds the
//! new ones as the event stream reports them, failed ones highlighted with the cloud's error,
//! and lists the state changes (transitions starting and completing) beside them.

use axum::extract::State;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::html::{self, empty_row, href, or_dash, Section};
use super::{given, ConsoleError, Params, REQUESTS};
use crate::layers::journal::{JournalEntry, JournalFilter, StatusFilter};
use crate::state::AppState;

/// How many requests the page shows when it opens.
const SHOWN: u32 = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsQuery {
    /// `1`: only the failed ones (status 400 and above).
    failed: Option<String>,
    tenant: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Params(query): Params<RequestsQuery>,
) -> Result<Response, ConsoleError> {
    let failed_only = given(&query.failed).is_some_and(|failed| failed != "0");
    let filter = JournalFilter {
        tenant: given(&query.tenant).map(str::to_owned),
        status: failed_only.then(|| StatusFilter::parse("error").expect("a known filter")),
        ..Default::default()
    };
    let (entries, total) = state.journal.list(&filter, SHOWN, 0).await?;
    let journaling = state.journal.enabled();
    let controls = html! {
        form #filter method="get" action=(REQUESTS) {
            label { input type="checkbox" name="failed" value="1" checked[failed_only]; " Only failed requests" }
            label { " Tenant " input name="tenant" value=[given(&query.tenant)] size="20"; }
            button type="submit" { "Filter" }
            " "
            a href=(href(REQUESTS, &[])) { "Clear" }
        }
        p {
            "The newest " (entries.len()) " of " (total) " journaled" @if failed_only { " failures" }
            " when the page opened; new ones appear at the top as they are answered."
        }
        @if !journaling {
            p.error role="alert" { "The journal is off (--journal-size 0): no request is kept." }
        }
        section aria-labelledby="changes-title" {
            h2 #changes-title { "State changes since the page opened" }
            ol #state-changes.changes aria-live="polite" {
                li.empty { "None yet: a transition that starts or completes shows here." }
            }
        }
    };
    let data = html! {
        table #requests data-failed-only=(failed_only) data-tenant=[given(&query.tenant)] {
            thead { tr {
                th scope="col" { "Time" } th scope="col" { "Face" } th scope="col" { "Product" }
                th scope="col" { "Operation" }
                th scope="col" { "Tenant" } th scope="col" { "Status" } th scope="col" { "Error" }
                th scope="col" { "Latency" } th scope="col" { "Request id" }
            } }
            tbody #request-rows {
                @for entry in &entries { (row(entry)) }
                @if entries.is_empty() { (empty_row(9, "No request yet: point an SDK, Terraform or curl at this server.")) }
            }
        }
    };
    // The rows are added to, not swapped: the region is not refreshed on this page.
    Ok(html::page("Requests", Section::Requests, controls, data))
}

/// One request as a row; `assets/console.js` builds the same row for the live ones.
fn row(entry: &JournalEntry) -> maud::Markup {
    // Unrouted requests have no operation: their method and path say what they were.
    let operation = entry
        .operation
        .clone()
        .unwrap_or_else(|| format!("{} {}", entry.method, entry.path));
    html! {
        tr.failed[entry.status >= 400] data-request-id=(entry.request_id) {
            td.time { (html::time(entry.time)) }
            td.face { (entry.face) }
            td.product { (or_dash(entry.product.as_deref())) }
            td.operation { (operation) }
            td.tenant { (or_dash(entry.tenant.as_deref())) }
            td.status { (entry.status) }
            td.error { (entry.error_code.as_deref().unwrap_or("")) }
            td.latency { (format!("{:.1} ms", entry.latency_us as f64 / 1000.0)) }
            td.request-id { code { (entry.request_id) } }
        }
    }
}
