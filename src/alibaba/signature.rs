//! Alibaba Cloud RPC request signatures, checked as the reference's §3 gives them.
//!
//! **V1** (HMAC-SHA1, a `Signature` parameter): the parameters of the query and of an
//! `application/x-www-form-urlencoded` body, form-decoded, without `Signature`, empty values
//! kept, sorted by name and RFC 3986-encoded, joined `k=v` with `&` (CQS);
//! `STS = METHOD + "&%2F&" + pe(CQS)`; `Signature = base64(HMAC-SHA1(secret + "&", STS))`.
//!
//! **V3** (`Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`):
//!
//! ```text
//! CanonicalRequest = METHOD \n / \n CanonicalQuery(query only) \n
//!                    name:trim(value) \n (each of the request's SignedHeaders) \n
//!                    SignedHeaders \n hex(sha256(body))
//! StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(secret, StringToSign))
//! ```
//!
//! and `x-acs-content-sha256` must be the body's hex SHA-256.
//!
//! Failures come in the gateway's order: the signature's pieces (`IncompleteSignature`), the
//! access key (`InvalidAccessKeyId.NotFound`), the signature (`SignatureDoesNotMatch`), the
//! time stamp (`InvalidTimeStamp.Format` / `.Expired`, ±15 minutes), the nonce. Whether a nonce
//! was used already is for the caller, who keeps them: [`Verified`] carries it.

use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use sha2::Digest as _;

use crate::auth::credentials::{AlibabaKey, KeyLookup};
use crate::auth::signing::{
    self, canonical_query, canonical_uri, form_pairs, hmac_sha1_matches, hmac_sha256_matches,
    is_form_content_type, parse_authorization, rfc3986_encode, sha256_hex, trim_header_value,
    SignedRequest,
};
use crate::auth::REPLAY_WINDOW;

/// The V3 algorithm accepted; `ACS3-HMAC-SM3` and `ACS3-RSA-SHA256` are not.
pub const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Which signature a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0` (legacy SDK; new SDK with `v2`).
    V1HmacSha1,
    /// `ACS3-HMAC-SHA256` (the new SDK's default).
    V3HmacSha256,
}

/// A request whose signature is good, from a known key, signed within the clock window.
#[derive(Debug, Clone)]
pub struct Verified<'c> {
    /// The caller's key; [`AlibabaKey::account_id`] is its tenant.
    pub key: &'c AlibabaKey,
    pub scheme: Scheme,
    /// `SignatureNonce` (V1) or `x-acs-signature-nonce` (V3), never empty. The caller refuses a
    /// nonce seen within the window with `SignatureNonceUsed`.
    pub nonce: String,
    /// `Timestamp` (V1) or `x-acs-date` (V3).
    pub signed_at: DateTime<Utc>,
}

/// Why a request's signature was refused; [`status`](Self::status), [`code`](Self::code) and
/// [`message`](Self::message) are the POP error's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlibabaSignatureError {
    /// 400 `IncompleteSignature`: no signature, a missing piece (`AccessKeyId`, `Credential`,
    /// `SignedHeaders`, a signed header, `x-acs-content-sha256`), or an unsupported algorithm or
    /// version. `reason` is for logs; `string_to_sign` is the server's, as far as it got (V1: the
    /// STS; V3: the canonical request; empty when it could not be built).
    Incomplete {
        reason: String,
        string_to_sign: String,
    },
    /// 404 `InvalidAccessKeyId.NotFound`.
    AccessKeyNotFound { access_key_id: String },
    /// 400 `SignatureDoesNotMatch`: the signature is not the server's. `string_to_sign` is the
    /// server's: the STS for V1, the canonical request for V3 (the STS of V3 is only a hash of
    /// it, no help to a caller comparing).
    SignatureDoesNotMatch { string_to_sign: String },
    /// 400 `SignatureDoesNotMatch` as well: V3's `x-acs-content-sha256` is not the body's hash.
    /// `string_to_sign` is the canonical request, which hashes the body as received.
    ContentHashMismatch { string_to_sign: String },
    /// 400 `InvalidTimeStamp.Format`: no time stamp, or not `YYYY-MM-DDThh:mm:ssZ`.
    TimestampFormat,
    /// 400 `InvalidTimeStamp.Expired`: more than 15 minutes from now.
    TimestampExpired {
        signed_at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    /// 400 `MissingSignatureNonce`: no (or an empty) `SignatureNonce` / `x-acs-signature-nonce`.
    MissingNonce,
}

impl AlibabaSignatureError {
    pub fn status(&self) -> u16 {
        match self {
            Self::AccessKeyNotFound { .. } => 404,
            _ => 400,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Incomplete { .. } => "IncompleteSignature",
            Self::AccessKeyNotFound { .. } => "InvalidAccessKeyId.NotFound",
            Self::SignatureDoesNotMatch { .. } | Self::ContentHashMismatch { .. } => {
                "SignatureDoesNotMatch"
            }
            Self::TimestampFormat => "InvalidTimeStamp.Format",
            Self::TimestampExpired { .. } => "InvalidTimeStamp.Expired",
            Self::MissingNonce => "MissingSignatureNonce",
        }
    }

    /// The `Message`. `SignatureDoesNotMatch`'s ends with `server string to sign is:<STS>`: the
    /// legacy SDK splits it on `:` and, when the STS equals its own, reports
    /// `InvalidAccessKeySecret`.
    pub fn message(&self) -> String {
        match self {
            Self::Incomplete { string_to_sign, .. } => format!(
                "The request signature does not conform to Aliyun standards. \
                 server string to sign is:{string_to_sign}"
            ),
            Self::AccessKeyNotFound { .. } => "Specified access key is not found.".to_owned(),
            Self::SignatureDoesNotMatch { string_to_sign }
            | Self::ContentHashMismatch { string_to_sign } => format!(
                "Specified signature is not matched with our calculation. \
                 server string to sign is:{string_to_sign}"
            ),
            Self::TimestampFormat => {
                "Specified time stamp or date value is not well formatted.".to_owned()
            }
            Self::TimestampExpired { .. } => {
                "Specified time stamp or date value is expired.".to_owned()
            }
            Self::MissingNonce => "SignatureNonce is mandatory for this action.".to_owned(),
        }
    }

    /// The server's string to sign carried by the error (see the variants), if any.
    pub fn string_to_sign(&self) -> Option<&str> {
        match self {
            Self::Incomplete { string_to_sign, .. }
            | Self::SignatureDoesNotMatch { string_to_sign }
            | Self::ContentHashMismatch { string_to_sign } => Some(string_to_sign),
            _ => None,
        }
    }

    fn incomplete(reason: impl Into<String>, string_to_sign: impl Into<String>) -> Self {
        Self::Incomplete {
            reason: reason.into(),
            string_to_sign: string_to_sign.into(),
        }
    }
}

impl std::fmt::Display for AlibabaSignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for AlibabaSignatureError {}

/// Verifies an Alibaba RPC request at time `now`: V3 when an `Authorization` header starts with
/// `ACS3-`, else V1 when a `Signature` parameter is present, else `IncompleteSignature`.
pub fn verify<'c, K: KeyLookup<AlibabaKey> + ?Sized>(
    request: &SignedRequest<'_>,
    credentials: &'c K,
    now: DateTime<Utc>,
) -> Result<Verified<'c>, AlibabaSignatureError> {
    let authorization = request.header("authorization");
    if authorization.is_some_and(|value| value.starts_with(b"ACS3-")) {
        return verify_v3(request, credentials, now);
    }
    let params = V1Params::of(request);
    if params.signature.is_some() {
        return verify_v1(request, &params, credentials, now);
    }
    let reason = if authorization.is_some() {
        "the Authorization header is not ACS3-HMAC-SHA256"
    } else {
        "the request carries no signature (no Signature parameter, no Authorization header)"
    };
    let string_to_sign = if params.get("AccessKeyId").is_some() {
        v1_string_to_sign(request.method, &params.signed)
    } else {
        String::new()
    };
    Err(AlibabaSignatureError::incomplete(reason, string_to_sign))
}

// ---------------------------------------------------------------------------------------------
// V1

/// The signed parameters of a V1 request, and its `Signature`.
struct V1Params {
    /// Every query and form-body parameter but `Signature`, decoded, in arrival order.
    signed: Vec<(Vec<u8>, Vec<u8>)>,
    /// The first `Signature` value, decoded.
    signature: Option<Vec<u8>>,
}

impl V1Params {
    fn of(request: &SignedRequest<'_>) -> Self {
        let mut pairs = form_pairs(request.query().as_bytes());
        if request
            .header_str("content-type")
            .is_some_and(is_form_content_type)
        {
            pairs.extend(form_pairs(request.body));
        }
        let mut signature = None;
        pairs.retain(|(name, value)| {
            if name.as_slice() == b"Signature" {
                signature.get_or_insert_with(|| value.clone());
                false
            } else {
                true
            }
        });
        V1Params {
            signed: pairs,
            signature,
        }
    }

    /// The first value of a parameter, when it is UTF-8.
    fn get(&self, name: &str) -> Option<&str> {
        self.signed
            .iter()
            .find(|(n, _)| n.as_slice() == name.as_bytes())
            .and_then(|(_, value)| std::str::from_utf8(value).ok())
    }
}

/// `METHOD&%2F&pe(CQS)`.
fn v1_string_to_sign(method: &str, signed: &[(Vec<u8>, Vec<u8>)]) -> String {
    let canonical = canonical_query(signed.to_vec());
    format!(
        "{method}&{}&{}",
        rfc3986_encode(b"/"),
        rfc3986_encode(canonical.as_bytes())
    )
}

/// The V1 string to sign the server computes for `request` (`METHOD&%2F&pe(CQS)`), whatever
/// the request carries. For debugging and tests.
pub fn v1_string_to_sign_of(request: &SignedRequest<'_>) -> String {
    v1_string_to_sign(request.method, &V1Params::of(request).signed)
}

fn verify_v1<'c, K: KeyLookup<AlibabaKey> + ?Sized>(
    request: &SignedRequest<'_>,
    params: &V1Params,
    credentials: &'c K,
    now: DateTime<Utc>,
) -> Result<Verified<'c>, AlibabaSignatureError> {
    let string_to_sign = v1_string_to_sign(request.method, &params.signed);
    let incomplete =
        |reason: &str| AlibabaSignatureError::incomplete(reason, string_to_sign.clone());

    let signature = params
        .signature
        .as_deref()
        .filter(|signature| !signature.is_empty())
        .ok_or_else(|| incomplete("the Signature parameter is empty"))?;
    let access_key_id = params
        .get("AccessKeyId")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| incomplete("the AccessKeyId parameter is missing"))?;
    if params
        .get("SignatureMethod")
        .is_some_and(|method| method != "HMAC-SHA1")
    {
        return Err(incomplete("SignatureMethod is not HMAC-SHA1"));
    }
    if params
        .get("SignatureVersion")
        .is_some_and(|version| version != "1.0")
    {
        return Err(incomplete("SignatureVersion is not 1.0"));
    }
    let key =
        credentials
            .key(access_key_id)
            .ok_or_else(|| AlibabaSignatureError::AccessKeyNotFound {
                access_key_id: access_key_id.to_owned(),
            })?;

    // Not base64: decodes to nothing, which cannot match.
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .unwrap_or_default();
    let secret = format!("{}&", key.access_key_secret().expose());
    if !hmac_sha1_matches(secret.as_bytes(), string_to_sign.as_bytes(), &signature) {
        return Err(AlibabaSignatureError::SignatureDoesNotMatch { string_to_sign });
    }

    let signed_at = check_timestamp(params.get("Timestamp"), now)?;
    let nonce = params
        .get("SignatureNonce")
        .filter(|nonce| !nonce.is_empty())
        .ok_or(AlibabaSignatureError::MissingNonce)?;
    Ok(Verified {
        key,
        scheme: Scheme::V1HmacSha1,
        nonce: nonce.to_owned(),
        signed_at,
    })
}

// ---------------------------------------------------------------------------------------------
// V3

/// Reads `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`; the
/// error is the reason, for logs.
fn parse_v3_authorization(value: &str) -> Result<signing::Authorization<'_>, String> {
    parse_authorization(value, V3_ALGORITHM, "Credential").map_err(|err| err.to_string())
}

/// The V3 canonical request for the request's own `SignedHeaders`; `Err(name)` when a signed
/// header is missing.
fn build_v3_canonical_request(
    request: &SignedRequest<'_>,
    signed_headers: &[String],
) -> Result<String, String> {
    signing::canonical_request(
        request,
        &canonical_uri(request.path(), false),
        signed_headers,
        &sha256_hex(request.body),
    )
}

/// The V3 canonical request the server computes for `request` (for debugging and tests); `None`
/// without a readable ACS3 `Authorization` or when a signed header is missing.
pub fn v3_canonical_request(request: &SignedRequest<'_>) -> Option<String> {
    let authorization = parse_v3_authorization(request.header_str("authorization")?).ok()?;
    build_v3_canonical_request(request, &authorization.signed_headers).ok()
}

/// `"ACS3-HMAC-SHA256\n" + hex(sha256(canonical request))`.
pub fn v3_string_to_sign(canonical_request: &str) -> String {
    format!(
        "{V3_ALGORITHM}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Headers that must be signed: unsigned, a replay could change them freely.
const V3_MUST_SIGN: [&str; 2] = ["x-acs-date", "x-acs-signature-nonce"];

fn verify_v3<'c, K: KeyLookup<AlibabaKey> + ?Sized>(
    request: &SignedRequest<'_>,
    credentials: &'c K,
    now: DateTime<Utc>,
) -> Result<Verified<'c>, AlibabaSignatureError> {
    let authorization = request.header_str("authorization").ok_or_else(|| {
        AlibabaSignatureError::incomplete("the Authorization header is not UTF-8", "")
    })?;
    let authorization = parse_v3_authorization(authorization)
        .map_err(|reason| AlibabaSignatureError::incomplete(reason, ""))?;
    let key = credentials.key(authorization.credential).ok_or_else(|| {
        AlibabaSignatureError::AccessKeyNotFound {
            access_key_id: authorization.credential.to_owned(),
        }
    })?;
    let canonical_request = build_v3_canonical_request(request, &authorization.signed_headers)
        .map_err(|missing| {
            AlibabaSignatureError::incomplete(format!("the signed header {missing} is missing"), "")
        })?;
    let incomplete =
        |reason: &str| AlibabaSignatureError::incomplete(reason, canonical_request.clone());
    if let Some(unsigned) = V3_MUST_SIGN
        .iter()
        .find(|name| !authorization.signed_headers.iter().any(|h| h == *name))
    {
        return Err(incomplete(&format!("{unsigned} is not in SignedHeaders")));
    }
    let content_sha256 = request
        .header("x-acs-content-sha256")
        .ok_or_else(|| incomplete("the x-acs-content-sha256 header is missing"))?;
    let claimed = hex::decode(trim_header_value(content_sha256)).unwrap_or_default();
    let actual = sha2::Sha256::digest(request.body);
    if claimed.as_slice() != actual.as_slice() {
        return Err(AlibabaSignatureError::ContentHashMismatch {
            string_to_sign: canonical_request,
        });
    }

    let string_to_sign = v3_string_to_sign(&canonical_request);
    // Not hex: decodes to nothing, which cannot match.
    let signature = hex::decode(authorization.signature).unwrap_or_default();
    if !hmac_sha256_matches(
        key.access_key_secret().expose().as_bytes(),
        string_to_sign.as_bytes(),
        &signature,
    ) {
        return Err(AlibabaSignatureError::SignatureDoesNotMatch {
            string_to_sign: canonical_request,
        });
    }

    let signed_at = check_timestamp(request.header_str("x-acs-date").map(str::trim), now)?;
    let nonce = request
        .header_str("x-acs-signature-nonce")
        .map(str::trim)
        .filter(|nonce| !nonce.is_empty())
        .ok_or(AlibabaSignatureError::MissingNonce)?;
    Ok(Verified {
        key,
        scheme: Scheme::V3HmacSha256,
        nonce: nonce.to_owned(),
        signed_at,
    })
}

// ---------------------------------------------------------------------------------------------
// Time stamps

/// `YYYY-MM-DDThh:mm:ssZ` (UTC; fractional seconds tolerated), within 15 minutes of `now`.
fn check_timestamp(
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, AlibabaSignatureError> {
    let signed_at = value
        .and_then(parse_timestamp)
        .ok_or(AlibabaSignatureError::TimestampFormat)?;
    if (now - signed_at).abs() > REPLAY_WINDOW {
        return Err(AlibabaSignatureError::TimestampExpired { signed_at, now });
    }
    Ok(signed_at)
}

fn parse_timestamp(value: &str) -> Option<DateTime<Utc>> {
    // `%Y` would take a sign or more digits; the shape is fixed.
    let bytes = value.as_bytes();
    if bytes.len() < 20 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return None;
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.fZ")
        .ok()
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};
    use hmac::{Hmac, Mac};

    use super::*;
    use crate::auth::credentials::Credentials;
    use crate::auth::credentials::{
        DEMO_ALIBABA_ACCESS_KEY_ID, DEMO_ALIBABA_ACCESS_KEY_SECRET, DEMO_ALIBABA_ACCOUNT_ID,
    };
    use chrono::TimeDelta;

    const TIMESTAMP: &str = "2026-11-21T09:14:14Z";

    fn now() -> DateTime<Utc> {
        parse_timestamp(TIMESTAMP).unwrap()
    }

    /// A V1 query signed with `secret`, with `extra` parameters (already encoded) appended.
    fn v1_target(access_key_id: &str, secret: &str, extra: &str) -> String {
        let query = format!(
            "Action=DescribeFlowLogs&Version=2016-04-28&Format=JSON&RegionId=cn-hangzhou\
             &AccessKeyId={access_key_id}&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0\
             &SignatureType=&SignatureNonce=abc123&Timestamp=2026-11-21T09%3A14%3A14Z{extra}"
        );
        let headers = HeaderMap::new();
        let target = format!("/?{query}");
        let request = SignedRequest {
            method: "POST",
            target: &target,
            headers: &headers,
            body: b"",
        };
        let string_to_sign = v1_string_to_sign_of(&request);
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
        mac.update(string_to_sign.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        format!(
            "{target}&Signature={}",
            rfc3986_encode(signature.as_bytes())
        )
    }

    fn check_v1(target: &str, now: DateTime<Utc>) -> Result<String, AlibabaSignatureError> {
        let credentials = Credentials::demo();
        let headers = HeaderMap::new();
        let request = SignedRequest {
            method: "POST",
            target,
            headers: &headers,
            body: b"",
        };
        verify(&request, &credentials, now).map(|verified| {
            assert_eq!(verified.scheme, Scheme::V1HmacSha1);
            format!("{} {}", verified.key.account_id(), verified.nonce)
        })
    }

    #[test]
    fn v1_accepts_its_own_signature_and_names_the_account_and_nonce() {
        let target = v1_target(
            DEMO_ALIBABA_ACCESS_KEY_ID,
            DEMO_ALIBABA_ACCESS_KEY_SECRET,
            "",
        );
        assert_eq!(
            check_v1(&target, now()).unwrap(),
            format!("{DEMO_ALIBABA_ACCOUNT_ID} abc123")
        );
        assert!(check_v1(&target, now() + REPLAY_WINDOW).is_ok());
        let err = check_v1(&target, now() - REPLAY_WINDOW - TimeDelta::seconds(1)).unwrap_err();
        assert_eq!(err.code(), "InvalidTimeStamp.Expired");
    }

    #[test]
    fn v1_refuses_in_the_gateway_order() {
        let target = v1_target("LTAIunknown", DEMO_ALIBABA_ACCESS_KEY_SECRET, "");
        let err = check_v1(&target, now()).unwrap_err();
        assert_eq!(
            (err.status(), err.code()),
            (404, "InvalidAccessKeyId.NotFound")
        );
        assert_eq!(err.message(), "Specified access key is not found.");

        let target = v1_target(DEMO_ALIBABA_ACCESS_KEY_ID, "wrong", "");
        let err = check_v1(&target, now()).unwrap_err();
        assert_eq!((err.status(), err.code()), (400, "SignatureDoesNotMatch"));
        let message = err.message();
        // What the legacy SDK does with it: split on ':' and compare with its own STS.
        let server_sts = message.split(':').nth(1).unwrap();
        assert!(
            server_sts.starts_with("POST&%2F&AccessKeyId%3D"),
            "{message}"
        );
        assert_eq!(Some(server_sts), err.string_to_sign());

        let target = v1_target(
            DEMO_ALIBABA_ACCESS_KEY_ID,
            DEMO_ALIBABA_ACCESS_KEY_SECRET,
            "",
        )
        .replace("SignatureNonce=abc123&", "");
        // The nonce was signed: removing it breaks the signature first.
        assert_eq!(
            check_v1(&target, now()).unwrap_err().code(),
            "SignatureDoesNotMatch"
        );
    }

    #[test]
    fn v1_time_stamp_and_nonce_are_checked_after_the_signature() {
        let bad_time = v1_target(
            DEMO_ALIBABA_ACCESS_KEY_ID,
            DEMO_ALIBABA_ACCESS_KEY_SECRET,
            "",
        )
        .replace("Timestamp=2026-11-21T09%3A14%3A14Z", "Timestamp=yesterday");
        // Re-sign with the bad time stamp: the signature is good, the time stamp is not.
        let resigned = |target: &str| {
            let (query, _) = target
                .trim_start_matches("/?")
                .rsplit_once("&Signature=")
                .unwrap();
            let headers = HeaderMap::new();
            let unsigned = format!("/?{query}");
            let request = SignedRequest {
                method: "POST",
                target: &unsigned,
                headers: &headers,
                body: b"",
            };
            let mut mac =
                Hmac::<sha1::Sha1>::new_from_slice(b"ali-demo-access-key-secret-000000&").unwrap();
            mac.update(v1_string_to_sign_of(&request).as_bytes());
            let signature =
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
            format!(
                "{unsigned}&Signature={}",
                rfc3986_encode(signature.as_bytes())
            )
        };
        let err = check_v1(&resigned(&bad_time), now()).unwrap_err();
        assert_eq!(err, AlibabaSignatureError::TimestampFormat);
        let no_nonce = v1_target(
            DEMO_ALIBABA_ACCESS_KEY_ID,
            DEMO_ALIBABA_ACCESS_KEY_SECRET,
            "",
        )
        .replace("SignatureNonce=abc123&", "SignatureNonce=&");
        let err = check_v1(&resigned(&no_nonce), now()).unwrap_err();
        assert_eq!(err, AlibabaSignatureError::MissingNonce);
        assert_eq!(err.code(), "MissingSignatureNonce");
    }

    #[test]
    fn v1_refuses_other_methods_and_empty_signatures() {
        let target = v1_target(
            DEMO_ALIBABA_ACCESS_KEY_ID,
            DEMO_ALIBABA_ACCESS_KEY_SECRET,
            "",
        );
        for (from, to) in [
            ("SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-SHA256"),
            ("SignatureVersion=1.0", "SignatureVersion=2.0"),
            ("AccessKeyId=LTAIdemoAccessKey0001", "AccessKeyId="),
        ] {
            let err = check_v1(&target.replace(from, to), now()).unwrap_err();
            assert_eq!(err.code(), "IncompleteSignature", "{to}");
            assert!(
                err.message().contains("server string to sign is:POST&%2F&"),
                "{}",
                err.message()
            );
        }
        let (unsigned, _) = target.rsplit_once("&Signature=").unwrap();
        let err = check_v1(&format!("{unsigned}&Signature="), now()).unwrap_err();
        assert_eq!(err.code(), "IncompleteSignature");
        let err = check_v1(&format!("{unsigned}&Signature=%%%"), now()).unwrap_err();
        assert_eq!(err.code(), "SignatureDoesNotMatch");
        let err = check_v1("/?Action=DescribeFlowLogs", now()).unwrap_err();
        assert_eq!(err.code(), "IncompleteSignature");
        assert!(err.message().ends_with("server string to sign is:"));
    }

    #[test]
    fn v3_reads_the_authorization_header_strictly() {
        let cases = [
            "ACS3-HMAC-SM3 Credential=LTAI,SignedHeaders=host,Signature=00",
            "ACS3-RSA-SHA256 Credential=LTAI,SignedHeaders=host,Signature=00",
            "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=00",
            "ACS3-HMAC-SHA256 Credential=LTAI,Signature=00",
            "ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host",
            "ACS3-HMAC-SHA256 Credential=LTAI,Credential=X,SignedHeaders=host,Signature=00",
            "ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host;;x,Signature=00",
        ];
        for value in cases {
            let mut headers = HeaderMap::new();
            headers.insert("authorization", HeaderValue::from_str(value).unwrap());
            let request = SignedRequest {
                method: "POST",
                target: "/",
                headers: &headers,
                body: b"",
            };
            let err = verify(&request, &Credentials::demo(), now()).unwrap_err();
            assert_eq!(err.code(), "IncompleteSignature", "{value}");
            assert!(
                err.message().ends_with("server string to sign is:"),
                "{value}"
            );
        }
    }

    #[test]
    fn v3_requires_the_date_and_nonce_signed() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1"));
        headers.insert(
            "x-acs-content-sha256",
            HeaderValue::from_static(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
        );
        headers.insert("x-acs-date", HeaderValue::from_static(TIMESTAMP));
        headers.insert("x-acs-signature-nonce", HeaderValue::from_static("n1"));
        headers.insert(
            "authorization",
            HeaderValue::from_static(
                "ACS3-HMAC-SHA256 Credential=LTAIdemoAccessKey0001,\
                 SignedHeaders=host;x-acs-content-sha256;x-acs-date,Signature=00",
            ),
        );
        let request = SignedRequest {
            method: "POST",
            target: "/?A=1",
            headers: &headers,
            body: b"",
        };
        let err = verify(&request, &Credentials::demo(), now()).unwrap_err();
        match &err {
            AlibabaSignatureError::Incomplete {
                reason,
                string_to_sign,
            } => {
                assert!(reason.contains("x-acs-signature-nonce"), "{reason}");
                assert!(string_to_sign.starts_with("POST\n/\nA=1\nhost:127.0.0.1\n"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn time_stamps() {
        assert_eq!(parse_timestamp(TIMESTAMP), Some(now()));
        assert_eq!(
            parse_timestamp("2026-11-21T09:14:14.500Z"),
            Some(now() + TimeDelta::milliseconds(500))
        );
        for bad in [
            "",
            "2026-11-21 09:14:14Z",
            "2026-11-21T09:14:14",
            "2026-11-21T09:14:14+08:00",
            "+2026-11-21T09:14:14Z",
            "20261121T091414Z",
            "2026-13-21T09:14:14Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
