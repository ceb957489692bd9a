//! App archives: an export of a recipe app, dropped under `recipes/`, is
//! one recipe per entry. [`expand`] reads every entry of an archive within
//! the archive limits ([`Limits`]'s `max_archive_*`) and converts each
//! app's recipe JSON to the chain's seed format (its canonical form), or
//! says why the entry is refused; [`read_entry`] reads one entry again (the
//! sender, for an entry too large for a message).
//!
//! | app | archive | a recipe entry |
//! |---|---|---|
//! | Paprika | `.paprikarecipes`: a zip | `NAME.paprikarecipe`: gzip-compressed JSON ([`paprika`]) |
//! | Mealie | a zip | `recipes/SLUG/SLUG.json` ([`mealie`]) |
//! | Tandoor | a zip of zips | `ID.zip` holding `recipe.json` ([`tandoor`]) |
//! | Nextcloud Cookbook | a zip of folders | `NAME/recipe.json`, schema.org ([`nextcloud`]) |
//!
//! Which app an entry comes from is read from the entry, not from the
//! archive's name, so a zip may mix them. Other entries (images, assets,
//! folders) are passed over, but every entry's name is checked first: a
//! name that could escape a folder refuses that entry.

mod mealie;
mod nextcloud;
mod paprika;
mod tandoor;

use std::io::{Cursor, Read};

use serde_json::{Map, Value};
use zip::ZipArchive;

use super::schema_org;
use crate::canonical::recipe_json;
use crate::limits::{ARCHIVE_RATIO_FLOOR, Limits};
use crate::model::RecipeId;
use crate::parse::reader::check_rating;
use crate::path::JsonPath;
use crate::refusal::{Code, Refusal};
use crate::rejection::Rejection;
use crate::text::{clean_scraped, strip_html};

/// The app an entry's recipe came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    /// Paprika Recipe Manager.
    Paprika,
    /// Mealie.
    Mealie,
    /// Tandoor Recipes.
    Tandoor,
    /// Nextcloud Cookbook.
    NextcloudCookbook,
}

impl App {
    /// The app's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            App::Paprika => "Paprika",
            App::Mealie => "Mealie",
            App::Tandoor => "Tandoor",
            App::NextcloudCookbook => "Nextcloud Cookbook",
        }
    }
}

/// One recipe entry of an archive.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The entry's name in the archive, as written there.
    pub name: String,
    /// Its recipe in the seed format (the canonical form, naming its
    /// `recipeId`), or why the entry is refused.
    pub document: Result<Value, Refusal>,
}

/// Reads an archive: every recipe entry, converted, or refused on its own.
/// Entries that hold no recipe (images, assets, folders) are passed over;
/// an entry whose name is unsafe is refused whatever it holds.
///
/// # Errors
/// The whole archive is refused when it is not a zip or has more entries
/// than the limit. Every other refusal is one entry's.
pub fn expand(bytes: &[u8], limits: &Limits) -> Result<Vec<Entry>, Refusal> {
    let mut archive = open(bytes, "the archive")?;
    let mut budget = Budget::new(limits);
    budget.count_entries(archive.len(), "the archive")?;
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let (name, is_dir) = match archive.by_index_raw(index) {
            Ok(file) => (file.name().to_owned(), file.is_dir()),
            Err(error) => {
                entries.push(Entry {
                    name: format!("#{}", index + 1),
                    document: Err(unreadable(format!(
                        "entry {} of the archive cannot be read: {error}",
                        index + 1
                    ))),
                });
                continue;
            }
        };
        if let Err(refusal) = check_name(&name) {
            entries.push(Entry {
                name,
                document: Err(refusal),
            });
            continue;
        }
        if is_dir {
            continue;
        }
        let Some(kind) = kind_of(&name) else {
            continue;
        };
        let document = read_kind(&mut archive, index, &name, kind, &mut budget);
        entries.push(Entry { name, document });
    }
    Ok(entries)
}

/// Reads the entry `name` of an archive again, with the checks
/// [`expand`] made of it (its name, its size and ratio, a nested archive's
/// entries; the archive's total was checked when it was expanded).
///
/// # Errors
/// As [`expand`] refuses the archive or the entry; an archive without the
/// entry is `unreadable-archive`.
pub fn read_entry(bytes: &[u8], name: &str, limits: &Limits) -> Result<Value, Refusal> {
    let mut archive = open(bytes, "the archive")?;
    let mut budget = Budget::new(limits);
    budget.count_entries(archive.len(), "the archive")?;
    check_name(name)?;
    let index = archive
        .index_for_name(name)
        .ok_or_else(|| unreadable(format!("the archive has no entry {name:?}")))?;
    let kind = kind_of(name).ok_or_else(|| {
        Refusal::whole(
            Code::UnknownFormat,
            format!("the entry {name:?} holds no recipe of a known app"),
        )
    })?;
    read_kind(&mut archive, index, name, kind, &mut budget)
}

/// What an entry holds, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `*.paprikarecipe`: gzip-compressed Paprika JSON.
    Paprika,
    /// `*.zip`: one Tandoor recipe (`recipe.json` and its image).
    Nested,
    /// `*.paprikarecipes`: an archive in an archive, which no app writes.
    NestedExport,
    /// `*.json`: Mealie's, Nextcloud Cookbook's or Tandoor's recipe JSON.
    Json,
}

fn kind_of(name: &str) -> Option<Kind> {
    let file = name.rsplit('/').next().unwrap_or(name);
    // macOS's resource forks (`__MACOSX/`, `._x.json`) and hidden files are
    // not recipes (Mealie's and Paprika's importers pass them over too).
    if file.starts_with('.') || name.starts_with("__MACOSX/") {
        return None;
    }
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".paprikarecipe") {
        Some(Kind::Paprika)
    } else if lower.ends_with(".paprikarecipes") {
        Some(Kind::NestedExport)
    } else if lower.ends_with(".zip") && !name.contains('/') {
        // Tandoor writes its recipes' zips at the top; a zip deeper down
        // (a Mealie recipe's asset) is no recipe, and is not read.
        Some(Kind::Nested)
    } else if lower.ends_with(".json") {
        Some(Kind::Json)
    } else {
        None
    }
}

type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

fn open<'a>(bytes: &'a [u8], what: &str) -> Result<Archive<'a>, Refusal> {
    ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| unreadable(format!("{what} is not a zip archive: {error}")))
}

fn read_kind(
    archive: &mut Archive<'_>,
    index: usize,
    name: &str,
    kind: Kind,
    budget: &mut Budget<'_>,
) -> Result<Value, Refusal> {
    let limits = budget.limits;
    match kind {
        Kind::NestedExport => Err(nested_too_deep(name)),
        Kind::Paprika => {
            let gzipped = budget.inflate(archive, index)?;
            let json = budget.gunzip(&gzipped)?;
            let value = json_value(&json, limits)?;
            paprika::convert(&value, name, limits)
        }
        Kind::Json => {
            let bytes = budget.inflate(archive, index)?;
            let value = json_value(&bytes, limits)?;
            json_entry(&value, name, limits)
        }
        Kind::Nested => {
            let inner = budget.inflate(archive, index)?;
            let mut nested = open(&inner, "the nested archive")?;
            budget.count_entries(nested.len(), "the archive with its nested archives")?;
            let mut recipe = None;
            for i in 0..nested.len() {
                let inner_name = match nested.by_index_raw(i) {
                    Ok(file) => file.name().to_owned(),
                    Err(error) => {
                        return Err(unreadable(format!(
                            "entry {} of the nested archive cannot be read: {error}",
                            i + 1
                        )));
                    }
                };
                check_name(&inner_name).map_err(|r| Refusal {
                    message: format!("in the nested archive: {}", r.message),
                    ..r
                })?;
                match kind_of(&inner_name) {
                    Some(Kind::Nested | Kind::NestedExport) => {
                        return Err(nested_too_deep(&inner_name));
                    }
                    _ if inner_name == "recipe.json" => recipe = Some(i),
                    _ => {}
                }
            }
            let Some(i) = recipe else {
                return Err(Refusal::whole(
                    Code::Missing,
                    "the nested archive has no recipe.json (a Tandoor export holds one in each recipe's zip)",
                ));
            };
            let bytes = budget.inflate(&mut nested, i)?;
            let value = json_value(&bytes, limits)?;
            tandoor::convert(&value, limits)
        }
    }
}

/// A JSON entry: Mealie's recipe (it has a `slug`), Tandoor's (its
/// `steps` hold the ingredients), or schema.org's (Nextcloud Cookbook).
fn json_entry(value: &Value, name: &str, limits: &Limits) -> Result<Value, Refusal> {
    let Value::Object(object) = value else {
        return Err(unknown(name));
    };
    let has = |key: &str| object.contains_key(key);
    if has("slug") && (has("recipe_ingredient") || has("recipeIngredient")) {
        mealie::convert(object, name, limits)
    } else if has("@type") || has("@context") || has("recipeIngredient") {
        nextcloud::convert(object, name, limits)
    } else if has("steps") && (has("working_time") || has("waiting_time")) {
        tandoor::convert(value, limits)
    } else {
        Err(unknown(name))
    }
}

fn unknown(name: &str) -> Refusal {
    Refusal::whole(
        Code::UnknownFormat,
        format!(
            "the entry {name:?} is JSON of no known app (Mealie, Tandoor or Nextcloud Cookbook)"
        ),
    )
}

fn nested_too_deep(name: &str) -> Refusal {
    Refusal::whole(
        Code::ArchiveLimit,
        format!(
            "{name:?} is an archive inside an archive: only Tandoor's one level of nesting (a zip per recipe) is read"
        ),
    )
}

fn unreadable(message: String) -> Refusal {
    Refusal::whole(Code::UnreadableArchive, message)
}

/// Refuses an entry name that could escape a folder if the archive were
/// unpacked: absolute (`/x`, `C:x`), with a `..` part, with a backslash
/// (a separator on Windows), empty, or with a control character.
pub fn check_name(name: &str) -> Result<(), Refusal> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.contains('\\') {
        Some("has a backslash")
    } else if name.starts_with('/') {
        Some("is absolute")
    } else if name
        .split('/')
        .next()
        .is_some_and(|first| first.len() >= 2 && first.as_bytes()[1] == b':')
    {
        Some("names a drive")
    } else if name.split('/').any(|part| part == "..") {
        Some("has a .. part")
    } else if name.chars().any(char::is_control) {
        Some("has a control character")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Refusal::whole(
            Code::UnsafeEntryName,
            format!("the entry name {name:?} {problem}, so it could escape the archive's folder"),
        )),
        None => Ok(()),
    }
}

/// What one archive may still inflate to.
struct Budget<'l> {
    limits: &'l Limits,
    /// Bytes inflated so far.
    total: u64,
    /// Entries counted so far (nested archives' included).
    entries: usize,
}

impl<'l> Budget<'l> {
    fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            total: 0,
            entries: 0,
        }
    }

    fn count_entries(&mut self, more: usize, what: &str) -> Result<(), Refusal> {
        self.entries = self.entries.saturating_add(more);
        if self.entries > self.limits.max_archive_entries {
            return Err(Refusal::whole(
                Code::ArchiveLimit,
                format!(
                    "{what} has {} entries; the limit is {}",
                    self.entries, self.limits.max_archive_entries
                ),
            ));
        }
        Ok(())
    }

    /// The entry's bytes, inflated within the limits: its declared size
    /// first, then what it really inflates to (never more than a limit's
    /// worth is inflated).
    fn inflate(&mut self, archive: &mut Archive<'_>, index: usize) -> Result<Vec<u8>, Refusal> {
        let file = archive
            .by_index(index)
            .map_err(|error| unreadable(format!("the entry cannot be inflated: {error}")))?;
        let declared = file.size();
        let compressed = file.compressed_size();
        if declared > self.limits.max_archive_entry_bytes {
            return Err(self.entry_too_large(declared));
        }
        self.read_capped(file, compressed)
    }

    /// A gzip stream's bytes (a Paprika entry), within the same limits.
    fn gunzip(&mut self, gzipped: &[u8]) -> Result<Vec<u8>, Refusal> {
        self.read_capped(flate2::read::GzDecoder::new(gzipped), gzipped.len() as u64)
    }

    fn read_capped(&mut self, reader: impl Read, compressed: u64) -> Result<Vec<u8>, Refusal> {
        let limits = self.limits;
        let remaining = limits.max_archive_total_bytes.saturating_sub(self.total);
        let by_ratio = compressed
            .saturating_mul(limits.max_archive_ratio)
            .max(ARCHIVE_RATIO_FLOOR);
        let cap = limits.max_archive_entry_bytes.min(remaining).min(by_ratio);
        let mut out = Vec::new();
        reader
            .take(cap.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|error| unreadable(format!("the entry cannot be inflated: {error}")))?;
        let actual = out.len() as u64;
        if actual > cap {
            return Err(
                if cap == by_ratio && by_ratio < limits.max_archive_entry_bytes.min(remaining) {
                    Refusal::whole(
                        Code::ArchiveLimit,
                        format!(
                            "the entry inflates from {compressed} bytes to more than {by_ratio}: more than {} times (a zip bomb?)",
                            limits.max_archive_ratio
                        ),
                    )
                } else if cap == remaining && remaining < limits.max_archive_entry_bytes {
                    Refusal::whole(
                        Code::ArchiveLimit,
                        format!(
                            "the archive's entries inflate to more than {} bytes together",
                            limits.max_archive_total_bytes
                        ),
                    )
                } else {
                    self.entry_too_large(actual)
                },
            );
        }
        self.total += actual;
        Ok(out)
    }

    fn entry_too_large(&self, size: u64) -> Refusal {
        Refusal::whole(
            Code::ArchiveLimit,
            format!(
                "the entry inflates to {size} bytes or more; the limit is {} bytes",
                self.limits.max_archive_entry_bytes
            ),
        )
    }
}

/// An entry's bytes as JSON: UTF-8 (a leading byte-order mark is fine),
/// the nesting depth, the syntax. Its size was bounded by the archive
/// limits (an entry may be larger than a document: Paprika's carry their
/// photo).
fn json_value(bytes: &[u8], limits: &Limits) -> Result<Value, Refusal> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Rejection::whole(crate::rejection::RejectReason::NotUtf8 {
            offset: e.valid_up_to(),
        })
        .to_refusal()
    })?;
    super::json_text(text, limits).map_err(|r| r.to_refusal())
}

/// What an app's converter hands over: a schema.org `Recipe` node built
/// from the app's JSON (read by the schema.org reader, so that ingredient
/// lines, group headings and steps are read as everywhere else), the
/// rating, and text fields kept beside the recipe.
struct Draft {
    node: Map<String, Value>,
    rating: Option<(f64, &'static str)>,
    /// `(kept field, the app's field it came from, text)`.
    fields: Vec<(&'static str, &'static str, String)>,
    /// How a path in the node reads in the app's JSON (`$.recipeIngredient`
    /// is Paprika's `$.ingredients`).
    paths: &'static [(&'static str, &'static str)],
}

/// The seed document of a draft, named `id`.
fn finish(draft: Draft, id: &str, limits: &Limits) -> Result<Value, Refusal> {
    let id = RecipeId::parse(id).map_err(|reason| {
        Refusal::whole(
            reason.code(),
            format!("the recipe's id, from its entry, is unusable: {reason}"),
        )
    })?;
    let node = Value::Object(draft.node);
    let mut recipe = schema_org::recipe(&node, limits, Some(&id))
        .map_err(|rejection| app_path(rejection.to_refusal(), draft.paths))?;
    if let Some((rating, field)) = draft.rating {
        let path = JsonPath::root().key(field);
        recipe.rating = Some(check_rating(rating, &path).map_err(|r| r.to_refusal())?);
    }
    for (kept, from, text) in draft.fields {
        let text = clean_scraped(&strip_html(&text)).trim().to_owned();
        if text.is_empty() {
            continue;
        }
        Limits::check_text(
            &JsonPath::root().key(from),
            &text,
            limits.max_text_chars,
            true,
        )
        .map_err(|r| r.to_refusal())?;
        recipe.fields.insert(kept.to_owned(), Value::String(text));
    }
    Limits::check_count(
        &JsonPath::root(),
        "extra fields",
        limits.max_fields,
        recipe.fields.len(),
    )
    .map_err(|r| r.to_refusal())?;
    let document = recipe_json(&recipe);
    let size = serde_json::to_vec(&document).map_or(u64::MAX, |b| b.len() as u64);
    limits.check_size(size).map_err(|r| r.to_refusal())?;
    Ok(document)
}

/// A refusal's path in the app's own field names.
fn app_path(mut refusal: Refusal, paths: &[(&str, &str)]) -> Refusal {
    for (node, app) in paths {
        if let Some(rest) = refusal.path.strip_prefix(node)
            && (rest.is_empty() || rest.starts_with(['.', '[']))
        {
            refusal.path = format!("{app}{rest}");
            break;
        }
    }
    refusal
}

/// A string field of an app's JSON (`null`, absent and blank are `None`).
fn text_of<'a>(object: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|key| object.get(*key).and_then(Value::as_str))
        .filter(|text| !text.trim().is_empty())
}

/// A number given as a number or as text (`"1E+1"`, as Tandoor writes
/// decimals), in its shortest form: `2`, `0.5`.
fn amount_text(value: &Value) -> Option<String> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !number.is_finite() || number <= 0.0 {
        return None;
    }
    let rounded = (number * 10_000.0).round() / 10_000.0;
    Some(if rounded.fract() == 0.0 && rounded < 1e15 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    })
}

#[cfg(test)]
mod tests;
