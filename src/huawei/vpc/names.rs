//! The VPC flow-log API's names for domain values, both ways.

use crate::domain::destination::Delivery;
use crate::domain::{ResourceKind, Status, TrafficFilter};

pub const RESOURCE_TYPES: [(&str, ResourceKind); 3] = [
    ("port", ResourceKind::NetworkInterface),
    ("network", ResourceKind::Subnet),
    ("vpc", ResourceKind::Vpc),
];
pub const TRAFFIC_TYPES: [(&str, TrafficFilter); 3] = [
    ("all", TrafficFilter::All),
    ("accept", TrafficFilter::Accepted),
    ("reject", TrafficFilter::Rejected),
];
/// Huawei's only log store.
pub const LOG_STORE_TYPE: &str = "lts";

/// The wire name of a domain value in one of the tables above.
pub fn wire_name<T: PartialEq>(table: &[(&'static str, T)], value: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(name, _)| *name)
        .expect("every value has a Huawei name")
}

/// The domain value a wire name stands for; `None` for a name Huawei does not have.
pub fn from_wire<T: Copy>(table: &[(&'static str, T)], name: &str) -> Option<T> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, value)| *value)
}

/// Huawei shows `ACTIVE` for an enabled flow log, `ERROR` for an enabled one that cannot deliver
/// (its LTS log group or stream is gone) and `DOWN` for a disabled one.
pub fn status_name(status: Status, delivery: Delivery) -> &'static str {
    match (status.is_enabled(), delivery.is_delivering()) {
        (true, true) => "ACTIVE",
        (true, false) => "ERROR",
        (false, _) => "DOWN",
    }
}
