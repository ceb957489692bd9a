//! An app's archive under `recipes/` (`.paprikarecipes`, `.zip`): the
//! watcher expands it, since it reads the object anyway and needs no other
//! permission (docs/architecture.md, "Archives: who expands them"). Each
//! recipe entry becomes a job of its own, whose source names the archive's
//! key and the entry, so that each has its own idempotency key; its
//! converted document travels inline, or, too large for a message, as a
//! claim check on the archive that the sender reads the entry out of again
//! (`shared::parse::archive::read_entry`). A refused entry is a rejection
//! job naming the archive and the entry; it stops no other entry.

use shared::Limits;
use shared::job::{Job, MAX_INLINE_BYTES, Payload, Source};
use shared::keys::{UploadKind, check_smoke_namespace};
use shared::parse::archive::{Entry, expand};
use shared::parse::recipe_from_value;
use shared::ports::{ObjectRef, ObjectStore};
use shared::refusal::{Code, Refusal};
use shared::rejection::RejectReason;

use crate::Transient;
use crate::upload::{inline_size, refuse_read, refused};

/// The jobs of an archive: one per recipe entry, or one rejection of the
/// whole archive (under `makes/`, too large, not a zip, no recipe in it).
pub(crate) async fn judge(
    kind: UploadKind,
    mut source: Source,
    objects: &dyn ObjectStore,
    limits: &Limits,
) -> Result<Vec<Job>, Transient> {
    if kind != UploadKind::Recipe {
        return Ok(vec![refused(
            kind,
            source,
            Code::BadKey,
            "an app's archive holds recipes: it is read under recipes/, not makes/".to_owned(),
        )]);
    }
    let reference = |source: &Source| {
        (
            source.bucket.clone(),
            source.key.clone(),
            source.version_id.clone(),
        )
    };
    let (bucket, key, version) = reference(&source);
    let object = ObjectRef::new(&bucket, &key, version.as_deref());
    // The size first, so that an oversize archive is never downloaded.
    let size = match source.size {
        Some(size) => size,
        None => match objects.size(object).await {
            Ok(Some(size)) => size,
            Ok(None) => return refuse_read(kind, &source, None).map(|job| vec![job]),
            Err(error) => return refuse_read(kind, &source, Some(error)).map(|job| vec![job]),
        },
    };
    source.size = Some(size);
    if size > limits.max_archive_bytes {
        return Ok(vec![too_large(kind, source, size, limits)]);
    }
    let bytes = match objects.get(object, limits.max_archive_bytes).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return refuse_read(kind, &source, None).map(|job| vec![job]),
        Err(error) => return refuse_read(kind, &source, Some(error)).map(|job| vec![job]),
    };
    let entries = match expand(&bytes, limits) {
        Ok(entries) => entries,
        Err(refusal) => return Ok(vec![whole(kind, source, refusal)]),
    };
    if entries.is_empty() {
        return Ok(vec![refused(
            kind,
            source,
            Code::NoRecipe,
            "the archive holds no recipe of a known app (Paprika, Mealie, Tandoor, Nextcloud Cookbook)".to_owned(),
        )]);
    }
    Ok(entries
        .into_iter()
        .map(|entry| entry_job(&source, entry, limits))
        .collect())
}

/// The job of one entry: its recipe, or why it is refused.
fn entry_job(archive: &Source, entry: Entry, limits: &Limits) -> Job {
    let kind = UploadKind::Recipe;
    let source = Source {
        entry: Some(entry.name.clone()),
        ..archive.clone()
    };
    let checked = entry.document.and_then(|document| {
        // The smoke test's namespace, as for any upload (the document
        // names its recipe: the fallback is never used).
        let id = recipe_from_value(&document, limits, None)
            .map_err(|r| r.to_refusal())?
            .id()
            .clone();
        check_smoke_namespace(Some(&archive.key), &id)
            .map_err(|reason| Refusal::new(reason.code(), reason.to_string(), "$.recipeId"))?;
        Ok(document)
    });
    match checked {
        Ok(document) if inline_size(&document) > MAX_INLINE_BYTES => {
            let payload = Payload::ClaimCheck {
                bucket: archive.bucket.clone(),
                key: archive.key.clone(),
                version_id: archive.version_id.clone(),
            };
            Job::new(kind, source, None, payload)
        }
        Ok(document) => Job::new(kind, source, None, Payload::Inline { document }),
        Err(refusal) => {
            let message = format!(
                "the entry {:?} of the archive {}: {}",
                entry.name, archive.key, refusal.message
            );
            Job::new(
                kind,
                source,
                None,
                Payload::Rejected(Refusal { message, ..refusal }),
            )
        }
    }
}

/// A rejection of the whole archive, naming it.
fn whole(kind: UploadKind, source: Source, refusal: Refusal) -> Job {
    let message = format!("the archive {}: {}", source.key, refusal.message);
    Job::new(
        kind,
        source,
        None,
        Payload::Rejected(Refusal { message, ..refusal }),
    )
}

fn too_large(kind: UploadKind, source: Source, size: u64, limits: &Limits) -> Job {
    let reason = RejectReason::TooLarge {
        limit: limits.max_archive_bytes,
        actual: size,
    };
    refused(
        kind,
        source,
        Code::TooLarge,
        format!("an app's archive: {reason}"),
    )
}
