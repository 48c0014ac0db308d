//! Huawei's two error envelopes: the VPC service's `{"code","message"}` and the API gateway's
//! `{"error_msg","error_code","request_id"}`. The request id always travels in `X-Request-Id`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::signature::HuaweiSignatureError;
use crate::domain::{DomainError, TenantScope};
use crate::edge::{EdgeFailure, RequestId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HuaweiError {
    Vpc {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    Gateway {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

/// Which operation failed: Huawei words some errors per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiOperation {
    Create,
    List,
    Show,
    Update,
    Delete,
}

impl HuaweiError {
    fn vpc(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        HuaweiError::Vpc {
            status,
            code,
            message: message.into(),
        }
    }

    fn gateway(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        HuaweiError::Gateway {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 VPC.3001 for a body field (or header) that is missing, of the wrong type or invalid.
    pub fn invalid(field: &str) -> Self {
        Self::vpc(
            StatusCode::BAD_REQUEST,
            "VPC.3001",
            format!("{field} is invalid"),
        )
    }

    /// 400 VPC.3001 with a reason after the field name.
    pub fn invalid_because(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::vpc(
            StatusCode::BAD_REQUEST,
            "VPC.3001",
            format!("{field} is invalid: {reason}"),
        )
    }

    /// The documented (odd) 404 VPC.3001 for a bad list query parameter.
    pub fn invalid_list_param(param: &str) -> Self {
        Self::vpc(
            StatusCode::NOT_FOUND,
            "VPC.3001",
            format!("resource could not be found, {param} is invalid"),
        )
    }

    /// 404 VPC.3001 for a flow-log id that is not even a UUID.
    pub fn malformed_flow_log_id() -> Self {
        Self::vpc(
            StatusCode::NOT_FOUND,
            "VPC.3001",
            "resource could not be found, flowlog id is invalid.",
        )
    }

    pub fn payload_too_large() -> Self {
        Self::gateway(
            StatusCode::PAYLOAD_TOO_LARGE,
            "APIGW.0201",
            "Request entity too large",
        )
    }

    /// 401 APIGW.0301: the request's AK/SK signature was refused.
    pub fn unauthorized(err: &HuaweiSignatureError) -> Self {
        Self::gateway(StatusCode::UNAUTHORIZED, err.code(), err.message())
    }

    /// 400 VPC.0007: the URL's project is not one the caller's key may use.
    pub fn project_not_allowed() -> Self {
        Self::vpc(
            StatusCode::BAD_REQUEST,
            "VPC.0007",
            "urlTenantId is not equal tokenTenantId",
        )
    }

    pub fn from_edge(failure: EdgeFailure) -> Self {
        match failure {
            EdgeFailure::NoSuchRoute => Self::gateway(
                StatusCode::NOT_FOUND,
                "APIGW.0101",
                "The API does not exist or has not been published in the environment",
            ),
            EdgeFailure::MethodNotAllowed => Self::gateway(
                StatusCode::NOT_FOUND,
                "APIGW.0101",
                "The API does not exist",
            ),
            EdgeFailure::Timeout => {
                Self::gateway(StatusCode::GATEWAY_TIMEOUT, "APIGW.0203", "Backend timeout")
            }
            EdgeFailure::Internal => Self::vpc(
                StatusCode::INTERNAL_SERVER_ERROR,
                "VPC.3002",
                "Neutron Error.",
            ),
        }
    }

    /// Maps a domain failure with the wording Huawei uses for `operation`.
    pub fn from_domain(operation: ApiOperation, scope: &TenantScope, err: DomainError) -> Self {
        match err {
            DomainError::NotFound(id) => match operation {
                ApiOperation::Update | ApiOperation::Delete => Self::vpc(
                    StatusCode::NOT_FOUND,
                    "VPC.3005",
                    format!("Flow log {id} could not be found."),
                ),
                _ => Self::vpc(
                    StatusCode::NOT_FOUND,
                    "VPC.3002",
                    format!("Flow log {id} could not be found."),
                ),
            },
            DomainError::Duplicate(spec) => super::wire::duplicate_error(&spec),
            DomainError::IncorrectState { id, status } => Self::vpc(
                StatusCode::CONFLICT,
                "VPC.3002",
                format!(
                    "Flow log {id} is {} and cannot be changed now.",
                    status.as_str()
                ),
            ),
            // Huawei flow logs have neither a quota nor tags here; worded generically if ever.
            err @ (DomainError::QuotaExceeded { .. } | DomainError::TooManyTags(_)) => {
                Self::vpc(StatusCode::BAD_REQUEST, "VPC.3001", err.to_string())
            }
            DomainError::Store(err) => {
                tracing::error!(error = %err, ?operation, "database failure");
                let tenant = scope.tenant_id();
                let message = match operation {
                    ApiOperation::Create => format!("Create flow log by {tenant} fail."),
                    ApiOperation::Update => format!("Update flow log by {tenant} fail."),
                    ApiOperation::Delete => format!("Delete flow log by {tenant} fail."),
                    ApiOperation::List | ApiOperation::Show => "Neutron Error.".to_owned(),
                };
                Self::vpc(StatusCode::INTERNAL_SERVER_ERROR, "VPC.3002", message)
            }
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            HuaweiError::Vpc { status, .. } | HuaweiError::Gateway { status, .. } => *status,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            HuaweiError::Vpc { code, .. } | HuaweiError::Gateway { code, .. } => code,
        }
    }
}

impl IntoResponse for HuaweiError {
    fn into_response(self) -> Response {
        match self {
            HuaweiError::Vpc { status, code, message } => (status, Json(json!({ "code": code, "message": message }))).into_response(),
            HuaweiError::Gateway { status, code, message } => (
                status,
                Json(json!({ "error_msg": message, "error_code": code, "request_id": RequestId::current().as_str() })),
            )
                .into_response(),
        }
    }
}

impl From<HuaweiSignatureError> for HuaweiError {
    fn from(err: HuaweiSignatureError) -> Self {
        Self::unauthorized(&err)
    }
}
