//! The job contract: what the watcher puts on the queue and the sender
//! takes off it (the SQS message body). Versioned JSON.
//!
//! ```json
//! {"v": 1, "kind": "make",
//!  "source": {"bucket": "recipes-bucket", "key": "makes/pie 2+1.json", "versionId": "3HL4k…",
//!             "eTag": "d41d8cd9…", "sequencer": "0055AED6DCD90281E5", "size": 1234},
//!  "idempotencyKey": "9f2c…", "correlationId": "job-9f2c1a…", "recipeId": "1",
//!  "payload": {"type": "inline", "document": {…}}}
//! ```
//!
//! The payload is the document itself, a pointer to it in the bucket when
//! it is too large for one message (claim check), or the reason the
//! watcher refused it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::keys::{UploadKind, recipe_id_from_key};
use crate::limits::Limits;
use crate::model::RecipeId;
use crate::refusal::Refusal;

/// The contract's version.
pub const JOB_VERSION: u32 = 1;

/// Payloads larger than this travel by claim check: well inside SQS's
/// message limit, leaving room for the envelope.
pub const MAX_INLINE_BYTES: usize = 192 * 1024;

/// Where an upload came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The bucket (or, locally, the bucket folder's name).
    pub bucket: String,
    /// The object key, decoded (`makes/pie 2+1.json`, not `makes/pie+2%2B1.json`).
    pub key: String,
    /// The object version, when the bucket is versioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The object's entity tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
    /// S3's ordering token for events on one key; locally, the file's
    /// modification time and size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequencer: Option<String>,
    /// The object's size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// For one recipe of an app's archive: the entry's name in the archive
    /// (`key` names the archive). Each entry is an upload of its own, with
    /// its own idempotency key; a claim check of it names the archive, and
    /// the sender reads this entry out of it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

impl Source {
    /// The idempotency key of an upload: the same event delivered twice
    /// gives the same key; a deliberate re-upload (a new version or
    /// sequencer) gives a new one. SHA-256 over the source, hex.
    pub fn idempotency_key(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            "recipe-diff/v1",
            &self.bucket,
            &self.key,
            self.version_id.as_deref().unwrap_or(""),
            self.e_tag.as_deref().unwrap_or(""),
            self.sequencer.as_deref().unwrap_or(""),
        ] {
            // Length-prefixed, so that no two sources hash the same bytes.
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        // An archive's entry adds its name (a source without one hashes
        // as it always did, so existing keys stand).
        if let Some(entry) = &self.entry {
            let tagged = format!("entry:{entry}");
            hash.update((tagged.len() as u64).to_be_bytes());
            hash.update(tagged.as_bytes());
        }
        hex::encode(hash.finalize())
    }

    /// The correlation id of the job for this source, which
    /// [`Job::new`] gives it: known before the job is, so that every log
    /// line of the upload carries it.
    pub fn correlation_id(&self) -> String {
        correlation_id(&self.idempotency_key())
    }
}

/// A job's correlation id: `job-` and the first 16 digits of its
/// idempotency key.
fn correlation_id(idempotency_key: &str) -> String {
    let start = idempotency_key.get(..16).unwrap_or(idempotency_key);
    format!("job-{start}")
}

/// What the job carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Payload {
    /// The document, inline.
    Inline {
        /// The uploaded JSON.
        document: Value,
    },
    /// Too large for a message: fetch it from the bucket.
    ClaimCheck {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The version to fetch, when versioned.
        #[serde(default, rename = "versionId", skip_serializing_if = "Option::is_none")]
        version_id: Option<String>,
    },
    /// The object was deleted from the bucket (in a versioned bucket, a
    /// delete marker hides it): what came from it goes too.
    Deleted,
    /// The watcher refused the upload; the sender records why. Its
    /// fields (`code`, `message`, `path`) stand beside the `type`.
    Rejected(Refusal),
}

/// One unit of work for the sender.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The contract's version ([`JOB_VERSION`]).
    pub v: u32,
    /// A recipe version or a make.
    pub kind: UploadKind,
    /// Where it came from.
    pub source: Source,
    /// Names the effect: the same upload, the same key.
    pub idempotency_key: String,
    /// Follows the job through the logs of every part of the chain.
    pub correlation_id: String,
    /// For makes: the recipe named in the document (the sender's URL needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe_id: Option<String>,
    /// The document, a pointer to it, or the refusal.
    pub payload: Payload,
}

impl Job {
    /// Whether this job would bring back something an erasure removes:
    /// its source is one of `object_keys`, or, when a recipe is erased, it
    /// is a make of `recipe_id` or its document (or, failing that, its
    /// key) names the recipe.
    pub fn names(&self, recipe_id: Option<&RecipeId>, object_keys: &[String]) -> bool {
        if object_keys.contains(&self.source.key) {
            return true;
        }
        let Some(recipe_id) = recipe_id else {
            return false;
        };
        if self.recipe_id.as_deref() == Some(recipe_id.as_str()) {
            return true;
        }
        let from_key = recipe_id_from_key(&self.source.key);
        match (&self.kind, &self.payload) {
            (UploadKind::Recipe, Payload::Inline { document }) => {
                crate::parse::recipe_from_value(document, &Limits::default(), from_key.as_ref())
                    .is_ok_and(|recipe| recipe.id == *recipe_id)
            }
            (UploadKind::Recipe, _) => from_key.as_ref() == Some(recipe_id),
            _ => false,
        }
    }

    /// A job for `source`, with its key and a correlation id derived from it.
    pub fn new(
        kind: UploadKind,
        source: Source,
        recipe_id: Option<String>,
        payload: Payload,
    ) -> Self {
        let idempotency_key = source.idempotency_key();
        let correlation_id = correlation_id(&idempotency_key);
        Self {
            v: JOB_VERSION,
            kind,
            source,
            idempotency_key,
            correlation_id,
            recipe_id,
            payload,
        }
    }

    /// The message body.
    pub fn to_body(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"unserialisable\": \"{e}\"}}"))
    }

    /// Reads a message body; a body that is not a job of a known version is an error.
    pub fn from_body(body: &str) -> Result<Self, String> {
        let job: Job = serde_json::from_str(body).map_err(|e| format!("not a job: {e}"))?;
        if job.v != JOB_VERSION {
            return Err(format!("job version {} is not {JOB_VERSION}", job.v));
        }
        Ok(job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(sequencer: &str) -> Source {
        Source {
            bucket: "b".into(),
            key: "makes/pie 2+1.json".into(),
            version_id: None,
            e_tag: Some("abc".into()),
            sequencer: Some(sequencer.into()),
            size: Some(10),
            entry: None,
        }
    }

    #[test]
    fn the_same_event_gives_the_same_key_and_a_reupload_a_new_one() {
        assert_eq!(
            source("0055").idempotency_key(),
            source("0055").idempotency_key()
        );
        assert_ne!(
            source("0055").idempotency_key(),
            source("0056").idempotency_key()
        );
        assert_eq!(source("0055").idempotency_key().len(), 64);
    }

    #[test]
    fn each_entry_of_an_archive_has_its_own_key() {
        let entry = |name: &str| Source {
            key: "recipes/export.paprikarecipes".into(),
            entry: Some(name.into()),
            ..source("7")
        };
        let whole = Source {
            key: "recipes/export.paprikarecipes".into(),
            ..source("7")
        };
        assert_eq!(entry("a").idempotency_key(), entry("a").idempotency_key());
        assert_ne!(entry("a").idempotency_key(), entry("b").idempotency_key());
        assert_ne!(entry("a").idempotency_key(), whole.idempotency_key());
        let job = Job::new(UploadKind::Recipe, entry("a"), None, Payload::Deleted);
        let body = job.to_body();
        assert!(body.contains(r#""entry":"a""#), "{body}");
        assert_eq!(Job::from_body(&body), Ok(job));
        assert!(
            !Job::new(UploadKind::Recipe, whole, None, Payload::Deleted)
                .to_body()
                .contains("entry")
        );
    }

    #[test]
    fn a_source_knows_its_jobs_correlation_id() {
        let job = Job::new(UploadKind::Make, source("4"), None, Payload::Deleted);
        assert_eq!(source("4").correlation_id(), job.correlation_id);
        assert_eq!(job.correlation_id.len(), "job-".len() + 16);
    }

    #[test]
    fn a_deletion_travels_as_its_own_payload() {
        let job = Job::new(UploadKind::Recipe, source("2"), None, Payload::Deleted);
        let body = job.to_body();
        assert!(body.contains(r#""payload":{"type":"deleted"}"#), "{body}");
        assert_eq!(Job::from_body(&body), Ok(job));
    }

    /// A rejected job's payload keeps the shape it always had, and a code
    /// this build does not know still reads (a newer watcher's).
    #[test]
    fn a_rejection_travels_as_its_code_message_and_path() {
        use crate::refusal::Code;
        let refusal = Refusal::new(Code::BadKey, "only .json", "$");
        let job = Job::new(
            UploadKind::Make,
            source("3"),
            None,
            Payload::Rejected(refusal),
        );
        let body = job.to_body();
        assert!(
            body.contains(
                r#""payload":{"type":"rejected","code":"bad-key","message":"only .json","path":"$"}"#
            ),
            "{body}"
        );
        assert_eq!(Job::from_body(&body), Ok(job));
        let newer = body.replace("bad-key", "a-newer-code");
        let Ok(Job {
            payload: Payload::Rejected(refusal),
            ..
        }) = Job::from_body(&newer)
        else {
            panic!("not a rejected job: {newer}");
        };
        assert_eq!(refusal.code.to_string(), "a-newer-code");
    }

    #[test]
    fn jobs_round_trip_through_a_message_body() {
        let job = Job::new(
            UploadKind::Make,
            source("1"),
            Some("1".into()),
            Payload::ClaimCheck {
                bucket: "b".into(),
                key: "makes/big.json".into(),
                version_id: Some("v2".into()),
            },
        );
        let body = job.to_body();
        assert!(body.contains(r#""type":"claim-check""#), "{body}");
        assert_eq!(Job::from_body(&body), Ok(job));
        assert!(Job::from_body(r#"{"v": 2}"#).is_err());
        assert!(Job::from_body("not json").is_err());
    }
}
