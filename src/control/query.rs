//! The control API's query strings, typed: each endpoint deserialises its own struct (repeated
//! parameters collect into lists; unknown ones are refused, so typos are noticed), and every
//! refusal is a 400 in the control envelope.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::Deserialize;

use super::ControlError;
use crate::domain::{Provider, ResetProduct, Status};

/// The most flow logs one `GET /_flowplane/flow-logs` returns.
pub const MAX_VIEW_LIMIT: u32 = 10_000;
/// How many it returns unless asked.
const DEFAULT_VIEW_LIMIT: u32 = 1000;

/// A query string deserialised into `T`.
pub struct ControlQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ControlQuery<T> {
    type Rejection = ControlError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(ControlQuery)
            .map_err(|err| ControlError::BadParameter(err.to_string()))
    }
}

/// A page size, `1..=MAX_VIEW_LIMIT`.
#[derive(Debug, Clone, Copy)]
pub struct Limit(u32);

impl Limit {
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Limit(DEFAULT_VIEW_LIMIT)
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        value
            .parse()
            .ok()
            .filter(|limit| (1..=MAX_VIEW_LIMIT).contains(limit))
            .map(Limit)
            .ok_or_else(|| D::Error::custom(format!("limit must be 1..={MAX_VIEW_LIMIT}")))
    }
}

pub fn provider<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Provider>, D::Error> {
    let value = String::deserialize(deserializer)?;
    Provider::parse(&value).map(Some).ok_or_else(|| {
        D::Error::custom(format!("provider must be huawei or alibaba, not {value:?}"))
    })
}

pub fn reset_product<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<ResetProduct>, D::Error> {
    let value = String::deserialize(deserializer)?;
    ResetProduct::parse(&value).map(Some).ok_or_else(|| {
        let known: Vec<&str> = ResetProduct::ALL.iter().map(|p| p.as_str()).collect();
        D::Error::custom(format!(
            "product must be one of {}, not {value:?}",
            known.join(", ")
        ))
    })
}

pub fn statuses<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Status>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .into_iter()
        .map(|value| {
            Status::parse(&value)
                .ok_or_else(|| D::Error::custom(format!("unknown status {value:?}")))
        })
        .collect()
}

pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = String::deserialize(deserializer)?;
    value
        .parse()
        .map_err(|_| D::Error::custom(format!("{value:?} is not a whole number")))
}

pub fn optional_whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    whole_number(deserializer).map(Some)
}

/// An RFC 3339 time, or Unix seconds.
pub fn time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let value = String::deserialize(deserializer)?;
    if let Ok(seconds) = value.parse::<i64>() {
        return DateTime::from_timestamp(seconds, 0)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{value} is out of range")));
    }
    DateTime::parse_from_rfc3339(&value)
        .map(|time| Some(time.with_timezone(&Utc)))
        .map_err(|_| D::Error::custom(format!("{value:?} is neither RFC 3339 nor Unix seconds")))
}

pub fn boolean<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value = String::deserialize(deserializer)?;
    value
        .parse()
        .map_err(|_| D::Error::custom(format!("expected true or false, not {value:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Query {
        #[serde(default, deserialize_with = "provider")]
        provider: Option<Provider>,
        #[serde(default, deserialize_with = "statuses")]
        status: Vec<Status>,
        #[serde(default)]
        limit: Limit,
        #[serde(default, deserialize_with = "boolean")]
        all: bool,
    }

    fn parse(query: &str) -> Result<Query, String> {
        serde_html_form::from_str(query).map_err(|err| err.to_string())
    }

    #[test]
    fn typed_queries_parse_and_collect_repeats() {
        let query =
            parse("provider=alibaba&status=active&status=inactive&limit=5&all=true").unwrap();
        assert_eq!(query.provider, Some(Provider::Alibaba));
        assert_eq!(query.status, vec![Status::Active, Status::Inactive]);
        assert_eq!(query.limit.get(), 5);
        assert!(query.all);
        let query = parse("").unwrap();
        assert_eq!(
            (query.provider, query.limit.get(), query.all),
            (None, 1000, false)
        );
    }

    #[test]
    fn bad_values_and_unknown_names_are_refused_with_a_reason() {
        for (query, reason) in [
            ("provider=aws", "provider must be huawei or alibaba"),
            ("status=ACTIVE", "unknown status"),
            ("limit=0", "limit must be 1..=10000"),
            ("all=yes", "expected true or false"),
            ("everything=1", "unknown field"),
        ] {
            let err = parse(query).unwrap_err();
            assert!(err.contains(reason), "{query}: {err}");
        }
    }
}
