//! The Lambda function reads its configuration once, at start-up, and a bad
//! value stops it there with the reason, before it serves a request.

/// The settings the function reads.
const READ: &[&str] = &[
    "TABLE_NAME",
    "BUCKET_NAME",
    "DEAD_LETTER_QUEUE_URL",
    "WATCHER_FAILURE_QUEUE_URL",
    "SENDER_ROLE",
    "ERASER_ROLE",
    "SMOKE_ROLE",
    "READ_GROUP",
    "OBJECT_ID_SECRET",
    "READ_AUTH",
    "COGNITO_DOMAIN",
    "COGNITO_CLIENT_ID",
];

/// Asserts that the function, given `vars` (and nothing else of this
/// environment that it reads), stops at start-up and that its reason names
/// every one of `named`.
fn assert_refused(vars: &[(&str, &str)], named: &[&str]) {
    testkit::startup::assert_refused(env!("CARGO_BIN_EXE_recipe-server"), READ, vars, named);
}

#[test]
fn a_bad_cognito_domain_stops_start_up_with_the_reason() {
    assert_refused(
        &[
            ("TABLE_NAME", "recipes"),
            ("COGNITO_DOMAIN", "http://auth.example.com"),
            ("COGNITO_CLIENT_ID", "abc123"),
        ],
        &["COGNITO_DOMAIN", "https"],
    );
}

#[test]
fn half_of_the_cognito_settings_stops_start_up() {
    assert_refused(
        &[
            ("TABLE_NAME", "recipes"),
            ("COGNITO_DOMAIN", "auth.example.com"),
        ],
        &["COGNITO_DOMAIN and COGNITO_CLIENT_ID"],
    );
}

#[test]
fn a_missing_table_name_stops_start_up() {
    assert_refused(&[], &["TABLE_NAME"]);
}

/// Usable settings, in the order start-up reads them, up to the
/// object-id secret.
const BEFORE_THE_SECRET: [(&str, &str); 6] = [
    ("TABLE_NAME", "recipes"),
    ("READ_AUTH", "public"),
    ("SENDER_ROLE", "stack-sender"),
    ("ERASER_ROLE", "eraser-stack"),
    ("BUCKET_NAME", "uploads"),
    ("DEAD_LETTER_QUEUE_URL", "https://sqs.example/dlq"),
];

#[test]
fn writer_and_erasure_settings_missing_or_unusable_stop_start_up_with_the_reason() {
    // Each case adds one setting to the ones before it.
    let mut settings = BEFORE_THE_SECRET.to_vec();
    settings.push(("OBJECT_ID_SECRET", "abcd"));
    for (given, named) in [
        (2, "SENDER_ROLE"),
        (3, "ERASER_ROLE"),
        (4, "BUCKET_NAME"),
        (5, "DEAD_LETTER_QUEUE_URL"),
        (6, "OBJECT_ID_SECRET is not set"),
        (7, "at least 32 are needed"),
    ] {
        assert_refused(&settings[..given], &[named]);
    }
}

#[test]
fn without_the_watchers_failure_queue_start_up_stops_with_the_reason() {
    // Every other setting given and usable: an erasure must reach the
    // failed events that hold raw keys, so the queue is not optional.
    let secret = "ab".repeat(32);
    let mut settings = BEFORE_THE_SECRET.to_vec();
    settings.push(("OBJECT_ID_SECRET", &secret));
    assert_refused(&settings, &["WATCHER_FAILURE_QUEUE_URL is not set"]);
}
