//! SLS's error envelope: `{"errorCode", "errorMessage"}` with the request id in the
//! `x-log-requestid` header (lower-case: the Python SDK looks up no other spelling).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::context::{Failure, RequestId};
use crate::domain::destination::Level;
use crate::domain::DomainError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlsError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl SlsError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        SlsError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn parameter(message: impl Into<String>) -> Self {
        Self::bad_request("ParameterInvalid", message)
    }

    pub fn post_body_invalid() -> Self {
        Self::bad_request(
            "PostBodyInvalid",
            "The request body is not valid JSON object.",
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
    }

    pub fn project_not_exist(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ProjectNotExist",
            format!("The Project does not exist : {name}"),
        )
    }

    pub fn logstore_not_exist(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "LogStoreNotExist",
            format!("logstore {name} does not exist"),
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Internal server error.",
        )
    }

    /// A failure raised outside the product (unknown route, a bug, a layer's cloud error).
    /// `read`: whether the operation reads (its throttling is the read quota's).
    pub fn from_failure(failure: &Failure, read: bool) -> Self {
        match failure {
            Failure::NoSuchRoute => {
                Self::bad_request("InvalidMethod", "invalid request method for this path")
            }
            Failure::MethodNotAllowed => {
                Self::bad_request("InvalidMethod", "invalid request method for this path")
            }
            Failure::Timeout => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "RequestTimeout",
                "The request timed out.",
            ),
            Failure::Internal => Self::internal(),
            // The project's quota, which LogClient retries.
            Failure::Throttled { .. } if read => Self::new(
                StatusCode::FORBIDDEN,
                "ReadQuotaExceed",
                "Project read quota exceed.",
            ),
            Failure::Throttled { .. } => Self::new(
                StatusCode::FORBIDDEN,
                "WriteQuotaExceed",
                "Project write quota exceed.",
            ),
            Failure::Cloud {
                status,
                code,
                message,
            } => Self::new(*status, code, message.clone()),
        }
    }
}

impl From<DomainError> for SlsError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::DestinationNotFound {
                level: Level::Group,
                id,
            } => Self::project_not_exist(&id),
            DomainError::DestinationNotFound {
                level: Level::Stream,
                id,
            } => Self::logstore_not_exist(&id),
            DomainError::DestinationExists {
                level: Level::Group,
                name,
            } => Self::bad_request(
                "ProjectAlreadyExist",
                format!("Project {name} already exist"),
            ),
            DomainError::DestinationExists {
                level: Level::Stream,
                name,
            } => Self::bad_request(
                "LogStoreAlreadyExist",
                format!("logstore {name} already exists"),
            ),
            DomainError::Storage(err) => {
                tracing::error!(error = %err, "the store failed an SLS request");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "The service is temporarily unavailable.",
                )
            }
            other => {
                tracing::error!(error = %other, "unexpected domain error in SLS");
                Self::internal()
            }
        }
    }
}

impl IntoResponse for SlsError {
    fn into_response(self) -> Response {
        crate::context::RequestContext::record_error_code(self.code.as_str());
        let body = json!({"errorCode": self.code, "errorMessage": self.message});
        let mut response = (self.status, axum::Json(body)).into_response();
        with_sls_headers(&mut response);
        response
    }
}

/// The headers SLS puts on every answer: the request id, the server's time, its name.
pub fn with_sls_headers(response: &mut Response) {
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(RequestId::current().as_str()) {
        headers.insert("x-log-requestid", id);
    }
    if let Ok(time) = HeaderValue::from_str(&chrono::Utc::now().timestamp().to_string()) {
        headers.insert("x-log-time", time);
    }
    headers.insert(header::SERVER, HeaderValue::from_static("AliyunSLS"));
}
