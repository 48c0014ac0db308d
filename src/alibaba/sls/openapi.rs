//! SLS's operations in the Alibaba document: each route of [`super::router`] with each method,
//! named by the gateway's `operation_of` (as the request journal and the fault rules name them).

use axum::http::Method as HttpMethod;

use super::gateway::operation_of;
use crate::apidoc::{self, Method, Op, Part};

const TAG: &str = "alibaba-sls";

/// (route, method, whether the Host names a project).
const OPERATIONS: &[(&str, Method, bool)] = &[
    ("/", Method::Get, false),
    ("/", Method::Post, false),
    ("/", Method::Put, true),
    ("/", Method::Delete, true),
    ("/logstores", Method::Get, true),
    ("/logstores", Method::Post, true),
    ("/logstores/{logstore}", Method::Get, true),
    ("/logstores/{logstore}", Method::Put, true),
    ("/logstores/{logstore}", Method::Delete, true),
    ("/logstores/{logstore}/logs", Method::Post, true),
    ("/logstores/{logstore}/index", Method::Get, true),
    ("/logstores/{logstore}/shards", Method::Get, true),
    ("/logstores/{logstore}/shards/{shard}", Method::Get, true),
    ("/logstores/{logstore}/meteringmode", Method::Get, true),
];

pub fn describe(part: &mut Part) {
    part.tag(
        TAG,
        "Alibaba SLS: projects, logstores, and the flow-log records delivered to them.",
    );
    let error = apidoc::object();
    for (route, method, project) in OPERATIONS {
        let http = match method {
            Method::Get => HttpMethod::GET,
            Method::Post => HttpMethod::POST,
            Method::Put => HttpMethod::PUT,
            _ => HttpMethod::DELETE,
        };
        let mut names = vec![operation_of(&http, route, *project, &[])];
        // One route, several operations: GET / with a project Host is GetProject; GET of a
        // logstore with type=log is GetLogs; a shard's GET is GetCursor, GetCursorTime or
        // PullLogs by its type.
        let variants: &[&[(&str, &str)]] = match (*route, http.as_str()) {
            ("/", "GET") => &[],
            ("/logstores/{logstore}", "GET") => &[&[("type", "log")]],
            ("/logstores/{logstore}/shards/{shard}", "GET") => {
                &[&[("type", "cursor")], &[("type", "cursor_time")]]
            }
            _ => &[],
        };
        if (*route, http.as_str()) == ("/", "GET") {
            names.push(operation_of(&http, route, true, &[]));
        }
        for variant in variants {
            let query: Vec<(String, String)> = variant
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            names.push(operation_of(&http, route, true, &query));
        }
        let id = names[0];
        let summary = if names.len() > 1 {
            format!("{id} (also {} on this route)", names[1..].join(", "))
        } else {
            id.to_owned()
        };
        part.add(
            Op::new(TAG, method.clone(), route, id, summary)
                .header(
                    "Host",
                    apidoc::string(),
                    "<project>.<region>.log.aliyuncs.com names the project.",
                )
                .answer(
                    200,
                    "The answer (JSON; GetLogs and PullLogs as the SDKs read them).",
                    Some(apidoc::object()),
                )
                .errors(
                    &[
                        (400, "A parameter or the body is invalid."),
                        (401, "The signature is missing or wrong."),
                        (404, "No such project, logstore or route."),
                        (409, "The project or logstore exists."),
                    ],
                    &error,
                ),
        );
    }
}
