//! What every handler can reach: the services, and the auth settings the gateways check
//! signatures with. It imports no face, so every face can import it.

use std::sync::Arc;

use crate::auth::control_token::ControlToken;
use crate::auth::credentials::Credentials;
use crate::auth::issued::Issued;
use crate::auth::nonces::Nonces;
use crate::auth::AuthMode;
use crate::domain::{
    DestinationService, FaultService, FlowLogService, NetworkService, RecordService,
    SnapshotService,
};
use crate::layers::journal::Journal;
use crate::layers::metrics::SharedMetrics;
use crate::store::Store;

/// The flow-log service over the store in use.
pub type FlowLogs = FlowLogService<Store>;
/// The network service over the store in use.
pub type Network = NetworkService<Store>;
/// The log destinations (LTS groups and streams, SLS projects and logstores) over the store.
pub type Destinations = DestinationService<Store>;
/// The flow-log records over the store in use.
pub type Records = RecordService<Store>;
/// The fault rules over the store in use.
pub type Faults = FaultService<Store>;
/// Snapshots of the world (export, import, seeds) over the store in use.
pub type Snapshots = SnapshotService<Store>;

#[derive(Clone)]
pub struct AppState {
    pub flow_logs: FlowLogs,
    pub network: Network,
    pub destinations: Destinations,
    pub records: Records,
    pub snapshots: Snapshots,
    /// Signature nonces, claimed once each.
    pub nonces: Nonces<Store>,
    /// Whether the cloud faces check request signatures.
    pub auth: AuthMode,
    /// The keys signatures are checked against (SPEC §4).
    pub credentials: Arc<Credentials>,
    /// The tokens and temporary keys the identity APIs issue.
    pub issued: Issued<Store>,
    /// The token the control API asks for (`--control-token`); none: it is open.
    pub control_token: Option<ControlToken>,
    /// The request journal, which the edge writes and the control API reads.
    pub journal: Journal<Store>,
    /// The fault rules, which the control API edits and the fault layer and services apply.
    pub faults: Faults,
    /// The Prometheus metrics, which the edge updates and `GET /metrics` renders.
    pub metrics: SharedMetrics,
    /// Set when serving ends, so that endless answers (the console's event stream) end too.
    pub closing: Closing,
}

/// Tells endless answers that serving is ending: shutdown waits for in-flight requests, and an
/// event stream would otherwise hold it for the whole drain timeout.
#[derive(Clone, Default)]
pub struct Closing(Arc<tokio::sync::watch::Sender<bool>>);

impl Closing {
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    /// Completes once serving ends (at once when it already has).
    pub async fn wait(&self) {
        let mut closing = self.0.subscribe();
        // The sender lives as long as `self`, so this only ends when closing begins.
        let _ = closing.wait_for(|closing| *closing).await;
    }
}
