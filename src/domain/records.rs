//! Flow-log records: what a flow log delivers for each capture window, generated
//! deterministically (the same seed, flow log, interface and window give the same records), and
//! the fields each cloud writes them with.
//!
//! The traffic is plausible rather than real: each interface talks to peers inside its VPC's
//! block and on the internet, on common service ports, with a share of rejected connections; an
//! interface with nothing to report in a window writes one `NODATA` record.

use std::net::Ipv4Addr;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use super::cidr::Ipv4Cidr;
use super::model::{LogDestination, Provider, TenantScope, TrafficFilter};

/// Whether a connection was let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Accept,
    Reject,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Action::Accept, Action::Reject]
            .into_iter()
            .find(|a| a.as_str() == value)
    }
}

/// A record's `log-status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogStatus {
    /// Traffic was recorded.
    Ok,
    /// The interface had no traffic in the window.
    NoData,
    /// Some records of the window were skipped (capacity or an internal error).
    SkipData,
}

impl LogStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Ok => "OK",
            LogStatus::NoData => "NODATA",
            LogStatus::SkipData => "SKIPDATA",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [LogStatus::Ok, LogStatus::NoData, LogStatus::SkipData]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Which way the traffic went, seen from the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Direction::In, Direction::Out]
            .into_iter()
            .find(|d| d.as_str() == value)
    }
}

/// One interface a flow log captures, as the records name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedInterface {
    pub id: String,
    /// Its subnet (vSwitch), VPC and instance, when known.
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    pub instance_id: Option<String>,
    pub address: Ipv4Addr,
    /// The block its east-west peers come from (its VPC's, else its subnet's).
    pub peers: Ipv4Cidr,
}

/// One flow (or one `NODATA`/`SKIPDATA` mark) of one interface in one window: the provider-neutral
/// content of a record. Addresses, ports and the protocol are `None` in a mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSample {
    pub interface_id: String,
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    pub instance_id: Option<String>,
    pub src_addr: Option<Ipv4Addr>,
    pub dst_addr: Option<Ipv4Addr>,
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    /// IANA protocol number (6 TCP, 17 UDP, 1 ICMP).
    pub protocol: Option<u8>,
    pub packets: u64,
    pub bytes: u64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub action: Option<Action>,
    pub status: LogStatus,
    pub direction: Option<Direction>,
    /// The OR of the TCP flags seen (0 for other protocols).
    pub tcp_flags: u16,
}

/// A delivered record: the sample, which flow log wrote it and where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord {
    pub flow_log_id: String,
    pub scope: TenantScope,
    pub destination: LogDestination,
    pub window_start: DateTime<Utc>,
    pub sample: FlowSample,
}

impl FlowRecord {
    /// The record's time: when its flow started.
    pub fn time(&self) -> DateTime<Utc> {
        self.sample.start
    }

    /// The record as its cloud writes it: field names and values in the cloud's order.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        match self.scope.provider() {
            Provider::Huawei => huawei_fields(self),
            Provider::Alibaba => alibaba_fields(self),
        }
    }

    /// Huawei's record line: the fields' values in order, separated by single spaces.
    pub fn huawei_line(&self) -> String {
        let fields = huawei_fields(self);
        let mut line = String::with_capacity(160);
        for (i, (_, value)) in fields.iter().enumerate() {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(value);
        }
        line
    }
}

/// Huawei's record format, version 1: `version project-id interface-id srcaddr dstaddr srcport
/// dstport protocol packets bytes start end action log-status`; `-` where a `NODATA` or
/// `SKIPDATA` record has no value.
fn huawei_fields(record: &FlowRecord) -> Vec<(&'static str, String)> {
    let s = &record.sample;
    vec![
        ("version", "1".to_owned()),
        ("project-id", record.scope.tenant_id().to_owned()),
        ("interface-id", s.interface_id.clone()),
        ("srcaddr", or_dash(s.src_addr)),
        ("dstaddr", or_dash(s.dst_addr)),
        ("srcport", or_dash(s.src_port)),
        ("dstport", or_dash(s.dst_port)),
        ("protocol", or_dash(s.protocol)),
        ("packets", counted(s, s.packets)),
        ("bytes", counted(s, s.bytes)),
        ("start", s.start.timestamp().to_string()),
        ("end", s.end.timestamp().to_string()),
        ("action", or_dash(s.action.map(Action::as_str))),
        ("log-status", s.status.as_str().to_owned()),
    ]
}

/// Alibaba's record fields, as its flow logs write them into the logstore.
fn alibaba_fields(record: &FlowRecord) -> Vec<(&'static str, String)> {
    let s = &record.sample;
    vec![
        ("version", "1".to_owned()),
        ("vswitch-id", or_dash(s.subnet_id.as_deref())),
        ("vm-id", or_dash(s.instance_id.as_deref())),
        ("vpc-id", or_dash(s.vpc_id.as_deref())),
        ("account-id", record.scope.tenant_id().to_owned()),
        ("eni-id", s.interface_id.clone()),
        ("region", record.scope.region_id().to_owned()),
        ("srcaddr", or_dash(s.src_addr)),
        ("srcport", or_dash(s.src_port)),
        ("dstaddr", or_dash(s.dst_addr)),
        ("dstport", or_dash(s.dst_port)),
        ("protocol", or_dash(s.protocol)),
        ("direction", or_dash(s.direction.map(Direction::as_str))),
        ("packets", counted(s, s.packets)),
        ("bytes", counted(s, s.bytes)),
        ("start", s.start.timestamp().to_string()),
        ("end", s.end.timestamp().to_string()),
        ("log-status", s.status.as_str().to_owned()),
        ("action", or_dash(s.action.map(Action::as_str))),
        ("tcp-flags", s.tcp_flags.to_string()),
        ("traffic_path", "all".to_owned()),
    ]
}

fn or_dash<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn counted(sample: &FlowSample, value: u64) -> String {
    match sample.status {
        LogStatus::Ok => value.to_string(),
        LogStatus::NoData | LogStatus::SkipData => "-".to_owned(),
    }
}

/// How records are generated: how many flows per interface and window, and the seed that makes
/// them repeatable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSettings {
    pub per_window: u32,
    pub seed: u64,
}

/// One capture window of one flow log.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub length: Duration,
}

impl Window {
    pub fn end(self) -> DateTime<Utc> {
        self.start + self.length
    }
}

/// Services on the ports they listen on; `(port, protocol)`.
const SERVICES: [(u16, u8); 12] = [
    (443, 6),
    (443, 6),
    (80, 6),
    (22, 6),
    (3306, 6),
    (5432, 6),
    (6379, 6),
    (8080, 6),
    (3389, 6),
    (53, 17),
    (123, 17),
    (0, 1),
];

/// Internet peers: the documentation ranges, so that no real host is named.
const INTERNET: [[u8; 3]; 3] = [[203, 0, 113], [198, 51, 100], [192, 0, 2]];

/// TCP flags as flow logs report them: SYN, SYN-ACK, FIN, RST combinations.
const TCP_FLAGS: [u16; 5] = [2, 18, 19, 3, 4];

/// The samples one interface writes in one window, in time order. `filter` keeps accepted or
/// rejected flows only; a window whose flows are all filtered out is `NODATA`, as Huawei
/// documents for an accepted-only flow log that saw only rejected traffic.
pub fn generate_samples(
    settings: RecordSettings,
    flow_log_id: &str,
    interface: &CapturedInterface,
    window: Window,
    filter: TrafficFilter,
) -> Vec<FlowSample> {
    let mut rng = window_rng(settings.seed, flow_log_id, &interface.id, window.start);
    let window_ms = window.length.num_milliseconds().max(1);
    let mark = |status: LogStatus| FlowSample {
        interface_id: interface.id.clone(),
        subnet_id: interface.subnet_id.clone(),
        vpc_id: interface.vpc_id.clone(),
        instance_id: interface.instance_id.clone(),
        src_addr: None,
        dst_addr: None,
        src_port: None,
        dst_port: None,
        protocol: None,
        packets: 0,
        bytes: 0,
        start: window.start,
        end: window.end(),
        action: None,
        status,
        direction: None,
        tcp_flags: 0,
    };
    // One window in twenty is quiet, one in a hundred overflows.
    let roll = rng.gen_range(0..100);
    if roll < 5 || settings.per_window == 0 {
        return vec![mark(LogStatus::NoData)];
    }
    let mut samples = Vec::with_capacity(settings.per_window as usize + 1);
    if roll == 99 {
        samples.push(mark(LogStatus::SkipData));
    }
    for _ in 0..settings.per_window {
        let (service_port, protocol) = SERVICES[rng.gen_range(0..SERVICES.len())];
        let internet = rng.gen_bool(0.6);
        let peer = if internet {
            let [a, b, c] = INTERNET[rng.gen_range(0..INTERNET.len())];
            Ipv4Addr::new(a, b, c, rng.gen_range(1..255))
        } else {
            host_in(interface.peers, &mut rng)
        };
        let inbound = rng.gen_bool(0.5);
        // Inbound from the internet to a management port is what security groups refuse most.
        let reject_share = if internet && inbound && matches!(service_port, 22 | 3389 | 3306) {
            0.7
        } else {
            0.1
        };
        let action = if rng.gen_bool(reject_share) {
            Action::Reject
        } else {
            Action::Accept
        };
        let ephemeral = rng.gen_range(32768..61000);
        let (ports, addresses) = if inbound {
            ((ephemeral, service_port), (peer, interface.address))
        } else {
            ((ephemeral, service_port), (interface.address, peer))
        };
        let packets = match action {
            Action::Reject => rng.gen_range(1..4),
            Action::Accept => rng.gen_range(2..600),
        };
        let bytes = packets * rng.gen_range(52..1450);
        let start_offset = rng.gen_range(0..window_ms);
        let length = rng.gen_range(0..=window_ms - start_offset);
        let start = window.start + Duration::milliseconds(start_offset);
        let (src_port, dst_port) = if protocol == 1 { (0, 0) } else { ports };
        let keep = match filter {
            TrafficFilter::All => true,
            TrafficFilter::Accepted => action == Action::Accept,
            TrafficFilter::Rejected => action == Action::Reject,
        };
        if !keep {
            continue;
        }
        samples.push(FlowSample {
            interface_id: interface.id.clone(),
            subnet_id: interface.subnet_id.clone(),
            vpc_id: interface.vpc_id.clone(),
            instance_id: interface.instance_id.clone(),
            src_addr: Some(addresses.0),
            dst_addr: Some(addresses.1),
            src_port: Some(src_port),
            dst_port: Some(dst_port),
            protocol: Some(protocol),
            packets,
            bytes,
            start,
            end: start + Duration::milliseconds(length),
            action: Some(action),
            status: LogStatus::Ok,
            direction: Some(if inbound {
                Direction::In
            } else {
                Direction::Out
            }),
            tcp_flags: if protocol == 6 {
                TCP_FLAGS[rng.gen_range(0..TCP_FLAGS.len())]
            } else {
                0
            },
        });
    }
    if samples.iter().all(|sample| sample.status != LogStatus::Ok) {
        return vec![mark(LogStatus::NoData)];
    }
    samples.sort_by_key(|sample| sample.start);
    samples
}

/// The generator of one interface's window: its seed is a digest of everything that names the
/// window, so windows are independent of each other and of the order they are made in.
fn window_rng(
    seed: u64,
    flow_log_id: &str,
    interface_id: &str,
    start: DateTime<Utc>,
) -> ChaCha8Rng {
    let mut digest = Sha256::new();
    digest.update(seed.to_be_bytes());
    for part in [flow_log_id, interface_id] {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    digest.update(start.timestamp_millis().to_be_bytes());
    ChaCha8Rng::from_seed(digest.finalize().into())
}

/// A host address of the block (its network address and the last three excluded, as the clouds
/// reserve them; the whole block when it is too small for that).
fn host_in(block: Ipv4Cidr, rng: &mut ChaCha8Rng) -> Ipv4Addr {
    let size = block.size();
    let offset = if size > 5 {
        rng.gen_range(1..size - 3)
    } else {
        rng.gen_range(0..size)
    };
    block.address(offset).unwrap_or(block.network())
}

/// A stable stand-in for an interface the network registry does not know: the resource's own
/// id when the flow log is on an interface, else an id derived from the resource's; an address
/// derived from it in 172.16.0.0/12 (or in `block`, when known).
pub fn synthetic_interface(
    provider: Provider,
    resource_id: &str,
    resource_is_interface: bool,
    block: Option<Ipv4Cidr>,
) -> CapturedInterface {
    let digest: [u8; 32] = Sha256::digest(resource_id.as_bytes()).into();
    let id = if resource_is_interface {
        resource_id.to_owned()
    } else {
        match provider {
            Provider::Huawei => uuid::Builder::from_random_bytes(
                digest[..16]
                    .try_into()
                    .expect("16 bytes of a 32-byte digest"),
            )
            .into_uuid()
            .to_string(),
            Provider::Alibaba => {
                const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
                let digits: String = digest[..20]
                    .iter()
                    .map(|byte| ALPHABET[usize::from(*byte) % 36] as char)
                    .collect();
                format!("eni-{digits}")
            }
        }
    };
    let default_block: Ipv4Cidr = "172.16.0.0/12".parse().expect("a valid block");
    let block = block.unwrap_or(default_block);
    let mut rng = ChaCha8Rng::from_seed(digest);
    CapturedInterface {
        id,
        subnet_id: None,
        vpc_id: None,
        instance_id: None,
        address: host_in(block, &mut rng),
        peers: block,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interface() -> CapturedInterface {
        CapturedInterface {
            id: "eni-1".into(),
            subnet_id: Some("vsw-1".into()),
            vpc_id: Some("vpc-1".into()),
            instance_id: None,
            address: "10.0.1.5".parse().unwrap(),
            peers: "10.0.0.0/16".parse().unwrap(),
        }
    }

    fn window() -> Window {
        Window {
            start: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            length: Duration::minutes(10),
        }
    }

    const SETTINGS: RecordSettings = RecordSettings {
        per_window: 40,
        seed: 7,
    };

    #[test]
    fn the_same_window_gives_the_same_records() {
        let a = generate_samples(SETTINGS, "fl-1", &interface(), window(), TrafficFilter::All);
        let b = generate_samples(SETTINGS, "fl-1", &interface(), window(), TrafficFilter::All);
        assert_eq!(a, b);
        let other_seed = RecordSettings {
            seed: 8,
            ..SETTINGS
        };
        let c = generate_samples(
            other_seed,
            "fl-1",
            &interface(),
            window(),
            TrafficFilter::All,
        );
        assert_ne!(a, c);
        let next = Window {
            start: window().end(),
            ..window()
        };
        assert_ne!(
            a,
            generate_samples(SETTINGS, "fl-1", &interface(), next, TrafficFilter::All)
        );
    }

    #[test]
    fn flows_stay_in_their_window_and_touch_the_interface() {
        for offset in 0..30 {
            let w = Window {
                start: window().start + Duration::minutes(10 * offset),
                ..window()
            };
            for sample in generate_samples(SETTINGS, "fl-1", &interface(), w, TrafficFilter::All) {
                assert!(
                    sample.start >= w.start && sample.end <= w.end(),
                    "{sample:?}"
                );
                if sample.status != LogStatus::Ok {
                    continue;
                }
                let me = interface().address;
                assert!(sample.src_addr == Some(me) || sample.dst_addr == Some(me));
                assert!(sample.bytes >= sample.packets * 52);
            }
        }
    }

    #[test]
    fn traffic_filters_keep_their_side() {
        let mut seen = std::collections::HashSet::new();
        for offset in 0..30 {
            let w = Window {
                start: window().start + Duration::minutes(10 * offset),
                ..window()
            };
            for (filter, only) in [
                (TrafficFilter::Accepted, Action::Accept),
                (TrafficFilter::Rejected, Action::Reject),
            ] {
                for sample in generate_samples(SETTINGS, "fl-1", &interface(), w, filter) {
                    assert!(sample.action.is_none() || sample.action == Some(only));
                }
            }
            for sample in generate_samples(SETTINGS, "fl-1", &interface(), w, TrafficFilter::All) {
                seen.insert(sample.action);
            }
        }
        assert!(seen.contains(&Some(Action::Accept)) && seen.contains(&Some(Action::Reject)));
    }

    #[test]
    fn huawei_lines_follow_the_documented_order() {
        let sample = generate_samples(SETTINGS, "fl-1", &interface(), window(), TrafficFilter::All)
            .into_iter()
            .find(|s| s.status == LogStatus::Ok)
            .unwrap();
        let record = FlowRecord {
            flow_log_id: "fl-1".into(),
            scope: TenantScope::huawei_project("p1"),
            destination: LogDestination {
                group: "g".into(),
                topic: "t".into(),
            },
            window_start: window().start,
            sample: sample.clone(),
        };
        let line = record.huawei_line();
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 14, "{line}");
        assert_eq!(parts[0], "1");
        assert_eq!(parts[1], "p1");
        assert_eq!(parts[2], "eni-1");
        assert_eq!(parts[10], sample.start.timestamp().to_string());
        assert_eq!(parts[13], "OK");
    }

    #[test]
    fn synthetic_interfaces_are_stable() {
        let a = synthetic_interface(Provider::Alibaba, "vsw-x", false, None);
        assert_eq!(
            a,
            synthetic_interface(Provider::Alibaba, "vsw-x", false, None)
        );
        assert!(a.id.starts_with("eni-") && a.id.len() == 24, "{}", a.id);
        let h = synthetic_interface(Provider::Huawei, "port-1", true, None);
        assert_eq!(h.id, "port-1");
        let block: Ipv4Cidr = "192.168.0.0/24".parse().unwrap();
        let inside = synthetic_interface(Provider::Huawei, "net", false, Some(block));
        assert!(block.contains_address(inside.address));
    }
}
