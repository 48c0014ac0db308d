//! Fault rules: what an operator asks the emulator to get wrong on purpose, and when. A rule
//! matches either requests (by face, product, operation, tenant, region, a resource id the call
//! names) or transitions (by provider, kind, tenant, region, resource id); it fires every time,
//! for the next N matches, or with a seeded probability; its effect is an error, added latency,
//! a dropped connection, or a transition that sticks or fails.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

pub use super::model::DeliveryFault;
use super::model::Provider;
use super::transition_settings::TransitionKind;

/// How many rules may exist at once: every request is matched against all of them.
pub const MAX_FAULT_RULES: usize = 1000;
/// The longest latency a rule may add (the request deadline usually cuts in first).
pub const MAX_FAULT_LATENCY: Duration = Duration::from_secs(600);
/// Probabilities are kept to the millionth.
pub const PROBABILITY_SCALE: u32 = 1_000_000;

/// A rule's id: `fault-` and 16 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FaultRuleId(String);

impl FaultRuleId {
    pub fn generate() -> Self {
        let uuid = uuid::Uuid::new_v4().simple().to_string();
        Self(format!("fault-{}", &uuid[..16]))
    }

    pub fn new(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FaultRuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a rule does when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultEffect {
    /// The face's own throttling error (Huawei 429 `APIGW.0308`, Alibaba `Throttling.User` with
    /// `x-acs-retry-after`, SLS `ReadQuotaExceed`/`WriteQuotaExceed`).
    Throttle { retry_after: Duration },
    /// A cloud error of the operator's choosing, in the product's envelope.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// The request is served after this much more time.
    Latency(Duration),
    /// The connection is closed without an answer.
    Drop,
    /// The transition does not complete by itself (only `tick?all=true` completes it).
    Stuck,
    /// The flow log's delivery fails (Huawei `ERROR`, Alibaba `FlowLogDeliverStatus FAILED`).
    Fail(DeliveryFault),
    /// SPEC's `transition_failure`: the next transition fails as the cloud reports it: a flow
    /// log's activation fails its delivery (`UnknownError`), a network resource's transition
    /// sticks (neither cloud has a failed state for them).
    TransitionFailure,
}

/// What a transition rule does to one transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionOutcome {
    /// It never comes due by itself.
    Stuck,
    /// It completes, and the flow log's delivery fails.
    DeliveryFails(DeliveryFault),
}

impl FaultEffect {
    /// The effect's name in the control API and the database.
    pub fn name(&self) -> &'static str {
        match self {
            FaultEffect::Throttle { .. } => "throttle",
            FaultEffect::Error { .. } => "error",
            FaultEffect::Latency(_) => "latency",
            FaultEffect::Drop => "drop",
            FaultEffect::Stuck => "stuck",
            FaultEffect::Fail(_) => "fail",
            FaultEffect::TransitionFailure => "transition_failure",
        }
    }

    /// Whether the rule matches transitions (else requests).
    pub fn on_transitions(&self) -> bool {
        matches!(
            self,
            FaultEffect::Stuck | FaultEffect::Fail(_) | FaultEffect::TransitionFailure
        )
    }

    /// What the effect does to a transition of `kind` (`activation`: a flow log's create or
    /// activation); `None` when it does not apply to it (a failed delivery is an activation's).
    pub fn on_transition(
        &self,
        kind: TransitionKind,
        activation: bool,
    ) -> Option<TransitionOutcome> {
        let flow_log = kind == TransitionKind::FlowLog;
        match self {
            FaultEffect::Stuck => Some(TransitionOutcome::Stuck),
            FaultEffect::Fail(fault) if flow_log && activation => {
                Some(TransitionOutcome::DeliveryFails(*fault))
            }
            FaultEffect::TransitionFailure if flow_log && activation => Some(
                TransitionOutcome::DeliveryFails(DeliveryFault::UnknownError),
            ),
            FaultEffect::TransitionFailure if !flow_log => Some(TransitionOutcome::Stuck),
            _ => None,
        }
    }
}

/// What a rule matches; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultMatch {
    /// Requests: `huawei`, `alibaba` or `sls`.
    pub face: Option<String>,
    /// Requests: the product (`vpc`, `iam`, `lts`, `ecs`, …).
    pub product: Option<String>,
    /// Requests: the operation or action (`CreateFlowLog`, `ListFlowLogs`, …).
    pub operation: Option<String>,
    /// Transitions: the provider.
    pub provider: Option<Provider>,
    /// Transitions: the kind of resource.
    pub kind: Option<TransitionKind>,
    /// A Huawei project id or an Alibaba account id.
    pub tenant: Option<String>,
    pub region: Option<String>,
    /// A resource id the request names, or the transitioning resource's (or, for a flow log,
    /// the resource it captures).
    pub resource_id: Option<String>,
}

/// When a matching rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Firing {
    /// Only for this many more firings (`None`: no limit).
    pub times: Option<u64>,
    /// With this probability, in millionths (`None`: always).
    pub probability: Option<u32>,
    /// The seed of the probability's draws: the n-th match of a rule fires or not the same way
    /// in every run.
    pub seed: u64,
}

impl Firing {
    /// Whether the `n`-th match (counted from 1) fires.
    pub fn draw(&self, n: u64) -> bool {
        let Some(probability) = self.probability else {
            return true;
        };
        let mut hash = Sha256::new();
        hash.update(self.seed.to_be_bytes());
        hash.update(n.to_be_bytes());
        let digest = hash.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let draw = u64::from_be_bytes(first) % u64::from(PROBABILITY_SCALE);
        draw < u64::from(probability)
    }
}

/// A rule to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFaultRule {
    pub matches: FaultMatch,
    pub effect: FaultEffect,
    pub firing: Firing,
}

/// A stored rule, with how often it matched and fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub id: FaultRuleId,
    pub rule: NewFaultRule,
    /// Firings left (`None`: unlimited).
    pub remaining: Option<u64>,
    pub matched: u64,
    pub fired: u64,
    pub created_at: DateTime<Utc>,
}

impl FaultRule {
    /// Whether it can still fire.
    pub fn live(&self) -> bool {
        self.remaining != Some(0)
    }
}

/// Why a rule is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRefused(pub String);

impl fmt::Display for FaultRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl NewFaultRule {
    /// Checks that the match fits the effect and that the effect is one the provider can show.
    pub fn check(&self) -> Result<(), FaultRefused> {
        let refuse = |message: &str| Err(FaultRefused(message.to_owned()));
        let m = &self.matches;
        if self.effect.on_transitions() {
            if m.product.is_some() || m.operation.is_some() {
                return refuse(
                    "a transition rule matches by face (huawei or alibaba), kind, tenant, region \
                     and resource_id, not product or operation",
                );
            }
        } else if m.kind.is_some() {
            return refuse("kind is for transition rules (stuck, fail, transition_failure)");
        }
        if let Some(face) = &m.face {
            if !["huawei", "alibaba", "sls"].contains(&face.as_str()) {
                return refuse("face must be huawei, alibaba or sls");
            }
        }
        match &self.effect {
            FaultEffect::Error { status, code, .. } => {
                if !(400..=599).contains(status) {
                    return refuse("status must be an HTTP error status, 400 to 599");
                }
                if code.trim().is_empty() {
                    return refuse("an error rule needs a code");
                }
            }
            FaultEffect::Latency(latency) => {
                if latency.is_zero() || *latency > MAX_FAULT_LATENCY {
                    return refuse("latency must be more than zero and at most 10m");
                }
            }
            FaultEffect::Stuck => {
                if m.provider == Some(Provider::Huawei) && m.kind == Some(TransitionKind::FlowLog) {
                    return refuse(
                        "a Huawei flow log has no pending state on the wire, so it cannot stick; \
                         use effect fail (status ERROR)",
                    );
                }
            }
            FaultEffect::Fail(_) => {
                if m.kind != Some(TransitionKind::FlowLog) {
                    return refuse(
                        "effect fail is for flow logs (kind flow_log): their delivery fails; a \
                         VPC, subnet or interface has no failed state on either cloud (use stuck)",
                    );
                }
            }
            FaultEffect::Throttle { .. } | FaultEffect::Drop | FaultEffect::TransitionFailure => {}
        }
        if self.firing.times == Some(0) {
            return refuse("times must be at least 1");
        }
        if let Some(probability) = self.firing.probability {
            if probability == 0 || probability > PROBABILITY_SCALE {
                return refuse("probability must be more than 0 and at most 1");
            }
        }
        Ok(())
    }
}

/// What is known about a request when the fault layer sees it.
pub struct RequestFacts<'a> {
    pub face: &'a str,
    pub product: Option<&'a str>,
    pub operation: Option<&'a str>,
    pub tenant: Option<&'a str>,
    pub region: Option<&'a str>,
    /// Whether the request names this resource id (in its path or parameters).
    pub names: &'a (dyn Fn(&str) -> bool + Sync),
}

/// What is known about a transition about to be scheduled.
pub struct TransitionFacts<'a> {
    pub provider: Provider,
    pub kind: TransitionKind,
    pub tenant: &'a str,
    pub region: &'a str,
    /// The resource's id (none before a create), and the resource a flow log captures.
    pub resource_ids: &'a [&'a str],
    /// Whether it is a flow log's activation (create or activate), the one a delivery can fail.
    pub activation: bool,
}

fn matches_text(wanted: &Option<String>, actual: Option<&str>) -> bool {
    wanted
        .as_deref()
        .is_none_or(|wanted| Some(wanted) == actual)
}

impl FaultMatch {
    pub fn matches_request(&self, facts: &RequestFacts<'_>) -> bool {
        matches_text(&self.face, Some(facts.face))
            && matches_text(&self.product, facts.product)
            && matches_text(&self.operation, facts.operation)
            && matches_text(&self.tenant, facts.tenant)
            && matches_text(&self.region, facts.region)
            && self
                .resource_id
                .as_deref()
                .is_none_or(|id| (facts.names)(id))
    }

    pub fn matches_transition(&self, facts: &TransitionFacts<'_>) -> bool {
        self.provider.is_none_or(|p| p == facts.provider)
            && self.kind.is_none_or(|k| k == facts.kind)
            && matches_text(&self.tenant, Some(facts.tenant))
            && matches_text(&self.region, Some(facts.region))
            && self
                .resource_id
                .as_deref()
                .is_none_or(|id| facts.resource_ids.contains(&id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_repeat_for_a_seed_and_follow_the_probability() {
        let firing = Firing {
            times: None,
            probability: Some(PROBABILITY_SCALE / 4),
            seed: 42,
        };
        let first: Vec<bool> = (1..=1000).map(|n| firing.draw(n)).collect();
        let again: Vec<bool> = (1..=1000).map(|n| firing.draw(n)).collect();
        assert_eq!(first, again);
        let fired = first.iter().filter(|&&fired| fired).count();
        assert!((180..=320).contains(&fired), "{fired} of 1000 at 25%");
        let other = Firing { seed: 43, ..firing };
        let differently: Vec<bool> = (1..=1000).map(|n| other.draw(n)).collect();
        assert_ne!(first, differently);
        assert!(Firing::default().draw(7), "no probability: always");
    }

    #[test]
    fn a_rule_matches_requests_or_transitions_not_both() {
        let request_match_on_transition = NewFaultRule {
            matches: FaultMatch {
                operation: Some("CreateVpc".into()),
                kind: Some(TransitionKind::FlowLog),
                ..FaultMatch::default()
            },
            effect: FaultEffect::Stuck,
            firing: Firing::default(),
        };
        assert!(request_match_on_transition.check().is_err());
        let huawei_stuck = NewFaultRule {
            matches: FaultMatch {
                provider: Some(Provider::Huawei),
                kind: Some(TransitionKind::FlowLog),
                ..FaultMatch::default()
            },
            effect: FaultEffect::Stuck,
            firing: Firing::default(),
        };
        assert!(huawei_stuck.check().is_err());
        let huawei_fail = NewFaultRule {
            effect: FaultEffect::Fail(DeliveryFault::UnknownError),
            ..huawei_stuck
        };
        assert_eq!(huawei_fail.check(), Ok(()));
    }
}
