//! One integration-test binary (faster to build than one per file), one module per area.

mod alibaba;
mod auth;
mod control;
mod huawei;
mod multiprocess;
mod openapi;
mod outage;
mod persistence;
mod robustness;
mod serve;
mod signatures;
mod support;
mod worker;

/// Says which backend the suite runs on, past libtest's output capture (which takes only the
/// `print!` family), so a run without Postgres says that the Postgres suite was skipped.
#[test]
fn suite_backend_is_announced() {
    use std::io::Write;

    match support::postgres_admin_url() {
        Some(_) => {
            let note = "note: the suite runs on Postgres (FLOWPLANE_TEST_POSTGRES_URL), one database per test\n";
            let _ = std::io::stderr().write_all(note.as_bytes());
        }
        None => support::skip(
            "the Postgres suite",
            "FLOWPLANE_TEST_POSTGRES_URL is not set, so the suite ran on SQLite (.ci/run runs both)",
        ),
    }
}
