//! Alibaba's POP error envelope `{"RequestId","HostId","Code","Message","Recommend"}`, with the
//! gateway's statuses and codes (reference §2) and the constructors products share.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::xml::Format;
use crate::context::{Failure, RequestId};

/// Which endpoint an error says it comes from: its host (`HostId`) and the product name its
/// troubleshooting link (`Recommend`) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub host: &'static str,
    pub product: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlibabaError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
}

impl AlibabaError {
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    fn bad_request(
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 400 `Missing<Param>`: a required parameter is absent or empty.
    pub fn missing(param: &str) -> Self {
        Self::bad_request(
            format!("Missing{param}"),
            format!("{param} is mandatory for this action."),
        )
    }

    /// 400 `InvalidParameter`: a parameter that is not well formed (not a number, a list with a
    /// gap, a repeated parameter, …), with the reason.
    pub fn invalid(param: &str, reason: impl std::fmt::Display) -> Self {
        Self::bad_request(
            "InvalidParameter",
            format!("The specified parameter \"{param}\" is not valid: {reason}."),
        )
    }

    /// 400 `Invalid<Param>.Malformed`: a value that breaks its parameter's documented rule.
    pub fn malformed(param: &str, rule: impl std::fmt::Display) -> Self {
        Self::bad_request(
            format!("Invalid{param}.Malformed"),
            format!("The specified parameter {param} is not valid: {rule}."),
        )
    }

    /// A code and message straight from the API's error table.
    pub fn documented(code: &'static str, message: &'static str) -> Self {
        Self::bad_request(code, message)
    }

    /// A code and message from the API's error table, with its own status.
    pub fn documented_with(status: StatusCode, code: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn unknown_action() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "InvalidAction.NotFound".into(),
            message: "Specified api is not found, please check your url and method.".into(),
        }
    }

    pub fn invalid_version() -> Self {
        Self::documented(
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        )
    }

    /// 400 `SignatureNonceUsed`: a replayed request.
    pub fn nonce_used() -> Self {
        Self::documented(
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        )
    }

    pub fn unsupported_resource_type() -> Self {
        Self::documented(
            "OperationUnsupported.ResourceType",
            "This resource type is not supported.",
        )
    }

    /// 404 `InvalidInstanceId.NotFound`: no such flow log (or an id that cannot be one). The
    /// cloud's table says 400; SDKs and Terraform's `NotFoundError` take only a 404 (or
    /// "NotFound" in the message) for "already gone", which a destroy needs.
    pub fn flow_log_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "InvalidInstanceId.NotFound",
            "The specified instance does not exist.",
        )
    }

    /// 500 `InternalError`: a bug.
    pub fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalError".into(),
            message:
                "The request processing has failed due to some unknown error, exception or failure."
                    .into(),
        }
    }

    pub fn service_unavailable() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "ServiceUnavailable".into(),
            message: "The request has failed due to a temporary failure of the server.".into(),
        }
    }

    /// A failure outside the actions, as the gateway answers it.
    pub fn from_failure(failure: &Failure) -> Self {
        match failure {
            Failure::NoSuchRoute | Failure::MethodNotAllowed => Self::unknown_action(),
            // Terraform retries ServiceUnavailable, as it would a slow real endpoint.
            Failure::Timeout => Self::service_unavailable(),
            Failure::Internal => Self::internal(),
            // POP's flow control; the SDKs take it as throttling by the code (`Throttling.*`,
            // Terraform's NeedRetry) and by `x-acs-retry-after` (the face's render adds it).
            Failure::Throttled { .. } => Self {
                status: StatusCode::BAD_REQUEST,
                code: "Throttling.User".into(),
                message: "Request was denied due to user flow control.".into(),
            },
            Failure::Cloud {
                status,
                code,
                message,
            } => Self {
                status: *status,
                code: code.clone().into(),
                message: message.clone().into(),
            },
        }
    }
}

impl AlibabaError {
    /// The body, with the current request's id, as `endpoint` writes it.
    pub fn body(&self, endpoint: &Endpoint) -> Value {
        let request_id = RequestId::current();
        json!({
            "RequestId": request_id.as_str(),
            "HostId": endpoint.host,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!(
                "https://api.aliyun.com/troubleshoot?q={}&product={}&requestId={request_id}",
                self.code, endpoint.product
            ),
        })
    }

    pub fn render(&self, format: Format, endpoint: &Endpoint) -> Response {
        crate::context::RequestContext::record_error_code(self.code.as_ref());
        format.render(self.status, "Error", &self.body(endpoint))
    }
}

// Signature failures (issue 4): the verifier's error, in the POP envelope.

impl From<super::signature::AlibabaSignatureError> for AlibabaError {
    fn from(err: super::signature::AlibabaSignatureError) -> Self {
        Self {
            status: StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST),
            code: err.code().into(),
            message: err.message().into(),
        }
    }
}
