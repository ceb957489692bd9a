//! The whole AWS chain against moto: a recipe and a make uploaded to the
//! bucket under keys with a space and a `+`, the S3 events moto produced
//! for them run through the watcher, the jobs it queued run through the
//! sender with SigV4, API Gateway's IAM check played by a stand-in, and the
//! recipe server storing in DynamoDB; the diff read back through the API.

mod common;

use axum::http::StatusCode;
use common::{Aws, Gateway, MAKE, RECIPE};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_recipe_and_a_make_travel_the_whole_chain() {
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;

    aws.upload("recipes/apple pie.json", RECIPE).await;
    aws.upload("makes/sunday dinner+1.json", MAKE).await;
    let events = aws.events(2).await;
    let keys: Vec<String> = events
        .iter()
        .map(|e| {
            e["Records"][0]["s3"]["object"]["key"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    // moto encodes the keys as S3 does: the watcher must decode them.
    assert!(
        keys.iter().any(|k| k.contains('+') || k.contains('%')),
        "{keys:?}"
    );
    for event in events {
        let summary = aws.watch(event).await;
        assert_eq!(summary.jobs, 1, "{summary:?}");
    }

    // The recipe may be sent before or after the make; a make whose recipe
    // is not there yet is retried.
    aws.drain(&gateway, 10).await;
    assert_eq!(aws.depth(&aws.jobs_url).await, 0, "every job was handled");
    assert_eq!(aws.depth(&aws.dlq_url).await, 0);
    assert!(
        gateway.verified.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "writes were signed and verified"
    );

    let (status, make) = gateway
        .get("/recipes/1/makes/2024-05-01-family-dinner")
        .await;
    assert_eq!(status, StatusCode::OK, "{make}");
    assert_eq!(
        testkit::change_ops(&make["diff"]),
        ["rating-changed", "quantity-changed", "step-edited"]
    );
    let (status, differences) = gateway
        .get("/recipes/1/makes/2024-05-01-family-dinner/differences")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(differences["differences"].as_array().map(Vec::len), Some(3));
    let rejections = gateway.rejections().await;
    assert!(rejections.is_empty(), "{rejections:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unsigned_write_never_reaches_the_server() {
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;
    let mut stream = tokio::net::TcpStream::connect(gateway.addr)
        .await
        .expect("connect");
    let body = String::from_utf8_lossy(RECIPE);
    let request = format!(
        "POST /recipes HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nIdempotency-Key: k\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        gateway.addr,
        RECIPE.len()
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .expect("write");
    let mut response = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut response)
        .await
        .expect("read");
    assert!(response.starts_with("HTTP/1.1 403"), "{response}");
    let (_, recipes) = gateway.get("/recipes").await;
    assert_eq!(recipes["items"].as_array().map(Vec::len), Some(0));
}
