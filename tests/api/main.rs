//! One integration-test binary (faster to build than one per file). The modules mirror `src/`:
//! each face's gateway and products (`huawei/`, `alibaba/`), `auth/`, `control`, `store/`, the
//! `worker`, `app` (assembly and supervision), `serve` (the listener and the binary),
//! `robustness` (hostile requests and the edge on every face) and `openapi`; the shared harness
//! is `support/`.

mod alibaba;
mod app;
mod auth;
mod console;
mod control;
mod control_reset;
mod control_snapshot;
mod control_token;
mod faults;
mod huawei;
mod journal;
mod listener;
mod metrics;
mod openapi;
mod records;
mod references;
mod robustness;
mod serve;
mod store;
mod support;
mod transition_settings;
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
