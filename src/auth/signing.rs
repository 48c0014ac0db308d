//! What the request-signature verifiers of both clouds share: the request as it arrived
//! ([`SignedRequest`]), the `Authorization` header's fields ([`parse_authorization`]), RFC 3986
//! encoding, form-style decoding, the canonical URI and sorted canonical query, the SigV4-shaped
//! canonical request, SHA-256 and constant-time HMAC checks.
//!
//! Everything here works on bytes: a decoded value need not be UTF-8, and a signature covers
//! exactly what the client hashed.

use axum::http::{HeaderMap, Uri};
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// One request as it arrived, before anything is decoded.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The HTTP method (`POST`).
    pub method: &'a str,
    /// The raw request target: the path, then `?` and the raw query when there is one. Never
    /// decoded. [`target_of`] gives it for an [`Uri`].
    pub target: &'a str,
    /// The headers as received (names are case-insensitive; values raw).
    pub headers: &'a HeaderMap,
    /// The raw body.
    pub body: &'a [u8],
}

impl<'a> SignedRequest<'a> {
    /// The raw path: the target up to `?`.
    pub fn path(&self) -> &'a str {
        self.target
            .split_once('?')
            .map_or(self.target, |(path, _)| path)
    }

    /// The raw query: the target after `?`, `""` when there is none.
    pub fn query(&self) -> &'a str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }

    /// The first value of a header, as raw bytes.
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers.get(name).map(|value| value.as_bytes())
    }

    /// The first value of a header when it is UTF-8.
    pub fn header_str(&self, name: &str) -> Option<&'a str> {
        self.header(name)
            .and_then(|value| std::str::from_utf8(value).ok())
    }
}

/// The raw request target (path and query) of a URI, as [`SignedRequest::target`] wants it.
pub fn target_of(uri: &Uri) -> &str {
    uri.path_and_query()
        .map_or_else(|| uri.path(), |target| target.as_str())
}

/// Everything but RFC 3986's unreserved characters `A-Z a-z 0-9 - _ . ~` is encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// RFC 3986 percent-encoding with upper-case hex: a space is `%20`, `*` is `%2A`, `~` stays.
pub fn rfc3986_encode(bytes: &[u8]) -> String {
    percent_encode(bytes, RFC3986).to_string()
}

/// Decodes `%XX` escapes only (a path segment); a `%` not followed by two hex digits stays.
pub fn percent_decode_bytes(encoded: &str) -> Vec<u8> {
    percent_decode(encoded.as_bytes()).collect()
}

/// Whether a `Content-Type` is a form body (`application/x-www-form-urlencoded`, any
/// parameters), whose parameters a signature covers like the query's.
pub fn is_form_content_type(value: &str) -> bool {
    value.split(';').next().is_some_and(|essence| {
        essence
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

/// Form-style decoding: `+` is a space, then `%XX`.
pub fn form_decode(encoded: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = encoded
        .iter()
        .map(|&byte| if byte == b'+' { b' ' } else { byte })
        .collect();
    percent_decode(&spaced).collect()
}

/// The decoded `name=value` pairs of a query string or form body, in their order. Empty pieces
/// (`a=1&&b=2`) are skipped; a piece without `=` has an empty value, which is kept.
pub fn form_pairs(encoded: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    encoded
        .split(|&byte| byte == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.iter().position(|&byte| byte == b'=') {
            Some(at) => (form_decode(&piece[..at]), form_decode(&piece[at + 1..])),
            None => (form_decode(piece), Vec::new()),
        })
        .collect()
}

/// Sorts the pairs by name, then value (byte order), RFC 3986-encodes both and joins them as
/// `name=value` with `&`. Empty values stay as `name=`.
pub fn canonical_query(mut pairs: Vec<(Vec<u8>, Vec<u8>)>) -> String {
    pairs.sort();
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", rfc3986_encode(name), rfc3986_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical URI of a path: decoded once, split on `/`, each segment RFC 3986-encoded.
/// Huawei ends it with `/` (`trailing_slash`); Alibaba's V3 keeps it as it is, and reads an
/// empty path as `/`.
pub fn canonical_uri(path: &str, trailing_slash: bool) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut uri = percent_decode_bytes(path)
        .split(|byte| *byte == b'/')
        .map(rfc3986_encode)
        .collect::<Vec<_>>()
        .join("/");
    if trailing_slash && !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The fields of an `Authorization: <ALGORITHM> <Credential>=…, SignedHeaders=…, Signature=…`
/// header, as both clouds' SigV4-shaped schemes write it (Huawei names the credential
/// `Access`, Alibaba `Credential`). Other fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key.
    pub credential: &'a str,
    /// The signed header names, lower-cased, in their order.
    pub signed_headers: Vec<String>,
    /// The signature as written (hex for both clouds).
    pub signature: &'a str,
}

/// Why an `Authorization` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationError {
    /// Nothing before the fields.
    NoAlgorithm,
    /// Another algorithm than the scheme's.
    UnsupportedAlgorithm(String),
    /// A field without `=`.
    FieldWithoutValue,
    /// A field given twice.
    FieldTwice,
    /// The credential field, `SignedHeaders` or `Signature` is missing or empty.
    Missing(&'static str),
    /// `SignedHeaders` has an empty name (`host;;x-sdk-date`).
    EmptyHeaderName,
    /// The header is not UTF-8.
    NotUtf8,
}

impl std::fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoAlgorithm => f.write_str("it names no algorithm"),
            Self::UnsupportedAlgorithm(algorithm) => {
                write!(f, "the algorithm {algorithm:?} is not supported")
            }
            Self::FieldWithoutValue => f.write_str("a field has no '='"),
            Self::FieldTwice => f.write_str("a field is given twice"),
            Self::Missing(field) => write!(f, "{field} is missing"),
            Self::EmptyHeaderName => f.write_str("SignedHeaders has an empty name"),
            Self::NotUtf8 => f.write_str("it is not UTF-8"),
        }
    }
}

/// Reads an `Authorization` header of `algorithm` whose credential field is `credential_field`.
pub fn parse_authorization<'a>(
    value: &'a str,
    algorithm: &str,
    credential_field: &'static str,
) -> Result<Authorization<'a>, AuthorizationError> {
    let value = value.trim();
    let (named, fields) = value.split_once(' ').unwrap_or((value, ""));
    if named != algorithm {
        return Err(if named.is_empty() {
            AuthorizationError::NoAlgorithm
        } else {
            AuthorizationError::UnsupportedAlgorithm(named.to_owned())
        });
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (name, value) = field
            .split_once('=')
            .ok_or(AuthorizationError::FieldWithoutValue)?;
        let slot = match name.trim() {
            name if name == credential_field => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value.trim()).is_some() {
            return Err(AuthorizationError::FieldTwice);
        }
    }
    let present = |value: Option<&'a str>, field: &'static str| {
        value
            .filter(|v| !v.is_empty())
            .ok_or(AuthorizationError::Missing(field))
    };
    let credential = present(credential, credential_field)?;
    let signed_headers = present(signed_headers, "SignedHeaders")?;
    let signature = present(signature, "Signature")?;
    let signed_headers: Vec<String> = signed_headers
        .split(';')
        .map(str::to_ascii_lowercase)
        .collect();
    if signed_headers.iter().any(String::is_empty) {
        return Err(AuthorizationError::EmptyHeaderName);
    }
    Ok(Authorization {
        credential,
        signed_headers,
        signature,
    })
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `expected` is HMAC-SHA256(key, message), compared in constant time.
pub fn hmac_sha256_matches(key: &[u8], message: &[u8], expected: &[u8]) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.verify_slice(expected).is_ok()
}

/// Whether `expected` is HMAC-SHA1(key, message), compared in constant time.
pub fn hmac_sha1_matches(key: &[u8], message: &[u8], expected: &[u8]) -> bool {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.verify_slice(expected).is_ok()
}

/// The SigV4-shaped canonical request both clouds sign: method, `canonical_uri`, the sorted
/// query, each of the request's own `signed_headers` (lower-case, in their order) with its
/// trimmed value, the header list, and `payload_hash`. `Err(name)` names a signed header the
/// request lacks.
pub fn canonical_request(
    request: &SignedRequest<'_>,
    canonical_uri: &str,
    signed_headers: &[String],
    payload_hash: &str,
) -> Result<String, String> {
    let mut canonical = Vec::with_capacity(512);
    canonical.extend_from_slice(request.method.as_bytes());
    canonical.push(b'\n');
    canonical.extend_from_slice(canonical_uri.as_bytes());
    canonical.push(b'\n');
    canonical.extend_from_slice(canonical_query(form_pairs(request.query().as_bytes())).as_bytes());
    canonical.push(b'\n');
    for name in signed_headers {
        let value = request.header(name).ok_or_else(|| name.clone())?;
        canonical.extend_from_slice(name.as_bytes());
        canonical.push(b':');
        canonical.extend_from_slice(trim_header_value(value));
        canonical.push(b'\n');
    }
    canonical.push(b'\n');
    canonical.extend_from_slice(signed_headers.join(";").as_bytes());
    canonical.push(b'\n');
    canonical.extend_from_slice(payload_hash.as_bytes());
    // Header values may hold any bytes; the MAC covers them as they are, the text is for reading.
    Ok(String::from_utf8(canonical)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()))
}

/// Trims the spaces and tabs around a header value.
pub fn trim_header_value(value: &[u8]) -> &[u8] {
    let is_space = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = value
        .iter()
        .position(|byte| !is_space(byte))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|byte| !is_space(byte))
        .map_or(start, |last| last + 1);
    &value[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3986_keeps_only_unreserved() {
        assert_eq!(
            rfc3986_encode("a b*c~d-e_f.g+h/i%j:流".as_bytes()),
            "a%20b%2Ac~d-e_f.g%2Bh%2Fi%25j%3A%E6%B5%81"
        );
    }

    #[test]
    fn form_decoding_turns_plus_into_space_before_escapes() {
        assert_eq!(form_decode(b"a+b%2Bc%20d"), b"a b+c d");
        assert_eq!(form_decode(b"100%"), b"100%");
        assert_eq!(percent_decode_bytes("a+b%2Fc"), b"a+b/c");
    }

    #[test]
    fn canonical_query_sorts_and_keeps_empty_values() {
        let pairs = form_pairs(b"b=2&a=x+y&&SignatureType=&a=%2A&flag&c=d=e");
        assert_eq!(
            canonical_query(pairs),
            "SignatureType=&a=%2A&a=x%20y&b=2&c=d%3De&flag="
        );
        assert_eq!(canonical_query(form_pairs(b"")), "");
    }

    #[test]
    fn target_splits_into_path_and_query() {
        let headers = HeaderMap::new();
        let request = SignedRequest {
            method: "GET",
            target: "/a%2Fb?x=1&y=2",
            headers: &headers,
            body: b"",
        };
        assert_eq!(request.path(), "/a%2Fb");
        assert_eq!(request.query(), "x=1&y=2");
        let request = SignedRequest {
            target: "/",
            ..request
        };
        assert_eq!(request.query(), "");
        let uri: Uri = "http://127.0.0.1:8750/p?q=1%202".parse().unwrap();
        assert_eq!(target_of(&uri), "/p?q=1%202");
        let uri: Uri = "/".parse().unwrap();
        assert_eq!(target_of(&uri), "/");
    }

    #[test]
    fn hmac_checks() {
        // RFC 4231 test case 2 and RFC 2202 test case 2.
        let sha256 =
            hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
                .unwrap();
        assert!(hmac_sha256_matches(
            b"Jefe",
            b"what do ya want for nothing?",
            &sha256
        ));
        assert!(!hmac_sha256_matches(
            b"Jeff",
            b"what do ya want for nothing?",
            &sha256
        ));
        assert!(!hmac_sha256_matches(
            b"Jefe",
            b"what do ya want for nothing?",
            &sha256[..31]
        ));
        let sha1 = hex::decode("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79").unwrap();
        assert!(hmac_sha1_matches(
            b"Jefe",
            b"what do ya want for nothing?",
            &sha1
        ));
        assert!(!hmac_sha1_matches(
            b"Jefe",
            b"what do ya want for nothing!",
            &sha1
        ));
    }

    #[test]
    fn canonical_uris_decode_once_then_encode_each_segment() {
        assert_eq!(
            canonical_uri("/v1/p/fl/flow_logs/a%20b%2Fc~d%25e", true),
            "/v1/p/fl/flow_logs/a%20b/c~d%25e/"
        );
        assert_eq!(canonical_uri("/v1/p/", true), "/v1/p/");
        assert_eq!(canonical_uri("/a+b/%E6%B5%81", true), "/a%2Bb/%E6%B5%81/");
        assert_eq!(canonical_uri("/", true), "/");
        assert_eq!(canonical_uri("/", false), "/");
        assert_eq!(canonical_uri("", false), "/");
        assert_eq!(canonical_uri("/a%20b/c", false), "/a%20b/c");
    }

    #[test]
    fn authorization_fields_are_read_strictly() {
        let parse = |value| parse_authorization(value, "ALG", "Access");
        assert_eq!(
            parse("ALG Access=AK, SignedHeaders=Host;X-Date, Signature=00, Other=x"),
            Ok(Authorization {
                credential: "AK",
                signed_headers: vec!["host".into(), "x-date".into()],
                signature: "00",
            })
        );
        assert_eq!(
            parse("OTHER Access=AK"),
            Err(AuthorizationError::UnsupportedAlgorithm("OTHER".into()))
        );
        assert_eq!(parse(" "), Err(AuthorizationError::NoAlgorithm));
        assert_eq!(
            parse("ALG Access"),
            Err(AuthorizationError::FieldWithoutValue)
        );
        assert_eq!(
            parse("ALG Access=a, Access=b"),
            Err(AuthorizationError::FieldTwice)
        );
        assert_eq!(
            parse("ALG SignedHeaders=host, Signature=00"),
            Err(AuthorizationError::Missing("Access"))
        );
        assert_eq!(
            parse("ALG Access=AK, Signature=00"),
            Err(AuthorizationError::Missing("SignedHeaders"))
        );
        assert_eq!(
            parse("ALG Access=AK, SignedHeaders=host"),
            Err(AuthorizationError::Missing("Signature"))
        );
        assert_eq!(
            parse("ALG Access=AK, SignedHeaders=host;;x, Signature=00"),
            Err(AuthorizationError::EmptyHeaderName)
        );
        assert_eq!(
            parse_authorization(
                "ALG Credential=AK,SignedHeaders=host,Signature=00",
                "ALG",
                "Credential"
            )
            .unwrap()
            .credential,
            "AK"
        );
    }

    #[test]
    fn header_values_are_trimmed_of_spaces_and_tabs() {
        assert_eq!(trim_header_value(b" \ta b\t "), b"a b");
        assert_eq!(trim_header_value(b"   "), b"");
        assert_eq!(trim_header_value(b""), b"");
    }
}
