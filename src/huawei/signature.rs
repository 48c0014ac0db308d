//! Huawei Cloud AK/SK signatures, `SDK-HMAC-SHA256`, checked as the reference's §3.1 gives them:
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n
//!                    name:trim(value) \n (each name of the request's SignedHeaders) \n
//!                    SignedHeaders \n hex(sha256(body))
//! StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(secret key, StringToSign))
//! ```
//!
//! The canonical URI is the path percent-decoded once, split on `/`, each segment RFC
//! 3986-encoded, with a `/` appended; the canonical query is the decoded query sorted and
//! re-encoded. `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`) must be within 15 minutes of now. Every failure
//! is the gateway's 401 `APIGW.0301`.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::auth::credentials::{HuaweiKey, KeyLookup};
use crate::auth::signing::{
    self, canonical_uri, hmac_sha256_matches, parse_authorization, sha256_hex, AuthorizationError,
    SignedRequest,
};
use crate::auth::REPLAY_WINDOW;

/// The only algorithm accepted.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` replaces the body hash (the SDKs send it for non-JSON
/// bodies only).
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Why a request's signature was refused. Every case is 401 `APIGW.0301`; [`message`] words it.
///
/// [`message`]: HuaweiSignatureError::message
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HuaweiSignatureError {
    /// No `Authorization` header.
    MissingAuthorization,
    /// An `Authorization` header that is not `SDK-HMAC-SHA256 Access=…, SignedHeaders=…,
    /// Signature=…`; the reason says what is wrong.
    MalformedAuthorization(AuthorizationError),
    /// Another algorithm (`SDK-HMAC-SM3`, `V11-HMAC-SHA256`, …).
    UnsupportedAlgorithm(String),
    /// `Access=` names no known key.
    UnknownAccessKey(String),
    /// No `X-Sdk-Date`, or not `YYYYMMDDTHHMMSSZ`.
    MalformedDate,
    /// `X-Sdk-Date` more than 15 minutes away from now.
    Expired {
        signed_at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    /// A header that `SignedHeaders` lists is not in the request.
    SignedHeaderMissing(String),
    /// The signature is not the server's. Carries the server's canonical request, for a debug log
    /// (it holds no secret); the message does not show it, as Huawei's gateway does not.
    SignatureMismatch { canonical_request: String },
}

impl HuaweiSignatureError {
    /// Always 401.
    pub fn status(&self) -> u16 {
        401
    }

    /// Always `APIGW.0301`.
    pub fn code(&self) -> &'static str {
        "APIGW.0301"
    }

    /// The `error_msg`.
    pub fn message(&self) -> String {
        let detail = match self {
            Self::MissingAuthorization => {
                "the request has no Authorization header (AK/SK signing is required)".to_owned()
            }
            Self::MalformedAuthorization(reason) => {
                format!("the Authorization header is malformed: {reason}")
            }
            Self::UnsupportedAlgorithm(algorithm) => format!(
                "signing algorithm {:?} is not supported, only {ALGORITHM}",
                shorten(algorithm)
            ),
            Self::UnknownAccessKey(access_key) => format!(
                "Get secretKey failed,ak:{},err:ak not exist",
                shorten(access_key)
            ),
            Self::MalformedDate => {
                "X-Sdk-Date is missing or not in the format YYYYMMDDTHHMMSSZ".to_owned()
            }
            Self::Expired { signed_at, now } => format!(
                "signature expired, signature time:{},server time:{}",
                signed_at.format(DATE_FORMAT),
                now.format(DATE_FORMAT)
            ),
            Self::SignedHeaderMissing(name) => format!(
                "verify aksk signature fail: the signed header {} is missing",
                shorten(name)
            ),
            Self::SignatureMismatch { .. } => "verify aksk signature fail".to_owned(),
        };
        format!("Incorrect IAM authentication information: {detail}")
    }

    /// The server's canonical request, when the signature was computed and did not match.
    pub fn canonical_request(&self) -> Option<&str> {
        match self {
            Self::SignatureMismatch { canonical_request } => Some(canonical_request),
            _ => None,
        }
    }
}

impl std::fmt::Display for HuaweiSignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for HuaweiSignatureError {}

const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// A caller-supplied text cut to a length fit for an error message.
fn shorten(text: &str) -> String {
    const MAX: usize = 64;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Reads `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
fn parse(value: &str) -> Result<signing::Authorization<'_>, HuaweiSignatureError> {
    parse_authorization(value, ALGORITHM, "Access").map_err(|err| match err {
        AuthorizationError::UnsupportedAlgorithm(algorithm) => {
            HuaweiSignatureError::UnsupportedAlgorithm(algorithm)
        }
        other => HuaweiSignatureError::MalformedAuthorization(other),
    })
}

/// The canonical request for the request's own `SignedHeaders` (lower-cased, in their order).
fn build_canonical_request(
    request: &SignedRequest<'_>,
    signed_headers: &[String],
) -> Result<String, HuaweiSignatureError> {
    let payload_hash = match request.header_str("x-sdk-content-sha256") {
        Some(UNSIGNED_PAYLOAD) => UNSIGNED_PAYLOAD.to_owned(),
        _ => sha256_hex(request.body),
    };
    signing::canonical_request(
        request,
        &canonical_uri(request.path(), true),
        signed_headers,
        &payload_hash,
    )
    .map_err(HuaweiSignatureError::SignedHeaderMissing)
}

/// The server's canonical request for `request`, as [`verify`] computes it (for debugging and
/// tests). Fails when the `Authorization` header cannot be read or a signed header is missing.
pub fn canonical_request(request: &SignedRequest<'_>) -> Result<String, HuaweiSignatureError> {
    let authorization = parse(authorization_header(request)?)?;
    build_canonical_request(request, &authorization.signed_headers)
}

/// `"SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(sha256(canonical request))`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

fn authorization_header<'a>(request: &SignedRequest<'a>) -> Result<&'a str, HuaweiSignatureError> {
    let value = request
        .header("authorization")
        .ok_or(HuaweiSignatureError::MissingAuthorization)?;
    std::str::from_utf8(value)
        .map_err(|_| HuaweiSignatureError::MalformedAuthorization(AuthorizationError::NotUtf8))
}

fn parse_sdk_date(value: &str) -> Option<DateTime<Utc>> {
    if value.len() != 16 || !value.is_ascii() {
        return None;
    }
    NaiveDateTime::parse_from_str(value, DATE_FORMAT)
        .ok()
        .map(|naive| naive.and_utc())
}

/// The access key a request's `Authorization` header names, read as [`verify`] reads it.
pub fn access_key<'a>(request: &SignedRequest<'a>) -> Result<&'a str, HuaweiSignatureError> {
    Ok(parse(authorization_header(request)?)?.credential)
}

/// Verifies a Huawei `SDK-HMAC-SHA256` request at time `now`, in the reference's order: the
/// `Authorization` header, the access key, `X-Sdk-Date`, then the signature (compared in constant
/// time). On success, the caller's key: the caller then checks
/// [`HuaweiKey::may_use_project`] for the URL's project.
pub fn verify<'c, K: KeyLookup<HuaweiKey> + ?Sized>(
    request: &SignedRequest<'_>,
    keys: &'c K,
    now: DateTime<Utc>,
) -> Result<&'c HuaweiKey, HuaweiSignatureError> {
    let authorization = parse(authorization_header(request)?)?;
    let key = keys.key(authorization.credential).ok_or_else(|| {
        HuaweiSignatureError::UnknownAccessKey(authorization.credential.to_owned())
    })?;

    let sdk_date = request
        .header_str("x-sdk-date")
        .map(str::trim)
        .ok_or(HuaweiSignatureError::MalformedDate)?;
    let signed_at = parse_sdk_date(sdk_date).ok_or(HuaweiSignatureError::MalformedDate)?;
    if (now - signed_at).abs() > REPLAY_WINDOW {
        return Err(HuaweiSignatureError::Expired { signed_at, now });
    }

    let canonical_request = build_canonical_request(request, &authorization.signed_headers)?;
    let string_to_sign = string_to_sign(sdk_date, &canonical_request);
    // An odd-length or non-hex signature decodes to nothing and cannot match.
    let signature = hex::decode(authorization.signature).unwrap_or_default();
    if hmac_sha256_matches(
        key.secret_key().expose().as_bytes(),
        string_to_sign.as_bytes(),
        &signature,
    ) {
        Ok(key)
    } else {
        Err(HuaweiSignatureError::SignatureMismatch { canonical_request })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderName, HeaderValue};
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    use super::*;
    use crate::auth::credentials::Credentials;
    use crate::auth::credentials::{DEMO_HUAWEI_ACCESS_KEY, DEMO_HUAWEI_SECRET_KEY};
    use chrono::TimeDelta;

    const TARGET: &str = "/v1/0123456789abcdef0123456789abcdef/fl/flow_logs?limit=10";
    const DATE: &str = "20261121T091347Z";

    fn now() -> DateTime<Utc> {
        parse_sdk_date(DATE).unwrap()
    }

    /// Signs a GET of `TARGET` the way the Python SDK does.
    fn signed_headers(access: &str, secret: &str, extra: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:8750"));
        headers.insert("x-sdk-date", HeaderValue::from_static(DATE));
        for (name, value) in extra {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let mut names: Vec<String> = headers.keys().map(|n| n.as_str().to_owned()).collect();
        names.sort();
        let request = SignedRequest {
            method: "GET",
            target: TARGET,
            headers: &headers,
            body: b"",
        };
        let canonical = build_canonical_request(&request, &names).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(string_to_sign(DATE, &canonical).as_bytes());
        let signature = hex::encode(mac.finalize().into_bytes());
        let authorization = format!(
            "{ALGORITHM} Access={access}, SignedHeaders={}, Signature={signature}",
            names.join(";")
        );
        headers.insert(
            "authorization",
            HeaderValue::from_str(&authorization).unwrap(),
        );
        headers
    }

    fn check(headers: &HeaderMap, now: DateTime<Utc>) -> Result<String, HuaweiSignatureError> {
        let credentials = Credentials::demo();
        let request = SignedRequest {
            method: "GET",
            target: TARGET,
            headers,
            body: b"",
        };
        verify(&request, &credentials, now).map(|key| key.access_key().to_owned())
    }

    #[test]
    fn accepts_its_own_signature_within_the_window() {
        let headers = signed_headers(DEMO_HUAWEI_ACCESS_KEY, DEMO_HUAWEI_SECRET_KEY, &[]);
        assert_eq!(check(&headers, now()).unwrap(), DEMO_HUAWEI_ACCESS_KEY);
        assert!(check(&headers, now() + REPLAY_WINDOW).is_ok());
        assert!(check(&headers, now() - REPLAY_WINDOW).is_ok());
        let late = now() + REPLAY_WINDOW + TimeDelta::seconds(1);
        assert_eq!(
            check(&headers, late),
            Err(HuaweiSignatureError::Expired {
                signed_at: now(),
                now: late
            })
        );
    }

    #[test]
    fn refuses_in_the_documented_order() {
        let mut headers = signed_headers("UNKNOWN", DEMO_HUAWEI_SECRET_KEY, &[]);
        assert_eq!(
            check(&headers, now()),
            Err(HuaweiSignatureError::UnknownAccessKey("UNKNOWN".into()))
        );
        headers.remove("authorization");
        assert_eq!(
            check(&headers, now()),
            Err(HuaweiSignatureError::MissingAuthorization)
        );

        let mut headers = signed_headers(DEMO_HUAWEI_ACCESS_KEY, "wrong", &[]);
        let err = check(&headers, now()).unwrap_err();
        assert!(err.canonical_request().is_some(), "{err:?}");
        assert!(matches!(
            err,
            HuaweiSignatureError::SignatureMismatch { .. }
        ));
        headers.insert(
            "x-sdk-date",
            HeaderValue::from_static("2026-11-21T09:13:47Z"),
        );
        assert_eq!(
            check(&headers, now()),
            Err(HuaweiSignatureError::MalformedDate)
        );
        headers.remove("x-sdk-date");
        assert_eq!(
            check(&headers, now()),
            Err(HuaweiSignatureError::MalformedDate)
        );
    }

    #[test]
    fn reads_the_authorization_header_strictly() {
        let cases: [(&str, HuaweiSignatureError); 6] = [
            (
                "SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature=00",
                HuaweiSignatureError::UnsupportedAlgorithm("SDK-HMAC-SM3".into()),
            ),
            (
                "V11-HMAC-SHA256 Access=AK",
                HuaweiSignatureError::UnsupportedAlgorithm("V11-HMAC-SHA256".into()),
            ),
            (
                "SDK-HMAC-SHA256 SignedHeaders=host, Signature=00",
                HuaweiSignatureError::MalformedAuthorization(AuthorizationError::Missing("Access")),
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, Signature=00",
                HuaweiSignatureError::MalformedAuthorization(AuthorizationError::Missing(
                    "SignedHeaders",
                )),
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Access=BK, Signature=00",
                HuaweiSignatureError::MalformedAuthorization(AuthorizationError::FieldTwice),
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x-sdk-date, Signature=00",
                HuaweiSignatureError::MalformedAuthorization(AuthorizationError::EmptyHeaderName),
            ),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert("authorization", HeaderValue::from_str(value).unwrap());
            headers.insert("x-sdk-date", HeaderValue::from_static(DATE));
            assert_eq!(check(&headers, now()), Err(expected), "{value}");
        }
    }

    #[test]
    fn a_garbled_signature_is_a_mismatch() {
        let mut headers = signed_headers(DEMO_HUAWEI_ACCESS_KEY, DEMO_HUAWEI_SECRET_KEY, &[]);
        let authorization = headers["authorization"].to_str().unwrap().to_owned();
        let (head, _) = authorization.rsplit_once('=').unwrap();
        for signature in ["zz", "abc", ""] {
            let value = format!("{head}={signature}");
            headers.insert("authorization", HeaderValue::from_str(&value).unwrap());
            let err = check(&headers, now()).unwrap_err();
            assert!(
                matches!(
                    err,
                    HuaweiSignatureError::SignatureMismatch { .. }
                        | HuaweiSignatureError::MalformedAuthorization(_)
                ),
                "{signature}: {err:?}"
            );
        }
    }

    #[test]
    fn unsigned_payload_replaces_the_body_hash() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-sdk-content-sha256",
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
        let request = SignedRequest {
            method: "POST",
            target: "/x",
            headers: &headers,
            body: b"anything",
        };
        let canonical =
            build_canonical_request(&request, &["x-sdk-content-sha256".to_owned()]).unwrap();
        assert!(canonical.ends_with("\nUNSIGNED-PAYLOAD"), "{canonical}");
    }

    #[test]
    fn messages_name_the_gateway_case() {
        let expired = HuaweiSignatureError::Expired {
            signed_at: now(),
            now: now() + TimeDelta::minutes(16),
        };
        assert_eq!(expired.status(), 401);
        assert_eq!(expired.code(), "APIGW.0301");
        assert_eq!(
            expired.message(),
            "Incorrect IAM authentication information: signature expired, \
             signature time:20261121T091347Z,server time:20261121T092947Z"
        );
        assert_eq!(
            HuaweiSignatureError::SignatureMismatch {
                canonical_request: String::new()
            }
            .message(),
            "Incorrect IAM authentication information: verify aksk signature fail"
        );
        let unknown = HuaweiSignatureError::UnknownAccessKey("X".repeat(100)).message();
        assert!(unknown.ends_with("…,err:ak not exist"), "{unknown}");
    }
}
