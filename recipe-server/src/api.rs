//! The API's bodies: every request and response body of the recipe
//! server, each a type with `Serialize`, `Deserialize` and an OpenAPI
//! schema (utoipa's `ToSchema`), under the name its schema has in the
//! document (`GET /openapi.json`, generated from these and the handlers'
//! `#[utoipa::path]`s: [`crate::openapi`]).
//!
//! Most are defined here. Those the store or the diff already give whole
//! are re-exported from `shared`, where they derive their schemas behind
//! its `openapi` feature ([`RecipeSummary`], [`StoredMake`], [`Insights`],
//! the diff's [`MakeDiff`] and its [`Change`]s, …); the bodies the sender
//! writes and reads are the wire contract's ([`NewRejection`],
//! [`Deletion`], [`Problem`]).
//!
//! A `document` or `diff` field is the JSON as the store keeps it (a
//! `Value`), and its schema says what it holds: [`CanonicalRecipe`],
//! [`MakeDiff`].

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::diff::Summary;
use shared::keys::UploadKind;
use shared::model::{MakeId, RecipeId};
use shared::refusal::Code;
use shared::store::{Cursor, Removed, StoredVersion, VersionSource};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

pub use crate::service::InsightsAcross;
pub use shared::diff::{Amount, Change, Difference, InlineSpan, MakeDiff, ScaleEntry};
pub use shared::insights::Insights;
pub use shared::openapi::{CanonicalRecipe, Measure};
pub use shared::ports::uploads::UploadForm;
pub use shared::store::{MakeSummary, RecipeSummary, StoredMake, VersionSummary};
pub use shared::wire::{DeletionBody as Deletion, Problem, RejectionBody as NewRejection};

// ------------------------------------------------------------------ meta

/// `GET /health`: the server and its store answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// Always `ok` (an unhealthy server answers a problem).
    pub status: Healthy,
}

/// The one state a health answer has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Healthy {
    /// The store answered.
    Ok,
}

// ---------------------------------------------------------------- writes

/// What a write did: a new record, a replay of an earlier write with the
/// same key, or (recipe versions) content equal to the current version's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WriteStatus {
    /// A new record (201).
    Created,
    /// The key was seen before: the first write's result (200).
    Replayed,
    /// The content equals the current version's: nothing written (200).
    Unchanged,
}

/// `POST /recipes` (and `PUT`) and `POST /recipes/{recipeId}/makes`: what
/// was stored. A recipe version names its `name`; a make its `makeId`, and,
/// when it was created, the diff's `summary`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WriteResult {
    /// What the write did.
    pub status: WriteStatus,
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The version stored (or found unchanged), or the one the make was
    /// diffed against.
    #[schema(minimum = 1)]
    pub version: u32,
    /// The recipe's name in this version (recipe versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// The make (makes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub make_id: Option<MakeId>,
    /// How many changes of each kind the make has (a make just created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub summary: Option<Summary>,
}

/// `POST /rejections`: the rejection as recorded, and whether this write
/// recorded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRejection {
    /// The rejection.
    #[serde(flatten)]
    pub rejection: StoredRejection,
    /// `created`, or `replayed` for a key seen before.
    pub status: RecordStatus,
}

/// Whether a rejection was recorded by this write or an earlier one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// Recorded now (201).
    Created,
    /// The key was seen before: the first write's record (200).
    Replayed,
}

/// `POST /deletions`: what the deletion of an object removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeletionResult {
    /// Always `deleted`.
    pub status: Deleted,
    /// The deleted key.
    pub object_key: String,
    /// `recipe` or `make`.
    pub kind: UploadKind,
    /// What went (zeros when nothing was left).
    pub removed: Removed,
}

/// The one state a deletion's answer has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Deleted {
    /// What came from the object is gone.
    Deleted,
}

/// `POST /erasures/replay`: what applying the erasure journal again did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplayResult {
    /// Everything erased again: recipes, makes and erasures finished.
    pub erased: u64,
    /// Recipes erased again, with everything of them.
    pub recipes: u64,
    /// Makes erased again (beside those of the recipes).
    pub makes: u64,
    /// Erasures the store had under way (a restore to the middle of one),
    /// finished first.
    pub resumed: u64,
    /// Erasures in the journal.
    pub journal_entries: u64,
    /// Recipes of the store looked at.
    pub recipes_checked: u64,
}

impl From<crate::service::Replayed> for ReplayResult {
    fn from(replayed: crate::service::Replayed) -> Self {
        Self {
            erased: replayed.erased(),
            recipes: replayed.recipes,
            makes: replayed.makes,
            resumed: replayed.resumed,
            journal_entries: replayed.journal_entries,
            recipes_checked: replayed.recipes_checked,
        }
    }
}

// ----------------------------------------------------------------- reads

/// Declares the pages of the lists: each its own type, so that its
/// schema names its items' (`$ref`) rather than copying them.
macro_rules! pages {
    ($($(#[$doc:meta])* $name:ident of $item:ty;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            /// The items.
            pub items: Vec<$item>,
            /// Where the next page starts (give it back as `cursor`);
            /// absent on the last page.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub next_cursor: Option<Cursor>,
        }

        impl<T: Into<$item>> From<shared::store::Page<T>> for $name {
            fn from(page: shared::store::Page<T>) -> Self {
                Self {
                    items: page.items.into_iter().map(Into::into).collect(),
                    next_cursor: page.next_cursor,
                }
            }
        }
    )*};
}

pages! {
    /// `GET /recipes`: a page of recipes, by id.
    RecipePage of RecipeSummary;
    /// `GET /recipes/{recipeId}/versions`: a page of versions, oldest first.
    VersionPage of VersionSummary;
    /// `GET /recipes/{recipeId}/makes`: a page of makes, by make id.
    MakePage of MakeSummary;
    /// `GET /rejections`: a page of rejections, newest first.
    RejectionPage of StoredRejection;
}

/// `GET /recipes/{recipeId}`: one version, with its canonical document
/// and the recipe's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipeVersion {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// This version's number (1, 2, 3, …).
    #[schema(minimum = 1)]
    pub version: u32,
    /// The recipe's name in this version.
    pub name: String,
    /// SHA-256 of the canonical JSON, hex.
    pub content_hash: String,
    /// When it was stored.
    pub created_at: String,
    /// When the object this version came from was deleted: the version is
    /// withdrawn (never current; its makes are kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub withdrawn_at: Option<String>,
    /// The canonical JSON of this version.
    #[schema(value_type = CanonicalRecipe)]
    pub document: Value,
    /// The recipe's current version: the newest one not withdrawn (the
    /// newest one, when all are).
    pub current_version: u32,
    /// How many makes the recipe has.
    pub make_count: u64,
    /// The average rating of its rated makes (`null` when none is rated).
    #[schema(required)]
    pub average_make_rating: Option<f64>,
    /// Every version is withdrawn: the recipe's objects were deleted.
    /// Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// Where this version came from: an upload, an adopted make, a
    /// restored version.
    pub source: VersionSource,
    /// The recipe this one is a variant of, at the version it was made
    /// from; absent for an original, and for a variant whose parent was
    /// erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub variant_of: Option<VersionAt>,
    /// A variant whose parent was erased: nothing of the parent is kept,
    /// not even its id. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parent_erased: bool,
    /// The line back to the original, nearest first: the parent, its
    /// parent, and so on (empty for an original).
    pub lineage: Vec<Ancestor>,
    /// The recipe's variants (the first 100), by id.
    pub variants: Vec<Variant>,
}

/// A recipe in a variant's line back to its original.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ancestor {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The version its variant was made from.
    #[schema(minimum = 1)]
    pub version: u32,
    /// Its name now.
    pub name: String,
    /// Its own parent was erased: the line ends here. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parent_erased: bool,
}

/// A variant of a recipe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Variant {
    /// The variant.
    pub recipe_id: RecipeId,
    /// Its current name.
    pub name: String,
    /// Its current version.
    #[schema(minimum = 1)]
    pub current_version: u32,
}

impl From<crate::service::RecipeView> for RecipeVersion {
    fn from(view: crate::service::RecipeView) -> Self {
        let StoredVersion {
            recipe_id,
            head,
            document,
        } = view.version;
        Self {
            recipe_id,
            version: head.version,
            name: head.name,
            content_hash: head.content_hash,
            created_at: head.created_at,
            withdrawn_at: head.withdrawn_at,
            document,
            current_version: view.summary.current_version,
            make_count: view.summary.make_count,
            average_make_rating: view.summary.average_make_rating,
            withdrawn: view.summary.withdrawn,
            source: head.source,
            variant_of: view.summary.variant_of.map(|parent| VersionAt {
                recipe_id: parent.recipe_id,
                version: parent.version,
            }),
            parent_erased: view.summary.parent_erased,
            lineage: view
                .lineage
                .into_iter()
                .map(|ancestor| Ancestor {
                    recipe_id: ancestor.at.recipe_id,
                    version: ancestor.at.version,
                    name: ancestor.name,
                    parent_erased: ancestor.parent_erased,
                })
                .collect(),
            variants: view
                .variants
                .into_iter()
                .map(|variant| Variant {
                    recipe_id: variant.recipe_id,
                    name: variant.name,
                    current_version: variant.current_version,
                })
                .collect(),
        }
    }
}

/// One recipe version, as `GET /compare` names it (`recipeId@version`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionAt {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// Its version.
    #[schema(minimum = 1)]
    pub version: u32,
}

impl From<&crate::service::VersionRef> for VersionAt {
    fn from(at: &crate::service::VersionRef) -> Self {
        Self {
            recipe_id: at.recipe_id.clone(),
            version: at.version,
        }
    }
}

/// `GET /compare`: how one recipe version differs from another, as the
/// same diff document a make has (`to` in the make's place).
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// The version compared from.
    pub from: VersionAt,
    /// The version compared to.
    pub to: VersionAt,
    /// How `to` differs from `from`: the summary, the changes, the JSON
    /// Patch and the seed's flat differences, as a make's diff.
    pub diff: MakeDiff,
}

/// `GET /recipes/{recipeId}/makes/{makeId}/differences`: the seed's flat
/// list of one make's differences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Differences {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The make.
    pub make_id: MakeId,
    /// The recipe version it was diffed against.
    pub version: u32,
    /// The differences, one per field.
    pub differences: Vec<Difference>,
}

impl From<crate::service::MakeDifferences> for Differences {
    fn from(found: crate::service::MakeDifferences) -> Self {
        Self {
            recipe_id: found.make.recipe_id,
            make_id: found.make.make_id,
            version: found.make.version,
            differences: found.differences,
        }
    }
}

/// An upload the chain refused, as recorded (`GET /rejections`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredRejection {
    /// Its id: sortable by time.
    pub rejection_id: String,
    /// The bucket key the upload came from (`null` when it came from none).
    #[schema(required)]
    pub object_key: Option<String>,
    /// `recipe` or `make` (`null` when not known).
    #[schema(required)]
    pub kind: Option<UploadKind>,
    /// Why, for programs.
    pub code: Code,
    /// Why, for people.
    pub message: String,
    /// The JSON path it applies to; `$` for the whole document.
    pub path: String,
    /// When it was recorded.
    pub created_at: String,
}

impl From<shared::store::StoredRejection> for StoredRejection {
    fn from(stored: shared::store::StoredRejection) -> Self {
        let shared::store::StoredRejection {
            rejection_id,
            upload,
            created_at,
        } = stored;
        Self {
            rejection_id,
            object_key: upload.object_key,
            kind: upload.kind,
            code: upload.refusal.code,
            message: upload.refusal.message,
            path: upload.refusal.path,
            created_at,
        }
    }
}

// ------------------------------------------------------------- dashboard

/// `POST /recipes/{recipeId}/diff`: a make as it would be stored, and its
/// diff against the recipe's current version; nothing is stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preview {
    /// The recipe the make names.
    #[schema(value_type = RecipeId)]
    pub recipe_id: String,
    /// The version it would be diffed against: the current one.
    #[schema(minimum = 1)]
    pub version: u32,
    /// The make in canonical form, as it would be stored.
    #[schema(value_type = CanonicalRecipe)]
    pub document: Value,
    /// Its diff against that version.
    #[schema(value_type = MakeDiff)]
    pub diff: Value,
}

impl Preview {
    /// The wire form of the service's preview (its diff as JSON, as a
    /// stored make's is).
    pub fn of(preview: crate::service::Preview) -> Result<Self, serde_json::Error> {
        Ok(Self {
            recipe_id: preview.recipe_id,
            version: preview.version,
            document: preview.document,
            diff: serde_json::to_value(&preview.diff)?,
        })
    }
}

/// `POST /uploads`: what the dashboard asks to upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadRequest {
    /// `make` goes under makes/, `recipe` under recipes/.
    pub kind: UploadKind,
    /// A plain file name ending in .json, .jsonld, .html or .htm (letters,
    /// digits, spaces, . _ - ( ), not starting with a dot); its suffix sets
    /// the content type, and a recipe's id falls back to its stem.
    #[schema(min_length = 1, max_length = 100)]
    pub file_name: String,
}

/// `POST /uploads/form`: a posted upload form, as multipart/form-data
/// (the handler reads it part by part, as S3 does, so this type only
/// names its fields: the form's, then the file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadFormPost {
    /// The object key the form was signed for.
    pub key: String,
    /// The content type the form was signed for.
    #[serde(rename = "Content-Type")]
    pub content_type: String,
    /// The signed policy.
    pub policy: String,
    /// The policy's signature.
    pub signature: String,
    /// The file, last.
    #[schema(value_type = String, format = Binary)]
    pub file: String,
}

/// `POST /imports`: the link to a recipe page a cook imports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The page's http or https URL.
    #[schema(min_length = 1, max_length = 2048)]
    pub url: String,
}

/// `POST /imports`' answer: the page is in the bucket, on its way through
/// the chain as any upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Imported {
    /// The object key the page was stored under: the chain stores the
    /// recipe from it, or records why not under this key (`GET
    /// /rejections`).
    pub key: String,
    /// The URL the page was read from, after any redirects.
    pub url: String,
}

/// `POST /uploads/form`'s answer: where the file was stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Uploaded {
    /// The object key, in the bucket folder.
    pub key: String,
}

/// `GET /dashboard/config.json`: how the dashboard signs its reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "auth", rename_all = "lowercase", deny_unknown_fields)]
pub enum DashboardConfig {
    /// Reads are open (locally, or a stack with public reads).
    None,
    /// Reads need a Cognito user's token: the dashboard signs in through
    /// the hosted UI (authorization code with PKCE) and sends
    /// `Authorization: Bearer <access token>`.
    #[serde(rename_all = "camelCase")]
    #[schema(rename_all = "camelCase")]
    Cognito {
        /// The hosted UI's host name.
        domain: String,
        /// `https://<domain>`.
        origin: String,
        /// The app client's id.
        client_id: String,
    },
}

// ------------------------------------------------------- the documents

/// A recipe or make document: the seed format or schema.org Recipe JSON-LD
/// (docs/formats.md). The server reads the body itself (so that a refusal
/// names the JSON path at fault), and the schema is what a document
/// should be: one that breaks docs/formats.md's rules is refused with 422.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecipeDocument {
    /// The seed format.
    Seed(SeedDocument),
    /// schema.org Recipe JSON-LD.
    SchemaOrg(SchemaOrgDocument),
}

/// Either form: `anyOf` (a document may be read as either).
impl PartialSchema for RecipeDocument {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::schema::AnyOfBuilder::new()
            .description(Some("The seed format, or schema.org Recipe JSON-LD."))
            .item(utoipa::openapi::Ref::from_schema_name(SeedDocument::name()))
            .item(utoipa::openapi::Ref::from_schema_name(
                SchemaOrgDocument::name(),
            ))
            .into()
    }
}

impl ToSchema for RecipeDocument {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for (name, schema) in [
            (SeedDocument::name(), SeedDocument::schema()),
            (SchemaOrgDocument::name(), SchemaOrgDocument::schema()),
        ] {
            schemas.push((name.into_owned(), schema));
        }
        SeedDocument::schemas(schemas);
        SchemaOrgDocument::schemas(schemas);
    }
}

/// An id as a document gives it: text of 1 to 128 characters, or a whole
/// number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DocumentId {
    /// Text.
    Text(String),
    /// A whole number.
    Number(u64),
}

impl PartialSchema for DocumentId {
    fn schema() -> RefOr<Schema> {
        let json = serde_json::json!({
            "type": ["string", "integer"],
            "minLength": 1,
            "maxLength": shared::model::MAX_ID_CHARS,
            "minimum": 0,
        });
        serde_json::from_value(json).unwrap_or_else(|_| RefOr::T(Schema::default()))
    }
}

impl ToSchema for DocumentId {}

/// A document in the seed format (docs/formats.md). The reader takes more
/// than this lists (a quantity as text, `quantityMax`, `group`, a step's
/// `section`, any other top-level field); these are the fields every
/// client writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeedDocument {
    /// The recipe's name.
    #[schema(min_length = 1, max_length = 500)]
    pub recipe_name: String,
    /// The recipe's id (a make's: the recipe it was made from).
    pub recipe_id: DocumentId,
    /// A rating from 0 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 0, maximum = 5)]
    pub rating: Option<f64>,
    /// What it yields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 500)]
    pub recipe_yield: Option<String>,
    /// The ingredients, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_items = 500)]
    pub ingredients: Option<Vec<SeedIngredient>>,
    /// The steps, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_items = 500)]
    pub steps: Option<Vec<SeedStep>>,
    /// A make's id (a make without one is given one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub make_id: Option<DocumentId>,
    /// When a make was made (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub made_at: Option<String>,
    /// A make's notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 10000)]
    pub notes: Option<String>,
    /// A recipe's parent: the recipe it is a variant of, which must be
    /// stored first (until it is, the upload waits with `parent-not-found`).
    /// Kept only when the upload creates the recipe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub variant_of: Option<DocumentId>,
    /// The make of this recipe that this version adopts (`recipe-chain
    /// adopt`, the dashboard's "Make this the recipe").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub adopted_from: Option<DocumentId>,
    /// The version of this recipe whose content this version restores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 1)]
    pub restored_from: Option<u32>,
}

/// An ingredient of a seed document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeedIngredient {
    /// Its id within the recipe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ingredient_id: Option<DocumentId>,
    /// Its name.
    #[schema(min_length = 1, max_length = 500)]
    pub ingredient_name: String,
    /// How much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 0, maximum = 1_000_000)]
    pub quantity: Option<f64>,
    /// The unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 500)]
    pub measurement: Option<String>,
    /// A size or degree word: large, heaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 500)]
    pub size: Option<String>,
    /// Each counted package's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub package_size: Option<Measure>,
    /// A measure added to the amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub plus: Option<Measure>,
    /// The amount restated in other units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub alternative: Option<Measure>,
    /// What was done to it: peeled and chopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 500)]
    pub preparation: Option<String>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 500)]
    pub note: Option<String>,
}

/// A step of a seed document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeedStep {
    /// Its id within the recipe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub step_id: Option<DocumentId>,
    /// What to do.
    #[schema(min_length = 1, max_length = 10000)]
    pub step_text: String,
}

/// A schema.org Recipe in JSON-LD (docs/formats.md), as a page embeds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaOrgDocument {
    /// `https://schema.org`.
    #[serde(rename = "@context")]
    pub context: SchemaOrgContext,
    /// `Recipe`.
    #[serde(rename = "@type")]
    pub kind: SchemaOrgType,
    /// The recipe's name.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// The recipe's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, min_length = 1, max_length = 128)]
    pub identifier: Option<String>,
    /// A make's recipe: the id of the recipe it is based on. A recipe's
    /// parent, when it names a stored recipe (by its id, or an address
    /// ending `/recipes/<id>`): the recipe is then a variant of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, min_length = 1)]
    pub is_based_on: Option<String>,
    /// The ingredient lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_items = 500)]
    pub recipe_ingredient: Option<Vec<IngredientLine>>,
    /// The steps, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_items = 500)]
    pub recipe_instructions: Option<Vec<StepText>>,
}

/// schema.org's context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SchemaOrgContext {
    /// The one context read.
    #[serde(rename = "https://schema.org")]
    SchemaOrg,
}

/// The JSON-LD type read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SchemaOrgType {
    /// A recipe.
    Recipe,
}

/// One ingredient line of a schema.org recipe (`2 cups flour`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(max_length = 500)]
pub struct IngredientLine(pub String);

/// One step of a schema.org recipe, as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(max_length = 10000)]
pub struct StepText(pub String);
