//! Why an upload was refused, and where in the document.

use serde::Serialize;

use crate::path::JsonPath;

/// An upload the chain refuses, with the reason and the JSON path it applies to.
///
/// Every rejection has a stable [`code`](RejectReason::code) for programs and a
/// sentence for people (its `Display`).
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize)]
#[error("{reason} (at {path})")]
pub struct Rejection {
    /// Where in the document the problem is; `$` for the whole document.
    pub path: JsonPath,
    /// What is wrong.
    pub reason: RejectReason,
}

impl Rejection {
    /// A rejection at `path` for `reason`.
    pub fn new(path: JsonPath, reason: RejectReason) -> Self {
        Self { path, reason }
    }

    /// A rejection of the whole document.
    pub fn whole(reason: RejectReason) -> Self {
        Self::new(JsonPath::root(), reason)
    }

    /// The stable machine-readable code of the reason, e.g. `too-deep`.
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }
}

/// The reasons an upload can be refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum RejectReason {
    /// The object is larger than the configured limit.
    #[error("the document is {actual} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The actual size in bytes.
        actual: u64,
    },
    /// The object is empty or only whitespace.
    #[error("the document is empty")]
    Empty,
    /// The bytes are not UTF-8.
    #[error("the document is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The text is not JSON.
    #[error("not valid JSON: {message} (line {line}, column {column})")]
    InvalidJson {
        /// What the JSON parser said.
        message: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// Arrays and objects are nested deeper than allowed.
    #[error("arrays and objects are nested deeper than the limit of {limit}")]
    TooDeep {
        /// The nesting limit.
        limit: usize,
    },
    /// The JSON is neither of the accepted recipe formats.
    #[error(
        "not a recipe: expected the seed format (an object with recipeName and ingredients) or schema.org Recipe JSON-LD"
    )]
    UnknownFormat,
    /// A web page, or a schema.org document, holds no schema.org `Recipe`.
    #[error("no schema.org Recipe found: {detail}")]
    NoRecipe {
        /// What was looked at (the page's JSON-LD blocks, the document's nodes).
        detail: String,
    },
    /// A required field is absent.
    #[error("the required field {field} is missing")]
    Missing {
        /// The field's name.
        field: String,
    },
    /// A value has the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the field must be.
        expected: &'static str,
        /// What the document holds.
        found: &'static str,
    },
    /// A list holds more entries than allowed.
    #[error("{actual} {what}; the limit is {limit}")]
    TooMany {
        /// What is counted (`ingredients`, `steps`, ...).
        what: &'static str,
        /// The limit.
        limit: usize,
        /// How many the document has.
        actual: usize,
    },
    /// A text is longer than allowed.
    #[error("the text is {actual} characters; the limit is {limit}")]
    TextTooLong {
        /// The limit in characters.
        limit: usize,
        /// The length in characters.
        actual: usize,
    },
    /// A text contains a character that is not allowed (control characters).
    #[error("the text contains the control character {character} at character {position}")]
    ControlCharacter {
        /// The character, as `U+0007`.
        character: String,
        /// 0-based position in characters.
        position: usize,
    },
    /// A number is unusable (not finite, negative, too large, unparseable).
    #[error("{message}")]
    InvalidNumber {
        /// What is wrong with it.
        message: String,
    },
    /// A date is not in the expected form.
    #[error("{message}")]
    InvalidDate {
        /// What is wrong with it.
        message: String,
    },
    /// An identifier is unusable.
    #[error("{message}")]
    InvalidId {
        /// What is wrong with it.
        message: String,
    },
    /// Two entries of one list share an id.
    #[error("duplicate id {id:?}; it was first used at {first}")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// Where it was first used.
        first: JsonPath,
    },
    /// The object's key or place in the bucket is not one the chain accepts.
    #[error("{message}")]
    BadKey {
        /// What is wrong with the key.
        message: String,
    },
    /// The recipe id and the object key disagree about the smoke test's
    /// namespace: an id starting `smoke-` from outside its folder, or its
    /// folder holding another id ([`crate::keys::check_smoke_namespace`]).
    #[error("{message}")]
    ReservedRecipeId {
        /// Which way round, and the id.
        message: String,
    },
    /// The recipe server refused the upload for a reason of its own.
    #[error("{message}")]
    Refused {
        /// The server's explanation.
        message: String,
    },
}

impl RejectReason {
    /// The stable machine-readable code, e.g. `too-deep`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too-large",
            Self::Empty => "empty",
            Self::NotUtf8 { .. } => "not-utf8",
            Self::InvalidJson { .. } => "invalid-json",
            Self::TooDeep { .. } => "too-deep",
            Self::UnknownFormat => "unknown-format",
            Self::NoRecipe { .. } => "no-recipe",
            Self::Missing { .. } => "missing",
            Self::WrongType { .. } => "wrong-type",
            Self::TooMany { .. } => "too-many",
            Self::TextTooLong { .. } => "text-too-long",
            Self::ControlCharacter { .. } => "control-character",
            Self::InvalidNumber { .. } => "invalid-number",
            Self::InvalidDate { .. } => "invalid-date",
            Self::InvalidId { .. } => "invalid-id",
            Self::DuplicateId { .. } => "duplicate-id",
            Self::BadKey { .. } => "bad-key",
            Self::ReservedRecipeId { .. } => "reserved-recipe-id",
            Self::Refused { .. } => "refused",
        }
    }
}

/// The JSON type name of a value, for [`RejectReason::WrongType`].
pub fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
