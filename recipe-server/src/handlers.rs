//! The API's handlers: each extracts what it needs (see `extract`), calls
//! one use case of the [`Service`](crate::service::Service) and answers
//! with a body of [`crate::api`]. Each carries its operation of the OpenAPI
//! document in `#[utoipa::path]` (method, path, parameters, security and
//! every answer), which the router and the document are both built from
//! (`routes!` in lib.rs), so a route and its contract cannot drift apart.
//! The handlers' own comments are `//`: utoipa would read a doc comment
//! into the document.

use axum::Extension;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shared::object_id::logged;
use shared::ports::uploads::{FormFields, UploadError};
use shared::refusal::Code;
use shared::store::{ErasureTarget, Written};
use shared::wire::{self, PROBLEM_JSON};

use crate::AppState;
use crate::api::{
    Comparison, Deleted, Deletion, DeletionResult, Differences, Health, Healthy, ImportRequest,
    Imported, Insights, InsightsAcross, MakePage, NewRejection, Preview,
    Problem as ProblemDocument, RecipeDocument, RecipePage, RecipeVersion, RecordStatus,
    RecordedRejection, RejectionPage, ReplayResult, StoredMake, StoredRejection, UploadForm,
    UploadFormPost, UploadRequest, Uploaded, VersionPage, WriteResult, WriteStatus,
};
use crate::auth::Cook;
use crate::extract::{JsonBody, MakePath, PageQuery, Params, RecipePath};
use crate::openapi::{
    AcrossQuery, CompareQuery, Correlated, DeletionWrite, ErasureProblems, ObjectDeleted,
    ParentNotFound, ReadProblems, Refused, RejectionWrite, UploadWrite, VersionQuery,
    WriteProblems,
};
use crate::problem::Problem;
use crate::service::{Erased, Failure, Write};

type Result<T, E = Problem> = std::result::Result<T, E>;

/// A JSON answer (`application/json`): `body` with `status`, and a
/// `Location` when it names where the record can be read.
pub(crate) struct Json<T> {
    status: StatusCode,
    body: T,
    location: Option<String>,
}

impl<T: Serialize> Json<T> {
    fn ok(body: T) -> Self {
        Self::with(StatusCode::OK, body)
    }

    fn with(status: StatusCode, body: T) -> Self {
        Self {
            status,
            body,
            location: None,
        }
    }

    fn at(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let body = match serde_json::to_vec(&self.body) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, "serialising a response");
                return Problem::internal().into_response();
            }
        };
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        if let Some(value) = self
            .location
            .and_then(|location| HeaderValue::from_str(&location).ok())
        {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}

fn written_status<T>(written: &Written<T>) -> (StatusCode, WriteStatus) {
    match written {
        Written::Created(_) => (StatusCode::CREATED, WriteStatus::Created),
        Written::Replayed(_) => (StatusCode::OK, WriteStatus::Replayed),
        Written::Unchanged(_) => (StatusCode::OK, WriteStatus::Unchanged),
    }
}

fn word(status: WriteStatus) -> &'static str {
    match status {
        WriteStatus::Created => "created",
        WriteStatus::Replayed => "replayed",
        WriteStatus::Unchanged => "unchanged",
    }
}

// ------------------------------------------------------------------ meta

#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "meta",
    summary = "Whether the server and its store answer.",
    responses((status = 200, description = "Healthy.", body = Health), ReadProblems)
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>> {
    state.service().ping().await?;
    Ok(Json::ok(Health {
        status: Healthy::Ok,
    }))
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "meta",
    summary = "This document.",
    responses(
        (status = 200, description = "The OpenAPI document.", body = Object),
        ReadProblems
    )
)]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::json(),
    )
        .into_response()
}

// ---------------------------------------------------------------- writes

#[utoipa::path(
    post,
    path = wire::path::RECIPES,
    operation_id = "postRecipe",
    tag = "recipes",
    summary = "Store a recipe version (a new version only when the content changed).",
    security(("localToken" = []), ("sigv4" = [])),
    params(UploadWrite),
    request_body(
        description = "A recipe document: the seed format or schema.org Recipe JSON-LD (see docs/formats.md). Documents that break the rules in docs/formats.md are refused with 422 and recorded as rejections.",
        content((RecipeDocument = "application/json"), (RecipeDocument = "application/ld+json"))
    ),
    responses(
        (status = 201, description = "A new version.", body = WriteResult),
        (status = 200, description = "Unchanged content, or a replay of this key.", body = WriteResult),
        WriteProblems, Refused, ObjectDeleted, ParentNotFound
    )
)]
pub async fn post_recipe(
    state: State<AppState>,
    write: Write,
    body: JsonBody,
) -> Result<Json<WriteResult>> {
    put_recipe(state, write, body).await
}

#[utoipa::path(
    put,
    path = wire::path::RECIPES,
    operation_id = "putRecipe",
    tag = "recipes",
    summary = "The same as POST /recipes (kept from the seed).",
    security(("localToken" = []), ("sigv4" = [])),
    params(UploadWrite),
    request_body(
        description = "A recipe document: the seed format or schema.org Recipe JSON-LD (see docs/formats.md). Documents that break the rules in docs/formats.md are refused with 422 and recorded as rejections.",
        content((RecipeDocument = "application/json"), (RecipeDocument = "application/ld+json"))
    ),
    responses(
        (status = 201, description = "A new version.", body = WriteResult),
        (status = 200, description = "Unchanged content, or a replay of this key.", body = WriteResult),
        WriteProblems, Refused, ObjectDeleted, ParentNotFound
    )
)]
pub async fn put_recipe(
    State(state): State<AppState>,
    write: Write,
    JsonBody(body): JsonBody,
) -> Result<Json<WriteResult>> {
    let written = state.service().put_recipe(&write, &body).await?;
    let (status, word_status) = written_status(&written);
    let stored = written.into_inner();
    tracing::info!(recipe = %logged(stored.recipe_id.as_str()), version = stored.head.version, status = word(word_status), "recipe version");
    let location = format!(
        "{}/{}?version={}",
        wire::path::RECIPES,
        wire::segment(stored.recipe_id.as_str()),
        stored.head.version
    );
    let body = WriteResult {
        status: word_status,
        recipe_id: stored.recipe_id,
        version: stored.head.version,
        name: Some(stored.head.name),
        make_id: None,
        summary: None,
    };
    Ok(Json::with(status, body).at(location))
}

#[utoipa::path(
    post,
    path = wire::path::MAKES,
    operation_id = "postMake",
    tag = "makes",
    summary = "Store a make: it is diffed against the recipe's current version and stored with its diff, exactly once per key.",
    security(("localToken" = []), ("sigv4" = [])),
    params(RecipePath, UploadWrite),
    request_body(
        description = "A recipe document: the seed format or schema.org Recipe JSON-LD (see docs/formats.md). Documents that break the rules in docs/formats.md are refused with 422 and recorded as rejections.",
        content((RecipeDocument = "application/json"), (RecipeDocument = "application/ld+json"))
    ),
    responses(
        (status = 201, description = "A new make.", body = WriteResult),
        (status = 200, description = "A replay: the first result for this key (or the same make uploaded again).", body = WriteResult),
        (status = 404, description = "No such recipe (yet): retry later; not recorded as a rejection.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 409, description = "The make id is taken by different content; a rejection record is stored.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 422, description = "The document was refused; `code`, `detail` and `path` say why and where. A rejection record is stored. `recipe-withdrawn`: every version of the recipe was withdrawn (its objects were deleted).", body = ProblemDocument, content_type = PROBLEM_JSON),
        WriteProblems, ObjectDeleted
    )
)]
pub async fn post_make(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    write: Write,
    JsonBody(body): JsonBody,
) -> Result<Json<WriteResult>> {
    let logged = state.service().log_make(&recipe_id, &write, &body).await?;
    let (status, word_status) = written_status(&logged.written);
    let stored = logged.written.into_inner();
    tracing::info!(recipe = %shared::object_id::logged(stored.recipe_id.as_str()), make = %shared::object_id::logged(stored.make_id.as_str()), changes = logged.summary.total, status = word(word_status), "make");
    let location = wire::make_path(stored.recipe_id.as_str(), stored.make_id.as_str());
    let body = WriteResult {
        status: word_status,
        recipe_id: stored.recipe_id,
        version: stored.version,
        name: None,
        make_id: Some(stored.make_id),
        // The counts of a make this write created; a replay names the make.
        summary: (status == StatusCode::CREATED).then_some(logged.summary),
    };
    Ok(Json::with(status, body).at(location))
}

#[utoipa::path(
    post,
    path = wire::path::REJECTIONS,
    operation_id = "postRejection",
    tag = "rejections",
    summary = "Record an upload the chain could not accept, exactly once per key.",
    security(("localToken" = []), ("sigv4" = [])),
    params(RejectionWrite),
    request_body = NewRejection,
    responses(
        (status = 201, description = "Recorded.", body = RecordedRejection),
        (status = 200, description = "A replay of this key.", body = RecordedRejection),
        WriteProblems, ObjectDeleted,
        (status = 422, description = "The rejection breaks the contract (`invalid-rejection`); `detail` and `path` say why and where.", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn post_rejection(
    State(state): State<AppState>,
    write: Write,
    JsonBody(body): JsonBody,
) -> Result<Json<RecordedRejection>> {
    let written = state.service().record_rejection(&write, &body).await?;
    let (status, word_status) = written_status(&written);
    let stored = written.into_inner();
    tracing::info!(code = %stored.upload.refusal.code, key = ?stored.upload.object_key.as_deref().map(logged), status = word(word_status), "rejection");
    let body = RecordedRejection {
        rejection: StoredRejection::from(stored),
        // A rejection is never "unchanged": its store creates or replays.
        status: match word_status {
            WriteStatus::Created => RecordStatus::Created,
            WriteStatus::Replayed | WriteStatus::Unchanged => RecordStatus::Replayed,
        },
    };
    Ok(Json::with(status, body))
}

#[utoipa::path(
    post,
    path = wire::path::DELETIONS,
    operation_id = "postDeletion",
    tag = "deletions",
    summary = "An object was deleted from the bucket: remove what came from it.",
    description = "Sent by the chain when an object under recipes/ or makes/ is deleted (or hidden by a delete marker). The makes and rejections that came from the object before the deletion are removed (a make with its diff, facts and counts), its recipe versions are withdrawn (kept, marked, never current; their makes are kept), and the deletion is remembered so that an older upload of the key delivered later stores nothing. Safe to repeat: a second call removes nothing more.",
    security(("localToken" = []), ("sigv4" = [])),
    params(DeletionWrite),
    request_body = Deletion,
    responses(
        (status = 200, description = "Done: what the deletion removed (zeros when there was nothing left to remove).", body = DeletionResult),
        WriteProblems,
        (status = 422, description = "The deletion breaks the contract (`invalid-deletion`); `detail` and `path` say why and where.", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn post_deletion(
    State(state): State<AppState>,
    _write: Write,
    JsonBody(body): JsonBody,
) -> Result<Json<DeletionResult>> {
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
    Ok(Json::ok(DeletionResult {
        status: Deleted::Deleted,
        object_key: deletion.object_key,
        kind: deletion.kind,
        removed,
    }))
}

// ---------------------------------------------------------------- erasure

#[utoipa::path(
    delete,
    path = "/recipes/{recipeId}",
    operation_id = "eraseRecipe",
    tag = "erasure",
    summary = "Erase a recipe, with everything of it, for good.",
    description = "Authorised like writes (the local write token; IAM in AWS). Removes every version, every make with its diff and facts, the rejections of the recipe's objects (and of recipes/ keys that name it), the idempotency records of all of these, the jobs waiting or dead-lettered that would bring any of it back, and the objects in the bucket (every version, in S3). The store keeps only tombstones under keyed hashes of the objects' keys, so that an upload delivered again later stores nothing. The erasure is remembered until it is finished: a call interrupted by a crash or a timeout is finished by calling again (and, locally, when the chain starts). Idempotent: the first call answers 204, a later one 404 (there is nothing left to erase). The erasure is recorded first in the erasure journal (keyed hashes of the ids only), which a restore of the table cannot roll back: after a restore, POST /erasures/replay applies it again.",
    security(("localToken" = []), ("sigv4" = [])),
    params(RecipePath, Correlated),
    responses(
        (status = 204, description = "Erased: nothing of the recipe is left."),
        (status = 404, description = "No such recipe (or it was erased already).", body = ProblemDocument, content_type = PROBLEM_JSON),
        ErasureProblems
    )
)]
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

#[utoipa::path(
    delete,
    path = wire::path::MAKE,
    operation_id = "eraseMake",
    tag = "erasure",
    summary = "Erase one make for good.",
    description = "Authorised like writes. Removes the make with its diff and facts (the recipe's make count, average rating and insights follow), the rejections and idempotency records of its object, the jobs that would bring it back, and its object in the bucket (every version, in S3). Idempotent: the first call answers 204, a later one 404. The erasure is recorded first in the erasure journal (keyed hashes of the ids only), which a restore of the table cannot roll back: after a restore, POST /erasures/replay applies it again.",
    security(("localToken" = []), ("sigv4" = [])),
    params(MakePath, Correlated),
    responses(
        (status = 204, description = "Erased: the make is gone."),
        (status = 404, description = "No such recipe or make (or it was erased already).", body = ProblemDocument, content_type = PROBLEM_JSON),
        ErasureProblems
    )
)]
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

// Applies the erasure journal to the store again (after a restore): 200
// with what it erased. The work is the erasures' own, each safe to
// repeat, so a call cut short (a timeout) carries on when called again.
#[utoipa::path(
    post,
    path = crate::auth::ERASURES_REPLAY,
    operation_id = "replayErasures",
    tag = "erasure",
    summary = "Apply every journalled erasure to the store again, after a restore.",
    description = "Authorised like the erasures (the local write token; IAM in AWS, as the eraser role). Every erasure is recorded, before it removes anything, in the erasure journal, which a restore of the store cannot roll back (objects under erasures/ in the upload bucket in AWS; data/erasures.jsonl locally); it holds keyed hashes of the erased ids only. This call first finishes any erasure the store has under way, then walks every recipe (and the makes of the recipes the journal names makes of), hashes each id under the tombstones' secret, and erases what matches an entry and was stored at or before it, exactly as DELETE does (records, bucket objects, jobs, and the tombstones again). A recipe added again after its erasure is left alone. Run it after any restore of the table. Safe to repeat: a second call erases nothing. A call cut short (a timeout) carries on where it stopped when called again.",
    security(("localToken" = []), ("sigv4" = [])),
    params(Correlated),
    responses(
        (status = 200, description = "Done: what was erased again (zeros when the store held nothing the journal names).", body = ReplayResult),
        (status = 401, description = "The call is not signed (no write token or IAM authorization); nothing was read or erased.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 403, description = "The write token is wrong, or the caller is not the eraser role; nothing was read or erased.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 503, description = "The store, the journal, the bucket or a queue did not answer; call again: each erasure carries on where it stopped.", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn replay_erasures(State(state): State<AppState>) -> Result<Json<ReplayResult>> {
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
    Ok(Json::ok(ReplayResult::from(replayed)))
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

#[utoipa::path(
    get,
    path = wire::path::RECIPES,
    operation_id = "listRecipes",
    tag = "recipes",
    summary = "Recipes, by id.",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of recipes.", body = RecipePage),
        ReadProblems
    )
)]
pub async fn list_recipes(
    State(state): State<AppState>,
    PageQuery(page): PageQuery,
) -> Result<Json<RecipePage>> {
    Ok(Json::ok(state.service().recipes(&page).await?.into()))
}

#[utoipa::path(
    get,
    path = "/recipes/{recipeId}",
    operation_id = "getRecipe",
    tag = "recipes",
    summary = "A recipe version: the current one, or ?version=n.",
    params(RecipePath, VersionQuery),
    responses(
        (status = 200, description = "The version with its canonical document.", body = RecipeVersion),
        (status = 404, description = "No such recipe or version.", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn get_recipe(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    params: Params,
) -> Result<Json<RecipeVersion>> {
    let view = state
        .service()
        .recipe(&recipe_id, params.version()?)
        .await?;
    Ok(Json::ok(RecipeVersion::from(view)))
}

#[utoipa::path(
    get,
    path = "/recipes/{recipeId}/versions",
    operation_id = "listVersions",
    tag = "recipes",
    summary = "A recipe's versions, oldest first.",
    params(RecipePath, PageQuery),
    responses(
        (status = 200, description = "A page of versions.", body = VersionPage),
        (status = 404, description = "No such recipe.", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn list_versions(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    PageQuery(page): PageQuery,
) -> Result<Json<VersionPage>> {
    Ok(Json::ok(
        state.service().versions(&recipe_id, &page).await?.into(),
    ))
}

#[utoipa::path(
    get,
    path = wire::path::MAKES,
    operation_id = "listMakes",
    tag = "makes",
    summary = "A recipe's makes, by make id.",
    params(RecipePath, PageQuery),
    responses(
        (status = 200, description = "A page of makes.", body = MakePage),
        (status = 404, description = "No such recipe.", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn list_makes(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    PageQuery(page): PageQuery,
) -> Result<Json<MakePage>> {
    Ok(Json::ok(
        state.service().makes(&recipe_id, &page).await?.into(),
    ))
}

#[utoipa::path(
    get,
    path = wire::path::MAKE,
    operation_id = "getMake",
    tag = "makes",
    summary = "One make with its canonical document and its diff.",
    params(MakePath),
    responses(
        (status = 200, description = "The make.", body = StoredMake),
        (status = 404, description = "No such make.", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn get_make(
    State(state): State<AppState>,
    MakePath(recipe_id, make_id): MakePath,
) -> Result<Json<StoredMake>> {
    Ok(Json::ok(state.service().make(&recipe_id, &make_id).await?))
}

#[utoipa::path(
    get,
    path = "/compare",
    operation_id = "compareVersions",
    tag = "recipes",
    summary = "How one recipe version differs from another.",
    description = "The two may be versions of one recipe, or of two (a variant and its parent). The answer is the same diff document a make has (`summary`, `changes`, `patch`, `differences`), with `to` in the make's place; nothing is stored.",
    params(CompareQuery),
    responses(
        (status = 200, description = "The comparison.", body = Comparison),
        (status = 404, description = "No such recipe (`recipe-not-found`) or version (`version-not-found`); `detail` says which.", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn compare(State(state): State<AppState>, params: Params) -> Result<Json<Comparison>> {
    let (from, to) = (params.version_at("from")?, params.version_at("to")?);
    let diff = state.service().compare(&from, &to).await?;
    Ok(Json::ok(Comparison {
        from: (&from).into(),
        to: (&to).into(),
        diff,
    }))
}

#[utoipa::path(
    get,
    path = "/recipes/{recipeId}/makes/{makeId}/differences",
    operation_id = "getDifferences",
    tag = "makes",
    summary = "The seed's flat differences list for one make.",
    params(MakePath),
    responses(
        (status = 200, description = "The differences.", body = Differences),
        (status = 404, description = "No such make.", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn get_differences(
    State(state): State<AppState>,
    MakePath(recipe_id, make_id): MakePath,
) -> Result<Json<Differences>> {
    let found = state.service().differences(&recipe_id, &make_id).await?;
    Ok(Json::ok(Differences::from(found)))
}

#[utoipa::path(
    get,
    path = "/recipes/{recipeId}/insights",
    operation_id = "getInsights",
    tag = "insights",
    summary = "What a recipe's makes say together.",
    params(RecipePath),
    responses(
        (status = 200, description = "The insights.", body = Insights),
        (status = 404, description = "No such recipe.", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn get_insights(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
) -> Result<Json<Insights>> {
    Ok(Json::ok(state.service().insights(&recipe_id).await?))
}

#[utoipa::path(
    get,
    path = "/insights",
    operation_id = "getInsightsAcross",
    tag = "insights",
    summary = "What the makes of every recipe, or of one, say together.",
    description = "Each recipe's insights are counts its store keeps with its makes, so a recipe costs one read however many makes it has; this adds them up across recipes (one read per recipe). Ingredients, substitutions and steps go by their normalised names, each with how many recipes it came up in. The months `from` and `to` narrow the totals and the series by month and week; the rankings, the deviation buckets and the versions count every make. Figures are makes, never cooks: no one's makes are shown apart from anyone else's.",
    params(AcrossQuery),
    responses(
        (status = 200, description = "The insights.", body = InsightsAcross),
        (status = 400, description = "A filter that is not a recipe id or a month, or `from` after `to` (`invalid-query`).", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 404, description = "No such recipe (`recipe-not-found`).", body = ProblemDocument, content_type = PROBLEM_JSON),
        ReadProblems
    )
)]
pub async fn get_insights_across(
    State(state): State<AppState>,
    params: Params,
) -> Result<Json<InsightsAcross>> {
    let filter = params.across()?;
    Ok(Json::ok(state.service().insights_across(&filter).await?))
}

#[utoipa::path(
    get,
    path = wire::path::REJECTIONS,
    operation_id = "listRejections",
    tag = "rejections",
    summary = "Uploads the chain refused, newest first.",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of rejections.", body = RejectionPage),
        ReadProblems
    )
)]
pub async fn list_rejections(
    State(state): State<AppState>,
    PageQuery(page): PageQuery,
) -> Result<Json<RejectionPage>> {
    let page = state.service().rejections(&page).await?;
    Ok(Json::ok(page.into()))
}

// ------------------------------------------------------------- dashboard

#[utoipa::path(
    post,
    path = "/recipes/{recipeId}/diff",
    operation_id = "previewDiff",
    tag = "makes",
    summary = "A make's diff as it would be logged now, storing nothing.",
    description = "The dashboard's live preview while a cook edits a make of the recipe in the path (there, rather than in the body, so that the access log names the recipe whose current version was read): the make is parsed and diffed exactly as a logged make is, against that recipe's current version, and nothing is stored or recorded (a refused make is answered, not recorded as a rejection). A make naming another recipe is refused (`recipe-id-mismatch`), and so is a make of a smoke-test recipe (`reserved-recipe-id`), which the dashboard's folder cannot take. A read: open on this machine, a signed-in reader behind API Gateway.",
    params(RecipePath),
    request_body(
        description = "A make document: the seed format or schema.org Recipe JSON-LD, naming the recipe of the path (see docs/formats.md).",
        content((RecipeDocument = "application/json"), (RecipeDocument = "application/ld+json"))
    ),
    responses(
        (status = 200, description = "The make as it would be stored, and its diff.", body = Preview),
        (status = 400, description = "The body cannot be read, or the recipe id in the path is unusable.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 401, description = "Behind API Gateway: no signed-in user.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 403, description = "Behind API Gateway: the user may not read.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 404, description = "No such recipe.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 413, description = "The body is over the size limit.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 415, description = "The body is not application/json or application/ld+json.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 422, description = "The make would be refused, or names another recipe than the path (`recipe-id-mismatch`): `code` says why and `path` where (nothing is recorded).", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 503, description = "The store did not answer; try again.", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn preview(
    State(state): State<AppState>,
    RecipePath(recipe_id): RecipePath,
    JsonBody(body): JsonBody,
) -> Result<Json<Preview>> {
    let preview = state.service().preview(&recipe_id, &body).await?;
    let preview = Preview::of(preview).map_err(|error| {
        tracing::error!(%error, "serialising a preview's diff");
        Problem::internal()
    })?;
    Ok(Json::ok(preview))
}

#[utoipa::path(
    post,
    path = "/uploads",
    operation_id = "uploadForm",
    tag = "uploads",
    summary = "A signed form for one upload into the bucket.",
    description = "How the dashboard logs a make or adds a recipe without a second write path: the answer is a form for one object, signed so that the bucket accepts exactly one file of the given key, content type and size (at most the object limit, MAX_OBJECT_BYTES) for five minutes. Post `fields` and then the file as the form field `file`, as multipart/form-data, to `url`; the watcher then sees the object like any other. The key is `makes/cooks/<cook>/<fileName>` or `recipes/cooks/<cook>/<fileName>` (a make stored from it records the cook as `loggedBy`), where the cook is the signed-in user's id in AWS (an S3 presigned POST; the user must be in the uploaders' group) and `dashboard` on this machine (the form goes back to this server, to `/uploads/form`; the route answers the write token's holder and this server's own pages).",
    security(("localToken" = []), ("cognito" = [])),
    request_body = UploadRequest,
    responses(
        (status = 200, description = "The form.", body = UploadForm),
        (status = 400, description = "The body cannot be read.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 401, description = "No write token, no page of this server, or no signed-in user.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 403, description = "The write token is wrong, or the user is not in the uploaders' group.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 413, description = "The body is over the size limit.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 415, description = "The body is not application/json.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 422, description = "The request is not an upload this server signs: `path` names the field.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 503, description = "No upload bucket is configured, or signing failed; try again.", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn upload_form(
    State(state): State<AppState>,
    Extension(cook): Extension<Cook>,
    JsonBody(body): JsonBody,
) -> Result<Json<UploadForm>> {
    let form = state.service().upload_form(&cook.0, &body).await?;
    tracing::info!(key = %logged(&form.key), "upload form signed");
    Ok(Json::ok(form))
}

// A posted upload form, where this server is its own bucket (on this
// machine). As at S3, fields after the file are ignored.
#[utoipa::path(
    post,
    path = "/uploads/form",
    operation_id = "postUploadForm",
    tag = "uploads",
    summary = "On this machine: a posted upload form, written into the bucket folder.",
    description = "The local server is its own bucket: it takes the form `/uploads` signed, checks its signature, expiry, key, content type and size as S3 checks a presigned POST, and writes the file into the bucket folder, where the watcher picks it up. Fields after `file` are ignored. Behind API Gateway uploads go straight to S3, and this route answers 404.",
    request_body(content = UploadFormPost, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored in the bucket folder; the chain takes it from there.", body = Uploaded),
        (status = 400, description = "Not a multipart form, or no file in it.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 404, description = "This server does not take uploads: the bucket does.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 413, description = "The body is over the size limit.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 422, description = "The form was changed after it was signed (`upload-form-tampered`), has expired (`upload-form-expired`), or the file breaks its size (`upload-condition`).", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 503, description = "No upload bucket is configured, or the file could not be written; try again.", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn accept_upload(
    State(state): State<AppState>,
    form: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Json<Uploaded>> {
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
    Ok(Json::with(StatusCode::CREATED, Uploaded { key }))
}

#[utoipa::path(
    post,
    path = crate::auth::IMPORTS,
    operation_id = "importPage",
    tag = "uploads",
    summary = "Import a recipe page from its link.",
    description = "Fetches the page at `url` and puts it into the bucket under `recipes/cooks/<cook>/` (the cook as for `POST /uploads`), where the chain stores the recipe as any upload: the answer's `key` is the object to follow (the recipe appears, or a rejection names the key). The fetch is guarded against server-side request forgery: only http and https; the host's name is resolved once and the connection goes to the address checked; loopback, private, link-local, CGNAT, multicast, unique-local, IPv4-mapped and other non-public addresses are refused, and so is each of at most 5 redirects that leads to one; connect and total timeouts, the object size limit (MAX_OBJECT_BYTES), and web pages or JSON documents only. The page must hold a recipe (a schema.org Recipe in a JSON-LD block, or a JSON recipe document). In AWS, only cooks (the uploaders' group) may import, and the route is throttled.",
    security(("localToken" = []), ("cognito" = [])),
    request_body = ImportRequest,
    responses(
        (status = 202, description = "The page is in the bucket; the chain takes it from there.", body = Imported),
        (status = 400, description = "The body cannot be read.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 401, description = "No write token, no page of this server, or no signed-in user.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 403, description = "The write token is wrong, or the user is not in the uploaders' group.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 413, description = "The body is over the size limit.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 415, description = "The body is not application/json.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 422, description = "The link cannot be imported: not an http or https URL (`invalid-import`), an address imports may not reach (`import-address-refused`), a page too large (`import-too-large`), not a web page or JSON (`import-not-a-page`), too many redirects (`import-too-many-redirects`), or a page without a recipe (`no-recipe` and the reading's other codes); `detail` says which.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 502, description = "The link could not be reached, or answered an error status (`import-unreachable`).", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 503, description = "No upload bucket or fetcher is configured, or the bucket did not take the page; try again.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 504, description = "The link did not answer in time (`import-timeout`).", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn import(
    State(state): State<AppState>,
    Extension(cook): Extension<Cook>,
    JsonBody(body): JsonBody,
) -> Result<Json<Imported>> {
    let imported = state.service().import(&cook.0, &body).await?;
    tracing::info!(key = %logged(&imported.key), "page imported");
    Ok(Json::with(StatusCode::ACCEPTED, imported))
}
