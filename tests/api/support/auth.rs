//! Signing, for `--auth verify`: a test signer for both clouds, written from the reference's
//! recipes (not from the server's verifiers): Huawei `SDK-HMAC-SHA256`, Alibaba V1 HMAC-SHA1 and
//! V3 `ACS3-HMAC-SHA256`. A [`TestApp`] started with [`TestApp::verifying`] signs its Huawei calls
//! and its `alibaba_as` calls with the keys of its credentials file. Also the credentials file
//! the `auth` tests verify against, and their signed requests.

use axum::body::Body;
use axum::http::{Method, Request};
use base64::Engine;
use chrono::{DateTime, Utc};
use flowplane::auth::credentials::Credentials;
use flowplane::auth::signing::{
    canonical_query, form_pairs, percent_decode_bytes, rfc3986_encode, sha256_hex,
};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::app::{serve_args, TestApp, TestResponse};
use super::db::TestDb;
use super::huawei::{create_body, flow_logs_path};
use super::{ALIBABA_KEY, OTHER_ALIBABA_KEY, PROJECT};

/// A Huawei key that may use any project.
pub const HUAWEI_KEY: &str = "HWTESTKEYANYPROJECT1";
pub const HUAWEI_SECRET: &str = "hw-test-secret-any-project";
/// A Huawei key that may use `PROJECT` only.
pub const LIMITED_KEY: &str = "HWTESTKEYONEPROJECT1";
/// The secret of `ALIBABA_KEY`, whose account is `ACCOUNT`.
pub const ALIBABA_SECRET: &str = "ali-test-secret-0001";
/// The secret of `OTHER_ALIBABA_KEY`, whose account is `OTHER_ACCOUNT`.
pub const OTHER_ALIBABA_SECRET: &str = "ali-test-secret-0002";
pub const ACCOUNT: &str = "1111111111111111";
pub const OTHER_ACCOUNT: &str = "2222222222222222";

/// The credentials file of the `auth` tests: the keys above.
pub fn credentials() -> String {
    format!(
        r#"
[[huawei]]
access_key = "{HUAWEI_KEY}"
secret_key = "{HUAWEI_SECRET}"

[[huawei]]
access_key = "{LIMITED_KEY}"
secret_key = "hw-test-secret-one-project"
projects = ["{PROJECT}"]

[[alibaba]]
access_key_id = "{ALIBABA_KEY}"
access_key_secret = "{ALIBABA_SECRET}"
account_id = "{ACCOUNT}"

[[alibaba]]
access_key_id = "{OTHER_ALIBABA_KEY}"
access_key_secret = "{OTHER_ALIBABA_SECRET}"
account_id = "{OTHER_ACCOUNT}"
"#
    )
}

/// A verifying app on [`credentials`], and the directory its file is in.
pub async fn verifying_app() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::verifying(&dir, &credentials()).await;
    (app, dir)
}

/// A Huawei create of `port-1` in `project`, signed at `at`; with `tamper`, the signature covers
/// that body while the create of `port-2` is sent.
pub fn huawei_create(
    project: &str,
    access_key: &str,
    secret: &str,
    at: DateTime<Utc>,
    tamper: bool,
) -> Request<Body> {
    let target = flow_logs_path(project);
    let body = serde_json::to_vec(&create_body("port-1")).unwrap();
    let request = huawei_request(Method::POST, &target, Some(&body), access_key, secret, at);
    if !tamper {
        return request;
    }
    let (parts, _) = request.into_parts();
    let tampered = serde_json::to_vec(&create_body("port-2")).unwrap();
    Request::from_parts(parts, Body::from(tampered))
}

/// The keys a verifying [`TestApp`] signs with, and the Huawei key its plain calls use.
pub struct Signer {
    pub credentials: Credentials,
    pub huawei_key: String,
}

impl Signer {
    fn huawei_secret(&self, access_key: &str) -> String {
        self.credentials
            .huawei(access_key)
            .unwrap_or_else(|| panic!("{access_key} is in the test credentials"))
            .secret_key()
            .expose()
            .to_owned()
    }

    fn alibaba_secret(&self, access_key_id: &str) -> String {
        self.credentials
            .alibaba(access_key_id)
            .unwrap_or_else(|| panic!("{access_key_id} is in the test credentials"))
            .access_key_secret()
            .expose()
            .to_owned()
    }
}

/// A verifying app: `--auth verify --credentials <file>` with `credentials` (TOML) written to a
/// file in `dir`, its database `database_url`.
impl TestApp {
    /// On a fresh database of the suite's backend.
    pub async fn verifying(dir: &tempfile::TempDir, credentials: &str) -> Self {
        let db = TestDb::private().await;
        let mut app = Self::verifying_on(dir, credentials, db.url()).await;
        app.own_db = Some(db);
        app
    }

    pub async fn verifying_on(
        dir: &tempfile::TempDir,
        credentials: &str,
        database_url: &str,
    ) -> Self {
        Self::verifying_with(dir, credentials, database_url, &[]).await
    }

    /// [`TestApp::verifying_on`] with `extra` flags.
    pub async fn verifying_with(
        dir: &tempfile::TempDir,
        credentials: &str,
        database_url: &str,
        extra: &[&str],
    ) -> Self {
        let path = dir.path().join("credentials.toml");
        std::fs::write(&path, credentials).unwrap();
        let mut flags = vec!["--auth", "verify", "--credentials", path.to_str().unwrap()];
        flags.extend_from_slice(extra);
        let args = serve_args(database_url, &flags);
        let mut app = Self::with_args(args).await;
        let credentials = Credentials::load(&path).unwrap();
        // The first key that may use any project, else the first.
        let huawei_key = credentials
            .huawei_keys()
            .find(|key| key.projects().is_none())
            .or_else(|| credentials.huawei_keys().next())
            .map(|key| key.access_key().to_owned())
            .unwrap_or_default();
        app.signer = Some(Signer {
            credentials,
            huawei_key,
        });
        app
    }

    /// A Huawei call signed with `access_key`'s secret.
    pub async fn call_as(
        &self,
        access_key: &str,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let secret = self
            .signer
            .as_ref()
            .expect("a verifying app")
            .huawei_secret(access_key);
        let body = body.map(|body| serde_json::to_vec(&body).unwrap());
        let request = huawei_request(
            method,
            uri,
            body.as_deref(),
            access_key,
            &secret,
            Utc::now(),
        );
        self.send(request).await
    }

    /// An Alibaba RPC call as `access_key_id`, V1-signed with its secret.
    pub async fn alibaba_v1_as(
        &self,
        access_key_id: &str,
        region: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> TestResponse {
        let secret = self
            .signer
            .as_ref()
            .expect("a verifying app")
            .alibaba_secret(access_key_id);
        let mut all = vec![("Action", action), ("RegionId", region)];
        all.extend_from_slice(params);
        let query = alibaba_v1_query(
            "POST",
            &all,
            access_key_id,
            &secret,
            &nonce(),
            &alibaba_timestamp(Utc::now()),
        );
        self.alibaba_raw(Method::POST, &query, &[], Vec::new())
            .await
    }

    /// A V3 call as [`alibaba_v3`] made it.
    pub async fn send_v3(
        &self,
        method: Method,
        query: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> TestResponse {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        self.alibaba_raw(method, query, &headers, body).await
    }
}

/// A fresh nonce.
pub fn nonce() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `YYYYMMDDTHHMMSSZ`.
pub fn huawei_date(time: DateTime<Utc>) -> String {
    time.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `YYYY-MM-DDThh:mm:ssZ`.
pub fn alibaba_timestamp(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The headers a signed Huawei request carries besides its own: `Host`, `X-Sdk-Date` and the
/// `Authorization` over `headers` (name, value) and these, as the Python SDK signs them (every
/// header, names lower-cased and sorted).
pub fn huawei_sign(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    access_key: &str,
    secret: &str,
    date: &str,
) -> Vec<(String, String)> {
    let mut signed: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    signed.push(("host".into(), "localhost".into()));
    signed.push(("x-sdk-date".into(), date.into()));
    signed.sort();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut uri = percent_decode_bytes(path)
        .split(|byte| *byte == b'/')
        .map(rfc3986_encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let names = signed
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let header_lines: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let canonical = format!(
        "{method}\n{uri}\n{}\n{header_lines}\n{names}\n{}",
        canonical_query(form_pairs(query.as_bytes())),
        sha256_hex(body)
    );
    let string_to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let signature = hex::encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    vec![
        ("host".into(), "localhost".into()),
        ("x-sdk-date".into(), date.into()),
        (
            "authorization".into(),
            format!(
                "SDK-HMAC-SHA256 Access={access_key}, SignedHeaders={names}, Signature={signature}"
            ),
        ),
    ]
}

/// A signed Huawei request (JSON content type, as the SDK sends even without a body).
pub fn huawei_request(
    method: Method,
    target: &str,
    body: Option<&[u8]>,
    access_key: &str,
    secret: &str,
    at: DateTime<Utc>,
) -> Request<Body> {
    let content_type = if body.is_some() {
        "application/json;charset=utf-8"
    } else {
        "application/json"
    };
    let body = body.unwrap_or_default();
    let mut builder = Request::builder()
        .method(method.clone())
        .uri(target)
        .header("content-type", content_type);
    for (name, value) in huawei_sign(
        method.as_str(),
        target,
        &[("content-type", content_type)],
        body,
        access_key,
        secret,
        &huawei_date(at),
    ) {
        builder = builder.header(name, value);
    }
    builder.body(Body::from(body.to_vec())).unwrap()
}

/// The query of a V1-signed RPC call: `params` (with `Action`, `RegionId`, …) and the common
/// parameters, then `Signature` = base64(HMAC-SHA1(secret + "&", METHOD&%2F&pe(CQS))).
pub fn alibaba_v1_query(
    method: &str,
    params: &[(&str, &str)],
    access_key_id: &str,
    secret: &str,
    nonce: &str,
    timestamp: &str,
) -> String {
    // The VPC API's version unless `params` name one.
    let version = params.iter().find(|(name, _)| *name == "Version");
    let mut all: Vec<(&str, &str)> = vec![
        version.copied().unwrap_or(("Version", "2016-04-28")),
        ("Format", "JSON"),
        ("AccessKeyId", access_key_id),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
        ("Timestamp", timestamp),
    ];
    all.extend(params.iter().filter(|(name, _)| *name != "Version"));
    let pairs = all
        .iter()
        .map(|(name, value)| (name.as_bytes().to_vec(), value.as_bytes().to_vec()))
        .collect();
    let string_to_sign = format!(
        "{method}&%2F&{}",
        rfc3986_encode(canonical_query(pairs).as_bytes())
    );
    let signature = alibaba_v1_signature(secret, &string_to_sign);
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &all {
        query.append_pair(name, value);
    }
    query.append_pair("Signature", &signature);
    query.finish()
}

/// base64(HMAC-SHA1(secret + "&", string to sign)).
pub fn alibaba_v1_signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A V3-signed RPC call: the query `params` (RegionId and the action's parameters), the action
/// and version in `x-acs-*` headers, `body` with `content_type`. Returns the raw query and the
/// headers to send.
#[allow(clippy::too_many_arguments)]
pub fn alibaba_v3(
    method: &str,
    action: &str,
    params: &[(&str, &str)],
    content_type: Option<&str>,
    body: &[u8],
    access_key_id: &str,
    secret: &str,
    nonce: &str,
    date: &str,
) -> (String, Vec<(String, String)>) {
    let mut extra = Vec::new();
    if let Some(content_type) = content_type {
        extra.push(("content-type", content_type));
    }
    alibaba_v3_signed(
        method,
        ("2016-04-28", action),
        params,
        &extra,
        body,
        (access_key_id, secret),
        nonce,
        date,
    )
}

/// [`alibaba_v3`] for any API `(version, action)`, signing the `extra` headers too (an STS
/// key's `x-acs-security-token`, a content type).
#[allow(clippy::too_many_arguments)]
pub fn alibaba_v3_signed(
    method: &str,
    (version, action): (&str, &str),
    params: &[(&str, &str)],
    extra: &[(&str, &str)],
    body: &[u8],
    (access_key_id, secret): (&str, &str),
    nonce: &str,
    date: &str,
) -> (String, Vec<(String, String)>) {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let query = query.finish();
    let content_sha256 = sha256_hex(body);
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), "localhost".into()),
        ("x-acs-action".into(), action.into()),
        ("x-acs-version".into(), version.into()),
        ("x-acs-date".into(), date.into()),
        ("x-acs-signature-nonce".into(), nonce.into()),
        ("x-acs-content-sha256".into(), content_sha256.clone()),
    ];
    for (name, value) in extra {
        headers.push(((*name).into(), (*value).into()));
    }
    headers.sort();
    let names = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let header_lines: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let canonical = format!(
        "{method}\n/\n{}\n{header_lines}\n{names}\n{content_sha256}",
        canonical_query(form_pairs(query.as_bytes()))
    );
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical.as_bytes()));
    let signature = hex::encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    headers.push((
        "authorization".into(),
        format!(
            "ACS3-HMAC-SHA256 Credential={access_key_id},SignedHeaders={names},Signature={signature}"
        ),
    ));
    (query, headers)
}
