//! Snapshot tests (insta) where a whole response body is the contract. Every snapshot is a file
//! in `tests/api/snapshots/`, named after its test module and its own name. What changes from run
//! to run (ids, times, request ids) is redacted, after a check of its form, so the snapshot holds
//! only what is fixed; what differs between the suite's backends never shows in a body.
//!
//! A new or changed snapshot fails the test and leaves a `.snap.new` beside the `.snap` (unless
//! `CI` is set); review it and rename it over the `.snap` (or run once with `INSTA_UPDATE=always`).

use insta::internals::Content;
use insta::internals::Redaction;
use serde_json::{json, Value};

use super::app::TestResponse;

/// The settings every snapshot assertion runs with: the suite's snapshot directory.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/snapshots"));
    settings.set_prepend_module_to_snapshot(true);
    settings
}

/// `insta::assert_json_snapshot!` with the suite's [`settings`]:
/// `assert_body_snapshot!("name", &body, {".flow_log.id" => uuid_v4()})`.
macro_rules! assert_body_snapshot {
    ($name:expr, $value:expr, {$($selector:expr => $redaction:expr),* $(,)?}) => {
        $crate::support::snapshot::settings().bind(|| {
            insta::assert_json_snapshot!($name, $value, {$($selector => $redaction),*});
        })
    };
    ($name:expr, $value:expr) => {
        $crate::support::snapshot::settings().bind(|| {
            insta::assert_json_snapshot!($name, $value);
        })
    };
}
pub(crate) use assert_body_snapshot;

/// `insta::assert_snapshot!` (text, such as an XML answer) with the suite's [`settings`].
macro_rules! assert_text_snapshot {
    ($name:expr, $text:expr) => {
        $crate::support::snapshot::settings().bind(|| {
            insta::assert_snapshot!($name, $text);
        })
    };
}
pub(crate) use assert_text_snapshot;

/// The status and body of an answer, as one snapshot value.
pub fn answer(response: &TestResponse) -> Value {
    json!({"status": response.status.as_u16(), "body": response.body})
}

/// `text` with each known value replaced by its placeholder (`[(value, "[placeholder]")]`);
/// every value must occur in it.
#[track_caller]
pub fn scrub(text: &str, known: &[(&str, &str)]) -> String {
    let mut scrubbed = text.to_owned();
    for (value, placeholder) in known {
        assert!(!value.is_empty(), "nothing to replace by {placeholder}");
        assert!(
            scrubbed.contains(value),
            "{value} ({placeholder}) is not in {scrubbed}"
        );
        scrubbed = scrubbed.replace(value, placeholder);
    }
    scrubbed
}

/// [`scrub`] over every string of a JSON value.
#[track_caller]
pub fn scrub_json(value: &Value, known: &[(&str, &str)]) -> Value {
    serde_json::from_str(&scrub(&value.to_string(), known)).expect("still JSON")
}

/// Redacts a value to `placeholder` once `check` has accepted it.
fn checked(placeholder: &'static str, check: fn(&str) -> bool) -> Redaction {
    insta::dynamic_redaction(move |value: Content, path| {
        let text = value.as_str().unwrap_or_default();
        assert!(check(text), "{path}: {value:?} is not a {placeholder}");
        placeholder
    })
}

/// A Huawei flow-log id: a UUID v4.
pub fn uuid_v4() -> Redaction {
    checked("[uuid]", |text| {
        uuid::Uuid::parse_str(text).is_ok_and(|id| id.get_version_num() == 4)
    })
}

/// A Huawei time: `YYYY-MM-DDThh:mm:ss`.
pub fn huawei_time() -> Redaction {
    checked("[time]", |text| {
        text.len() == 19 && chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok()
    })
}

/// A Huawei request id: 32 lowercase hexadecimal digits.
pub fn huawei_request_id() -> Redaction {
    checked("[request_id]", |text| {
        text.len() == 32
            && text
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

/// An Alibaba flow-log id: `fl-` and 20 lowercase letters or digits.
pub fn alibaba_id() -> Redaction {
    checked("[flow_log_id]", |text| {
        text.strip_prefix("fl-").is_some_and(|rest| {
            rest.len() == 20
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    })
}

/// An Alibaba time: `YYYY-MM-DDThh:mm:ssZ`.
pub fn alibaba_time() -> Redaction {
    checked("[time]", |text| {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ").is_ok()
    })
}

/// An Alibaba request id: an uppercase hyphenated UUID.
pub fn alibaba_request_id() -> Redaction {
    checked("[request_id]", |text| {
        uuid::Uuid::parse_str(text)
            .is_ok_and(|id| id.hyphenated().to_string().to_uppercase() == text)
    })
}

/// A time of the control API: RFC 3339.
pub fn rfc3339_time() -> Redaction {
    checked("[time]", |text| {
        chrono::DateTime::parse_from_rfc3339(text).is_ok()
    })
}

/// IAM's times: `2026-11-29T07:16:27.767401Z`.
pub fn iam_time() -> Redaction {
    checked("[time]", |text| {
        text.len() == 27
            && chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.6fZ").is_ok()
    })
}
