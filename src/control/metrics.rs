//! `GET /metrics`: the Prometheus text exposition ([`crate::layers::metrics`]). Open like the
//! health check (no control token: a scraper reads numbers, it changes nothing), and outside
//! `/_flowplane/` where scrapers look for it.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::ControlError;
use crate::layers::metrics::Observed;
use crate::state::AppState;

/// The text format's content type, as Prometheus asks for it.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

pub async fn scrape(State(state): State<AppState>) -> Result<Response, ControlError> {
    let resources = state.flow_logs.resource_counts().await?;
    let mut fault_firings: BTreeMap<&'static str, u64> = BTreeMap::new();
    for rule in state.faults.list().await? {
        *fault_firings.entry(rule.rule.effect.name()).or_default() += rule.fired;
    }
    let text = state.metrics.render(Observed {
        resources,
        fault_firings: fault_firings.into_iter().collect(),
        pools: state.flow_logs.pool_use(),
        records_delivered: state.records.delivered(),
        write_batches: state.flow_logs.write_batches(),
    });
    Ok(([(CONTENT_TYPE, TEXT_FORMAT)], text).into_response())
}
