//! Prometheus metrics (`GET /metrics`). The edge counts every cloud request from its context
//! (face, product, operation) with its status and latency; what the database holds (resources
//! by provider, kind and status, fault-rule firings, pool use) is read when scraped, so the
//! request path pays one map lookup and two atomic adds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Registry;

use crate::context::RequestContext;
use crate::domain::repository::{PoolUse, ResourceCount};
use crate::domain::stats::Distribution;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    face: &'static str,
    product: &'static str,
    operation: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    face: &'static str,
    product: &'static str,
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResourceLabels {
    provider: String,
    kind: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EffectLabels {
    effect: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

type LatencyFamily = Family<OperationLabels, Histogram, fn() -> Histogram>;

/// Request latencies from 0.25 ms to about 4 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

/// Transition lags from 1 ms to 30 s: the target is tens of milliseconds beyond the delay.
fn lag_histogram() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ])
}

/// A histogram kept elsewhere (the store's), exposed as read at the last scrape.
#[derive(Debug, Default, Clone)]
struct ReadHistogram(Arc<Mutex<Option<Distribution>>>);

impl ReadHistogram {
    fn set(&self, read: Option<Distribution>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = read;
    }
}

impl TypedMetric for ReadHistogram {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for ReadHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let read = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*read {
            Some(seen) => {
                encoder.encode_histogram::<NoLabelSet>(seen.sum, seen.count, &seen.buckets, None)
            }
            None => Ok(()),
        }
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }

    fn is_empty(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_none()
    }
}

/// What the scrape reads from the services: the state of the world now.
pub struct Observed {
    pub resources: Vec<ResourceCount>,
    /// Firings per effect, summed over the stored rules (every process's).
    pub fault_firings: Vec<(&'static str, u64)>,
    pub pools: Vec<PoolUse>,
    /// Records this process has delivered since it started.
    pub records_delivered: u64,
    /// Writes per commit, where the database groups them.
    pub write_batches: Option<Distribution>,
}

/// The registry and the metrics the request path updates.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    resources: Family<ResourceLabels, Gauge>,
    fault_firings: Family<EffectLabels, Gauge>,
    pool: Family<PoolLabels, Gauge>,
    records: Counter,
    /// What `records` had counted at the last scrape (it only moves forward).
    records_seen: AtomicU64,
    transition_lag: Histogram,
    write_batches: ReadHistogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("flowplane");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests to the cloud faces, by face, product, operation and status",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "request_duration_seconds",
            "Time from a cloud request's arrival to its answer, by face, product and operation",
            latency.clone(),
        );
        let resources = Family::<ResourceLabels, Gauge>::default();
        registry.register(
            "resources",
            "Stored resources by provider, kind and status",
            resources.clone(),
        );
        let fault_firings = Family::<EffectLabels, Gauge>::default();
        registry.register(
            "fault_rule_firings",
            "Firings of the stored fault rules (every process's), by effect",
            fault_firings.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "database_connections",
            "Database pool connections, by pool and state (idle or in use)",
            pool.clone(),
        );
        let records = Counter::default();
        registry.register(
            "records_delivered",
            "Flow-log records this process has generated and delivered",
            records.clone(),
        );
        let transition_lag = lag_histogram();
        registry.register(
            "transition_lag_seconds",
            "Time from a life-cycle transition's due time to its completion",
            transition_lag.clone(),
        );
        let write_batches = ReadHistogram::default();
        registry.register(
            "database_write_batch_size",
            "Writes per commit where concurrent writes share one (SQLite group commit)",
            write_batches.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            resources,
            fault_firings,
            pool,
            records,
            records_seen: AtomicU64::new(0),
            transition_lag,
            write_batches,
        }
    }

    /// Observes how late each of a pass's transitions completed.
    pub fn observe_transition_lags(&self, lags: &[Duration]) {
        for lag in lags {
            self.transition_lag.observe(lag.as_secs_f64());
        }
    }

    /// Counts one answered cloud request.
    pub fn record(&self, context: &RequestContext, status: u16, elapsed: Duration) {
        let operation = context.operation();
        let face = context.face().as_str();
        let product = operation.map_or("", |op| op.product);
        let name = operation.map_or("", |op| op.name);
        self.requests
            .get_or_create(&RequestLabels {
                face,
                product,
                operation: name,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&OperationLabels {
                face,
                product,
                operation: name,
            })
            .observe(elapsed.as_secs_f64());
    }

    /// The exposition text, with what was `observed` now.
    pub fn render(&self, observed: Observed) -> String {
        self.resources.clear();
        for count in observed.resources {
            self.resources
                .get_or_create(&ResourceLabels {
                    provider: count.provider,
                    kind: count.kind,
                    status: count.status,
                })
                // One count per tenant: the metric sums them.
                .inc_by(i64::try_from(count.count).unwrap_or(i64::MAX));
        }
        self.fault_firings.clear();
        for (effect, fired) in observed.fault_firings {
            self.fault_firings
                .get_or_create(&EffectLabels { effect })
                .set(i64::try_from(fired).unwrap_or(i64::MAX));
        }
        for pool in observed.pools {
            let idle = i64::from(pool.idle);
            let open = i64::from(pool.open);
            self.pool
                .get_or_create(&PoolLabels {
                    pool: pool.pool,
                    state: "idle",
                })
                .set(idle);
            self.pool
                .get_or_create(&PoolLabels {
                    pool: pool.pool,
                    state: "in_use",
                })
                .set((open - idle).max(0));
        }
        let seen = self
            .records_seen
            .fetch_max(observed.records_delivered, Ordering::Relaxed);
        self.records
            .inc_by(observed.records_delivered.saturating_sub(seen));
        self.write_batches.set(observed.write_batches);
        let mut text = String::new();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %err, "metrics did not encode");
        }
        text
    }
}

/// The metrics, shared by the edge and the scrape.
pub type SharedMetrics = Arc<Metrics>;
