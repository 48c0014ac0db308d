//! What LTS reads from a request, in LTS's envelope whatever goes wrong: the project and ids of
//! the path, and a JSON object body whose fields are read loosely typed, as LTS's own examples
//! and the SDKs send them (numbers as strings and the other way round; reference §0.9).

use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use super::errors::{self, LtsError};
use crate::domain::{Tag, TenantScope};
use crate::huawei::gateway::is_project_id;

/// The project of the URL (`/v2/{project_id}/…`, `/v1/{project_id}/…`) and the path's group
/// and stream ids, each checked to be 36 characters of hex digits and dashes.
pub struct LtsPath {
    pub scope: TenantScope,
    pub group_id: Option<String>,
    pub stream_id: Option<String>,
}

impl LtsPath {
    pub fn group(&self) -> &str {
        self.group_id.as_deref().unwrap_or_default()
    }

    pub fn stream(&self) -> &str {
        self.stream_id.as_deref().unwrap_or_default()
    }
}

/// A group's or stream's id: a UUID as LTS writes them (36 characters).
pub fn is_lts_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

impl<S: Send + Sync> FromRequestParts<S> for LtsPath {
    type Rejection = LtsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params: Result<RawPathParams, RawPathParamsRejection> =
            RawPathParams::from_request_parts(parts, state).await;
        let params: Vec<(String, Option<String>)> = params
            .map(|params| {
                params
                    .iter()
                    .map(|(name, value)| {
                        let decoded = percent_decode_str(value)
                            .decode_utf8()
                            .ok()
                            .map(|v| v.into_owned());
                        (name.to_owned(), decoded)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, value)| value.clone())
        };
        let scope = match get("project_id") {
            Some(Some(project)) if is_project_id(&project) => TenantScope::huawei_project(project),
            _ => return Err(errors::invalid_project()),
        };
        let id = |name: &str| -> Result<Option<String>, LtsError> {
            match get(name) {
                None => Ok(None),
                Some(Some(id)) if is_lts_id(&id) => Ok(Some(id)),
                Some(_) => Err(errors::malformed_id()),
            }
        };
        Ok(LtsPath {
            group_id: id("group_id")?,
            stream_id: id("stream_id")?,
            scope,
        })
    }
}

/// A JSON object body, or 400 LTS.0007.
pub fn object(body: &Bytes) -> Result<Map<String, Value>, LtsError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(errors::not_json()),
    }
}

/// A whole number, given as a JSON number or a decimal string; `Err` when present but not one.
pub fn integer(body: &Map<String, Value>, field: &str) -> Result<Option<i64>, LtsError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| errors::invalid(field)),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 20 {
                return Err(errors::invalid(field));
            }
            s.parse::<i64>()
                .map(Some)
                .map_err(|_| errors::invalid(field))
        }
        Some(_) => Err(errors::invalid(field)),
    }
}

/// A boolean, given as JSON or as `"true"`/`"false"`.
pub fn boolean(body: &Map<String, Value>, field: &str) -> Result<Option<bool>, LtsError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(errors::invalid(field)),
    }
}

/// A string field.
pub fn text<'a>(body: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, LtsError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(errors::invalid(field)),
    }
}

/// A group or stream name: 1–64 characters of letters, digits, `_`, `-`, `.` and CJK, not
/// starting with `_` or `.`, not ending with `.` (reference §3.1, §10.4).
pub fn is_name(name: &str) -> bool {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '.')
            || ('\u{4e00}'..='\u{9fa5}').contains(&c)
    };
    let count = name.chars().count();
    (1..=64).contains(&count)
        && name.chars().all(allowed)
        && !name.starts_with(['_', '.'])
        && !name.ends_with('.')
}

/// The name `field` of a create body, or LTS.0009.
pub fn name(body: &Map<String, Value>, field: &str) -> Result<String, LtsError> {
    match text(body, field)? {
        Some(name) if is_name(name) => Ok(name.to_owned()),
        _ => Err(errors::invalid(field)),
    }
}

/// The optional alias `field`: 1–64 characters.
pub fn alias(body: &Map<String, Value>, field: &str) -> Result<Option<String>, LtsError> {
    match text(body, field)? {
        None => Ok(None),
        Some(alias) if (1..=64).contains(&alias.chars().count()) => Ok(Some(alias.to_owned())),
        Some(_) => Err(errors::invalid(field)),
    }
}

/// The optional `tags` list `[{key, value}]`: at most 20, keys 1–128 characters not starting with
/// `_sys_` and unique, values up to 255; sorted by key.
pub fn tags(body: &Map<String, Value>) -> Result<Vec<Tag>, LtsError> {
    let list = match body.get("tags") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) if list.len() <= 20 => list,
        Some(_) => return Err(errors::invalid("tags")),
    };
    let mut tags = Vec::with_capacity(list.len());
    for item in list {
        let Value::Object(item) = item else {
            return Err(errors::invalid("tags"));
        };
        let key = text(item, "key")?.unwrap_or_default();
        let value = text(item, "value")?.unwrap_or_default();
        if key.is_empty()
            || key.chars().count() > 128
            || key.starts_with("_sys_")
            || value.chars().count() > 255
        {
            return Err(errors::invalid("tags"));
        }
        tags.push(Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    if tags.windows(2).any(|pair| pair[0].key == pair[1].key) {
        return Err(errors::invalid("tags"));
    }
    Ok(tags)
}

/// `ttl_in_days` of a group (1..=365), required.
pub fn group_ttl(body: &Map<String, Value>) -> Result<u32, LtsError> {
    match integer(body, "ttl_in_days")? {
        Some(days @ 1..=365) => Ok(days as u32),
        _ => Err(errors::invalid("ttl_in_days")),
    }
}
