//! The provider-neutral flow-log model. Values are parsed into these types once, by the adapters.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::lifecycle::Status;

/// Which cloud's face owns a flow log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Huawei,
    Alibaba,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Huawei, Provider::Alibaba];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Huawei => "huawei",
            Provider::Alibaba => "alibaba",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

/// Who owns a flow log: Huawei's project id, or Alibaba's account id plus region id.
/// Every store query is scoped by one of these.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantScope {
    provider: Provider,
    tenant_id: String,
    region_id: String,
}

impl TenantScope {
    pub fn huawei_project(project_id: impl Into<String>) -> Self {
        Self {
            provider: Provider::Huawei,
            tenant_id: project_id.into(),
            region_id: String::new(),
        }
    }

    pub fn alibaba_account(account_id: impl Into<String>, region_id: impl Into<String>) -> Self {
        Self {
            provider: Provider::Alibaba,
            tenant_id: account_id.into(),
            region_id: region_id.into(),
        }
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// Empty for Huawei, whose projects are already regional.
    pub fn region_id(&self) -> &str {
        &self.region_id
    }
}

/// A flow log's id: a UUID v4 for Huawei, `fl-` + 20 lowercase alphanumerics for Alibaba.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlowLogId(String);

impl FlowLogId {
    pub fn generate(provider: Provider) -> Self {
        match provider {
            Provider::Huawei => Self(Uuid::new_v4().to_string()),
            Provider::Alibaba => {
                const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
                // A v4 UUID has 122 random bits; 20 base-36 digits need 104 of them.
                let mut bits = Uuid::new_v4().as_u128();
                let mut id = String::with_capacity(23);
                id.push_str("fl-");
                for _ in 0..20 {
                    id.push(ALPHABET[(bits % 36) as usize] as char);
                    bits /= 36;
                }
                Self(id)
            }
        }
    }

    /// Wraps an id read back from the store or given by a caller; the adapter has checked its shape.
    pub fn from_trusted(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FlowLogId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of resource a flow log captures traffic of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    NetworkInterface,
    Subnet,
    Vpc,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 3] = [
        ResourceKind::NetworkInterface,
        ResourceKind::Subnet,
        ResourceKind::Vpc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::NetworkInterface => "network_interface",
            ResourceKind::Subnet => "subnet",
            ResourceKind::Vpc => "vpc",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Which traffic is captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrafficFilter {
    All,
    Accepted,
    Rejected,
}

impl TrafficFilter {
    pub const ALL: [TrafficFilter; 3] = [
        TrafficFilter::All,
        TrafficFilter::Accepted,
        TrafficFilter::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TrafficFilter::All => "all",
            TrafficFilter::Accepted => "accepted",
            TrafficFilter::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// Where the records go: Huawei LTS log group + log topic, or Alibaba SLS project + logstore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogDestination {
    pub group: String,
    pub topic: String,
}

/// What a caller asks to create; everything else (id, status, times) the service decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlowLog {
    pub name: Option<String>,
    pub description: Option<String>,
    pub resource_kind: ResourceKind,
    pub resource_id: String,
    pub traffic_filter: TrafficFilter,
    /// Alibaba's traffic paths (`all`, `internetGateway`, …); empty for Huawei.
    pub traffic_paths: Vec<String>,
    /// Minutes; Alibaba only.
    pub aggregation_interval: Option<u32>,
    /// `IPv4` | `DualStack`; Alibaba only.
    pub ip_version: Option<String>,
    pub log_format: Option<String>,
    pub destination: LogDestination,
    /// Huawei's `index_enabled`.
    pub index_enabled: bool,
    pub resource_group_id: Option<String>,
    /// Alibaba's tags, keys unique; listed in key order.
    pub tags: Vec<Tag>,
}

/// How many tags one flow log may carry (Alibaba's limit).
pub const MAX_TAGS_PER_FLOW_LOG: usize = 20;

/// A key/value tag on a flow log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// One tag of one flow log, as tag listings return them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowLogTag {
    pub id: FlowLogId,
    pub tag: Tag,
}

/// A stored flow log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowLog {
    pub id: FlowLogId,
    pub scope: TenantScope,
    pub spec: NewFlowLog,
    pub status: Status,
    /// When the current transitional status completes; `None` in a settled status.
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether its destination exists now, so that records can be delivered.
    pub delivery: Delivery,
    /// When it last became active; `None` while it never was.
    pub active_since: Option<DateTime<Utc>>,
    /// The end of the last capture window produced for it; `None` before the first.
    pub records_through: Option<DateTime<Utc>>,
}

/// Attribute changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub aggregation_interval: Option<u32>,
    pub ip_version: Option<String>,
    pub log_format: Option<String>,
    pub resource_group_id: Option<String>,
}

/// Exact-match filters; an empty list means "any". Several values of one filter are alternatives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowLogFilter {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub descriptions: Vec<String>,
    pub resource_kinds: Vec<ResourceKind>,
    pub resource_ids: Vec<String>,
    pub traffic_filters: Vec<TrafficFilter>,
    pub groups: Vec<String>,
    pub topics: Vec<String>,
    pub statuses: Vec<Status>,
    pub resource_group_ids: Vec<String>,
    /// Flow logs that capture one of these VPCs.
    pub vpc_ids: Vec<String>,
    /// Flow logs whose destination exists (`true`) or does not (`false`).
    pub delivering: Option<bool>,
    /// Every one of these tags must be on the flow log (all of them, unlike the other filters).
    pub tags: Vec<TagFilter>,
    /// Set when a filter can match nothing (e.g. a status no flow log ever has), to skip the query.
    pub matches_nothing: bool,
}

/// A tag a flow log must carry: the key, and the value too when one is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    pub key: String,
    pub value: Option<String>,
}

/// Which slice of a filtered list, in creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Up to `limit` flow logs after the one with id `marker` (from the start when `None`).
    AfterMarker { marker: Option<String>, limit: u32 },
    /// Up to `limit` flow logs after skipping `offset`.
    Offset { offset: u64, limit: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huawei_ids_are_uuid_v4() {
        let id = FlowLogId::generate(Provider::Huawei);
        let uuid = Uuid::parse_str(id.as_str()).unwrap();
        assert_eq!(uuid.get_version_num(), 4);
    }

    #[test]
    fn alibaba_ids_are_fl_and_twenty_lowercase_alphanumerics() {
        let id = FlowLogId::generate(Provider::Alibaba);
        let rest = id.as_str().strip_prefix("fl-").expect("fl- prefix");
        assert_eq!(rest.len(), 20);
        assert!(
            rest.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
            "{id}"
        );
        assert_ne!(id, FlowLogId::generate(Provider::Alibaba));
    }

    #[test]
    fn enums_round_trip_their_stored_names() {
        for kind in ResourceKind::ALL {
            assert_eq!(ResourceKind::parse(kind.as_str()), Some(kind));
        }
        for filter in TrafficFilter::ALL {
            assert_eq!(TrafficFilter::parse(filter.as_str()), Some(filter));
        }
        for provider in Provider::ALL {
            assert_eq!(Provider::parse(provider.as_str()), Some(provider));
        }
        assert_eq!(Provider::parse("aws"), None);
    }
}

/// Whether a flow log's records can be delivered now, as its destination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Its group and stream exist.
    Delivering,
    /// Its group does not exist (any more).
    GroupMissing,
    /// Its group exists but not its stream.
    StreamMissing,
    /// A fault rule failed it (`POST /_flowplane/faults`, effect `fail`), until the flow log's
    /// next status change.
    Faulted(DeliveryFault),
}

impl Delivery {
    /// As the store has it: a fault rule's mark wins over the destination's existence.
    pub fn stored(group: bool, stream: bool, fault: Option<DeliveryFault>) -> Self {
        fault.map_or_else(|| Self::from_existence(group, stream), Delivery::Faulted)
    }

    pub fn from_existence(group: bool, stream: bool) -> Self {
        match (group, stream) {
            (true, true) => Delivery::Delivering,
            (false, _) => Delivery::GroupMissing,
            (true, false) => Delivery::StreamMissing,
        }
    }

    pub fn is_delivering(self) -> bool {
        self == Delivery::Delivering
    }
}

/// Why a flow log's delivery fails, as Alibaba's `FlowLogDeliverErrorMessage` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryFault {
    UserNotAuthorised,
    ProjectNotExist,
    UnavaliableTarget,
    UnknownError,
}

impl DeliveryFault {
    pub const ALL: [DeliveryFault; 4] = [
        DeliveryFault::UserNotAuthorised,
        DeliveryFault::ProjectNotExist,
        DeliveryFault::UnavaliableTarget,
        DeliveryFault::UnknownError,
    ];

    /// As the cloud spells it (`UnavaliableTarget` included).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryFault::UserNotAuthorised => "UserNotAuthorised",
            DeliveryFault::ProjectNotExist => "ProjectNotExist",
            DeliveryFault::UnavaliableTarget => "UnavaliableTarget",
            DeliveryFault::UnknownError => "UnknownError",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|fault| fault.as_str() == value)
    }
}
