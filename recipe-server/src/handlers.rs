//! The API's handlers.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use shared::canonical::recipe_json;
use shared::clock::{compact, now_rfc3339};
use shared::insights::{InsightsBuilder, MakeFacts};
use shared::keys::recipe_id_from_key;
use shared::model::{MakeId, RecipeId};
use shared::parse::{parse_make, parse_recipe, recipe_from_value};
use shared::store::{
    Cursor, IdempotencyKey, MAX_MAKE_BYTES, MAX_PAGE, NewMake, NewRejection, NewVersion,
    PageRequest, Written, content_hash,
};
use shared::{Recipe, Rejection, diff_make};

use crate::problem::Problem;
use crate::{AppState, OPENAPI};

/// The header that carries the correlation id from the job to the logs.
pub const CORRELATION_HEADER: &str = "x-correlation-id";
/// The header that names the object an upload came from.
pub const OBJECT_KEY_HEADER: &str = "x-object-key";
/// The header that makes a write idempotent.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Insights read at most this many makes (100 pages).
const MAX_INSIGHT_MAKES: usize = 10_000;
/// How many entries each insights list keeps.
const INSIGHT_TOP: usize = 20;

type Result<T, E = Problem> = std::result::Result<T, E>;

/// Gives every request a correlation id (the job's, or a new one), logs the
/// request in its span, and echoes the id in the response.
pub async fn correlate(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(CORRELATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| format!("srv-{}", compact(&now_rfc3339())), str::to_owned);
    let span = tracing::info_span!("request", correlation_id = %id, method = %request.method(), path = %request.uri().path());
    let started = std::time::Instant::now();
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "handled"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(CORRELATION_HEADER, value);
    }
    response
}

/// The answer when a handler panicked: logged, and a 500 problem.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(%message, "handler panicked");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "the server failed; the failure is logged",
    )
    .into_response()
}

/// 404 for paths the API does not have.
pub async fn no_route(request: Request) -> Problem {
    Problem::not_found(
        "no-route",
        format!("the API has no route {}", request.uri().path()),
    )
}

/// 405 for a method a path does not support.
pub async fn method_not_allowed(request: Request) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!(
            "{} is not supported on {}",
            request.method(),
            request.uri().path()
        ),
    )
}

pub async fn health(State(state): State<AppState>) -> Result<Response> {
    state.store().ping().await?;
    Ok(Json(json!({"status": "ok"})).into_response())
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// A JSON response (`application/json`).
struct Json(Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, "application/json")],
            self.0.to_string(),
        )
            .into_response()
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| {
        tracing::error!(error = %e, "serialising a response");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server failed; the failure is logged",
        )
    })
}

// ---------------------------------------------------------------- inputs

/// The `recipeId` (and `makeId`) in a path.
fn recipe_id(path: &str) -> Result<RecipeId> {
    RecipeId::parse(path)
        .map_err(|reason| Problem::bad_request("invalid-id", format!("recipeId: {reason}")))
}

fn make_id(path: &str) -> Result<MakeId> {
    MakeId::parse(path)
        .map_err(|reason| Problem::bad_request("invalid-id", format!("makeId: {reason}")))
}

fn path_params<T>(path: std::result::Result<Path<T>, PathRejection>) -> Result<T> {
    path.map(|Path(p)| p)
        .map_err(|e| Problem::bad_request("invalid-path", e.body_text()))
}

/// Query parameters, each checked.
struct Params(Vec<(String, String)>);

impl Params {
    fn from(
        query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Self> {
        query
            .map(|Query(q)| Params(q))
            .map_err(|e| Problem::bad_request("invalid-query", e.body_text()))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn page(&self) -> Result<PageRequest> {
        let limit = match self.get("limit") {
            None => 20,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    Problem::bad_request(
                        "invalid-query",
                        format!("limit must be a whole number from 1 to {MAX_PAGE}"),
                    )
                })?,
        };
        let cursor = match self.get("cursor") {
            None => None,
            Some(text) if text.is_empty() || text.len() > 2048 => {
                return Err(Problem::bad_request(
                    "invalid-cursor",
                    "the cursor is not one this list handed out",
                ));
            }
            Some(text) => Some(Cursor::from_client(text)),
        };
        Ok(PageRequest { limit, cursor })
    }
}

/// What every write carries in its headers.
struct WriteContext {
    key: IdempotencyKey,
    object_key: Option<String>,
}

impl WriteContext {
    fn from_headers(headers: &HeaderMap) -> Result<Self> {
        let key = headers
            .get(IDEMPOTENCY_HEADER)
            .ok_or_else(|| {
                Problem::bad_request(
                    "missing-idempotency-key",
                    "writes need an Idempotency-Key header",
                )
            })?
            .to_str()
            .map_err(|_| {
                Problem::bad_request(
                    "invalid-idempotency-key",
                    "the Idempotency-Key must be visible ASCII",
                )
            })
            .and_then(|text| {
                IdempotencyKey::parse(text)
                    .map_err(|reason| Problem::bad_request("invalid-idempotency-key", reason))
            })?;
        // Header values are ASCII, so the key travels percent-encoded (UTF-8).
        let object_key = match headers.get(OBJECT_KEY_HEADER) {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .ok()
                    .and_then(|v| percent_encoding::percent_decode_str(v).decode_utf8().ok())
                    .filter(|v| !v.is_empty() && v.chars().count() <= 1024 && !v.chars().any(char::is_control))
                    .ok_or_else(|| {
                        Problem::bad_request(
                            "invalid-object-key",
                            "X-Object-Key must be a percent-encoded UTF-8 key of 1 to 1024 characters",
                        )
                    })?
                    .into_owned(),
            ),
        };
        Ok(Self { key, object_key })
    }

    /// The key of the rejection that records this write's refusal: a key of
    /// its own, so it never collides with the write's.
    fn rejection_key(&self) -> Result<IdempotencyKey> {
        let text = format!("{}:rejected", self.key.as_str());
        IdempotencyKey::parse(&text)
            .or_else(|_| IdempotencyKey::parse(&shared::store::content_hash(&Value::from(text))))
            .map_err(|reason| Problem::bad_request("invalid-idempotency-key", reason))
    }
}

/// The body of a write: JSON (`application/json` or `application/ld+json`),
/// at most the size limit.
async fn json_body(headers: &HeaderMap, body: Body, limit: u64) -> Result<Bytes> {
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
        Some("application/json" | "application/ld+json") => {}
        other => {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                format!(
                    "the body must be application/json or application/ld+json, not {}",
                    other.unwrap_or("unspecified")
                ),
            ));
        }
    }
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("the body is larger than the limit of {limit} bytes"),
        )
    };
    // Refused before reading a byte when the client says how big it is.
    if let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        && length > limit
    {
        return Err(too_large());
    }
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    axum::body::to_bytes(body, limit_usize)
        .await
        .map_err(|error| {
            let over = std::error::Error::source(&error).is_some_and(|s| {
                s.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
            });
            if over {
                too_large()
            } else {
                Problem::bad_request(
                    "unreadable-body",
                    format!("the body could not be read: {error}"),
                )
            }
        })
}

// ---------------------------------------------------------------- writes

/// Records a refused upload (so nothing is lost) and answers 422 with the
/// reason and the JSON path.
async fn refuse(
    state: &AppState,
    ctx: &WriteContext,
    kind: &str,
    rejection: &Rejection,
) -> Problem {
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        rejection.code(),
        "Invalid document",
        rejection.reason.to_string(),
    );
    problem.path = Some(rejection.path.to_string());
    record(state, ctx, kind, problem).await
}

/// Stores a rejection for `problem` under the write's rejection key and
/// returns the problem; if the store cannot take it, the write fails with
/// 503 so that it is retried rather than lost.
async fn record(state: &AppState, ctx: &WriteContext, kind: &str, problem: Problem) -> Problem {
    let key = match ctx.rejection_key() {
        Ok(key) => key,
        Err(p) => return p,
    };
    let rejection = NewRejection {
        key,
        object_key: ctx.object_key.clone(),
        kind: Some(kind.to_owned()),
        code: problem.code.clone(),
        message: problem.detail.clone(),
        path: problem.path.clone().unwrap_or_else(|| "$".to_owned()),
        at: now_rfc3339(),
    };
    match state.store().put_rejection(&rejection).await {
        Ok(_) => {
            tracing::info!(code = %problem.code, object_key = ?ctx.object_key, "upload rejected");
            problem
        }
        Err(error) => Problem::from(error),
    }
}

fn written_status<T>(written: &Written<T>) -> (StatusCode, &'static str) {
    match written {
        Written::Created(_) => (StatusCode::CREATED, "created"),
        Written::Replayed(_) => (StatusCode::OK, "replayed"),
        Written::Unchanged(_) => (StatusCode::OK, "unchanged"),
    }
}

fn with_location(status: StatusCode, body: Value, location: &str) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A path segment, percent-encoded.
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub async fn put_recipe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let ctx = WriteContext::from_headers(&headers)?;
    let bytes = json_body(&headers, body, state.limits().max_bytes).await?;
    let fallback = ctx.object_key.as_deref().and_then(recipe_id_from_key);
    let recipe = match parse_recipe(&bytes, state.limits(), fallback.as_ref()) {
        Ok(recipe) => recipe,
        Err(rejection) => return Err(refuse(&state, &ctx, "recipe", &rejection).await),
    };
    let document = recipe_json(&recipe);
    let version = NewVersion {
        recipe_id: recipe.id().clone(),
        name: recipe.name().to_owned(),
        rating: recipe.rating(),
        content_hash: content_hash(&document),
        document,
        key: ctx.key.clone(),
        at: now_rfc3339(),
    };
    let written = state.store().put_version(&version).await?;
    let (status, word) = written_status(&written);
    let stored = written.into_inner();
    tracing::info!(recipe_id = %stored.recipe_id, version = stored.version, status = word, "recipe version");
    let location = format!(
        "/recipes/{}?version={}",
        segment(stored.recipe_id.as_str()),
        stored.version
    );
    Ok(with_location(
        status,
        json!({"status": word, "recipeId": stored.recipe_id, "version": stored.version, "name": stored.name}),
        &location,
    ))
}

/// The recipe a make is diffed against: the current version, parsed once
/// per version.
async fn current_recipe(
    state: &AppState,
    recipe_id: &RecipeId,
) -> Result<Option<(u32, Arc<Recipe>)>> {
    // The small summary names the current version; the document is read
    // only when that version is not parsed and cached yet.
    let Some(summary) = state.store().recipe_summary(recipe_id).await? else {
        return Ok(None);
    };
    let key = (recipe_id.clone(), summary.current_version);
    if let Some(recipe) = state.cached_version(&key) {
        return Ok(Some((summary.current_version, recipe)));
    }
    let Some(stored) = state
        .store()
        .version(recipe_id, Some(summary.current_version))
        .await?
    else {
        return Ok(None);
    };
    // Stored under this server's limits, so read back under the same ones.
    let recipe = recipe_from_value(&stored.document, state.limits(), None).map_err(|rejection| {
        tracing::error!(%recipe_id, version = stored.version, %rejection, "stored version does not parse");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "the server failed; the failure is logged")
    })?;
    let recipe = Arc::new(recipe);
    state.cache_version(key, Arc::clone(&recipe));
    Ok(Some((stored.version, recipe)))
}

pub async fn post_make(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let recipe_id = recipe_id(&path_params(path)?)?;
    let ctx = WriteContext::from_headers(&headers)?;
    let bytes = json_body(&headers, body, state.limits().max_bytes).await?;
    let mut make = match parse_make(&bytes, state.limits()) {
        Ok(make) => make,
        Err(rejection) => return Err(refuse(&state, &ctx, "make", &rejection).await),
    };
    if make.recipe_id() != &recipe_id {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "recipe-id-mismatch",
            "Invalid document",
            format!(
                "the make names recipe {:?} but was sent to recipe {:?}",
                make.recipe_id().as_str(),
                recipe_id.as_str()
            ),
        );
        problem.path = Some("$.recipeId".into());
        return Err(record(&state, &ctx, "make", problem).await);
    }
    // An unknown recipe is not recorded as a rejection: the recipe may still
    // be on its way, and the sender retries.
    let Some((version, recipe)) = current_recipe(&state, &recipe_id).await? else {
        return Err(Problem::recipe_not_found(recipe_id.as_str()));
    };
    let at = now_rfc3339();
    let make_id = match make.make_id() {
        Some(id) => id.clone(),
        None => {
            let hash = content_hash(&Value::from(ctx.key.as_str()));
            let id = make_id(&format!("{}-{}", compact(&at), &hash[..8]))?;
            make.set_make_id(id.clone());
            id
        }
    };
    let diff = diff_make(&recipe, &make);
    let facts = MakeFacts::from_diff(
        &diff,
        make_id.clone(),
        version,
        make.made_at().map(str::to_owned),
        at.clone(),
        make.content().rating(),
    );
    let document = recipe_json(make.content());
    let new = NewMake {
        recipe_id: recipe_id.clone(),
        make_id,
        version,
        made_at: make.made_at().map(str::to_owned),
        notes: make.notes().map(str::to_owned),
        rating: make.content().rating(),
        content_hash: content_hash(&document),
        diff: to_json(&diff)?,
        facts,
        document,
        key: ctx.key.clone(),
        at,
    };
    let size = new.document.to_string().len()
        + new.diff.to_string().len()
        + to_json(&new.facts)?.to_string().len();
    if size > MAX_MAKE_BYTES {
        let problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too-large-to-store",
            "Invalid document",
            format!(
                "the make and its diff come to {size} bytes; a stored make is limited to {MAX_MAKE_BYTES} bytes"
            ),
        );
        return Err(record(&state, &ctx, "make", problem).await);
    }
    let written = match state.store().put_make(&new).await {
        Ok(written) => written,
        Err(error @ shared::store::StoreError::MakeConflict(_)) => {
            return Err(record(&state, &ctx, "make", Problem::from(error)).await);
        }
        Err(error) => return Err(error.into()),
    };
    let (status, word) = written_status(&written);
    let stored = written.into_inner();
    tracing::info!(recipe_id = %stored.recipe_id, make_id = %stored.make_id, changes = diff.summary.total, status = word, "make");
    let mut body = json!({"status": word, "recipeId": stored.recipe_id, "makeId": stored.make_id, "version": stored.version});
    if status == StatusCode::CREATED {
        body["summary"] = to_json(&diff.summary)?;
    }
    let location = format!(
        "/recipes/{}/makes/{}",
        segment(stored.recipe_id.as_str()),
        segment(stored.make_id.as_str())
    );
    Ok(with_location(status, body, &location))
}

/// What a rejection posted by the chain must say.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RejectionBody {
    object_key: Option<String>,
    kind: Option<String>,
    code: String,
    message: String,
    path: Option<String>,
}

pub async fn post_rejection(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let ctx = WriteContext::from_headers(&headers)?;
    let bytes = json_body(&headers, body, state.limits().max_bytes).await?;
    let invalid = |detail: String, path: &str| {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-rejection",
            "Invalid document",
            detail,
        );
        p.path = Some(path.to_owned());
        p
    };
    let body: RejectionBody = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(format!("not a rejection: {e}"), "$"))?;
    let text_ok = |t: &str, max: usize| {
        !t.is_empty() && t.chars().count() <= max && !t.chars().any(char::is_control)
    };
    if !text_ok(&body.code, 64)
        || !body
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(invalid(
            "code must be 1 to 64 characters of a-z, 0-9 and -".into(),
            "$.code",
        ));
    }
    if !text_ok(&body.message, 2000) {
        return Err(invalid(
            "message must be 1 to 2000 characters without control characters".into(),
            "$.message",
        ));
    }
    for (field, value, max) in [
        ("objectKey", &body.object_key, 1024),
        ("kind", &body.kind, 16),
        ("path", &body.path, 1000),
    ] {
        if let Some(v) = value
            && !text_ok(v, max)
        {
            return Err(invalid(
                format!("{field} must be 1 to {max} characters without control characters"),
                &format!("$.{field}"),
            ));
        }
    }
    let rejection = NewRejection {
        key: ctx.key.clone(),
        object_key: body.object_key,
        kind: body.kind,
        code: body.code,
        message: body.message,
        path: body.path.unwrap_or_else(|| "$".into()),
        at: now_rfc3339(),
    };
    let written = state.store().put_rejection(&rejection).await?;
    let (status, word) = written_status(&written);
    let stored = written.into_inner();
    tracing::info!(code = %stored.code, object_key = ?stored.object_key, status = word, "rejection");
    let mut body = to_json(&stored)?;
    body["status"] = Value::from(word);
    Ok((status, Json(body)).into_response())
}

// ---------------------------------------------------------------- reads

fn page_json<T: serde::Serialize>(page: &shared::store::Page<T>) -> Result<Response> {
    Ok(Json(to_json(page)?).into_response())
}

pub async fn list_recipes(
    State(state): State<AppState>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let page = Params::from(query)?.page()?;
    page_json(&state.store().recipes(&page).await?)
}

pub async fn get_recipe(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let recipe_id = recipe_id(&path_params(path)?)?;
    let params = Params::from(query)?;
    let version = match params.get("version") {
        None => None,
        Some(text) => Some(
            text.parse::<u32>()
                .ok()
                .filter(|v| *v >= 1)
                .ok_or_else(|| {
                    Problem::bad_request("invalid-query", "version must be a whole number from 1")
                })?,
        ),
    };
    let Some(summary) = state.store().recipe_summary(&recipe_id).await? else {
        return Err(Problem::recipe_not_found(recipe_id.as_str()));
    };
    let Some(stored) = state.store().version(&recipe_id, version).await? else {
        return Err(Problem::not_found(
            "version-not-found",
            format!(
                "recipe {:?} has no version {}",
                recipe_id.as_str(),
                version.unwrap_or(0)
            ),
        ));
    };
    let mut body = to_json(&stored)?;
    body["currentVersion"] = Value::from(summary.current_version);
    body["makeCount"] = Value::from(summary.make_count);
    body["averageMakeRating"] = to_json(&summary.average_make_rating)?;
    Ok(Json(body).into_response())
}

pub async fn list_versions(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let recipe_id = recipe_id(&path_params(path)?)?;
    let page = Params::from(query)?.page()?;
    match state.store().versions(&recipe_id, &page).await? {
        Some(page) => page_json(&page),
        None => Err(Problem::recipe_not_found(recipe_id.as_str())),
    }
}

pub async fn list_makes(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let recipe_id = recipe_id(&path_params(path)?)?;
    let page = Params::from(query)?.page()?;
    match state.store().makes(&recipe_id, &page).await? {
        Some(page) => page_json(&page),
        None => Err(Problem::recipe_not_found(recipe_id.as_str())),
    }
}

async fn stored_make(
    state: &AppState,
    path: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<shared::store::StoredMake> {
    let (recipe, make) = path_params(path)?;
    let (recipe_id, make_id) = (recipe_id(&recipe)?, make_id(&make)?);
    match state.store().make(&recipe_id, &make_id).await? {
        Some(make) => Ok(make),
        None => Err(Problem::not_found(
            "make-not-found",
            format!(
                "recipe {:?} has no make {:?}",
                recipe_id.as_str(),
                make_id.as_str()
            ),
        )),
    }
}

pub async fn get_make(
    State(state): State<AppState>,
    path: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<Response> {
    let make = stored_make(&state, path).await?;
    Ok(Json(to_json(&make)?).into_response())
}

pub async fn get_differences(
    State(state): State<AppState>,
    path: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<Response> {
    let make = stored_make(&state, path).await?;
    let differences = make
        .diff
        .get("differences")
        .cloned()
        .unwrap_or_else(|| Value::Array(Vec::new()));
    Ok(Json(json!({
        "recipeId": make.recipe_id,
        "makeId": make.make_id,
        "version": make.version,
        "differences": differences,
    }))
    .into_response())
}

pub async fn get_insights(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Response> {
    let recipe_id = recipe_id(&path_params(path)?)?;
    let Some(summary) = state.store().recipe_summary(&recipe_id).await? else {
        return Err(Problem::recipe_not_found(recipe_id.as_str()));
    };
    let mut builder = InsightsBuilder::default();
    let mut page = PageRequest::first(MAX_PAGE);
    let mut read = 0;
    loop {
        let Some(facts) = state.store().make_facts(&recipe_id, &page).await? else {
            return Err(Problem::recipe_not_found(recipe_id.as_str()));
        };
        read += facts.items.len();
        facts.items.iter().for_each(|f| builder.add(f));
        match facts.next_cursor {
            Some(cursor) if read < MAX_INSIGHT_MAKES => page.cursor = Some(cursor),
            _ => break,
        }
    }
    let insights = builder.finish(recipe_id, summary.rating, INSIGHT_TOP);
    Ok(Json(to_json(&insights)?).into_response())
}

pub async fn list_rejections(
    State(state): State<AppState>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response> {
    let page = Params::from(query)?.page()?;
    page_json(&state.store().rejections(&page).await?)
}
