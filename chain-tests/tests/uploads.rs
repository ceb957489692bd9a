//! The dashboard's upload path in AWS, on moto: the recipe server's S3
//! presigned POST form is posted, as a browser posts it, straight to the
//! bucket; the upload's `ObjectCreated` event goes through the watcher, the
//! queue and the sender, and the make is stored.
//!
//! moto does not check a POST policy or its signature (it accepts any
//! form), so S3's refusal of an expired or changed form is not shown here:
//! the local server enforces the same conditions (`recipe-server/tests/
//! uploads.rs`), and the signature is checked against AWS's published
//! example (`adapters/aws/src/forms.rs`).

mod common;

use aws_adapters::S3Forms;
use common::{Aws, BUCKET, Gateway, RECIPE, make_with_id};
use shared::ports::uploads::{FormRequest, UploadForms};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_make_posted_with_a_presigned_form_goes_through_the_chain_and_is_stored() {
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;
    aws.upload("recipes/apple-pie.json", RECIPE).await;
    for event in aws.events(1).await {
        aws.watch(event).await;
    }
    aws.drain(&gateway, 5).await;

    let credentials = aws.config.credentials_provider().expect("credentials");
    let region = aws.config.region().expect("a region").to_string();
    let forms = S3Forms::new(credentials, region, BUCKET, Some(&aws.moto.endpoint()));
    let key = "makes/cooks/5c2f0b6e-cook/from-the-dashboard.json";
    let form = forms
        .form(&FormRequest {
            key: key.to_owned(),
            content_type: "application/json".to_owned(),
            max_bytes: 1024 * 1024,
            expires_in: 300,
        })
        .await
        .expect("a form");
    assert_eq!(form.url, format!("{}/{BUCKET}", aws.moto.endpoint()));
    let make = make_with_id(Some("from-the-dashboard"));
    let (content_type, body) = testkit::http::multipart_form(
        form.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        &make,
    );
    let address = format!("127.0.0.1:{}", aws.moto.port());
    let path = format!("/{BUCKET}");
    let posted = tokio::task::spawn_blocking(move || {
        testkit::http::request(
            &address,
            "POST",
            &path,
            &[("Content-Type", &content_type)],
            &body,
        )
    })
    .await
    .expect("task")
    .expect("moto answers");
    assert!((200..300).contains(&posted.status), "{posted:?}");

    let events = aws.events(1).await;
    let name = events[0]["Records"][0]["eventName"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(name.starts_with("ObjectCreated:"), "{name}");
    // The key arrives URL-encoded, as moto sends it.
    let event_key = events[0]["Records"][0]["s3"]["object"]["key"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(event_key.replace("%2F", "/"), key);
    for event in events {
        aws.watch(event).await;
    }
    aws.drain(&gateway, 5).await;
    let (status, stored) = gateway.get("/recipes/1/makes/from-the-dashboard").await;
    assert_eq!(status.as_u16(), 200, "{stored}");
    assert!(
        !stored["diff"]["changes"]
            .as_array()
            .expect("changes")
            .is_empty()
    );
    // The make records who logged it: the user id its key names.
    assert_eq!(stored["loggedBy"], "5c2f0b6e-cook");
}
