//! `GET /_flowplane/snapshot` (export) and `POST /_flowplane/snapshot` (import): the world as a
//! versioned JSON document ([`crate::domain::Snapshot`]), whole or of one provider, tenant or
//! Alibaba region.

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::query::{self, ControlQuery};
use super::ControlError;
use crate::domain::{ImportMode, Provider, ResetScope, Snapshot, SnapshotError};
use crate::state::AppState;

/// The largest snapshot `POST` reads (the rest of the control API and the cloud faces take
/// 1 MiB): a world with records is large.
pub const SNAPSHOT_BODY_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    #[serde(default, deserialize_with = "query::provider")]
    provider: Option<Provider>,
    tenant: Option<String>,
    region: Option<String>,
    #[serde(default, deserialize_with = "query::boolean")]
    records: bool,
}

pub async fn export(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<ExportQuery>,
) -> Result<Response, ControlError> {
    let scope = ResetScope::new(query.provider, query.tenant, query.region, None)
        .map_err(|err| ControlError::BadParameter(err.to_string()))?;
    let snapshot = state.snapshots.export(scope, query.records).await?;
    Ok(Json(snapshot.to_json()).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default, deserialize_with = "mode")]
    mode: ImportMode,
}

fn mode<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<ImportMode, D::Error> {
    let value = String::deserialize(deserializer)?;
    ImportMode::parse(&value).ok_or_else(|| {
        serde::de::Error::custom(format!("mode must be replace or merge, not {value:?}"))
    })
}

/// `{"mode", "imported": {<section>: n, …}, "deleted": {<section>: n, …}}` (`deleted`: what a
/// replace removed first).
pub async fn import(
    State(state): State<AppState>,
    ControlQuery(query): ControlQuery<ImportQuery>,
    body: Body,
) -> Result<Response, ControlError> {
    let bytes = axum::body::to_bytes(body, SNAPSHOT_BODY_LIMIT)
        .await
        .map_err(|_| {
            ControlError::TooLarge(format!(
                "a snapshot may hold at most {} MiB",
                SNAPSHOT_BODY_LIMIT / (1024 * 1024)
            ))
        })?;
    let snapshot =
        Snapshot::from_json(&bytes).map_err(|err| ControlError::BadParameter(err.to_string()))?;
    let counts = state
        .snapshots
        .import(&snapshot, query.mode)
        .await
        .map_err(refusal)?;
    let body = json!({
        "mode": query.mode.as_str(),
        "imported": counts.imported.by_kind(),
        "deleted": counts.deleted.by_kind(),
    });
    Ok(Json(body).into_response())
}

fn refusal(err: SnapshotError) -> ControlError {
    match err {
        SnapshotError::Invalid(message) => ControlError::BadParameter(message),
        SnapshotError::Conflict(message) => ControlError::Conflict(message),
        SnapshotError::Storage(err) => ControlError::Domain(err.into()),
    }
}
