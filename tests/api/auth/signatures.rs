//! The signature verifiers against the request vectors recorded from the official SDKs
//! (`tests/vectors/`, a copy of the reference's `signature-vectors/`): every valid vector
//! verifies at its own `now`, every tampered one fails with the error its name says, and the
//! server's canonical request and string to sign are the vectors'.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use flowplane::alibaba::signature::{self as alibaba, AlibabaSignatureError, Scheme};
use flowplane::auth::credentials::{AlibabaKey, Credentials, HuaweiKey};
use flowplane::auth::signing::{rfc3986_encode, SignedRequest};
use flowplane::auth::REPLAY_WINDOW as MAX_CLOCK_SKEW;
use flowplane::huawei::signature::{self as huawei, HuaweiSignatureError};

const HUAWEI: &str = include_str!("../../vectors/huawei.json");
const ALIBABA_V1: &str = include_str!("../../vectors/alibaba-v1.json");
const ALIBABA_V3: &str = include_str!("../../vectors/alibaba-v3.json");
const TAMPERED: &str = include_str!("../../vectors/tampered.json");

#[derive(Debug, Deserialize)]
struct Vector {
    name: String,
    provider: String,
    scheme: String,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
    credentials: VectorCredentials,
    #[serde(deserialize_with = "rfc3339")]
    now: DateTime<Utc>,
    expect: String,
    canonical_request: Option<String>,
    string_to_sign: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VectorCredentials {
    access_key: String,
    secret: String,
}

fn rfc3339<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(serde::de::Error::custom)
}

/// The account given to the vectors' Alibaba key.
const ACCOUNT: &str = "1234567890123456";

impl Vector {
    fn header_map(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        headers
    }

    fn request<'a>(&'a self, headers: &'a HeaderMap) -> SignedRequest<'a> {
        SignedRequest {
            method: &self.method,
            target: &self.target,
            headers,
            body: self.body.as_bytes(),
        }
    }

    /// Only the vector's own key, with the vector's secret (a `--wrong-secret` vector's differs).
    fn credentials(&self) -> Credentials {
        let (key, secret) = (&self.credentials.access_key, &self.credentials.secret);
        match self.provider.as_str() {
            "huawei" => Credentials::new([HuaweiKey::new(key, secret, None)], []).unwrap(),
            "alibaba" => Credentials::new([], [AlibabaKey::new(key, secret, ACCOUNT)]).unwrap(),
            other => panic!("{}: unknown provider {other}", self.name),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The name's suffix after `--`: what was tampered with.
    fn tampering(&self) -> &str {
        self.name
            .split_once("--")
            .map(|(_, suffix)| suffix)
            .unwrap_or_else(|| panic!("{}: a tampered vector without a --suffix", self.name))
    }
}

fn vectors(json: &str) -> Vec<Vector> {
    serde_json::from_str(json).expect("the vectors parse")
}

fn valid_vectors() -> Vec<Vector> {
    let all: Vec<Vector> = [HUAWEI, ALIBABA_V1, ALIBABA_V3]
        .into_iter()
        .flat_map(vectors)
        .collect();
    assert!(all.iter().all(|v| v.expect == "valid"));
    all
}

/// Checks the server's canonical request and string to sign against the vector's, where it has
/// them.
fn check_canonical_forms(vector: &Vector) {
    let headers = vector.header_map();
    let request = vector.request(&headers);
    match vector.scheme.as_str() {
        "SDK-HMAC-SHA256" => {
            let Some(expected) = &vector.canonical_request else {
                return;
            };
            let canonical = huawei::canonical_request(&request)
                .unwrap_or_else(|err| panic!("{}: {err:?}", vector.name));
            assert_eq!(&canonical, expected, "{}: canonical request", vector.name);
            let date = vector.header("X-Sdk-Date").unwrap();
            assert_eq!(
                Some(huawei::string_to_sign(date, &canonical)),
                vector.string_to_sign,
                "{}: string to sign",
                vector.name
            );
        }
        "ACS3-HMAC-SHA256" => {
            let Some(expected) = &vector.canonical_request else {
                return;
            };
            let canonical = alibaba::v3_canonical_request(&request)
                .unwrap_or_else(|| panic!("{}: no canonical request", vector.name));
            assert_eq!(&canonical, expected, "{}: canonical request", vector.name);
            assert_eq!(
                Some(alibaba::v3_string_to_sign(&canonical)),
                vector.string_to_sign,
                "{}: string to sign",
                vector.name
            );
        }
        "HMAC-SHA1-V1" => {
            let Some(expected) = &vector.string_to_sign else {
                return;
            };
            assert_eq!(
                &alibaba::v1_string_to_sign_of(&request),
                expected,
                "{}: string to sign",
                vector.name
            );
            // The vector's canonical_request is the sorted, encoded parameter string (CQS).
            let cqs = vector.canonical_request.as_deref().unwrap();
            assert_eq!(
                expected,
                &format!("{}&%2F&{}", vector.method, rfc3986_encode(cqs.as_bytes())),
                "{}",
                vector.name
            );
        }
        other => panic!("{}: unknown scheme {other}", vector.name),
    }
}

#[test]
fn there_are_as_many_vectors_as_the_readme_says() {
    assert_eq!(vectors(HUAWEI).len(), 9);
    assert_eq!(vectors(ALIBABA_V3).len(), 7);
    assert_eq!(vectors(ALIBABA_V1).len(), 8);
    let tampered = vectors(TAMPERED);
    assert_eq!(tampered.len(), 38);
    assert!(tampered.iter().all(|v| v.expect == "invalid"));
}

#[test]
fn every_valid_vector_verifies_at_its_own_now() {
    for vector in valid_vectors() {
        let headers = vector.header_map();
        let request = vector.request(&headers);
        let credentials = vector.credentials();
        check_canonical_forms(&vector);
        match vector.provider.as_str() {
            "huawei" => {
                for now in [
                    vector.now,
                    vector.now - MAX_CLOCK_SKEW,
                    vector.now + MAX_CLOCK_SKEW,
                ] {
                    let key = huawei::verify(&request, &credentials, now)
                        .unwrap_or_else(|err| panic!("{}: {err:?}", vector.name));
                    assert_eq!(key.access_key(), vector.credentials.access_key);
                }
            }
            "alibaba" => {
                let verified = alibaba::verify(&request, &credentials, vector.now)
                    .unwrap_or_else(|err| panic!("{}: {err:?}", vector.name));
                assert_eq!(verified.key.account_id(), ACCOUNT, "{}", vector.name);
                assert_eq!(verified.signed_at, vector.now, "{}", vector.name);
                let (scheme, nonce) = match vector.scheme.as_str() {
                    "ACS3-HMAC-SHA256" => (
                        Scheme::V3HmacSha256,
                        vector.header("x-acs-signature-nonce").unwrap().to_owned(),
                    ),
                    _ => (
                        Scheme::V1HmacSha1,
                        query_param(&vector.target, "SignatureNonce"),
                    ),
                };
                assert_eq!(verified.scheme, scheme, "{}", vector.name);
                assert_eq!(verified.nonce, nonce, "{}", vector.name);
                for now in [vector.now - MAX_CLOCK_SKEW, vector.now + MAX_CLOCK_SKEW] {
                    assert!(alibaba::verify(&request, &credentials, now).is_ok());
                }
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn the_demo_credentials_verify_every_valid_vector() {
    let demo = Credentials::demo();
    for vector in valid_vectors() {
        let headers = vector.header_map();
        let request = vector.request(&headers);
        let ok = match vector.provider.as_str() {
            "huawei" => huawei::verify(&request, &demo, vector.now).is_ok(),
            _ => alibaba::verify(&request, &demo, vector.now)
                .is_ok_and(|verified| verified.key.account_id() == "1234567890123456"),
        };
        assert!(ok, "{}", vector.name);
    }
}

fn query_param(target: &str, name: &str) -> String {
    let (_, query) = target.split_once('?').unwrap();
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// What a tampered Huawei vector must fail with, by its name's suffix. Every Huawei failure is
/// 401 APIGW.0301; the variant says why.
fn expected_huawei(tampering: &str) -> Option<&'static str> {
    Some(match tampering {
        "body-byte"
        | "signed-header-value"
        | "signed-header-host"
        | "query-value"
        | "query-added"
        | "path-changed"
        | "wrong-secret"
        | "signature-altered"
        | "signedheaders-shortened" => "SignatureMismatch",
        "signed-header-missing" => "SignedHeaderMissing",
        "unknown-access-key" => "UnknownAccessKey",
        "expired" | "future" => "Expired",
        _ => return None,
    })
}

fn huawei_variant(err: &HuaweiSignatureError) -> &'static str {
    match err {
        HuaweiSignatureError::MissingAuthorization => "MissingAuthorization",
        HuaweiSignatureError::MalformedAuthorization(_) => "MalformedAuthorization",
        HuaweiSignatureError::UnsupportedAlgorithm(_) => "UnsupportedAlgorithm",
        HuaweiSignatureError::UnknownAccessKey(_) => "UnknownAccessKey",
        HuaweiSignatureError::MalformedDate => "MalformedDate",
        HuaweiSignatureError::Expired { .. } => "Expired",
        HuaweiSignatureError::SignedHeaderMissing(_) => "SignedHeaderMissing",
        HuaweiSignatureError::SignatureMismatch { .. } => "SignatureMismatch",
    }
}

/// What a tampered Alibaba vector must fail with, by its name's suffix: the POP code, and for
/// `SignatureDoesNotMatch` whether it is the body-hash check (`content-hash`) or the signature.
fn expected_alibaba(tampering: &str) -> Option<(&'static str, &'static str)> {
    Some(match tampering {
        "body-byte-content-sha256-mismatch" | "content-sha256-wrong" => {
            ("SignatureDoesNotMatch", "content-hash")
        }
        "body-byte-hash-updated"
        | "body-byte"
        | "signed-header-action"
        | "query-value"
        | "query-added"
        | "wrong-secret"
        | "signature-altered"
        | "action-changed"
        | "empty-param-dropped" => ("SignatureDoesNotMatch", "signature"),
        "signed-header-missing" | "signed-header-missing-content-type" | "signature-removed" => {
            ("IncompleteSignature", "")
        }
        "expired" | "future" => ("InvalidTimeStamp.Expired", ""),
        "unknown-access-key" => ("InvalidAccessKeyId.NotFound", ""),
        _ => return None,
    })
}

#[test]
fn every_tampered_vector_fails_with_the_error_its_name_says() {
    let tampered = vectors(TAMPERED);
    let mut unmapped = Vec::new();
    for vector in &tampered {
        let headers = vector.header_map();
        let request = vector.request(&headers);
        let credentials = vector.credentials();
        let tampering = vector.tampering();
        check_canonical_forms(vector);
        match vector.provider.as_str() {
            "huawei" => {
                let Some(expected) = expected_huawei(tampering) else {
                    unmapped.push(vector.name.clone());
                    continue;
                };
                let err = huawei::verify(&request, &credentials, vector.now)
                    .map(|_| ())
                    .expect_err(&vector.name);
                assert_eq!(huawei_variant(&err), expected, "{}: {err:?}", vector.name);
                assert_eq!((err.status(), err.code()), (401, "APIGW.0301"));
                assert!(
                    err.message()
                        .starts_with("Incorrect IAM authentication information: "),
                    "{}",
                    err.message()
                );
                if let (Some(server), Some(vector_cr)) =
                    (err.canonical_request(), &vector.canonical_request)
                {
                    assert_eq!(server, vector_cr, "{}", vector.name);
                }
            }
            "alibaba" => {
                let Some((code, kind)) = expected_alibaba(tampering) else {
                    unmapped.push(vector.name.clone());
                    continue;
                };
                let err = alibaba::verify(&request, &credentials, vector.now)
                    .map(|_| ())
                    .expect_err(&vector.name);
                assert_eq!(err.code(), code, "{}: {err:?}", vector.name);
                match kind {
                    "content-hash" => assert!(
                        matches!(err, AlibabaSignatureError::ContentHashMismatch { .. }),
                        "{}: {err:?}",
                        vector.name
                    ),
                    "signature" => assert!(
                        matches!(err, AlibabaSignatureError::SignatureDoesNotMatch { .. }),
                        "{}: {err:?}",
                        vector.name
                    ),
                    _ => {}
                }
                if code == "SignatureDoesNotMatch" {
                    // The message carries the server's V1 STS or V3 canonical request.
                    let expected = match vector.scheme.as_str() {
                        "HMAC-SHA1-V1" => vector.string_to_sign.as_deref(),
                        _ => vector.canonical_request.as_deref(),
                    };
                    let expected = expected.expect("a SignatureDoesNotMatch vector has them");
                    assert_eq!(err.string_to_sign(), Some(expected), "{}", vector.name);
                    assert!(err
                        .message()
                        .ends_with(&format!("server string to sign is:{expected}")));
                }
                let status = if code == "InvalidAccessKeyId.NotFound" {
                    404
                } else {
                    400
                };
                assert_eq!(err.status(), status, "{}", vector.name);
            }
            other => panic!("{other}"),
        }
    }
    assert!(
        unmapped.is_empty(),
        "tampered vectors no expectation covers (add them to expected_huawei/expected_alibaba): {unmapped:?}"
    );
}

#[test]
fn the_expired_vectors_are_sixteen_minutes_off_and_fine_at_fifteen() {
    for vector in vectors(TAMPERED)
        .iter()
        .filter(|v| matches!(v.tampering(), "expired" | "future"))
    {
        let headers = vector.header_map();
        let request = vector.request(&headers);
        let credentials = vector.credentials();
        let skew = if vector.tampering() == "expired" {
            TimeDelta::minutes(-16)
        } else {
            TimeDelta::minutes(16)
        };
        let signing_time = vector.now + skew;
        let within = signing_time - skew / 16 * 15;
        match vector.provider.as_str() {
            "huawei" => {
                assert!(
                    huawei::verify(&request, &credentials, within).is_ok(),
                    "{}",
                    vector.name
                )
            }
            _ => assert!(
                alibaba::verify(&request, &credentials, within).is_ok(),
                "{}",
                vector.name
            ),
        }
    }
}

#[test]
fn an_unknown_key_is_not_found_before_anything_else_is_checked() {
    // A valid vector verified against credentials that lack its key.
    let other = Credentials::new(
        [HuaweiKey::new("HWOTHERKEY", "s", None)],
        [AlibabaKey::new("LTAIother", "s", "1")],
    )
    .unwrap();
    for vector in valid_vectors() {
        let headers = vector.header_map();
        let request = vector.request(&headers);
        let far_future = vector.now + TimeDelta::days(1);
        match vector.provider.as_str() {
            "huawei" => {
                let err = huawei::verify(&request, &other, far_future)
                    .map(|_| ())
                    .unwrap_err();
                assert_eq!(
                    err,
                    HuaweiSignatureError::UnknownAccessKey(vector.credentials.access_key.clone())
                );
            }
            _ => {
                let err = alibaba::verify(&request, &other, far_future)
                    .map(|_| ())
                    .unwrap_err();
                assert_eq!(err.code(), "InvalidAccessKeyId.NotFound", "{}", vector.name);
                assert_eq!(err.status(), 404);
                assert_eq!(err.message(), "Specified access key is not found.");
            }
        }
    }
}

#[test]
fn a_huawei_key_restricted_to_projects_still_verifies_and_says_which_it_may_use() {
    let vector = vectors(HUAWEI).into_iter().next().unwrap();
    let credentials = Credentials::parse(&format!(
        "[[huawei]]\naccess_key = {:?}\nsecret_key = {:?}\nprojects = [\"0123456789abcdef0123456789abcdef\"]\n",
        vector.credentials.access_key, vector.credentials.secret
    ))
    .unwrap();
    let headers = vector.header_map();
    let key = huawei::verify(&vector.request(&headers), &credentials, vector.now).unwrap();
    assert!(key.may_use_project("0123456789abcdef0123456789abcdef"));
    assert!(!key.may_use_project("fedcba9876543210fedcba9876543210"));
}
