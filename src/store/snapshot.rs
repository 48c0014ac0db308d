//! Snapshots: [`SnapshotRepository`]. Every table a snapshot holds is one *section*: a typed
//! row written once ([`section_row!`]: serde for the document, sqlx for the database, its
//! columns and how a scope narrows it), read and inserted by the same statements on both
//! backends. Rows keep every stored column but the creation-order `seq`: rows are exported in
//! that order and inserted in it, so listings keep their order (the ids, times, statuses,
//! pending due times and records progress are kept as they were).
//!
//! **Adding a table to snapshots**: one `section_row!` for its row (its
//! columns but an auto-increment `seq`, with a [`RowCheck`] for what the services must be able
//! to read back), and one line in [`for_each_section!`], where parents come before children.
//! Nothing else changes: export, import (replace and merge), seeding and the "empty database"
//! test go through that list. Its [`Scoping`] says which snapshots hold it: `Tenant` (rows
//! carry provider, tenant and region), `Owned` (rows of another section's rows), `Provider`
//! (per-provider rows, in no tenant's snapshot), `World` (rows of no provider, as fault rules,
//! held only by a snapshot of everything).
//!
//! Not in a snapshot: issued IAM tokens, temporary keys (secrets, and short-lived), signature
//! nonces (seconds-long replay guards) and the request journal (a log of calls, not state).

use std::collections::{BTreeMap, HashSet};
use std::net::Ipv4Addr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::error::ErrorKind;

use super::exec::{Decoded, Exec};
use super::records::RecordRow;
use super::row::{from_millis, Text};
use super::sql::{delete_in_reset, delete_owned_in_reset, push_reset_scope, Dialect, Sql};
use super::transition_settings;
use super::{with_db, Store};
use crate::domain::cidr::Ipv4Cidr;
use crate::domain::records::FlowRecord;
use crate::domain::repository::SnapshotRepository;
use crate::domain::{
    ImportCounts, ImportMode, ResetCounts, ResetScope, Snapshot, SnapshotError, StorageError,
};

/// The sections, in the order they are inserted (parents before children; a replace removes
/// them in the reverse order): `$body` runs once for each, with `$row` its row type.
macro_rules! for_each_section {
    (|$row:ident| $body:expr) => {{
        {
            type $row = NetworkResourceRow;
            $body;
        }
        {
            type $row = NetworkTagRow;
            $body;
        }
        {
            type $row = LogGroupRow;
            $body;
        }
        {
            type $row = LogStreamRow;
            $body;
        }
        {
            type $row = FlowLogRow;
            $body;
        }
        {
            type $row = FlowLogTagRow;
            $body;
        }
        {
            type $row = ActivationRow;
            $body;
        }
        {
            type $row = TransitionSettingRow;
            $body;
        }
        {
            type $row = FaultRuleRow;
            $body;
        }
        {
            type $row = RecordSectionRow;
            $body;
        }
    }};
}

/// How many rows one insert statement carries (at most 24 columns each: well under every
/// backend's limit of bound values).
const INSERT_BATCH: usize = 100;

/// How a section's rows are narrowed to a snapshot's scope.
#[derive(Debug, Clone, Copy)]
enum Scoping {
    /// The rows carry `provider`, `tenant_id` and `region_id`.
    Tenant,
    /// Each row belongs to the `owners` row of the same `provider` whose `id` is its `owner`.
    Owned {
        owners: &'static str,
        owner: &'static str,
    },
    /// The rows carry only `provider` (settings): they are in no tenant's snapshot.
    Provider,
    /// The rows belong to no provider (fault rules, which may match a face): only a snapshot
    /// of everything holds them.
    World,
}

/// One table a snapshot holds.
#[derive(Debug, Clone, Copy)]
struct Section {
    /// Its key in the document (the reset's name for the kind where there is one).
    name: &'static str,
    table: &'static str,
    /// The row's fields, in order.
    columns: &'static str,
    /// The export's order (creation order where the table has one).
    order: &'static str,
    scoping: Scoping,
    /// Only in a snapshot taken with `records=true`.
    records_only: bool,
}

impl Section {
    /// Whether a snapshot of `scope` holds this section.
    fn held(&self, scope: &ResetScope, records: bool) -> bool {
        (records || !self.records_only)
            && match self.scoping {
                Scoping::Provider => scope.tenant().is_none(),
                Scoping::World => scope.tenant().is_none() && scope.provider().is_none(),
                Scoping::Tenant | Scoping::Owned { .. } => true,
            }
    }

    fn select<DB: Dialect>(&self, scope: &ResetScope) -> Sql<DB> {
        let (columns, table) = (self.columns, self.table);
        let mut sql = Sql::new(format!("SELECT {columns} FROM {table} WHERE 1 = 1"));
        match self.scoping {
            Scoping::Tenant => push_reset_scope(&mut sql, "", scope),
            Scoping::Owned { owners, owner } => {
                sql.push(format!(
                    " AND EXISTS (SELECT 1 FROM {owners} o WHERE o.provider = {table}.provider \
                     AND o.id = {table}.{owner}"
                ));
                push_reset_scope(&mut sql, "o.", scope);
                sql.push(")");
            }
            Scoping::Provider => push_provider(&mut sql, scope),
            Scoping::World => {}
        }
        sql.push(format!(" ORDER BY {}", self.order));
        sql
    }

    /// Removes the rows of `scope` (a replace); `None` when the scope holds none of them.
    fn delete<DB: Dialect>(&self, scope: &ResetScope) -> Option<Sql<DB>> {
        match self.scoping {
            Scoping::Tenant => Some(delete_in_reset(self.table, scope)),
            Scoping::Owned { owners, owner } => {
                Some(delete_owned_in_reset(self.table, owners, owner, scope))
            }
            Scoping::Provider if scope.tenant().is_some() => None,
            Scoping::World if !self.held(scope, true) => None,
            Scoping::World => Some(Sql::new(format!("DELETE FROM {}", self.table))),
            Scoping::Provider => {
                let mut sql = Sql::new(format!("DELETE FROM {} WHERE 1 = 1", self.table));
                push_provider(&mut sql, scope);
                Some(sql)
            }
        }
    }

    /// Why `row` (a JSON object) is not a row of `scope`, if it is not.
    fn outside(&self, row: &Value, scope: &ResetScope) -> Option<String> {
        let field = |name: &str| row.get(name).and_then(Value::as_str).unwrap_or_default();
        if let (false, Some(provider)) = (matches!(self.scoping, Scoping::World), scope.provider())
        {
            if field("provider") != provider.as_str() {
                return Some(format!("its provider is not {}", provider.as_str()));
            }
        }
        if let (Scoping::Tenant, Some(tenant)) = (self.scoping, scope.tenant()) {
            if field("tenant_id") != tenant.id {
                return Some(format!("its tenant_id is not {}", tenant.id));
            }
            if let Some(region) = &tenant.region_id {
                if field("region_id") != region {
                    return Some(format!("its region_id is not {region}"));
                }
            }
        }
        None
    }
}

fn push_provider<DB: Dialect>(sql: &mut Sql<DB>, scope: &ResetScope) {
    if let Some(provider) = scope.provider() {
        sql.push(" AND provider = ").text(provider.as_str());
    }
}

/// A column's value, bound as its type.
trait Column {
    fn bind<DB: Dialect>(&self, sql: &mut Sql<DB>);
}

impl Column for Text {
    fn bind<DB: Dialect>(&self, sql: &mut Sql<DB>) {
        sql.text(&self.0);
    }
}

impl Column for Option<Text> {
    fn bind<DB: Dialect>(&self, sql: &mut Sql<DB>) {
        sql.opt_text(self.as_ref().map(|text| text.0.as_str()));
    }
}

impl Column for i64 {
    fn bind<DB: Dialect>(&self, sql: &mut Sql<DB>) {
        sql.int(*self);
    }
}

impl Column for Option<i64> {
    fn bind<DB: Dialect>(&self, sql: &mut Sql<DB>) {
        sql.opt_int(*self);
    }
}

impl Column for bool {
    fn bind<DB: Dialect>(&self, sql: &mut Sql<DB>) {
        sql.boolean(*self);
    }
}

/// A section's row.
trait SectionRow: Serialize + DeserializeOwned + RowCheck + Send + Sync + 'static {
    const SECTION: Section;
    /// Binds the row's values, in [`Section::columns`]' order, comma-separated.
    fn bind_values<DB: Dialect>(&self, sql: &mut Sql<DB>);
}

/// What the schema would take but the services could not read back (an address that is not
/// one, a time out of range, a JSON column that is not JSON), refused at import.
trait RowCheck {
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// A section's row type: its fields are its columns (their names and types), in order.
macro_rules! section_row {
    (
        $(#[$meta:meta])*
        $row:ident: $name:literal in $table:literal, order by $order:literal,
        $scoping:expr, records only: $records:literal,
        { $($field:ident: $type:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Serialize, Deserialize, sqlx::FromRow)]
        #[serde(deny_unknown_fields)]
        struct $row {
            $($field: $type),*
        }

        impl SectionRow for $row {
            const SECTION: Section = Section {
                name: $name,
                table: $table,
                columns: stringify!($($field),*),
                order: $order,
                scoping: $scoping,
                records_only: $records,
            };

            fn bind_values<DB: Dialect>(&self, sql: &mut Sql<DB>) {
                let mut separator = "";
                $(
                    sql.push(separator);
                    Column::bind(&self.$field, sql);
                    separator = ", ";
                )*
                let _ = separator;
            }
        }
    };
}

section_row! {
    /// VPCs, subnets / vSwitches and ports / ENIs (`migrations/*/…_network.sql`).
    NetworkResourceRow: "network_resources" in "network_resources", order by "seq",
    Scoping::Tenant, records only: false,
    {
        id: Text, provider: Text, tenant_id: Text, region_id: Text, kind: Text,
        parent_id: Option<Text>, vpc_id: Text, name: Option<Text>, description: Option<Text>,
        cidr: Option<Text>, gateway_ip: Option<Text>, zone: Option<Text>,
        private_ip: Option<Text>, mac_address: Option<Text>, resource_group_id: Option<Text>,
        attributes: Text, status: Text, due_at: Option<i64>, created_at: i64, updated_at: i64,
        revision: i64,
    }
}

section_row! {
    NetworkTagRow: "network_resource_tags" in "network_resource_tags",
    order by "provider, resource_id, key",
    Scoping::Owned { owners: "network_resources", owner: "resource_id" }, records only: false,
    { provider: Text, resource_id: Text, key: Text, value: Text }
}

section_row! {
    /// LTS log groups, SLS projects.
    LogGroupRow: "log_groups" in "log_groups", order by "seq", Scoping::Tenant,
    records only: false,
    {
        provider: Text, tenant_id: Text, region_id: Text, id: Text, name: Text,
        description: Option<Text>, ttl_days: Option<i64>, tags: Text, attributes: Text,
        created_at: i64, updated_at: i64,
    }
}

section_row! {
    /// LTS log streams, SLS logstores.
    LogStreamRow: "log_streams" in "log_streams", order by "seq", Scoping::Tenant,
    records only: false,
    {
        provider: Text, tenant_id: Text, region_id: Text, group_id: Text, id: Text,
        name: Text, description: Option<Text>, ttl_days: Option<i64>, tags: Text,
        attributes: Text, created_at: i64, updated_at: i64,
    }
}

section_row! {
    /// Flow logs of both clouds, with their life cycle and the records generator's progress.
    FlowLogRow: "flow_logs" in "flow_logs", order by "seq", Scoping::Tenant,
    records only: false,
    {
        id: Text, provider: Text, tenant_id: Text, region_id: Text, name: Option<Text>,
        description: Option<Text>, resource_kind: Text, resource_id: Text,
        traffic_filter: Text, traffic_paths: Text, aggregation_interval: Option<i64>,
        ip_version: Option<Text>, log_format: Option<Text>, log_group: Text, log_topic: Text,
        index_enabled: bool, resource_group_id: Option<Text>, status: Text,
        due_at: Option<i64>, created_at: i64, updated_at: i64, active_since: Option<i64>,
        records_through: Option<i64>, delivery_fault: Option<Text>,
    }
}

section_row! {
    FlowLogTagRow: "flow_log_tags" in "flow_log_tags", order by "provider, flow_log_id, key",
    Scoping::Owned { owners: "flow_logs", owner: "flow_log_id" }, records only: false,
    { provider: Text, flow_log_id: Text, key: Text, value: Text }
}

section_row! {
    /// Alibaba's OpenFlowLogService, per account and region.
    ActivationRow: "service_activations" in "flow_log_service_activations",
    order by "provider, tenant_id, region_id", Scoping::Tenant, records only: false,
    { provider: Text, tenant_id: Text, region_id: Text, activated_at: i64 }
}

section_row! {
    /// `PUT /_flowplane/transitions`' settings (a kind without a row keeps its default).
    TransitionSettingRow: "transition_settings" in "transition_settings",
    order by "provider, kind", Scoping::Provider, records only: false,
    { provider: Text, kind: Text, mode: Text, delay_ms: Option<i64> }
}

section_row! {
    /// `POST /_flowplane/faults`' rules, with their counters, in matching order.
    FaultRuleRow: "fault_rules" in "fault_rules", order by "seq", Scoping::World,
    records only: false,
    {
        id: Text, created_at: i64, face: Option<Text>, product: Option<Text>,
        operation: Option<Text>, provider: Option<Text>, kind: Option<Text>,
        tenant: Option<Text>, region: Option<Text>, resource_id: Option<Text>, effect: Text,
        status: Option<i64>, code: Option<Text>, message: Option<Text>,
        duration_ms: Option<i64>, times: Option<i64>, remaining: Option<i64>,
        probability: Option<i64>, seed: i64, matched: i64, fired: i64,
    }
}

section_row! {
    /// Delivered records, only with `records=true`.
    RecordSectionRow: "records" in "flow_log_records", order by "seq", Scoping::Tenant,
    records only: true,
    {
        provider: Text, tenant_id: Text, region_id: Text, group_id: Text, stream_id: Text,
        flow_log_id: Text, window_start: i64, time: i64, sample: Text,
    }
}

fn time(column: &str, millis: i64) -> Result<(), String> {
    from_millis(millis)
        .map(|_| ())
        .map_err(|_| format!("{column} {millis} is out of range"))
}

fn times<'a>(columns: impl IntoIterator<Item = (&'a str, Option<i64>)>) -> Result<(), String> {
    columns
        .into_iter()
        .filter_map(|(column, millis)| millis.map(|millis| (column, millis)))
        .try_for_each(|(column, millis)| time(column, millis))
}

fn parses<T: std::str::FromStr>(column: &str, value: &Option<Text>) -> Result<(), String> {
    match value {
        Some(Text(text)) if text.parse::<T>().is_err() => {
            Err(format!("{column} {text:?} is not valid"))
        }
        _ => Ok(()),
    }
}

fn json_object(column: &str, value: &Text) -> Result<(), String> {
    serde_json::from_str::<Map<String, Value>>(&value.0)
        .map(|_| ())
        .map_err(|_| {
            format!(
                "{column} must be a JSON object (as text), not {:?}",
                value.0
            )
        })
}

fn whole(column: &str, value: Option<i64>) -> Result<(), String> {
    match value {
        Some(value) if u32::try_from(value).is_err() => {
            Err(format!("{column} {value} is out of range"))
        }
        _ => Ok(()),
    }
}

impl RowCheck for NetworkResourceRow {
    fn check(&self) -> Result<(), String> {
        parses::<Ipv4Cidr>("cidr", &self.cidr)?;
        parses::<Ipv4Addr>("gateway_ip", &self.gateway_ip)?;
        parses::<Ipv4Addr>("private_ip", &self.private_ip)?;
        json_object("attributes", &self.attributes)?;
        times([
            ("due_at", self.due_at),
            ("created_at", Some(self.created_at)),
            ("updated_at", Some(self.updated_at)),
        ])
    }
}

impl RowCheck for NetworkTagRow {}
impl RowCheck for FlowLogTagRow {}

fn container(
    tags: &Text,
    attributes: &Text,
    ttl_days: Option<i64>,
    created_at: i64,
    updated_at: i64,
) -> Result<(), String> {
    serde_json::from_str::<Vec<(String, String)>>(&tags.0).map_err(|_| {
        format!(
            "tags must be a JSON array of [key, value] pairs (as text), not {:?}",
            tags.0
        )
    })?;
    json_object("attributes", attributes)?;
    whole("ttl_days", ttl_days)?;
    times([
        ("created_at", Some(created_at)),
        ("updated_at", Some(updated_at)),
    ])
}

impl RowCheck for LogGroupRow {
    fn check(&self) -> Result<(), String> {
        container(
            &self.tags,
            &self.attributes,
            self.ttl_days,
            self.created_at,
            self.updated_at,
        )
    }
}

impl RowCheck for LogStreamRow {
    fn check(&self) -> Result<(), String> {
        container(
            &self.tags,
            &self.attributes,
            self.ttl_days,
            self.created_at,
            self.updated_at,
        )
    }
}

impl RowCheck for FlowLogRow {
    fn check(&self) -> Result<(), String> {
        whole("aggregation_interval", self.aggregation_interval)?;
        times([
            ("due_at", self.due_at),
            ("created_at", Some(self.created_at)),
            ("updated_at", Some(self.updated_at)),
            ("active_since", self.active_since),
            ("records_through", self.records_through),
        ])
    }
}

impl RowCheck for ActivationRow {
    fn check(&self) -> Result<(), String> {
        time("activated_at", self.activated_at)
    }
}

impl RowCheck for TransitionSettingRow {
    fn check(&self) -> Result<(), String> {
        let row = (
            self.provider.clone(),
            self.kind.clone(),
            self.mode.clone(),
            self.delay_ms,
        );
        transition_settings::decode(row)
            .map(|_| ())
            .map_err(|err| err.to_string())
    }
}

impl RowCheck for FaultRuleRow {
    /// A rule the fault service can read back and would have accepted.
    fn check(&self) -> Result<(), String> {
        let text = |value: &Option<Text>| value.clone();
        let rule = super::faults::decode(super::faults::RuleRow {
            id: self.id.clone(),
            created_at: self.created_at,
            face: text(&self.face),
            product: text(&self.product),
            operation: text(&self.operation),
            provider: text(&self.provider),
            kind: text(&self.kind),
            tenant: text(&self.tenant),
            region: text(&self.region),
            resource_id: text(&self.resource_id),
            effect: self.effect.clone(),
            status: self.status,
            code: text(&self.code),
            message: text(&self.message),
            duration_ms: self.duration_ms,
            times: self.times,
            remaining: self.remaining,
            probability: self.probability,
            seed: self.seed,
            matched: self.matched,
            fired: self.fired,
        })
        .map_err(|err| err.to_string())?;
        rule.rule.check().map_err(|refused| refused.0)
    }
}

impl RowCheck for RecordSectionRow {
    fn check(&self) -> Result<(), String> {
        let row = RecordRow {
            provider: self.provider.clone(),
            tenant_id: self.tenant_id.clone(),
            region_id: self.region_id.clone(),
            group_id: self.group_id.clone(),
            stream_id: self.stream_id.clone(),
            flow_log_id: self.flow_log_id.clone(),
            window_start: self.window_start,
            time: self.time,
            sample: self.sample.clone(),
        };
        FlowRecord::try_from(row)
            .map(|_| ())
            .map_err(|err| err.to_string())
    }
}

/// Every section, in insertion order.
fn sections() -> Vec<Section> {
    let mut sections = Vec::new();
    for_each_section!(|R| sections.push(<R as SectionRow>::SECTION));
    sections
}

impl From<sqlx::Error> for SnapshotError {
    fn from(err: sqlx::Error) -> Self {
        SnapshotError::Storage(err.into())
    }
}

/// A refused insert: a taken key is a conflict, another broken rule of the schema makes the
/// snapshot invalid; anything else is the database's failure.
fn refused(section: &str, err: sqlx::Error) -> SnapshotError {
    let Some(db) = err.as_database_error() else {
        return err.into();
    };
    let message = format!("{section}: {}", db.message());
    match db.kind() {
        ErrorKind::UniqueViolation => SnapshotError::Conflict(message),
        ErrorKind::ForeignKeyViolation
        | ErrorKind::NotNullViolation
        | ErrorKind::CheckViolation => SnapshotError::Invalid(message),
        _ => err.into(),
    }
}

impl SnapshotRepository for Store {
    async fn export_sections(
        &self,
        scope: &ResetScope,
        records: bool,
    ) -> Result<BTreeMap<String, Vec<Value>>, StorageError> {
        let mut sections = BTreeMap::new();
        // One transaction that sees one state of every table.
        with_db!(self, transaction, |db| {
            if let Some(statement) = consistent_reads(&*db) {
                db.execute(Sql::new(statement)).await?;
            }
            for_each_section!(|R| export_section::<_, R>(db, scope, records, &mut sections).await?);
        });
        Ok(sections)
    }

    async fn import_snapshot(
        &self,
        snapshot: &Snapshot,
        mode: ImportMode,
    ) -> Result<ImportCounts, SnapshotError> {
        let counts = with_db!(self, transaction, |db| {
            import(db, snapshot, mode).await?
        });
        Ok(counts)
    }

    async fn seed(&self, snapshots: &[Snapshot]) -> Result<Option<ResetCounts>, SnapshotError> {
        let loaded = with_db!(self, transaction, |db| {
            // Replicas starting together on one Postgres take turns: the first loads.
            if let Some(lock) = Dialect::quota_lock("flowplane seed") {
                db.execute(lock).await?;
            }
            for section in sections() {
                let (found,): (i64,) = db
                    .fetch_one(Sql::new(format!(
                        "SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) t",
                        section.table
                    )))
                    .await?;
                if found > 0 {
                    return Ok(None);
                }
            }
            let mut loaded = ResetCounts::default();
            for snapshot in snapshots {
                let counts = import(db, snapshot, ImportMode::Merge).await?;
                for (&kind, &count) in counts.imported.by_kind() {
                    loaded.add(kind, count);
                }
            }
            loaded
        });
        Ok(Some(loaded))
    }
}

/// The backend's [`Dialect::CONSISTENT_READS`], named through a connection of it.
fn consistent_reads<E: Exec>(_db: &E) -> Option<&'static str> {
    <E::Db as Dialect>::CONSISTENT_READS
}

async fn export_section<E, R>(
    db: &mut E,
    scope: &ResetScope,
    records: bool,
    out: &mut BTreeMap<String, Vec<Value>>,
) -> Result<(), StorageError>
where
    E: Exec,
    R: SectionRow + Decoded<E::Db>,
{
    let section = R::SECTION;
    if !section.held(scope, records) {
        return Ok(());
    }
    let rows: Vec<R> = db.fetch_all(section.select(scope)).await?;
    let rows = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| StorageError::Corrupt(format!("{}: {err}", section.name)))?;
    out.insert(section.name.to_owned(), rows);
    Ok(())
}

/// One snapshot into the open transaction.
async fn import<E: Exec>(
    db: &mut E,
    snapshot: &Snapshot,
    mode: ImportMode,
) -> Result<ImportCounts, SnapshotError> {
    let known = sections();
    if let Some(unknown) = snapshot
        .sections
        .keys()
        .find(|name| !known.iter().any(|section| section.name == name.as_str()))
    {
        let names: Vec<&str> = known.iter().map(|section| section.name).collect();
        return Err(SnapshotError::Invalid(format!(
            "unknown snapshot section {unknown:?} (this Flowplane knows {})",
            names.join(", ")
        )));
    }
    let mut counts = ImportCounts::default();
    if mode == ImportMode::Replace {
        for section in known.iter().rev() {
            if let Some(delete) = section.delete(&snapshot.scope) {
                let deleted = db.execute(delete).await?;
                counts.deleted.add(section.name, deleted);
            }
        }
    }
    for_each_section!(|R| import_section::<_, R>(db, snapshot, &mut counts.imported).await?);
    Ok(counts)
}

async fn import_section<E: Exec, R: SectionRow>(
    db: &mut E,
    snapshot: &Snapshot,
    counts: &mut ResetCounts,
) -> Result<(), SnapshotError> {
    let section = R::SECTION;
    let Some(values) = snapshot.sections.get(section.name) else {
        return Ok(());
    };
    let name = section.name;
    if !values.is_empty() && !section.held(&snapshot.scope, true) {
        return Err(SnapshotError::Invalid(format!(
            "a tenant's snapshot holds no {name}: they are not a tenant's"
        )));
    }
    // Rows owned by another section's (tags) travel with their owner: it must be in the
    // snapshot, so that an import of one tenant cannot tag another tenant's resources.
    let owners: Option<(&str, HashSet<(&str, &str)>)> = match section.scoping {
        Scoping::Owned { owners, owner } => Some((
            owner,
            snapshot
                .sections
                .get(owners)
                .into_iter()
                .flatten()
                .filter_map(|row| Some((row.get("provider")?.as_str()?, row.get("id")?.as_str()?)))
                .collect(),
        )),
        _ => None,
    };
    let mut rows = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        let row = R::deserialize(value)
            .map_err(|err| SnapshotError::Invalid(format!("{name}[{index}]: {err}")))?;
        if let Some(why) = section.outside(value, &snapshot.scope) {
            return Err(SnapshotError::Invalid(format!(
                "{name}[{index}] is outside the snapshot's scope: {why}"
            )));
        }
        if let Some((owner, known)) = &owners {
            let field = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default();
            if !known.contains(&(field("provider"), field(owner))) {
                return Err(SnapshotError::Invalid(format!(
                    "{name}[{index}] belongs to {} {}, which the snapshot does not hold",
                    field("provider"),
                    field(owner)
                )));
            }
        }
        row.check()
            .map_err(|why| SnapshotError::Invalid(format!("{name}[{index}]: {why}")))?;
        rows.push(row);
    }
    for batch in rows.chunks(INSERT_BATCH) {
        let mut sql = Sql::new(format!(
            "INSERT INTO {} ({}) VALUES ",
            section.table, section.columns
        ));
        for (i, row) in batch.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            row.bind_values(&mut sql);
            sql.push(")");
        }
        db.execute(sql).await.map_err(|err| refused(name, err))?;
    }
    counts.add(name, rows.len() as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_has_a_name_of_its_own() {
        let sections = sections();
        let mut names: Vec<&str> = sections.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), sections.len());
        let columns =
            |list: &str| -> Vec<String> { list.split(',').map(|c| c.trim().to_owned()).collect() };
        assert_eq!(
            columns(FlowLogRow::SECTION.columns),
            columns(super::super::row::COLUMNS),
            "the flow-log section holds every stored column"
        );
    }
}
