//! A panic in the recipe server answers 500, and is logged as a panic, on
//! its route, by where it happened and the pseudonym of its message: never
//! the message, which here quotes the request the handler was making (as
//! a string-slicing panic quotes the text it sliced). Alone in its binary:
//! it installs the Lambda functions' panic hook, which is process-wide.

mod common;

use common::{Aws, FaultKind, Gateway, MAKE, RECIPE, SdkFault};
use serde_json::Value;
use shared::object_id::logged;

const WORD: &str = "sorrelwick";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_handler_panic_is_logged_by_route_and_pseudonym_never_by_its_message() {
    let logs = common::capture_logs();
    let aws = Aws::start().await;
    let fault = SdkFault::new("TransactWriteItems", FaultKind::Panic);
    fault.disarm();
    let gateway = Gateway::start_with(&aws, aws.dynamo_with(&fault), aws.s3.clone()).await;
    let mut recipe: Value = serde_json::from_slice(RECIPE).expect("fixture");
    recipe["recipeId"] = Value::from(WORD);
    aws.upload("recipes/pie.json", recipe.to_string().as_bytes())
        .await;
    for event in aws.events(1).await {
        aws.watch(event).await;
    }
    aws.drain(&gateway, 5).await;
    assert_eq!(
        gateway.get(&format!("/recipes/{WORD}")).await.0.as_u16(),
        200
    );
    let mut make: Value = serde_json::from_slice(MAKE).expect("fixture");
    make["recipeId"] = Value::from(WORD);
    make["makeId"] = Value::from(format!("{WORD}-make"));
    let key = format!("makes/{WORD}.json");
    aws.upload(&key, make.to_string().as_bytes()).await;
    for event in aws.events(1).await {
        aws.watch(event).await;
    }

    // The make's write panics, in the server's handler.
    fault.arm();
    aws_adapters::init_panic_log();
    let (messages, failed) = aws.deliver(&gateway).await;
    // Rust's own hook again, so that the assertions below say what failed.
    drop(std::panic::take_hook());
    assert_eq!((messages.len(), failed.len()), (1, 1), "kept for a retry");

    let logs = logs.text();
    let panicked = |parts: &[&str]| {
        logs.lines()
            .any(|line| parts.iter().all(|part| line.contains(part)))
    };
    assert!(
        panicked(&[
            "handler panicked",
            "\"panic\":\"#",
            "/recipes/{recipeId}/makes"
        ]),
        "the catch-panic layer logs the panic on its route:\n{logs}"
    );
    assert!(
        panicked(&[
            "\"message\":\"panicked\"",
            "\"location\":\"",
            "chain-tests/tests/common/mod.rs"
        ]),
        "the panic hook logs where it happened:\n{logs}"
    );
    assert!(
        panicked(&["the server answered 500", &logged(&key).to_string()]),
        "the sender logs the 500 by its status:\n{logs}"
    );
    for line in logs.lines() {
        assert!(!line.contains(WORD), "{WORD:?} was logged: {line}");
        assert!(
            !line.contains("cannot handle"),
            "the panic's message was logged: {line}"
        );
    }
}
