//! `POST`/`GET`/`DELETE /_flowplane/faults[/{id}]`: fault rules, stored in the database so that
//! every process on it applies them.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ControlError;
use crate::domain::faults::{
    DeliveryFault, FaultEffect, FaultMatch, FaultRule, FaultRuleId, Firing, NewFaultRule,
    PROBABILITY_SCALE,
};
use crate::domain::{Provider, TransitionKind};
use crate::state::AppState;

/// How long a throttled Alibaba caller is told to wait, unless the rule says.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A rule as `POST` takes it: what it matches, its effect and its parameters, when it fires.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleBody {
    face: Option<String>,
    product: Option<String>,
    #[serde(alias = "action")]
    operation: Option<String>,
    provider: Option<String>,
    kind: Option<String>,
    tenant: Option<String>,
    region: Option<String>,
    resource_id: Option<String>,
    effect: String,
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    retry_after: Option<String>,
    latency: Option<String>,
    times: Option<u64>,
    probability: Option<f64>,
    seed: Option<u64>,
}

/// A rule as the control API shows it (fields in this order).
#[derive(Debug, Serialize)]
struct RuleView {
    id: String,
    face: Option<String>,
    product: Option<String>,
    operation: Option<String>,
    provider: Option<&'static str>,
    kind: Option<&'static str>,
    tenant: Option<String>,
    region: Option<String>,
    resource_id: Option<String>,
    effect: &'static str,
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    retry_after: Option<String>,
    latency: Option<String>,
    times: Option<u64>,
    remaining: Option<u64>,
    probability: Option<f64>,
    seed: Option<u64>,
    matched: u64,
    fired: u64,
    created_at: String,
}

fn bad(message: impl Into<String>) -> ControlError {
    ControlError::BadParameter(message.into())
}

/// A humantime duration, kept to the millisecond as stored.
fn duration(name: &str, value: &str) -> Result<Duration, ControlError> {
    let parsed = humantime::parse_duration(value)
        .map_err(|err| bad(format!("{name} {value:?} is not a duration: {err}")))?;
    Ok(Duration::from_millis(
        u64::try_from(parsed.as_millis()).unwrap_or(u64::MAX),
    ))
}

fn text(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

impl RuleBody {
    fn into_rule(self) -> Result<NewFaultRule, ControlError> {
        let only_with = |given: bool, field: &str, effects: &str| {
            if given {
                Err(bad(format!("{field} is only for effect {effects}")))
            } else {
                Ok(())
            }
        };
        let effect = match self.effect.as_str() {
            "throttle" => FaultEffect::Throttle {
                retry_after: match &self.retry_after {
                    Some(value) => duration("retry_after", value)?,
                    None => DEFAULT_RETRY_AFTER,
                },
            },
            "error" => FaultEffect::Error {
                status: self
                    .status
                    .ok_or_else(|| bad("effect error needs a status"))?,
                code: self
                    .code
                    .clone()
                    .ok_or_else(|| bad("effect error needs a code"))?,
                message: self
                    .message
                    .clone()
                    .unwrap_or_else(|| "The request was refused by a Flowplane fault rule.".into()),
            },
            "latency" => FaultEffect::Latency(duration(
                "latency",
                self.latency
                    .as_deref()
                    .ok_or_else(|| bad("effect latency needs a latency, e.g. \"2s\""))?,
            )?),
            "drop" => FaultEffect::Drop,
            "stuck" => FaultEffect::Stuck,
            "fail" => FaultEffect::Fail(match &self.code {
                None => DeliveryFault::UnknownError,
                Some(code) => DeliveryFault::parse(code).ok_or_else(|| {
                    bad(format!(
                        "code {code:?} is not a delivery error: UserNotAuthorised, \
                         ProjectNotExist, UnavaliableTarget or UnknownError"
                    ))
                })?,
            }),
            other => {
                return Err(bad(format!(
                    "unknown effect {other:?}: throttle, error, latency, drop, stuck or fail"
                )))
            }
        };
        let is = |name: &str| self.effect == name;
        only_with(self.status.is_some() && !is("error"), "status", "error")?;
        only_with(self.message.is_some() && !is("error"), "message", "error")?;
        only_with(
            self.code.is_some() && !is("error") && !is("fail"),
            "code",
            "error or fail",
        )?;
        only_with(
            self.retry_after.is_some() && !is("throttle"),
            "retry_after",
            "throttle",
        )?;
        only_with(
            self.latency.is_some() && !is("latency"),
            "latency",
            "latency",
        )?;
        let probability = match self.probability {
            None => None,
            Some(p) if p > 0.0 && p <= 1.0 => {
                let scaled = (p * f64::from(PROBABILITY_SCALE)).round();
                // In range: 0 < p <= 1.
                Some((scaled as u32).max(1))
            }
            Some(_) => return Err(bad("probability must be more than 0 and at most 1")),
        };
        if self.seed.is_some() && probability.is_none() {
            return Err(bad("seed is only for a rule with a probability"));
        }
        let provider = self
            .provider
            .as_deref()
            .map(|value| {
                Provider::parse(value)
                    .ok_or_else(|| bad(format!("unknown provider {value:?}: huawei or alibaba")))
            })
            .transpose()?;
        let kind = self
            .kind
            .as_deref()
            .map(|value| {
                TransitionKind::parse(value).ok_or_else(|| {
                    bad(format!(
                        "unknown kind {value:?}: flow_log, vpc, subnet or network_interface"
                    ))
                })
            })
            .transpose()?;
        Ok(NewFaultRule {
            matches: FaultMatch {
                face: self.face,
                product: self.product,
                operation: self.operation,
                provider,
                kind,
                tenant: self.tenant,
                region: self.region,
                resource_id: self.resource_id,
            },
            effect,
            firing: Firing {
                times: self.times,
                probability,
                seed: self.seed.unwrap_or(0),
            },
        })
    }
}

fn view(rule: FaultRule) -> RuleView {
    let NewFaultRule {
        matches,
        effect,
        firing,
    } = rule.rule;
    let (status, code, message, retry_after, latency) = match &effect {
        FaultEffect::Throttle { retry_after } => (None, None, None, Some(text(*retry_after)), None),
        FaultEffect::Error {
            status,
            code,
            message,
        } => (
            Some(*status),
            Some(code.clone()),
            Some(message.clone()),
            None,
            None,
        ),
        FaultEffect::Latency(latency) => (None, None, None, None, Some(text(*latency))),
        FaultEffect::Fail(fault) => (None, Some(fault.as_str().to_owned()), None, None, None),
        FaultEffect::Drop | FaultEffect::Stuck => (None, None, None, None, None),
    };
    RuleView {
        id: rule.id.to_string(),
        face: matches.face,
        product: matches.product,
        operation: matches.operation,
        provider: matches.provider.map(Provider::as_str),
        kind: matches.kind.map(TransitionKind::as_str),
        tenant: matches.tenant,
        region: matches.region,
        resource_id: matches.resource_id,
        effect: effect.name(),
        status,
        code,
        message,
        retry_after,
        latency,
        times: firing.times,
        remaining: rule.remaining,
        probability: firing
            .probability
            .map(|p| f64::from(p) / f64::from(PROBABILITY_SCALE)),
        seed: firing.probability.map(|_| firing.seed),
        matched: rule.matched,
        fired: rule.fired,
        created_at: rule.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
    }
}

pub async fn add(State(state): State<AppState>, body: Bytes) -> Result<Response, ControlError> {
    let body: RuleBody = serde_json::from_slice(&body).map_err(|err| {
        bad(format!(
            "the body is not a fault rule ({err}); e.g. {{\"face\":\"alibaba\",\
             \"operation\":\"CreateFlowLog\",\"effect\":\"throttle\",\"times\":1}}"
        ))
    })?;
    let rule = state
        .faults
        .add(body.into_rule()?)
        .await?
        .map_err(|refused| bad(refused.0))?;
    Ok((StatusCode::CREATED, Json(view(rule))).into_response())
}

/// `GET`'s answer.
#[derive(Debug, Serialize)]
struct RulesView {
    rules: Vec<RuleView>,
}

pub async fn list(State(state): State<AppState>) -> Result<Response, ControlError> {
    let rules = state.faults.list().await?.into_iter().map(view).collect();
    Ok(Json(RulesView { rules }).into_response())
}

pub async fn remove_all(State(state): State<AppState>) -> Result<Response, ControlError> {
    let deleted = state.faults.remove(None).await?;
    Ok(Json(json!({ "deleted": deleted })).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ControlError> {
    let Path(id) = id.map_err(|_| bad("the rule id is not readable text"))?;
    let deleted = state
        .faults
        .remove(Some(&FaultRuleId::new(id.clone())))
        .await?;
    if deleted == 0 {
        return Err(ControlError::NotFound(format!("no fault rule {id}")));
    }
    Ok(Json(json!({ "deleted": deleted })).into_response())
}
