//! The network a flow log captures, provider-neutral: VPCs, subnets (Alibaba's vSwitches) and
//! network interfaces (Huawei's ports, Alibaba's ENIs), each in its tenant. A subnet lies in a
//! VPC, an interface in a subnet; the life cycle is `Pending → Available`, and deleting passes
//! through `Deleting` where the cloud deletes asynchronously.

use std::net::Ipv4Addr;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::cidr::Ipv4Cidr;
use super::model::{Provider, ResourceKind, Tag, TagFilter, TenantScope};

/// Where a network resource is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkStatus {
    /// Being created; settles into `Available`.
    Pending,
    Available,
    /// Being deleted; then gone.
    Deleting,
}

impl NetworkStatus {
    pub const ALL: [NetworkStatus; 3] = [
        NetworkStatus::Pending,
        NetworkStatus::Available,
        NetworkStatus::Deleting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NetworkStatus::Pending => "pending",
            NetworkStatus::Available => "available",
            NetworkStatus::Deleting => "deleting",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// A network resource's id: a UUID v4 for Huawei; for Alibaba the kind's prefix (`vpc-`,
/// `vsw-`, `eni-`) and 21 lowercase alphanumerics (ENIs: 20), as the cloud writes them.
pub fn generate_resource_id(provider: Provider, kind: ResourceKind) -> String {
    match provider {
        Provider::Huawei => Uuid::new_v4().to_string(),
        Provider::Alibaba => {
            let (prefix, length) = match kind {
                ResourceKind::Vpc => ("vpc-", 21),
                ResourceKind::Subnet => ("vsw-", 21),
                ResourceKind::NetworkInterface => ("eni-", 20),
            };
            format!("{prefix}{}", random_alphanumerics(length))
        }
    }
}

/// `length` random lowercase alphanumerics (at most 24), for the ids clouds write that way.
pub fn random_alphanumerics(length: usize) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    // 122 random bits give 23 base-36 digits; two UUIDs cover any length asked for here.
    let mut bits = [Uuid::new_v4().as_u128(), Uuid::new_v4().as_u128()];
    (0..length.min(46))
        .map(|i| {
            let word = &mut bits[i / 23];
            let digit = ALPHABET[(*word % 36) as usize] as char;
            *word /= 36;
            digit
        })
        .collect()
}

/// What a caller asks to create; the id, status, address and times the service decides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewNetworkResource {
    pub name: Option<String>,
    pub description: Option<String>,
    /// A VPC's or subnet's address block.
    pub cidr: Option<Ipv4Cidr>,
    /// A subnet's gateway (Huawei's `gateway_ip`).
    pub gateway_ip: Option<Ipv4Addr>,
    /// The availability zone of a subnet or interface.
    pub zone: Option<String>,
    /// An interface's primary address: the one asked for, or `None` for the next free one.
    pub private_ip: Option<Ipv4Addr>,
    pub resource_group_id: Option<String>,
    /// Keys unique; listed in key order.
    pub tags: Vec<Tag>,
    /// What a product keeps about the resource that the domain does not interpret (Huawei's DNS
    /// servers, Alibaba's route table id, an interface's security groups, …).
    pub attributes: Map<String, Value>,
}

impl NewNetworkResource {
    /// The text a product keeps under `key`, if any.
    pub fn text_attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(Value::as_str)
    }

    /// The boolean a product keeps under `key`, if any.
    pub fn bool_attribute(&self, key: &str) -> Option<bool> {
        self.attributes.get(key).and_then(Value::as_bool)
    }
}

/// A stored network resource.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkResource {
    pub id: String,
    pub scope: TenantScope,
    pub kind: ResourceKind,
    /// A subnet's VPC, an interface's subnet; `None` for a VPC.
    pub parent_id: Option<String>,
    /// The VPC it belongs to (its own id for a VPC).
    pub vpc_id: String,
    pub spec: NewNetworkResource,
    /// An interface's hardware address.
    pub mac_address: Option<String>,
    pub status: NetworkStatus,
    /// When the current transitional status completes; `None` when settled.
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves on whenever a child is added, so that checks against the children hold.
    pub revision: i64,
}

/// Attribute changes; `None` leaves a field as it is. `attributes` entries replace the stored
/// ones of the same key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub resource_group_id: Option<String>,
    pub attributes: Map<String, Value>,
}

impl NetworkChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.resource_group_id.is_none()
            && self.attributes.is_empty()
    }
}

/// Exact-match filters; an empty list means "any", several values of one filter are
/// alternatives, and every tag must be carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkFilter {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub parent_ids: Vec<String>,
    pub vpc_ids: Vec<String>,
    pub zones: Vec<String>,
    pub statuses: Vec<NetworkStatus>,
    pub resource_group_ids: Vec<String>,
    pub private_ips: Vec<String>,
    pub mac_addresses: Vec<String>,
    pub tags: Vec<TagFilter>,
}

/// The kind a resource must be to be another's parent.
pub fn parent_kind(kind: ResourceKind) -> Option<ResourceKind> {
    match kind {
        ResourceKind::Vpc => None,
        ResourceKind::Subnet => Some(ResourceKind::Vpc),
        ResourceKind::NetworkInterface => Some(ResourceKind::Subnet),
    }
}

/// A hardware address for a new interface: the cloud's own prefix and three random octets.
pub fn generate_mac_address(provider: Provider) -> String {
    let prefix = match provider {
        // OpenStack's default base MAC, which Huawei's ports show.
        Provider::Huawei => "fa:16:3e",
        // Alibaba's OUI, in every ENI the docs show.
        Provider::Alibaba => "00:16:3e",
    };
    let random = Uuid::new_v4().as_u128();
    let octet = |i: u32| (random >> (8 * i)) as u8;
    format!(
        "{prefix}:{:02x}:{:02x}:{:02x}",
        octet(0),
        octet(1),
        octet(2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_take_each_clouds_shape() {
        let huawei = generate_resource_id(Provider::Huawei, ResourceKind::Vpc);
        assert_eq!(Uuid::parse_str(&huawei).unwrap().get_version_num(), 4);
        for (kind, prefix, length) in [
            (ResourceKind::Vpc, "vpc-", 21),
            (ResourceKind::Subnet, "vsw-", 21),
            (ResourceKind::NetworkInterface, "eni-", 20),
        ] {
            let id = generate_resource_id(Provider::Alibaba, kind);
            let rest = id.strip_prefix(prefix).expect(prefix);
            assert_eq!(rest.len(), length, "{id}");
            assert!(rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        }
        assert_ne!(random_alphanumerics(40), random_alphanumerics(40));
        assert_eq!(random_alphanumerics(40).len(), 40);
    }

    #[test]
    fn macs_carry_the_clouds_prefix() {
        let mac = generate_mac_address(Provider::Alibaba);
        assert!(mac.starts_with("00:16:3e:") && mac.len() == 17, "{mac}");
        assert!(generate_mac_address(Provider::Huawei).starts_with("fa:16:3e:"));
    }

    #[test]
    fn statuses_round_trip() {
        for status in NetworkStatus::ALL {
            assert_eq!(NetworkStatus::parse(status.as_str()), Some(status));
        }
    }
}
