//! Resetting the world: the one place that runs each area's reset statements, in one
//! transaction, for the areas the domain's [`ResetScope`] covers.

use super::{activations, destinations, flow_logs, issued, network, nonces, records};
use super::{with_db, Store};
use crate::domain::{ResetArea, ResetCounts, ResetScope, StorageError};

pub(super) async fn reset(store: &Store, scope: &ResetScope) -> Result<ResetCounts, StorageError> {
    let mut counts = ResetCounts::default();
    with_db!(store, transaction, |db| {
        for area in scope.areas() {
            match area {
                ResetArea::FlowLogs => {
                    flow_logs::reset(db, scope, &mut counts).await?;
                    activations::reset(db, scope, &mut counts).await?;
                }
                ResetArea::Network => network::reset(db, scope, &mut counts).await?,
                ResetArea::Destinations => destinations::reset(db, scope, &mut counts).await?,
                ResetArea::Records => records::reset(db, scope, &mut counts).await?,
                ResetArea::Issued => issued::reset(db, scope.provider(), &mut counts).await?,
                ResetArea::Nonces => nonces::reset(db, &mut counts).await?,
            }
        }
    });
    Ok(counts)
}
