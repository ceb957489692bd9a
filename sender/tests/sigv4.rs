//! SigV4 signing (feature `lambda`): the signature the sender sends is the
//! one AWS's algorithm gives for that request, recomputed here by an
//! independent implementation that is itself checked against AWS's test
//! suite.
#![cfg(feature = "lambda")]
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use common::*;
use sender::{HttpApi, Outcome, SigV4Signer, Signer, process_job};
use serde_json::json;

const ACCESS_KEY: &str = "ASIAEXAMPLEEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE/session+token==";
const REGION: &str = "eu-west-1";

/// 2026-11-22T19:03:58Z.
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_374_238)
}

#[tokio::test]
async fn requests_carry_a_valid_sigv4_signature_with_the_session_token() {
    let stub = Stub::start(201, json!({"status": "created"}), Duration::ZERO).await;
    let credentials = Credentials::new(
        ACCESS_KEY,
        SECRET_KEY,
        Some(SESSION_TOKEN.into()),
        None,
        "test",
    );
    let signer = SigV4Signer::new(SharedCredentialsProvider::new(credentials), REGION)
        .with_clock(fixed_time);
    let api = HttpApi::new(
        &format!("{}/prod", stub.url()),
        Signer::SigV4(signer),
        Duration::from_secs(5),
    )
    .unwrap();
    let deps = deps(Arc::new(api));
    let mut document = make();
    document["recipeId"] = json!("Lemon Tart");
    let job = make_job(document, "1");
    assert_eq!(process_job(&job, &deps).await, Outcome::Stored);

    let request = stub.only_request();
    let headers = &request.headers;
    assert_eq!(request.path, "/prod/recipes/Lemon%20Tart/makes");
    assert_eq!(headers["x-amz-date"], "20261122T190358Z");
    assert_eq!(headers["x-amz-security-token"], SESSION_TOKEN);
    assert!(!headers.contains_key("x-amz-content-sha256"));

    let authorization = &headers["authorization"];
    let signed = "content-type;host;idempotency-key;x-amz-date;x-amz-security-token";
    let prefix = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261122/{REGION}/execute-api/aws4_request, SignedHeaders={signed}, Signature="
    );
    assert!(authorization.starts_with(&prefix), "{authorization}");

    // execute-api decodes the path once before checking: the canonical URI
    // is the sent path encoded again.
    let canonical_uri = request.path.replace('%', "%25");
    let canonical_headers: String = signed
        .split(';')
        .map(|name| format!("{name}:{}\n", headers[name].trim()))
        .collect();
    let canonical_request = format!(
        "POST\n{canonical_uri}\n\n{canonical_headers}\n{signed}\n{}",
        testkit::sigv4::sha256_hex(&request.body)
    );
    let expected = testkit::sigv4::signature(
        SECRET_KEY,
        "20261122T190358Z",
        REGION,
        "execute-api",
        &canonical_request,
    );
    assert_eq!(&authorization[prefix.len()..], expected);
    assert_eq!(
        headers["host"],
        stub.addr.to_string(),
        "the host signed is the host sent"
    );
}
