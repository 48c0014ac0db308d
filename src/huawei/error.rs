//! Huawei's error envelopes: a service's `{"code","message"}` (the VPC service's shape), the
//! API gateway's `{"error_msg","error_code","request_id"}` (also IAM's newer APIs'), and
//! Keystone's `{"error":{"code":<int>,"message","title"}}` (IAM's `/v3` APIs). The request id
//! always travels in `X-Request-Id` too. Products choose the codes; the gateway's own codes are
//! here.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::signature::HuaweiSignatureError;
use crate::context::{Failure, RequestContext, RequestId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HuaweiError {
    /// A service's own error, `{"code","message"}`.
    Service {
        status: StatusCode,
        code: Cow<'static, str>,
        message: String,
    },
    /// The API gateway's error, `{"error_msg","error_code","request_id"}`.
    Gateway {
        status: StatusCode,
        code: Cow<'static, str>,
        message: String,
    },
    /// Keystone's error, `{"error":{"code":<status>,"message","title":<reason phrase>}}`.
    Keystone { status: StatusCode, message: String },
}

impl HuaweiError {
    pub fn service(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        HuaweiError::Service {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn gateway(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        HuaweiError::Gateway {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn keystone(status: StatusCode, message: impl Into<String>) -> Self {
        HuaweiError::Keystone {
            status,
            message: message.into(),
        }
    }

    /// 413 APIGW.0201: the body is over the limit.
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

    /// The gateway's answer to a failure outside a product's handler. `internal` is the
    /// product's own answer to a bug (the gateway has none).
    pub fn from_failure(failure: &Failure, internal: impl FnOnce() -> Self) -> Self {
        match failure {
            Failure::NoSuchRoute => Self::gateway(
                StatusCode::NOT_FOUND,
                "APIGW.0101",
                "The API does not exist or has not been published in the environment",
            ),
            Failure::MethodNotAllowed => Self::gateway(
                StatusCode::NOT_FOUND,
                "APIGW.0101",
                "The API does not exist",
            ),
            Failure::Timeout => {
                Self::gateway(StatusCode::GATEWAY_TIMEOUT, "APIGW.0203", "Backend timeout")
            }
            Failure::Internal => internal(),
            // The API gateway's flow control, as every Huawei SDK sees it (a ClientRequestException
            // with status 429 and this code).
            Failure::Throttled { .. } => Self::gateway(
                StatusCode::TOO_MANY_REQUESTS,
                "APIGW.0308",
                "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second",
            ),
            Failure::Cloud {
                status,
                code,
                message,
            } => Self::service(*status, code.clone(), message.clone()),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            HuaweiError::Service { status, .. }
            | HuaweiError::Gateway { status, .. }
            | HuaweiError::Keystone { status, .. } => *status,
        }
    }

    /// The code; Keystone's is its status.
    pub fn code(&self) -> &str {
        match self {
            HuaweiError::Service { code, .. } | HuaweiError::Gateway { code, .. } => code,
            HuaweiError::Keystone { status, .. } => status.as_str(),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            HuaweiError::Service { message, .. }
            | HuaweiError::Gateway { message, .. }
            | HuaweiError::Keystone { message, .. } => message,
        }
    }
}

impl IntoResponse for HuaweiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            HuaweiError::Gateway { code, .. } | HuaweiError::Service { code, .. } => {
                RequestContext::record_error_code(code.as_ref())
            }
            HuaweiError::Keystone { status, .. } => {
                RequestContext::record_error_code(status.as_u16().to_string())
            }
        }
        let body = match &self {
            HuaweiError::Gateway { code, message, .. } => {
                json!({ "error_msg": message, "error_code": code, "request_id": RequestId::current().as_str() })
            }
            HuaweiError::Service { code, message, .. } => {
                json!({ "code": code, "message": message })
            }
            HuaweiError::Keystone { status, message } => json!({ "error": {
                "code": status.as_u16(),
                "message": message,
                "title": status.canonical_reason().unwrap_or("Error"),
            }}),
        };
        (status, Json(body)).into_response()
    }
}

impl From<HuaweiSignatureError> for HuaweiError {
    fn from(err: HuaweiSignatureError) -> Self {
        Self::unauthorized(&err)
    }
}
