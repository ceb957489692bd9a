//! The upload mix of the chaos runs (`local/tests/chaos.rs` on the
//! embedded chain, `chain-tests/tests/chaos.rs` on moto): recipes, makes,
//! and malformed uploads in eighteen ways, each with the outcome it must
//! end as, from a deterministic generator so every run is the same.

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
