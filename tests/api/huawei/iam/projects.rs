//! `KeystoneListProjects`, `KeystoneListAuthProjects` and `KeystoneListAuthDomains`: what
//! `BasicCredentials` without a project id and `GlobalCredentials` without a domain id ask.

use axum::http::Method;
use serde_json::{json, Value};

use crate::support::identity::*;
use crate::support::snapshot::assert_body_snapshot;
use crate::support::*;
use flowplane::auth::credentials::{COMMON_HUAWEI_REGIONS, DEMO_HUAWEI_PROJECT};

fn names(body: &Value) -> Vec<&str> {
    body["projects"]
        .as_array()
        .expect("projects is an array")
        .iter()
        .map(|project| project["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_region_has_exactly_the_domains_project() {
    let (app, _dir) = identity_app().await;
    let acme = (ACME_KEY, ACME_SECRET);
    let response = app
        .huawei_signed(acme, Method::GET, "/v3/projects?name=cn-north-4", None, &[])
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_huawei_request_id(response.request_id());
    assert_body_snapshot!("list_projects", &response.body);
    let other = app
        .huawei_signed(
            acme,
            Method::GET,
            "/v3/projects?name=ap-southeast-1",
            None,
            &[],
        )
        .await;
    assert_eq!(other.body["projects"][0]["id"], OTHER_PROJECT);
    for unknown in ["cn-east-3", "nowhere", ""] {
        let target = format!("/v3/projects?name={unknown}");
        let response = app
            .huawei_signed(acme, Method::GET, &target, None, &[])
            .await;
        assert_eq!(response.body["projects"], json!([]), "{unknown}");
    }
    let all = app
        .huawei_signed(acme, Method::GET, "/v3/projects", None, &[])
        .await;
    assert_eq!(names(&all.body), ["ap-southeast-1", "cn-north-4"]);
    assert_eq!(all.body["links"]["next"], Value::Null);
}

#[tokio::test]
async fn a_domain_without_projects_has_one_per_common_region_of_its_own() {
    let (app, _dir) = identity_app().await;
    let globex = (GLOBEX_KEY, GLOBEX_SECRET);
    let all = app
        .huawei_signed(globex, Method::GET, "/v3/projects", None, &[])
        .await;
    let mut regions = COMMON_HUAWEI_REGIONS.to_vec();
    regions.sort_unstable();
    assert_eq!(names(&all.body), regions);
    let north = app
        .huawei_signed(
            globex,
            Method::GET,
            "/v3/projects?name=cn-north-4",
            None,
            &[],
        )
        .await;
    let id = north.body["projects"][0]["id"].as_str().unwrap();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    assert_ne!(id, PROJECT, "another domain's project");
    // The demo key's domain: the README's project in cn-north-4.
    let demo = TestApp::with_flags(&["--auth", "verify"]).await;
    let response = demo
        .huawei_signed(
            (
                flowplane::auth::credentials::DEMO_HUAWEI_ACCESS_KEY,
                flowplane::auth::credentials::DEMO_HUAWEI_SECRET_KEY,
            ),
            Method::GET,
            "/v3/projects?name=cn-north-4",
            None,
            &[],
        )
        .await;
    assert_eq!(response.body["projects"][0]["id"], DEMO_HUAWEI_PROJECT);
    assert_eq!(response.body["projects"][0]["name"], "cn-north-4");
}

#[tokio::test]
async fn filters_and_pages() {
    let (app, _dir) = identity_app().await;
    let acme = (ACME_KEY, ACME_SECRET);
    let list = |query: &'static str| {
        let app = &app;
        async move {
            app.huawei_signed(
                acme,
                Method::GET,
                &format!("/v3/projects?{query}"),
                None,
                &[],
            )
            .await
        }
    };
    let cases: [(&str, &[&str]); 9] = [
        ("enabled=true&name=cn-north-4", &["cn-north-4"]),
        ("enabled=false", &[]),
        ("is_domain=false", &["ap-southeast-1", "cn-north-4"]),
        ("is_domain=true", &[]),
        (
            "domain_id=0000000000000000000000000000acme",
            &["ap-southeast-1", "cn-north-4"],
        ),
        ("parent_id=someone-else", &[]),
        ("page=1&per_page=1", &["ap-southeast-1"]),
        ("page=2&per_page=1", &["cn-north-4"]),
        ("page=3&per_page=1", &[]),
    ];
    for (query, expected) in cases {
        let response = list(query).await;
        assert_eq!(response.status, 200, "{query}: {}", response.body);
        assert_eq!(names(&response.body), expected, "{query}");
    }
    for bad in [
        "enabled=maybe",
        "page=1",
        "per_page=5",
        "page=0&per_page=1",
        "page=1&per_page=5001",
    ] {
        list(bad).await.assert_keystone_error(400, "Bad Request");
    }
}

#[tokio::test]
async fn auth_projects_and_domains_are_the_callers() {
    let (app, _dir) = identity_app().await;
    for (key, domain) in [
        ((ACME_KEY, ACME_SECRET), ACME_DOMAIN),
        ((GLOBEX_KEY, GLOBEX_SECRET), GLOBEX_DOMAIN),
    ] {
        let response = app
            .huawei_signed(key, Method::GET, "/v3/auth/domains", None, &[])
            .await;
        assert_eq!(response.status, 200, "{}", response.body);
        let domains = response.body["domains"].as_array().unwrap();
        assert_eq!(domains.len(), 1, "exactly one: {}", response.body);
        assert_eq!(domains[0]["name"], domain);
        assert_eq!(domains[0]["enabled"], true);
        assert_eq!(domains[0]["description"], "");
    }
    let response = app
        .huawei_signed(
            (ACME_KEY, ACME_SECRET),
            Method::GET,
            "/v3/auth/domains",
            None,
            &[],
        )
        .await;
    assert_body_snapshot!("list_auth_domains", &response.body);
    let projects = app
        .huawei_signed(
            (ACME_KEY, ACME_SECRET),
            Method::GET,
            "/v3/auth/projects",
            None,
            &[],
        )
        .await;
    assert_eq!(names(&projects.body), ["ap-southeast-1", "cn-north-4"]);
}

#[tokio::test]
async fn iam_calls_pass_the_gateways_checks() {
    let (app, _dir) = identity_app().await;
    let unsigned = app
        .send_json(Method::GET, "/v3/projects?name=cn-north-4", &[], None)
        .await;
    unsigned.assert_gateway_error(401, "APIGW.0301");
    let wrong = app
        .huawei_signed(
            (ACME_KEY, "not-the-secret"),
            Method::GET,
            "/v3/projects",
            None,
            &[],
        )
        .await;
    wrong.assert_gateway_error(401, "APIGW.0301");
    let unknown = app
        .huawei_signed(
            ("HWNOSUCHKEY", "s"),
            Method::GET,
            "/v3/auth/domains",
            None,
            &[],
        )
        .await;
    unknown.assert_gateway_error(401, "APIGW.0301");
}

#[tokio::test]
async fn with_auth_off_the_first_keys_domain_answers() {
    let app = TestApp::new().await;
    let response = app.get("/v3/projects?name=cn-north-4").await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["projects"][0]["id"], DEMO_HUAWEI_PROJECT);
    let domains = app.get("/v3/auth/domains").await;
    assert_eq!(domains.body["domains"][0]["name"], "flowplane-demo");
}
