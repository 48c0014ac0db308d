//! What every VPC operation reads from its request, in the VPC envelope whatever goes wrong: the
//! project of the URL, the other path parameters, and the typed JSON body ([`VpcJson`]), each
//! body type naming its own wrapper object and error code ([`RequestBody`]).

use std::fmt::Display;

use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::TenantScope;
use crate::huawei::error::HuaweiError;
use crate::huawei::gateway::is_project_id;

/// The project of the URL, the caller's tenant (with `--auth verify`, one its key may use).
/// Every VPC path, `/v1/…`, `/v2.0/…` or `/v3/…`, has it second.
pub struct Project(pub TenantScope);

/// The percent-decoded path segment at `index`; `None` when it is not UTF-8.
fn path_segment(parts: &Parts, index: usize) -> Option<String> {
    let raw = parts.uri.path().split('/').nth(index)?;
    percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// The project id of a URL, or `None` when it is malformed.
fn project_of(parts: &Parts) -> Option<TenantScope> {
    path_segment(parts, 2)
        .filter(|project_id| is_project_id(project_id))
        .map(TenantScope::huawei_project)
}

impl<S: Send + Sync> FromRequestParts<S> for Project {
    type Rejection = HuaweiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        project_of(parts)
            .map(Project)
            .ok_or_else(|| super::errors::invalid("project_id"))
    }
}

/// The project, or `None` when malformed: for the network operations, which word that refusal
/// with their own module's code.
pub struct MaybeProject(pub Option<TenantScope>);

impl MaybeProject {
    /// The tenant, or `refusal` for a malformed project id.
    pub fn scope(self, refusal: impl FnOnce() -> HuaweiError) -> Result<TenantScope, HuaweiError> {
        self.0.ok_or_else(refusal)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeProject {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeProject(project_of(parts)))
    }
}

/// The path parameters of the route, percent-decoded; a parameter that is not UTF-8 reads as
/// absent, so the operation refuses it as a malformed id.
pub struct PathParams(Vec<(String, String)>);

impl PathParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params: Result<RawPathParams, RawPathParamsRejection> =
            RawPathParams::from_request_parts(parts, state).await;
        Ok(PathParams(
            params
                .map(|params| {
                    params
                        .iter()
                        .map(|(name, value)| (name.to_owned(), value.to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
        ))
    }
}

/// A request body type: the object its fields are wrapped in, and the 400 its API answers for
/// a field (or header) that is missing, of the wrong type or invalid.
pub trait RequestBody: DeserializeOwned {
    /// `flow_log`, `vpc`, `subnet`, `port`, `tag`, `tags`, …
    const WRAPPER: &'static str;
    /// Whether the wrapper is a list (`{"tags": [...]}`) rather than an object.
    const WRAPS_LIST: bool = false;

    /// The refusal naming `field`, with the reason when there is more to say.
    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError;
}

/// A JSON request body as the typed `T`: `application/json` (any charset parameter but a
/// non-UTF-8 one), at most the body limit, well-formed. Every failure is answered with `T`'s
/// own error.
pub struct VpcJson<T>(pub T);

impl<S: Send + Sync, T: RequestBody> FromRequest<S> for VpcJson<T> {
    type Rejection = HuaweiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !is_json_content_type(content_type) {
            return Err(T::invalid(
                "Content-Type",
                Some(&"expected application/json"),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                HuaweiError::payload_too_large()
            } else {
                T::invalid(T::WRAPPER, Some(&"the request body could not be read"))
            }
        })?;
        let body = serde_json::from_slice(&bytes).map_err(|err| {
            T::invalid(
                T::WRAPPER,
                Some(&format_args!("the body is not valid JSON ({err})")),
            )
        })?;
        typed_body(body).map(VpcJson)
    }
}

pub fn is_json_content_type(value: &str) -> bool {
    let mut parts = value.split(';');
    let essence_ok = parts
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    // Any charset other than UTF-8 is refused: the JSON is read as UTF-8.
    let charset_ok = parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    essence_ok && charset_ok
}

/// A well-formed JSON body as the typed `T`. A value of the wrong type is `T`'s refusal naming
/// the innermost field; a body that is not an object with `T`'s wrapper in it (an object, or a
/// list for a list wrapper) names the wrapper (serde would also read a struct from an array of
/// its fields in order, which no Huawei API accepts).
pub fn typed_body<T: RequestBody>(body: Value) -> Result<T, HuaweiError> {
    let shaped = body.as_object().is_some_and(|object| {
        object.get(T::WRAPPER).is_none_or(|inner| {
            inner.is_null()
                || (if T::WRAPS_LIST {
                    inner.is_array()
                } else {
                    inner.is_object()
                })
        })
    });
    if !shaped {
        return Err(T::invalid(T::WRAPPER, None));
    }
    serde_path_to_error::deserialize(body).map_err(|err| {
        let field = err
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                _ => None,
            })
            .next_back();
        T::invalid(field.as_deref().unwrap_or(T::WRAPPER), None)
    })
}

#[cfg(test)]
mod tests {
    use super::is_json_content_type;

    #[test]
    fn json_content_types() {
        for ok in [
            "application/json",
            "application/json;charset=utf-8",
            "Application/JSON; charset=\"UTF-8\"",
        ] {
            assert!(is_json_content_type(ok), "{ok}");
        }
        for bad in [
            "",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=gbk",
            "application/jsonx",
        ] {
            assert!(!is_json_content_type(bad), "{bad}");
        }
    }
}
