//! Where flow logs deliver their records, provider-neutral: a log group holding log streams.
//! Huawei's LTS log group and log stream (which the VPC API calls a log topic), and Alibaba's
//! SLS project and logstore, are the same two levels. Huawei names them by UUID; SLS by name,
//! so an SLS project's or logstore's id is its name.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

// A flow log's delivery is part of the flow log; named here too, beside the destinations.
pub use super::model::Delivery;
use super::model::{Provider, Tag, TenantScope};

/// An id for a new group or stream: a UUID v4 for Huawei; for Alibaba the name it was given.
pub fn generate_destination_id(provider: Provider, name: &str) -> String {
    match provider {
        Provider::Huawei => Uuid::new_v4().to_string(),
        Provider::Alibaba => name.to_owned(),
    }
}

/// What a caller asks to create, for a group and a stream alike; the id and times the service
/// decides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewLogContainer {
    pub name: String,
    pub description: Option<String>,
    /// How long records are kept; a stream without one keeps its group's.
    pub ttl_days: Option<u32>,
    /// Keys unique; listed in key order.
    pub tags: Vec<Tag>,
    /// What a product keeps that the domain does not interpret (an alias, a shard count, …).
    pub attributes: Map<String, Value>,
}

impl NewLogContainer {
    /// The text a product keeps under `key`, if any.
    pub fn text_attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(Value::as_str)
    }

    /// The number a product keeps under `key`, if any.
    pub fn int_attribute(&self, key: &str) -> Option<i64> {
        self.attributes.get(key).and_then(Value::as_i64)
    }

    /// The boolean a product keeps under `key`, if any.
    pub fn bool_attribute(&self, key: &str) -> Option<bool> {
        self.attributes.get(key).and_then(Value::as_bool)
    }
}

/// A stored log group (LTS log group, SLS project).
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroup {
    pub id: String,
    pub scope: TenantScope,
    pub spec: NewLogContainer,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored log stream (LTS log stream, SLS logstore), in its group.
#[derive(Debug, Clone, PartialEq)]
pub struct LogStream {
    pub id: String,
    pub group_id: String,
    pub scope: TenantScope,
    pub spec: NewLogContainer,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Changes to a group or stream; `None` leaves a field as it is, `attributes` entries replace
/// the stored ones of the same key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogContainerChanges {
    pub description: Option<String>,
    pub ttl_days: Option<u32>,
    pub attributes: Map<String, Value>,
}

/// Exact-match filters of a listing; an empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogContainerFilter {
    pub names: Vec<String>,
    /// Names containing this text (SLS's `projectName` / `logstoreName` list filters).
    pub name_contains: Option<String>,
}

/// Which of the two levels a destination error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Group,
    Stream,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Group => "group",
            Level::Stream => "stream",
        }
    }
}

/// Whether deleting a group also deletes its streams (SLS's DeleteProject), or is refused while
/// it holds any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupDeletion {
    WithStreams,
    OnlyEmpty,
}
