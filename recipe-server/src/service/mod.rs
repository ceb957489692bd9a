//! The recipe server's use cases, over the store port and nothing of HTTP:
//! put a recipe version, log a make (parse, resolve the version, assign the
//! id, diff, compute the facts, check the size, store), record a rejection,
//! delete what came from a deleted object, erase a recipe or a make (and
//! apply the erasure journal again after a restore), and the reads. The
//! handlers extract a request's parts, call one of these and turn the
//! result (or its [`Failure`]) into a response.
//!
//! Every upload this service refuses for good is recorded as a rejection
//! before the refusal is answered, so nothing is lost (invariant 1).

use std::sync::Arc;

use serde_json::Value;
use shared::canonical::recipe_json;
use shared::clock::{compact, now_rfc3339};
use shared::diff::{Difference, MakeDiff, Summary};
use shared::insights::{InsightTally, Insights, MakeFacts};
use shared::keys::{UploadKind, check_smoke_namespace, classify, recipe_id_from_key};
use shared::model::{MakeId, RecipeId};
use shared::parse::{make_from_value, read_document, recipe_from_value, recipe_id_path};
use shared::ports::journal::{ErasureJournal, JournalEntry};
use shared::ports::pages::PageFetcher;
use shared::ports::uploads::UploadForms;
use shared::ports::{JobPurge, ObjectPurge};
use shared::refusal::{Code, Refusal};
use shared::store::{
    ErasureTarget, IdempotencyKey, MAX_MAKE_BYTES, MAX_PAGE, MakeRef, MakeSummary, NewMake,
    NewRejection, NewVersion, ObjectDeletion, ObjectIds, Origin, Page, PageRequest, Parent,
    RecipeStore, RecipeSummary, RejectedUpload, Removed, StoreError, StoredMake, StoredRejection,
    StoredVersion, Tombstone, VersionSource, VersionSummary, Written, content_hash,
};
use shared::wire::{DeletionBody, RejectionBody, rejection_key};
use shared::{Limits, Recipe, Rejection, diff_make};

use crate::version_cache::VersionCache;

mod across;
mod dashboard;
mod failure;
mod replay;

use across::AcrossBuilder;
pub use across::{IngredientAcross, InsightsAcross, StepAcross, SubstitutionAcross, VersionShare};
pub use dashboard::{FORM_SECONDS, MAX_FILE_NAME_CHARS, Preview, content_type_of};
pub use failure::Failure;
pub use replay::Replayed;

/// How many times a first fold of a recipe's makes is tried before it is
/// answered without being kept (makes kept arriving while it read).
const KEEP_ATTEMPTS: usize = 3;
/// A fold of a recipe's makes logs its progress every this many makes.
const FOLD_PROGRESS: u64 = 10_000;
/// How many entries each insights list keeps.
const INSIGHT_TOP: usize = 20;

type Result<T, E = Failure> = std::result::Result<T, E>;

/// What every write carries besides its body.
#[derive(Clone, Debug, PartialEq)]
pub struct Write {
    /// The write's idempotency key.
    pub key: IdempotencyKey,
    /// The bucket key the upload came from, when it came from one.
    pub object_key: Option<String>,
    /// The upload's sequencer, fixed-width ([`Origin::order`]), when given.
    pub sequencer: Option<String>,
}

impl Write {
    /// The bucket object the write came from, when it came from one.
    pub fn origin(&self, ids: &ObjectIds) -> Option<Origin> {
        Origin::of(ids, self.object_key.as_ref(), self.sequencer.as_ref())
    }

    /// The rejection of this write's upload, under the key `key`, now.
    fn rejection(
        &self,
        ids: &ObjectIds,
        key: IdempotencyKey,
        upload: RejectedUpload,
    ) -> NewRejection {
        NewRejection {
            key,
            at: now_rfc3339(),
            sequencer: self.sequencer.clone(),
            object_id: upload.object_key.as_deref().map(|k| ids.id(k)),
            upload,
        }
    }
}

/// What an erasure reaches beyond the store: the object ids' secret,
/// where the erased objects and jobs are removed from, and the journal
/// that erasures are recorded in.
#[derive(Clone)]
pub struct Erasure {
    ids: ObjectIds,
    bucket: Option<Arc<dyn ObjectPurge>>,
    jobs: Vec<Arc<dyn JobPurge>>,
    journal: Option<Arc<dyn ErasureJournal>>,
}

impl Erasure {
    /// Object ids under `ids`; no bucket, queue or journal (a server that
    /// only serves the store, as in some tests).
    pub fn new(ids: ObjectIds) -> Self {
        Self {
            ids,
            bucket: None,
            jobs: Vec::new(),
            journal: None,
        }
    }

    /// Erased objects are removed from `bucket`, every version.
    pub fn with_bucket(mut self, bucket: Arc<dyn ObjectPurge>) -> Self {
        self.bucket = Some(bucket);
        self
    }

    /// Jobs that would bring erased data back are removed from `jobs`,
    /// as well as from the queues given before (the dead-letter queue and,
    /// in AWS, the watcher's failure queue).
    pub fn with_jobs(mut self, jobs: Arc<dyn JobPurge>) -> Self {
        self.jobs.push(jobs);
        self
    }

    /// Every erasure is recorded in `journal` before it removes anything,
    /// so that it can be applied again after a restore of the store
    /// ([`Service::replay_erasures`]).
    pub fn with_journal(mut self, journal: Arc<dyn ErasureJournal>) -> Self {
        self.journal = Some(journal);
        self
    }
}

/// What an erasure did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// Records removed from the store.
    pub removed: Removed,
    /// Object versions (or files) removed from the bucket.
    pub objects: u64,
    /// Jobs removed from the queue and the dead-letter queue.
    pub jobs: u64,
}

/// A logged make: what the store did, and the diff's counts.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedMake {
    /// Created, or a replay of an earlier write.
    pub written: Written<MakeRef>,
    /// How many changes of each kind the make has.
    pub summary: Summary,
}

/// A recipe version with its recipe's figures and its family.
#[derive(Clone, Debug, PartialEq)]
pub struct RecipeView {
    /// The version asked for (the current one by default).
    pub version: StoredVersion,
    /// The recipe's summary: its current version and makes.
    pub summary: RecipeSummary,
    /// The line back to the original, nearest first: the parent, its
    /// parent, and so on.
    pub lineage: Vec<Ancestor>,
    /// Its variants (the first [`MAX_PAGE`]), by id.
    pub variants: Vec<RecipeSummary>,
}

/// A recipe in a variant's line back to its original.
#[derive(Clone, Debug, PartialEq)]
pub struct Ancestor {
    /// The recipe, at the version its variant was made from.
    pub at: Parent,
    /// Its name now.
    pub name: String,
    /// Its own parent was erased: the line ends here.
    pub parent_erased: bool,
}

/// The longest line back to an original that a recipe shows.
const MAX_LINEAGE: usize = 32;

/// One version of a recipe, named by its recipe and number
/// (`recipeId@version` in a query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRef {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// Its version, from 1.
    pub version: u32,
}

/// Which makes `GET /insights` counts: one recipe's or every recipe's,
/// and for the totals and series, the months from `from` to `to`
/// (`YYYY-MM`, both included; open at either end).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcrossFilter {
    /// One recipe.
    pub recipe: Option<RecipeId>,
    /// The first month.
    pub from: Option<String>,
    /// The last month.
    pub to: Option<String>,
}

/// One make's differences from its recipe version.
#[derive(Clone, Debug, PartialEq)]
pub struct MakeDifferences {
    /// The make.
    pub make: StoredMake,
    /// The seed's flat list of differences.
    pub differences: Vec<Difference>,
}

/// The use cases, over one store and one set of limits.
pub struct Service {
    store: Arc<dyn RecipeStore>,
    limits: Limits,
    erasure: Erasure,
    versions: VersionCache,
    uploads: Option<Arc<dyn UploadForms>>,
    pages: Option<Arc<dyn PageFetcher>>,
}

impl Service {
    /// The use cases over `store`, refusing documents beyond `limits`,
    /// erasing through `erasure`, sending the dashboard's uploads through
    /// `uploads` (without them the upload routes answer 503), fetching
    /// imported pages through `pages` (without it imports answer 503).
    pub fn new(
        store: Arc<dyn RecipeStore>,
        limits: Limits,
        erasure: Erasure,
        uploads: Option<Arc<dyn UploadForms>>,
        pages: Option<Arc<dyn PageFetcher>>,
    ) -> Self {
        Self {
            store,
            limits,
            erasure,
            versions: VersionCache::default(),
            uploads,
            pages,
        }
    }

    /// The limits documents are held to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the store answers.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// Stores a recipe version (or finds it unchanged, or replays the key).
    pub async fn put_recipe(&self, write: &Write, body: &[u8]) -> Result<Written<StoredVersion>> {
        let fallback = write.object_key.as_deref().and_then(recipe_id_from_key);
        // The body is JSON, or a page read by its content: never the
        // object's Cooklang, which the watcher (or the sender, for a claim
        // check) read into JSON, so the object key does not choose a reader.
        let recipe = read_document(body, &self.limits, None).and_then(|document| {
            let recipe = recipe_from_value(&document, &self.limits, fallback.as_ref())?;
            in_namespace(write, &document, UploadKind::Recipe, recipe.id())?;
            Ok(recipe)
        });
        let recipe = match recipe {
            Ok(recipe) => recipe,
            Err(rejection) => {
                let refusal = rejection.to_refusal();
                return Err(self.refuse(write, UploadKind::Recipe, refusal).await);
            }
        };
        let source = match self.version_source(&recipe).await? {
            Ok(source) => source,
            Err(refusal) => return Err(self.refuse(write, UploadKind::Recipe, refusal).await),
        };
        let variant_of = self.parent_of(&recipe, write).await?;
        let document = recipe_json(&recipe);
        let version = NewVersion {
            recipe_id: recipe.id().clone(),
            name: recipe.name().to_owned(),
            rating: recipe.rating(),
            content_hash: content_hash(&document),
            document,
            key: write.key.clone(),
            at: now_rfc3339(),
            origin: write.origin(&self.erasure.ids),
            source,
            variant_of,
        };
        Ok(self.store.put_version(&version).await?)
    }

    /// Where a recipe version comes from, as its document says: the make
    /// it adopts and the version it restores must be the recipe's own and
    /// stored (an `invalid-lineage` refusal otherwise).
    async fn version_source(&self, recipe: &Recipe) -> Result<Result<VersionSource, Refusal>> {
        let lineage = recipe.lineage();
        let refused = |path: &str, detail: String| Refusal::new(Code::InvalidLineage, detail, path);
        match (&lineage.adopted_from, lineage.restored_from) {
            (None, None) => Ok(Ok(VersionSource::Uploaded)),
            (Some(_), Some(_)) => Ok(Err(refused(
                "$.restoredFrom",
                "a version adopts a make or restores a version, not both".to_owned(),
            ))),
            (Some(make_id), None) => {
                let adopted = VersionSource::Adopted {
                    make_id: make_id.clone(),
                };
                // A make erased after a version adopted it: the upload
                // delivered again is that adoption, not a new one.
                let known = self.store.make(recipe.id(), make_id).await?.is_some()
                    || self.has_version_from(recipe.id(), &adopted).await?;
                Ok(if known {
                    Ok(adopted)
                } else {
                    Err(refused(
                        "$.adoptedFrom",
                        format!(
                            "recipe {:?} has no make {:?} to adopt",
                            recipe.id().as_str(),
                            make_id.as_str()
                        ),
                    ))
                })
            }
            (None, Some(version)) => Ok(
                match self.store.version(recipe.id(), Some(version)).await? {
                    Some(_) => Ok(VersionSource::Restored { version }),
                    None => Err(refused(
                        "$.restoredFrom",
                        format!(
                            "recipe {:?} has no version {version} to restore",
                            recipe.id().as_str()
                        ),
                    )),
                },
            ),
        }
    }

    /// Whether a version of `recipe_id` came from `source` (its versions
    /// are read only when an adopted make is not found).
    async fn has_version_from(&self, recipe_id: &RecipeId, source: &VersionSource) -> Result<bool> {
        let mut page = PageRequest::first(MAX_PAGE);
        while let Some(found) = self.store.versions(recipe_id, &page).await? {
            if found.items.iter().any(|v| v.source == *source) {
                return Ok(true);
            }
            match found.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => break,
            }
        }
        Ok(false)
    }

    /// The recipe `recipe` is a variant of, at its current version, when
    /// this upload creates the recipe (a recipe's parent never changes):
    /// a `variantOf` must name a stored recipe, and waits for it
    /// ([`Failure::ParentNotFound`]); an `isBasedOn` that names none is
    /// only where the page came from.
    async fn parent_of(&self, recipe: &Recipe, write: &Write) -> Result<Option<Parent>> {
        let Some(named) = &recipe.lineage().variant_of else {
            return Ok(None);
        };
        let Some(parent_id) = named.candidate() else {
            return Ok(None);
        };
        if parent_id == *recipe.id() || self.store.recipe_summary(recipe.id()).await?.is_some() {
            return Ok(None);
        }
        match self.store.recipe_summary(&parent_id).await? {
            Some(parent) => Ok(Some(Parent {
                recipe_id: parent_id,
                version: parent.current_version,
            })),
            None if named.is_required() => {
                // Unless its object was deleted since: then waiting for
                // the parent would only end in the DLQ.
                if let Some(origin) = write.origin(&self.erasure.ids)
                    && self.store.is_deleted(&origin).await?
                {
                    return Err(StoreError::Deleted(origin.object_key).into());
                }
                Err(Failure::ParentNotFound(parent_id))
            }
            None => Ok(None),
        }
    }

    /// Diffs a make of `recipe_id` against the recipe's current version and
    /// stores it with its diff and facts, exactly once per key.
    pub async fn log_make(
        &self,
        recipe_id: &RecipeId,
        write: &Write,
        body: &[u8],
    ) -> Result<LoggedMake> {
        let make = read_document(body, &self.limits, None).and_then(|document| {
            let make = make_from_value(&document, &self.limits)?;
            Ok((make, document))
        });
        let (mut make, document) = match make {
            Ok(parsed) => parsed,
            Err(rejection) => {
                let refusal = rejection.to_refusal();
                return Err(self.refuse(write, UploadKind::Make, refusal).await);
            }
        };
        if make.recipe_id() != recipe_id {
            let refusal = Refusal::new(
                Code::RecipeIdMismatch,
                format!(
                    "the make names recipe {:?} but was sent to recipe {:?}",
                    make.recipe_id().as_str(),
                    recipe_id.as_str()
                ),
                "$.recipeId",
            );
            return Err(self.refuse(write, UploadKind::Make, refusal).await);
        }
        // Before the recipe is looked for: a make that may never be stored
        // is refused now, not retried until the recipe arrives.
        if let Err(rejection) = in_namespace(write, &document, UploadKind::Make, recipe_id) {
            let refusal = rejection.to_refusal();
            return Err(self.refuse(write, UploadKind::Make, refusal).await);
        }
        // An unknown recipe is not recorded as a rejection: the recipe may
        // still be on its way, and the sender retries.
        let Some((version, recipe)) = self.current_recipe(recipe_id).await? else {
            // Unless its object was deleted since: then the make is gone,
            // and waiting for the recipe would only end in the DLQ.
            if let Some(origin) = write.origin(&self.erasure.ids)
                && self.store.is_deleted(&origin).await?
            {
                return Err(StoreError::Deleted(origin.object_key).into());
            }
            return Err(Failure::RecipeNotFound(recipe_id.clone()));
        };
        let Some(version) = version else {
            let refusal = Refusal::new(
                Code::RecipeWithdrawn,
                format!(
                    "every version of recipe {:?} was withdrawn: its objects were deleted from the bucket",
                    recipe_id.as_str()
                ),
                "$.recipeId",
            );
            return Err(match self.record(write, UploadKind::Make, &refusal).await {
                Ok(()) => Failure::RecipeWithdrawn(refusal),
                Err(failure) => failure,
            });
        };
        let at = now_rfc3339();
        let make_id = match make.make_id() {
            Some(id) => id.clone(),
            None => {
                let id = assigned_make_id(&write.key, &at)?;
                make.set_make_id(id.clone());
                id
            }
        };
        let diff = diff_make(&recipe, &make);
        let made_at = make.made_at().map(str::to_owned);
        let logged_by = write
            .object_key
            .as_deref()
            .and_then(shared::keys::cook_of)
            .map(str::to_owned);
        let mut facts = MakeFacts::from_diff(
            &diff,
            make_id.clone(),
            version,
            made_at.clone(),
            at.clone(),
            make.content().rating(),
        );
        facts.logged_by.clone_from(&logged_by);
        let document = recipe_json(make.content());
        let new = NewMake {
            make: StoredMake {
                recipe_id: recipe_id.clone(),
                make_id,
                version,
                made_at,
                notes: make.notes().map(str::to_owned),
                rating: make.content().rating(),
                created_at: at,
                content_hash: content_hash(&document),
                document,
                diff: serde_json::to_value(&diff).map_err(|e| internal("a diff", &e))?,
                logged_by,
            },
            summary: diff.summary.clone(),
            facts,
            key: write.key.clone(),
            origin: write.origin(&self.erasure.ids),
        };
        let size = stored_size(&new)?;
        if size > MAX_MAKE_BYTES {
            let refusal = Refusal::whole(
                Code::TooLargeToStore,
                format!(
                    "the make and its diff come to {size} bytes; a stored make is limited to {MAX_MAKE_BYTES} bytes"
                ),
            );
            return Err(self.refuse(write, UploadKind::Make, refusal).await);
        }
        let written = match self.store.put_make(&new).await {
            Ok(written) => written,
            Err(error @ StoreError::MakeConflict(_)) => {
                let refusal = Refusal::whole(Code::MakeConflict, error.to_string());
                return Err(match self.record(write, UploadKind::Make, &refusal).await {
                    Ok(()) => Failure::Conflict(error),
                    Err(failure) => failure,
                });
            }
            Err(error) => return Err(error.into()),
        };
        Ok(LoggedMake {
            written,
            summary: diff.summary,
        })
    }

    /// Stores a rejection the chain posts, exactly once per key.
    pub async fn record_rejection(
        &self,
        write: &Write,
        body: &[u8],
    ) -> Result<Written<StoredRejection>> {
        let body: RejectionBody = contract_body(
            body,
            Code::InvalidRejection,
            "a rejection",
            RejectionBody::invalid_field,
        )?;
        let rejection = write.rejection(
            &self.erasure.ids,
            write.key.clone(),
            RejectedUpload {
                refusal: body.refusal(),
                object_key: body.object_key,
                kind: body.kind,
            },
        );
        Ok(self.store.put_rejection(&rejection).await?)
    }

    /// An object was deleted from the bucket: removes what came from it
    /// before the deletion, and keeps older uploads of it from being
    /// stored later. Safe to repeat.
    pub async fn delete_object(&self, body: &[u8]) -> Result<(DeletionBody, Removed)> {
        let body: DeletionBody = contract_body(
            body,
            Code::InvalidDeletion,
            "a deletion",
            DeletionBody::invalid_field,
        )?;
        let deletion = ObjectDeletion {
            object_id: self.erasure.ids.id(&body.object_key),
            object_key: body.object_key.clone(),
            kind: body.kind,
            sequencer: body.sequencer.as_deref().map(Origin::order),
            at: now_rfc3339(),
        };
        let removed = self.store.delete_object(&deletion).await?;
        Ok((body, removed))
    }

    /// Erases `target` for good: begins (the store remembers the erasure
    /// and names the objects its records came from), records it in the
    /// journal, removes the jobs that could bring it back and the objects
    /// from the bucket (every version), then removes every record, keeping
    /// only tombstones under object ids. Every step is safe to repeat, so
    /// an erasure interrupted anywhere is finished by running it again
    /// ([`Service::resume_erasures`]). `Ok(None)` when the target names
    /// nothing.
    pub async fn erase(&self, target: &ErasureTarget) -> Result<Option<Erased>> {
        // Beginning only remembers the erasure and reads; nothing is
        // removed before the journal holds it, so a restore of the store
        // can never bring back an erasure the journal lacks.
        let Some(objects) = self.store.begin_erasure(target, &now_rfc3339()).await? else {
            return Ok(None);
        };
        if let Some(journal) = &self.erasure.journal {
            let entry = JournalEntry::of(&self.erasure.ids, target, &now_rfc3339());
            journal
                .record(&entry)
                .await
                .map_err(|e| Failure::Store(StoreError::Unavailable(e.to_string())))?;
        }
        let keys: Vec<String> = objects.iter().map(|o| o.object_key.clone()).collect();
        let mut erased = Erased::default();
        // A make's erasure leaves its recipe: only its own object's jobs go.
        let recipe = match target {
            ErasureTarget::Recipe { recipe_id } => Some(recipe_id),
            ErasureTarget::Make { .. } => None,
        };
        for jobs in &self.erasure.jobs {
            erased.jobs += jobs
                .purge_jobs(recipe, &keys)
                .await
                .map_err(|e| Failure::Store(StoreError::Unavailable(e.to_string())))?;
        }
        // The adapters' errors name keys by their pseudonyms only: these
        // messages are logged ("store unavailable"), and an erasure must not
        // write the key it erases into the log.
        if let Some(bucket) = &self.erasure.bucket {
            for key in &keys {
                erased.objects += bucket
                    .purge(key)
                    .await
                    .map_err(|e| Failure::Store(StoreError::Unavailable(e.to_string())))?;
            }
        }
        let tombstones = Tombstone::of(&self.erasure.ids, &objects);
        erased.removed = self
            .store
            .finish_erasure(target, &tombstones, &now_rfc3339())
            .await?;
        // What else came from the erased objects left the bucket with them:
        // the other recipes of an app's archive, an older document under
        // the same key. It is withdrawn as the objects' deletion withdraws
        // it (in AWS their removal events repeat this later, harmlessly),
        // so that nothing stays current whose object is gone (invariant 1).
        for object in &objects {
            let Some(kind) = classify(&object.object_key) else {
                continue;
            };
            let deletion = ObjectDeletion {
                object_id: self.erasure.ids.id(&object.object_key),
                object_key: object.object_key.clone(),
                kind,
                sequencer: object.sequencer.as_deref().map(Origin::after),
                at: now_rfc3339(),
            };
            self.store.delete_object(&deletion).await?;
        }
        self.versions.forget(target.recipe_id());
        Ok(Some(erased))
    }

    /// Finishes every erasure begun and not finished (the process stopped
    /// in the middle of one); answers how many.
    pub async fn resume_erasures(&self) -> Result<usize> {
        let pending = self.store.pending_erasures().await?;
        for target in &pending {
            self.erase(target).await?;
        }
        Ok(pending.len())
    }

    /// Recipes, by id.
    pub async fn recipes(&self, page: &PageRequest) -> Result<Page<RecipeSummary>> {
        Ok(self.store.recipes(page).await?)
    }

    /// A recipe version (the current one unless `version` names one) with
    /// its recipe's figures.
    pub async fn recipe(&self, recipe_id: &RecipeId, version: Option<u32>) -> Result<RecipeView> {
        let Some(summary) = self.store.recipe_summary(recipe_id).await? else {
            return Err(Failure::RecipeNotFound(recipe_id.clone()));
        };
        let Some(stored) = self.store.version(recipe_id, version).await? else {
            return Err(Failure::VersionNotFound(
                recipe_id.clone(),
                version.unwrap_or(0),
            ));
        };
        let lineage = self.lineage(&summary).await?;
        let variants = self.variant_summaries(recipe_id).await?;
        Ok(RecipeView {
            version: stored,
            summary,
            lineage,
            variants,
        })
    }

    /// The line from `summary`'s recipe back to its original, nearest
    /// first, up to [`MAX_LINEAGE`] recipes (a recipe erased and added
    /// again under its id could close a circle).
    async fn lineage(&self, summary: &RecipeSummary) -> Result<Vec<Ancestor>> {
        let mut line: Vec<Ancestor> = Vec::new();
        let mut next = summary.variant_of.clone();
        while let Some(at) = next.take() {
            if line.len() == MAX_LINEAGE
                || at.recipe_id == summary.recipe_id
                || line.iter().any(|a| a.at.recipe_id == at.recipe_id)
            {
                break;
            }
            let Some(parent) = self.store.recipe_summary(&at.recipe_id).await? else {
                break;
            };
            next = parent.variant_of.clone();
            line.push(Ancestor {
                at,
                name: parent.name,
                parent_erased: parent.parent_erased,
            });
        }
        Ok(line)
    }

    /// The first [`MAX_PAGE`] variants of a recipe, read side by side.
    async fn variant_summaries(&self, recipe_id: &RecipeId) -> Result<Vec<RecipeSummary>> {
        let ids = self
            .store
            .variants(recipe_id, &PageRequest::first(MAX_PAGE))
            .await?
            .map(|page| page.items)
            .unwrap_or_default();
        let mut reads = tokio::task::JoinSet::new();
        for (index, id) in ids.into_iter().enumerate() {
            let store = Arc::clone(&self.store);
            reads.spawn(async move { (index, store.recipe_summary(&id).await) });
        }
        let mut found = Vec::new();
        while let Some(read) = reads.join_next().await {
            let (index, summary) =
                read.map_err(|e| Failure::Internal(format!("reading a variant failed: {e}")))?;
            // A variant erased meanwhile is left out.
            if let Some(summary) = summary? {
                found.push((index, summary));
            }
        }
        found.sort_by_key(|(index, _)| *index);
        Ok(found.into_iter().map(|(_, summary)| summary).collect())
    }

    /// How `to` differs from `from`: two versions of one recipe, or of two
    /// (a variant and its parent), diffed as a make is diffed against its
    /// recipe (`to` in the make's place). Nothing is stored.
    pub async fn compare(&self, from: &VersionRef, to: &VersionRef) -> Result<MakeDiff> {
        // Side by side: two reads of the store, not one after the other.
        let (before, after) = tokio::join!(self.version_recipe(from), self.version_recipe(to));
        let (before, after) = (before?, after?);
        Ok(shared::diff::diff(&before, &after, None))
    }

    /// The version `at` names, parsed (once per version and content): its
    /// figures are read, and its document only when it is not parsed yet.
    async fn version_recipe(&self, at: &VersionRef) -> Result<Arc<Recipe>> {
        let Some(head) = self.store.version_head(&at.recipe_id, at.version).await? else {
            if self.store.recipe_summary(&at.recipe_id).await?.is_none() {
                return Err(Failure::RecipeNotFound(at.recipe_id.clone()));
            }
            return Err(Failure::VersionNotFound(at.recipe_id.clone(), at.version));
        };
        let key = (at.recipe_id.clone(), at.version, head.content_hash);
        if let Some(recipe) = self.versions.get(&key) {
            return Ok(recipe);
        }
        let Some(stored) = self.store.version(&at.recipe_id, Some(at.version)).await? else {
            return Err(Failure::VersionNotFound(at.recipe_id.clone(), at.version));
        };
        self.parsed(&stored)
    }

    /// A stored version as a recipe, parsed once per version and content.
    fn parsed(&self, stored: &StoredVersion) -> Result<Arc<Recipe>> {
        let key = (
            stored.recipe_id.clone(),
            stored.head.version,
            stored.head.content_hash.clone(),
        );
        if let Some(recipe) = self.versions.get(&key) {
            return Ok(recipe);
        }
        // Stored under this server's limits, so read back under the same ones.
        let recipe =
            recipe_from_value(&stored.document, &self.limits, None).map_err(|rejection| {
                // Logged: the id by its pseudonym, the rejection by its code
                // and path (its message may quote the document).
                Failure::Internal(format!(
                    "version {} of recipe {} does not parse: {} at {}",
                    stored.head.version,
                    shared::object_id::logged(key.0.as_str()),
                    rejection.code(),
                    rejection.path
                ))
            })?;
        let recipe = Arc::new(recipe);
        self.versions.put(key, Arc::clone(&recipe));
        Ok(recipe)
    }

    /// A recipe's versions, oldest first.
    pub async fn versions(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Page<VersionSummary>> {
        of_recipe(recipe_id, self.store.versions(recipe_id, page).await)
    }

    /// A recipe's makes, by make id.
    pub async fn makes(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Page<MakeSummary>> {
        of_recipe(recipe_id, self.store.makes(recipe_id, page).await)
    }

    /// One make, whole.
    pub async fn make(&self, recipe_id: &RecipeId, make_id: &MakeId) -> Result<StoredMake> {
        self.store
            .make(recipe_id, make_id)
            .await?
            .ok_or_else(|| Failure::MakeNotFound(recipe_id.clone(), make_id.clone()))
    }

    /// One make's differences from the version it was made from.
    pub async fn differences(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<MakeDifferences> {
        /// The part of a stored diff this read serves.
        #[derive(serde::Deserialize)]
        struct StoredDifferences {
            #[serde(default)]
            differences: Vec<Difference>,
        }
        let make = self.make(recipe_id, make_id).await?;
        let stored: StoredDifferences =
            serde_json::from_value(make.diff.clone()).map_err(|e| internal("a stored diff", &e))?;
        Ok(MakeDifferences {
            make,
            differences: stored.differences,
        })
    }

    /// What a recipe's makes say, from the tally its store keeps with them.
    pub async fn insights(&self, recipe_id: &RecipeId) -> Result<Insights> {
        let Some(summary) = self.store.recipe_summary(recipe_id).await? else {
            return Err(Failure::RecipeNotFound(recipe_id.clone()));
        };
        let tally = self.tally(recipe_id).await?;
        Ok(tally.insights(recipe_id.clone(), summary.rating, INSIGHT_TOP))
    }

    /// What the makes of every recipe, or of `filter.recipe` alone, say
    /// together: each recipe's tally (one read each), its totals and series
    /// narrowed to the months of the filter, and its versions' figures.
    pub async fn insights_across(&self, filter: &AcrossFilter) -> Result<InsightsAcross> {
        let recipes = match &filter.recipe {
            Some(id) => vec![id.clone()],
            None => self.recipe_ids().await?,
        };
        let mut across = AcrossBuilder::default();
        for recipe_id in &recipes {
            let tally = match self.tally(recipe_id).await {
                Ok(tally) => tally,
                // Erased since it was listed: it has nothing to say.
                Err(Failure::RecipeNotFound(_)) if filter.recipe.is_none() => continue,
                Err(failure) => return Err(failure),
            };
            across.add(&tally, filter.from.as_deref(), filter.to.as_deref());
            let mut page = PageRequest::first(MAX_PAGE);
            loop {
                let Some(versions) = self.store.versions(recipe_id, &page).await? else {
                    break;
                };
                across.add_versions(recipe_id, &versions.items);
                match versions.next_cursor {
                    Some(cursor) => page.cursor = Some(cursor),
                    None => break,
                }
            }
        }
        Ok(across.finish(
            filter.recipe.clone(),
            filter.from.clone(),
            filter.to.clone(),
            INSIGHT_TOP,
        ))
    }

    /// Every recipe's id, page by page.
    async fn recipe_ids(&self) -> Result<Vec<RecipeId>> {
        let mut ids = Vec::new();
        let mut page = PageRequest::first(MAX_PAGE);
        loop {
            let found = self.store.recipes(&page).await?;
            ids.extend(found.items.into_iter().map(|r| r.recipe_id));
            match found.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Ok(ids),
            }
        }
    }

    /// A recipe's insight tally. Until its store keeps one (a recipe whose
    /// insights were never read), its makes are folded once and the fold
    /// is kept, unless a make was stored or removed meanwhile: then the
    /// fold is done again, and after [`KEEP_ATTEMPTS`] the last one is
    /// answered without being kept. A fold refused with no make written
    /// since (a tally too large for its item) is answered as it is.
    async fn tally(&self, recipe_id: &RecipeId) -> Result<InsightTally> {
        let mut folded = InsightTally::default();
        let mut refused_at = None;
        for _ in 0..KEEP_ATTEMPTS {
            let kept = self.store.insight_tally(recipe_id).await?;
            if let Some(tally) = kept.tally {
                return Ok(tally);
            }
            if refused_at == Some(kept.make_writes) {
                break;
            }
            folded = self.fold(recipe_id).await?;
            if self
                .store
                .keep_insight_tally(recipe_id, &folded, kept.make_writes)
                .await?
            {
                tracing::info!(
                    recipe = %shared::object_id::logged(recipe_id.as_str()),
                    makes = folded.makes(),
                    "insight tally kept"
                );
                return Ok(folded);
            }
            refused_at = Some(kept.make_writes);
        }
        Ok(folded)
    }

    /// Every make of a recipe, folded into a tally, with progress in the
    /// log on a long fold.
    async fn fold(&self, recipe_id: &RecipeId) -> Result<InsightTally> {
        let mut tally = InsightTally::default();
        let mut page = PageRequest::first(MAX_PAGE);
        loop {
            let Some(facts) = self.store.make_facts(recipe_id, &page).await? else {
                return Err(Failure::RecipeNotFound(recipe_id.clone()));
            };
            let before = tally.makes() / FOLD_PROGRESS;
            facts.items.iter().for_each(|f| tally.add(f));
            if tally.makes() / FOLD_PROGRESS > before {
                tracing::info!(
                    recipe = %shared::object_id::logged(recipe_id.as_str()),
                    makes = tally.makes(),
                    "folding a recipe's makes into its insight tally"
                );
            }
            match facts.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Ok(tally),
            }
        }
    }

    /// Rejections, newest first.
    pub async fn rejections(&self, page: &PageRequest) -> Result<Page<StoredRejection>> {
        Ok(self.store.rejections(page).await?)
    }

    /// Records `refusal` under the write's rejection key and returns it as
    /// the failure; if the store cannot take it, the write fails as
    /// unavailable so that it is retried rather than lost.
    async fn refuse(&self, write: &Write, kind: UploadKind, refusal: Refusal) -> Failure {
        match self.record(write, kind, &refusal).await {
            Ok(()) => Failure::Refused(refusal),
            Err(failure) => failure,
        }
    }

    /// Stores `refusal` as the rejection of this write.
    async fn record(&self, write: &Write, kind: UploadKind, refusal: &Refusal) -> Result<()> {
        let rejection = write.rejection(
            &self.erasure.ids,
            rejection_key(write.key.as_str()),
            RejectedUpload {
                object_key: write.object_key.clone(),
                kind: Some(kind),
                refusal: refusal.clone(),
            },
        );
        self.store.put_rejection(&rejection).await?;
        tracing::info!(code = %refusal.code, key = ?write.object_key.as_deref().map(shared::object_id::logged), "upload rejected");
        Ok(())
    }

    /// The recipe a make is diffed against: the current version, parsed
    /// once per version; its number is `None` when every version is
    /// withdrawn.
    async fn current_recipe(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<(Option<u32>, Arc<Recipe>)>> {
        // The small summary names the current version; the document is read
        // only when that version is not parsed and cached yet.
        let Some(summary) = self.store.recipe_summary(recipe_id).await? else {
            return Ok(None);
        };
        let number = (!summary.withdrawn).then_some(summary.current_version);
        let key = (
            recipe_id.clone(),
            summary.current_version,
            summary.content_hash.clone(),
        );
        if let Some(recipe) = self.versions.get(&key) {
            return Ok(Some((number, recipe)));
        }
        let Some(stored) = self
            .store
            .version(recipe_id, Some(summary.current_version))
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((number, self.parsed(&stored)?)))
    }
}

/// The smoke test's namespace ([`check_smoke_namespace`]) for a write of
/// `document` naming `recipe_id`, from the object the write names: checked
/// here as well as by the watcher, since a job may come from elsewhere.
fn in_namespace(
    write: &Write,
    document: &Value,
    kind: UploadKind,
    recipe_id: &RecipeId,
) -> Result<(), Rejection> {
    check_smoke_namespace(write.object_key.as_deref(), recipe_id)
        .map_err(|reason| Rejection::new(recipe_id_path(document, kind), reason))
}

/// What the store found of `recipe_id`, or [`Failure::RecipeNotFound`] when
/// it knows no such recipe.
fn of_recipe<T>(recipe_id: &RecipeId, found: Result<Option<T>, StoreError>) -> Result<T> {
    found?.ok_or_else(|| Failure::RecipeNotFound(recipe_id.clone()))
}

/// A posted body of the wire contract: JSON of `T` within the contract's
/// limits (`invalid` names the first field that is not), or `InvalidBody`
/// under `code`.
fn contract_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    code: Code,
    what: &str,
    invalid: impl Fn(&T) -> Option<(&'static str, String)>,
) -> Result<T> {
    let refused =
        |path: &str, detail: String| Failure::InvalidBody(Refusal::new(code.clone(), detail, path));
    let parsed: T =
        serde_json::from_slice(body).map_err(|e| refused("$", format!("not {what}: {e}")))?;
    match invalid(&parsed) {
        Some((path, detail)) => Err(refused(path, detail)),
        None => Ok(parsed),
    }
}

/// The id of a make that names none: when it was stored, and a short hash
/// of its write's key, so that a retried write gets the same id.
fn assigned_make_id(key: &IdempotencyKey, at: &str) -> Result<MakeId> {
    let hash = content_hash(&Value::from(key.as_str()));
    MakeId::parse(&format!("{}-{}", compact(at), &hash[..8]))
        .map_err(|reason| Failure::Internal(format!("an assigned make id: {reason}")))
}

/// What a make weighs in the store: its document, diff and facts as JSON.
fn stored_size(new: &NewMake) -> Result<usize> {
    let facts = serde_json::to_string(&new.facts).map_err(|e| internal("facts", &e))?;
    Ok(new.make.document.to_string().len() + new.make.diff.to_string().len() + facts.len())
}

fn internal(what: &str, error: &serde_json::Error) -> Failure {
    Failure::Internal(format!("{what} cannot be written as JSON: {error}"))
}
