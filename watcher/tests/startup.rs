//! The function reads its configuration once, at start-up, and a missing
//! or bad setting stops it there with the setting's name, before it takes
//! an event.
#![allow(missing_docs)]

use std::process::Command;

/// Runs the function's binary with `vars` (and none of the settings it
/// reads from this environment); asserts that it stops and that its reason
/// names every one of `named`.
fn assert_refused(vars: &[(&str, &str)], named: &[&str]) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_watcher"));
    for name in ["QUEUE_URL", "LOG_ID_SECRET", "AWS_LAMBDA_RUNTIME_API"]
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
fn a_missing_queue_stops_start_up() {
    assert_refused(&[], &["QUEUE_URL is not set"]);
}

#[test]
fn a_bad_limit_or_log_secret_stops_start_up_with_its_name() {
    let queue = ("QUEUE_URL", "https://sqs.example/jobs");
    assert_refused(&[queue, ("MAX_OBJECT_BYTES", "big")], &["MAX_OBJECT_BYTES"]);
    assert_refused(&[queue, ("LOG_ID_SECRET", "abcd")], &["LOG_ID_SECRET"]);
}
