//! The watcher Lambda function. Its handler is not wired to the Lambda runtime
//! yet; see the project's issues for the plan.

fn main() -> std::process::ExitCode {
    eprintln!(
        "watcher: the Lambda entry point is not built yet; run `cargo run --release` for the local chain"
    );
    std::process::ExitCode::FAILURE
}
