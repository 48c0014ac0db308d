//! The record service: produces each active flow log's capture windows and delivers their
//! records to its destination, when that exists; reads records back for the log products and
//! the control API; and keeps what is stored bounded (per stream, and by time to live).
//!
//! A flow log's windows follow each other from when it last became active, aligned to its
//! aggregation interval; its progress (`records_through`) moves by a conditional write, so two
//! workers never deliver a window twice.

use std::ops::ControlFlow;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};

use super::cidr::Ipv4Cidr;
use super::error::DomainError;
use super::lifecycle::Status;
use super::model::{FlowLog, FlowLogFilter, Page, ResourceKind, TenantScope};
use super::network::{NetworkFilter, NetworkResource};
use super::records::{
    generate_samples, synthetic_interface, CapturedInterface, FlowRecord, RecordSettings, Window,
};
use super::repository::{RecordSelection, Repository, Visibility};

/// How records are produced and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordOptions {
    /// Whether the background worker produces windows as time passes (the control API's
    /// `generate` works either way).
    pub background: bool,
    pub settings: RecordSettings,
    /// The most records one stream keeps; the oldest go first.
    pub max_per_stream: u32,
}

/// The most interfaces one flow log reports on (a VPC may hold many more).
pub const MAX_INTERFACES_PER_FLOW_LOG: usize = 50;
/// The most windows one generate call or one catch-up produces per flow log.
pub const MAX_WINDOWS_AT_ONCE: u32 = 1000;
/// Generating and checking ids are the control API's and the worker's: across tenants.
const ANY_TENANT: Visibility<'static> = Visibility::Any {
    provider: None,
    tenant_id: None,
    region_id: None,
};
/// How many due flow logs the worker takes at a time.
const DUE_BATCH: u32 = 100;
/// Huawei's capture window, and Alibaba's default aggregation interval, in minutes.
const DEFAULT_WINDOW_MINUTES: u32 = 10;

/// How far a generate call runs each flow log's simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// The next this many windows.
    Windows(u32),
    /// Every window that ends by this time.
    Until(DateTime<Utc>),
}

/// What a generate call produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    /// How many flow logs had windows produced.
    pub flow_logs: u64,
    pub windows: u64,
    pub records: u64,
}

/// How many records [`RecordService::scan`] reads at a time.
const SCAN_PAGE: u32 = 1000;

#[derive(Clone)]
pub struct RecordService<R> {
    store: R,
    options: RecordOptions,
    /// Records delivered by this process.
    delivered: Arc<AtomicU64>,
}

impl<R: Repository> RecordService<R> {
    pub fn new(store: R, options: RecordOptions) -> Self {
        Self {
            store,
            options,
            delivered: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many records this process has delivered since it started (for the metrics).
    pub fn delivered(&self) -> u64 {
        self.delivered.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn options(&self) -> RecordOptions {
        self.options
    }

    /// Produces the next capture windows of every active flow log, or of the one with this id,
    /// at once (simulated time runs ahead of the clock): at most [`MAX_WINDOWS_AT_ONCE`] each.
    pub async fn generate(
        &self,
        advance: Advance,
        flow_log_id: Option<&str>,
    ) -> Result<Generated, DomainError> {
        let filter = FlowLogFilter {
            ids: flow_log_id.map(str::to_owned).into_iter().collect(),
            statuses: vec![Status::Active],
            ..Default::default()
        };
        let mut generated = Generated::default();
        let mut marker: Option<String> = None;
        loop {
            let page = Page::AfterMarker {
                marker: marker.take(),
                limit: DUE_BATCH,
            };
            let flow_logs = self.store.list(ANY_TENANT, &filter, &page).await?;
            for flow_log in &flow_logs {
                let windows = match advance {
                    Advance::Windows(windows) => windows,
                    Advance::Until(until) => windows_ended_by(flow_log, until),
                }
                .min(MAX_WINDOWS_AT_ONCE);
                if windows == 0 {
                    continue;
                }
                let records = self.produce(flow_log, windows).await?;
                if let Some(records) = records {
                    generated.flow_logs += 1;
                    generated.windows += u64::from(windows);
                    generated.records += records;
                }
            }
            match flow_logs.last() {
                Some(last) if flow_logs.len() == DUE_BATCH as usize => {
                    marker = Some(last.id.as_str().to_owned());
                }
                _ => return Ok(generated),
            }
        }
    }

    /// Produces every window that has ended by `now`, for every active flow log; the
    /// background worker's step.
    pub async fn generate_due(&self, now: DateTime<Utc>) -> Result<Generated, DomainError> {
        let mut generated = Generated::default();
        loop {
            let default_window = Duration::minutes(i64::from(DEFAULT_WINDOW_MINUTES));
            let due = self
                .store
                .records_due(now, default_window, DUE_BATCH)
                .await?;
            let mut progressed = false;
            for flow_log in &due {
                let windows = windows_ended_by(flow_log, now);
                if windows == 0 {
                    let start = next_window_start(flow_log, window_length(flow_log));
                    // Paused since its last window: its progress moves to where it resumed.
                    progressed |= self
                        .store
                        .deliver(
                            &flow_log.scope,
                            flow_log.id.as_str(),
                            flow_log.records_through,
                            start,
                            &[],
                            self.options.max_per_stream,
                        )
                        .await?;
                    continue;
                }
                // After a long pause, the windows are caught up a bounded batch per step.
                let windows = windows.min(MAX_WINDOWS_AT_ONCE);
                if let Some(records) = self.produce(flow_log, windows).await? {
                    generated.flow_logs += 1;
                    generated.windows += u64::from(windows);
                    generated.records += records;
                    progressed = true;
                }
            }
            if due.len() < DUE_BATCH as usize || !progressed {
                return Ok(generated);
            }
        }
    }

    /// Removes records past their stream's time to live.
    pub async fn expire(&self, now: DateTime<Utc>) -> Result<u64, DomainError> {
        Ok(self.store.expire_records(now).await?)
    }

    /// The selected records, oldest first (or newest first), one page: a log product reads one
    /// stream of its tenant, the control API any.
    pub async fn read(
        &self,
        selection: RecordSelection<'_>,
        oldest_first: bool,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<FlowRecord>, DomainError> {
        Ok(self
            .store
            .list_records(selection, oldest_first, offset, limit)
            .await?)
    }

    /// Visits the selected records in order (oldest or newest first), reading them a page at a
    /// time, until `visit` breaks or none are left: for the log products' searches, which filter
    /// records by their own query languages.
    pub async fn scan(
        &self,
        selection: RecordSelection<'_>,
        oldest_first: bool,
        mut visit: impl FnMut(FlowRecord) -> ControlFlow<()> + Send,
    ) -> Result<(), DomainError> {
        let mut offset = 0u64;
        loop {
            let page = self
                .store
                .list_records(selection, oldest_first, offset, SCAN_PAGE)
                .await?;
            let read = page.len();
            for record in page {
                if visit(record).is_break() {
                    return Ok(());
                }
            }
            if read < SCAN_PAGE as usize {
                return Ok(());
            }
            offset += read as u64;
        }
    }

    /// The sequence number of the newest stored record: it moves when records are delivered.
    pub async fn latest_seq(&self) -> Result<i64, DomainError> {
        Ok(self.store.latest_record_seq().await?)
    }

    /// How many records a selection holds.
    pub async fn count(&self, selection: RecordSelection<'_>) -> Result<u64, DomainError> {
        Ok(self.store.count_records(selection).await?)
    }

    /// Produces `windows` windows of the flow log from its progress on and delivers them:
    /// `Some(records delivered)`, or `None` when another worker moved its progress first.
    async fn produce(&self, flow_log: &FlowLog, windows: u32) -> Result<Option<u64>, DomainError> {
        let interval = window_length(flow_log);
        let start = next_window_start(flow_log, interval);
        let through = start + interval * i32::try_from(windows).unwrap_or(i32::MAX);
        let records = if flow_log.delivery.is_delivering() && windows > 0 {
            let interfaces = self.interfaces(flow_log).await?;
            (0..windows)
                .flat_map(|i| {
                    let window = Window {
                        start: start + interval * i32::try_from(i).unwrap_or(i32::MAX),
                        length: interval,
                    };
                    interfaces
                        .iter()
                        .flat_map(move |interface| {
                            generate_samples(
                                self.options.settings,
                                flow_log.id.as_str(),
                                interface,
                                window,
                                flow_log.spec.traffic_filter,
                            )
                        })
                        .map(move |sample| FlowRecord {
                            flow_log_id: flow_log.id.as_str().to_owned(),
                            scope: flow_log.scope.clone(),
                            destination: flow_log.spec.destination.clone(),
                            window_start: window.start,
                            sample,
                        })
                })
                .collect()
        } else {
            Vec::new()
        };
        let delivered = self
            .store
            .deliver(
                &flow_log.scope,
                flow_log.id.as_str(),
                flow_log.records_through,
                through,
                &records,
                self.options.max_per_stream,
            )
            .await?;
        if delivered {
            self.delivered
                .fetch_add(records.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(delivered.then_some(records.len() as u64))
    }

    /// The interfaces a flow log reports on: its interface, or the interfaces in its subnet or
    /// VPC, as the network registry knows them; else a stable stand-in.
    async fn interfaces(&self, flow_log: &FlowLog) -> Result<Vec<CapturedInterface>, DomainError> {
        let scope = &flow_log.scope;
        let spec = &flow_log.spec;
        let resource = self
            .store
            .get_network(scope, &spec.resource_id)
            .await?
            .filter(|resource| resource.kind == spec.resource_kind);
        let Some(resource) = resource else {
            let is_interface = spec.resource_kind == ResourceKind::NetworkInterface;
            let mut stand_in =
                synthetic_interface(scope.provider(), &spec.resource_id, is_interface, None);
            // Records still name the unknown subnet or VPC they were asked for.
            match spec.resource_kind {
                ResourceKind::Vpc => stand_in.vpc_id = Some(spec.resource_id.clone()),
                ResourceKind::Subnet => stand_in.subnet_id = Some(spec.resource_id.clone()),
                ResourceKind::NetworkInterface => {}
            }
            return Ok(vec![stand_in]);
        };
        let vpc_block = self.vpc_block(scope, &resource).await?;
        let interfaces = match resource.kind {
            ResourceKind::NetworkInterface => vec![resource.clone()],
            ResourceKind::Subnet | ResourceKind::Vpc => {
                let filter = match resource.kind {
                    ResourceKind::Subnet => NetworkFilter {
                        parent_ids: vec![resource.id.clone()],
                        ..Default::default()
                    },
                    _ => NetworkFilter {
                        vpc_ids: vec![resource.id.clone()],
                        ..Default::default()
                    },
                };
                let page = Page::Offset {
                    offset: 0,
                    limit: MAX_INTERFACES_PER_FLOW_LOG as u32,
                };
                let (interfaces, _) = self
                    .store
                    .list_network(
                        Visibility::Tenant(scope),
                        ResourceKind::NetworkInterface,
                        &filter,
                        &page,
                        false,
                    )
                    .await?;
                interfaces
            }
        };
        let captured: Vec<CapturedInterface> = interfaces
            .iter()
            .filter_map(|interface| captured_interface(interface, vpc_block))
            .collect();
        if !captured.is_empty() {
            return Ok(captured);
        }
        // A subnet or VPC without interfaces: one stand-in inside its block.
        let mut stand_in = synthetic_interface(
            scope.provider(),
            &resource.id,
            false,
            resource.spec.cidr.or(vpc_block),
        );
        stand_in.vpc_id = Some(resource.vpc_id.clone());
        if resource.kind == ResourceKind::Subnet {
            stand_in.subnet_id = Some(resource.id.clone());
        }
        if let Some(block) = vpc_block {
            stand_in.peers = block;
        }
        Ok(vec![stand_in])
    }

    /// The address block of the resource's VPC, when it has one.
    async fn vpc_block(
        &self,
        scope: &TenantScope,
        resource: &NetworkResource,
    ) -> Result<Option<Ipv4Cidr>, DomainError> {
        if resource.kind == ResourceKind::Vpc {
            return Ok(resource.spec.cidr);
        }
        Ok(self
            .store
            .get_network(scope, &resource.vpc_id)
            .await?
            .and_then(|vpc| vpc.spec.cidr))
    }

    /// Looks a flow log up in any tenant, for the control API.
    pub async fn flow_log_exists(&self, id: &str) -> Result<bool, DomainError> {
        let filter = FlowLogFilter {
            ids: vec![id.to_owned()],
            ..Default::default()
        };
        let page = Page::Offset {
            offset: 0,
            limit: 1,
        };
        Ok(!self
            .store
            .list(ANY_TENANT, &filter, &page)
            .await?
            .is_empty())
    }
}

/// A known interface as the records name it; `None` when it has no address.
fn captured_interface(
    interface: &NetworkResource,
    vpc_block: Option<Ipv4Cidr>,
) -> Option<CapturedInterface> {
    let address = interface.spec.private_ip?;
    let fallback = Ipv4Cidr::new(address, 32).ok()?;
    Some(CapturedInterface {
        id: interface.id.clone(),
        subnet_id: interface.parent_id.clone(),
        vpc_id: Some(interface.vpc_id.clone()),
        instance_id: interface
            .spec
            .text_attribute("instance_id")
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
        address,
        peers: vpc_block.unwrap_or(fallback),
    })
}

/// A flow log's capture window: its aggregation interval (Alibaba's 1, 5 or 10 minutes), else
/// ten minutes.
pub fn window_length(flow_log: &FlowLog) -> Duration {
    let minutes = flow_log
        .spec
        .aggregation_interval
        .filter(|m| *m > 0)
        .unwrap_or(DEFAULT_WINDOW_MINUTES);
    Duration::minutes(i64::from(minutes))
}

/// How many of the flow log's next windows have ended by `time`.
fn windows_ended_by(flow_log: &FlowLog, time: DateTime<Utc>) -> u32 {
    let interval = window_length(flow_log);
    let start = next_window_start(flow_log, interval);
    let ended = (time - start).num_milliseconds() / interval.num_milliseconds().max(1);
    u32::try_from(ended.max(0)).unwrap_or(u32::MAX)
}

/// Where the flow log's next window starts: after its last one, but never before it last
/// became active (a pause produces nothing), aligned to the interval.
pub fn next_window_start(flow_log: &FlowLog, interval: Duration) -> DateTime<Utc> {
    let since = flow_log.active_since.unwrap_or(flow_log.created_at);
    let aligned = since.duration_trunc(interval).unwrap_or(since);
    match flow_log.records_through {
        Some(through) if through > aligned => through,
        _ => aligned,
    }
}
