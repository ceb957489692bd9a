//! A function's start-up, tested from outside: its binary run with chosen
//! settings, which must stop it before it takes any work, with a reason
//! that names what was wrong.

use std::process::Command;

/// Runs `binary` with `vars`, after removing every one of `read` (the
/// settings it reads, and `AWS_LAMBDA_RUNTIME_API`, so that it never
/// reaches a runtime) from this process's environment; returns whether it
/// exited with success, and its stderr.
///
/// # Panics
/// When the binary cannot be run.
pub fn start(binary: &str, read: &[&str], vars: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(binary);
    command.env_remove("AWS_LAMBDA_RUNTIME_API");
    for name in read.iter().copied().chain(shared::limits::LIMIT_VARIABLES) {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    let output = command.output().expect("the function's binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts that `binary`, given `vars` (see [`start`]), stops at start-up
/// and that its reason names every one of `named`.
///
/// # Panics
/// When it starts, or its reason leaves one of `named` out.
pub fn assert_refused(binary: &str, read: &[&str], vars: &[(&str, &str)], named: &[&str]) {
    let (ok, stderr) = start(binary, read, vars);
    assert!(!ok, "started with {vars:?}");
    for name in named {
        assert!(stderr.contains(name), "the reason names {name}: {stderr}");
    }
}
