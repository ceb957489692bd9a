//! The function reads its configuration once, at start-up, and a missing
//! or bad setting stops it there with the setting's name, before it takes
//! a batch.
#![allow(missing_docs)]

use std::process::Command;

/// Runs the function's binary with `vars` (and none of the settings it
/// reads from this environment); asserts that it stops and that its reason
/// names every one of `named`.
fn assert_refused(vars: &[(&str, &str)], named: &[&str]) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sender"));
    for name in [
        "API_URL",
        "API_TIMEOUT_MS",
        "LOG_ID_SECRET",
        "AWS_LAMBDA_RUNTIME_API",
    ]
    .into_iter()
    .chain(shared::limits::LIMIT_VARIABLES)
    {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    let output = command.output().expect("the function's binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "started with {vars:?}");
    for name in named {
        assert!(stderr.contains(name), "the reason names {name}: {stderr}");
    }
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
