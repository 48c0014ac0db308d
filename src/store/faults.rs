//! Fault rules: their statements and [`FaultRepository`].

use std::time::Duration;

use super::row::{from_millis, to_millis, Text};
use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::domain::faults::{
    DeliveryFault, FaultEffect, FaultMatch, FaultRule, FaultRuleId, Firing, NewFaultRule,
};
use crate::domain::repository::FaultRepository;
use crate::domain::{Provider, StorageError, TransitionKind};

const COLUMNS: &str = "id, created_at, face, product, operation, provider, kind, tenant, region, \
    resource_id, effect, status, code, message, duration_ms, times, remaining, probability, seed, \
    matched, fired";

impl FaultRepository for Store {
    async fn insert_fault_rule(&self, rule: &FaultRule, max: usize) -> Result<bool, StorageError> {
        let inserted = with_db!(self, write, |db| { db.execute(insert(rule, max)).await? });
        Ok(inserted > 0)
    }

    async fn fault_rules(&self) -> Result<Vec<FaultRule>, StorageError> {
        let rows: Vec<RuleRow> = with_db!(self, read, |db| {
            db.fetch_all(Sql::new(format!(
                "SELECT {COLUMNS} FROM fault_rules ORDER BY seq"
            )))
            .await?
        });
        rows.into_iter().map(FaultRule::try_from).collect()
    }

    async fn delete_fault_rules(&self, id: Option<&FaultRuleId>) -> Result<u64, StorageError> {
        Ok(with_db!(self, write, |db| {
            db.execute(delete(id)).await?
        }))
    }

    async fn match_fault(&self, id: &FaultRuleId) -> Result<Option<u64>, StorageError> {
        let matched: Option<(i64,)> = with_db!(self, write, |db| {
            db.fetch_optional(count_match(id)).await?
        });
        Ok(matched.map(|(n,)| u64::try_from(n).unwrap_or(0)))
    }

    async fn fire_fault(&self, id: &FaultRuleId, also_match: bool) -> Result<bool, StorageError> {
        let fired = with_db!(self, write, |db| {
            db.execute(count_firing(id, also_match)).await?
        });
        Ok(fired > 0)
    }
}

fn delete<DB: Dialect>(id: Option<&FaultRuleId>) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM fault_rules");
    if let Some(id) = id {
        sql.push(" WHERE id = ").text(id.as_str());
    }
    sql
}

/// Counts a match of a rule that can still fire; the statement returns the match's number.
fn count_match<DB: Dialect>(id: &FaultRuleId) -> Sql<DB> {
    let mut sql = Sql::new("UPDATE fault_rules SET matched = matched + 1 WHERE id = ");
    sql.text(id.as_str())
        .push(" AND (remaining IS NULL OR remaining > 0) RETURNING matched");
    sql
}

/// Counts a firing of a rule that can still fire (`remaining` NULL stays NULL).
fn count_firing<DB: Dialect>(id: &FaultRuleId, also_match: bool) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "UPDATE fault_rules SET fired = fired + 1, remaining = remaining - 1{} WHERE id = ",
        if also_match {
            ", matched = matched + 1"
        } else {
            ""
        }
    ));
    sql.text(id.as_str())
        .push(" AND (remaining IS NULL OR remaining > 0)");
    sql
}

/// Inserts the rule unless `max` rules exist.
fn insert<DB: Dialect>(rule: &FaultRule, max: usize) -> Sql<DB> {
    let NewFaultRule {
        matches,
        effect,
        firing,
    } = &rule.rule;
    let (status, code, message, duration) = match effect {
        FaultEffect::Throttle { retry_after } => (None, None, None, Some(*retry_after)),
        FaultEffect::Error {
            status,
            code,
            message,
        } => (
            Some(i64::from(*status)),
            Some(code.as_str()),
            Some(message.as_str()),
            None,
        ),
        FaultEffect::Latency(latency) => (None, None, None, Some(*latency)),
        FaultEffect::Fail(fault) => (None, Some(fault.as_str()), None, None),
        FaultEffect::Drop | FaultEffect::Stuck | FaultEffect::TransitionFailure => {
            (None, None, None, None)
        }
    };
    let to_i64 = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    let mut sql = Sql::new(format!("INSERT INTO fault_rules ({COLUMNS}) SELECT "));
    sql.text(rule.id.as_str())
        .push(", ")
        .int(to_millis(rule.created_at))
        .push(", ")
        .opt_text(matches.face.as_deref())
        .push(", ")
        .opt_text(matches.product.as_deref())
        .push(", ")
        .opt_text(matches.operation.as_deref())
        .push(", ")
        .opt_text(matches.provider.map(Provider::as_str))
        .push(", ")
        .opt_text(matches.kind.map(TransitionKind::as_str))
        .push(", ")
        .opt_text(matches.tenant.as_deref())
        .push(", ")
        .opt_text(matches.region.as_deref())
        .push(", ")
        .opt_text(matches.resource_id.as_deref())
        .push(", ")
        .text(effect.name())
        .push(", ")
        .opt_int(status)
        .push(", ")
        .opt_text(code)
        .push(", ")
        .opt_text(message)
        .push(", ")
        .opt_int(duration.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)))
        .push(", ")
        .opt_int(firing.times.map(to_i64))
        .push(", ")
        .opt_int(rule.remaining.map(to_i64))
        .push(", ")
        .opt_int(firing.probability.map(i64::from))
        .push(", ")
        // The seed's bits, as the signed column holds them.
        .int(firing.seed as i64)
        .push(", ")
        .int(to_i64(rule.matched))
        .push(", ")
        .int(to_i64(rule.fired))
        .push(" WHERE (SELECT COUNT(*) FROM fault_rules) < ")
        .int(to_i64(max as u64));
    sql
}

/// A stored rule's columns (the snapshot's fault-rule section checks its rows through it).
#[derive(sqlx::FromRow)]
pub(super) struct RuleRow {
    pub id: Text,
    pub created_at: i64,
    pub face: Option<Text>,
    pub product: Option<Text>,
    pub operation: Option<Text>,
    pub provider: Option<Text>,
    pub kind: Option<Text>,
    pub tenant: Option<Text>,
    pub region: Option<Text>,
    pub resource_id: Option<Text>,
    pub effect: Text,
    pub status: Option<i64>,
    pub code: Option<Text>,
    pub message: Option<Text>,
    pub duration_ms: Option<i64>,
    pub times: Option<i64>,
    pub remaining: Option<i64>,
    pub probability: Option<i64>,
    pub seed: i64,
    pub matched: i64,
    pub fired: i64,
}

/// A stored rule back as the domain's.
pub(super) fn decode(row: RuleRow) -> Result<FaultRule, StorageError> {
    FaultRule::try_from(row)
}

impl TryFrom<RuleRow> for FaultRule {
    type Error = StorageError;

    fn try_from(row: RuleRow) -> Result<Self, StorageError> {
        let corrupt =
            |what: &str| StorageError::Corrupt(format!("fault rule {}: {what}", row.id.0));
        let text = |value: &Option<Text>| value.as_ref().map(|text| text.0.clone());
        let duration = || {
            row.duration_ms
                .and_then(|ms| u64::try_from(ms).ok())
                .map(Duration::from_millis)
                .ok_or_else(|| corrupt("duration_ms"))
        };
        let effect = match row.effect.0.as_str() {
            "throttle" => FaultEffect::Throttle {
                retry_after: duration()?,
            },
            "error" => FaultEffect::Error {
                status: row
                    .status
                    .and_then(|status| u16::try_from(status).ok())
                    .ok_or_else(|| corrupt("status"))?,
                code: text(&row.code).ok_or_else(|| corrupt("code"))?,
                message: text(&row.message).unwrap_or_default(),
            },
            "latency" => FaultEffect::Latency(duration()?),
            "drop" => FaultEffect::Drop,
            "stuck" => FaultEffect::Stuck,
            "transition_failure" => FaultEffect::TransitionFailure,
            "fail" => FaultEffect::Fail(
                row.code
                    .as_ref()
                    .and_then(|code| DeliveryFault::parse(&code.0))
                    .ok_or_else(|| corrupt("code"))?,
            ),
            _ => return Err(corrupt("effect")),
        };
        let count = |value: i64| u64::try_from(value).unwrap_or(0);
        let provider = match &row.provider {
            Some(provider) => {
                Some(Provider::parse(&provider.0).ok_or_else(|| corrupt("provider"))?)
            }
            None => None,
        };
        let kind = match &row.kind {
            Some(kind) => Some(TransitionKind::parse(&kind.0).ok_or_else(|| corrupt("kind"))?),
            None => None,
        };
        Ok(FaultRule {
            rule: NewFaultRule {
                matches: FaultMatch {
                    face: text(&row.face),
                    product: text(&row.product),
                    operation: text(&row.operation),
                    provider,
                    kind,
                    tenant: text(&row.tenant),
                    region: text(&row.region),
                    resource_id: text(&row.resource_id),
                },
                effect,
                firing: Firing {
                    times: row.times.map(count),
                    probability: row
                        .probability
                        .map(|p| u32::try_from(p).map_err(|_| corrupt("probability")))
                        .transpose()?,
                    seed: row.seed as u64,
                },
            },
            remaining: row.remaining.map(count),
            matched: count(row.matched),
            fired: count(row.fired),
            created_at: from_millis(row.created_at)?,
            id: FaultRuleId::new(row.id.0),
        })
    }
}
