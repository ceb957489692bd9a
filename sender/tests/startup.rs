//! The function reads its configuration once, at start-up, and a missing
//! or bad setting stops it there with the setting's name, before it takes
//! a batch.
#![allow(missing_docs)]

/// The settings the function reads.
const READ: &[&str] = &["API_URL", "API_TIMEOUT_MS", "LOG_ID_SECRET", "RUST_LOG"];

/// Runs the function's binary with `vars` (and none of the settings it
/// reads from this environment); asserts that it stops and that its reason
/// names every one of `named`.
fn assert_refused(vars: &[(&str, &str)], named: &[&str]) {
    testkit::startup::assert_refused(env!("CARGO_BIN_EXE_sender"), READ, vars, named);
}

#[test]
fn a_missing_api_url_stops_start_up() {
    assert_refused(&[], &["API_URL is not set"]);
}

#[test]
fn a_bad_timeout_limit_or_log_secret_stops_start_up_with_its_name() {
    let url = ("API_URL", "https://api.example.com");
    assert_refused(&[url, ("API_TIMEOUT_MS", "soon")], &["API_TIMEOUT_MS"]);
    assert_refused(&[url, ("MAX_OBJECT_BYTES", "0")], &["MAX_OBJECT_BYTES"]);
    assert_refused(&[url, ("LOG_ID_SECRET", "abcd")], &["LOG_ID_SECRET"]);
}
