//! No LTS request answers 5xx or panics: odd bodies, wrong types, huge values, odd ids and
//! projects, every operation; every refusal is in LTS's envelope.

use axum::http::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn odd_requests_are_refused_in_the_lts_envelope() {
    let app = TestApp::new().await;
    let (group, stream) = app.create_lts_destination(PROJECT).await;
    let long = "9".repeat(400);
    let odd_ids = [
        "%00",
        "%FF%FE",
        "..",
        "00000000-0000-0000-0000-00000000000%",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        long.as_str(),
    ];
    let bodies = [
        "".to_owned(),
        "{".to_owned(),
        "[1,2]".to_owned(),
        "{\"ttl_in_days\": 1e400}".to_owned(),
        format!(
            "{{\"log_group_name\": \"{}\", \"ttl_in_days\": {long}}}",
            "g".repeat(5000)
        ),
        "{\"log_stream_name\": {\"a\": 1}, \"ttl_in_days\": \"7\"}".to_owned(),
        format!("{{\"start_time\": \"{long}\", \"end_time\": 1, \"limit\": {long}}}"),
        "{\"start_time\": 1, \"end_time\": 2, \"keywords\": \"\\u0000 (( ) NOT\"}".to_owned(),
        "\u{feff}{}".to_owned(),
    ];
    let mut paths = vec![
        (Method::POST, lts_groups_path(PROJECT)),
        (Method::POST, lts_group_path(PROJECT, &group)),
        (Method::POST, lts_streams_path(PROJECT, &group)),
        (Method::PUT, lts_stream_ttl_path(PROJECT, &group, &stream)),
        (Method::POST, lts_query_path(PROJECT, &group, &stream)),
    ];
    for id in odd_ids {
        paths.push((Method::POST, lts_group_path(PROJECT, id)));
        paths.push((Method::DELETE, lts_group_path(PROJECT, id)));
        paths.push((Method::GET, lts_streams_path(PROJECT, id)));
        paths.push((Method::POST, lts_streams_path(PROJECT, id)));
        paths.push((Method::DELETE, lts_stream_path(PROJECT, &group, id)));
        paths.push((Method::PUT, lts_stream_ttl_path(PROJECT, id, &stream)));
        paths.push((Method::POST, lts_query_path(PROJECT, &group, id)));
        paths.push((Method::GET, lts_groups_path(id)));
        paths.push((
            Method::GET,
            format!("/v2/{id}/log-streams?log_group_name=%FF"),
        ));
    }
    for (method, path) in &paths {
        for body in &bodies {
            let response = app
                .send(raw_request(
                    method.clone(),
                    path,
                    Some("application/json"),
                    body.clone(),
                ))
                .await;
            let status = response.status.as_u16();
            assert!(
                status < 500,
                "{method} {path} {body:?}: {status} {}",
                response.body
            );
            if status >= 400 {
                let code = response.body["error_code"].as_str().unwrap_or_default();
                assert!(
                    code.starts_with("LTS.") || code.starts_with("APIGW."),
                    "{method} {path}: {}",
                    response.body
                );
            }
        }
    }
    // The destination survived it all, as created.
    let listed = app.get(&lts_streams_path(PROJECT, &group)).await;
    assert_eq!(
        listed.body["log_streams"][0]["log_stream_id"],
        json!(stream)
    );
}
