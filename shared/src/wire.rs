//! The wire contract between the sender and the recipe server: the routes
//! the chain writes to, the headers every write carries, the body of a
//! rejection, the key a refusal is recorded under and the limits both sides
//! check; and the answer: the problem document the server writes
//! ([`Problem`]) and what the sender makes of an answer ([`Verdict`]). The
//! sender builds requests from these and the server reads them with the
//! same definitions, and the server answers with the type the sender
//! reads, so the two cannot drift apart.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::UploadKind;
use crate::refusal::{Code, Handling, Refusal};

/// The headers of a write.
pub mod header {
    /// The write's idempotency key: the same key, the same effect.
    pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
    /// Follows one upload through the logs of every function.
    pub const CORRELATION_ID: &str = "x-correlation-id";
    /// The bucket key the upload came from, percent-encoded UTF-8.
    pub const OBJECT_KEY: &str = "x-object-key";
    /// The upload's place in the order of events on its key (S3's
    /// sequencer): a deletion removes only what came before it.
    pub const OBJECT_SEQUENCER: &str = "x-object-sequencer";
}

/// The route templates of the writes, as the server's router names them;
/// the sender's paths are these with the ids filled in.
pub mod path {
    /// Recipe versions.
    pub const RECIPES: &str = "/recipes";
    /// One recipe's makes.
    pub const MAKES: &str = "/recipes/{recipeId}/makes";
    /// One make.
    pub const MAKE: &str = "/recipes/{recipeId}/makes/{makeId}";
    /// Rejections.
    pub const REJECTIONS: &str = "/rejections";
    /// Objects deleted from the bucket.
    pub const DELETIONS: &str = "/deletions";
}

/// The longest object key either side accepts, in characters (S3's limit).
pub const MAX_OBJECT_KEY_CHARS: usize = 1024;
/// The longest sequencer either side accepts, in characters.
pub const MAX_SEQUENCER_CHARS: usize = 64;
/// The longest rejection message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// The longest JSON path in a rejection, in characters.
pub const MAX_PATH_CHARS: usize = 1000;
/// The longest rejection code, in characters (`a-z`, `0-9` and `-`).
pub const MAX_CODE_CHARS: usize = 64;

/// Where a write goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `POST /recipes`: a recipe version.
    Recipes,
    /// `POST /recipes/{recipeId}/makes`: a make of the named recipe.
    Makes(String),
    /// `POST /rejections`: an upload the chain could not accept.
    Rejections,
    /// `POST /deletions`: an object deleted from the bucket.
    Deletions,
}

impl Route {
    /// The path, with the recipe id percent-encoded as one segment.
    pub fn path(&self) -> String {
        match self {
            Route::Recipes => path::RECIPES.to_owned(),
            Route::Makes(recipe_id) => path::MAKES.replace("{recipeId}", &segment(recipe_id)),
            Route::Rejections => path::REJECTIONS.to_owned(),
            Route::Deletions => path::DELETIONS.to_owned(),
        }
    }
}

/// The path of one stored make, each id percent-encoded as one segment.
pub fn make_path(recipe_id: &str, make_id: &str) -> String {
    path::MAKE
        .replace("{recipeId}", &segment(recipe_id))
        .replace("{makeId}", &segment(make_id))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so the
/// text stays one path segment (a `/` or `?` in an id cannot escape it).
pub fn segment(text: &str) -> String {
    encode(text, b"-_.~")
}

/// An object key as the `X-Object-Key` header carries it (header values
/// are ASCII): percent-encoded UTF-8 with `/` kept; `None` for a key the
/// server would refuse (see [`object_key_is_valid`]).
pub fn object_key_header(key: &str) -> Option<String> {
    object_key_is_valid(key).then(|| encode(key, b"-_.~/"))
}

/// Whether an object key is one the server accepts: 1 to
/// [`MAX_OBJECT_KEY_CHARS`] characters, none of them control characters.
pub fn object_key_is_valid(key: &str) -> bool {
    text_is_valid(key, MAX_OBJECT_KEY_CHARS)
}

/// Whether a sequencer is one the server accepts: 1 to
/// [`MAX_SEQUENCER_CHARS`] hexadecimal digits (S3's, and the local chain's).
pub fn sequencer_is_valid(sequencer: &str) -> bool {
    !sequencer.is_empty()
        && sequencer.len() <= MAX_SEQUENCER_CHARS
        && sequencer.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a text field of a rejection is acceptable: 1 to `max`
/// characters, none of them control characters.
pub fn text_is_valid(text: &str, max: usize) -> bool {
    !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

/// Whether a rejection code is acceptable: 1 to [`MAX_CODE_CHARS`] of
/// `a-z`, `0-9` and `-`.
pub fn code_is_valid(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_CHARS
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A rejection code made acceptable ([`code_is_valid`]): lower-cased, each
/// other character a `-`, cut to [`MAX_CODE_CHARS`]; `refused`
/// ([`Code::Refused`]) when empty. Every known code is acceptable as it is.
pub fn acceptable_code(code: &str) -> String {
    let cleaned: String = code
        .chars()
        .take(MAX_CODE_CHARS)
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-') => c,
            _ => '-',
        })
        .collect();
    if cleaned.is_empty() {
        Code::Refused.to_string()
    } else {
        cleaned
    }
}

/// Text made acceptable in a rejection ([`text_is_valid`]): control
/// characters become spaces, at most `max` characters; `None` when nothing
/// is left.
pub fn acceptable_text(text: &str, max: usize) -> Option<String> {
    let cleaned: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

fn encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Names one write for exactly-once effects: the same key, the same effect.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1 to 255 visible ASCII characters.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() || text.len() > 255 {
            return Err("an Idempotency-Key must have 1 to 255 characters".into());
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("an Idempotency-Key may contain only visible ASCII characters".into());
        }
        Ok(Self(text.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key of the rejection that records a refused write: the write's key
/// with `:rejected`, or its hash when that would not be a key. The server
/// records its own refusals under it and the sender records the refusals it
/// is told of under it, so the two are one record, never two.
pub fn rejection_key(write_key: &str) -> IdempotencyKey {
    let text = format!("{write_key}:rejected");
    IdempotencyKey::parse(&text)
        .unwrap_or_else(|_| IdempotencyKey(crate::canonical::content_hash(&Value::from(text))))
}

/// The body of `POST /rejections`: an upload the chain could not accept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NewRejection))]
pub struct RejectionBody {
    /// The bucket key the upload came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub object_key: Option<String>,
    /// A recipe or a make, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<UploadKind>,
    /// The stable code (`invalid-json`, `recipe-not-found`, ...); one this
    /// build does not know is taken as it is, if it is acceptable.
    pub code: Code,
    /// The sentence for people.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub message: String,
    /// The JSON path it applies to; `$` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
    pub path: Option<String>,
}

impl RejectionBody {
    /// The body recording `refusal` of the upload from `object_key`, made
    /// acceptable ([`acceptable_code`], [`acceptable_text`]) so that the
    /// server takes it whatever a peer said: a code or a text that breaks
    /// the limits is cleaned, an empty message is the code.
    pub fn acceptable(object_key: &str, kind: UploadKind, refusal: &Refusal) -> Self {
        let code = Code::parse(&acceptable_code(&refusal.code.to_string()));
        Self {
            object_key: acceptable_text(object_key, MAX_OBJECT_KEY_CHARS),
            kind: Some(kind),
            message: acceptable_text(&refusal.message, MAX_MESSAGE_CHARS)
                .unwrap_or_else(|| code.to_string()),
            path: Some(
                acceptable_text(&refusal.path, MAX_PATH_CHARS).unwrap_or_else(|| "$".to_owned()),
            ),
            code,
        }
    }

    /// The refusal the body records (at `$` when it names no path).
    pub fn refusal(&self) -> Refusal {
        Refusal::new(
            self.code.clone(),
            self.message.clone(),
            self.path.as_deref().unwrap_or("$"),
        )
    }

    /// The first field that breaks the contract's limits, as its JSON path
    /// and the sentence that says why; `None` when the body is acceptable.
    pub fn invalid_field(&self) -> Option<(&'static str, String)> {
        if !code_is_valid(&self.code.to_string()) {
            return Some((
                "$.code",
                format!("code must be 1 to {MAX_CODE_CHARS} characters of a-z, 0-9 and -"),
            ));
        }
        invalid_text(
            "$.message",
            "message",
            Some(&self.message),
            MAX_MESSAGE_CHARS,
        )
        .or_else(|| {
            invalid_text(
                "$.objectKey",
                "objectKey",
                self.object_key.as_ref(),
                MAX_OBJECT_KEY_CHARS,
            )
        })
        .or_else(|| invalid_text("$.path", "path", self.path.as_ref(), MAX_PATH_CHARS))
    }
}

/// `field`, at JSON path `path`, as [`RejectionBody::invalid_field`] and
/// [`DeletionBody::invalid_field`] answer it when `value` is not 1 to `max`
/// characters without control characters; absent text is valid.
fn invalid_text(
    path: &'static str,
    field: &str,
    value: Option<&String>,
    max: usize,
) -> Option<(&'static str, String)> {
    let value = value?;
    (!text_is_valid(value, max)).then(|| {
        (
            path,
            format!("{field} must be 1 to {max} characters without control characters"),
        )
    })
}

/// The body of `POST /deletions`: an object deleted from the bucket (or
/// hidden by a delete marker). What came from it before `sequencer` goes;
/// what comes from it later is new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Deletion))]
pub struct DeletionBody {
    /// The deleted key, under recipes/ or makes/.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub object_key: String,
    /// `recipe` for a key under recipes/, `make` for one under makes/.
    pub kind: UploadKind,
    /// The deletion's place in the order of events on the key; without
    /// one, everything that came from the key goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = "^[0-9A-Fa-f]+$")
    )]
    pub sequencer: Option<String>,
}

impl DeletionBody {
    /// The first field that breaks the contract, as its JSON path and the
    /// sentence that says why; `None` when the body is acceptable.
    pub fn invalid_field(&self) -> Option<(&'static str, String)> {
        let key = Some(&self.object_key);
        if let Some(invalid) = invalid_text("$.objectKey", "objectKey", key, MAX_OBJECT_KEY_CHARS) {
            return Some(invalid);
        }
        if crate::keys::classify(&self.object_key) != Some(self.kind) {
            return Some((
                "$.kind",
                "kind must be recipe for a key under recipes/ and make for one under makes/"
                    .to_owned(),
            ));
        }
        match &self.sequencer {
            Some(sequencer) if !sequencer_is_valid(sequencer) => Some((
                "$.sequencer",
                format!("sequencer must be 1 to {MAX_SEQUENCER_CHARS} hexadecimal digits"),
            )),
            _ => None,
        }
    }
}

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer of the recipe server, `application/problem+json` (RFC
/// 9457): the server writes it and the sender reads it back. The sender
/// needs only the `code`: a document without the other fields still reads.
///
/// Its schema is the answer's: every field but `path` is always written,
/// and `code` is one of the codes the server answers with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// `urn:recipe-diff:problem:<code>` ([`Code::type_uri`]).
    #[serde(rename = "type", default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required, pattern = "^urn:recipe-diff:problem:[a-z0-9-]+$")
    )]
    pub type_uri: String,
    /// The stable code.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::openapi::answered_codes)
    )]
    pub code: Code,
    /// The code's summary ([`Code::title`]).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required))]
    pub title: String,
    /// The HTTP status it was answered with.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required, minimum = 400, maximum = 599))]
    pub status: u16,
    /// What went wrong this time.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required))]
    pub detail: String,
    /// The JSON path in the document, for a refused document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Problem {
    /// The problem `code` with its own status and title, and `detail`.
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Self {
            type_uri: code.type_uri(),
            title: code.title().to_owned(),
            // Only a code this build does not know has no status, and the
            // server answers none of those.
            status: code.status().unwrap_or(500),
            code,
            detail: detail.into(),
            path: None,
        }
    }

    /// The problem that answers `refusal`: its code, its message as the
    /// detail, and its JSON path.
    pub fn refused(refusal: Refusal) -> Self {
        Self {
            path: Some(refusal.path),
            ..Self::new(refusal.code, refusal.message)
        }
    }

    /// The problem document in an answer's body, if it is one with a code.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Problem>(body)
            .ok()
            .filter(|problem| !problem.code.is_empty())
    }

    /// The refusal the sender records for this problem, answered with
    /// `status`: the detail (else the title, else a sentence naming the
    /// status) at the path (else `$`).
    pub fn refusal(&self, status: u16) -> Refusal {
        let message = [&self.detail, &self.title]
            .into_iter()
            .find(|text| !text.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("the recipe server refused the upload ({status})"));
        Refusal::new(
            self.code.clone(),
            message,
            self.path.as_deref().unwrap_or("$"),
        )
    }
}

/// Why a make waits for its recipe: an expected event (uploads arrive in
/// any order), which the sender logs as such rather than as a warning.
pub const RECIPE_NOT_ARRIVED: &str = "the make's recipe has not arrived yet";

/// What an answer of the recipe server means for the write: done, retry
/// later, or refused for good (invariant 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the effect exists (created, replayed or unchanged).
    Done,
    /// 410 `object-deleted`: the upload's object was deleted after it, so
    /// there is nothing to store (and nothing to reject).
    Superseded,
    /// Try again later: the queue redelivers the message.
    Retry(String),
    /// The server will never accept this write.
    Refused(Refusal),
}

impl Verdict {
    /// What the answer `status`, with `problem` when its body is one,
    /// means. The status decides first; then a code answered at its own
    /// status decides by its [`Handling`]; any other client error is a
    /// refusal (`http-<status>` without a problem document).
    pub fn of(status: u16, problem: Option<&Problem>) -> Verdict {
        match status {
            200..=299 => Verdict::Done,
            // Throttled, timed out, or the server (or the gateway) failed.
            408 | 429 | 500..=599 => Verdict::Retry(format!(
                "the server answered {status}{}",
                problem.map(|p| format!(" {}", p.code)).unwrap_or_default()
            )),
            // The chain's own credentials were refused: not the upload's
            // fault, so it must not become a rejection; it waits (and
            // reaches the DLQ) until the deployment is fixed.
            401 | 403 => Verdict::Retry(format!(
                "the server refused the sender's credentials ({status})"
            )),
            400..=499 => match problem {
                // A code means what the table says only at its own status:
                // a 404 `recipe-not-found` waits, another 404 is refused.
                Some(problem) if problem.code.status() == Some(status) => {
                    match problem.code.handling() {
                        Handling::Record => Verdict::Refused(problem.refusal(status)),
                        Handling::Superseded => Verdict::Superseded,
                        // The recipe may still be on its way.
                        Handling::Retry if problem.code == Code::RecipeNotFound => {
                            Verdict::Retry(RECIPE_NOT_ARRIVED.to_owned())
                        }
                        Handling::Retry => {
                            Verdict::Retry(format!("the server answered {status} {}", problem.code))
                        }
                    }
                }
                Some(problem) => Verdict::Refused(problem.refusal(status)),
                None => Verdict::Refused(Refusal::whole(
                    Code::Http(status),
                    format!("the recipe server refused the upload with HTTP {status}"),
                )),
            },
            // 1xx and 3xx (redirects are not followed): the URL is wrong,
            // not the upload.
            _ => Verdict::Retry(format!("unexpected answer {status}")),
        }
    }

    /// What an answer with `status` and `body` means ([`Verdict::of`]).
    pub fn of_answer(status: u16, body: &[u8]) -> Verdict {
        Verdict::of(status, Problem::from_body(body).as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipe_id_stays_one_path_segment() {
        for (id, path) in [
            ("Lemon Tart/2?x", "/recipes/Lemon%20Tart%2F2%3Fx/makes"),
            ("crème", "/recipes/cr%C3%A8me/makes"),
            ("a-1_b.c~", "/recipes/a-1_b.c~/makes"),
        ] {
            assert_eq!(Route::Makes(id.into()).path(), path, "{id}");
        }
    }

    #[test]
    fn object_keys_travel_percent_encoded() {
        for (key, header) in [
            ("makes/pie 2+1%.json", Some("makes/pie%202%2B1%25.json")),
            ("recipes/crème.json", Some("recipes/cr%C3%A8me.json")),
            ("recipes/a\nb.json", None),
            ("", None),
        ] {
            assert_eq!(object_key_header(key).as_deref(), header, "{key:?}");
        }
        assert!(object_key_header(&"é".repeat(1024)).is_some());
        assert_eq!(object_key_header(&"a".repeat(1025)), None);
    }

    #[test]
    fn the_rejection_key_is_the_write_key_marked_or_its_hash() {
        assert_eq!(rejection_key("abc").as_str(), "abc:rejected");
        let long = "k".repeat(250);
        assert_eq!(rejection_key(&long).as_str().len(), 64);
    }

    #[test]
    fn rejection_codes_and_texts_are_made_acceptable() {
        assert_eq!(acceptable_code("invalid-number"), "invalid-number");
        assert_eq!(acceptable_code("Not JSON!"), "not-json-");
        assert_eq!(acceptable_code(""), "refused");
        assert_eq!(acceptable_code(&"x".repeat(100)).len(), 64);
        assert_eq!(acceptable_text("a\nb", 10).as_deref(), Some("a b"));
        assert_eq!(acceptable_text("", 10), None);
        assert_eq!(acceptable_text("éééé", 2).as_deref(), Some("éé"));
    }

    #[test]
    fn a_rejection_body_names_its_first_bad_field() {
        let body = |code: &str, message: &str| RejectionBody {
            object_key: None,
            kind: Some(UploadKind::Make),
            code: Code::parse(code),
            message: message.into(),
            path: None,
        };
        assert_eq!(body("invalid-json", "bad").invalid_field(), None);
        assert_eq!(
            body("Bad Code", "bad").invalid_field().map(|f| f.0),
            Some("$.code")
        );
        assert_eq!(
            body("ok", "a\u{7}b").invalid_field().map(|f| f.0),
            Some("$.message")
        );
        let mut long_path = body("ok", "fine");
        long_path.path = Some("$".repeat(1001));
        assert_eq!(long_path.invalid_field().map(|f| f.0), Some("$.path"));
    }

    /// What the server writes is what the sender reads: the same type, and
    /// the document keeps the fields it always had.
    #[test]
    fn a_problem_reads_back_as_it_was_written() {
        let problem = Problem::refused(Refusal::new(
            Code::InvalidNumber,
            "the quantity \"lots\" is not an amount",
            "$.ingredients[0].quantity",
        ));
        let json = serde_json::to_value(&problem).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"type": "urn:recipe-diff:problem:invalid-number",
                "code": "invalid-number", "title": "Invalid document", "status": 422,
                "detail": "the quantity \"lots\" is not an amount",
                "path": "$.ingredients[0].quantity"})
        );
        let body = serde_json::to_vec(&problem).expect("serialises");
        assert_eq!(Problem::from_body(&body), Some(problem.clone()));
        assert_eq!(
            Verdict::of_answer(422, &body),
            Verdict::Refused(Refusal::new(
                Code::InvalidNumber,
                "the quantity \"lots\" is not an amount",
                "$.ingredients[0].quantity"
            ))
        );
        // Every code the server answers reads back as the verdict its
        // table row says.
        for code in Code::ALL {
            let status = code.status().expect("a status");
            let body = serde_json::to_vec(&Problem::new(code.clone(), "why")).expect("JSON");
            let verdict = Verdict::of_answer(status, &body);
            match code.handling() {
                Handling::Record => assert_eq!(
                    verdict,
                    Verdict::Refused(Refusal::whole(code.clone(), "why")),
                    "{code}"
                ),
                Handling::Retry => assert!(matches!(verdict, Verdict::Retry(_)), "{code}"),
                Handling::Superseded => assert_eq!(verdict, Verdict::Superseded, "{code}"),
            }
        }
    }

    #[test]
    fn a_rejection_body_is_made_acceptable_and_read_back() {
        let refusal = Refusal::new(Code::parse("Not JSON!"), "", "a\nb");
        let body = RejectionBody::acceptable("makes/x.json", UploadKind::Make, &refusal);
        assert_eq!(body.code, "not-json-");
        assert_eq!(body.message, "not-json-");
        assert_eq!(body.path.as_deref(), Some("a b"));
        assert_eq!(body.invalid_field(), None);
        let known = Refusal::new(Code::TooDeep, "deep", "$");
        let body = RejectionBody::acceptable("makes/x.json", UploadKind::Make, &known);
        assert_eq!(body.refusal(), known);
        let json = serde_json::to_value(&body).expect("serialises");
        assert_eq!(json["code"], "too-deep");
    }

    // The sender's reading of an answer (moved from sender/src/verdict.rs
    // with the verdict; the same cases and assertions).

    fn answer(status: u16, body: &str) -> Verdict {
        Verdict::of_answer(status, body.as_bytes())
    }

    #[test]
    fn success_is_done_and_transient_answers_are_retried() {
        assert_eq!(answer(201, "{}"), Verdict::Done);
        assert_eq!(answer(200, ""), Verdict::Done);
        for status in [408, 429, 500, 502, 503, 504, 401, 403, 301] {
            assert!(matches!(answer(status, ""), Verdict::Retry(_)), "{status}");
        }
        assert!(matches!(
            answer(
                404,
                r#"{"code":"recipe-not-found","detail":"there is no recipe \"1\""}"#
            ),
            Verdict::Retry(_)
        ));
    }

    #[test]
    fn an_upload_deleted_after_it_was_made_is_superseded_not_refused() {
        assert_eq!(
            answer(410, r#"{"code":"object-deleted","detail":"deleted"}"#),
            Verdict::Superseded
        );
        // Another 410 is a refusal like any other client error.
        assert!(matches!(
            answer(410, r#"{"code":"gone","detail":"gone"}"#),
            Verdict::Refused(_)
        ));
    }

    #[test]
    fn other_client_errors_are_refusals_with_the_problem_s_reason() {
        assert_eq!(
            answer(
                422,
                r#"{"type":"urn:recipe-diff:problem:invalid-number","code":"invalid-number","title":"Invalid document","status":422,"detail":"the quantity \"lots\" is not an amount","path":"$.ingredients[0].quantity"}"#
            ),
            Verdict::Refused(Refusal {
                code: Code::InvalidNumber,
                message: "the quantity \"lots\" is not an amount".into(),
                path: "$.ingredients[0].quantity".into(),
            })
        );
        assert_eq!(
            answer(404, r#"{"code":"no-route","detail":"no route"}"#),
            Verdict::Refused(Refusal {
                code: Code::NoRoute,
                message: "no route".into(),
                path: "$".into(),
            })
        );
        assert_eq!(
            answer(413, "<html>too big</html>"),
            Verdict::Refused(Refusal {
                code: Code::Http(413),
                message: "the recipe server refused the upload with HTTP 413".into(),
                path: "$".into(),
            })
        );
    }
}
