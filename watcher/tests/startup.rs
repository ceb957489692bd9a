//! The function reads its configuration once, at start-up, and a missing
//! or bad setting stops it there with the setting's name, before it takes
//! an event.
#![allow(missing_docs)]

/// The settings the function reads.
const READ: &[&str] = &["QUEUE_URL", "LOG_ID_SECRET", "RUST_LOG"];

/// Runs the function's binary with `vars` (and none of the settings it
/// reads from this environment); asserts that it stops and that its reason
/// names every one of `named`.
fn assert_refused(vars: &[(&str, &str)], named: &[&str]) {
    testkit::startup::assert_refused(env!("CARGO_BIN_EXE_watcher"), READ, vars, named);
}

#[test]
fn a_missing_queue_stops_start_up() {
    assert_refused(&[], &["QUEUE_URL is not set"]);
}

#[test]
fn a_bad_limit_or_log_secret_stops_start_up_with_its_name() {
    let queue = ("QUEUE_URL", "https://sqs.example/jobs");
    assert_refused(&[queue, ("MAX_OBJECT_BYTES", "big")], &["MAX_OBJECT_BYTES"]);
    assert_refused(&[queue, ("LOG_ID_SECRET", "abcd")], &["LOG_ID_SECRET"]);
}
