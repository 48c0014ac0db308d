//! The record query (`ListLogs`): time range, keywords, highlighting, limit and paging, loose
//! types, errors.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::support::*;

/// A project with a group, a stream, a flow log of a port on them and `windows` windows of
/// records; the query range covers them all.
struct Fixture {
    app: TestApp,
    group: String,
    stream: String,
    from: i64,
    to: i64,
}

impl Fixture {
    async fn new(windows: u32) -> Self {
        let app = TestApp::new().await;
        // Windows are aligned to ten minutes: the first may start before the flow log.
        let from = Utc::now().timestamp_millis() - 11 * 60_000;
        let (group, stream) = app.create_lts_destination(PROJECT).await;
        let port = uuid::Uuid::new_v4().to_string();
        let flow_log = app.create_huawei_on(PROJECT, &port, &group, &stream).await;
        assert!(app.generate_windows(&flow_log, windows).await > 0);
        let to = (Utc::now() + Duration::minutes(10 * i64::from(windows) + 10)).timestamp_millis();
        Fixture {
            app,
            group,
            stream,
            from,
            to,
        }
    }

    async fn query(&self, extra: Value) -> Value {
        let mut body =
            json!({"start_time": self.from.to_string(), "end_time": self.to.to_string()});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .query_lts(PROJECT, &self.group, &self.stream, body)
            .await
    }

    async fn query_error(&self, body: Value) -> TestResponse {
        self.app
            .post(&lts_query_path(PROJECT, &self.group, &self.stream), body)
            .await
    }

    /// Every record of the range, oldest first, unhighlighted.
    async fn all(&self) -> Vec<(String, String)> {
        let body = self.query(json!({"limit": 5000})).await;
        pairs(&body)
    }
}

fn pairs(body: &Value) -> Vec<(String, String)> {
    body["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|log| {
            (
                log["line_num"].as_str().unwrap().to_owned(),
                log["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn action(line: &str) -> &str {
    line.split(' ').nth(12).unwrap()
}

#[tokio::test]
async fn the_range_holds_every_record_as_a_line_in_order() {
    let f = Fixture::new(6).await;
    let body = f.query(json!({"limit": 5000})).await;
    let logs = pairs(&body);
    assert!(!logs.is_empty());
    assert_eq!(body["count"], logs.len());
    assert_eq!(body["isQueryComplete"], true);
    assert_eq!(body["logs"][0]["labels"], json!({}));
    let mut previous = 0u64;
    for (line_num, line) in &logs {
        assert_eq!(line_num.len(), 19, "{line_num}");
        let n: u64 = line_num.parse().unwrap();
        assert!(n > previous, "line numbers increase");
        previous = n;
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 14, "{line}");
        assert_eq!(fields[1], PROJECT);
        let start: i64 = fields[10].parse().unwrap();
        // The record's time is its start, in the line_num's milliseconds.
        assert_eq!(i64::try_from(n / 1_000_000).unwrap() / 1000, start);
        assert!(start * 1000 >= f.from - 1000 && start * 1000 <= f.to);
    }
    // Stable: the same query gives the same numbers.
    assert_eq!(f.all().await, logs);
    // The default limit is 50.
    let page = f.query(json!({})).await;
    assert_eq!(pairs(&page), logs[..logs.len().min(50)].to_vec());
    assert_eq!(page["count"], logs.len());
}

#[tokio::test]
async fn the_time_range_is_inclusive_and_narrows() {
    let f = Fixture::new(6).await;
    let all = f.all().await;
    let ms = |line_num: &str| (line_num.parse::<u64>().unwrap() / 1_000_000) as i64;
    let first = ms(&all[0].0);
    let last = ms(&all[all.len() - 1].0);
    let exact = f
        .app
        .query_lts(
            PROJECT,
            &f.group,
            &f.stream,
            json!({"start_time": first.to_string(), "end_time": last.to_string(), "limit": 5000}),
        )
        .await;
    assert_eq!(pairs(&exact), all);
    let middle = first + (last - first) / 2;
    let half = f
        .app
        .query_lts(
            PROJECT,
            &f.group,
            &f.stream,
            json!({"start_time": first.to_string(), "end_time": middle.to_string(), "limit": 5000}),
        )
        .await;
    let expected: Vec<_> = all
        .iter()
        .filter(|(n, _)| ms(n) <= middle)
        .cloned()
        .collect();
    assert!(expected.len() < all.len());
    assert_eq!(pairs(&half), expected);
    // Before anything was recorded: nothing.
    let before = f
        .app
        .query_lts(
            PROJECT,
            &f.group,
            &f.stream,
            json!({"start_time": (f.from - 3_600_000).to_string(), "end_time": (f.from - 1).to_string()}),
        )
        .await;
    assert_eq!(
        before,
        json!({"count": 0, "logs": [], "isQueryComplete": true})
    );
}

#[tokio::test]
async fn keywords_select_lines_and_reject_finds_only_rejected_traffic() {
    let f = Fixture::new(12).await;
    let all = f.all().await;
    let rejected: Vec<_> = all
        .iter()
        .filter(|(_, line)| action(line) == "REJECT")
        .cloned()
        .collect();
    assert!(
        !rejected.is_empty(),
        "12 windows of traffic include rejected flows"
    );
    for keywords in ["REJECT", "reject", "action:REJECT", "REJECT AND OK", "REJ*"] {
        let body = f
            .query(json!({"keywords": keywords, "highlight": false, "limit": 5000}))
            .await;
        assert_eq!(pairs(&body), rejected, "{keywords}");
        assert_eq!(body["count"], rejected.len());
    }
    let not_rejected = f
        .query(json!({"keywords": "NOT REJECT", "highlight": false, "limit": 5000}))
        .await;
    assert_eq!(not_rejected["count"], all.len() - rejected.len());
    let either = f
        .query(json!({"keywords": "ACCEPT OR REJECT", "highlight": false, "limit": 5000}))
        .await;
    let with_action: Vec<_> = all
        .iter()
        .filter(|(_, line)| action(line) != "-")
        .cloned()
        .collect();
    assert_eq!(pairs(&either), with_action);
    let none = f.query(json!({"keywords": "nosuchword"})).await;
    assert_eq!(
        none,
        json!({"count": 0, "logs": [], "isQueryComplete": true})
    );
    // A label filter: flow-log records carry no labels.
    let labelled = f.query(json!({"labels": {"hostName": "h"}})).await;
    assert_eq!(labelled["count"], 0);
}

#[tokio::test]
async fn highlighting_wraps_the_hits_unless_turned_off() {
    let f = Fixture::new(12).await;
    let all = f.all().await;
    let plain = f
        .query(json!({"keywords": "REJECT", "highlight": false, "limit": 1}))
        .await;
    let line = pairs(&plain)[0].1.clone();
    assert!(!line.contains("HighLightTag"));
    let highlighted = f.query(json!({"keywords": "REJECT", "limit": 1})).await;
    assert_eq!(
        pairs(&highlighted)[0].1,
        line.replace(" REJECT ", " <HighLightTag>REJECT</HighLightTag> ")
    );
    let explicit = f
        .query(json!({"keywords": "REJECT", "highlight": "true", "limit": 1}))
        .await;
    assert_eq!(explicit, highlighted);
    // Without keywords there is nothing to highlight.
    assert_eq!(pairs(&f.query(json!({"limit": 1})).await)[0], all[0]);
}

#[tokio::test]
async fn pages_go_forwards_and_backwards_from_a_line_number() {
    let f = Fixture::new(6).await;
    let all = f.all().await;
    assert!(all.len() >= 20, "{}", all.len());
    let page = |body: Value| pairs(&body);
    let rev = |v: &[(String, String)]| v.iter().rev().cloned().collect::<Vec<_>>();
    assert_eq!(page(f.query(json!({"limit": 5})).await), all[..5]);
    assert_eq!(
        page(f.query(json!({"limit": 5, "is_desc": true})).await),
        rev(&all[all.len() - 5..])
    );
    let at = &all[9].0;
    let cases = [
        (false, Some("forwards"), all[10..15].to_vec()),
        (false, None, all[10..15].to_vec()),
        (false, Some("init"), all[10..15].to_vec()),
        (false, Some("backwards"), all[4..9].to_vec()),
        (true, Some("forwards"), rev(&all[4..9])),
        (true, Some("backwards"), rev(&all[10..15])),
    ];
    for (desc, search, expected) in cases {
        let mut body = json!({"limit": 5, "line_num": at, "is_desc": desc});
        if let Some(search) = search {
            body["search_type"] = json!(search);
        }
        let response = f.query(body).await;
        assert_eq!(page(response.clone()), expected, "{desc} {search:?}");
        assert_eq!(response["count"], all.len());
    }
    // Near the ends, a short page; past them, an empty one (Terraform stops there).
    let last = &all[all.len() - 2].0;
    assert_eq!(
        page(f.query(json!({"limit": 5, "line_num": last})).await),
        all[all.len() - 1..]
    );
    let first = &all[0].0;
    assert!(page(
        f.query(json!({"limit": 5, "line_num": first, "search_type": "backwards"}))
            .await
    )
    .is_empty());
    // Walking forwards page by page sees every record once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = json!({"limit": 7, "search_type": "forwards"});
        if let Some(cursor) = &cursor {
            body["line_num"] = json!(cursor);
        }
        let got = page(f.query(body).await);
        if got.is_empty() {
            break;
        }
        cursor = Some(got.last().unwrap().0.clone());
        seen.extend(got);
    }
    assert_eq!(seen, all);
}

#[tokio::test]
async fn loosely_typed_bodies_are_read_as_lts_reads_them() {
    let f = Fixture::new(2).await;
    let all = f.all().await;
    let body = f
        .app
        .query_lts(
            PROJECT,
            &f.group,
            &f.stream,
            json!({"start_time": f.from, "end_time": f.to, "limit": "3", "is_desc": "false",
                   "is_count": true, "highlight": "false", "keywords": "", "line_num": ""}),
        )
        .await;
    assert_eq!(pairs(&body), all[..3]);
    let numeric_line = f
        .query(json!({"line_num": all[0].0.parse::<u64>().unwrap(), "limit": 1}))
        .await;
    assert_eq!(pairs(&numeric_line), all[1..2]);
}

#[tokio::test]
async fn bad_parameters_are_lts_0009_and_leading_wildcards_lts_0301() {
    let f = Fixture::new(1).await;
    let (from, to) = (f.from.to_string(), f.to.to_string());
    let with = |extra: Value| {
        let mut body = json!({"start_time": from, "end_time": to});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let bad = [
        json!({}),
        json!({"start_time": from}),
        json!({"end_time": to}),
        json!({"start_time": "yesterday", "end_time": to}),
        json!({"start_time": "-5", "end_time": to}),
        json!({"start_time": "99999999999999999999", "end_time": to}),
        json!({"start_time": to, "end_time": from}),
        json!({"start_time": "0", "end_time": to}),
        json!({"start_time": 1.5, "end_time": to}),
        with(json!({"limit": 0})),
        with(json!({"limit": 5001})),
        with(json!({"limit": "many"})),
        with(json!({"limit": -1})),
        with(json!({"search_type": "sideways"})),
        with(json!({"line_num": "abc"})),
        with(json!({"line_num": "99999999999999999999999"})),
        with(json!({"line_num": [1]})),
        with(json!({"is_desc": "maybe"})),
        with(json!({"highlight": 1})),
        with(json!({"keywords": 5})),
        with(json!({"keywords": "(REJECT"})),
        with(json!({"keywords": "REJECT OR"})),
        with(json!({"keywords": "x".repeat(2000)})),
        with(json!({"keywords": "(".repeat(500)})),
        with(json!({"labels": "x"})),
        with(json!({"labels": {"a": 1}})),
    ];
    for body in bad {
        f.query_error(body.clone())
            .await
            .assert_lts_error(400, "LTS.0009");
    }
    for keywords in ["*JECT", "?EJECT", "ACCEPT OR *JECT", "action:*"] {
        let message = f
            .query_error(with(json!({"keywords": keywords})))
            .await
            .assert_lts_error(400, "LTS.0301")
            .to_owned();
        assert_eq!(message, "'*' and '?' not allowed as first character");
    }
}

#[tokio::test]
async fn unknown_groups_and_streams_are_their_lts_codes() {
    let f = Fixture::new(1).await;
    let body = json!({"start_time": f.from.to_string(), "end_time": f.to.to_string()});
    let unknown = uuid::Uuid::new_v4().to_string();
    f.app
        .post(&lts_query_path(PROJECT, &f.group, &unknown), body.clone())
        .await
        .assert_lts_error(400, "LTS.0208");
    f.app
        .post(&lts_query_path(PROJECT, &unknown, &f.stream), body.clone())
        .await
        .assert_lts_error(400, "LTS.0201");
    f.app
        .post(&lts_query_path(PROJECT, "bad", &f.stream), body.clone())
        .await
        .assert_lts_error(400, "LTS.0011");
    f.app
        .post(&lts_query_path(PROJECT, &f.group, "bad"), body.clone())
        .await
        .assert_lts_error(400, "LTS.0011");
    // Another project sees neither the group nor its records.
    f.app
        .post(
            &lts_query_path(OTHER_PROJECT, &f.group, &f.stream),
            body.clone(),
        )
        .await
        .assert_lts_error(400, "LTS.0201");
    // A stream of another group of the project is not this group's.
    let other = f.app.create_lts_group(PROJECT, "other").await;
    f.app
        .post(&lts_query_path(PROJECT, &other, &f.stream), body)
        .await
        .assert_lts_error(400, "LTS.0208");
}
