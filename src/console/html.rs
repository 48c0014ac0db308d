//! The console's page frame and the small pieces every page uses. Every value goes through
//! `maud`'s escaping; nothing here marks a string as already-escaped markup.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use maud::{html, Markup, DOCTYPE};

use super::{ACT, DESTINATIONS, FLOW_LOGS, ICON, NETWORK, REQUESTS, SCRIPT, STYLESHEET, UI};
use crate::domain::{waits_for_tick, Provider, TenantScope};

/// No inline script or style, nothing from elsewhere: an injected tag could do nothing.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The sections the navigation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    FlowLogs,
    Network,
    Destinations,
    Requests,
    Act,
    None,
}

const NAVIGATION: [(Section, &str, &str); 6] = [
    (Section::Overview, UI, "Overview"),
    (Section::FlowLogs, FLOW_LOGS, "Flow logs"),
    (Section::Network, NETWORK, "Network"),
    (Section::Destinations, DESTINATIONS, "Destinations"),
    (Section::Requests, REQUESTS, "Requests"),
    (Section::Act, ACT, "Act"),
];

/// A whole page: the navigation, the live status, `controls` (forms the live refresh must not
/// replace while someone types in them) and `data` in `#live-region`, which the script swaps
/// for a fresh copy whenever the event stream reports a change.
pub fn page(title: &str, section: Section, controls: Markup, data: Markup) -> Response {
    let body = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Flowplane" }
                link rel="stylesheet" href=(STYLESHEET);
                link rel="icon" href=(ICON) type="image/svg+xml";
                script src=(SCRIPT) defer {}
            }
            body {
                a.skip href="#content" { "Skip to content" }
                header {
                    span.brand { "Flowplane" }
                    nav #nav aria-label="Sections" {
                        ul {
                            @for (entry, href, label) in NAVIGATION {
                                li {
                                    @if entry == section {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    span #live-status data-state="connecting" role="status" { "connecting" }
                }
                main #content {
                    h1 { (title) }
                    (controls)
                    div #live-region { (data) }
                }
            }
        }
    };
    with_headers(Html(body.into_string()).into_response())
}

/// The page of a console error.
pub fn error_page(title: &str, message: &str) -> Response {
    page(
        title,
        Section::None,
        html! { p.error role="alert" { (message) } p { a href=(UI) { "Back to the overview" } } },
        html! {},
    )
}

/// The headers every console answer carries: the policy, no caching of live data, no referrer
/// (ids in the query).
pub fn with_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, POLICY.parse().expect("static"));
    headers.insert(CACHE_CONTROL, "no-store".parse().expect("static"));
    headers.insert(REFERRER_POLICY, "no-referrer".parse().expect("static"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, "nosniff".parse().expect("static"));
    response
}

/// A link to `path` with these query parameters (empty values left out), percent-encoded.
pub fn href(path: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

pub fn time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A due time as a person reads it: when, and how far from now; or that only a tick ends it.
pub fn due(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if waits_for_tick(due) {
        return "waits for a tick".to_owned();
    }
    let millis = (due - now).num_milliseconds();
    if millis >= 0 {
        format!("{} (in {:.1} s)", time(due), millis as f64 / 1000.0)
    } else {
        format!("{} ({:.1} s overdue)", time(due), -millis as f64 / 1000.0)
    }
}

/// What each cloud calls a kind of resource.
pub fn kind_label(provider: &str, kind: &str) -> &'static str {
    let alibaba = provider == Provider::Alibaba.as_str();
    match kind {
        "flow_log" => "flow log",
        "vpc" => "VPC",
        "subnet" if alibaba => "vSwitch",
        "subnet" => "subnet",
        "network_interface" if alibaba => "ENI",
        "network_interface" => "port",
        "log_group" if alibaba => "SLS project",
        "log_group" => "LTS log group",
        "log_stream" if alibaba => "SLS logstore",
        "log_stream" => "LTS log stream",
        "record" => "record",
        _ => "resource",
    }
}

/// The tenant scope a page's provider, tenant and region name (Huawei projects are regional
/// already: their region is empty).
pub fn scope_of(provider: Provider, tenant: &str, region: &str) -> TenantScope {
    match provider {
        Provider::Huawei => TenantScope::huawei_project(tenant),
        Provider::Alibaba => TenantScope::alibaba_account(tenant, region),
    }
}

/// A table row saying honestly that there is nothing to show.
pub fn empty_row(columns: usize, text: &str) -> Markup {
    html! { tr.empty { td colspan=(columns) { (text) } } }
}

/// A value, or a dash for none.
pub fn or_dash(value: Option<&str>) -> &str {
    value.filter(|value| !value.is_empty()).unwrap_or("—")
}

/// A filter form's provider choice.
pub fn provider_select(selected: Option<Provider>) -> Markup {
    html! {
        label {
            "Provider "
            select name="provider" {
                option value="" selected[selected.is_none()] { "any" }
                @for provider in Provider::ALL {
                    option value=(provider.as_str()) selected[selected == Some(provider)] {
                        (provider.as_str())
                    }
                }
            }
        }
    }
}

/// Key–value tags as a table.
pub fn tags_table(tags: &[crate::domain::Tag]) -> Markup {
    html! {
        table #tags {
            caption { "Tags" }
            thead { tr { th scope="col" { "Key" } th scope="col" { "Value" } } }
            tbody {
                @for tag in tags {
                    tr { td { (tag.key) } td { (tag.value) } }
                }
                @if tags.is_empty() { (empty_row(2, "No tags.")) }
            }
        }
    }
}
