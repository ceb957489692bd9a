//! [`ErasureJournal`] in the upload bucket: one object per erasure under
//! `erasures/` ([`JOURNAL_PREFIX`]), `erasures/<recipe|make>-<hash>.json`,
//! holding the entry as JSON (hashes, the kind and the time).
//!
//! The bucket, not the table: a restore of the table (point-in-time or a
//! backup) cannot roll these back, and the bucket is kept with its
//! versions. The chain follows only `recipes/` and `makes/`, so an entry
//! is never taken for an upload. The name is the entry's own
//! ([`JournalEntry::name`]), so recording an erasure again overwrites its
//! object with the later time: one object per erasure.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use shared::ports::journal::{ErasureJournal, JOURNAL_PREFIX, JournalEntry, JournalError, latest};

use crate::described::describe;

/// The largest entry read back: an entry is ~250 bytes; anything much
/// larger was not written by the journal.
const MAX_ENTRY_BYTES: usize = 4096;

/// The erasure journal in one bucket, written with the recipe server's
/// client.
#[derive(Clone, Debug)]
pub struct S3Journal {
    client: Client,
    bucket: String,
}

impl S3Journal {
    /// The journal under `erasures/` in `bucket`, through `client`.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    fn key(entry: &JournalEntry) -> String {
        format!("{JOURNAL_PREFIX}{}.json", entry.name())
    }
}

/// A failed call: by its kind only (the key holds hashes, but S3's
/// messages are never quoted, as elsewhere).
fn failed<E>(doing: &str, err: &SdkError<E>) -> JournalError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    JournalError::Unavailable(format!("{doing}: {}", describe(err)))
}

#[async_trait]
impl ErasureJournal for S3Journal {
    async fn record(&self, entry: &JournalEntry) -> Result<(), JournalError> {
        if !entry.is_well_formed() {
            return Err(JournalError::Corrupt(
                "an entry that is not hashes only".into(),
            ));
        }
        let body = serde_json::to_vec(entry)
            .map_err(|e| JournalError::Corrupt(format!("an entry as JSON: {e}")))?;
        // PutObject answers only once the object is stored durably.
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(Self::key(entry))
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| failed("recording an erasure", &e))?;
        Ok(())
    }

    async fn entries(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let mut keys = Vec::new();
        let mut token = None;
        loop {
            let listed = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(JOURNAL_PREFIX)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| failed("listing the erasure journal", &e))?;
            keys.extend(
                listed
                    .contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            match listed.next_continuation_token {
                Some(next) if listed.is_truncated == Some(true) => token = Some(next),
                _ => break,
            }
        }
        let mut entries = Vec::with_capacity(keys.len());
        for key in keys {
            let object = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(&key)
                .send()
                .await
                .map_err(|e| failed("reading the erasure journal", &e))?;
            let body = object.body.collect().await.map_err(|_| {
                JournalError::Unavailable("reading the erasure journal: the body stopped".into())
            })?;
            let bytes = body.into_bytes();
            let entry = (bytes.len() <= MAX_ENTRY_BYTES)
                .then(|| serde_json::from_slice::<JournalEntry>(&bytes).ok())
                .flatten()
                .filter(|e| e.is_well_formed() && Self::key(e) == key);
            match entry {
                Some(entry) => entries.push(entry),
                None => {
                    return Err(JournalError::Corrupt(
                        "an object under erasures/ is not an entry the journal writes".into(),
                    ));
                }
            }
        }
        Ok(latest(entries))
    }
}
