//! The AWS chain on one machine for tests: moto for S3, SQS and DynamoDB
//! (through the real SDK clients), an API Gateway stand-in that checks
//! SigV4 signatures like the IAM authorizer and hands the request context
//! to the recipe server, and helpers that play Lambda's parts (invoking the
//! watcher with the S3 events moto produced, and the sender with the SQS
//! messages it really holds, then deleting what succeeded).
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_adapters::DynamoStore;
use aws_adapters::{S3Objects, SqsJobs};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageSystemAttributeName, QueueAttributeName,
};
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use shared::Limits;
use testkit::MotoServer;
use testkit::aws::{create_queue, queue_arn};

pub const BUCKET: &str = "recipe-uploads";
pub const TABLE: &str = "recipes";
pub const ACCESS_KEY: &str = "AKIDTESTCHAIN";
/// The access key an operator's erasures are signed with: the gateway
/// reports its sessions as the eraser role's.
pub const ERASER_ACCESS_KEY: &str = "AKIDTESTERASER";
pub const SECRET: &str = "chain-test-secret";
pub const REGION: &str = testkit::aws::REGION;
/// The jobs queue's redrive: as in the template.
pub const MAX_RECEIVES: u32 = 5;

/// moto, the clients, and the stack's resources.
pub struct Aws {
    pub moto: MotoServer,
    pub config: aws_config::SdkConfig,
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub capture_url: String,
    pub jobs_url: String,
    pub dlq_url: String,
}

impl Aws {
    /// Starts moto and creates the bucket (with its notification to a
    /// capture queue), the jobs queue with its DLQ, and the table.
    pub async fn start() -> Self {
        let moto = MotoServer::start();
        let config = testkit::aws::sdk_config(&moto).await;
        let s3 = testkit::aws::s3_client(&config);
        let sqs = aws_sdk_sqs::Client::new(&config);
        let dynamo = aws_sdk_dynamodb::Client::new(&config);

        let dlq_url = create_queue(&sqs, "jobs-dlq", HashMap::new()).await;
        let dlq_arn = queue_arn(&sqs, &dlq_url).await;
        let redrive =
            json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES}).to_string();
        let jobs_url = create_queue(
            &sqs,
            "jobs",
            HashMap::from([(QueueAttributeName::RedrivePolicy, redrive)]),
        )
        .await;
        let capture_url = create_queue(&sqs, "s3-events", HashMap::new()).await;
        let capture_arn = queue_arn(&sqs, &capture_url).await;

        // Versioned, as the template's bucket is: a deletion leaves a
        // delete marker, and events carry version ids.
        testkit::aws::versioned_bucket(&s3, BUCKET).await;
        testkit::aws::notify_queue(&s3, BUCKET, &capture_arn, &["recipes/", "makes/"]).await;
        DynamoStore::create_table(&dynamo, TABLE)
            .await
            .expect("table created");
        let aws = Self {
            moto,
            config,
            s3,
            sqs,
            dynamo,
            capture_url,
            jobs_url,
            dlq_url,
        };
        // moto announces the notification with an s3:TestEvent; take it out of the way.
        let first = aws
            .receive_raw(&aws.capture_url, 1, Duration::from_secs(10))
            .await;
        assert!(
            first
                .iter()
                .all(|m| m.body().unwrap_or("").contains("s3:TestEvent")),
            "expected the test event first"
        );
        aws.delete(&aws.capture_url, &first).await;
        aws
    }

    pub async fn upload(&self, key: &str, body: &[u8]) {
        testkit::aws::put_object(&self.s3, BUCKET, key, body).await;
    }

    /// Removes the object under `key` for good: its current version is
    /// deleted by version id (no delete marker), which, for an object with
    /// one version, makes moto raise `ObjectRemoved:Delete`.
    pub async fn remove_for_good(&self, key: &str) {
        let head = self
            .s3
            .head_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .expect("the object exists");
        self.s3
            .delete_object()
            .bucket(BUCKET)
            .key(key)
            .version_id(head.version_id().expect("a versioned bucket"))
            .send()
            .await
            .expect("deleted");
    }

    /// Receives up to `want` messages from a queue within `patience`.
    pub async fn receive_raw(
        &self,
        url: &str,
        want: usize,
        patience: Duration,
    ) -> Vec<aws_sdk_sqs::types::Message> {
        let deadline = Instant::now() + patience;
        let mut got = Vec::new();
        while got.len() < want && Instant::now() < deadline {
            got.extend(self.receive(url, want - got.len(), 1).await);
        }
        got
    }

    /// One receive of up to `max` messages (ten at most), with their
    /// receive counts, from the queue at `url`, waiting up to
    /// `wait_seconds` for one.
    async fn receive(
        &self,
        url: &str,
        max: usize,
        wait_seconds: i32,
    ) -> Vec<aws_sdk_sqs::types::Message> {
        self.sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(i32::try_from(max.min(10)).unwrap_or(10))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .wait_time_seconds(wait_seconds)
            .send()
            .await
            .expect("receive")
            .messages()
            .to_vec()
    }

    pub async fn delete(&self, url: &str, messages: &[aws_sdk_sqs::types::Message]) {
        for message in messages {
            if let Some(handle) = message.receipt_handle() {
                self.sqs
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("deleted");
            }
        }
    }

    /// One receive of up to ten messages (with their receive counts) from
    /// the queue at `url`, waiting up to `wait_seconds` for one.
    pub async fn receive_once(
        &self,
        url: &str,
        wait_seconds: i32,
    ) -> Vec<aws_sdk_sqs::types::Message> {
        self.receive(url, 10, wait_seconds).await
    }

    /// Deletes the messages with these receipt handles from the queue at
    /// `url`, in one batch (none: no call).
    pub async fn delete_batch(&self, url: &str, handles: &[String]) {
        if handles.is_empty() {
            return;
        }
        let entries = batch_entries(handles, |id, handle| {
            DeleteMessageBatchRequestEntry::builder()
                .id(id)
                .receipt_handle(handle)
                .build()
        });
        self.sqs
            .delete_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("deleted");
    }

    /// Makes the messages with these receipt handles visible again at once
    /// on the queue at `url`, in one batch (none: no call).
    pub async fn show_batch(&self, url: &str, handles: &[String]) {
        if handles.is_empty() {
            return;
        }
        let entries = batch_entries(handles, |id, handle| {
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id(id)
                .receipt_handle(handle)
                .visibility_timeout(0)
                .build()
        });
        self.sqs
            .change_message_visibility_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("made visible");
    }

    /// The S3 events moto delivered for `count` uploads (taken off the capture queue).
    pub async fn events(&self, count: usize) -> Vec<Value> {
        let messages = self
            .receive_raw(&self.capture_url, count, Duration::from_secs(15))
            .await;
        assert_eq!(
            messages.len(),
            count,
            "moto delivered {} of {count} S3 events",
            messages.len()
        );
        self.delete(&self.capture_url, &messages).await;
        messages
            .iter()
            .map(|m| serde_json::from_str(m.body().unwrap_or("")).expect("an S3 event"))
            .collect()
    }

    /// Runs the watcher on an event, with the real S3 and SQS adapters.
    pub async fn watch(&self, event: Value) -> watcher::EventSummary {
        self.watch_with(event, &S3Objects::new(self.s3.clone()))
            .await
            .expect("the watcher handles the event")
    }

    /// Runs the watcher on an event, reading the bucket through `objects`
    /// (a client with a fault, say); its result, as the Lambda gets it.
    pub async fn watch_with(
        &self,
        event: Value,
        objects: &S3Objects,
    ) -> Result<watcher::EventSummary, watcher::WatcherError> {
        let jobs = SqsJobs::new(self.sqs.clone(), &self.jobs_url);
        watcher::handle_event(
            event,
            &watcher::Deps::new(objects, &jobs, Limits::default()),
        )
        .await
    }

    /// An S3 client like [`Aws::s3`] whose calls go through `fault`, and
    /// which tries a failed call twice, as the SDK's retries would (quickly).
    pub fn s3_with(&self, fault: &SdkFault) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.config)
                .force_path_style(true)
                .retry_config(quick_retries())
                .interceptor(fault.clone())
                .build(),
        )
    }

    /// A DynamoDB client like [`Aws::dynamo`] whose calls go through `fault`.
    pub fn dynamo_with(&self, fault: &SdkFault) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&self.config)
                .retry_config(quick_retries())
                .interceptor(fault.clone())
                .build(),
        )
    }

    /// How many messages a queue holds (visible or not).
    pub async fn depth(&self, url: &str) -> usize {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .expect("queue attributes");
        let attributes = out.attributes().cloned().unwrap_or_default();
        [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        ]
        .iter()
        .map(|k| {
            attributes
                .get(k)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
        })
        .sum()
    }

    /// Plays Lambda's SQS event source once: receives up to ten jobs, invokes
    /// the sender with them, deletes those that succeeded and makes the
    /// failed ones visible again at once. Returns the messages and the ids
    /// the sender reported as failed.
    pub async fn deliver(
        &self,
        gateway: &Gateway,
    ) -> (Vec<aws_sdk_sqs::types::Message>, Vec<String>) {
        self.deliver_with(&gateway.sender_deps(self)).await
    }

    /// [`Aws::deliver`] to a sender with `deps` (a short timeout, a faulty
    /// client).
    pub async fn deliver_with(
        &self,
        deps: &sender::Deps,
    ) -> (Vec<aws_sdk_sqs::types::Message>, Vec<String>) {
        let messages = self
            .receive_raw(&self.jobs_url, 10, Duration::from_secs(3))
            .await;
        if messages.is_empty() {
            return (messages, Vec::new());
        }
        let mut event = SqsEvent::default();
        event.records = messages.iter().map(lambda_record).collect();
        let response = sender::handle_event(event, deps)
            .await
            .expect("every message has an id");
        let failed: Vec<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        self.settle(&messages, &failed).await;
        (messages, failed)
    }

    pub async fn invoke_sender(
        &self,
        gateway: &Gateway,
        messages: &[aws_sdk_sqs::types::Message],
    ) -> SqsBatchResponse {
        let mut event = SqsEvent::default();
        event.records = messages.iter().map(lambda_record).collect();
        sender::handle_event(event, &gateway.sender_deps(self))
            .await
            .expect("every message has an id")
    }

    /// Deletes the delivered `messages`, except the `failed` ones (by
    /// message id), which are made visible again at once.
    pub async fn settle(&self, messages: &[aws_sdk_sqs::types::Message], failed: &[String]) {
        let (again, done): (Vec<_>, Vec<_>) = messages
            .iter()
            .partition(|m| failed.iter().any(|id| Some(id.as_str()) == m.message_id()));
        let handles = |of: Vec<&aws_sdk_sqs::types::Message>| -> Vec<String> {
            of.iter()
                .filter_map(|m| m.receipt_handle().map(str::to_owned))
                .collect()
        };
        self.show_batch(&self.jobs_url, &handles(again)).await;
        self.delete_batch(&self.jobs_url, &handles(done)).await;
    }

    /// Delivers until the queue is empty (or `rounds` runs out).
    pub async fn drain(&self, gateway: &Gateway, rounds: usize) {
        for _ in 0..rounds {
            let (messages, _) = self.deliver(gateway).await;
            if messages.is_empty() && self.depth(&self.jobs_url).await == 0 {
                return;
            }
        }
    }
}

/// One SQS batch entry per receipt handle, each with its index as its entry
/// id (`entry` builds one from the id and the handle).
fn batch_entries<T, E: std::fmt::Debug>(
    handles: &[String],
    entry: impl Fn(String, &str) -> Result<T, E>,
) -> Vec<T> {
    handles
        .iter()
        .enumerate()
        .map(|(i, handle)| entry(i.to_string(), handle).expect("an entry"))
        .collect()
}

/// An SQS message as Lambda hands it to the function.
pub fn lambda_record(message: &aws_sdk_sqs::types::Message) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = message.message_id().map(str::to_owned);
    record.receipt_handle = message.receipt_handle().map(str::to_owned);
    record.body = message.body().map(str::to_owned);
    record.event_source = Some("aws:sqs".into());
    record.aws_region = Some(REGION.into());
    let count = message
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .cloned()
        .unwrap_or_else(|| "1".into());
    record
        .attributes
        .insert("ApproximateReceiveCount".into(), count);
    record
}

/// The SDK's standard retries, two attempts with a short wait: a throttled
/// call is retried as in AWS, and a test does not wait seconds for it.
fn quick_retries() -> aws_smithy_types::retry::RetryConfig {
    aws_smithy_types::retry::RetryConfig::standard()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(10))
}

/// How an [`SdkFault`] answers for AWS.
#[derive(Clone, Copy, Debug)]
pub enum FaultKind {
    /// S3's `503 SlowDown`, with the body S3 sends: it names the resource
    /// (the bucket and the key), as S3's error bodies do.
    SlowDown,
    /// DynamoDB's `TransactionCanceledException` for a conflict with
    /// another transaction (a lost race, retried by the store).
    TransactionConflict,
    /// A panic in the middle of the call, whose message quotes the request
    /// (as a string-slicing panic quotes the text it sliced).
    Panic,
}

/// A fault in an SDK client (an interceptor): while armed, every attempt of
/// the named operation gets the answer of [`FaultKind`] instead of the
/// service's. It keeps the URI and body of each request it failed, so a
/// test can show what the failing call was about.
#[derive(Clone, Debug)]
pub struct SdkFault {
    operation: &'static str,
    kind: FaultKind,
    /// Attempts still to fail.
    remaining: Arc<AtomicUsize>,
    failed: Arc<Mutex<Vec<String>>>,
}

/// Set on an attempt between sending and reading: this attempt is failed.
#[derive(Clone, Debug)]
struct Failing(bool);

impl aws_smithy_types::config_bag::Storable for Failing {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl SdkFault {
    /// A fault of `kind` on `operation` (`GetObject`, `TransactWriteItems`),
    /// armed until [`SdkFault::disarm`].
    pub fn new(operation: &'static str, kind: FaultKind) -> Self {
        Self {
            operation,
            kind,
            remaining: Arc::new(AtomicUsize::new(usize::MAX)),
            failed: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Every attempt fails again, until [`SdkFault::disarm`].
    pub fn arm(&self) {
        self.remaining.store(usize::MAX, Ordering::SeqCst);
    }

    /// The service answers again.
    pub fn disarm(&self) {
        self.remaining.store(0, Ordering::SeqCst);
    }

    /// The requests failed so far: each as its URI, a space, and its body.
    pub fn failed(&self) -> Vec<String> {
        self.failed.lock().unwrap().clone()
    }
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for SdkFault {
    fn name(&self) -> &'static str {
        "SdkFault"
    }

    fn modify_before_transmit(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let operation = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name().to_owned());
        let failing = operation.as_deref() == Some(self.operation)
            && self
                .remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        if failing {
            let request = context.request_mut();
            let body = request
                .body()
                .bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            let seen = format!("{} {body}", request.uri());
            if let FaultKind::Panic = self.kind {
                panic!("cannot handle {seen}");
            }
            self.failed.lock().unwrap().push(seen);
            // A failed call has no effect: what reaches moto is an empty
            // request (whose answer is replaced), never the write itself.
            if !body.is_empty() {
                *request.body_mut() = aws_smithy_types::body::SdkBody::from("{}");
                request.headers_mut().insert("content-length", "2");
            }
        }
        cfg.interceptor_state().store_put(Failing(failing));
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if !cfg.load::<Failing>().is_some_and(|f| f.0) {
            return Ok(());
        }
        let resource = self
            .failed()
            .last()
            .and_then(|seen| seen.split(' ').next().map(str::to_owned))
            .and_then(|uri| uri.split_once("://").map(|(_, rest)| rest.to_owned()))
            .and_then(|rest| rest.split_once('/').map(|(_, path)| format!("/{path}")))
            .unwrap_or_default();
        let (status, content_type, body) = match self.kind {
            FaultKind::SlowDown => (
                503,
                "application/xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><Resource>{resource}</Resource><RequestId>FAULT0123456789AB</RequestId></Error>"
                ),
            ),
            FaultKind::TransactionConflict => (
                400,
                "application/x-amz-json-1.0",
                json!({
                    "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                    "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
                    "CancellationReasons": [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}],
                })
                .to_string(),
            ),
            FaultKind::Panic => return Ok(()),
        };
        let mut response = aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(status)?,
            aws_smithy_types::body::SdkBody::from(body),
        );
        response.headers_mut().insert("content-type", content_type);
        response
            .headers_mut()
            .insert("x-amz-request-id", "FAULT0123456789AB");
        response
            .headers_mut()
            .insert("x-amzn-requestid", "FAULT0123456789AB");
        *context.response_mut() = response;
        Ok(())
    }
}

/// Everything the chain logs at `info` and above, as JSON lines: every
/// part of the chain runs in the test's process, so this is what all
/// three functions' log groups would hold.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut all) = self.0.lock() {
            all.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        self.0
            .lock()
            .map(|all| String::from_utf8_lossy(&all).into_owned())
            .unwrap_or_default()
    }
}

/// Captures the process's logs from here on (once per test binary: the
/// tests of one file share the capture, so each plants its own words).
pub fn capture_logs() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            tracing_subscriber::fmt()
                .json()
                .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
                .with_writer(move || writer.clone())
                .init();
            captured
        })
        .clone()
}

/// Faults the gateway injects.
#[derive(Default)]
pub struct Faults {
    /// Answer this many of the next writes with a 500.
    pub errors: AtomicUsize,
    /// Hold this many of the next writes for [`STALL`] before passing them
    /// on: a sender that waits less times out.
    pub stalls: AtomicUsize,
}

/// How long a stalled write is held.
pub const STALL: Duration = Duration::from_secs(2);

/// API Gateway, played by a small server in front of the recipe server: it
/// refuses writes whose SigV4 signature does not verify (as the IAM
/// authorizer does), puts the authorizer into the request context for the
/// server, and can inject faults. It can be stopped and started again on
/// the same port (the server being down).
pub struct Gateway {
    pub addr: SocketAddr,
    pub faults: Arc<Faults>,
    pub verified: Arc<AtomicUsize>,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    store: Arc<DynamoStore>,
    erasure: recipe_server::service::Erasure,
}

impl Gateway {
    pub async fn start(aws: &Aws) -> Self {
        Self::start_with(aws, aws.dynamo.clone(), aws.s3.clone()).await
    }

    /// Starts a gateway whose server keeps its records through `dynamo` and
    /// purges the bucket through `s3` (clients with faults, say).
    pub async fn start_with(
        aws: &Aws,
        dynamo: aws_sdk_dynamodb::Client,
        s3: aws_sdk_s3::Client,
    ) -> Self {
        let store = Arc::new(DynamoStore::new(dynamo, TABLE));
        // As the Lambda builds it: the bucket and the dead-letter queue.
        let erasure = recipe_server::service::Erasure::new(shared::store::ObjectIds::for_tests())
            .with_bucket(Arc::new(aws_adapters::S3Purge::new(s3, BUCKET)))
            .with_jobs(Arc::new(aws_adapters::SqsDeadLetters::new(
                aws.sqs.clone(),
                aws.dlq_url.clone(),
            )));
        let gateway = Self {
            erasure,
            addr: SocketAddr::from(([127, 0, 0, 1], testkit::free_port())),
            faults: Arc::new(Faults::default()),
            verified: Arc::new(AtomicUsize::new(0)),
            stop: Mutex::new(None),
            store,
        };
        gateway.up().await;
        gateway
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's state, as the Lambda builds it.
    pub fn state(&self) -> recipe_server::AppState {
        recipe_server::AppState::new(recipe_server::Parts {
            store: self.store.clone(),
            limits: Limits::default(),
            auth: recipe_server::Auth::ApiGateway {
                public_reads: true,
                read_group: "readers".into(),
                // The role of the sessions the gateway's IAM check reports.
                writer_role: "sender".into(),
                smoke_scope: None,
                upload_group: "cooks".into(),
                erasers: recipe_server::Erasers {
                    any: "eraser".into(),
                    smoke: None,
                },
            },
            erasure: self.erasure.clone(),
            dashboard: None,
            uploads: None,
            pages: None,
        })
    }

    /// Starts serving (again).
    pub async fn up(&self) {
        let app = recipe_server::router(self.state());
        let (faults, verified) = (Arc::clone(&self.faults), Arc::clone(&self.verified));
        let front = axum::Router::new().fallback(move |request: Request| {
            let (app, faults, verified) = (app.clone(), Arc::clone(&faults), Arc::clone(&verified));
            async move { authorise_and_forward(app, request, &faults, &verified).await }
        });
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(listener) => break listener,
                // The previous listener may still be closing.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, front)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        *self.stop.lock().unwrap() = Some(tx);
    }

    /// Stops serving: calls now fail to connect.
    pub async fn down(&self) {
        if let Some(stop) = self.stop.lock().unwrap().take() {
            let _ = stop.send(());
        }
        // Wait until the port refuses connections.
        while tokio::net::TcpStream::connect(self.addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The sender's dependencies, as its Lambda builds them: SigV4 with the
    /// function's credentials, and S3 for claim checks.
    pub fn sender_deps(&self, aws: &Aws) -> sender::Deps {
        self.sender_deps_with(aws.s3.clone(), Duration::from_secs(5))
    }

    /// The sender's dependencies, reading claim checks through `s3` and
    /// giving each call to the server at most `timeout`.
    pub fn sender_deps_with(&self, s3: aws_sdk_s3::Client, timeout: Duration) -> sender::Deps {
        let credentials = aws_credential_types::Credentials::new(
            ACCESS_KEY,
            SECRET,
            Some("session-token".into()),
            None,
            "test",
        );
        let signer = sender::SigV4Signer::new(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
            REGION,
        );
        let api = sender::HttpApi::new(&self.url(), sender::Signer::SigV4(signer), timeout)
            .expect("client");
        sender::Deps::new(
            Arc::new(api),
            Arc::new(S3Objects::new(s3)),
            Limits::default(),
        )
    }

    /// A read through the gateway.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (address, path) = (self.addr.to_string(), path.to_owned());
        let response = tokio::task::spawn_blocking(move || testkit::http::get(&address, &path))
            .await
            .expect("task")
            .expect("the gateway answers");
        (
            StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            response.json,
        )
    }

    /// A `DELETE` (an erasure) through the gateway, signed with SigV4 as an
    /// operator's tool signs it; the status.
    pub async fn erase(&self, path: &str) -> StatusCode {
        let credentials =
            aws_credential_types::Credentials::new(ERASER_ACCESS_KEY, SECRET, None, None, "test");
        let signer = sender::SigV4Signer::new(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
            REGION,
        );
        let url = format!("{}{path}", self.url());
        let signed = signer.sign("DELETE", &url, &[], b"").await.expect("signed");
        let (address, path) = (self.addr.to_string(), path.to_owned());
        let response = tokio::task::spawn_blocking(move || {
            let headers: Vec<(&str, &str)> = signed.iter().map(|(n, v)| (*n, v.as_str())).collect();
            testkit::http::request(&address, "DELETE", &path, &headers, b"")
        })
        .await
        .expect("task")
        .expect("the gateway answers");
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The stored rejections (the first page), through the API.
    pub async fn rejections(&self) -> Vec<Value> {
        let (status, body) = self.get("/rejections").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"].as_array().cloned().expect("an items list")
    }

    /// The makes of a recipe, through the API.
    pub async fn makes(&self, recipe_id: &str) -> Vec<Value> {
        let (status, body) = self
            .get(&format!("/recipes/{recipe_id}/makes?limit=100"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"].as_array().cloned().unwrap_or_default()
    }
}

async fn authorise_and_forward(
    app: axum::Router,
    request: Request,
    faults: &Faults,
    verified: &AtomicUsize,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = body.collect().await.map(|b| b.to_bytes()) else {
        return (StatusCode::BAD_REQUEST, "unreadable body").into_response();
    };
    let write = parts.method != axum::http::Method::GET;
    let mut context = json!({
        "routeKey": "$default", "accountId": "123456789012", "stage": "$default", "requestId": "test",
        "apiId": "test", "domainName": "test", "time": "", "timeEpoch": 0,
        "http": {"method": parts.method.as_str(), "path": parts.uri.path(), "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"}
    });
    if write {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        match testkit::sigv4::verify(
            parts.method.as_str(),
            parts.uri.path(),
            parts.uri.query().unwrap_or(""),
            header,
            &bytes,
            SECRET,
            "execute-api",
        ) {
            Ok(access_key) => {
                verified.fetch_add(1, Ordering::SeqCst);
                // The session's role, as IAM would report it: the eraser's
                // for the operator's key, else the sender's.
                let role = if access_key == ERASER_ACCESS_KEY {
                    "eraser"
                } else {
                    "sender"
                };
                context["authorizer"] = json!({"iam": {"accessKey": access_key, "accountId": "123456789012", "userArn": format!("arn:aws:sts::123456789012:assumed-role/{role}/{role}")}});
            }
            Err(reason) => {
                return (
                    StatusCode::FORBIDDEN,
                    Json(json!({"message": format!("Forbidden: {reason}")})),
                )
                    .into_response();
            }
        }
        // A slow server (or gateway): held, then passed on.
        if faults
            .stalls
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            tokio::time::sleep(STALL).await;
        }
        // A fault injected after the signature check, as a server error would be.
        if faults
            .errors
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"message": "Internal Server Error"})),
            )
                .into_response();
        }
    }
    let context: lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext =
        serde_json::from_value(context).expect("a request context");
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request
        .extensions_mut()
        .insert(lambda_http::request::RequestContext::ApiGatewayV2(context));
    tower_oneshot(app, request).await
}

struct Json(Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        ([("content-type", "application/json")], self.0.to_string()).into_response()
    }
}

async fn tower_oneshot(app: axum::Router, request: Request) -> Response {
    match tower::ServiceExt::oneshot(app, request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Test documents.
pub const RECIPE: &[u8] = include_bytes!("../../../fixtures/pairs/apple-pie/recipe.json");
pub const MAKE: &[u8] = include_bytes!("../../../fixtures/pairs/apple-pie/make.json");

/// The Apple Pie make with another (or no) make id.
pub fn make_with_id(id: Option<&str>) -> Vec<u8> {
    let mut make: Value = serde_json::from_slice(MAKE).expect("fixture");
    match id {
        Some(id) => make["makeId"] = Value::from(id),
        None => {
            make.as_object_mut().map(|m| m.remove("makeId"));
        }
    }
    make.to_string().into_bytes()
}
