//! SLS's gateway: which requests it claims (SLS headers on any path, not POP's `/` nor
//! Huawei's paths), the `Host` project, V1 signatures (accepted, refused, time window, STS
//! tokens), `--auth off`, and bad input answered in SLS's envelope.

use axum::body::Body;
use axum::http::{Method, Request};
use chrono::{Duration, Utc};
use serde_json::json;

use crate::support::auth::{verifying_app, ACCOUNT, ALIBABA_SECRET};
use crate::support::identity::identity_app;
use crate::support::*;

#[tokio::test]
async fn sls_headers_claim_any_path_and_other_faces_keep_theirs() {
    let app = TestApp::new().await;
    // SLS's GET / is ListProject …
    let listed = app.sls(Method::GET, None, "/", None).await;
    assert_eq!(listed.assert_sls_ok()["projects"], json!([]));
    // … POP's GET / is still the RPC gateway …
    let describe = app.alibaba("DescribeFlowLogs", &[]).await;
    describe.assert_alibaba_ok();
    assert!(describe.headers.get("x-log-requestid").is_none());
    // … a path only SLS knows is a Huawei path without SLS headers …
    let huawei = app.get("/logstores/flowlog").await;
    assert!(huawei.headers.get("x-log-requestid").is_none());
    assert!(huawei.body.get("errorCode").is_none(), "{}", huawei.body);
    // … Huawei's paths with SLS headers are SLS's unknown routes …
    let unknown = app
        .sls(
            Method::GET,
            Some("fl-proj-1"),
            "/v1/project/fl/flow_logs",
            None,
        )
        .await;
    unknown.assert_sls_error(400, "InvalidMethod");
    // … and the control API stays the control API's.
    let health = app.sls(Method::GET, None, "/_flowplane/health", None).await;
    assert_eq!(health.status.as_u16(), 200);
    assert!(health.headers.get("x-log-requestid").is_none());
}

#[tokio::test]
async fn an_authorization_alone_claims_the_request() {
    let app = TestApp::new().await;
    let request = Request::builder()
        .uri("/")
        .header("host", sls_host(None, REGION))
        .header("authorization", format!("LOG {ALIBABA_KEY}:x"))
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.assert_sls_ok()["total"], 0);
    // The absolute form a proxy receives, with the project in the Host.
    app.create_sls_project("fl-proj-1").await.assert_sls_ok();
    let request = Request::builder()
        .uri("http://fl-proj-1.cn-hangzhou.log.aliyuncs.com:80/")
        .header("host", "fl-proj-1.cn-hangzhou.log.aliyuncs.com")
        .header("x-log-apiversion", "0.6.0")
        .header("authorization", format!("LOG {ALIBABA_KEY}:x"))
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.assert_sls_ok()["projectName"], "fl-proj-1");
    // Other endpoint names: an IP (the SDK's port-80 form) and a two-label fake name.
    for host in ["fl-proj-1.127.0.0.1", "fl-proj-1.sls.local:8750"] {
        let request = Request::builder()
            .uri("/")
            .header("host", host)
            .header("x-log-apiversion", "0.6.0")
            .header("authorization", format!("LOG {ALIBABA_KEY}:x"))
            .body(Body::empty())
            .unwrap();
        // Those name no region: the default one, where the project is.
        let response = app.send(request).await;
        assert_eq!(
            response.assert_sls_ok()["projectName"],
            "fl-proj-1",
            "{host}"
        );
    }
}

#[tokio::test]
async fn missing_authorization_and_bad_hosts_are_refused() {
    let app = TestApp::new().await;
    let request = Request::builder()
        .uri("/")
        .header("host", sls_host(None, REGION))
        .header("x-log-apiversion", "0.6.0")
        .body(Body::empty())
        .unwrap();
    app.send(request)
        .await
        .assert_sls_error(401, "Unauthorized");
    for host in [".sls.local", "a..b", "[::1"] {
        let request = Request::builder()
            .uri("/")
            .header("host", host)
            .header("x-log-apiversion", "0.6.0")
            .header("authorization", format!("LOG {ALIBABA_KEY}:x"))
            .body(Body::empty())
            .unwrap();
        app.send(request).await.assert_sls_error(400, "InvalidHost");
    }
}

#[tokio::test]
async fn v1_signatures_are_verified() {
    let (app, _dir) = verifying_app().await;
    // Signed with the key's secret: accepted, as the key's account.
    app.create_sls_project("fl-proj-1").await.assert_sls_ok();
    let got = app.sls(Method::GET, Some("fl-proj-1"), "/", None).await;
    assert_eq!(got.assert_sls_ok()["owner"], ACCOUNT);
    let listed = app
        .sls(
            Method::GET,
            None,
            "/?offset=0&size=10&projectName=fl+proj&resourceGroupId=",
            None,
        )
        .await;
    listed.assert_sls_ok();

    let host = sls_host(Some("fl-proj-1"), REGION);
    let send = |secret: &'static str, at, extra: &'static [(&'static str, &'static str)]| {
        sls_request(
            Method::GET,
            &host,
            "/",
            None,
            ALIBABA_KEY,
            Some(secret),
            at,
            extra,
        )
    };
    let message = app
        .send(send("wrong-secret", Utc::now(), &[]))
        .await
        .assert_sls_error(401, "SignatureNotMatch")
        .to_owned();
    assert!(message.contains("not match"), "{message}");
    app.send(send(
        ALIBABA_SECRET,
        Utc::now() - Duration::minutes(16),
        &[],
    ))
    .await
    .assert_sls_error(400, "RequestTimeExpired");
    app.send(send(
        ALIBABA_SECRET,
        Utc::now() + Duration::minutes(16),
        &[],
    ))
    .await
    .assert_sls_error(400, "RequestTimeExpired");
    app.send(send(
        ALIBABA_SECRET,
        Utc::now() - Duration::minutes(14),
        &[],
    ))
    .await
    .assert_sls_ok();
    // TEA's SHA-256 variant is chosen by x-log-signaturemethod; an unknown one is refused.
    let mut request = send(ALIBABA_SECRET, Utc::now(), &[]);
    request
        .headers_mut()
        .insert("x-log-signaturemethod", "hmac-md5".parse().unwrap());
    app.send(request)
        .await
        .assert_sls_error(400, "InvalidSignatureMethod");
    // The body is not what the signature says it is: a tampered header is.
    let mut tampered = send(ALIBABA_SECRET, Utc::now(), &[]);
    tampered
        .headers_mut()
        .insert("x-log-bodyrawsize", "12".parse().unwrap());
    app.send(tampered)
        .await
        .assert_sls_error(401, "SignatureNotMatch");
    // A signed query is part of the resource.
    let mut request = sls_request(
        Method::GET,
        &sls_host(None, REGION),
        "/?size=10",
        None,
        ALIBABA_KEY,
        Some(ALIBABA_SECRET),
        Utc::now(),
        &[],
    );
    *request.uri_mut() = "/?size=11".parse().unwrap();
    app.send(request)
        .await
        .assert_sls_error(401, "SignatureNotMatch");
    // An unknown key, a garbled header, no date.
    let message = app
        .send(sls_request(
            Method::GET,
            &host,
            "/",
            None,
            "LTAIunknown",
            Some("x"),
            Utc::now(),
            &[],
        ))
        .await
        .assert_sls_error(401, "Unauthorized")
        .to_owned();
    assert_eq!(message, "AccessKeyId not found: LTAIunknown");
    let mut garbled = send(ALIBABA_SECRET, Utc::now(), &[]);
    garbled
        .headers_mut()
        .insert("authorization", "LOG nocolon".parse().unwrap());
    app.send(garbled)
        .await
        .assert_sls_error(400, "ParameterInvalid");
    let mut undated = send(ALIBABA_SECRET, Utc::now(), &[]);
    undated.headers_mut().remove("date");
    undated.headers_mut().remove("x-log-date");
    app.send(undated).await.assert_sls_error(400, "MissingDate");
    let mut misdated = send(ALIBABA_SECRET, Utc::now(), &[]);
    misdated
        .headers_mut()
        .insert("date", "yesterday".parse().unwrap());
    app.send(misdated)
        .await
        .assert_sls_error(400, "InvalidRequestTime");
}

#[tokio::test]
async fn v4_signatures_are_verified_and_name_the_region() {
    let (app, _dir) = verifying_app().await;
    // The endpoint names no region (a fake two-label name): the V4 scope's region is the tenant's.
    let v4 = |target: &str, body: Option<&[u8]>, secret: &str, region: &str, at| {
        sls_v4_request(
            if body.is_some() {
                Method::POST
            } else {
                Method::GET
            },
            "fl-proj-1.sls.local",
            target,
            body.map(<[u8]>::to_vec),
            ALIBABA_KEY,
            secret,
            region,
            at,
        )
    };
    let created = app
        .send(v4(
            "/",
            Some(br#"{"projectName":"fl-proj-1"}"#),
            ALIBABA_SECRET,
            "cn-beijing",
            Utc::now(),
        ))
        .await;
    created.assert_sls_ok();
    let got = app
        .send(v4("/", None, ALIBABA_SECRET, "cn-beijing", Utc::now()))
        .await;
    assert_eq!(got.assert_sls_ok()["region"], "cn-beijing");
    let listed = app
        .send(v4(
            "/logstores?logstoreName=flow+log&offset=0&size=10",
            None,
            ALIBABA_SECRET,
            "cn-beijing",
            Utc::now(),
        ))
        .await;
    assert_eq!(listed.assert_sls_ok()["total"], 0);
    // Elsewhere the project is not there.
    app.send(v4("/", None, ALIBABA_SECRET, "cn-hangzhou", Utc::now()))
        .await
        .assert_sls_error(404, "ProjectNotExist");
    app.send(v4("/", None, "wrong", "cn-beijing", Utc::now()))
        .await
        .assert_sls_error(401, "SignatureNotMatch");
    app.send(v4(
        "/",
        None,
        ALIBABA_SECRET,
        "cn-beijing",
        Utc::now() - Duration::minutes(20),
    ))
    .await
    .assert_sls_error(400, "RequestTimeExpired");
    // A body other than the signed one.
    let signed = v4(
        "/logstores",
        Some(br#"{"logstoreName":"aa"}"#),
        ALIBABA_SECRET,
        "cn-beijing",
        Utc::now(),
    );
    let (parts, _) = signed.into_parts();
    let swapped = Request::from_parts(parts, Body::from(r#"{"logstoreName":"bb"}"#));
    app.send(swapped)
        .await
        .assert_sls_error(401, "SignatureNotMatch");
}

#[tokio::test]
async fn sts_keys_sign_with_their_security_token_as_the_roles_account() {
    let (app, _dir) = identity_app().await;
    let key = app.sts_key().await;
    let token = key.token.clone().unwrap();
    let host = sls_host(None, REGION);
    let create = |token: Option<&str>| {
        let extra: Vec<(&str, &str)> = token
            .map(|token| vec![("x-acs-security-token", token)])
            .unwrap_or_default();
        sls_request(
            Method::POST,
            &sls_host(Some("sts-proj"), REGION),
            "/",
            Some(br#"{"projectName":"sts-proj"}"#.to_vec()),
            &key.id,
            Some(&key.secret),
            Utc::now(),
            &extra,
        )
    };
    app.send(create(Some(&token))).await.assert_sls_ok();
    let got = sls_request(
        Method::GET,
        &sls_host(Some("sts-proj"), REGION),
        "/",
        None,
        &key.id,
        Some(&key.secret),
        Utc::now(),
        &[("x-acs-security-token", token.as_str())],
    );
    assert_eq!(app.send(got).await.assert_sls_ok()["owner"], ACCOUNT);
    // Without its token, or with another's, the key is refused.
    app.send(create(None))
        .await
        .assert_sls_error(401, "Unauthorized");
    let other = app.sts_key().await;
    app.send(create(other.token.as_deref()))
        .await
        .assert_sls_error(401, "Unauthorized");
    // An STS key the emulator never issued is unknown.
    let request = sls_request(
        Method::GET,
        &host,
        "/",
        None,
        "STS.NotIssued",
        Some("x"),
        Utc::now(),
        &[("x-acs-security-token", "token")],
    );
    app.send(request)
        .await
        .assert_sls_error(401, "Unauthorized");
}

#[tokio::test]
async fn bad_bodies_and_hostile_strings_are_answered_in_the_envelope() {
    let app = TestApp::new().await;
    app.create_sls_project("fl-proj-1").await.assert_sls_ok();
    let host = sls_host(Some("fl-proj-1"), REGION);
    let raw = |method: Method, target: &str, body: &[u8]| {
        sls_request(
            method,
            &host,
            target,
            Some(body.to_vec()),
            ALIBABA_KEY,
            None,
            Utc::now(),
            &[],
        )
    };
    for body in [&b"{"[..], b"", b"null", b"\xff\xfe", b"[1,2]", b"\"text\""] {
        app.send(raw(Method::POST, "/logstores", body))
            .await
            .assert_sls_error(400, "PostBodyInvalid");
        app.send(raw(Method::POST, "/logstores/flowlog/logs", body))
            .await
            .assert_sls_error(400, "PostBodyInvalid");
        app.send(raw(Method::PUT, "/", body))
            .await
            .assert_sls_error(400, "PostBodyInvalid");
    }
    let big = vec![b' '; 2 * 1024 * 1024];
    app.send(raw(Method::POST, "/logstores", &big))
        .await
        .assert_sls_error(413, "PostBodyTooLarge");
    let hostile = "x\"'<script>\u{0}\u{202e}ü%00../../";
    let message = app
        .sls(
            Method::POST,
            Some("fl-proj-1"),
            "/logstores",
            Some(json!({"logstoreName": hostile})),
        )
        .await
        .assert_sls_error(400, "LogStoreInfoInvalid")
        .to_owned();
    assert!(message.contains(hostile), "{message}");
    app.sls(Method::GET, Some("fl-proj-1"), "/logstores/%FF%FE", None)
        .await
        .assert_sls_error(400, "ParameterInvalid");
    app.sls(
        Method::GET,
        Some("fl-proj-1"),
        "/logstores/..%2F..%2Fetc",
        None,
    )
    .await
    .assert_sls_error(404, "LogStoreNotExist");
    app.sls(Method::GET, Some("fl-proj-1"), "/logstores/a%22b", None)
        .await
        .assert_sls_error(404, "LogStoreNotExist");
    app.sls(Method::PATCH, Some("fl-proj-1"), "/logstores", None)
        .await
        .assert_sls_error(400, "InvalidMethod");
    let query = "a ".repeat(3000);
    app.sls_get_logs(
        "fl-proj-1",
        "flowlog",
        json!({"from": 1, "to": 2, "query": query}),
    )
    .await
    .assert_sls_error(400, "ParameterInvalid");
}
