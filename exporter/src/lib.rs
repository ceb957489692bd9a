//! The analysis export: every recipe, version, make and change a store
//! holds, as four Parquet tables that DuckDB, pandas, Spark or Athena read
//! as they are (docs/analysis.md has the schema and example SQL).
//!
//! The library reads any [`RecipeStore`] page by page and answers each
//! table as a Parquet file's bytes; `recipe-chain export --parquet` writes
//! them to a folder, and the `exporter` Lambda function (feature `lambda`,
//! run on a schedule) to the analytics bucket. Each run writes a whole new
//! snapshot that replaces the last, so what an erasure took is gone from
//! the next one. Notes never leave; step text only when asked for; who
//! logged a make only as a pseudonym under a key kept for that column.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, StringBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use shared::insights::MakeFacts;
use shared::store::ObjectIds;
use shared::store::{
    MAX_PAGE, PageRequest, RecipeStore, RecipeSummary, StoreError, VersionSource, VersionSummary,
};

#[cfg(feature = "lambda")]
pub mod lambda;

/// The tables, by file name.
pub const TABLES: [&str; 4] = ["recipes", "versions", "makes", "changes"];

/// What an export wrote: rows per table.
#[derive(Debug, Default)]
pub struct Exported {
    /// Recipes.
    pub recipes: u64,
    /// Versions.
    pub versions: u64,
    /// Makes.
    pub makes: u64,
    /// Changes (one per ingredient, substitution or step a make changed).
    pub changes: u64,
}

/// Options of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Export the recipes' step text with step changes (free text stays
    /// out unless asked for).
    pub with_text: bool,
}

/// The rows of the four tables, built column by column: what
/// [`read_all`] answers and [`Tables::into_parquet`] writes.
#[derive(Default)]
pub struct Tables {
    recipes: RecipeColumns,
    versions: VersionColumns,
    makes: MakeColumns,
    changes: ChangeColumns,
}

#[derive(Default)]
struct RecipeColumns {
    recipe_id: StringBuilder,
    name: StringBuilder,
    current_version: UInt32Builder,
    rating: Float64Builder,
    make_count: UInt64Builder,
    average_make_rating: Float64Builder,
    variant_of: StringBuilder,
    parent_version: UInt32Builder,
    withdrawn: BooleanBuilder,
    updated_at: StringBuilder,
}

#[derive(Default)]
struct VersionColumns {
    recipe_id: StringBuilder,
    version: UInt32Builder,
    name: StringBuilder,
    created_at: StringBuilder,
    source: StringBuilder,
    adopted_from: StringBuilder,
    restored_from: UInt32Builder,
    make_count: UInt64Builder,
    average_make_rating: Float64Builder,
    changed_share: Float64Builder,
    withdrawn: BooleanBuilder,
}

#[derive(Default)]
struct MakeColumns {
    recipe_id: StringBuilder,
    make_id: StringBuilder,
    version: UInt32Builder,
    made_at: StringBuilder,
    created_at: StringBuilder,
    rating: Float64Builder,
    scale_factor: Float64Builder,
    changes: UInt64Builder,
    steps_added: UInt32Builder,
    logged_by: StringBuilder,
}

#[derive(Default)]
struct ChangeColumns {
    recipe_id: StringBuilder,
    make_id: StringBuilder,
    version: UInt32Builder,
    kind: StringBuilder,
    change: StringBuilder,
    subject: StringBuilder,
    replacement: StringBuilder,
}

impl RecipeColumns {
    fn push(&mut self, r: &RecipeSummary) {
        self.recipe_id.append_value(r.recipe_id.as_str());
        self.name.append_value(&r.name);
        self.current_version.append_value(r.current_version);
        self.rating.append_option(r.rating);
        self.make_count.append_value(r.make_count);
        self.average_make_rating
            .append_option(r.average_make_rating);
        self.variant_of
            .append_option(r.variant_of.as_ref().map(|p| p.recipe_id.as_str()));
        self.parent_version
            .append_option(r.variant_of.as_ref().map(|p| p.version));
        self.withdrawn.append_value(r.withdrawn);
        self.updated_at.append_value(&r.updated_at);
    }

    fn finish(&mut self) -> Vec<(&'static str, ArrayRef)> {
        vec![
            ("recipe_id", Arc::new(self.recipe_id.finish()) as ArrayRef),
            ("name", Arc::new(self.name.finish())),
            ("current_version", Arc::new(self.current_version.finish())),
            ("rating", Arc::new(self.rating.finish())),
            ("make_count", Arc::new(self.make_count.finish())),
            (
                "average_make_rating",
                Arc::new(self.average_make_rating.finish()),
            ),
            ("variant_of", Arc::new(self.variant_of.finish())),
            ("parent_version", Arc::new(self.parent_version.finish())),
            ("withdrawn", Arc::new(self.withdrawn.finish())),
            ("updated_at", Arc::new(self.updated_at.finish())),
        ]
    }
}

impl VersionColumns {
    fn push(&mut self, recipe: &RecipeSummary, v: &VersionSummary) {
        self.recipe_id.append_value(recipe.recipe_id.as_str());
        self.version.append_value(v.version);
        self.name.append_value(&v.name);
        self.created_at.append_value(&v.created_at);
        let (source, adopted, restored) = match &v.source {
            VersionSource::Uploaded => ("uploaded", None, None),
            VersionSource::Adopted { make_id } => ("adopted", Some(make_id.as_str()), None),
            VersionSource::Restored { version } => ("restored", None, Some(*version)),
        };
        self.source.append_value(source);
        self.adopted_from.append_option(adopted);
        self.restored_from.append_option(restored);
        self.make_count.append_value(v.make_count);
        self.average_make_rating
            .append_option(v.average_make_rating);
        self.changed_share.append_option(v.changed_share);
        self.withdrawn.append_value(v.withdrawn_at.is_some());
    }

    fn finish(&mut self) -> Vec<(&'static str, ArrayRef)> {
        vec![
            ("recipe_id", Arc::new(self.recipe_id.finish()) as ArrayRef),
            ("version", Arc::new(self.version.finish())),
            ("name", Arc::new(self.name.finish())),
            ("created_at", Arc::new(self.created_at.finish())),
            ("source", Arc::new(self.source.finish())),
            ("adopted_from", Arc::new(self.adopted_from.finish())),
            ("restored_from", Arc::new(self.restored_from.finish())),
            ("make_count", Arc::new(self.make_count.finish())),
            (
                "average_make_rating",
                Arc::new(self.average_make_rating.finish()),
            ),
            ("changed_share", Arc::new(self.changed_share.finish())),
            ("withdrawn", Arc::new(self.withdrawn.finish())),
        ]
    }
}

impl MakeColumns {
    /// One make; who logged it by its pseudonym under `cooks`.
    fn push(&mut self, recipe: &RecipeSummary, f: &MakeFacts, cooks: &ObjectIds) {
        self.recipe_id.append_value(recipe.recipe_id.as_str());
        self.make_id.append_value(f.make_id.as_str());
        self.version.append_value(f.version);
        self.made_at.append_option(f.made_at.as_deref());
        self.created_at.append_value(&f.created_at);
        self.rating.append_option(f.rating);
        self.scale_factor.append_option(f.scale_factor);
        let changes = f.ingredients.len() + f.substitutions.len() + f.steps.len();
        self.changes.append_value(changes as u64);
        self.steps_added.append_value(f.steps_added);
        let pseudonym = f.logged_by.as_deref().map(|cook| cooks.id(cook));
        self.logged_by
            .append_option(pseudonym.as_ref().map(|id| id.as_str()));
    }

    fn finish(&mut self) -> Vec<(&'static str, ArrayRef)> {
        vec![
            ("recipe_id", Arc::new(self.recipe_id.finish()) as ArrayRef),
            ("make_id", Arc::new(self.make_id.finish())),
            ("version", Arc::new(self.version.finish())),
            ("made_at", Arc::new(self.made_at.finish())),
            ("created_at", Arc::new(self.created_at.finish())),
            ("rating", Arc::new(self.rating.finish())),
            ("scale_factor", Arc::new(self.scale_factor.finish())),
            ("changes", Arc::new(self.changes.finish())),
            ("steps_added", Arc::new(self.steps_added.finish())),
            ("logged_by", Arc::new(self.logged_by.finish())),
        ]
    }
}

impl ChangeColumns {
    /// One row: a make's change of `kind` (`ingredient`, `substitution`,
    /// `step`), what it did, to what, and into what.
    fn push(
        &mut self,
        recipe: &RecipeSummary,
        f: &MakeFacts,
        (kind, change): (&str, &str),
        subject: Option<&str>,
        replacement: Option<&str>,
    ) {
        self.recipe_id.append_value(recipe.recipe_id.as_str());
        self.make_id.append_value(f.make_id.as_str());
        self.version.append_value(f.version);
        self.kind.append_value(kind);
        self.change.append_value(change);
        self.subject.append_option(subject);
        self.replacement.append_option(replacement);
    }

    /// Every change of one make; step texts only when asked for.
    fn push_all(&mut self, recipe: &RecipeSummary, f: &MakeFacts, options: Options) -> u64 {
        let mut rows = 0;
        for fact in &f.ingredients {
            self.push(
                recipe,
                f,
                ("ingredient", &word(fact.change)),
                Some(&fact.ingredient),
                None,
            );
            rows += 1;
        }
        for fact in &f.substitutions {
            self.push(
                recipe,
                f,
                ("substitution", "substituted"),
                Some(&fact.from),
                Some(&fact.to),
            );
            rows += 1;
        }
        for fact in &f.steps {
            let text = options.with_text.then_some(fact.step.as_str());
            self.push(recipe, f, ("step", &word(fact.change)), text, None);
            rows += 1;
        }
        rows
    }

    fn finish(&mut self) -> Vec<(&'static str, ArrayRef)> {
        vec![
            ("recipe_id", Arc::new(self.recipe_id.finish()) as ArrayRef),
            ("make_id", Arc::new(self.make_id.finish())),
            ("version", Arc::new(self.version.finish())),
            ("kind", Arc::new(self.kind.finish())),
            ("change", Arc::new(self.change.finish())),
            ("subject", Arc::new(self.subject.finish())),
            ("replacement", Arc::new(self.replacement.finish())),
        ]
    }
}

/// A change kind as the API spells it (`quantity`, `skipped`).
fn word<T: serde::Serialize>(kind: T) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Every recipe, version, make and change of `store`, page by page;
/// `progress` hears the running counts after each recipe.
///
/// # Errors
/// When the store fails.
pub async fn read_all(
    store: &dyn RecipeStore,
    options: Options,
    cooks: &ObjectIds,
    progress: &mut dyn FnMut(&Exported),
) -> Result<(Tables, Exported), StoreError> {
    let mut tables = Tables::default();
    let mut exported = Exported::default();
    let mut recipes = PageRequest::first(MAX_PAGE);
    loop {
        let page = store.recipes(&recipes).await?;
        for recipe in &page.items {
            tables.recipes.push(recipe);
            exported.recipes += 1;
            let mut versions = PageRequest::first(MAX_PAGE);
            while let Some(found) = store.versions(&recipe.recipe_id, &versions).await? {
                for version in &found.items {
                    tables.versions.push(recipe, version);
                    exported.versions += 1;
                }
                match found.next_cursor {
                    Some(cursor) => versions.cursor = Some(cursor),
                    None => break,
                }
            }
            let mut makes = PageRequest::first(MAX_PAGE);
            while let Some(found) = store.make_facts(&recipe.recipe_id, &makes).await? {
                for facts in &found.items {
                    tables.makes.push(recipe, facts, cooks);
                    exported.changes += tables.changes.push_all(recipe, facts, options);
                    exported.makes += 1;
                }
                match found.next_cursor {
                    Some(cursor) => makes.cursor = Some(cursor),
                    None => break,
                }
            }
            progress(&exported);
        }
        match page.next_cursor {
            Some(cursor) => recipes.cursor = Some(cursor),
            None => break,
        }
    }
    Ok((tables, exported))
}

impl Tables {
    /// Each table, by name ([`TABLES`]' order), as a Parquet file's bytes
    /// (Snappy-compressed).
    ///
    /// # Errors
    /// When Arrow or Parquet refuses the columns (a bug, not bad data).
    pub fn into_parquet(mut self) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
        let columns = [
            self.recipes.finish(),
            self.versions.finish(),
            self.makes.finish(),
            self.changes.finish(),
        ];
        TABLES
            .iter()
            .zip(columns)
            .map(|(table, columns)| {
                Ok((
                    *table,
                    parquet_file(columns).map_err(|e| format!("the {table} table: {e}"))?,
                ))
            })
            .collect()
    }
}

/// One table's columns as a Parquet file's bytes (Snappy-compressed).
fn parquet_file(columns: Vec<(&'static str, ArrayRef)>) -> Result<Vec<u8>, String> {
    let batch = RecordBatch::try_from_iter(columns).map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut out = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).map_err(|e| e.to_string())?;
    writer.write(&batch).map_err(|e| e.to_string())?;
    writer.close().map_err(|e| e.to_string())?;
    Ok(out)
}
