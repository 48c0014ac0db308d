//! The fault rules' service: adds, lists and removes rules, and decides for each request and
//! each scheduled transition whether a rule fires. Rules live in the database, so every process
//! sharing it applies them; each process keeps a copy that it reloads at most every
//! [`RULES_REFRESH`] (at once after its own changes), so a request without a matching rule costs
//! no database round trip. Whether a matching rule fires is decided in the database, by one
//! conditional update of its counters, so a rule for the next N matches fires N times in all,
//! across processes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::error::DomainError;
use super::faults::{
    FaultEffect, FaultRefused, FaultRule, FaultRuleId, NewFaultRule, RequestFacts, TransitionFacts,
    TransitionOutcome, MAX_FAULT_RULES,
};
use super::repository::FaultRepository;

/// How stale a process's copy of the rules may be: a rule added through another process
/// applies here within this long.
pub const RULES_REFRESH: Duration = Duration::from_secs(1);

/// What the rules make of one request.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RequestFault {
    /// Added before the request is served (the sum of every firing latency rule).
    pub latency: Duration,
    /// The first firing rule that answers in the request's place: an error, throttling, or a
    /// dropped connection.
    pub answer: Option<FaultEffect>,
}

#[derive(Clone)]
pub struct FaultService<R> {
    store: R,
    cache: Arc<Cache>,
}

struct Cache {
    rules: RwLock<Loaded>,
    /// Set by this process's own changes and by a claim the database refused (the copy said
    /// the rule could still fire).
    stale: AtomicBool,
    reloading: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Loaded {
    at: Option<Instant>,
    rules: Arc<[FaultRule]>,
}

impl<R: FaultRepository + Clone> FaultService<R> {
    pub fn new(store: R) -> Self {
        Self {
            store,
            cache: Arc::new(Cache {
                rules: RwLock::new(Loaded {
                    at: None,
                    rules: Arc::from(Vec::new()),
                }),
                stale: AtomicBool::new(true),
                reloading: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Adds a rule; refused when it does not hold together, or when [`MAX_FAULT_RULES`] exist.
    pub async fn add(
        &self,
        rule: NewFaultRule,
    ) -> Result<Result<FaultRule, FaultRefused>, DomainError> {
        if let Err(refused) = rule.check() {
            return Ok(Err(refused));
        }
        let stored = FaultRule {
            id: FaultRuleId::generate(),
            remaining: rule.firing.times,
            rule,
            matched: 0,
            fired: 0,
            created_at: Utc::now(),
        };
        let added = self.store.insert_fault_rule(&stored, MAX_FAULT_RULES).await;
        self.cache.stale.store(true, Ordering::Release);
        if !added? {
            return Ok(Err(FaultRefused(format!(
                "at most {MAX_FAULT_RULES} fault rules may exist at once"
            ))));
        }
        Ok(Ok(stored))
    }

    /// Every rule, oldest first, with its counters as the database has them.
    pub async fn list(&self) -> Result<Vec<FaultRule>, DomainError> {
        Ok(self.store.fault_rules().await?)
    }

    /// Removes one rule (`Some`) or all; how many were removed.
    pub async fn remove(&self, id: Option<&FaultRuleId>) -> Result<u64, DomainError> {
        let removed = self.store.delete_fault_rules(id).await;
        self.cache.stale.store(true, Ordering::Release);
        Ok(removed?)
    }

    /// Drops this process's copy of the rules: the database's changed behind the service (an
    /// imported snapshot).
    pub fn forget(&self) {
        self.cache.stale.store(true, Ordering::Release);
    }

    /// Whether no request rule can fire, as this process's fresh copy of the rules says: the
    /// fault layer then lets a request through without building its facts or reading anything.
    pub fn no_request_rules(&self) -> bool {
        self.fresh().is_some_and(|rules| {
            !rules
                .iter()
                .any(|rule| rule.live() && !rule.rule.effect.on_transitions())
        })
    }

    /// What the rules do to a request.
    pub async fn on_request(&self, facts: &RequestFacts<'_>) -> Result<RequestFault, DomainError> {
        let rules = self.rules().await?;
        let mut fault = RequestFault::default();
        for rule in rules.iter().filter(|rule| {
            rule.live()
                && !rule.rule.effect.on_transitions()
                && rule.rule.matches.matches_request(facts)
        }) {
            if !self.fires(rule).await? {
                continue;
            }
            match &rule.rule.effect {
                FaultEffect::Latency(latency) => fault.latency += *latency,
                answer => {
                    fault.answer = Some(answer.clone());
                    break;
                }
            }
        }
        Ok(fault)
    }

    /// What the first rule that fires does to a transition about to be scheduled (it sticks,
    /// or the flow log's delivery fails).
    pub async fn on_transition(
        &self,
        facts: &TransitionFacts<'_>,
    ) -> Result<Option<TransitionOutcome>, DomainError> {
        let rules = self.rules().await?;
        for rule in rules.iter().filter(|rule| rule.live()) {
            let Some(outcome) = rule.rule.effect.on_transition(facts.kind, facts.activation) else {
                continue;
            };
            if rule.rule.matches.matches_transition(facts) && self.fires(rule).await? {
                return Ok(Some(outcome));
            }
        }
        Ok(None)
    }

    /// Counts a match of `rule` in the database and decides whether it fires: always, or by the
    /// seeded draw for this match's number; a rule with a firing limit fires only while the
    /// database says some are left.
    async fn fires(&self, rule: &FaultRule) -> Result<bool, DomainError> {
        let firing = rule.rule.firing;
        let (live, fired) = if firing.probability.is_none() {
            let fired = self.store.fire_fault(&rule.id, true).await?;
            (fired, fired)
        } else {
            match self.store.match_fault(&rule.id).await? {
                Some(n) if firing.draw(n) => {
                    let fired = self.store.fire_fault(&rule.id, false).await?;
                    (fired, fired)
                }
                Some(_) => (true, false),
                None => (false, false),
            }
        };
        if !live {
            // Spent or removed (by another process, or by this one's earlier firings): the
            // copy is out of date.
            self.cache.stale.store(true, Ordering::Release);
        }
        Ok(fired)
    }

    /// This process's copy of the rules, reloaded when stale or older than [`RULES_REFRESH`].
    async fn rules(&self) -> Result<Arc<[FaultRule]>, DomainError> {
        if let Some(rules) = self.fresh() {
            return Ok(rules);
        }
        let _reloading = self.cache.reloading.lock().await;
        if let Some(rules) = self.fresh() {
            return Ok(rules);
        }
        self.cache.stale.store(false, Ordering::Release);
        let loaded = match self.store.fault_rules().await {
            Ok(rules) => rules,
            Err(err) => {
                self.cache.stale.store(true, Ordering::Release);
                return Err(err.into());
            }
        };
        let rules: Arc<[FaultRule]> = Arc::from(loaded);
        *self
            .cache
            .rules
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Loaded {
            at: Some(Instant::now()),
            rules: Arc::clone(&rules),
        };
        Ok(rules)
    }

    fn fresh(&self) -> Option<Arc<[FaultRule]>> {
        if self.cache.stale.load(Ordering::Acquire) {
            return None;
        }
        let loaded = self
            .cache
            .rules
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        loaded
            .at
            .filter(|at| at.elapsed() < RULES_REFRESH)
            .map(|_| loaded.rules)
    }
}
