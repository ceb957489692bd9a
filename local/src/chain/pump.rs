//! The local sender: takes jobs off the SQLite queue in batches and runs the
//! same sender logic as the Lambda against the server on 127.0.0.1. A job is
//! acknowledged only when it succeeded; a failed one comes back after a
//! backoff, and after the queue's maximum receives it is dead-lettered.

use std::sync::Arc;
use std::time::Duration;

use embedded_adapters::SqliteQueue;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::stopped;

/// Batches worked on at once.
const PUMPS: usize = 4;
/// Jobs taken per batch (SQS's maximum batch for a Lambda is 10 too).
const BATCH: usize = 10;
/// How long an idle pump sleeps when nothing wakes it.
const IDLE: Duration = Duration::from_millis(250);

/// The backoff before a failed job is tried again: 1 s, 2 s, 4 s, … up to 30 s.
fn backoff(receive_count: u32) -> Duration {
    Duration::from_secs(1u64 << receive_count.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

/// Starts the pumps, which send the jobs with `deps`; they end when `stop`
/// turns true, after the batch in hand.
pub fn start(
    queue: SqliteQueue,
    deps: sender::Deps,
    wake: watch::Receiver<u64>,
    stop: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let deps = Arc::new(deps);
    (0..PUMPS)
        .map(|_| {
            let (queue, deps, mut wake, mut stop) =
                (queue.clone(), Arc::clone(&deps), wake.clone(), stop.clone());
            tokio::spawn(async move {
                while !*stop.borrow() {
                    let messages = match queue.receive(BATCH).await {
                        Ok(messages) => messages,
                        Err(error) => {
                            tracing::warn!(%error, "cannot receive jobs");
                            tokio::time::sleep(IDLE).await;
                            continue;
                        }
                    };
                    if messages.is_empty() {
                        tokio::select! {
                            _ = wake.changed() => {}
                            () = tokio::time::sleep(IDLE) => {}
                            () = stopped(&mut stop) => {}
                        }
                        continue;
                    }
                    work(&queue, &deps, messages).await;
                }
            })
        })
        .collect()
}

async fn work(
    queue: &SqliteQueue,
    deps: &sender::Deps,
    messages: Vec<embedded_adapters::Received>,
) {
    let batch: Vec<sender::Message> = messages
        .iter()
        .map(|m| sender::Message {
            id: m.id.to_string(),
            body: m.body.clone(),
            receive_count: m.receive_count,
        })
        .collect();
    let failed = sender::process_batch(batch, deps).await;
    let (mut done, mut retry) = (Vec::new(), Vec::new());
    for message in &messages {
        if failed.contains(&message.id.to_string()) {
            retry.push(message);
        } else {
            done.push(message.id);
        }
    }
    if let Err(error) = queue.ack(&done).await {
        // Unacknowledged jobs come back after the visibility timeout; the
        // server's idempotency makes redoing them harmless.
        tracing::warn!(%error, "cannot acknowledge jobs");
    }
    for message in retry {
        if let Err(error) = queue
            .retry_later(&[message.id], backoff(message.receive_count))
            .await
        {
            tracing::warn!(%error, "cannot schedule a retry");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_thirty_seconds() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(4), Duration::from_secs(8));
        assert_eq!(backoff(9), Duration::from_secs(30));
    }
}
