//! The dashboard's uploads on this machine: the local server signs a form
//! as S3 signs a presigned POST (the key, content type, size limit and
//! expiry, under a secret of this run), and takes the posted form back on
//! `/uploads/form`, checking every condition before it writes the file
//! into the bucket folder, where the watcher picks it up like any other.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use shared::ports::uploads::{FormFields, FormRequest, UploadError, UploadForm, UploadForms};

use crate::{DirObjects, write_whole};

/// The path the local server takes posted forms on.
pub const FORM_PATH: &str = "/uploads/form";

/// What a local form's signature fixes.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Policy {
    key: String,
    content_type: String,
    max_bytes: u64,
    /// Seconds since the Unix epoch.
    expires: u64,
}

/// Signs forms and takes them back, writing into the bucket folder.
pub struct LocalForms {
    bucket: DirObjects,
    mac: Hmac<Sha256>,
}

impl LocalForms {
    /// Forms for the bucket folder `bucket`, signed under a new secret from
    /// the operating system's random source (forms live minutes; a restart
    /// makes new ones).
    ///
    /// # Errors
    /// When the random source fails.
    pub fn new(bucket: DirObjects) -> Result<Self, String> {
        let mut secret = [0_u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| format!("no random source for upload forms: {e}"))?;
        Self::with_secret(bucket, &secret)
    }

    /// Forms signed under `secret` (tests pin it).
    ///
    /// # Errors
    /// When the secret is empty.
    pub fn with_secret(bucket: DirObjects, secret: &[u8]) -> Result<Self, String> {
        let mac = Hmac::<Sha256>::new_from_slice(secret)
            .map_err(|e| format!("an upload-form secret: {e}"))?;
        Ok(Self { bucket, mac })
    }

    fn signature(&self, policy: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(policy.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn verified(&self, fields: &FormFields) -> Result<Policy, UploadError> {
        let field = |name: &str| {
            fields
                .get(name)
                .ok_or_else(|| UploadError::Tampered(format!("the form has no {name} field")))
        };
        let (encoded, signature) = (field("policy")?, field("signature")?);
        let given = hex::decode(signature)
            .map_err(|_| UploadError::Tampered("the signature is not hexadecimal".into()))?;
        let mut mac = self.mac.clone();
        mac.update(encoded.as_bytes());
        mac.verify_slice(&given)
            .map_err(|_| UploadError::Tampered("the signature does not match the policy".into()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| UploadError::Tampered("the policy is not base64".into()))?;
        let policy: Policy = serde_json::from_slice(&bytes)
            .map_err(|e| UploadError::Tampered(format!("the policy does not read: {e}")))?;
        for (name, want) in [("key", &policy.key), ("Content-Type", &policy.content_type)] {
            if field(name)? != want {
                return Err(UploadError::Tampered(format!(
                    "the {name} field is not the one the policy signs"
                )));
            }
        }
        Ok(policy)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn rfc3339(unix: u64) -> String {
    let at = UNIX_EPOCH + Duration::from_secs(unix);
    shared::clock::format_rfc3339(time::OffsetDateTime::from(at))
}

#[async_trait]
impl UploadForms for LocalForms {
    async fn form(&self, request: &FormRequest) -> Result<UploadForm, UploadError> {
        let expires = unix_now() + request.expires_in;
        let policy = Policy {
            key: request.key.clone(),
            content_type: request.content_type.clone(),
            max_bytes: request.max_bytes,
            expires,
        };
        let json = serde_json::to_vec(&policy)
            .map_err(|e| UploadError::Unavailable(format!("a policy: {e}")))?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(json);
        let fields = BTreeMap::from([
            ("key".to_owned(), request.key.clone()),
            ("Content-Type".to_owned(), request.content_type.clone()),
            ("signature".to_owned(), self.signature(&encoded)),
            ("policy".to_owned(), encoded),
        ]);
        Ok(UploadForm {
            url: FORM_PATH.to_owned(),
            fields,
            key: request.key.clone(),
            expires_at: rfc3339(expires),
        })
    }

    fn takes_forms(&self) -> bool {
        true
    }

    async fn accept(&self, fields: &FormFields, file: &[u8]) -> Result<String, UploadError> {
        let policy = self.verified(fields)?;
        if unix_now() >= policy.expires {
            return Err(UploadError::Expired(rfc3339(policy.expires)));
        }
        let size = file.len() as u64;
        if size == 0 || size > policy.max_bytes {
            return Err(UploadError::Condition(format!(
                "the file is {size} bytes; the form takes 1 to {} bytes",
                policy.max_bytes
            )));
        }
        let Some(path) = self.bucket.path_of(&policy.key) else {
            return Err(UploadError::Tampered("the key leaves the bucket".into()));
        };
        let bytes = file.to_vec();
        tokio::task::spawn_blocking(move || write_whole(&path, &bytes))
            .await
            .map_err(|e| {
                UploadError::Unavailable(format!("writing an upload {}", crate::objects::ended(&e)))
            })?
            .map_err(UploadError::Unavailable)?;
        Ok(policy.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(dir: &std::path::Path) -> LocalForms {
        LocalForms::with_secret(DirObjects::new(dir), &[7; 32]).expect("forms")
    }

    fn request(expires_in: u64) -> FormRequest {
        FormRequest {
            key: "makes/dashboard/m1.json".into(),
            content_type: "application/json".into(),
            max_bytes: 10,
            expires_in,
        }
    }

    #[tokio::test]
    async fn a_signed_form_is_taken_and_the_file_lands_under_its_key() {
        let dir = testkit::temp_dir("forms-ok");
        let forms = forms(dir.path());
        let form = forms.form(&request(60)).await.expect("form");
        let key = forms.accept(&form.fields, b"{}").await.expect("taken");
        assert_eq!(key, "makes/dashboard/m1.json");
        let written = std::fs::read(dir.path().join("makes/dashboard/m1.json")).expect("file");
        assert_eq!(written, b"{}");
    }

    #[tokio::test]
    async fn a_changed_expired_or_oversized_form_is_refused_and_writes_nothing() {
        let dir = testkit::temp_dir("forms-refused");
        let forms = forms(dir.path());
        let form = forms.form(&request(60)).await.expect("form");
        let mut other_key = form.fields.clone();
        other_key.insert("key".into(), "makes/dashboard/other.json".into());
        let mut other_type = form.fields.clone();
        other_type.insert("Content-Type".into(), "text/html".into());
        let mut forged = form.fields.clone();
        forged.insert("signature".into(), "00".repeat(32));
        let by_another = LocalForms::with_secret(DirObjects::new(dir.path()), &[8; 32])
            .expect("forms")
            .form(&request(60))
            .await
            .expect("form");
        for (what, fields) in [
            ("another key", &other_key),
            ("another type", &other_type),
            ("a forged signature", &forged),
            ("another secret's form", &by_another.fields),
        ] {
            let refused = forms.accept(fields, b"{}").await;
            assert!(
                matches!(refused, Err(UploadError::Tampered(_))),
                "{what}: {refused:?}"
            );
        }
        let expired = forms.form(&request(0)).await.expect("form");
        let refused = forms.accept(&expired.fields, b"{}").await;
        assert!(
            matches!(refused, Err(UploadError::Expired(_))),
            "{refused:?}"
        );
        for file in [&b""[..], &[b' '; 11][..]] {
            let refused = forms.accept(&form.fields, file).await;
            assert!(
                matches!(refused, Err(UploadError::Condition(_))),
                "{refused:?}"
            );
        }
        assert!(!dir.path().join("makes").exists(), "nothing was written");
    }
}
