//! SLS's own signatures, as the SDKs sign (see `openapi/reference/alibaba-sls.md` §2):
//! V1 `LOG <ak>:<base64 HMAC>` (SHA-1 from `aliyun-log-python-sdk` and the Go SDK, SHA-256 from
//! the TEA SDK, chosen by `x-log-signaturemethod`) and V4 `SLS4-HMAC-SHA256` (implicit signed
//! headers). Pure: the caller finds the key's secret and maps the errors to SLS codes.

use axum::http::HeaderMap;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::auth::signing::{form_pairs, rfc3986_encode};
use crate::auth::REPLAY_WINDOW;

/// What an `Authorization` header presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub access_key_id: String,
    pub scheme: Scheme,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `LOG <ak>:<signature>`.
    V1 { signature: String },
    /// `SLS4-HMAC-SHA256 Credential=<ak>/<date>/<region>/sls/aliyun_v4_request,Signature=<hex>`.
    V4 {
        date: String,
        region: String,
        signature: String,
    },
}

/// Why a request's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// No `Authorization` header.
    Missing,
    /// An `Authorization` header SLS cannot read.
    Malformed,
    /// V1 without `Date` (or `x-log-date`); V4 without `x-log-date`.
    MissingDate,
    /// A date that does not parse.
    InvalidDate(String),
    /// A date outside the window.
    Expired(String),
    InvalidMethod(String),
    /// V4's `x-log-content-sha256` is not the body's.
    ContentSha256,
    /// The signature differs; carries the presented one.
    Mismatch(String),
}

/// The request, as far as a signature covers it.
pub struct Signed<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl Signed<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Reads an `Authorization` header.
pub fn parse(authorization: &str) -> Result<Presented, SignatureError> {
    let authorization = authorization.trim();
    if let Some(rest) = authorization.strip_prefix("LOG ") {
        let (access_key_id, signature) = rest
            .trim()
            .split_once(':')
            .ok_or(SignatureError::Malformed)?;
        if access_key_id.is_empty() || signature.is_empty() {
            return Err(SignatureError::Malformed);
        }
        return Ok(Presented {
            access_key_id: access_key_id.to_owned(),
            scheme: Scheme::V1 {
                signature: signature.to_owned(),
            },
        });
    }
    if let Some(rest) = authorization.strip_prefix("SLS4-HMAC-SHA256 ") {
        let mut credential = None;
        let mut signature = None;
        for field in rest.split(',') {
            let field = field.trim();
            if let Some(value) = field.strip_prefix("Credential=") {
                credential = Some(value);
            } else if let Some(value) = field.strip_prefix("Signature=") {
                signature = Some(value);
            }
        }
        let (credential, signature) = credential.zip(signature).ok_or(SignatureError::Malformed)?;
        let parts: Vec<&str> = credential.split('/').collect();
        let [access_key_id, date, region, "sls", "aliyun_v4_request"] = parts[..] else {
            return Err(SignatureError::Malformed);
        };
        if access_key_id.is_empty() || region.is_empty() || signature.is_empty() {
            return Err(SignatureError::Malformed);
        }
        return Ok(Presented {
            access_key_id: access_key_id.to_owned(),
            scheme: Scheme::V4 {
                date: date.to_owned(),
                region: region.to_owned(),
                signature: signature.to_owned(),
            },
        });
    }
    Err(SignatureError::Malformed)
}

/// The access key id an `Authorization` header names, without checking anything else (for
/// `--auth off`).
pub fn access_key_id(authorization: &str) -> Option<String> {
    parse(authorization)
        .ok()
        .map(|presented| presented.access_key_id)
}

/// Checks the presented signature with the key's secret at `now`.
pub fn verify(
    request: &Signed<'_>,
    presented: &Presented,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    match &presented.scheme {
        Scheme::V1 { signature } => verify_v1(request, signature, secret, now),
        Scheme::V4 {
            date,
            region,
            signature,
        } => verify_v4(request, date, region, signature, secret, now),
    }
}

fn within_window(
    signed_at: DateTime<Utc>,
    now: DateTime<Utc>,
    text: &str,
) -> Result<(), SignatureError> {
    if (now - signed_at).abs() > REPLAY_WINDOW {
        return Err(SignatureError::Expired(text.to_owned()));
    }
    Ok(())
}

fn verify_v1(
    request: &Signed<'_>,
    presented: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let sha256 = match request.header("x-log-signaturemethod").map(str::trim) {
        None | Some("") => false,
        Some(method) if method.eq_ignore_ascii_case("hmac-sha1") => false,
        Some(method) if method.eq_ignore_ascii_case("hmac-sha256") => true,
        Some(method) => return Err(SignatureError::InvalidMethod(method.to_owned())),
    };
    let date = request
        .header("date")
        .filter(|date| !date.is_empty())
        .or_else(|| request.header("x-log-date"))
        .ok_or(SignatureError::MissingDate)?;
    let signed_at = DateTime::parse_from_rfc2822(date)
        .map_err(|_| SignatureError::InvalidDate(date.to_owned()))?
        .with_timezone(&Utc);
    within_window(signed_at, now, date)?;
    let expected = v1_signature(secret, &v1_string_to_sign(request), sha256);
    if expected != presented {
        return Err(SignatureError::Mismatch(presented.to_owned()));
    }
    Ok(())
}

/// V1's string to sign.
pub fn v1_string_to_sign(request: &Signed<'_>) -> String {
    let mut text = String::new();
    text.push_str(request.method);
    text.push('\n');
    text.push_str(request.header("content-md5").unwrap_or(""));
    text.push('\n');
    text.push_str(request.header("content-type").unwrap_or(""));
    text.push('\n');
    text.push_str(
        request
            .header("date")
            .filter(|date| !date.is_empty())
            .or_else(|| request.header("x-log-date"))
            .unwrap_or(""),
    );
    text.push('\n');
    for (name, value) in signed_headers(request.headers, false) {
        if name == "x-log-date" {
            continue;
        }
        text.push_str(&name);
        text.push(':');
        text.push_str(&value);
        text.push('\n');
    }
    text.push_str(request.path);
    let mut pairs = form_pairs(request.query.unwrap_or("").as_bytes());
    if !pairs.is_empty() {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        text.push('?');
        let joined: Vec<String> = pairs
            .iter()
            .map(|(name, value)| {
                format!(
                    "{}={}",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(value)
                )
            })
            .collect();
        text.push_str(&joined.join("&"));
    }
    text
}

/// `base64(HMAC(secret, text))`, SHA-1 or SHA-256.
pub fn v1_signature(secret: &str, text: &str, sha256: bool) -> String {
    let digest = if sha256 {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().to_vec()
    } else {
        let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().to_vec()
    };
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// The `x-log-*` and `x-acs-*` headers (and, for V4, `host` and `content-type`), lower-case,
/// sorted, values trimmed; never `x-log-meta-*`. The first value of a repeated header.
fn signed_headers(headers: &HeaderMap, v4: bool) -> Vec<(String, String)> {
    let mut signed: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.as_str();
        let included = name.starts_with("x-log-") && !name.starts_with("x-log-meta-")
            || name.starts_with("x-acs-")
            || v4 && (name == "host" || name == "content-type");
        if !included || signed.iter().any(|(seen, _)| seen == name) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
        signed.push((name.to_owned(), value));
    }
    signed.sort();
    signed
}

fn hmac256(key: &[u8], text: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn verify_v4(
    request: &Signed<'_>,
    scope_date: &str,
    region: &str,
    presented: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let date = request
        .header("x-log-date")
        .ok_or(SignatureError::MissingDate)?;
    let signed_at = NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| SignatureError::InvalidDate(date.to_owned()))?
        .and_utc();
    if date.get(..8) != Some(scope_date) {
        return Err(SignatureError::InvalidDate(date.to_owned()));
    }
    within_window(signed_at, now, date)?;
    let content_sha = request
        .header("x-log-content-sha256")
        .ok_or(SignatureError::ContentSha256)?;
    if !content_sha.eq_ignore_ascii_case(&hex(&Sha256::digest(request.body))) {
        return Err(SignatureError::ContentSha256);
    }
    let expected = v4_signature(request, date, region, secret);
    if !expected.eq_ignore_ascii_case(presented) {
        return Err(SignatureError::Mismatch(presented.to_owned()));
    }
    Ok(())
}

/// V4's canonical request.
pub fn v4_canonical_request(request: &Signed<'_>) -> String {
    let mut pairs = form_pairs(request.query.unwrap_or("").as_bytes());
    pairs.sort();
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| {
            let name = String::from_utf8_lossy(name);
            if value.is_empty() {
                name.into_owned()
            } else {
                format!("{name}={}", rfc3986_encode(value))
            }
        })
        .collect();
    let headers = signed_headers(request.headers, true);
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        request.path,
        query.join("&"),
        canonical_headers,
        names.join(";"),
        request.header("x-log-content-sha256").unwrap_or("")
    )
}

/// The hex V4 signature of the request signed at `date` (`YYYYMMDDTHHMMSSZ`) in `region`.
pub fn v4_signature(request: &Signed<'_>, date: &str, region: &str, secret: &str) -> String {
    let day = date.get(..8).unwrap_or("");
    let scope = format!("{day}/{region}/sls/aliyun_v4_request");
    let text = format!(
        "SLS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(v4_canonical_request(request).as_bytes()))
    );
    let key = hmac256(format!("aliyun_v4{secret}").as_bytes(), day);
    let key = hmac256(&key, region);
    let key = hmac256(&key, "sls");
    let key = hmac256(&key, "aliyun_v4_request");
    hex(&hmac256(&key, &text))
}

/// When a V1 date reads as this, it is now (tests only).
#[cfg(test)]
fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc2822(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};
    use chrono::TimeDelta;

    const DATE: &str = "Mon, 03 Jan 2022 08:33:47 GMT";
    const HOST: &str = "my-project.cn-hangzhou.log.aliyuncs.com";
    const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn request<'a>(
        method: &'a str,
        target: &'a str,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> Signed<'a> {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        Signed {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    fn v1(method: &str, target: &str, headers: &HeaderMap, body: &[u8], sig: &str) {
        let request = request(method, target, headers, body);
        let presented = parse(&format!("LOG AKID:{sig}")).unwrap();
        assert_eq!(
            verify(&request, &presented, "SECRET", at(DATE)),
            Ok(()),
            "{}",
            v1_string_to_sign(&request)
        );
    }

    #[test]
    fn v1_vectors_of_the_python_sdk() {
        let py = headers(&[
            ("host", HOST),
            ("x-log-apiversion", "0.6.0"),
            ("x-log-bodyrawsize", "0"),
            ("x-log-signaturemethod", "hmac-sha1"),
            ("date", DATE),
            ("x-log-date", DATE),
        ]);
        v1(
            "GET",
            "/logstores/flowlog-store",
            &py,
            b"",
            "g8OoiYZVR8VHneGm/TEb9BPiqXQ=",
        );
        v1(
            "GET",
            "/logstores?logstoreName=flow+log&offset=0&size=10",
            &py,
            b"",
            "6+paw7uXELa+hj55D2wigB3y+PI=",
        );
        let mut token = py.clone();
        token.insert("x-acs-security-token", HeaderValue::from_static("STSTOKEN"));
        v1("GET", "/", &token, b"", "s+3X3aOPr8XEodAmLYd8qUWjClI=");
        let mut create = py.clone();
        create.insert("content-type", HeaderValue::from_static("application/json"));
        create.insert(
            "content-md5",
            HeaderValue::from_static("337286CEFEA0E078B2FA539910894D30"),
        );
        v1(
            "POST",
            "/logstores",
            &create,
            b"{}",
            "UkjrJDTX2DEEqIyTGEnQRQTQ+68=",
        );
    }

    #[test]
    fn v1_vectors_of_the_tea_sdk_sign_with_sha256() {
        let tea = headers(&[
            ("host", "my-project.cn-hangzhou.log.aliyuncs.com"),
            ("x-log-apiversion", "0.6.0"),
            ("content-type", "application/json"),
            ("x-log-bodyrawsize", "0"),
            ("x-log-signaturemethod", "hmac-sha256"),
            ("date", DATE),
            ("content-md5", ""),
        ]);
        v1(
            "GET",
            "/logstores/flowlog-store",
            &tea,
            b"",
            "c50sFHfbt2NO3nBNG7O4bQAwpImlUO0dTlVS8nJLQDw=",
        );
        v1(
            "GET",
            "/logstores?logstoreName=flow+log&offset=0&size=10",
            &tea,
            b"",
            "/z5oSLSDYLks5wiQ5/m0UsHoE2Hud35HruNh+vKiIvI=",
        );
    }

    #[test]
    fn v1_refusals() {
        let py = headers(&[
            ("x-log-apiversion", "0.6.0"),
            ("x-log-signaturemethod", "hmac-sha1"),
            ("date", DATE),
        ]);
        let request = request("GET", "/", &py, b"");
        let presented = parse("LOG AKID:bm9wZQ==").unwrap();
        assert_eq!(
            verify(&request, &presented, "SECRET", at(DATE)),
            Err(SignatureError::Mismatch("bm9wZQ==".into()))
        );
        let later = at(DATE) + TimeDelta::minutes(16);
        assert!(matches!(
            verify(&request, &presented, "SECRET", later),
            Err(SignatureError::Expired(_))
        ));
        let bad_method = headers(&[("x-log-signaturemethod", "md5"), ("date", DATE)]);
        let request = super::tests::request("GET", "/", &bad_method, b"");
        assert!(matches!(
            verify(&request, &presented, "SECRET", at(DATE)),
            Err(SignatureError::InvalidMethod(_))
        ));
        let no_date = headers(&[("x-log-apiversion", "0.6.0")]);
        let request = super::tests::request("GET", "/", &no_date, b"");
        assert_eq!(
            verify(&request, &presented, "SECRET", at(DATE)),
            Err(SignatureError::MissingDate)
        );
        let bad_date = headers(&[("date", "yesterday")]);
        let request = super::tests::request("GET", "/", &bad_date, b"");
        assert!(matches!(
            verify(&request, &presented, "SECRET", at(DATE)),
            Err(SignatureError::InvalidDate(_))
        ));
    }

    #[test]
    fn authorization_headers() {
        assert!(parse("LOG AKID").is_err());
        assert!(parse("LOG :sig").is_err());
        assert!(parse("Bearer x").is_err());
        assert!(
            parse("SLS4-HMAC-SHA256 Credential=AK/20220103/cn-hangzhou/sls/aliyun_v4_request")
                .is_err()
        );
        assert!(parse("SLS4-HMAC-SHA256 Credential=AK/20220103/cn-hangzhou/ecs/aliyun_v4_request,Signature=ab").is_err());
        assert_eq!(
            parse("SLS4-HMAC-SHA256 Credential=AK/20220103/cn-hangzhou/sls/aliyun_v4_request,Signature=ab").unwrap(),
            Presented {
                access_key_id: "AK".into(),
                scheme: Scheme::V4 { date: "20220103".into(), region: "cn-hangzhou".into(), signature: "ab".into() }
            }
        );
        assert_eq!(access_key_id("LOG LTAI1:abc").as_deref(), Some("LTAI1"));
    }

    fn v4(target: &str, headers: &HeaderMap, body: &[u8], sig: &str) {
        let request = request(
            if body.is_empty() { "GET" } else { "POST" },
            target,
            headers,
            body,
        );
        let presented = parse(&format!(
            "SLS4-HMAC-SHA256 Credential=AKID/20220103/cn-hangzhou/sls/aliyun_v4_request,Signature={sig}"
        ))
        .unwrap();
        assert_eq!(
            verify(&request, &presented, "SECRET", at(DATE)),
            Ok(()),
            "{}",
            v4_canonical_request(&request)
        );
    }

    #[test]
    fn v4_vectors_of_both_sdks() {
        let py = headers(&[
            ("host", HOST),
            ("x-log-apiversion", "0.6.0"),
            ("x-log-bodyrawsize", "0"),
            ("x-log-content-sha256", EMPTY_SHA),
            ("x-log-date", "20220103T083347Z"),
        ]);
        v4(
            "/logstores/flowlog-store",
            &py,
            b"",
            "d29ecea7335b79a338d44e7265df0d30a9e2e83481e929f5e878bb36ad8ea9d8",
        );
        v4(
            "/logstores?logstoreName=flow+log&offset=0&size=10",
            &py,
            b"",
            "154b85093f17f71bdda282ba45bd3f4a3a90842ce6d46aff6c2b7eff43361e69",
        );
        let mut tea = py.clone();
        tea.insert("content-type", HeaderValue::from_static("application/json"));
        v4(
            "/logstores/flowlog-store",
            &tea,
            b"",
            "c9f9d26cc5eda7e410df017ee751fbcd4d77bf1296bb7c72d1a43f7d41f9c50a",
        );
    }

    #[test]
    fn v4_refuses_a_body_that_is_not_the_signed_one() {
        let py = headers(&[
            ("host", HOST),
            ("x-log-content-sha256", EMPTY_SHA),
            ("x-log-date", "20220103T083347Z"),
        ]);
        let request = request("POST", "/logstores", &py, b"changed");
        let presented = parse("SLS4-HMAC-SHA256 Credential=AKID/20220103/cn-hangzhou/sls/aliyun_v4_request,Signature=00").unwrap();
        assert_eq!(
            verify(&request, &presented, "SECRET", at(DATE)),
            Err(SignatureError::ContentSha256)
        );
    }
}
