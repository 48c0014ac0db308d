//! A wrong secret, an unknown key, an expired date or a tampered body is refused with the face's
//! code and writes nothing; a replayed Alibaba nonce is refused, also after a restart.

use axum::body::Body;
use axum::http::{Method, Request};
use chrono::{TimeDelta, Utc};

use crate::support::auth::*;
use crate::support::*;

#[tokio::test]
async fn huawei_refusals_are_401_apigw_0301_and_write_nothing() {
    let (app, _dir) = verifying_app().await;
    let now = Utc::now();
    let unsigned = Request::post(flow_logs_path(PROJECT))
        .header("content-type", "application/json")
        .body(Body::from(
            serde_json::to_vec(&create_body("port-1")).unwrap(),
        ))
        .unwrap();
    let cases = [
        ("no signature", unsigned, "no Authorization header"),
        (
            "wrong secret",
            huawei_create(PROJECT, HUAWEI_KEY, "not-the-secret", now, false),
            "verify aksk signature fail",
        ),
        (
            "unknown key",
            huawei_create(PROJECT, "HWUNKNOWNKEY", HUAWEI_SECRET, now, false),
            "ak not exist",
        ),
        (
            "expired date",
            huawei_create(
                PROJECT,
                HUAWEI_KEY,
                HUAWEI_SECRET,
                now - TimeDelta::minutes(16),
                false,
            ),
            "signature expired",
        ),
        (
            "date in the future",
            huawei_create(
                PROJECT,
                HUAWEI_KEY,
                HUAWEI_SECRET,
                now + TimeDelta::minutes(16),
                false,
            ),
            "signature expired",
        ),
        (
            "tampered body",
            huawei_create(PROJECT, HUAWEI_KEY, HUAWEI_SECRET, now, true),
            "verify aksk signature fail",
        ),
    ];
    for (what, request, message) in cases {
        let response = app.send(request).await;
        response.assert_gateway_error(401, "APIGW.0301");
        let error_msg = response.body["error_msg"].as_str().unwrap();
        assert!(
            error_msg.starts_with("Incorrect IAM authentication information: ")
                && error_msg.contains(message),
            "{what}: {error_msg}"
        );
        assert!(!error_msg.contains(HUAWEI_SECRET), "{what}: {error_msg}");
    }
    // Reads are refused as well.
    let wrong = huawei_request(
        Method::GET,
        &flow_logs_path(PROJECT),
        None,
        HUAWEI_KEY,
        "not-the-secret",
        now,
    );
    app.send(wrong)
        .await
        .assert_gateway_error(401, "APIGW.0301");
    assert!(app.stored().await.is_empty(), "nothing was written");

    // The body limit still holds first: over 1 MiB is 413 APIGW.0201, signed or not.
    let huge = vec![b' '; 1024 * 1024 + 1];
    let oversized = huawei_request(
        Method::POST,
        &flow_logs_path(PROJECT),
        Some(&huge),
        HUAWEI_KEY,
        HUAWEI_SECRET,
        now,
    );
    app.send(oversized)
        .await
        .assert_gateway_error(413, "APIGW.0201");

    // The same signed request, untampered, is accepted: the cases failed for their reason.
    let good = app
        .send(huawei_create(
            PROJECT,
            HUAWEI_KEY,
            HUAWEI_SECRET,
            now,
            false,
        ))
        .await;
    assert_eq!(good.status, 200, "{}", good.body);
}

#[tokio::test]
async fn alibaba_refusals_carry_the_gateways_codes_and_write_nothing() {
    let (app, _dir) = verifying_app().await;
    let now = Utc::now();
    let mut params = vec![("Action", "CreateFlowLog"), ("RegionId", REGION)];
    params.extend(create_params("vpc-signed"));
    let v1 = |key: &str, secret: &str, at: chrono::DateTime<Utc>| {
        alibaba_v1_query(
            "POST",
            &params,
            key,
            secret,
            &nonce(),
            &alibaba_timestamp(at),
        )
    };
    let v1_cases = [
        (
            v1(ALIBABA_KEY, "not-the-secret", now),
            400,
            "SignatureDoesNotMatch",
        ),
        (
            v1("LTAIunknown", ALIBABA_SECRET, now),
            404,
            "InvalidAccessKeyId.NotFound",
        ),
        (
            v1(ALIBABA_KEY, ALIBABA_SECRET, now - TimeDelta::minutes(16)),
            400,
            "InvalidTimeStamp.Expired",
        ),
    ];
    for (query, status, code) in v1_cases {
        let response = app.alibaba_raw(Method::POST, &query, &[], Vec::new()).await;
        let message = response.assert_alibaba_error(status, code);
        assert!(!message.contains(ALIBABA_SECRET), "{message}");
        if code == "SignatureDoesNotMatch" {
            // The legacy SDK compares this with its own string to sign.
            assert!(
                message.contains("server string to sign is:POST&%2F&AccessKeyId%3D"),
                "{message}"
            );
        }
    }
    // Unsigned: IncompleteSignature, after the action and version checks.
    app.alibaba_raw(
        Method::POST,
        "Action=CreateFlowLog&Version=2016-04-28&AccessKeyId=LTAItestaccount0001&RegionId=cn-hangzhou",
        &[],
        Vec::new(),
    )
    .await
    .assert_alibaba_error(400, "IncompleteSignature");
    app.alibaba_raw(Method::POST, "Action=NoSuchAction", &[], Vec::new())
        .await
        .assert_alibaba_error(404, "InvalidAction.NotFound");
    // A tampered form body (V1 signs the body's parameters too).
    let form = v1(ALIBABA_KEY, ALIBABA_SECRET, now).replace("flowlogstore", "otherstore");
    let tampered = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    app.send(tampered)
        .await
        .assert_alibaba_error(400, "SignatureDoesNotMatch");
    // Errors follow Format=XML.
    let xml = alibaba_v1_query(
        "POST",
        &[("Action", "DescribeFlowLogs"), ("RegionId", REGION)],
        ALIBABA_KEY,
        "not-the-secret",
        &nonce(),
        &alibaba_timestamp(now),
    )
    .replace("Format=JSON", "Format=XML");
    let response = app.alibaba_raw(Method::POST, &xml, &[], Vec::new()).await;
    assert_eq!(response.status, 400);
    let text = response.text();
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );

    // V3.
    let form = b"ResourceType=VPC&ResourceId=vpc-v3&TrafficType=All&ProjectName=flowlogproject&LogStoreName=flowlogstore"
        .to_vec();
    let v3 = |key: &str, secret: &str, at: chrono::DateTime<Utc>| {
        alibaba_v3(
            "POST",
            "CreateFlowLog",
            &[("RegionId", REGION)],
            Some("application/x-www-form-urlencoded"),
            &form,
            key,
            secret,
            &nonce(),
            &alibaba_timestamp(at),
        )
    };
    let v3_cases = [
        (
            v3(ALIBABA_KEY, "not-the-secret", now),
            form.clone(),
            400,
            "SignatureDoesNotMatch",
        ),
        (
            v3("LTAIunknown", ALIBABA_SECRET, now),
            form.clone(),
            404,
            "InvalidAccessKeyId.NotFound",
        ),
        (
            v3(ALIBABA_KEY, ALIBABA_SECRET, now + TimeDelta::minutes(16)),
            form.clone(),
            400,
            "InvalidTimeStamp.Expired",
        ),
        (
            v3(ALIBABA_KEY, ALIBABA_SECRET, now),
            b"ResourceType=VPC&ResourceId=vpc-xx&TrafficType=All&ProjectName=flowlogproject&LogStoreName=flowlogstore"
                .to_vec(),
            400,
            "SignatureDoesNotMatch",
        ),
    ];
    for ((query, headers), body, status, code) in v3_cases {
        app.send_v3(Method::POST, &query, &headers, body)
            .await
            .assert_alibaba_error(status, code);
    }
    assert!(app.stored().await.is_empty(), "nothing was written");

    // Untampered, both are accepted.
    app.alibaba_raw(
        Method::POST,
        &v1(ALIBABA_KEY, ALIBABA_SECRET, now),
        &[],
        Vec::new(),
    )
    .await
    .assert_alibaba_ok();
    let (query, headers) = v3(ALIBABA_KEY, ALIBABA_SECRET, now);
    app.send_v3(Method::POST, &query, &headers, form.clone())
        .await
        .assert_alibaba_ok();
    assert_eq!(app.stored().await.len(), 2);
}

#[tokio::test]
async fn a_replayed_nonce_is_refused_also_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // On Postgres the restarted app stands for another process on the same database.
    let db = TestDb::new().await;
    let url = db.url().to_owned();
    let app = TestApp::verifying_on(&dir, &credentials(), &url).await;
    let now = alibaba_timestamp(Utc::now());
    let mut params = vec![("Action", "CreateFlowLog"), ("RegionId", REGION)];
    params.extend(create_params("vpc-signed"));
    let v1 = alibaba_v1_query(
        "POST",
        &params,
        ALIBABA_KEY,
        ALIBABA_SECRET,
        "nonce-1",
        &now,
    );
    let v3 = alibaba_v3(
        "POST",
        "DescribeFlowLogs",
        &[("RegionId", REGION)],
        None,
        b"",
        ALIBABA_KEY,
        ALIBABA_SECRET,
        "nonce-2",
        &now,
    );
    app.alibaba_raw(Method::POST, &v1, &[], Vec::new())
        .await
        .assert_alibaba_ok();
    app.send_v3(Method::POST, &v3.0, &v3.1, Vec::new())
        .await
        .assert_alibaba_ok();
    let replayed = app.alibaba_raw(Method::POST, &v1, &[], Vec::new()).await;
    assert_eq!(
        replayed.assert_alibaba_error(400, "SignatureNonceUsed"),
        "Specified signature nonce was used already."
    );
    app.send_v3(Method::POST, &v3.0, &v3.1, Vec::new())
        .await
        .assert_alibaba_error(400, "SignatureNonceUsed");
    assert_eq!(app.stored().await.len(), 1, "the replay created nothing");
    // A nonce belongs to its key: another key may use the same one.
    let other = alibaba_v1_query(
        "POST",
        &[("Action", "DescribeFlowLogs"), ("RegionId", REGION)],
        OTHER_ALIBABA_KEY,
        OTHER_ALIBABA_SECRET,
        "nonce-1",
        &now,
    );
    app.alibaba_raw(Method::POST, &other, &[], Vec::new())
        .await
        .assert_alibaba_ok();
    app.stop().await;

    // The nonces are in the database: a restarted server still refuses the replays.
    let app = TestApp::verifying_on(&dir, &credentials(), &url).await;
    app.alibaba_raw(Method::POST, &v1, &[], Vec::new())
        .await
        .assert_alibaba_error(400, "SignatureNonceUsed");
    app.send_v3(Method::POST, &v3.0, &v3.1, Vec::new())
        .await
        .assert_alibaba_error(400, "SignatureNonceUsed");
    assert_eq!(app.stored().await.len(), 1);
}
