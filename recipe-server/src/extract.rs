//! Extractors: a request's path, query, headers and body, each checked and
//! turned into a domain value, or refused with a problem document that says
//! what was wrong and where.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use shared::model::{MakeId, RecipeId};
use shared::refusal::Code;
use shared::store::{Cursor, IdempotencyKey, MAX_PAGE, Origin, PageRequest};
use shared::wire;

use crate::AppState;
use crate::problem::Problem;
use crate::service::{AcrossFilter, VersionRef, Write};

/// The `{recipeId}` of a path.
pub struct RecipePath(pub RecipeId);

impl<S: Send + Sync> FromRequestParts<S> for RecipePath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Path(recipe) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| Problem::new(Code::InvalidPath, e.body_text()))?;
        Ok(Self(recipe_id(&recipe)?))
    }
}

/// The `{recipeId}` and `{makeId}` of a path.
pub struct MakePath(pub RecipeId, pub MakeId);

impl<S: Send + Sync> FromRequestParts<S> for MakePath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Path((recipe, make)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|e| Problem::new(Code::InvalidPath, e.body_text()))?;
        let make_id = MakeId::parse(&make)
            .map_err(|reason| Problem::invalid_path_id(format!("makeId: {reason}")))?;
        Ok(Self(recipe_id(&recipe)?, make_id))
    }
}

fn recipe_id(text: &str) -> Result<RecipeId, Problem> {
    RecipeId::parse(text).map_err(|reason| Problem::invalid_path_id(format!("recipeId: {reason}")))
}

/// The query parameters, as sent.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Params(q))
            .map_err(|e| Problem::new(Code::InvalidQuery, e.body_text()))
    }
}

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `version`, a whole number from 1, when given.
    pub fn version(&self) -> Result<Option<u32>, Problem> {
        self.get("version")
            .map(|text| {
                text.parse::<u32>().ok().filter(|v| *v >= 1).ok_or_else(|| {
                    Problem::new(Code::InvalidQuery, "version must be a whole number from 1")
                })
            })
            .transpose()
    }

    /// The version the parameter `name` names as `recipeId@version` (the
    /// last `@` splits them, so an id may hold one); the problem names the
    /// parameter.
    pub fn version_at(&self, name: &str) -> Result<VersionRef, Problem> {
        let malformed = |why: String| {
            Problem::new(
                Code::InvalidQuery,
                format!("{name} must be recipeId@version, a recipe id and a version from 1: {why}"),
            )
        };
        let text = self
            .get(name)
            .ok_or_else(|| malformed("it is missing".into()))?;
        let (id, version) = text
            .rsplit_once('@')
            .ok_or_else(|| malformed(format!("{text:?} has no @")))?;
        let recipe_id = RecipeId::parse(id).map_err(|reason| malformed(reason.to_string()))?;
        let version = version
            .parse::<u32>()
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| malformed(format!("{version:?} is not a version")))?;
        Ok(VersionRef { recipe_id, version })
    }

    /// What `GET /insights` counts: `recipe`, and the months `from` and
    /// `to` (`YYYY-MM`, `from` not after `to`).
    pub fn across(&self) -> Result<AcrossFilter, Problem> {
        let recipe = self
            .get("recipe")
            .map(|text| {
                RecipeId::parse(text).map_err(|reason| {
                    Problem::new(
                        Code::InvalidQuery,
                        format!("recipe is not a recipe id: {reason}"),
                    )
                })
            })
            .transpose()?;
        let month = |name: &str| {
            self.get(name)
                .map(|text| {
                    shared::insights::month_of(&format!("{text}-01"))
                        .filter(|m| *m == text)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            Problem::new(
                                Code::InvalidQuery,
                                format!("{name} must be a month as YYYY-MM, such as 2026-05: {text:?} is not"),
                            )
                        })
                })
                .transpose()
        };
        let (from, to) = (month("from")?, month("to")?);
        if let (Some(f), Some(t)) = (&from, &to)
            && f > t
        {
            return Err(Problem::new(
                Code::InvalidQuery,
                format!("from ({f}) is after to ({t})"),
            ));
        }
        Ok(AcrossFilter { recipe, from, to })
    }

    /// `limit` (1 to [`MAX_PAGE`], 20 by default) and `cursor`.
    pub fn page(&self) -> Result<PageRequest, Problem> {
        let limit = match self.get("limit") {
            None => 20,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    Problem::new(
                        Code::InvalidQuery,
                        format!("limit must be a whole number from 1 to {MAX_PAGE}"),
                    )
                })?,
        };
        let cursor = match self.get("cursor") {
            None => None,
            Some(text) if text.is_empty() || text.len() > 2048 => {
                return Err(Problem::new(
                    Code::InvalidCursor,
                    "the cursor is not one this list handed out",
                ));
            }
            Some(text) => Some(Cursor::from_client(text)),
        };
        Ok(PageRequest { limit, cursor })
    }
}

/// A page of a list: `limit` and `cursor` from the query.
pub struct PageQuery(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Ok(Self(
            Params::from_request_parts(parts, state).await?.page()?,
        ))
    }
}

/// What every write carries in its headers: the `Idempotency-Key`, the
/// `X-Object-Key` it came from (percent-encoded UTF-8) and the upload's
/// `X-Object-Sequencer`.
impl<S: Send + Sync> FromRequestParts<S> for Write {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        let headers = &parts.headers;
        let key = headers
            .get(wire::header::IDEMPOTENCY_KEY)
            .ok_or_else(|| {
                Problem::new(
                    Code::MissingIdempotencyKey,
                    "writes need an Idempotency-Key header",
                )
            })?
            .to_str()
            .map_err(|_| {
                Problem::new(
                    Code::InvalidIdempotencyKey,
                    "the Idempotency-Key must be visible ASCII",
                )
            })
            .and_then(|text| {
                IdempotencyKey::parse(text)
                    .map_err(|reason| Problem::new(Code::InvalidIdempotencyKey, reason))
            })?;
        let object_key = optional_header(
            headers,
            wire::header::OBJECT_KEY,
            |v| {
                percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .ok()
                    .filter(|v| wire::object_key_is_valid(v))
                    .map(|v| v.into_owned())
            },
            Code::InvalidObjectKey,
            || {
                format!(
                    "X-Object-Key must be a percent-encoded UTF-8 key of 1 to {} characters",
                    wire::MAX_OBJECT_KEY_CHARS
                )
            },
        )?;
        let sequencer = optional_header(
            headers,
            wire::header::OBJECT_SEQUENCER,
            |v| wire::sequencer_is_valid(v).then(|| Origin::order(v)),
            Code::InvalidObjectSequencer,
            || {
                format!(
                    "X-Object-Sequencer must be 1 to {} hexadecimal digits",
                    wire::MAX_SEQUENCER_CHARS
                )
            },
        )?;
        Ok(Self {
            key,
            object_key,
            sequencer,
        })
    }
}

/// An optional header read by `read`; one that is present and unreadable is
/// the problem `code` (a 400) saying `why`.
fn optional_header<T>(
    headers: &HeaderMap,
    name: &str,
    read: impl FnOnce(&str) -> Option<T>,
    code: Code,
    why: impl FnOnce() -> String,
) -> Result<Option<T>, Problem> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(read)
            .map(Some)
            .ok_or_else(|| Problem::new(code, why())),
    }
}

/// The body of a write: JSON (`application/json` or `application/ld+json`),
/// at most the configured size limit.
pub struct JsonBody(pub Bytes);

impl FromRequest<AppState> for JsonBody {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Problem> {
        let limit = state.service().limits().max_bytes;
        let (parts, body) = request.into_parts();
        media_type(&parts.headers)?;
        let too_large = || {
            Problem::new(
                Code::PayloadTooLarge,
                format!("the body is larger than the limit of {limit} bytes"),
            )
        };
        // Refused before reading a byte when the client says how big it is.
        if let Some(length) = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            && length > limit
        {
            return Err(too_large());
        }
        let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
        axum::body::to_bytes(body, limit_usize)
            .await
            .map(JsonBody)
            .map_err(|error| {
                let over = std::error::Error::source(&error).is_some_and(|s| {
                    s.downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some()
                });
                if over {
                    too_large()
                } else {
                    Problem::new(
                        Code::UnreadableBody,
                        format!("the body could not be read: {error}"),
                    )
                }
            })
    }
}

/// Only JSON is taken: `application/json` or `application/ld+json`.
fn media_type(headers: &HeaderMap) -> Result<(), Problem> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match media.as_deref() {
        Some("application/json" | "application/ld+json") => Ok(()),
        other => Err(Problem::new(
            Code::UnsupportedMediaType,
            format!(
                "the body must be application/json or application/ld+json, not {}",
                other.unwrap_or("unspecified")
            ),
        )),
    }
}
