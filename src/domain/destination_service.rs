//! The destination service the log products call: log groups and their streams in a tenant,
//! names unique per scope (groups) and per group (streams), a stream only in an existing group,
//! and a group's deletion either taking its streams along or refused while it holds any.
//! Deleting a stream deletes its records.

use chrono::Utc;

use super::destination::{
    generate_destination_id, GroupDeletion, Level, LogContainerChanges, LogContainerFilter,
    LogGroup, LogStream, NewLogContainer,
};
use super::error::DomainError;
use super::model::TenantScope;
use super::repository::{GroupRemoval, Repository, StorageError, StreamInsertion, Visibility};

#[derive(Clone)]
pub struct DestinationService<R> {
    store: R,
}

impl<R: Repository> DestinationService<R> {
    pub fn new(store: R) -> Self {
        Self { store }
    }

    pub async fn create_group(
        &self,
        scope: &TenantScope,
        spec: NewLogContainer,
    ) -> Result<LogGroup, DomainError> {
        let now = Utc::now();
        let group = LogGroup {
            id: generate_destination_id(scope.provider(), &spec.name),
            scope: scope.clone(),
            spec,
            created_at: now,
            updated_at: now,
        };
        match self.store.insert_group(&group).await {
            Ok(()) => Ok(group),
            Err(StorageError::UniqueViolation) => Err(DomainError::DestinationExists {
                level: Level::Group,
                name: group.spec.name,
            }),
            Err(other) => Err(other.into()),
        }
    }

    pub async fn create_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        spec: NewLogContainer,
    ) -> Result<LogStream, DomainError> {
        let now = Utc::now();
        let stream = LogStream {
            id: generate_destination_id(scope.provider(), &spec.name),
            group_id: group_id.to_owned(),
            scope: scope.clone(),
            spec,
            created_at: now,
            updated_at: now,
        };
        match self.store.insert_stream(&stream).await {
            Ok(StreamInsertion::Inserted) => Ok(stream),
            Ok(StreamInsertion::GroupMissing) => Err(group_not_found(group_id)),
            Err(StorageError::UniqueViolation) => Err(DomainError::DestinationExists {
                level: Level::Stream,
                name: stream.spec.name,
            }),
            Err(other) => Err(other.into()),
        }
    }

    pub async fn group(&self, scope: &TenantScope, id: &str) -> Result<LogGroup, DomainError> {
        self.store
            .get_group(scope, id)
            .await?
            .ok_or_else(|| group_not_found(id))
    }

    /// The stream of the group; a missing group is reported as such, before the stream.
    pub async fn stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
    ) -> Result<LogStream, DomainError> {
        if let Some(stream) = self.store.get_stream(scope, group_id, id).await? {
            return Ok(stream);
        }
        self.group(scope, group_id).await?;
        Err(DomainError::DestinationNotFound {
            level: Level::Stream,
            id: id.to_owned(),
        })
    }

    /// One page of the tenant's groups by offset, and how many match in all.
    pub async fn groups(
        &self,
        scope: &TenantScope,
        filter: &LogContainerFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<LogGroup>, u64), DomainError> {
        self.groups_any(Visibility::Tenant(scope), filter, offset, limit)
            .await
    }

    /// One page of the matching groups across tenants (for the console), and how many match.
    pub async fn groups_any(
        &self,
        visibility: Visibility<'_>,
        filter: &LogContainerFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<LogGroup>, u64), DomainError> {
        Ok(self
            .store
            .list_groups(visibility, filter, offset, limit)
            .await?)
    }

    /// One page of a group's streams (every group's, with `None`), and how many match in all.
    pub async fn streams(
        &self,
        scope: &TenantScope,
        group_id: Option<&str>,
        filter: &LogContainerFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<LogStream>, u64), DomainError> {
        Ok(self
            .store
            .list_streams(scope, group_id, filter, offset, limit)
            .await?)
    }

    pub async fn update_group(
        &self,
        scope: &TenantScope,
        id: &str,
        changes: &LogContainerChanges,
    ) -> Result<LogGroup, DomainError> {
        self.store
            .update_group(scope, id, changes, Utc::now())
            .await?
            .ok_or_else(|| group_not_found(id))
    }

    pub async fn update_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
        changes: &LogContainerChanges,
    ) -> Result<LogStream, DomainError> {
        match self
            .store
            .update_stream(scope, group_id, id, changes, Utc::now())
            .await?
        {
            Some(stream) => Ok(stream),
            None => Err(self.stream(scope, group_id, id).await.err().unwrap_or(
                DomainError::DestinationNotFound {
                    level: Level::Stream,
                    id: id.to_owned(),
                },
            )),
        }
    }

    pub async fn delete_group(
        &self,
        scope: &TenantScope,
        id: &str,
        deletion: GroupDeletion,
    ) -> Result<(), DomainError> {
        match self.store.delete_group(scope, id, deletion).await? {
            GroupRemoval::Removed => Ok(()),
            GroupRemoval::HasStreams => Err(DomainError::GroupNotEmpty(id.to_owned())),
            GroupRemoval::NotFound => Err(group_not_found(id)),
        }
    }

    pub async fn delete_stream(
        &self,
        scope: &TenantScope,
        group_id: &str,
        id: &str,
    ) -> Result<(), DomainError> {
        if self.store.delete_stream(scope, group_id, id).await? {
            return Ok(());
        }
        self.stream(scope, group_id, id).await.map(|_| ())
    }
}

fn group_not_found(id: &str) -> DomainError {
    DomainError::DestinationNotFound {
        level: Level::Group,
        id: id.to_owned(),
    }
}
