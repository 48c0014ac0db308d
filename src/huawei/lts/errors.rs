//! LTS's error envelope `{"error_code":"LTS.xxxx","error_msg":"…"}` (no request id in the body;
//! the face puts it in `X-Request-Id`), its codes (reference §6), and how domain failures map
//! onto them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::domain::destination::Level;
use crate::domain::DomainError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LtsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl LtsError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for LtsError {
    fn into_response(self) -> Response {
        crate::context::RequestContext::record_error_code(self.code.to_string());
        (
            self.status,
            Json(json!({ "error_code": self.code, "error_msg": self.message })),
        )
            .into_response()
    }
}

/// 403 LTS.0001: the URL's project is not a project id (`{project_id}` unfilled, say).
pub fn invalid_project() -> LtsError {
    LtsError::new(StatusCode::FORBIDDEN, "LTS.0001", "Invalid projectId")
}

/// 400 LTS.0007: the body is missing or not a JSON object.
pub fn not_json() -> LtsError {
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0007",
        "The request body format must be json",
    )
}

/// 400 LTS.0009: a parameter is missing, of the wrong type or out of range.
pub fn invalid(field: &str) -> LtsError {
    tracing::info!(field, "invalid LTS parameter");
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0009",
        "Failed to validate the request body",
    )
}

/// 400 LTS.0011: a path id that cannot be a group's or stream's.
pub fn malformed_id() -> LtsError {
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0011",
        "The resource id is invalid or missing",
    )
}

/// 400 LTS.0201.
pub fn group_not_found() -> LtsError {
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0201",
        "The log group is not existed",
    )
}

/// 400 LTS.0208.
pub fn stream_not_found() -> LtsError {
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0208",
        "The log stream does not existed",
    )
}

/// 400 LTS.0104.
pub fn group_quota() -> LtsError {
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0104",
        "Failed to create log group, the number of log groups exceeds the quota",
    )
}

/// 400 LTS.0206.
pub fn stream_quota() -> LtsError {
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0206",
        "Failed to create log stream, the number of Log streams exceeds the quota",
    )
}

/// 400 LTS.0301.
pub fn leading_wildcard() -> LtsError {
    LtsError::new(
        StatusCode::BAD_REQUEST,
        "LTS.0301",
        "'*' and '?' not allowed as first character",
    )
}

/// 500 LTS.0010, the service's answer to a bug or a database failure.
pub fn internal() -> LtsError {
    LtsError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "LTS.0010",
        "The system encountered an internal error",
    )
}

/// A domain failure in LTS's words.
pub fn from_domain(err: DomainError) -> LtsError {
    match err {
        DomainError::DestinationNotFound {
            level: Level::Group,
            ..
        } => group_not_found(),
        DomainError::DestinationNotFound {
            level: Level::Stream,
            ..
        } => stream_not_found(),
        DomainError::DestinationExists {
            level: Level::Group,
            ..
        } => LtsError::new(
            StatusCode::BAD_REQUEST,
            "LTS.0101",
            "Failed to create log group, the group name has been existed",
        ),
        DomainError::DestinationExists {
            level: Level::Stream,
            ..
        } => LtsError::new(
            StatusCode::BAD_REQUEST,
            "LTS.0205",
            "The log stream name has been existed",
        ),
        other => {
            tracing::error!(error = %other, "LTS operation failed");
            internal()
        }
    }
}
