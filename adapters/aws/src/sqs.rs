//! [`JobSink`] on SQS: `SendMessageBatch` in batches of at most ten entries
//! (and at most [`MAX_BATCH_BYTES`]), retrying only the entries SQS reports
//! as failed, with exponential backoff and jitter.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasher as _, Hasher as _};
use std::ops::Range;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

use crate::described::describe;
use crate::transient::{is_transient, sdk_error_is_transient};
use shared::job::Job;
use shared::ports::{JobSink, QueueError};

/// Most entries SQS takes in one `SendMessageBatch`.
pub const MAX_BATCH_ENTRIES: usize = 10;

/// Most message-body bytes put in one batch: SQS's classic 256 KiB limit on
/// a batch, which every queue accepts (one larger body goes alone).
pub const MAX_BATCH_BYTES: usize = 256 * 1024;

/// How often and how patiently failed entries are sent again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Calls per batch, the first included.
    pub attempts: u32,
    /// The delay before the first retry; it doubles for each one after.
    pub base: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_secs(2),
        }
    }
}

impl Backoff {
    /// The delay after failed attempt `attempt` (1-based): "equal jitter",
    /// half the exponential step plus a random part of the other half, so
    /// that many watchers throttled at once do not retry in step.
    fn delay(&self, attempt: u32) -> Duration {
        let step = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max);
        let half = step / 2;
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(random.checked_rem(nanos).unwrap_or(0))
    }
}

/// Jobs on an SQS queue, sent through one shared client.
#[derive(Clone, Debug)]
pub struct SqsJobs {
    client: Client,
    queue_url: String,
    backoff: Backoff,
}

impl SqsJobs {
    /// Sends to the queue at `queue_url` with `client`, with the default [`Backoff`].
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
            backoff: Backoff::default(),
        }
    }

    /// The same sink with another retry policy.
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The queue's URL.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }
}

#[async_trait]
impl JobSink for SqsJobs {
    async fn send(&self, jobs: &[Job]) -> Result<(), QueueError> {
        let bodies: Vec<String> = jobs
            .iter()
            .map(|job| sqs_safe(&job.to_body()).into_owned())
            .collect();
        send_with_retries(self, &bodies, &self.backoff).await
    }
}

#[async_trait]
impl BatchCall for SqsJobs {
    async fn call(&self, entries: &[(String, &str)]) -> Result<BatchReply, CallError> {
        let entries = entries
            .iter()
            .map(|(id, body)| {
                SendMessageBatchRequestEntry::builder()
                    .id(id)
                    .message_body(*body)
                    .build()
                    .map_err(|e| CallError::Permanent(format!("cannot build an entry: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|err| {
                let transient = sdk_error_is_transient(&err);
                let message = format!("SendMessageBatch to {}: {}", self.queue_url, describe(&err));
                if transient {
                    CallError::Transient(message)
                } else {
                    CallError::Permanent(message)
                }
            })?;
        Ok(BatchReply {
            accepted: output
                .successful()
                .iter()
                .map(|s| s.id().to_owned())
                .collect(),
            failed: output
                .failed()
                .iter()
                .map(|f| EntryFailure {
                    id: f.id().to_owned(),
                    sender_fault: f.sender_fault(),
                    code: f.code().to_owned(),
                    message: f.message().unwrap_or_default().to_owned(),
                })
                .collect(),
        })
    }
}

/// SQS refuses bodies with characters outside XML's set. `serde_json`
/// escapes the control characters but writes U+FFFE and U+FFFF as they
/// are; both can only appear inside JSON strings, where their `\u` escapes
/// mean the same.
fn sqs_safe(body: &str) -> Cow<'_, str> {
    if !body.contains(['\u{FFFE}', '\u{FFFF}']) {
        return Cow::Borrowed(body);
    }
    Cow::Owned(
        body.replace('\u{FFFE}', "\\ufffe")
            .replace('\u{FFFF}', "\\uffff"),
    )
}

/// The outcome of one batch call, as far as retrying cares.
#[derive(Debug, Default)]
struct BatchReply {
    /// Ids of the entries queued.
    accepted: Vec<String>,
    /// The entries refused, with SQS's reasons.
    failed: Vec<EntryFailure>,
}

#[derive(Debug)]
struct EntryFailure {
    id: String,
    sender_fault: bool,
    code: String,
    message: String,
}

impl EntryFailure {
    /// The sender's fault and not a matter of time (a body SQS will never
    /// take): retrying cannot help.
    fn is_permanent(&self) -> bool {
        self.sender_fault && !is_transient(400, Some(&self.code))
    }
}

/// A whole call failing.
#[derive(Debug)]
enum CallError {
    Transient(String),
    Permanent(String),
}

/// One `SendMessageBatch`, behind a seam so that the retry policy is tested
/// without a queue that can be told to fail.
#[async_trait]
trait BatchCall: Sync {
    async fn call(&self, entries: &[(String, &str)]) -> Result<BatchReply, CallError>;
}

/// Splits bodies into batches of at most [`MAX_BATCH_ENTRIES`] entries and
/// [`MAX_BATCH_BYTES`] bytes.
fn batches(bodies: &[String]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, body) in bodies.iter().enumerate() {
        let full = i - start == MAX_BATCH_ENTRIES || bytes + body.len() > MAX_BATCH_BYTES;
        if i > start && full {
            ranges.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += body.len();
    }
    if start < bodies.len() {
        ranges.push(start..bodies.len());
    }
    ranges
}

/// Sends every body, batch by batch; within a batch only the entries not
/// yet accepted are sent again. Entry ids are the body's index in its
/// batch, stable across attempts.
async fn send_with_retries(
    sqs: &impl BatchCall,
    bodies: &[String],
    backoff: &Backoff,
) -> Result<(), QueueError> {
    let mut failed = 0;
    let mut last_reason = String::new();
    let mut refused = Vec::new();
    let ranges = batches(bodies);
    for (n, range) in ranges.iter().enumerate() {
        let batch = &bodies[range.clone()];
        let mut pending: Vec<usize> = (0..batch.len()).collect();
        let mut unreachable = false;
        for attempt in 1..=backoff.attempts.max(1) {
            let entries: Vec<(String, &str)> = pending
                .iter()
                .map(|&i| (i.to_string(), batch[i].as_str()))
                .collect();
            match sqs.call(&entries).await {
                Ok(reply) => {
                    unreachable = false;
                    let mut done: HashSet<String> = reply.accepted.into_iter().collect();
                    for failure in &reply.failed {
                        // SQS's per-entry messages name the fault, never
                        // the body ("Message must be shorter than …").
                        last_reason = format!("{}: {}", failure.code, failure.message);
                        if failure.is_permanent() {
                            let job = failure
                                .id
                                .parse::<usize>()
                                .map_or(failure.id.clone(), |i| (range.start + i).to_string());
                            refused.push(format!("job {job}: {last_reason}"));
                            done.insert(failure.id.clone());
                        }
                    }
                    // An entry in neither list is not known to be queued: send it again.
                    pending.retain(|i| !done.contains(&i.to_string()));
                }
                Err(CallError::Transient(reason)) => {
                    unreachable = true;
                    last_reason = reason;
                }
                Err(CallError::Permanent(reason)) => return Err(QueueError::Permanent(reason)),
            }
            if pending.is_empty() {
                break;
            }
            if attempt < backoff.attempts {
                tokio::time::sleep(backoff.delay(attempt)).await;
            }
        }
        failed += pending.len();
        if unreachable && !pending.is_empty() {
            // The queue did not answer even once lately: do not wait on it for
            // every remaining batch; the caller retries them all.
            failed += ranges[n + 1..]
                .iter()
                .map(ExactSizeIterator::len)
                .sum::<usize>();
            break;
        }
    }
    if failed > 0 {
        return Err(QueueError::Transient {
            failed,
            total: bodies.len(),
            reason: last_reason,
        });
    }
    if !refused.is_empty() {
        return Err(QueueError::Permanent(refused.join("; ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A queue that refuses chosen entries (by body) a number of times.
    #[derive(Default)]
    struct FlakyQueue {
        /// Body -> (how many more times it fails, sender fault, code).
        failures: Mutex<Vec<(String, u32, bool, &'static str)>>,
        /// Whole calls that fail before any succeeds.
        down_for: Mutex<u32>,
        calls: Mutex<Vec<Vec<String>>>,
        queued: Mutex<Vec<String>>,
    }

    impl FlakyQueue {
        /// A queue that refuses entries as `failures` says.
        fn failing(failures: Vec<(String, u32, bool, &'static str)>) -> Self {
            Self {
                failures: Mutex::new(failures),
                ..Self::default()
            }
        }

        /// A queue whose first `calls` whole calls fail.
        fn down_for(calls: u32) -> Self {
            Self {
                down_for: Mutex::new(calls),
                ..Self::default()
            }
        }

        /// The bodies of each call, in order.
        fn calls(&self) -> Vec<Vec<String>> {
            self.calls.lock().expect("lock").clone()
        }

        /// The bodies queued, in order.
        fn queued(&self) -> Vec<String> {
            self.queued.lock().expect("lock").clone()
        }
    }

    #[async_trait]
    impl BatchCall for FlakyQueue {
        async fn call(&self, entries: &[(String, &str)]) -> Result<BatchReply, CallError> {
            self.calls
                .lock()
                .expect("lock")
                .push(entries.iter().map(|(_, b)| (*b).to_owned()).collect());
            {
                let mut down = self.down_for.lock().expect("lock");
                if *down > 0 {
                    *down -= 1;
                    return Err(CallError::Transient("503 ServiceUnavailable".into()));
                }
            }
            let mut reply = BatchReply::default();
            let mut failures = self.failures.lock().expect("lock");
            for (id, body) in entries {
                match failures.iter_mut().find(|f| f.0 == *body && f.1 > 0) {
                    Some(failure) => {
                        failure.1 -= 1;
                        reply.failed.push(EntryFailure {
                            id: id.clone(),
                            sender_fault: failure.2,
                            code: failure.3.into(),
                            message: "injected".into(),
                        });
                    }
                    None => {
                        self.queued.lock().expect("lock").push((*body).to_owned());
                        reply.accepted.push(id.clone());
                    }
                }
            }
            Ok(reply)
        }
    }

    fn quick() -> Backoff {
        Backoff {
            attempts: 5,
            base: Duration::ZERO,
            max: Duration::ZERO,
        }
    }

    fn bodies(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("job-{i}")).collect()
    }

    #[tokio::test]
    async fn only_the_entries_reported_failed_are_sent_again() {
        let queue = FlakyQueue::failing(vec![
            ("job-3".into(), 2, false, "InternalError"),
            ("job-7".into(), 1, false, "InternalError"),
        ]);
        let sent = send_with_retries(&queue, &bodies(10), &quick()).await;
        assert_eq!(sent, Ok(()));
        let calls = queue.calls();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[0].len(), 10);
        assert_eq!(calls[1], vec!["job-3", "job-7"]);
        assert_eq!(calls[2], vec!["job-3"]);
        let mut queued = queue.queued();
        queued.sort();
        let mut expected = bodies(10);
        expected.sort();
        assert_eq!(queued, expected, "each job queued exactly once");
    }

    #[tokio::test]
    async fn entries_still_failing_after_the_last_attempt_are_counted() {
        let queue = FlakyQueue::failing(vec![(
            "job-12".into(),
            99,
            false,
            "KMS.ThrottlingException",
        )]);
        let sent = send_with_retries(&queue, &bodies(15), &quick()).await;
        match sent {
            Err(QueueError::Transient {
                failed: 1,
                total: 15,
                reason,
            }) => assert!(reason.contains("KMS.ThrottlingException"), "{reason}"),
            other => panic!("expected one transient failure, got {other:?}"),
        }
        // The first batch once, the second batch five times.
        assert_eq!(queue.calls().len(), 6);
        assert_eq!(queue.queued().len(), 14);
    }

    #[tokio::test]
    async fn sender_faults_are_permanent_and_not_retried() {
        let queue = FlakyQueue::failing(vec![("job-4".into(), 99, true, "InvalidMessageContents")]);
        let sent = send_with_retries(&queue, &bodies(10), &quick()).await;
        match sent {
            Err(QueueError::Permanent(reason)) => {
                assert_eq!(reason, "job 4: InvalidMessageContents: injected");
            }
            other => panic!("expected a permanent failure, got {other:?}"),
        }
        assert_eq!(queue.calls().len(), 1);
        assert_eq!(queue.queued().len(), 9, "the others are queued");
    }

    #[tokio::test]
    async fn whole_calls_that_fail_are_retried_and_an_unreachable_queue_gives_up() {
        let queue = FlakyQueue::down_for(2);
        assert_eq!(
            send_with_retries(&queue, &bodies(3), &quick()).await,
            Ok(())
        );
        assert_eq!(queue.queued().len(), 3);

        let queue = FlakyQueue::down_for(99);
        let sent = send_with_retries(&queue, &bodies(25), &quick()).await;
        assert!(
            matches!(
                sent,
                Err(QueueError::Transient {
                    failed: 25,
                    total: 25,
                    ..
                })
            ),
            "{sent:?}"
        );
        assert_eq!(
            queue.calls().len(),
            5,
            "later batches are not tried against a queue that is down"
        );
    }

    #[test]
    fn batches_hold_at_most_ten_entries_and_256_kib() {
        assert_eq!(batches(&bodies(23)), vec![0..10, 10..20, 20..23]);
        assert!(batches(&[]).is_empty());
        let big = "x".repeat(100 * 1024);
        let mixed = vec![big.clone(), big.clone(), big.clone(), "small".into(), big];
        assert_eq!(batches(&mixed), vec![0..2, 2..5]);
        let huge = vec!["y".repeat(300 * 1024), "z".into()];
        assert_eq!(batches(&huge), vec![0..1, 1..2], "a large body goes alone");
    }

    #[test]
    fn backoff_grows_and_stays_within_its_bounds() {
        let backoff = Backoff {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_millis(300),
        };
        for _ in 0..50 {
            let first = backoff.delay(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let late = backoff.delay(4);
            assert!(late >= Duration::from_millis(150) && late <= Duration::from_millis(300));
        }
    }

    #[test]
    fn bodies_escape_the_characters_sqs_refuses() {
        assert!(matches!(sqs_safe(r#"{"a":"b"}"#), Cow::Borrowed(_)));
        let body = serde_json::to_string(&serde_json::json!({"note": "a\u{FFFF}b\u{FFFE}"}))
            .expect("json");
        let safe = sqs_safe(&body);
        assert_eq!(safe, r#"{"note":"a\uffffb\ufffe"}"#);
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["note"], "a\u{FFFF}b\u{FFFE}");
    }
}
