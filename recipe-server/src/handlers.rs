//! The API's handlers: each extracts what it needs (see `extract`), calls
//! one use case of the [`Service`](crate::service::Service) and answers.

use axum::Extension;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use shared::ports::uploads::{FormFields, UploadError};
use shared::refusal::Code;
use shared::store::{Page, Written};
use shared::wire;

use crate::auth::Cook;
use crate::extract::{JsonBody, MakePath, PageQuery, Params, RecipePath};
use crate::problem::Problem;
use crate::service::{Erased, Failure, Write};
use crate::{AppState, OPENAPI};
use shared::object_id::logged;
use shared::store::ErasureTarget;

type Result<T, E = Problem> = std::result::Result<T, E>;

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
        Problem::internal()
    })
}

fn page_json<T: serde::Serialize>(page: &Page<T>) -> Result<Response> {
    Ok(Json(to_json(page)?).into_response())
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

pub async fn health(State(state): State<AppState>) -> Result<Response> {
    state.service().ping().await?;
    Ok(Json(json!({"status": "ok"})).into_response())
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

// ---------------------------------------------------------------- writes

pub async fn put_recipe(
    State(state): State<AppState>,
    write: Write,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let written = state.service().put_recipe(&write, &body).await?;
    let (status, word) = written_status(&written);
    let stored = written.into_inner();
    tracing::info!(recipe = %logged(stored.recipe_id.as_str()), version = stored.head.version, status = word, "recipe version");
    let location = format!(
        "{}/{}?version={}",
        wire::path::RECIPES,
        wire::segment(stored.recipe_id.as_str()),
        stored.head.version
    );
    Ok(with_location(
        status,
        json!({"status": word, "recipeId": stored.recipe_id, "version": stored.head.version, "name": stored.head.name}),
        &location,
    ))
}

pub async fn post_make(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    write: Write,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let logged = state.service().log_make(&recipe_id, &write, &body).await?;
    let (status, word) = written_status(&logged.written);
    let stored = logged.written.into_inner();
    tracing::info!(recipe = %shared::object_id::logged(stored.recipe_id.as_str()), make = %shared::object_id::logged(stored.make_id.as_str()), changes = logged.summary.total, status = word, "make");
    let mut body = json!({"status": word, "recipeId": stored.recipe_id, "makeId": stored.make_id, "version": stored.version});
    if status == StatusCode::CREATED {
        body["summary"] = to_json(&logged.summary)?;
    }
    let location = wire::make_path(stored.recipe_id.as_str(), stored.make_id.as_str());
    Ok(with_location(status, body, &location))
}

pub async fn post_rejection(
    State(state): State<AppState>,
    write: Write,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let written = state.service().record_rejection(&write, &body).await?;
    let (status, word) = written_status(&written);
    let stored = written.into_inner();
    tracing::info!(code = %stored.upload.refusal.code, key = ?stored.upload.object_key.as_deref().map(logged), status = word, "rejection");
    let mut body = to_json(&stored)?;
    body["status"] = Value::from(word);
    Ok((status, Json(body)).into_response())
}

pub async fn post_deletion(
    State(state): State<AppState>,
    _write: Write,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let (deletion, removed) = state.service().delete_object(&body).await?;
    tracing::info!(
        kind = deletion.kind.as_str(),
        key = %logged(&deletion.object_key),
        sequencer = ?deletion.sequencer,
        makes = removed.makes,
        versions = removed.versions,
        rejections = removed.rejections,
        "deletion"
    );
    let body = json!({
        "status": "deleted",
        "objectKey": deletion.object_key,
        "kind": deletion.kind,
        "removed": to_json(&removed)?,
    });
    Ok((StatusCode::OK, Json(body)).into_response())
}

// ---------------------------------------------------------------- erasure

pub async fn erase_recipe(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
) -> Result<Response> {
    let target = ErasureTarget::Recipe {
        recipe_id: recipe_id.clone(),
    };
    match state.service().erase(&target).await? {
        Some(erased) => Ok(erased_response(&erased)),
        None => Err(Failure::RecipeNotFound(recipe_id).into()),
    }
}

pub async fn erase_make(
    State(state): State<AppState>,
    MakePath(recipe_id, make_id): MakePath,
) -> Result<Response> {
    let target = ErasureTarget::Make {
        recipe_id: recipe_id.clone(),
        make_id: make_id.clone(),
    };
    match state.service().erase(&target).await? {
        Some(erased) => Ok(erased_response(&erased)),
        None => Err(Failure::MakeNotFound(recipe_id, make_id).into()),
    }
}

/// Applies the erasure journal to the store again (after a restore): 200
/// with what it erased. The work is the erasures' own, each safe to
/// repeat, so a call cut short (a timeout) carries on when called again.
pub async fn replay_erasures(State(state): State<AppState>) -> Result<Response> {
    let replayed = state.service().replay_erasures(&|_| {}).await?;
    // Counts only, as the erasures' own line.
    tracing::info!(
        entries = replayed.journal_entries,
        checked = replayed.recipes_checked,
        recipes = replayed.recipes,
        makes = replayed.makes,
        resumed = replayed.resumed,
        "erasures replayed"
    );
    let mut body = to_json(&replayed)?;
    body["erased"] = Value::from(replayed.erased());
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// 204, and a log line with the counts (never an id or a key: the line
/// outlives what it is about).
fn erased_response(erased: &Erased) -> Response {
    tracing::info!(
        makes = erased.removed.makes,
        versions = erased.removed.versions,
        rejections = erased.removed.rejections,
        objects = erased.objects,
        jobs = erased.jobs,
        "erased"
    );
    StatusCode::NO_CONTENT.into_response()
}

// ---------------------------------------------------------------- reads

pub async fn list_recipes(
    State(state): State<AppState>,
    PageQuery(page): PageQuery,
) -> Result<Response> {
    page_json(&state.service().recipes(&page).await?)
}

pub async fn get_recipe(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    params: Params,
) -> Result<Response> {
    let view = state
        .service()
        .recipe(&recipe_id, params.version()?)
        .await?;
    let mut body = to_json(&view.version)?;
    body["currentVersion"] = Value::from(view.summary.current_version);
    body["makeCount"] = Value::from(view.summary.make_count);
    body["averageMakeRating"] = to_json(&view.summary.average_make_rating)?;
    if view.summary.withdrawn {
        body["withdrawn"] = Value::Bool(true);
    }
    Ok(Json(body).into_response())
}

pub async fn list_versions(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    PageQuery(page): PageQuery,
) -> Result<Response> {
    page_json(&state.service().versions(&recipe_id, &page).await?)
}

pub async fn list_makes(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    PageQuery(page): PageQuery,
) -> Result<Response> {
    page_json(&state.service().makes(&recipe_id, &page).await?)
}

pub async fn get_make(
    State(state): State<AppState>,
    MakePath(recipe_id, make_id): MakePath,
) -> Result<Response> {
    let make = state.service().make(&recipe_id, &make_id).await?;
    Ok(Json(to_json(&make)?).into_response())
}

pub async fn get_differences(
    State(state): State<AppState>,
    MakePath(recipe_id, make_id): MakePath,
) -> Result<Response> {
    let found = state.service().differences(&recipe_id, &make_id).await?;
    Ok(Json(json!({
        "recipeId": found.make.recipe_id,
        "makeId": found.make.make_id,
        "version": found.make.version,
        "differences": to_json(&found.differences)?,
    }))
    .into_response())
}

pub async fn get_insights(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
) -> Result<Response> {
    let insights = state.service().insights(&recipe_id).await?;
    Ok(Json(to_json(&insights)?).into_response())
}

pub async fn list_rejections(
    State(state): State<AppState>,
    PageQuery(page): PageQuery,
) -> Result<Response> {
    page_json(&state.service().rejections(&page).await?)
}

/// `POST /recipes/{recipeId}/diff`: a make's diff as it would be logged,
/// storing nothing.
pub async fn preview(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let preview = state.service().preview(&recipe_id, &body).await?;
    Ok(Json(to_json(&preview)?).into_response())
}

/// `POST /uploads`: a signed form for one upload by the signed-in cook.
pub async fn upload_form(
    State(state): State<AppState>,
    Extension(cook): Extension<Cook>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let form = state.service().upload_form(&cook.0, &body).await?;
    tracing::info!(key = %logged(&form.key), "upload form signed");
    Ok(Json(to_json(&form)?).into_response())
}

/// `POST /uploads/form`: a posted upload form, where this server is its
/// own bucket (on this machine). As at S3, fields after the file are
/// ignored.
pub async fn accept_upload(
    State(state): State<AppState>,
    form: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    if !state.service().takes_forms() {
        return Err(Failure::NotHere(UploadError::NotHere.to_string()).into());
    }
    let unreadable = |detail: String| Problem::new(Code::UnreadableForm, detail);
    let mut form = form.map_err(|e| unreadable(format!("not a multipart form: {e}")))?;
    let mut fields = FormFields::new();
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| unreadable(e.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file = Some(field.bytes().await.map_err(|e| unreadable(e.to_string()))?);
            break;
        }
        let text = field.text().await.map_err(|e| unreadable(e.to_string()))?;
        fields.insert(name, text);
    }
    let file = file.ok_or_else(|| unreadable("the form has no file field".into()))?;
    let key = state.service().accept_upload(&fields, &file).await?;
    tracing::info!(key = %logged(&key), bytes = file.len(), "upload taken");
    Ok((StatusCode::CREATED, Json(json!({ "key": key }))).into_response())
}
