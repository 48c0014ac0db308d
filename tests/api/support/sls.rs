//! Alibaba SLS requests as `aliyun-log-python-sdk` sends them (the project in the `Host`,
//! `x-log-apiversion`, `Authorization: LOG <ak>:<signature>`), with a V1 HMAC-SHA1 signer
//! written from the reference's recipe (`openapi/reference/alibaba-sls.md` §2.1), not from the
//! server's verifier; and the SLS envelope's assertions.

use axum::body::Body;
use axum::http::{Method, Request};
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use super::app::{TestApp, TestResponse};
use super::{ALIBABA_KEY, REGION};

/// The endpoint the SDKs are configured with (reached through a proxy, so any name works).
pub fn sls_host(project: Option<&str>, region: &str) -> String {
    match project {
        Some(project) => format!("{project}.{region}.log.aliyuncs.com"),
        None => format!("{region}.log.aliyuncs.com"),
    }
}

/// The `Date` header of a request signed at `at`.
pub fn sls_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// V1's string to sign, from the recipe: verb, Content-MD5, Content-Type, Date, the sorted
/// `x-log-*`/`x-acs-*` headers but `x-log-date`, the path and the sorted, decoded query.
pub fn sls_v1_string_to_sign(method: &str, target: &str, headers: &[(String, String)]) -> String {
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut canonical: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_lowercase(), v.trim().to_owned()))
        .filter(|(n, _)| (n.starts_with("x-log-") || n.starts_with("x-acs-")) && n != "x-log-date")
        .collect();
    canonical.sort();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text = format!(
        "{method}\n{}\n{}\n{}\n",
        find("content-md5"),
        find("content-type"),
        find("date")
    );
    for (name, value) in canonical {
        text.push_str(&format!("{name}:{value}\n"));
    }
    text.push_str(path);
    if !pairs.is_empty() {
        let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        text.push('?');
        text.push_str(&joined.join("&"));
    }
    text
}

/// `LOG <ak>:<base64 HMAC-SHA1>`.
pub fn sls_v1_authorization(
    access_key_id: &str,
    secret: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(sls_v1_string_to_sign(method, target, headers).as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("LOG {access_key_id}:{signature}")
}

/// A request as the Python SDK builds it, V1-signed at `at` with `secret` (unsigned, with a
/// placeholder signature, when `secret` is `None`), with `extra` headers signed too.
#[allow(clippy::too_many_arguments)]
pub fn sls_request(
    method: Method,
    host: &str,
    target: &str,
    body: Option<Vec<u8>>,
    access_key_id: &str,
    secret: Option<&str>,
    at: DateTime<Utc>,
    extra: &[(&str, &str)],
) -> Request<Body> {
    let mut headers: Vec<(String, String)> = vec![
        ("x-log-apiversion".into(), "0.6.0".into()),
        ("x-log-bodyrawsize".into(), "0".into()),
        ("x-log-signaturemethod".into(), "hmac-sha1".into()),
        ("Date".into(), sls_date(at)),
    ];
    if body.is_some() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    headers.extend(
        extra
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    let authorization = match secret {
        Some(secret) => {
            sls_v1_authorization(access_key_id, secret, method.as_str(), target, &headers)
        }
        None => format!("LOG {access_key_id}:unsigned"),
    };
    let mut builder = Request::builder()
        .method(method)
        .uri(target)
        .header("host", host)
        .header("authorization", authorization);
    for (name, value) in &headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // Added after signing, as the Python SDK does.
    builder = builder.header("x-log-date", sls_date(at));
    builder
        .body(body.map_or_else(Body::empty, Body::from))
        .unwrap()
}

impl TestApp {
    /// An SLS call as the default account in the default region: unsigned, or V1-signed by
    /// a verifying app.
    pub async fn sls(
        &self,
        method: Method,
        project: Option<&str>,
        target: &str,
        body: Option<Value>,
    ) -> TestResponse {
        self.sls_as(ALIBABA_KEY, REGION, method, project, target, body)
            .await
    }

    /// An SLS call as `access_key_id` on the endpoint of `region`.
    pub async fn sls_as(
        &self,
        access_key_id: &str,
        region: &str,
        method: Method,
        project: Option<&str>,
        target: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let secret = self.signer.as_ref().map(|signer| {
            signer
                .credentials
                .alibaba(access_key_id)
                .map(|key| key.access_key_secret().expose().to_owned())
                .unwrap_or_else(|| "unknown".to_owned())
        });
        let body = body.map(|body| serde_json::to_vec(&body).unwrap());
        let request = sls_request(
            method,
            &sls_host(project, region),
            target,
            body,
            access_key_id,
            secret.as_deref(),
            Utc::now(),
            &[],
        );
        self.send(request).await
    }

    pub async fn create_sls_project(&self, project: &str) -> TestResponse {
        self.sls(
            Method::POST,
            Some(project),
            "/",
            Some(
                json!({"projectName": project, "description": "flow logs", "resourceGroupId": ""}),
            ),
        )
        .await
    }

    pub async fn create_sls_logstore(&self, project: &str, logstore: &str) -> TestResponse {
        self.sls(
            Method::POST,
            Some(project),
            "/logstores",
            Some(json!({
                "logstoreName": logstore, "ttl": 7, "shardCount": 2, "enable_tracking": false,
                "autoSplit": true, "maxSplitShard": 64, "appendMeta": false, "telemetryType": ""
            })),
        )
        .await
    }

    /// A project with one logstore, both created over SLS.
    pub async fn sls_destination(&self, project: &str, logstore: &str) {
        self.create_sls_project(project).await.assert_sls_ok();
        self.create_sls_logstore(project, logstore)
            .await
            .assert_sls_ok();
    }

    /// GetLogs as the SDKs send it today: `POST /logstores/{name}/logs`.
    pub async fn sls_get_logs(&self, project: &str, logstore: &str, body: Value) -> TestResponse {
        self.sls(
            Method::POST,
            Some(project),
            &format!("/logstores/{logstore}/logs"),
            Some(body),
        )
        .await
    }
}

impl TestResponse {
    /// An SLS error: the status, `{"errorCode","errorMessage"}` and `x-log-requestid`; returns
    /// the message.
    #[track_caller]
    pub fn assert_sls_error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.body["errorCode"], code, "{}", self.body);
        assert_sls_request_id(self.sls_request_id());
        assert_eq!(
            self.body.as_object().map(|o| o.len()),
            Some(2),
            "{}",
            self.body
        );
        self.body["errorMessage"].as_str().expect("a message")
    }

    /// A 200 with SLS's request id; returns the body.
    #[track_caller]
    pub fn assert_sls_ok(&self) -> &Value {
        assert_eq!(self.status.as_u16(), 200, "{}", self.body);
        assert_sls_request_id(self.sls_request_id());
        &self.body
    }

    #[track_caller]
    pub fn sls_request_id(&self) -> &str {
        self.headers
            .get("x-log-requestid")
            .and_then(|v| v.to_str().ok())
            .expect("every SLS answer has x-log-requestid")
    }
}

/// SLS request ids are 24 upper-case hex digits.
#[track_caller]
pub fn assert_sls_request_id(id: &str) {
    assert_eq!(id.len(), 24, "{id}");
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
        "{id}"
    );
}

/// A V4 (`SLS4-HMAC-SHA256`) request as the Python SDK builds it, signed at `at` for `region`
/// (§2.2: implicit signed headers `host`, `content-type`, `x-log-*`, `x-acs-*`).
#[allow(clippy::too_many_arguments)]
pub fn sls_v4_request(
    method: Method,
    host: &str,
    target: &str,
    body: Option<Vec<u8>>,
    access_key_id: &str,
    secret: &str,
    region: &str,
    at: DateTime<Utc>,
) -> Request<Body> {
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let hmac = |key: &[u8], text: &str| {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().to_vec()
    };
    let payload = body.clone().unwrap_or_default();
    let content_sha = hex(&Sha256::digest(&payload));
    let date = at.format("%Y%m%dT%H%M%SZ").to_string();
    let day = &date[..8];
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), host.into()),
        ("x-log-apiversion".into(), "0.6.0".into()),
        ("x-log-bodyrawsize".into(), payload.len().to_string()),
        ("x-log-content-sha256".into(), content_sha.clone()),
        ("x-log-date".into(), date.clone()),
    ];
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    headers.sort();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    let canonical_query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                let encoded: String = v
                    .bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                            (b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect();
                format!("{k}={encoded}")
            }
        })
        .collect();
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    let canonical = format!(
        "{}\n{path}\n{}\n{canonical_headers}\n{}\n{content_sha}",
        method.as_str(),
        canonical_query.join("&"),
        signed.join(";")
    );
    let scope = format!("{day}/{region}/sls/aliyun_v4_request");
    let to_sign = format!(
        "SLS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac(format!("aliyun_v4{secret}").as_bytes(), day);
    let key = hmac(&hmac(&hmac(&key, region), "sls"), "aliyun_v4_request");
    let signature = hex(&hmac(&key, &to_sign));
    let mut builder = Request::builder().method(method).uri(target).header(
        "authorization",
        format!("SLS4-HMAC-SHA256 Credential={access_key_id}/{scope},Signature={signature}"),
    );
    for (name, value) in &headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(body.map_or_else(Body::empty, Body::from))
        .unwrap()
}
