//! The destinations the suite's flow logs deliver to: the fixed Huawei LTS group and stream
//! (`LOG_GROUP`, `LOG_TOPIC`, put straight into the store, as their ids are the server's to
//! choose) and the Alibaba SLS project and logstore the create parameters name.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use flowplane::domain::destination::{Delivery, LogGroup, LogStream, NewLogContainer};
use flowplane::domain::repository::{DestinationRepository, FlowLogRepository, Insertion};
use flowplane::domain::{
    FlowLog, FlowLogId, LogDestination, NewFlowLog, ResourceKind, Status, StorageError,
    TenantScope, TrafficFilter,
};
use serde_json::Value;

use super::app::TestApp;
use super::{LOG_GROUP, LOG_TOPIC};

/// The SLS project and logstore of [`super::create_params`].
pub const SLS_PROJECT: &str = "flowlogproject";
pub const SLS_LOGSTORE: &str = "flowlogstore";

/// Huawei's record fields, in the line's order.
pub const HUAWEI_RECORD_FIELDS: [&str; 14] = [
    "version",
    "project-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

/// Alibaba's record fields, in the logstore's order.
pub const ALIBABA_RECORD_FIELDS: [&str; 21] = [
    "version",
    "vswitch-id",
    "vm-id",
    "vpc-id",
    "account-id",
    "eni-id",
    "region",
    "srcaddr",
    "srcport",
    "dstaddr",
    "dstport",
    "protocol",
    "direction",
    "packets",
    "bytes",
    "start",
    "end",
    "log-status",
    "action",
    "tcp-flags",
    "traffic_path",
];

fn container(name: &str, ttl_days: Option<u32>) -> NewLogContainer {
    NewLogContainer {
        name: name.to_owned(),
        ttl_days,
        ..Default::default()
    }
}

impl TestApp {
    /// Makes `LOG_GROUP` / `LOG_TOPIC` exist in the Huawei project (again, harmlessly).
    pub async fn huawei_destination(&self, project: &str) {
        let scope = TenantScope::huawei_project(project);
        let now = Utc::now();
        let group = LogGroup {
            id: LOG_GROUP.to_owned(),
            scope: scope.clone(),
            spec: container("flowplane-test-group", Some(7)),
            created_at: now,
            updated_at: now,
        };
        ignore_duplicate(self.store().insert_group(&group).await);
        let stream = LogStream {
            id: LOG_TOPIC.to_owned(),
            group_id: LOG_GROUP.to_owned(),
            scope,
            spec: container("flowplane-test-stream", None),
            created_at: now,
            updated_at: now,
        };
        ignore_duplicate(self.store().insert_stream(&stream).await.map(|_| ()));
    }

    /// Makes `SLS_PROJECT` / `SLS_LOGSTORE` exist for the Alibaba account in the region.
    pub async fn alibaba_destination(&self, account: &str, region: &str) {
        let scope = TenantScope::alibaba_account(account, region);
        let destinations = self.destinations();
        ignore_existing(
            destinations
                .create_group(&scope, container(SLS_PROJECT, Some(30)))
                .await
                .map(|_| ()),
        );
        ignore_existing(
            destinations
                .create_stream(&scope, SLS_PROJECT, container(SLS_LOGSTORE, Some(30)))
                .await
                .map(|_| ()),
        );
    }
}

#[track_caller]
fn ignore_existing(result: Result<(), flowplane::domain::DomainError>) {
    if let Err(err) = result {
        assert!(
            matches!(
                err,
                flowplane::domain::DomainError::DestinationExists { .. }
            ),
            "{err}"
        );
    }
}

#[track_caller]
fn ignore_duplicate(result: Result<(), StorageError>) {
    match result {
        Ok(()) | Err(StorageError::UniqueViolation) => {}
        Err(err) => panic!("{err}"),
    }
}

/// A Huawei flow log on `port-fixed` of `PROJECT`, active since `since`, with a fixed id and
/// traffic filter, put straight into the store: the generator's input is then the same in
/// every run and on every database.
pub fn fixed_huawei_flow_log(id: &str, filter: TrafficFilter, since: DateTime<Utc>) -> FlowLog {
    FlowLog {
        id: FlowLogId::from_trusted(id),
        scope: TenantScope::huawei_project(super::PROJECT),
        spec: NewFlowLog {
            name: Some("fixed".into()),
            description: None,
            resource_kind: ResourceKind::NetworkInterface,
            resource_id: "port-fixed".into(),
            traffic_filter: filter,
            traffic_paths: Vec::new(),
            aggregation_interval: None,
            ip_version: None,
            log_format: None,
            destination: LogDestination {
                group: LOG_GROUP.into(),
                topic: LOG_TOPIC.into(),
            },
            index_enabled: false,
            resource_group_id: None,
            tags: Vec::new(),
        },
        status: Status::Active,
        due_at: None,
        created_at: since,
        updated_at: since,
        delivery: Delivery::Delivering,
        active_since: Some(since),
        records_through: None,
    }
}

impl TestApp {
    /// Makes the destination exist and stores the flow log.
    pub async fn insert_fixed_flow_log(&self, flow_log: &FlowLog) {
        self.huawei_destination(flow_log.scope.tenant_id()).await;
        let inserted = self.store().insert(flow_log, None, false).await.unwrap();
        assert_eq!(inserted, Insertion::Inserted);
    }

    /// `POST /_flowplane/records/generate` with this body; the answer's body.
    pub async fn generate_records(&self, body: Value) -> Value {
        let response = self.post("/_flowplane/records/generate", body).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.body
    }

    /// `GET /_flowplane/records?{query}`: the records (newest first) and the total.
    pub async fn records_where(&self, query: &str) -> (Vec<Value>, u64) {
        let response = self.get(&format!("/_flowplane/records?{query}")).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let total = response.body["total"].as_u64().unwrap();
        (response.body["records"].as_array().unwrap().clone(), total)
    }

    /// Every record one flow log delivered, newest first.
    pub async fn records_of(&self, flow_log_id: &str) -> Vec<Value> {
        let (records, total) = self
            .records_where(&format!("flow_log_id={flow_log_id}&limit=1000"))
            .await;
        assert_eq!(records.len() as u64, total, "more than one page");
        records
    }
}
