//! `GET`/`PUT`/`DELETE /_flowplane/transitions`: how transitions complete, per provider and
//! resource kind, at run time (stored in the database, so every process on it applies them).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::query::{self, ControlQuery};
use super::ControlError;
use crate::domain::{Provider, TransitionKind, TransitionMode};
use crate::state::AppState;

/// One setting as `PUT` takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SettingBody {
    provider: String,
    kind: String,
    mode: String,
    delay: Option<String>,
}

/// A single setting, a list of them, or `{"settings": [...]}` (what `GET` answers).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(super) enum PutBody {
    One(SettingBody),
    List(Vec<SettingBody>),
    Wrapped { settings: Vec<SettingBody> },
}

type Change = (Provider, TransitionKind, Option<TransitionMode>);

fn bad(message: impl Into<String>) -> ControlError {
    ControlError::BadParameter(message.into())
}

fn provider(value: &str) -> Result<Provider, ControlError> {
    Provider::parse(value)
        .ok_or_else(|| bad(format!("unknown provider {value:?}: huawei or alibaba")))
}

fn kind(value: &str) -> Result<TransitionKind, ControlError> {
    TransitionKind::named(value).ok_or_else(|| {
        bad(format!(
            "unknown kind {value:?}: flow_log, vpc, subnet or network_interface"
        ))
    })
}

impl SettingBody {
    fn change(&self) -> Result<Change, ControlError> {
        let provider = provider(&self.provider)?;
        let kind = kind(&self.kind)?;
        let mode = match (self.mode.as_str(), &self.delay) {
            ("immediate", None) => Some(TransitionMode::Immediate),
            ("manual", None) => Some(TransitionMode::Manual),
            ("default", None) => None,
            ("delay", Some(delay)) => {
                let parsed = humantime::parse_duration(delay)
                    .map_err(|err| bad(format!("delay {delay:?} is not a duration: {err}")))?;
                // Kept to the millisecond, as stored.
                let millis =
                    Duration::from_millis(u64::try_from(parsed.as_millis()).unwrap_or(u64::MAX));
                if millis.is_zero() {
                    return Err(bad(
                        "a delay must be at least 1ms; use mode \"immediate\"".to_owned()
                    ));
                }
                Some(TransitionMode::Delay(millis))
            }
            ("delay", None) => return Err(bad("mode \"delay\" needs a delay, e.g. \"2s\"")),
            ("immediate" | "manual" | "default", Some(_)) => {
                return Err(bad("only mode \"delay\" takes a delay"))
            }
            (other, _) => {
                return Err(bad(format!(
                    "unknown mode {other:?}: immediate, delay, manual or default"
                )))
            }
        };
        Ok((provider, kind, mode))
    }
}

fn delay_text(mode: TransitionMode) -> Option<String> {
    match mode {
        TransitionMode::Delay(delay) => Some(humantime::format_duration(delay).to_string()),
        _ => None,
    }
}

/// Every setting now in force, each as `{"provider","kind","mode","delay","source"}`.
async fn settings_now(state: &AppState) -> Result<Vec<Value>, ControlError> {
    let settings = state.flow_logs.transition_settings().await?;
    Ok(settings
        .into_iter()
        .map(|(setting, set)| {
            json!({
                "provider": setting.provider.as_str(),
                "kind": setting.kind.as_str(),
                "mode": setting.mode.name(),
                "delay": delay_text(setting.mode),
                "source": if set { "set" } else { "default" },
            })
        })
        .collect())
}

async fn settings_body(state: &AppState) -> Result<Value, ControlError> {
    Ok(json!({ "settings": settings_now(state).await? }))
}

pub async fn get(State(state): State<AppState>) -> Result<Response, ControlError> {
    Ok(Json(settings_body(&state).await?).into_response())
}

pub async fn put(State(state): State<AppState>, body: Bytes) -> Result<Response, ControlError> {
    let body: PutBody = serde_json::from_slice(&body).map_err(|_| {
        bad("the body is not a setting {\"provider\",\"kind\",\"mode\",\"delay\"?} or a list of them")
    })?;
    let (bodies, one) = match body {
        PutBody::One(one) => (vec![one], true),
        PutBody::List(list) | PutBody::Wrapped { settings: list } => (list, false),
    };
    let changes = bodies
        .iter()
        .map(SettingBody::change)
        .collect::<Result<Vec<_>, _>>()?;
    state
        .flow_logs
        .set_transition_settings(&changes)
        .await?
        .map_err(|refused| bad(refused.to_string()))?;
    if let (true, [(provider, kind, _)]) = (one, changes.as_slice()) {
        // One setting: the setting now in force (SPEC §5).
        let now = settings_now(&state).await?.into_iter().find(|setting| {
            setting["provider"] == provider.as_str() && setting["kind"] == kind.as_str()
        });
        return Ok(Json(now.unwrap_or(Value::Null)).into_response());
    }
    Ok(Json(settings_body(&state).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    #[serde(default, deserialize_with = "query::provider")]
    provider: Option<Provider>,
    kind: Option<String>,
}

/// Back to the defaults: every setting, or those of `provider` and/or `kind`.
pub async fn delete(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<DeleteQuery>,
) -> Result<Response, ControlError> {
    let kind = query.kind.as_deref().map(kind).transpose()?;
    let changes: Vec<Change> = Provider::ALL
        .into_iter()
        .filter(|p| query.provider.is_none_or(|wanted| wanted == *p))
        .flat_map(|p| {
            TransitionKind::ALL
                .into_iter()
                .filter(|k| kind.is_none_or(|wanted| wanted == *k))
                .map(move |k| (p, k, None))
        })
        .collect();
    state
        .flow_logs
        .set_transition_settings(&changes)
        .await?
        .map_err(|refused| bad(refused.to_string()))?;
    Ok(Json(settings_body(&state).await?).into_response())
}
