//! The `UploadForms` port: how the dashboard puts a file into the bucket
//! without a second write path around the chain. The server hands out a
//! signed form for one object (its key, content type, size limit and a
//! short expiry fixed by the signature); the browser posts the file with
//! the form's fields to the form's URL, and the bucket, not the server,
//! receives it. In AWS that is S3's presigned POST; on this machine the
//! local server checks the same conditions and writes into the bucket
//! folder. Either way the watcher sees the new object as it sees any other.

use std::collections::BTreeMap;

use async_trait::async_trait;

/// A posted form's fields (other than the file), by name.
pub type FormFields = BTreeMap<String, String>;

/// One object the dashboard may upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormRequest {
    /// The object key, under `recipes/` or `makes/`.
    pub key: String,
    /// The one content type the upload may carry.
    pub content_type: String,
    /// The largest upload the form allows, in bytes.
    pub max_bytes: u64,
    /// How long the form is good for, in seconds.
    pub expires_in: u64,
}

/// A signed form: post `fields` and then the file (as the form field
/// `file`, last) to `url` as `multipart/form-data`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadForm {
    /// Where to post the form.
    pub url: String,
    /// The form's fields, in order, before the file.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub fields: FormFields,
    /// The object key the upload will have.
    pub key: String,
    /// When the form stops being accepted (RFC 3339, UTC).
    pub expires_at: String,
}

/// Why an upload form was not made, or an upload not taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// The form's signature does not hold: a field was changed.
    #[error("the upload form was changed after it was signed: {0}")]
    Tampered(String),
    /// The form is past its expiry.
    #[error("the upload form expired at {0}; ask for a new one")]
    Expired(String),
    /// The upload breaks one of the form's conditions (its size or type).
    #[error("the upload breaks the form's conditions: {0}")]
    Condition(String),
    /// This adapter does not take uploads itself: the bucket does.
    #[error("uploads go straight to the bucket, not through this server")]
    NotHere,
    /// Signing or storing failed; try again later.
    #[error("the upload could not be prepared or stored: {0}")]
    Unavailable(String),
}

/// Where the dashboard's uploads go.
#[async_trait]
pub trait UploadForms: Send + Sync {
    /// A form for one upload as `request` describes it.
    async fn form(&self, request: &FormRequest) -> Result<UploadForm, UploadError>;

    /// The origin (`https://host`) the browser posts forms to, when it is
    /// not the server's own: the page's security policy must allow it.
    fn origin(&self) -> Option<String> {
        None
    }

    /// Whether this adapter takes posted forms itself ([`Self::accept`]).
    fn takes_forms(&self) -> bool {
        false
    }

    /// Takes a posted form (`fields` and the `file`'s bytes) and stores the
    /// file; answers its key. Only an adapter that is its own bucket takes
    /// uploads: the default is [`UploadError::NotHere`].
    async fn accept(&self, fields: &FormFields, file: &[u8]) -> Result<String, UploadError> {
        let _ = (fields, file);
        Err(UploadError::NotHere)
    }

    /// Puts `file` into the bucket as `request` describes it, for the
    /// server itself (a page a cook imports by its link): under the same
    /// key, type and size conditions as a form for the browser. By default
    /// the adapter signs a form and takes it ([`Self::form`], then
    /// [`Self::accept`]), as this machine's folder does; answers the key.
    async fn put(&self, request: &FormRequest, file: &[u8]) -> Result<String, UploadError> {
        let form = self.form(request).await?;
        self.accept(&form.fields, file).await
    }
}
