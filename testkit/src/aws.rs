//! The AWS SDK's clients pointed at a [`MotoServer`], and the resources the
//! tests create on it: queues, a versioned bucket and its notification to a
//! queue; messages sent to and read from a queue; the record Lambda sends
//! to an on-failure destination; and a whole table as text, for tests that
//! search it.

use std::collections::HashMap;

use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
    QueueConfiguration, S3KeyFilter,
};
use aws_sdk_sqs::types::QueueAttributeName;

use crate::MotoServer;

/// The region every test client uses.
pub const REGION: &str = "us-east-1";

/// SDK configuration for moto: static credentials, [`REGION`], moto's endpoint.
pub async fn sdk_config(moto: &MotoServer) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(moto.endpoint())
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .load()
        .await
}

/// An S3 client for `config`, with path-style addressing (moto serves
/// buckets under its one host name).
pub fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
}

/// Creates the bucket `name`, versioned as the template's upload bucket is.
///
/// # Panics
/// When moto refuses: the test cannot go on without it.
pub async fn versioned_bucket(s3: &aws_sdk_s3::Client, name: &str) {
    s3.create_bucket()
        .bucket(name)
        .send()
        .await
        .expect("bucket created");
    s3.put_bucket_versioning()
        .bucket(name)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning enabled");
}

/// Puts `body` under `key` in `bucket`; returns the object's ETag, without
/// its quotes.
///
/// # Panics
/// When the put fails.
pub async fn put_object(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, body: &[u8]) -> String {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from(body.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e:?}"))
        .e_tag()
        .unwrap_or_default()
        .trim_matches('"')
        .to_owned()
}

/// The object versions and delete markers under `prefix` in `bucket`, as
/// `(key, "version" or "marker")`, sorted: for tests that check what a
/// purge left.
///
/// # Panics
/// When the listing fails.
pub async fn object_versions(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Vec<(String, &'static str)> {
    let request = s3.list_object_versions().bucket(bucket).prefix(prefix);
    let listed = request.send().await.expect("listed");
    let versions = listed.versions().iter().map(|v| (v.key(), "version"));
    let markers = listed.delete_markers().iter().map(|m| (m.key(), "marker"));
    let mut found: Vec<(String, &'static str)> = versions
        .chain(markers)
        .map(|(key, kind)| (key.unwrap_or_default().to_owned(), kind))
        .collect();
    found.sort();
    found
}

/// Every item of `table` (a full scan), one per line as the SDK prints
/// it: for tests that search the table for what must not be there.
///
/// # Panics
/// When the scan fails.
pub async fn table_text(dynamo: &aws_sdk_dynamodb::Client, table: &str) -> String {
    let mut text = String::new();
    let mut start = None;
    loop {
        let page = dynamo
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        for item in page.items() {
            text.push_str(&format!("{item:?}\n"));
        }
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return text,
        }
    }
}

/// Creates a queue with `attributes`; returns its URL.
///
/// # Panics
/// When moto refuses: the test cannot go on without it.
pub async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    attributes: HashMap<QueueAttributeName, String>,
) -> String {
    let mut request = sqs.create_queue().queue_name(name);
    for (k, v) in attributes {
        request = request.attributes(k, v);
    }
    request
        .send()
        .await
        .expect("queue created")
        .queue_url()
        .expect("a queue URL")
        .to_owned()
}

/// Sends one message with `body` to the queue at `url`.
///
/// # Panics
/// When the send fails.
pub async fn send_message(sqs: &aws_sdk_sqs::Client, url: &str, body: impl Into<String>) {
    sqs.send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .expect("sent");
}

/// The messages one receive takes from the queue at `url`: up to ten,
/// waiting a second for the first.
///
/// # Panics
/// When the receive fails.
pub async fn receive_messages(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
) -> Vec<aws_sdk_sqs::types::Message> {
    sqs.receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .expect("received")
        .messages
        .unwrap_or_default()
}

/// The record Lambda sends to the watcher's on-failure destination when
/// an S3 event, holding `records`, failed every attempt. Built from the
/// documented shape of asynchronous invocation records (version,
/// timestamp, requestContext, requestPayload with the event,
/// responseContext, responsePayload), not fetched from AWS: the tests
/// have no web access.
pub fn failed_event_record(records: &[serde_json::Value]) -> String {
    serde_json::json!({
        "version": "1.0",
        "timestamp": "2026-12-07T10:06:00.000Z",
        "requestContext": {
            "requestId": "e4b46cbf-b738-4c5e-8880-a18cdf61200e",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:recipe-diff-watcher:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3
        },
        "requestPayload": {"Records": records},
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled"
        },
        "responsePayload": {
            "errorMessage": "the jobs queue is unavailable",
            "errorType": "watcher::WatcherError"
        }
    })
    .to_string()
}

/// The ARN of the queue at `url`.
///
/// # Panics
/// When moto does not report it.
pub async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .expect("a queue ARN")
        .clone()
}

/// Has `bucket` announce every object created or removed under each of `prefixes`
/// (`recipes/`, `makes/`) to the queue `queue_arn`, one rule a prefix named
/// after it, as the template's notification does.
///
/// # Panics
/// When moto refuses the configuration.
pub async fn notify_queue(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    queue_arn: &str,
    prefixes: &[&str],
) {
    let rules = prefixes.iter().map(|prefix| {
        QueueConfiguration::builder()
            .id(prefix.trim_end_matches('/'))
            .queue_arn(queue_arn)
            .events(Event::from("s3:ObjectCreated:*"))
            .events(Event::from("s3:ObjectRemoved:*"))
            .filter(
                NotificationConfigurationFilter::builder()
                    .key(
                        S3KeyFilter::builder()
                            .filter_rules(
                                FilterRule::builder()
                                    .name(FilterRuleName::Prefix)
                                    .value(*prefix)
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
            .expect("a queue configuration")
    });
    s3.put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(
            NotificationConfiguration::builder()
                .set_queue_configurations(Some(rules.collect()))
                .build(),
        )
        .send()
        .await
        .expect("notification configured");
}
