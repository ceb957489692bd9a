//! Why an upload was refused, and where in the document.

use serde::Serialize;

use crate::path::JsonPath;
use crate::refusal::{Code, Refusal};

/// An upload the chain refuses, with the reason and the JSON path it applies to.
///
/// Every rejection has a stable [`code`](RejectReason::code) for programs and a
/// sentence for people (its `Display`): the reason is the code's message
/// template, filled in. It travels, rendered, as a [`Refusal`].
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
    pub fn code(&self) -> Code {
        self.reason.code()
    }

    /// The rejection as it travels and is recorded: its code, its sentence
    /// and its path, rendered.
    pub fn to_refusal(&self) -> Refusal {
        Refusal::new(self.code(), self.reason.to_string(), self.path.to_string())
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
    /// A `.cook` document is not Cooklang the parser can read.
    #[error("not valid Cooklang: {message} (line {line}, column {column})")]
    InvalidCooklang {
        /// What the Cooklang parser said.
        message: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error, in characters.
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
    pub fn code(&self) -> Code {
        match self {
            Self::TooLarge { .. } => Code::TooLarge,
            Self::Empty => Code::Empty,
            Self::NotUtf8 { .. } => Code::NotUtf8,
            Self::InvalidJson { .. } => Code::InvalidJson,
            Self::InvalidCooklang { .. } => Code::InvalidCooklang,
            Self::TooDeep { .. } => Code::TooDeep,
            Self::UnknownFormat => Code::UnknownFormat,
            Self::NoRecipe { .. } => Code::NoRecipe,
            Self::Missing { .. } => Code::Missing,
            Self::WrongType { .. } => Code::WrongType,
            Self::TooMany { .. } => Code::TooMany,
            Self::TextTooLong { .. } => Code::TextTooLong,
            Self::ControlCharacter { .. } => Code::ControlCharacter,
            Self::InvalidNumber { .. } => Code::InvalidNumber,
            Self::InvalidDate { .. } => Code::InvalidDate,
            Self::InvalidId { .. } => Code::InvalidId,
            Self::DuplicateId { .. } => Code::DuplicateId,
            Self::BadKey { .. } => Code::BadKey,
            Self::ReservedRecipeId { .. } => Code::ReservedRecipeId,
            Self::Refused { .. } => Code::Refused,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A rejection serialises its reason tagged with the code serde derives
    /// from the variant's name: it must be the reason's [`Code`], spelled.
    #[test]
    fn the_serialised_tag_is_the_reason_s_code() {
        let text = || "x".to_owned();
        let reasons = [
            RejectReason::TooLarge {
                limit: 1,
                actual: 2,
            },
            RejectReason::Empty,
            RejectReason::NotUtf8 { offset: 0 },
            RejectReason::InvalidJson {
                message: text(),
                line: 1,
                column: 1,
            },
            RejectReason::InvalidCooklang {
                message: text(),
                line: 1,
                column: 1,
            },
            RejectReason::TooDeep { limit: 1 },
            RejectReason::UnknownFormat,
            RejectReason::NoRecipe { detail: text() },
            RejectReason::Missing { field: text() },
            RejectReason::WrongType {
                expected: "a",
                found: "b",
            },
            RejectReason::TooMany {
                what: "steps",
                limit: 1,
                actual: 2,
            },
            RejectReason::TextTooLong {
                limit: 1,
                actual: 2,
            },
            RejectReason::ControlCharacter {
                character: text(),
                position: 0,
            },
            RejectReason::InvalidNumber { message: text() },
            RejectReason::InvalidDate { message: text() },
            RejectReason::InvalidId { message: text() },
            RejectReason::DuplicateId {
                id: text(),
                first: JsonPath::root(),
            },
            RejectReason::BadKey { message: text() },
            RejectReason::ReservedRecipeId { message: text() },
            RejectReason::Refused { message: text() },
        ];
        for reason in reasons {
            let rejection = Rejection::whole(reason);
            let json = serde_json::to_value(&rejection).expect("serialises");
            assert_eq!(
                json["reason"]["code"],
                serde_json::Value::from(rejection.code().to_string()),
                "{json}"
            );
            let refusal = rejection.to_refusal();
            assert_eq!(refusal.code, rejection.code());
            assert_eq!(refusal.message, rejection.reason.to_string());
            assert_eq!(refusal.path, "$");
            // Every reason is a refused document: answered 422, recorded.
            assert_eq!(refusal.code.status(), Some(422), "{}", refusal.code);
        }
    }
}
