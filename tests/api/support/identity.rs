//! The identity APIs' harness: a credentials file with Huawei domains, projects per region and
//! password users, and Alibaba accounts; apps that verify against it (one whose tokens and
//! temporary keys expire as they are issued); Huawei calls signed with a temporary key or
//! carrying a token; Alibaba calls of any API, V1- or V3-signed, with an STS key's token.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};

use super::app::{TestApp, TestResponse};
use super::auth::{
    alibaba_timestamp, alibaba_v1_query, alibaba_v3_signed, huawei_date, huawei_sign, nonce,
    ACCOUNT, ALIBABA_SECRET, OTHER_ACCOUNT, OTHER_ALIBABA_SECRET,
};
use super::db::TestDb;
use super::{ALIBABA_KEY, OTHER_ALIBABA_KEY, OTHER_PROJECT, PROJECT};

/// A key (and the user `alice`) of the domain `acme`, whose projects are `PROJECT` in
/// cn-north-4 and `OTHER_PROJECT` in ap-southeast-1.
pub const ACME_KEY: &str = "HWACMEACCESSKEY00001";
pub const ACME_SECRET: &str = "hw-acme-secret-0001";
pub const ACME_DOMAIN: &str = "acme";
pub const ACME_DOMAIN_ID: &str = "0000000000000000000000000000acme";
pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "alice-password-0001";
/// A key (and the user `bob`) of the domain `globex`, which names no projects: it has one in
/// every common region and may use any.
pub const GLOBEX_KEY: &str = "HWGLOBEXACCESSKEY001";
pub const GLOBEX_SECRET: &str = "hw-globex-secret-0001";
pub const GLOBEX_DOMAIN: &str = "globex";
pub const BOB: &str = "bob";
pub const BOB_PASSWORD: &str = "bob-password-0001";
/// A project id that neither `acme` project is.
pub const THIRD_PROJECT: &str = "33333333333333333333333333333333";

pub const STS_VERSION: &str = "2015-04-01";
pub const RM_VERSION: &str = "2020-03-31";
pub const VPC_VERSION: &str = "2016-04-28";
pub const STS_HOST: &str = "sts.aliyuncs.com";
pub const RM_HOST: &str = "resourcemanager.aliyuncs.com";

pub fn identity_credentials() -> String {
    format!(
        r#"
[[huawei]]
access_key = "{ACME_KEY}"
secret_key = "{ACME_SECRET}"
user = "{ALICE}"
password = "{ALICE_PASSWORD}"
domain = "{ACME_DOMAIN}"
domain_id = "{ACME_DOMAIN_ID}"
projects = {{ cn-north-4 = "{PROJECT}", ap-southeast-1 = "{OTHER_PROJECT}" }}

[[huawei]]
access_key = "{GLOBEX_KEY}"
secret_key = "{GLOBEX_SECRET}"
user = "{BOB}"
password = "{BOB_PASSWORD}"
domain = "{GLOBEX_DOMAIN}"

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

/// A verifying app on [`identity_credentials`], with `extra` flags, and the directory of its
/// file.
pub async fn identity_app_with(extra: &[&str]) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::private().await;
    let mut app = TestApp::verifying_with(&dir, &identity_credentials(), db.url(), extra).await;
    app.own_db = Some(db);
    (app, dir)
}

pub async fn identity_app() -> (TestApp, tempfile::TempDir) {
    identity_app_with(&[]).await
}

/// An app whose tokens and temporary keys expire as soon as they are issued.
pub async fn expiring_identity_app() -> (TestApp, tempfile::TempDir) {
    identity_app_with(&["--max-credential-lifetime", "0s"]).await
}

/// A password identity for `POST /v3/auth/tokens` with `scope` (JSON, or null for none).
pub fn password_auth(user: &str, password: &str, domain: &str, scope: Value) -> Value {
    let mut auth = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": {"name": domain}}}}}});
    if !scope.is_null() {
        auth["auth"]["scope"] = scope;
    }
    auth
}

/// `{"project": {"name": region}}`.
pub fn project_scope(region: &str) -> Value {
    json!({"project": {"name": region}})
}

/// Temporary keys are asked for with a token in the header or the body.
pub fn security_token_request(duration_seconds: Option<i64>, token_id: Option<&str>) -> Value {
    let mut token = json!({});
    if let Some(duration) = duration_seconds {
        token["duration_seconds"] = json!(duration);
    }
    if let Some(id) = token_id {
        token["id"] = json!(id);
    }
    json!({"auth": {"identity": {"methods": ["token"], "token": token}}})
}

/// A Huawei temporary key.
#[derive(Debug, Clone)]
pub struct TemporaryKey {
    pub access: String,
    pub secret: String,
    pub security_token: String,
}

impl TestResponse {
    /// Asserts a Keystone error `{"error":{"code","message","title"}}`; returns its message.
    #[track_caller]
    pub fn assert_keystone_error(&self, status: u16, title: &str) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["error"]["code"], status, "body: {}", self.body);
        assert_eq!(self.body["error"]["title"], title, "body: {}", self.body);
        super::huawei::assert_huawei_request_id(self.request_id());
        self.body["error"]["message"].as_str().expect("a message")
    }

    /// The `X-Subject-Token` header.
    pub fn subject_token(&self) -> String {
        self.headers["x-subject-token"].to_str().unwrap().to_owned()
    }
}

impl TestApp {
    /// A JSON request with `headers`, unsigned.
    pub async fn send_json(
        &self,
        method: Method,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(target);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = match body {
            Some(body) => {
                builder = builder.header("content-type", "application/json;charset=utf-8");
                Body::from(serde_json::to_vec(body).unwrap())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }

    /// A call carrying `X-Auth-Token`.
    pub async fn with_token(
        &self,
        token: &str,
        method: Method,
        target: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        self.send_json(method, target, &[("x-auth-token", token)], body)
            .await
    }

    /// A Huawei call AK/SK-signed by `access`/`secret`, with `headers` signed too.
    pub async fn huawei_signed(
        &self,
        (access, secret): (&str, &str),
        method: Method,
        target: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let body = body.map(|body| serde_json::to_vec(body).unwrap());
        let mut signed = vec![("content-type", "application/json;charset=utf-8")];
        signed.extend_from_slice(headers);
        let mut builder = Request::builder().method(method.clone()).uri(target);
        for (name, value) in &signed {
            builder = builder.header(*name, *value);
        }
        for (name, value) in huawei_sign(
            method.as_str(),
            target,
            &signed,
            body.as_deref().unwrap_or_default(),
            access,
            secret,
            &huawei_date(Utc::now()),
        ) {
            builder = builder.header(name, value);
        }
        self.send(builder.body(Body::from(body.unwrap_or_default())).unwrap())
            .await
    }

    /// A call signed by a temporary key with its `X-Security-Token`.
    pub async fn huawei_temporary(
        &self,
        key: &TemporaryKey,
        method: Method,
        target: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        self.huawei_signed(
            (&key.access, &key.secret),
            method,
            target,
            body,
            &[("x-security-token", &key.security_token)],
        )
        .await
    }

    /// A token of `user`, scoped by `scope`.
    pub async fn huawei_token(
        &self,
        user: &str,
        password: &str,
        domain: &str,
        scope: Value,
    ) -> String {
        let response = self
            .send_json(
                Method::POST,
                "/v3/auth/tokens",
                &[],
                Some(&password_auth(user, password, domain, scope)),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.subject_token()
    }

    /// Alice's token, scoped to acme's cn-north-4 project (`PROJECT`).
    pub async fn alice_token(&self) -> String {
        self.huawei_token(
            ALICE,
            ALICE_PASSWORD,
            ACME_DOMAIN,
            project_scope("cn-north-4"),
        )
        .await
    }

    /// A temporary key for the holder of `token`.
    pub async fn huawei_temporary_key(&self, token: &str) -> TemporaryKey {
        let response = self
            .with_token(
                token,
                Method::POST,
                "/v3.0/OS-CREDENTIAL/securitytokens",
                Some(&security_token_request(Some(900), None)),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        let credential = &response.body["credential"];
        TemporaryKey {
            access: credential["access"].as_str().unwrap().to_owned(),
            secret: credential["secret"].as_str().unwrap().to_owned(),
            security_token: credential["securitytoken"].as_str().unwrap().to_owned(),
        }
    }
}

/// An Alibaba key: an account's, or an STS key with its token.
#[derive(Debug, Clone)]
pub struct AliKey {
    pub id: String,
    pub secret: String,
    pub token: Option<String>,
}

impl AliKey {
    pub fn account() -> Self {
        AliKey {
            id: ALIBABA_KEY.to_owned(),
            secret: ALIBABA_SECRET.to_owned(),
            token: None,
        }
    }

    pub fn other_account() -> Self {
        AliKey {
            id: OTHER_ALIBABA_KEY.to_owned(),
            secret: OTHER_ALIBABA_SECRET.to_owned(),
            token: None,
        }
    }

    /// The STS key of an `AssumeRole` answer.
    pub fn from_assumed(body: &Value) -> Self {
        let credentials = &body["Credentials"];
        AliKey {
            id: credentials["AccessKeyId"].as_str().unwrap().to_owned(),
            secret: credentials["AccessKeySecret"].as_str().unwrap().to_owned(),
            token: Some(credentials["SecurityToken"].as_str().unwrap().to_owned()),
        }
    }

    /// The same key presenting `token` instead.
    pub fn with_token(&self, token: Option<&str>) -> Self {
        AliKey {
            token: token.map(str::to_owned),
            ..self.clone()
        }
    }
}

impl TestApp {
    /// A V1-signed call of `(version, action)` by `key`, its token in `SecurityToken`.
    pub async fn ali_v1(
        &self,
        key: &AliKey,
        (version, action): (&str, &str),
        params: &[(&str, &str)],
    ) -> TestResponse {
        let mut all = vec![("Action", action), ("Version", version)];
        if let Some(token) = &key.token {
            all.push(("SecurityToken", token));
        }
        all.extend_from_slice(params);
        let query = alibaba_v1_query(
            "POST",
            &all,
            &key.id,
            &key.secret,
            &nonce(),
            &alibaba_timestamp(Utc::now()),
        );
        self.alibaba_raw(Method::POST, &query, &[], Vec::new())
            .await
    }

    /// A V3-signed call of `(version, action)` by `key`, its token in a signed
    /// `x-acs-security-token`.
    pub async fn ali_v3(
        &self,
        key: &AliKey,
        api: (&str, &str),
        params: &[(&str, &str)],
    ) -> TestResponse {
        let mut extra = Vec::new();
        if let Some(token) = &key.token {
            extra.push(("x-acs-security-token", token.as_str()));
        }
        let (query, headers) = alibaba_v3_signed(
            "POST",
            api,
            params,
            &extra,
            b"",
            (&key.id, &key.secret),
            &nonce(),
            &alibaba_timestamp(Utc::now()),
        );
        self.send_v3(Method::POST, &query, &headers, Vec::new())
            .await
    }

    /// Assumes `role` of `account` as `key`; the answer's body.
    pub async fn assume_role(&self, key: &AliKey, account: &str, role: &str) -> TestResponse {
        let arn = format!("acs:ram::{account}:role/{role}");
        self.ali_v3(
            key,
            (STS_VERSION, "AssumeRole"),
            &[
                ("RoleArn", &arn),
                ("RoleSessionName", "session-1"),
                ("DurationSeconds", "900"),
            ],
        )
        .await
    }

    /// An STS key of the default account's role `flowplane`.
    pub async fn sts_key(&self) -> AliKey {
        let response = self
            .assume_role(&AliKey::account(), ACCOUNT, "flowplane")
            .await;
        AliKey::from_assumed(response.assert_alibaba_ok())
    }
}
