//! Snapshots of the world: a versioned JSON document holding every stored thing of a scope (a
//! provider, a tenant, or everything), which `GET /_flowplane/snapshot` exports,
//! `POST /_flowplane/snapshot` imports and `--seed` loads at start.
//!
//! The domain owns the document's envelope (format, version, scope, what it holds) and the
//! rules of an import; the rows of its sections are the store's, one section per table, each a
//! JSON array of objects (`src/store/snapshot.rs` lists them). The document:
//!
//! ```json
//! {"format": "flowplane-snapshot", "version": 1, "taken_at": "2026-11-29T12:00:00.000Z",
//!  "scope": {"provider": null, "tenant": null, "region": null},
//!  "flow_logs": [{…}], "network_resources": [{…}], …, "records": [{…}]}
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::model::Provider;
use super::reset::{ResetCounts, ResetScope};

/// The `format` of every snapshot document.
pub const SNAPSHOT_FORMAT: &str = "flowplane-snapshot";
/// The newest `version` this Flowplane writes and reads.
pub const SNAPSHOT_VERSION: u64 = 1;

/// The envelope's own keys; every other key of the document is a section.
const ENVELOPE: [&str; 4] = ["format", "version", "taken_at", "scope"];

/// One snapshot: its scope and its sections' rows (as the store wrote them).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub taken_at: DateTime<Utc>,
    /// What it holds: every row of this provider / tenant / region, and nothing else.
    pub scope: ResetScope,
    /// Whether it holds the delivered records too (its `records` section).
    pub records: bool,
    /// Section name → its rows, each a JSON object.
    pub sections: BTreeMap<String, Vec<Value>>,
}

/// How an import meets what is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Everything of the snapshot's scope is removed first (as a reset of that scope would,
    /// transition settings included, issued credentials and nonces not), then the snapshot
    /// is inserted: in one transaction.
    #[default]
    Replace,
    /// The snapshot is inserted beside what is stored; a row whose key is taken is a conflict
    /// and nothing is written.
    Merge,
}

impl ImportMode {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "replace" => Some(ImportMode::Replace),
            "merge" => Some(ImportMode::Merge),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Replace => "replace",
            ImportMode::Merge => "merge",
        }
    }
}

/// Why a document is not a snapshot this Flowplane reads (or not a valid one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidSnapshot(pub String);

fn invalid(message: impl fmt::Display) -> InvalidSnapshot {
    InvalidSnapshot(message.to_string())
}

impl Snapshot {
    /// The document, sections beside the envelope.
    pub fn to_json(&self) -> Value {
        let tenant = self.scope.tenant();
        let mut document = Map::new();
        document.insert("format".into(), SNAPSHOT_FORMAT.into());
        document.insert("version".into(), SNAPSHOT_VERSION.into());
        document.insert(
            "taken_at".into(),
            self.taken_at
                .to_rfc3339_opts(SecondsFormat::Millis, true)
                .into(),
        );
        document.insert(
            "scope".into(),
            serde_json::json!({
                "provider": self.scope.provider().map(Provider::as_str),
                "tenant": tenant.map(|t| t.id.as_str()),
                "region": tenant.and_then(|t| t.region_id.as_deref()),
            }),
        );
        for (name, rows) in &self.sections {
            document.insert(name.clone(), Value::Array(rows.clone()));
        }
        Value::Object(document)
    }

    /// Reads a document: its `format` and `version` first (so that a newer document is
    /// refused as newer, whatever else it holds), then its scope and sections. `taken_at` and
    /// `scope` may be left out (a hand-written seed): now, and everything.
    pub fn from_json(bytes: &[u8]) -> Result<Self, InvalidSnapshot> {
        let document: Value = serde_json::from_slice(bytes)
            .map_err(|err| invalid(format!("the snapshot is not JSON: {err}")))?;
        let Value::Object(mut document) = document else {
            return Err(invalid("a snapshot is a JSON object"));
        };
        match document.get("format") {
            Some(Value::String(format)) if format == SNAPSHOT_FORMAT => {}
            Some(other) => {
                return Err(invalid(format!(
                    "not a Flowplane snapshot: format is {other}, not \"{SNAPSHOT_FORMAT}\""
                )))
            }
            None => {
                return Err(invalid(format!(
                    "not a Flowplane snapshot: no \"format\": \"{SNAPSHOT_FORMAT}\""
                )))
            }
        }
        match document.get("version").map(|v| (v, v.as_u64())) {
            Some((_, Some(SNAPSHOT_VERSION))) => {}
            Some((_, Some(newer))) if newer > SNAPSHOT_VERSION => {
                return Err(invalid(format!(
                    "snapshot format version {newer} is newer than this Flowplane supports \
                     ({SNAPSHOT_VERSION})"
                )))
            }
            Some((other, _)) => {
                return Err(invalid(format!(
                    "snapshot format version {other} is not one this Flowplane reads \
                     (1 to {SNAPSHOT_VERSION})"
                )))
            }
            None => return Err(invalid("the snapshot has no \"version\"")),
        }
        let taken_at = match document.get("taken_at") {
            None | Some(Value::Null) => Utc::now(),
            Some(Value::String(text)) => DateTime::parse_from_rfc3339(text)
                .map_err(|err| invalid(format!("taken_at {text:?} is not RFC 3339: {err}")))?
                .with_timezone(&Utc),
            Some(other) => return Err(invalid(format!("taken_at {other} is not RFC 3339"))),
        };
        let scope = match document.get("scope") {
            None | Some(Value::Null) => ResetScope::all(),
            Some(scope) => parse_scope(scope)?,
        };
        for key in ENVELOPE {
            document.remove(key);
        }
        let mut sections = BTreeMap::new();
        for (name, rows) in document {
            let Value::Array(rows) = rows else {
                return Err(invalid(format!("section {name:?} is not an array of rows")));
            };
            if let Some(index) = rows.iter().position(|row| !row.is_object()) {
                return Err(invalid(format!(
                    "row {index} of section {name:?} is not a JSON object"
                )));
            }
            sections.insert(name, rows);
        }
        Ok(Snapshot {
            taken_at,
            scope,
            records: sections.contains_key("records"),
            sections,
        })
    }
}

fn parse_scope(scope: &Value) -> Result<ResetScope, InvalidSnapshot> {
    let Value::Object(scope) = scope else {
        return Err(invalid(
            "scope is {\"provider\", \"tenant\", \"region\"}, each a string or null",
        ));
    };
    let mut fields = [None, None, None];
    for (key, value) in scope {
        let slot = match key.as_str() {
            "provider" => 0,
            "tenant" => 1,
            "region" => 2,
            other => return Err(invalid(format!("scope has an unknown field {other:?}"))),
        };
        fields[slot] = match value {
            Value::Null => None,
            Value::String(text) => Some(text.clone()),
            other => return Err(invalid(format!("scope.{key} is {other}, not a string"))),
        };
    }
    let [provider, tenant, region] = fields;
    let provider = provider
        .map(|p| {
            Provider::parse(&p).ok_or_else(|| {
                invalid(format!(
                    "scope.provider must be huawei or alibaba, not {p:?}"
                ))
            })
        })
        .transpose()?;
    ResetScope::new(provider, tenant, region, None).map_err(|err| invalid(format!("scope: {err}")))
}

/// What an import did: rows inserted per section, and (replace) rows removed per kind first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub imported: ResetCounts,
    pub deleted: ResetCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Snapshot, InvalidSnapshot> {
        Snapshot::from_json(text.as_bytes())
    }

    fn message(result: Result<Snapshot, InvalidSnapshot>) -> String {
        match result {
            Err(InvalidSnapshot(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_newer_version_is_refused_as_newer_whatever_it_holds() {
        let text = r#"{"format": "flowplane-snapshot", "version": 2, "scope": 7, "x": 1}"#;
        assert_eq!(
            message(read(text)),
            "snapshot format version 2 is newer than this Flowplane supports (1)"
        );
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(message(read("[]")).contains("JSON object"));
        assert!(message(read("{")).contains("not JSON"));
        assert!(message(read(r#"{"format": "other", "version": 1}"#)).contains("format"));
        assert!(message(read(r#"{"format": "flowplane-snapshot"}"#)).contains("version"));
        assert!(
            message(read(r#"{"format": "flowplane-snapshot", "version": 0}"#))
                .contains("version 0")
        );
        assert!(message(read(
            r#"{"format": "flowplane-snapshot", "version": 1, "flow_logs": {}}"#
        ))
        .contains("flow_logs"));
        assert!(message(read(
            r#"{"format": "flowplane-snapshot", "version": 1, "scope": {"region": "cn-hangzhou"}}"#
        ))
        .contains("region needs a tenant"));
    }

    #[test]
    fn a_document_reads_back_as_written() {
        let snapshot = Snapshot {
            taken_at: DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
            scope: ResetScope::new(Some(Provider::Alibaba), Some("1".into()), None, None).unwrap(),
            records: false,
            sections: BTreeMap::from([(
                "flow_logs".to_owned(),
                vec![serde_json::json!({"id": "fl-1"})],
            )]),
        };
        let text = snapshot.to_json().to_string();
        assert_eq!(read(&text).unwrap(), snapshot);
        let minimal = read(r#"{"format": "flowplane-snapshot", "version": 1}"#).unwrap();
        assert_eq!(minimal.scope, ResetScope::all());
        assert!(minimal.sections.is_empty());
    }
}
