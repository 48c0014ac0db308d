//! Acting on the emulator: ticking transitions, fault rules, record windows, a tenant's reset
//! and snapshots. The page's forms are sent by `assets/console.js` to the control API itself
//! (the paths below are the control API's), so the console has no write path of its own.

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::html::{self, empty_row, Section};
use super::ConsoleError;
use crate::control;
use crate::domain::faults::{FaultEffect, FaultRule};
use crate::domain::Provider;
use crate::domain::{TransitionMode, TransitionSetting};
use crate::state::AppState;

pub async fn page(State(state): State<AppState>) -> Result<Response, ConsoleError> {
    let rules = state.faults.list().await?;
    let rules: Vec<&FaultRule> = rules.iter().collect();
    let settings = state.flow_logs.transition_settings().await?;
    let tick_all = format!("{}?all=true", control::TICK);
    let controls = html! {
        output #act-result role="status" aria-live="polite" {}
        section aria-labelledby="tick-title" {
            h2 #tick-title { "Transitions" }
            p {
                button #tick type="button" data-post=(control::TICK) { "Complete the due ones" }
                " "
                button #tick-all type="button" data-post=(tick_all) { "Complete every pending one" }
            }
        }
        section aria-labelledby="fault-title" {
            h2 #fault-title { "Add a fault rule" }
            form #add-fault data-action=(control::FAULTS) {
                label { "Face " select name="face" {
                    option value="huawei" { "huawei" } option value="alibaba" { "alibaba" } option value="sls" { "sls" }
                } }
                label { "Product " input name="product" placeholder="vpc" size="8"; }
                label { "Operation " input name="operation" placeholder="CreateFlowLog" size="18"; }
                label { "Tenant " input name="tenant" size="18"; }
                label { "Region " input name="region" size="12"; }
                label { "Effect " select name="effect" {
                    option value="error" { "error" } option value="latency" { "latency" }
                    option value="drop" { "drop" } option value="transition_failure" { "transition failure" }
                } }
                fieldset {
                    legend { "For an error" }
                    label { "Status " input name="status" type="number" min="400" max="599" value="400" size="4"; }
                    label { "Code " input name="code" placeholder="Throttling.User" size="18"; }
                    label { "Message " input name="message" size="24"; }
                }
                label { "Latency " input name="latency" placeholder="500ms" size="8"; }
                label { "Times " input name="times" type="number" min="1" size="4"; }
                button type="submit" { "Add the rule" }
            }
        }
        section aria-labelledby="generate-title" {
            h2 #generate-title { "Generate records" }
            form #generate data-action=(control::GENERATE) {
                label { "Windows " input name="windows" type="number" min="1" value="1" size="4"; }
                label { "Only flow log " input name="flow_log_id" size="40" placeholder="every active one"; }
                button type="submit" { "Generate" }
            }
        }
        section aria-labelledby="reset-title" {
            h2 #reset-title { "Reset" }
            form #reset data-action=(control::RESET) {
                label { "Provider " select name="provider" {
                    option value="" { "every provider" }
                    @for provider in Provider::ALL { option value=(provider.as_str()) { (provider.as_str()) } }
                } }
                label { "Tenant " input name="tenant" size="24" placeholder="every tenant"; }
                button type="submit" { "Reset" }
            }
        }
        section aria-labelledby="snapshot-title" {
            h2 #snapshot-title { "Snapshot" }
            p { a #snapshot-download href=(control::SNAPSHOT) download="flowplane-snapshot.json" { "Download a snapshot" } }
            form #snapshot-upload data-action=(control::SNAPSHOT) {
                label { "Snapshot file " input type="file" name="snapshot" accept="application/json,.json" required; }
                label { "Mode " select name="mode" {
                    option value="replace" { "replace everything" } option value="merge" { "merge" }
                } }
                button type="submit" { "Upload" }
            }
        }
    };
    let data = html! {
        section aria-labelledby="rules-title" {
            h2 #rules-title { "Fault rules" }
            (rules_table("fault-rules", &rules, true, "No fault rule."))
            @if !rules.is_empty() {
                p { button #remove-all-faults type="button" data-delete=(control::FAULTS) { "Remove every rule" } }
            }
        }
        section aria-labelledby="settings-title" {
            h2 #settings-title { "Transition settings" }
            (settings_table(&settings))
        }
    };
    Ok(html::page("Act", Section::Act, controls, data))
}

/// The control API's path of one rule; the id is encoded (a snapshot can bring any id).
fn rule_path(rule: &FaultRule) -> String {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_');
    let id = utf8_percent_encode(rule.id.as_str(), SEGMENT).to_string();
    control::FAULT.replace("{id}", &id)
}

fn settings_table(settings: &[(TransitionSetting, bool)]) -> Markup {
    html! {
        table #transition-settings {
            thead { tr {
                th scope="col" { "Provider" } th scope="col" { "Kind" } th scope="col" { "Mode" } th scope="col" { "Set by" }
            } }
            tbody {
                @for (setting, set) in settings {
                    tr {
                        td { (setting.provider.as_str()) }
                        td { (setting.kind.as_str()) }
                        td { (mode_text(setting.mode)) }
                        td { @if *set { "PUT /_flowplane/transitions" } @else { "default" } }
                    }
                }
            }
        }
    }
}

fn mode_text(mode: TransitionMode) -> String {
    match mode {
        TransitionMode::Immediate => "immediate".to_owned(),
        TransitionMode::Delay(delay) => format!("delay {}", humantime::format_duration(delay)),
        TransitionMode::Manual => "manual (only a tick)".to_owned(),
    }
}

/// Fault rules as a table with the id `id`; with `removable`, each with its remove button.
pub fn rules_table(id: &str, rules: &[&FaultRule], removable: bool, empty: &str) -> Markup {
    let columns = if removable { 6 } else { 5 };
    html! {
        table id=(id) {
            thead { tr {
                th scope="col" { "Rule" } th scope="col" { "Matches" } th scope="col" { "Effect" }
                th scope="col" { "Fired" } th scope="col" { "Left" }
                @if removable { th scope="col" { "" } }
            } }
            tbody {
                @for rule in rules {
                    tr data-id=(rule.id.as_str()) {
                        td { (rule.id.as_str()) }
                        td { (matches_summary(rule)) }
                        td { (effect_summary(&rule.rule.effect)) }
                        td { (rule.fired) }
                        td { (rule.remaining.map_or_else(|| "unlimited".to_owned(), |left| left.to_string())) }
                        @if removable {
                            td { button.remove-fault type="button" data-delete=(rule_path(rule)) { "Remove" } }
                        }
                    }
                }
                @if rules.is_empty() { (empty_row(columns, empty)) }
            }
        }
    }
}

/// What a rule matches, as `field=value` pairs; "everything" when it names nothing.
fn matches_summary(rule: &FaultRule) -> String {
    let matches = &rule.rule.matches;
    let fields = [
        ("face", matches.face.as_deref()),
        ("product", matches.product.as_deref()),
        ("operation", matches.operation.as_deref()),
        ("provider", matches.provider.map(Provider::as_str)),
        ("kind", matches.kind.map(|kind| kind.as_str())),
        ("tenant", matches.tenant.as_deref()),
        ("region", matches.region.as_deref()),
        ("resource", matches.resource_id.as_deref()),
    ];
    let named: Vec<String> = fields
        .iter()
        .filter_map(|(name, value)| value.map(|value| format!("{name}={value}")))
        .collect();
    if named.is_empty() {
        "everything".to_owned()
    } else {
        named.join(" ")
    }
}

fn effect_summary(effect: &FaultEffect) -> String {
    match effect {
        FaultEffect::Error {
            status,
            code,
            message,
        } => format!("error {status} {code}: {message}"),
        FaultEffect::Latency(latency) => {
            format!("latency {}", humantime::format_duration(*latency))
        }
        FaultEffect::Throttle { retry_after } => {
            format!(
                "throttle (retry after {})",
                humantime::format_duration(*retry_after)
            )
        }
        FaultEffect::Fail(fault) => format!("fail delivery ({})", fault.as_str()),
        other => other.name().replace('_', " "),
    }
}
