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
use serde_json::{json, Value};

use super::ControlError;
use crate::domain::faults::{
    DeliveryFault, FaultEffect, FaultMatch, FaultRule, FaultRuleId, Firing, NewFaultRule,
    PROBABILITY_SCALE,
};
use crate::domain::{Provider, TransitionKind};
use crate::state::AppState;

/// How long a throttled Alibaba caller is told to wait, unless the rule says.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A rule as `POST` takes it (SPEC §5): what it matches, its effect, when it fires.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleBody {
    face: Option<String>,
    product: Option<String>,
    #[serde(alias = "action")]
    operation: Option<String>,
    kind: Option<String>,
    tenant: Option<String>,
    region: Option<String>,
    resource_id: Option<String>,
    effect: EffectBody,
    times: Option<u64>,
    probability: Option<f64>,
    seed: Option<u64>,
}

/// `{"error": {…}}`, `{"latency": "500ms"}`, `{"drop": true}`, `{"transition_failure": true}`
/// (SPEC §5), and Flowplane's own `{"throttle": true | {"retry_after"}}`, `{"stuck": true}`,
/// `{"fail": true | {"code"}}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub(super) enum EffectBody {
    Error(ErrorBody),
    Latency(String),
    Drop(bool),
    Throttle(Option<ThrottleBody>),
    Stuck(bool),
    Fail(Option<FailBody>),
    TransitionFailure(bool),
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FaultErrorBody)]
pub(super) struct ErrorBody {
    status: u16,
    code: String,
    message: Option<String>,
}

/// `true`, or the throttling's own settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(super) enum ThrottleBody {
    On(bool),
    With(RetryAfter),
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RetryAfter {
    retry_after: String,
}

/// `true`, or the delivery error to report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(super) enum FailBody {
    On(bool),
    With(DeliveryCode),
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DeliveryCode {
    code: String,
}

/// A rule as the control API shows it (fields in this order; `effect` as `POST` takes it).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct RuleView {
    id: String,
    face: Option<String>,
    product: Option<String>,
    operation: Option<String>,
    kind: Option<&'static str>,
    tenant: Option<String>,
    region: Option<String>,
    resource_id: Option<String>,
    effect: Value,
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

/// A flag effect (`{"drop": true}`) must say `true`.
fn on(effect: &str, flag: bool) -> Result<(), ControlError> {
    if flag {
        Ok(())
    } else {
        Err(bad(format!(
            "{{\"{effect}\": false}} is no effect; delete the rule instead"
        )))
    }
}

impl EffectBody {
    fn into_effect(self) -> Result<FaultEffect, ControlError> {
        Ok(match self {
            EffectBody::Error(error) => FaultEffect::Error {
                status: error.status,
                code: error.code,
                message: error
                    .message
                    .unwrap_or_else(|| "The request was refused by a Flowplane fault rule.".into()),
            },
            EffectBody::Latency(latency) => FaultEffect::Latency(duration("latency", &latency)?),
            EffectBody::Drop(flag) => on("drop", flag).map(|()| FaultEffect::Drop)?,
            EffectBody::Throttle(None) => FaultEffect::Throttle {
                retry_after: DEFAULT_RETRY_AFTER,
            },
            EffectBody::Throttle(Some(ThrottleBody::On(flag))) => {
                on("throttle", flag)?;
                FaultEffect::Throttle {
                    retry_after: DEFAULT_RETRY_AFTER,
                }
            }
            EffectBody::Throttle(Some(ThrottleBody::With(settings))) => FaultEffect::Throttle {
                retry_after: duration("retry_after", &settings.retry_after)?,
            },
            EffectBody::Stuck(flag) => on("stuck", flag).map(|()| FaultEffect::Stuck)?,
            EffectBody::Fail(None) => FaultEffect::Fail(DeliveryFault::UnknownError),
            EffectBody::Fail(Some(FailBody::On(flag))) => {
                on("fail", flag)?;
                FaultEffect::Fail(DeliveryFault::UnknownError)
            }
            EffectBody::Fail(Some(FailBody::With(code))) => {
                FaultEffect::Fail(DeliveryFault::parse(&code.code).ok_or_else(|| {
                    bad(format!(
                        "code {:?} is not a delivery error: UserNotAuthorised, \
                         ProjectNotExist, UnavaliableTarget or UnknownError",
                        code.code
                    ))
                })?)
            }
            EffectBody::TransitionFailure(flag) => {
                on("transition_failure", flag).map(|()| FaultEffect::TransitionFailure)?
            }
        })
    }
}

/// The effect as `POST` takes it.
fn effect_view(effect: &FaultEffect) -> Value {
    match effect {
        FaultEffect::Throttle { retry_after } => {
            json!({"throttle": {"retry_after": text(*retry_after)}})
        }
        FaultEffect::Error {
            status,
            code,
            message,
        } => json!({"error": {"status": status, "code": code, "message": message}}),
        FaultEffect::Latency(latency) => json!({"latency": text(*latency)}),
        FaultEffect::Drop => json!({"drop": true}),
        FaultEffect::Stuck => json!({"stuck": true}),
        FaultEffect::Fail(fault) => json!({"fail": {"code": fault.as_str()}}),
        FaultEffect::TransitionFailure => json!({"transition_failure": true}),
    }
}

impl RuleBody {
    fn into_rule(self) -> Result<NewFaultRule, ControlError> {
        let effect = self.effect.into_effect()?;
        let face = self
            .face
            .ok_or_else(|| bad("a rule needs a face: huawei, alibaba or sls"))?;
        // A transition rule's face is the provider whose resources it matches.
        let provider = if effect.on_transitions() {
            Some(Provider::parse(&face).ok_or_else(|| {
                bad(format!(
                    "a transition rule's face is huawei or alibaba, not {face:?}"
                ))
            })?)
        } else {
            None
        };
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
        let kind = self
            .kind
            .as_deref()
            .map(|value| {
                TransitionKind::named(value).ok_or_else(|| {
                    bad(format!(
                        "unknown kind {value:?}: flow_log, vpc, subnet or network_interface"
                    ))
                })
            })
            .transpose()?;
        Ok(NewFaultRule {
            matches: FaultMatch {
                face: Some(face),
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
    RuleView {
        id: rule.id.to_string(),
        face: matches.face,
        product: matches.product,
        operation: matches.operation,
        kind: matches.kind.map(TransitionKind::as_str),
        tenant: matches.tenant,
        region: matches.region,
        resource_id: matches.resource_id,
        effect: effect_view(&effect),
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
             \"operation\":\"CreateFlowLog\",\"effect\":{{\"throttle\":true}},\"times\":1}}"
        ))
    })?;
    let rule = state
        .faults
        .add(body.into_rule()?)
        .await?
        .map_err(|refused| bad(refused.0))?;
    Ok((StatusCode::CREATED, Json(view(rule))).into_response())
}

/// `GET`'s answer (SPEC §5).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct RulesView {
    faults: Vec<RuleView>,
}

pub async fn list(State(state): State<AppState>) -> Result<Response, ControlError> {
    let faults = state.faults.list().await?.into_iter().map(view).collect();
    Ok(Json(RulesView { faults }).into_response())
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
    Ok(StatusCode::NO_CONTENT.into_response())
}
