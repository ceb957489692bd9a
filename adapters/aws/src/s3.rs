//! [`ObjectStore`] on S3: `HeadObject` for the size check, `GetObject` for
//! the bytes, never reading past the caller's limit; and [`ObjectPurge`],
//! which removes every version of a key for an erasure.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use shared::object_id::logged;
use shared::ports::{ObjectError, ObjectPurge, ObjectRef, ObjectStore};

use crate::described::{describe, io_kind};
use crate::transient::sdk_error_is_transient;

/// Uploads in S3 buckets, read through one shared client.
#[derive(Clone, Debug)]
pub struct S3Objects {
    client: Client,
}

impl S3Objects {
    /// Reads objects with `client` (built once per execution environment).
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn size(&self, object: ObjectRef<'_>) -> Result<Option<u64>, ObjectError> {
        let ObjectRef { bucket, key, .. } = object;
        let head = self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .set_version_id(object.version_id.map(str::to_owned))
            .send()
            .await;
        match head {
            Ok(head) => Ok(Some(length(head.content_length()))),
            Err(err) => gone_or(&doing("HeadObject", bucket, key), err),
        }
    }

    async fn get(
        &self,
        object: ObjectRef<'_>,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError> {
        let ObjectRef { bucket, key, .. } = object;
        let doing = doing("GetObject", bucket, key);
        let object = match self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_version_id(object.version_id.map(str::to_owned))
            .send()
            .await
        {
            Ok(object) => object,
            Err(err) => return gone_or(&doing, err),
        };
        let announced = object.content_length().map(|l| length(Some(l)));
        if let Some(size) = announced.filter(|size| *size > max_bytes) {
            return Err(ObjectError::TooLarge {
                size,
                limit: max_bytes,
            });
        }
        let capacity = announced.unwrap_or(0).min(max_bytes);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let mut body = object.body;
        // The announced length is S3's word; the stream is what arrives, so
        // the limit is enforced on it too (a missing or wrong length).
        while let Some(chunk) = body.try_next().await.map_err(|e| {
            // The body's error may quote the connection; its kind is enough.
            let kind = io_kind(&e).map_or_else(String::new, |k| format!(" ({k})"));
            ObjectError::Transient(format!("{doing}: the body stopped{kind}"))
        })? {
            let read = (bytes.len() + chunk.len()) as u64;
            if read > max_bytes {
                return Err(ObjectError::TooLarge {
                    size: announced.unwrap_or(read).max(read),
                    limit: max_bytes,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }
}

/// What a call was doing, for its error: the operation, the bucket, and the
/// key by its pseudonym (a key may name a person or a dish; these messages
/// are logged).
fn doing(operation: &str, bucket: &str, key: &str) -> String {
    format!("{operation} of {} in bucket {bucket}", logged(key))
}

/// A failed call of a purge: transient or not, as the error says.
fn call_failed<E>(doing: &str, err: &SdkError<E>) -> ObjectError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let message = format!("{doing}: {}", describe(err));
    if sdk_error_is_transient(err) {
        ObjectError::Transient(message)
    } else {
        ObjectError::Permanent(message)
    }
}

/// A content length as S3 reports it (never negative in practice).
fn length(content_length: Option<i64>) -> u64 {
    content_length
        .and_then(|l| u64::try_from(l).ok())
        .unwrap_or(0)
}

/// A failed call: `Ok(None)` when the object (or its bucket) is not there,
/// a transient error for throttling, timeouts, the network and 5xx, and a
/// permanent one for anything else (access denied, a malformed request).
fn gone_or<T, E>(doing: &str, err: SdkError<E>) -> Result<Option<T>, ObjectError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let SdkError::ServiceError(context) = &err {
        let status = context.raw().status().as_u16();
        // HeadObject answers 404 without a body, so without a code.
        if status == 404
            || matches!(
                context.err().code(),
                Some("NoSuchKey" | "NotFound" | "NoSuchVersion")
            )
        {
            return Ok(None);
        }
    }
    let transient = sdk_error_is_transient(&err);
    let message = format!("{doing}: {}", describe(&err));
    Err(if transient {
        ObjectError::Transient(message)
    } else {
        ObjectError::Permanent(message)
    })
}

/// [`ObjectPurge`] on one versioned S3 bucket: `ListObjectVersions` finds
/// every version and delete marker of a key, `DeleteObjects` removes them
/// by version id (which removes them for good, not behind a new marker).
#[derive(Clone, Debug)]
pub struct S3Purge {
    client: Client,
    bucket: String,
}

impl S3Purge {
    /// Purges keys of `bucket` with `client`.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }
}

#[async_trait]
impl ObjectPurge for S3Purge {
    async fn purge(&self, key: &str) -> Result<u64, ObjectError> {
        let bucket = &self.bucket;
        let doing = doing("purging every version", bucket, key);
        let refused = |e: &dyn std::fmt::Display| ObjectError::Permanent(format!("{doing}: {e}"));
        let mut removed = 0;
        // Deleting while listing moves the listing on: list again from the
        // start until the key has nothing left.
        loop {
            let listed = self
                .client
                .list_object_versions()
                .bucket(bucket)
                .prefix(key)
                .max_keys(1000)
                .send()
                .await
                .map_err(|e| call_failed(&doing, &e))?;
            // The prefix also matches longer keys: only this key's go.
            let versions = listed
                .versions()
                .iter()
                .filter(|v| v.key() == Some(key))
                .map(|v| v.version_id().map(str::to_owned));
            let markers = listed
                .delete_markers()
                .iter()
                .filter(|m| m.key() == Some(key))
                .map(|m| m.version_id().map(str::to_owned));
            let ids: Vec<ObjectIdentifier> = versions
                .chain(markers)
                .map(|version| {
                    ObjectIdentifier::builder()
                        .key(key)
                        .set_version_id(version)
                        .build()
                        .map_err(|e| refused(&e))
                })
                .collect::<Result<_, _>>()?;
            if ids.is_empty() {
                return Ok(removed);
            }
            let count = ids.len() as u64;
            let delete = Delete::builder()
                .set_objects(Some(ids))
                .quiet(true)
                .build()
                .map_err(|e| refused(&e))?;
            let output = self
                .client
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| call_failed(&doing, &e))?;
            if let Some(error) = output.errors().first() {
                // The code says why; the message may quote the key.
                return Err(ObjectError::Transient(format!(
                    "{doing}: {} of {count} versions were not deleted; the first: {}",
                    output.errors().len(),
                    error.code().unwrap_or("(no error code)"),
                )));
            }
            removed += count;
        }
    }
}
