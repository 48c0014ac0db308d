//! The console (`/_flowplane/ui`): server-rendered pages of everything Flowplane holds, across
//! both clouds, kept live by one event stream (`events`). Its actions call the control API from
//! the page (`assets/console.js`), so the console itself only reads.
//!
//! Every page is HTML built with `maud`, which escapes every interpolated value: names,
//! descriptions and tags are attacker-controlled in a shared deployment. A strict
//! Content-Security-Policy (no inline script or style) is the second line.

mod act;
mod assets;
mod destinations;
mod events;
mod flow_logs;
mod html;
mod network;
mod overview;
mod requests;
mod sign_in;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;

use crate::domain::{DomainError, FlowLog, FlowLogFilter, Page, Provider, Visibility};
use crate::state::AppState;

/// The console's paths, named once for the router and the pages' links.
pub const UI: &str = "/_flowplane/ui";
pub const FLOW_LOGS: &str = "/_flowplane/ui/flow-logs";
pub const FLOW_LOG: &str = "/_flowplane/ui/flow-log";
pub const NETWORK: &str = "/_flowplane/ui/network";
pub const NETWORK_RESOURCE: &str = "/_flowplane/ui/network-resource";
pub const DESTINATIONS: &str = "/_flowplane/ui/destinations";
pub const LOG_GROUP: &str = "/_flowplane/ui/log-group";
pub const LOG_STREAM: &str = "/_flowplane/ui/log-stream";
pub const REQUESTS: &str = "/_flowplane/ui/requests";
pub const ACT: &str = "/_flowplane/ui/act";
pub const EVENTS: &str = "/_flowplane/ui/events";
pub const SIGN_IN: &str = "/_flowplane/ui/sign-in";
pub const STYLESHEET: &str = "/_flowplane/ui/assets/console.css";
pub const SCRIPT: &str = "/_flowplane/ui/assets/console.js";
pub const ICON: &str = "/_flowplane/ui/assets/favicon.svg";

/// The console's routes. Its pages and event stream are behind [`sign_in::require`] (the
/// `--control-token`, when one is set); the sign-in form and the static assets are open.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(UI, get(overview::page))
        .route(FLOW_LOGS, get(flow_logs::list))
        .route(FLOW_LOG, get(flow_logs::detail))
        .route(NETWORK, get(network::list))
        .route(NETWORK_RESOURCE, get(network::detail))
        .route(DESTINATIONS, get(destinations::groups))
        .route(LOG_GROUP, get(destinations::group))
        .route(LOG_STREAM, get(destinations::stream))
        .route(REQUESTS, get(requests::page))
        .route(ACT, get(act::page))
        .route(EVENTS, get(events::stream))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            sign_in::require,
        ))
        .route(SIGN_IN, get(sign_in::form).post(sign_in::submit))
        .route(STYLESHEET, get(assets::stylesheet))
        .route(SCRIPT, get(assets::script))
        .route(ICON, get(assets::icon))
}

/// Why a page cannot be shown; rendered as a page of its own with the status.
#[derive(Debug)]
pub enum ConsoleError {
    BadRequest(String),
    NotFound(String),
    Domain(DomainError),
}

impl From<DomainError> for ConsoleError {
    fn from(err: DomainError) -> Self {
        ConsoleError::Domain(err)
    }
}

impl From<crate::domain::StorageError> for ConsoleError {
    fn from(err: crate::domain::StorageError) -> Self {
        ConsoleError::Domain(err.into())
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ConsoleError::BadRequest(message) => (StatusCode::BAD_REQUEST, message),
            ConsoleError::NotFound(message) => (StatusCode::NOT_FOUND, message),
            ConsoleError::Domain(DomainError::Storage(err)) => {
                tracing::warn!(error = %err, "the console could not read the database");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the database did not answer; try again".to_owned(),
                )
            }
            ConsoleError::Domain(err) => (StatusCode::BAD_REQUEST, err.to_string()),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        (status, html::error_page(title, &message)).into_response()
    }
}

/// A page's query string, read with serde (`serde_html_form`, as the cloud faces read
/// theirs); a query it does not take is a 400 page, not a text rejection.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        serde_html_form::from_str(parts.uri.query().unwrap_or(""))
            .map(Params)
            .map_err(|err| ConsoleError::BadRequest(format!("the query is not valid: {err}")))
    }
}

/// A detail page's query: a provider's resource by its id, whichever tenant holds it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ById {
    provider: Option<String>,
    id: Option<String>,
}

impl ById {
    fn target(&self) -> Result<(Provider, &str), ConsoleError> {
        Ok((provider_named(&self.provider)?, required(&self.id, "id")?))
    }
}

/// A filter field as a form sends it: empty means "any".
fn given(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// The provider a filter names, if any.
fn provider_filter(value: &Option<String>) -> Result<Option<Provider>, ConsoleError> {
    given(value)
        .map(|name| {
            Provider::parse(name).ok_or_else(|| {
                ConsoleError::BadRequest(format!(
                    "provider must be huawei or alibaba, not {name:?}"
                ))
            })
        })
        .transpose()
}

/// The provider a detail page is about.
fn provider_named(value: &Option<String>) -> Result<Provider, ConsoleError> {
    provider_filter(value)?.ok_or_else(|| ConsoleError::BadRequest("provider is required".into()))
}

/// A required parameter of a detail page.
fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, ConsoleError> {
    given(value).ok_or_else(|| ConsoleError::BadRequest(format!("{name} is required")))
}

/// How many rows a list shows: `limit=` within 1..=500, 50 by default.
fn page_size(value: Option<u32>) -> Result<u32, ConsoleError> {
    match value {
        None => Ok(DEFAULT_PAGE),
        Some(limit) if (1..=MAX_PAGE).contains(&limit) => Ok(limit),
        Some(_) => Err(ConsoleError::BadRequest(format!(
            "limit must be 1..={MAX_PAGE}"
        ))),
    }
}

/// Every tenant of one provider: the console looks resources up by id alone.
fn any_tenant_of(provider: Provider) -> Visibility<'static> {
    Visibility::Any {
        provider: Some(provider),
        tenant_id: None,
        region_id: None,
    }
}

/// The first `limit` flow logs the filter matches in what `visibility` allows, oldest first.
async fn flow_logs_where(
    state: &AppState,
    visibility: Visibility<'_>,
    filter: FlowLogFilter,
    limit: u32,
) -> Result<Vec<FlowLog>, DomainError> {
    let page = Page::Offset { offset: 0, limit };
    state.flow_logs.list_all(visibility, &filter, &page).await
}

/// A keyset page after the row `after` names: one row more than it shows, which tells whether
/// another page follows (see [`has_more`]).
fn keyset_page(after: &Option<String>, limit: u32) -> Page {
    Page::AfterMarker {
        marker: given(after).map(str::to_owned),
        limit: limit + 1,
    }
}

/// Drops a [`keyset_page`]'s extra row; whether there was one.
fn has_more<T>(rows: &mut Vec<T>, limit: u32) -> bool {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    more
}

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;
