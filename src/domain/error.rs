use super::lifecycle::Status;
use super::model::{FlowLogId, NewFlowLog, MAX_TAGS_PER_FLOW_LOG};
use super::repository::StorageError;

/// What can go wrong in the domain, in cloud-neutral terms; each product maps these to its codes.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("flow log {0} not found")]
    NotFound(FlowLogId),
    /// Carries back what the caller asked to create, so its face can word the refusal.
    #[error("a flow log with the same content already exists")]
    Duplicate(Box<NewFlowLog>),
    #[error("flow log {id} is {} and cannot do that now", status.as_str())]
    IncorrectState { id: FlowLogId, status: Status },
    #[error("the tenant already has {quota} flow logs, its quota")]
    QuotaExceeded { quota: u32 },
    #[error("flow log {0} would carry more than {MAX_TAGS_PER_FLOW_LOG} tags")]
    TooManyTags(FlowLogId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
