//! The upload mix of the chaos runs (`local/tests/chaos.rs` on the
//! embedded chain, `chain-tests/tests/chaos.rs` on moto): recipes, makes,
//! and malformed uploads in eighteen ways, each with the outcome it must
//! end as, from a deterministic generator so every run is the same; the
//! [`plan`] of a run, and the [`Ledger`] that both the expected and the
//! observed outcomes are counted in.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

/// The recipe every chaos recipe is made from.
pub const RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/apple-pie/recipe.json");

/// What one upload must end as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new version of the recipe.
    Version(String),
    /// The version another upload with the same content stored.
    SameVersion(String),
    /// A make of the recipe with these notes.
    Make {
        /// The recipe.
        recipe: String,
        /// Its notes.
        notes: String,
    },
    /// The make another upload with the same `makeId` and content stored.
    SameMake {
        /// The recipe.
        recipe: String,
        /// Its notes.
        notes: String,
    },
    /// A rejection under the upload's key.
    Rejection {
        /// The rejection code.
        code: &'static str,
        /// The JSON path.
        path: String,
    },
    /// Dead-lettered: its recipe never came.
    Dead {
        /// Its notes.
        notes: String,
    },
}

#[derive(Clone, Debug)]
/// One upload: where it is dropped, what it holds, what it must end as.
pub struct Upload {
    /// The object key (`makes/...`).
    pub key: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// What it must end as.
    pub outcome: Outcome,
}

/// A small deterministic generator (xorshift), so every run uploads the
/// same files in the same order.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Shuffles `items` in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The id of chaos recipe `n`.
pub fn recipe_id(n: usize) -> String {
    format!("chaos-{n:02}")
}

/// Chaos recipe `n`: the Apple Pie under its own id.
pub fn recipe(n: usize) -> Value {
    let mut recipe: Value = serde_json::from_slice(RECIPE).expect("fixture");
    recipe["recipeId"] = Value::from(recipe_id(n));
    recipe["recipeName"] = Value::from(format!("Chaos pie {n:02}"));
    recipe
}

/// The recipe's second version: another rating and one more step.
pub fn second_version(n: usize) -> Value {
    let mut recipe = recipe(n);
    recipe["rating"] = Value::from(3);
    if let Some(steps) = recipe["steps"].as_array_mut() {
        steps.push(json!({"stepId": 7, "stepText": "Rest for an hour before slicing."}));
    }
    recipe
}

/// Make number `n` of recipe `of`: the recipe with one quantity doubled, a
/// rating, and notes that tell it apart.
pub fn make(n: usize, of: &str, make_id: bool) -> Value {
    let mut make: Value = serde_json::from_slice(RECIPE).expect("fixture");
    make["recipeId"] = Value::from(of);
    make["rating"] = Value::from(n % 5 + 1);
    make["notes"] = Value::from(format!("chaos make {n:04}"));
    if let Some(quantity) = make["ingredients"][n % 8]["quantity"].as_f64() {
        make["ingredients"][n % 8]["quantity"] = Value::from(quantity * 2.0);
    }
    if make_id {
        make["makeId"] = Value::from(format!("m-{n:04}"));
    }
    make
}

/// A document as file bytes.
pub fn bytes(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

/// Malformed upload number `n` (one fault each, in 18 ways), with the
/// rejection it must end as.
pub fn malformed(n: usize, recipes: usize) -> Upload {
    let as_make = n.is_multiple_of(2);
    let folder = if as_make { "makes" } else { "recipes" };
    let key = format!("{folder}/bad-{n:03}.json");
    let base = if as_make {
        make(9000 + n, &recipe_id(n % recipes), true)
    } else {
        recipe(n % recipes)
    };
    let with = |change: &dyn Fn(&mut Value)| {
        let mut doc = base.clone();
        change(&mut doc);
        bytes(&doc)
    };
    let (key, body, code, path): (String, Vec<u8>, &'static str, &str) = match n % 18 {
        0 => {
            let full = base.to_string();
            let cut = (0..=full.len() / 2)
                .rev()
                .find(|i| full.is_char_boundary(*i))
                .unwrap_or(0);
            (key, full.as_bytes()[..cut].to_vec(), "invalid-json", "$")
        }
        1 => (key, Vec::new(), "empty", "$"),
        2 => (key, b" \n\t \r\n".to_vec(), "empty", "$"),
        3 => {
            let mut body = bytes(&base);
            let at = body.len() - 2;
            body.insert(at, 0xFF);
            (key, body, "not-utf8", "$")
        }
        4 => (key, b"[1, 2, 3]".to_vec(), "unknown-format", "$"),
        5 => (key, b"42".to_vec(), "unknown-format", "$"),
        6 => (
            key,
            with(&|d| d["rating"] = Value::from(7)),
            "invalid-number",
            "$.rating",
        ),
        7 => (
            key,
            with(&|d| d["ingredients"][0]["quantity"] = Value::from("lots")),
            "invalid-number",
            "$.ingredients[0].quantity",
        ),
        8 => (
            key,
            with(&|d| d["ingredients"][0]["quantity"] = Value::from(-2)),
            "invalid-number",
            "$.ingredients[0].quantity",
        ),
        9 => (
            key,
            with(&|d| d["recipeName"] = Value::from("Apple\u{7}Pie")),
            "control-character",
            "$.recipeName",
        ),
        10 => (
            key,
            with(&|d| d["steps"] = Value::from("mix it all")),
            "wrong-type",
            "$.steps",
        ),
        11 => (
            key,
            with(&|d| d["ingredients"][1]["ingredientId"] = Value::from(1)),
            "duplicate-id",
            "$.ingredients[1]",
        ),
        12 => {
            // A key with another suffix, valid content.
            let key = format!("{folder}/bad-{n:03}.txt");
            (key, bytes(&base), "bad-key", "$")
        }
        13 => {
            let deep = format!(
                r#"{{"recipeName": "Deep", "recipeId": 1, "x": {}{}}}"#,
                "[".repeat(100),
                "]".repeat(100)
            );
            (key, deep.into_bytes(), "too-deep", "$")
        }
        14 => (
            key,
            with(&|d| d["recipeId"] = Value::from("  ")),
            "invalid-id",
            "$.recipeId",
        ),
        15 => (
            key,
            with(&|d| {
                let line = d["ingredients"][0].clone();
                d["ingredients"] = Value::Array(vec![line; 501]);
            }),
            "too-many",
            "$.ingredients",
        ),
        16 => (
            key,
            with(&|d| d["steps"][2] = json!({"stepId": 3})),
            "missing",
            "$.steps[2]",
        ),
        _ if as_make => (
            key,
            with(&|d| d["madeAt"] = Value::from("last Tuesday")),
            "invalid-date",
            "$.madeAt",
        ),
        _ => (
            key,
            b"{\"hello\": \"world\"}".to_vec(),
            "unknown-format",
            "$",
        ),
    };
    Upload {
        key,
        bytes: body,
        outcome: Outcome::Rejection {
            code,
            path: path.to_owned(),
        },
    }
}

/// The recipe the orphans are makes of: it never comes during a run.
pub const GHOST: &str = "chaos-ghost";

/// How many uploads of each sort a run has.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Uploads in all.
    pub total: usize,
    /// Recipes, uploaded first.
    pub recipes: usize,
    /// Recipes that get a second version mid-run.
    pub new_versions: usize,
    /// Recipes copied byte for byte under a second key mid-run.
    pub recipe_copies: usize,
    /// Makes of a recipe that never comes ([`GHOST`]).
    pub orphans: usize,
    /// Malformed uploads.
    pub malformed: usize,
    /// Identical copies under a second key of makes with a `makeId`.
    pub copies_with_id: usize,
    /// Identical copies under a second key of makes without one.
    pub copies_without_id: usize,
    /// Identical copies under a second key of malformed files.
    pub copies_malformed: usize,
    /// Makes without a `makeId` written again (same bytes, same key) once
    /// processed.
    pub reuploads: usize,
    /// Makes.
    pub makes: usize,
}

impl Sizes {
    /// A run of `total` uploads (1,000: 20 recipes, 10 new versions, 10
    /// recipe copies, 10 orphans, 100 malformed, 20 + 15 + 5 copies, 810
    /// makes), with no deliberate re-upload.
    ///
    /// # Panics
    /// When `total` is under 100.
    pub fn of(total: usize) -> Self {
        assert!(total >= 100, "a chaos run needs at least 100 uploads");
        let recipes = total / 50;
        let new_versions = total / 100;
        let recipe_copies = total / 100;
        let orphans = total / 100;
        let malformed = total / 10;
        let copies_with_id = total / 50;
        let copies_without_id = total * 3 / 200;
        let copies_malformed = total / 200;
        let makes = total
            - recipes
            - new_versions
            - recipe_copies
            - orphans
            - malformed
            - copies_with_id
            - copies_without_id
            - copies_malformed;
        Self {
            total,
            recipes,
            new_versions,
            recipe_copies,
            orphans,
            malformed,
            copies_with_id,
            copies_without_id,
            copies_malformed,
            reuploads: 0,
            makes,
        }
    }

    /// The same run with `reuploads` deliberate re-uploads in place of as
    /// many makes.
    pub fn with_reuploads(self, reuploads: usize) -> Self {
        Self {
            reuploads,
            makes: self.makes - reuploads,
            ..self
        }
    }
}

/// Where a run's orphans stand in its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orphans {
    /// First, so that they have time to reach the dead-letter queue (5
    /// receives, with backoff) while the rest arrives.
    First,
    /// Shuffled in with the rest.
    Shuffled,
}

/// Everything a run uploads: the recipes (written first), the stream
/// (written while faults are injected), and the deliberate re-uploads
/// (written at the end, once their first upload was processed).
#[derive(Debug)]
pub struct Plan {
    /// The recipes.
    pub recipes: Vec<Upload>,
    /// The stream, shuffled.
    pub stream: Vec<Upload>,
    /// The deliberate re-uploads.
    pub reuploads: Vec<Upload>,
}

/// Orphan number `n`: a make of [`GHOST`], told apart by its notes.
pub fn orphan(n: usize) -> Upload {
    let mut make = make(8000 + n, GHOST, false);
    let notes = format!("chaos orphan {n:02}");
    make["notes"] = Value::from(notes.clone());
    Upload {
        key: format!("makes/orphans/{n:02}.json"),
        bytes: bytes(&make),
        outcome: Outcome::Dead { notes },
    }
}

/// The uploads of a run of `sizes`, the same for every run.
///
/// # Panics
/// When the plan does not come to `sizes.total` uploads.
pub fn plan(sizes: Sizes, orphans: Orphans) -> Plan {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let recipes: Vec<Upload> = (0..sizes.recipes)
        .map(|n| Upload {
            key: format!("recipes/{}.json", recipe_id(n)),
            bytes: bytes(&recipe(n)),
            outcome: Outcome::Version(recipe_id(n)),
        })
        .collect();
    let mut stream = Vec::new();
    for n in 0..sizes.new_versions {
        stream.push(Upload {
            key: format!("recipes/{}-v2.json", recipe_id(n)),
            bytes: bytes(&second_version(n)),
            outcome: Outcome::Version(recipe_id(n)),
        });
    }
    for (n, original) in recipes
        .iter()
        .enumerate()
        .skip(sizes.recipes - sizes.recipe_copies)
    {
        stream.push(Upload {
            key: format!("recipes/copies/{}.json", recipe_id(n)),
            bytes: original.bytes.clone(),
            outcome: Outcome::SameVersion(recipe_id(n)),
        });
    }
    let mut makes = Vec::new();
    for n in 0..sizes.makes {
        let of = recipe_id(rng.below(sizes.recipes));
        makes.push(Upload {
            key: format!("makes/{of}/{n:04}.json"),
            bytes: bytes(&make(n, &of, n.is_multiple_of(2))),
            outcome: Outcome::Make {
                recipe: of,
                notes: format!("chaos make {n:04}"),
            },
        });
    }
    // Identical copies under a second key.
    for (i, n) in (0..sizes.makes)
        .step_by(2)
        .take(sizes.copies_with_id)
        .enumerate()
    {
        let Outcome::Make { recipe, notes } = makes[n].outcome.clone() else {
            unreachable!()
        };
        stream.push(Upload {
            key: format!("makes/copies/with-id-{i:02}.json"),
            bytes: makes[n].bytes.clone(),
            outcome: Outcome::SameMake { recipe, notes },
        });
    }
    for (i, n) in (1..sizes.makes)
        .step_by(2)
        .take(sizes.copies_without_id)
        .enumerate()
    {
        stream.push(Upload {
            key: format!("makes/copies/without-id-{i:02}.json"),
            bytes: makes[n].bytes.clone(),
            outcome: makes[n].outcome.clone(),
        });
    }
    let bad: Vec<Upload> = (0..sizes.malformed)
        .map(|n| malformed(n, sizes.recipes))
        .collect();
    for (i, original) in bad
        .iter()
        .step_by(7)
        .take(sizes.copies_malformed)
        .enumerate()
    {
        let (folder, name) = original.key.split_once('/').expect("a folder");
        stream.push(Upload {
            key: format!("{folder}/copies/{i}-{name}"),
            bytes: original.bytes.clone(),
            outcome: original.outcome.clone(),
        });
    }
    // Deliberate re-uploads of makes without a makeId, chosen before the
    // stream is shuffled.
    let reuploads: Vec<Upload> = (0..sizes.makes)
        .skip(101)
        .step_by(40)
        .filter(|n| n % 2 == 1)
        .take(sizes.reuploads)
        .map(|n| makes[n].clone())
        .collect();
    assert_eq!(reuploads.len(), sizes.reuploads);
    stream.extend(makes);
    stream.extend(bad);
    let orphan_uploads = (0..sizes.orphans).map(orphan);
    match orphans {
        Orphans::Shuffled => {
            stream.extend(orphan_uploads);
            rng.shuffle(&mut stream);
        }
        Orphans::First => {
            rng.shuffle(&mut stream);
            stream.splice(0..0, orphan_uploads);
        }
    }
    assert_eq!(
        recipes.len() + stream.len() + reuploads.len(),
        sizes.total,
        "the plan has {} uploads",
        sizes.total
    );
    Plan {
        recipes,
        stream,
        reuploads,
    }
}

/// What uploads must come to, derived from what was uploaded alone, or
/// what a chain holds, read through its API.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Versions per recipe.
    pub versions: BTreeMap<String, usize>,
    /// Makes per (recipe, notes).
    pub makes: BTreeMap<(String, String), usize>,
    /// Rejections per object key: (code, path).
    pub rejections: BTreeMap<String, (String, String)>,
}

impl Ledger {
    /// What `uploads` must come to (a dead letter is in no list: see
    /// [`dead_notes`]).
    ///
    /// # Panics
    /// When two uploads that must be rejected share a key.
    pub fn expected(uploads: &[&Upload]) -> Self {
        let mut ledger = Ledger::default();
        for upload in uploads {
            match &upload.outcome {
                Outcome::Version(recipe) => {
                    *ledger.versions.entry(recipe.clone()).or_default() += 1
                }
                Outcome::SameVersion(recipe) => {
                    ledger.versions.entry(recipe.clone()).or_default();
                }
                Outcome::Make { recipe, notes } => ledger.add_makes(recipe, notes, 1),
                Outcome::SameMake { recipe, notes } => ledger.add_makes(recipe, notes, 0),
                Outcome::Rejection { code, path } => {
                    let previous = ledger
                        .rejections
                        .insert(upload.key.clone(), ((*code).to_owned(), path.clone()));
                    assert!(previous.is_none(), "two uploads under {}", upload.key);
                }
                Outcome::Dead { .. } => {}
            }
        }
        ledger
    }

    /// Counts `count` makes of `recipe` with `notes` (0: the make is known,
    /// with no more of it).
    pub fn add_makes(&mut self, recipe: &str, notes: &str, count: usize) {
        *self
            .makes
            .entry((recipe.to_owned(), notes.to_owned()))
            .or_default() += count;
    }

    /// Counts a stored rejection as the API lists it.
    ///
    /// # Panics
    /// When its object key already has one.
    pub fn add_rejection(&mut self, rejection: &Value) {
        let key = rejection["objectKey"]
            .as_str()
            .unwrap_or("(none)")
            .to_owned();
        let found = (
            rejection["code"].as_str().unwrap_or_default().to_owned(),
            rejection["path"].as_str().unwrap_or_default().to_owned(),
        );
        let previous = self.rejections.insert(key.clone(), found);
        assert!(previous.is_none(), "two rejections for {key}");
    }

    /// Makes in all.
    pub fn make_total(&self) -> usize {
        self.makes.values().sum()
    }

    /// Versions in all.
    pub fn version_total(&self) -> usize {
        self.versions.values().sum()
    }
}

/// The notes of the makes among `uploads` that must end in the dead-letter
/// queue.
pub fn dead_notes(uploads: &[&Upload]) -> BTreeSet<String> {
    uploads
        .iter()
        .filter_map(|upload| match &upload.outcome {
            Outcome::Dead { notes } => Some(notes.clone()),
            _ => None,
        })
        .collect()
}

/// The deletions of a run, chosen from its plan.
pub struct Deletions {
    /// Deleted right after they are written: three orphans (their jobs are
    /// being retried), makes and malformed files.
    pub soon: BTreeSet<String>,
    /// Deleted once the stream's effects are stored.
    pub later: Vec<String>,
    /// Some of the later ones, dropped again with other notes.
    pub again: Vec<Upload>,
}

/// The notes of a make upload.
fn notes(upload: &Upload) -> Option<&str> {
    match &upload.outcome {
        Outcome::Make { notes, .. } | Outcome::SameMake { notes, .. } => Some(notes),
        Outcome::Dead { notes } => Some(notes),
        _ => None,
    }
}

/// The deletions of a run of `plan`, the same for every run: makes whose
/// notes no other upload shares (no copy, no re-upload), so that deleting
/// their file removes them whole, malformed files, and three orphans.
pub fn deletions(plan: &Plan) -> Deletions {
    let mut shared: BTreeMap<&str, usize> = BTreeMap::new();
    for upload in plan.stream.iter().chain(&plan.reuploads) {
        if let Some(notes) = notes(upload) {
            *shared.entry(notes).or_default() += 1;
        }
    }
    let lone_makes: Vec<&Upload> = plan
        .stream
        .iter()
        .filter(|u| matches!(u.outcome, Outcome::Make { .. }))
        .filter(|u| notes(u).is_some_and(|n| shared[n] == 1))
        .collect();
    let malformed: Vec<&Upload> = plan
        .stream
        .iter()
        .filter(|u| matches!(u.outcome, Outcome::Rejection { .. }))
        .collect();
    let orphans = plan
        .stream
        .iter()
        .filter(|u| matches!(u.outcome, Outcome::Dead { .. }))
        .take(3);
    let soon = orphans
        .chain(lone_makes.iter().copied().step_by(50))
        .chain(malformed.iter().copied().step_by(20))
        .map(|u| u.key.clone())
        .collect();
    let later_makes: Vec<&Upload> = lone_makes.iter().copied().skip(25).step_by(50).collect();
    let later = later_makes
        .iter()
        .copied()
        .chain(malformed.iter().copied().skip(10).step_by(20))
        .map(|u| u.key.clone())
        .collect();
    let again = later_makes
        .iter()
        .take(5)
        .map(|u| {
            let Outcome::Make { recipe, notes } = &u.outcome else {
                unreachable!("a make")
            };
            let notes = format!("{notes} again");
            let mut document: Value = serde_json::from_slice(&u.bytes).expect("a make");
            document["notes"] = Value::from(notes.clone());
            Upload {
                key: u.key.clone(),
                bytes: bytes(&document),
                outcome: Outcome::Make {
                    recipe: recipe.clone(),
                    notes,
                },
            }
        })
        .collect();
    Deletions { soon, later, again }
}
