//! The destinations the suite's flow logs deliver to: the fixed Huawei LTS group and stream
//! (`LOG_GROUP`, `LOG_TOPIC`, put straight into the store, as their ids are the server's to
//! choose) and the Alibaba SLS project and logstore the create parameters name.

use chrono::Utc;
use flowplane::domain::destination::{LogGroup, LogStream, NewLogContainer};
use flowplane::domain::repository::DestinationRepository;
use flowplane::domain::{StorageError, TenantScope};

use super::app::TestApp;
use super::{LOG_GROUP, LOG_TOPIC};

/// The SLS project and logstore of [`super::create_params`].
pub const SLS_PROJECT: &str = "flowlogproject";
pub const SLS_LOGSTORE: &str = "flowlogstore";

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
        let created = destinations
            .create_group(&scope, container(SLS_PROJECT, Some(30)))
            .await;
        if let Err(err) = created {
            assert!(
                matches!(
                    err,
                    flowplane::domain::DomainError::DestinationExists { .. }
                ),
                "{err}"
            );
        }
        let created = destinations
            .create_stream(&scope, SLS_PROJECT, container(SLS_LOGSTORE, Some(30)))
            .await;
        if let Err(err) = created {
            assert!(
                matches!(
                    err,
                    flowplane::domain::DomainError::DestinationExists { .. }
                ),
                "{err}"
            );
        }
    }
}

#[track_caller]
fn ignore_duplicate(result: Result<(), StorageError>) {
    match result {
        Ok(()) | Err(StorageError::UniqueViolation) => {}
        Err(err) => panic!("{err}"),
    }
}
