//! Why the chain refuses something: one closed list of codes ([`Code`]),
//! each with its HTTP status, what the sender does when the server answers
//! it ([`Handling`]) and its title; and a refusal as it travels and is
//! recorded ([`Refusal`]: a code, a sentence and a JSON path).
//!
//! Every code the chain gives is a variant here, spelled on the wire in
//! kebab-case (`RecipeNotFound` is `recipe-not-found`). Code elsewhere names
//! a variant, never its spelling: `shared/tests/codes.rs` fails on a code
//! written as a string anywhere else in the crates' sources, and on a code
//! that docs/formats.md does not list (or one it lists that is not here).
//!
//! A code from a peer that this build does not know still reads: as
//! [`Code::Other`], kept as it was written, recorded as a refusal. So a
//! rejection stored by an older or newer build, or a code a newer server
//! answers an older sender, is never lost or misread as a known one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What the sender does with a write the server answers with a code at
/// that code's own status (invariant 4). The status decides first: 2xx is
/// done, and 401, 403, 408, 429 and 5xx are retried whatever the code
/// ([`crate::wire::Verdict::of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Handling {
    /// Permanent: recorded as a rejection, never retried.
    Record,
    /// Transient: the queue delivers the message again, nothing is recorded.
    Retry,
    /// The upload's object was deleted after it: there is nothing to store
    /// and nothing to reject, so the message is done.
    Superseded,
}

/// The titles the problem documents share (RFC 9457's `title`: one per
/// kind of problem, the same every time).
mod title {
    pub const INVALID_DOCUMENT: &str = "Invalid document";
    pub const BAD_REQUEST: &str = "Bad request";
    pub const NOT_FOUND: &str = "Not found";
    pub const FORBIDDEN: &str = "Forbidden";
}

/// One line of the table: what a code with a fixed spelling means.
struct Row {
    name: &'static str,
    status: u16,
    handling: Handling,
    title: &'static str,
}

/// Declares [`Code`] from its table: one line per code, with its doc, its
/// spelling, its HTTP status, its [`Handling`] and its title. The table is
/// the only place a code's spelling is written.
macro_rules! codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $status:literal, $handling:ident, $title:expr;
    )*) => {
        /// Every code the chain gives: for a refused upload (recorded as a
        /// rejection), and for every problem the recipe server answers.
        /// docs/formats.md lists them, with their statuses.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
            /// `http-<status>`: the server answered a client error (400 to
            /// 499) without a problem document (API Gateway's own `413`,
            /// say), so the sender records the status.
            Http(u16),
            /// A code this build does not know, kept as a peer wrote it
            /// (only [`Code::parse`] makes one, so it never holds a known
            /// code's spelling).
            Other(OtherCode),
        }

        impl Code {
            /// Every code with a fixed spelling, in the table's order.
            pub const ALL: &[Code] = &[$(Code::$variant),*];

            fn row(&self) -> Option<Row> {
                match self {
                    $(Code::$variant => Some(Row {
                        name: $name,
                        status: $status,
                        handling: Handling::$handling,
                        title: $title,
                    }),)*
                    Code::Http(_) | Code::Other(_) => None,
                }
            }

            fn known(text: &str) -> Option<Code> {
                match text {
                    $($name => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    // A document the parser or the limits refuse (`RejectReason`).
    /// The object is over the size limit.
    TooLarge = "too-large", 422, Record, title::INVALID_DOCUMENT;
    /// Nothing but whitespace.
    Empty = "empty", 422, Record, title::INVALID_DOCUMENT;
    /// Not UTF-8.
    NotUtf8 = "not-utf8", 422, Record, title::INVALID_DOCUMENT;
    /// Not JSON.
    InvalidJson = "invalid-json", 422, Record, title::INVALID_DOCUMENT;
    /// A `.cook` document the Cooklang parser refuses.
    InvalidCooklang = "invalid-cooklang", 422, Record, title::INVALID_DOCUMENT;
    /// Nested deeper than the limit.
    TooDeep = "too-deep", 422, Record, title::INVALID_DOCUMENT;
    /// Neither of the accepted formats.
    UnknownFormat = "unknown-format", 422, Record, title::INVALID_DOCUMENT;
    /// A page or a schema.org document with no schema.org `Recipe`.
    NoRecipe = "no-recipe", 422, Record, title::INVALID_DOCUMENT;
    /// A required field is absent.
    Missing = "missing", 422, Record, title::INVALID_DOCUMENT;
    /// A value of the wrong JSON type.
    WrongType = "wrong-type", 422, Record, title::INVALID_DOCUMENT;
    /// More ingredients, steps or fields than allowed.
    TooMany = "too-many", 422, Record, title::INVALID_DOCUMENT;
    /// A text over its limit.
    TextTooLong = "text-too-long", 422, Record, title::INVALID_DOCUMENT;
    /// A control character in a seed text.
    ControlCharacter = "control-character", 422, Record, title::INVALID_DOCUMENT;
    /// A number that is not finite, negative, too large or not an amount.
    InvalidNumber = "invalid-number", 422, Record, title::INVALID_DOCUMENT;
    /// A date that is not ISO 8601.
    InvalidDate = "invalid-date", 422, Record, title::INVALID_DOCUMENT;
    /// An unusable id. In a document (its status); the server answers 400
    /// for one in a URL's path, as for any unusable path.
    InvalidId = "invalid-id", 422, Record, title::INVALID_DOCUMENT;
    /// Two ingredients or steps with one id.
    DuplicateId = "duplicate-id", 422, Record, title::INVALID_DOCUMENT;
    /// An object key the chain does not accept.
    BadKey = "bad-key", 422, Record, title::INVALID_DOCUMENT;
    /// A recipe id in, or out of, the smoke test's namespace.
    ReservedRecipeId = "reserved-recipe-id", 422, Record, title::INVALID_DOCUMENT;
    /// Refused for a reason of the server's own; the fallback for a code
    /// that was empty.
    Refused = "refused", 422, Record, title::INVALID_DOCUMENT;

    // An upload the watcher or the sender cannot read.
    /// The object was deleted before it could be read.
    ObjectGone = "object-gone", 422, Record, "Object gone";
    /// The object cannot be read for good (access denied and the like).
    Unreadable = "unreadable", 422, Record, "Object unreadable";

    // An app's archive, or one of its entries, that the watcher refuses.
    /// Not a zip archive, or an entry that cannot be inflated.
    UnreadableArchive = "unreadable-archive", 422, Record, title::INVALID_DOCUMENT;
    /// An archive or entry over an archive limit (entries, bytes, ratio,
    /// nesting).
    ArchiveLimit = "archive-limit", 422, Record, title::INVALID_DOCUMENT;
    /// An entry whose name would escape the archive.
    UnsafeEntryName = "unsafe-entry-name", 422, Record, title::INVALID_DOCUMENT;

    // An upload the server refuses and records.
    /// A make sent to another recipe than the one it names.
    RecipeIdMismatch = "recipe-id-mismatch", 422, Record, title::INVALID_DOCUMENT;
    /// A make of a recipe whose every version was withdrawn.
    RecipeWithdrawn = "recipe-withdrawn", 422, Record, title::INVALID_DOCUMENT;
    /// A make that, with its diff, is larger than a stored make may be.
    TooLargeToStore = "too-large-to-store", 422, Record, title::INVALID_DOCUMENT;
    /// A make whose id is taken by other content.
    MakeConflict = "make-conflict", 409, Record, "Make conflict";
    /// A version whose `adoptedFrom` or `restoredFrom` names no stored
    /// make or version of its recipe, or that names both.
    InvalidLineage = "invalid-lineage", 422, Record, title::INVALID_DOCUMENT;

    // What the server answers a write that is not (yet) to be recorded.
    /// The make's recipe is not stored (yet): it may be on its way.
    RecipeNotFound = "recipe-not-found", 404, Retry, "Recipe not found";
    /// The recipe a variant names (`variantOf`) is not stored (yet): it
    /// may be on its way.
    ParentNotFound = "parent-not-found", 404, Retry, "Parent recipe not found";
    /// The upload's object was deleted after it: nothing was stored.
    ObjectDeleted = "object-deleted", 410, Superseded, "Object deleted";

    // A body of the wire contract, or of the dashboard, that breaks it.
    /// A posted rejection that breaks the contract.
    InvalidRejection = "invalid-rejection", 422, Record, title::INVALID_DOCUMENT;
    /// A posted deletion that breaks the contract.
    InvalidDeletion = "invalid-deletion", 422, Record, title::INVALID_DOCUMENT;
    /// An upload request (`POST /uploads`) that breaks its contract.
    InvalidUpload = "invalid-upload", 422, Record, title::INVALID_DOCUMENT;
    /// A posted upload form past its expiry.
    UploadFormExpired = "upload-form-expired", 422, Record, title::INVALID_DOCUMENT;
    /// A posted upload that breaks its form's conditions.
    UploadCondition = "upload-condition", 422, Record, title::INVALID_DOCUMENT;
    /// A posted upload form whose signature does not hold.
    UploadFormTampered = "upload-form-tampered", 422, Record, title::INVALID_DOCUMENT;

    // A link a cook imports (`POST /imports`) that cannot be.
    /// An import request that breaks its contract (no http or https URL).
    InvalidImport = "invalid-import", 422, Record, title::INVALID_DOCUMENT;
    /// The link's host is, or resolves to, an address imports may not reach.
    ImportAddressRefused = "import-address-refused", 422, Record, "Address refused";
    /// The link could not be reached, or answered an error status.
    ImportUnreachable = "import-unreachable", 502, Retry, "Page unreachable";
    /// The link did not answer in time.
    ImportTimeout = "import-timeout", 504, Retry, "Page timed out";
    /// The linked page is larger than an upload may be.
    ImportTooLarge = "import-too-large", 422, Record, "Page too large";
    /// The link answers something other than a web page or JSON.
    ImportNotAPage = "import-not-a-page", 422, Record, "Not a web page";
    /// The link redirects more often than an import follows.
    ImportTooManyRedirects = "import-too-many-redirects", 422, Record, "Too many redirects";

    // A request the server cannot read.
    /// A path the router could not read.
    InvalidPath = "invalid-path", 400, Record, title::BAD_REQUEST;
    /// A query parameter out of its range.
    InvalidQuery = "invalid-query", 400, Record, title::BAD_REQUEST;
    /// A cursor this list never handed out.
    InvalidCursor = "invalid-cursor", 400, Record, title::BAD_REQUEST;
    /// A write without an `Idempotency-Key`.
    MissingIdempotencyKey = "missing-idempotency-key", 400, Record, title::BAD_REQUEST;
    /// An `Idempotency-Key` that is not 1 to 255 visible ASCII characters.
    InvalidIdempotencyKey = "invalid-idempotency-key", 400, Record, title::BAD_REQUEST;
    /// An unreadable `X-Object-Key`.
    InvalidObjectKey = "invalid-object-key", 400, Record, title::BAD_REQUEST;
    /// An unreadable `X-Object-Sequencer`.
    InvalidObjectSequencer = "invalid-object-sequencer", 400, Record, title::BAD_REQUEST;
    /// A body that could not be read.
    UnreadableBody = "unreadable-body", 400, Record, title::BAD_REQUEST;
    /// A posted upload form that could not be read.
    UnreadableForm = "unreadable-form", 400, Record, title::BAD_REQUEST;
    /// A body larger than the limit.
    PayloadTooLarge = "payload-too-large", 413, Record, "Payload too large";
    /// A body that is not JSON by its media type.
    UnsupportedMediaType = "unsupported-media-type", 415, Record, "Unsupported media type";

    // Nothing there.
    /// The recipe has no such version.
    VersionNotFound = "version-not-found", 404, Record, title::NOT_FOUND;
    /// The recipe has no such make.
    MakeNotFound = "make-not-found", 404, Record, title::NOT_FOUND;
    /// The dashboard has no such file.
    AssetNotFound = "asset-not-found", 404, Record, title::NOT_FOUND;
    /// The API has no such route.
    NoRoute = "no-route", 404, Record, title::NOT_FOUND;
    /// This server does not take uploads itself: the bucket does.
    NotHere = "not-here", 404, Record, title::NOT_FOUND;
    /// The route does not take this method.
    MethodNotAllowed = "method-not-allowed", 405, Record, "Method not allowed";
    /// A host name the local server does not answer to.
    MisdirectedRequest = "misdirected-request", 421, Record, "Misdirected request";

    // Who may call. The chain's own credentials refused are not the
    // upload's fault: retried until the deployment is fixed.
    /// A write or read without valid credentials.
    Unauthorized = "unauthorized", 401, Retry, "Unauthorized";
    /// Credentials that do not allow this.
    Forbidden = "forbidden", 403, Retry, title::FORBIDDEN;
    /// A write from a page of another origin, locally.
    CrossOriginWrite = "cross-origin-write", 403, Retry, title::FORBIDDEN;

    // The server failed, for now.
    /// The uploads' bucket did not answer, or none is configured.
    UploadsUnavailable = "uploads-unavailable", 503, Retry, "Uploads unavailable";
    /// The store did not answer.
    StoreUnavailable = "store-unavailable", 503, Retry, "Store unavailable";
    /// A bug or corrupt data, logged by the server.
    Internal = "internal", 500, Retry, "Internal error";
}

/// The prefix of [`Code::Http`]'s spelling.
const HTTP_PREFIX: &str = "http-";

/// The client errors [`Code::Http`] may hold.
const HTTP_STATUSES: std::ops::RangeInclusive<u16> = 400..=499;

/// The spellings of `http-400` to `http-499`, built at compile time, so
/// that every code has a `&str` ([`Code::as_str`]) without allocating.
static HTTP_NAMES: [[u8; 8]; 100] = {
    let mut names = [[0u8; 8]; 100];
    let mut i = 0;
    while i < 100 {
        names[i] = [
            b'h',
            b't',
            b't',
            b'p',
            b'-',
            b'4',
            b'0' + (i / 10) as u8,
            b'0' + (i % 10) as u8,
        ];
        i += 1;
    }
    names
};

impl Code {
    /// The code `text` spells: a known one, `http-<status>`, or else
    /// [`Code::Other`] holding the text as it is. It never fails, so that a
    /// peer's code (or a stored one) always reads.
    pub fn parse(text: &str) -> Code {
        if let Some(code) = Code::known(text) {
            return code;
        }
        let status = text
            .strip_prefix(HTTP_PREFIX)
            .filter(|digits| digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u16>().ok())
            .filter(|status| HTTP_STATUSES.contains(status));
        match status {
            Some(status) => Code::Http(status),
            None => Code::Other(OtherCode(text.to_owned())),
        }
    }

    /// The code as the wire spells it (`recipe-not-found`, `http-413`, or a
    /// peer's code as it wrote it).
    pub fn as_str(&self) -> &str {
        match self {
            Code::Http(status) => status
                .checked_sub(*HTTP_STATUSES.start())
                .and_then(|i| HTTP_NAMES.get(usize::from(i)))
                .and_then(|name| std::str::from_utf8(name).ok())
                // Only Code::parse reads a status, and only a client
                // error's; one made by hand outside them has no spelling.
                .unwrap_or(HTTP_PREFIX),
            Code::Other(other) => &other.0,
            known => known.row().map_or("", |row| row.name),
        }
    }

    /// The HTTP status the recipe server answers with this code (for
    /// `http-<status>`, that status); `None` for a code this build does
    /// not know.
    pub fn status(&self) -> Option<u16> {
        match self {
            Code::Http(status) => Some(*status),
            Code::Other(_) => None,
            known => known.row().map(|row| row.status),
        }
    }

    /// What the sender does when the server answers this code at its own
    /// status. A code this build does not know, and `http-<status>`, are
    /// recorded (the status rule retries the transient ones first).
    pub fn handling(&self) -> Handling {
        self.row().map_or(Handling::Record, |row| row.handling)
    }

    /// Whether the sender retries a write the server answers with this
    /// code at its own status.
    pub fn is_retryable(&self) -> bool {
        self.handling() == Handling::Retry
    }

    /// A short summary of what the code means, the same every time: the
    /// problem document's `title`.
    pub fn title(&self) -> &'static str {
        match self {
            Code::Http(_) | Code::Other(_) => "Refused",
            known => known.row().map_or("Refused", |row| row.title),
        }
    }

    /// The problem document's `type` for this code.
    pub fn type_uri(&self) -> String {
        format!("urn:recipe-diff:problem:{self}")
    }

    /// Whether the code is empty (only a peer's can be).
    pub fn is_empty(&self) -> bool {
        matches!(self, Code::Other(other) if other.0.is_empty())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with a spelling, as tests and logs have it.
impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// Compares with a spelling, as tests and logs have it.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Code::parse(&text))
    }
}

/// The text of a code this build does not know ([`Code::Other`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OtherCode(String);

impl OtherCode {
    /// The code as the peer wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Something refused for good, as it travels (a rejected job, a rejection
/// posted to the server, a problem the sender records) and is recorded:
/// the code, the sentence for people, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Why, for programs.
    pub code: Code,
    /// Why, for people.
    pub message: String,
    /// The JSON path it applies to; `$` for the whole document (or for
    /// none in particular).
    pub path: String,
}

impl Refusal {
    /// A refusal at the JSON path `path`.
    pub fn new(code: Code, message: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            path: path.into(),
        }
    }

    /// A refusal of the whole document (`$`).
    pub fn whole(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, message, "$")
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {}): {}", self.code, self.path, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `RecipeNotFound` is `recipe-not-found`: the spelling follows serde's
    /// kebab-case of the variant, so none can be spelled another way.
    fn kebab(variant: &str) -> String {
        let mut out = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('-');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn every_code_is_spelled_in_kebab_case_and_reads_back() {
        for code in Code::ALL {
            let name = code.to_string();
            assert_eq!(name, kebab(&format!("{code:?}")), "{code:?}");
            assert_eq!(Code::parse(&name), *code, "{name}");
            let json = serde_json::to_value(code).expect("serialises");
            assert_eq!(json, serde_json::Value::from(name.as_str()));
            let back: Code = serde_json::from_value(json).expect("deserialises");
            assert_eq!(back, *code);
            // What the wire contract accepts of a code (`wire::code_is_valid`).
            assert!(
                name.len() <= 64
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}"
            );
        }
    }

    /// Every spelling, as the wire has always had it: a renamed variant
    /// fails here.
    #[test]
    fn the_codes_keep_their_spelling() {
        let spelled: Vec<String> = Code::ALL.iter().map(Code::to_string).collect();
        assert_eq!(
            spelled,
            [
                "too-large",
                "empty",
                "not-utf8",
                "invalid-json",
                "invalid-cooklang",
                "too-deep",
                "unknown-format",
                "no-recipe",
                "missing",
                "wrong-type",
                "too-many",
                "text-too-long",
                "control-character",
                "invalid-number",
                "invalid-date",
                "invalid-id",
                "duplicate-id",
                "bad-key",
                "reserved-recipe-id",
                "refused",
                "object-gone",
                "unreadable",
                "unreadable-archive",
                "archive-limit",
                "unsafe-entry-name",
                "recipe-id-mismatch",
                "recipe-withdrawn",
                "too-large-to-store",
                "make-conflict",
                "invalid-lineage",
                "recipe-not-found",
                "parent-not-found",
                "object-deleted",
                "invalid-rejection",
                "invalid-deletion",
                "invalid-upload",
                "upload-form-expired",
                "upload-condition",
                "upload-form-tampered",
                "invalid-import",
                "import-address-refused",
                "import-unreachable",
                "import-timeout",
                "import-too-large",
                "import-not-a-page",
                "import-too-many-redirects",
                "invalid-path",
                "invalid-query",
                "invalid-cursor",
                "missing-idempotency-key",
                "invalid-idempotency-key",
                "invalid-object-key",
                "invalid-object-sequencer",
                "unreadable-body",
                "unreadable-form",
                "payload-too-large",
                "unsupported-media-type",
                "version-not-found",
                "make-not-found",
                "asset-not-found",
                "no-route",
                "not-here",
                "method-not-allowed",
                "misdirected-request",
                "unauthorized",
                "forbidden",
                "cross-origin-write",
                "uploads-unavailable",
                "store-unavailable",
                "internal",
            ]
        );
    }

    #[test]
    fn a_code_this_build_does_not_know_reads_and_is_kept() {
        for text in ["gone", "a-newer-code", "Not JSON!", ""] {
            let code = Code::parse(text);
            assert!(matches!(&code, Code::Other(other) if other.as_str() == text));
            assert_eq!(code.to_string(), text);
            assert_eq!(code.status(), None);
            assert_eq!(code.handling(), Handling::Record);
            let back: Code =
                serde_json::from_value(serde_json::Value::from(text)).expect("deserialises");
            assert_eq!(back, code);
        }
        assert!(Code::parse("").is_empty());
        assert!(!Code::Refused.is_empty());
    }

    #[test]
    fn an_http_status_is_a_code_of_its_own() {
        assert_eq!(Code::parse("http-413"), Code::Http(413));
        assert_eq!(Code::Http(413).to_string(), "http-413");
        assert_eq!(Code::Http(413).status(), Some(413));
        assert_eq!(Code::Http(413).handling(), Handling::Record);
        assert_eq!(Code::parse("http-400").as_str(), "http-400");
        assert_eq!(Code::parse("http-499").as_str(), "http-499");
        for other in [
            "http-0413",
            "http-41",
            "http-999",
            "http-500",
            "http-399",
            "http-abc",
            "http-",
        ] {
            assert!(matches!(Code::parse(other), Code::Other(_)), "{other}");
        }
    }

    /// The status rule ([`crate::wire::Verdict::of`]) retries 401, 403, 408,
    /// 429 and 5xx whatever the code: each code at one of those statuses
    /// says so too. A code's own rule departs from its status only for the
    /// make whose recipe may still arrive (and the variant whose parent
    /// may), and the upload deleted after.
    #[test]
    fn each_code_s_handling_agrees_with_its_status() {
        for code in Code::ALL {
            let status = code.status().expect("a known code has a status");
            assert!((400..=599).contains(&status), "{code}: {status}");
            let transient = matches!(status, 401 | 403 | 408 | 429 | 500..=599);
            let expected = match code {
                Code::RecipeNotFound | Code::ParentNotFound => Handling::Retry,
                Code::ObjectDeleted => Handling::Superseded,
                _ if transient => Handling::Retry,
                _ => Handling::Record,
            };
            assert_eq!(code.handling(), expected, "{code}");
            assert_eq!(code.is_retryable(), expected == Handling::Retry, "{code}");
        }
    }

    #[test]
    fn a_refusal_travels_as_code_message_and_path() {
        let refusal = Refusal::new(Code::InvalidNumber, "not a number", "$.rating");
        let json = serde_json::to_value(&refusal).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid-number", "message": "not a number", "path": "$.rating"})
        );
        assert_eq!(serde_json::from_value::<Refusal>(json).ok(), Some(refusal));
        assert_eq!(Refusal::whole(Code::Empty, "empty").path, "$");
        assert_eq!(
            Code::InvalidNumber.type_uri(),
            "urn:recipe-diff:problem:invalid-number"
        );
    }
}
