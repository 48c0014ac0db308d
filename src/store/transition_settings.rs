//! Run-time transition settings: their statements and [`TransitionSettingRepository`].

use super::row::Text;
use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::domain::repository::TransitionSettingRepository;
use crate::domain::{Provider, StorageError, TransitionKind, TransitionMode, TransitionSetting};

pub(super) type SettingRow = (Text, Text, Text, Option<i64>);

impl TransitionSettingRepository for Store {
    async fn transition_mode(
        &self,
        provider: Provider,
        kind: TransitionKind,
    ) -> Result<Option<TransitionMode>, StorageError> {
        let row: Option<SettingRow> = with_db!(self, read, |db| {
            db.fetch_optional(select(Some((provider, kind)))).await?
        });
        row.map(decode)
            .transpose()
            .map(|setting| setting.map(|s| s.mode))
    }

    async fn transition_settings(&self) -> Result<Vec<TransitionSetting>, StorageError> {
        let rows: Vec<SettingRow> =
            with_db!(self, read, |db| { db.fetch_all(select(None)).await? });
        rows.into_iter().map(decode).collect()
    }

    async fn write_transition_settings(
        &self,
        changes: &[(Provider, TransitionKind, Option<TransitionMode>)],
    ) -> Result<(), StorageError> {
        with_db!(self, transaction, |db| {
            for &(provider, kind, mode) in changes {
                match mode {
                    Some(mode) => db.execute(upsert(provider, kind, mode)).await?,
                    None => db.execute(remove(provider, kind)).await?,
                };
            }
        });
        Ok(())
    }
}

pub(super) fn decode(
    (provider, kind, mode, delay_ms): SettingRow,
) -> Result<TransitionSetting, StorageError> {
    let corrupt = || {
        StorageError::Corrupt(format!(
            "transition setting {} {} {} {delay_ms:?}",
            provider.0, kind.0, mode.0
        ))
    };
    Ok(TransitionSetting {
        provider: Provider::parse(&provider.0).ok_or_else(corrupt)?,
        kind: TransitionKind::parse(&kind.0).ok_or_else(corrupt)?,
        mode: TransitionMode::from_stored(&mode.0, delay_ms).ok_or_else(corrupt)?,
    })
}

fn select<DB: Dialect>(key: Option<(Provider, TransitionKind)>) -> Sql<DB> {
    let mut sql = Sql::new("SELECT provider, kind, mode, delay_ms FROM transition_settings");
    if let Some((provider, kind)) = key {
        sql.push(" WHERE provider = ")
            .text(provider.as_str())
            .push(" AND kind = ")
            .text(kind.as_str());
    }
    sql.push(" ORDER BY provider, kind");
    sql
}

fn upsert<DB: Dialect>(provider: Provider, kind: TransitionKind, mode: TransitionMode) -> Sql<DB> {
    let mut sql =
        Sql::new("INSERT INTO transition_settings (provider, kind, mode, delay_ms) VALUES (");
    sql.text(provider.as_str())
        .push(", ")
        .text(kind.as_str())
        .push(", ")
        .text(mode.name())
        .push(", ")
        .opt_int(mode.delay_millis())
        .push(
            ") ON CONFLICT (provider, kind) DO UPDATE SET mode = excluded.mode, \
             delay_ms = excluded.delay_ms",
        );
    sql
}

fn remove<DB: Dialect>(provider: Provider, kind: TransitionKind) -> Sql<DB> {
    let mut sql = Sql::new("DELETE FROM transition_settings WHERE provider = ");
    sql.text(provider.as_str())
        .push(" AND kind = ")
        .text(kind.as_str());
    sql
}
