//! Property tests of the diff over generated recipe pairs: the patch turns
//! the recipe into the make, the output is deterministic, the summary counts
//! the changes, a recipe diffed with itself is empty, and insertions and
//! deletions alone never read as moves.

use proptest::prelude::*;
use serde_json::{Value, json};
use shared::canonical::recipe_json;
use shared::{Limits, diff, parse_make, parse_recipe};

const NAMES: &[&str] = &[
    "flour",
    "sugar",
    "butter",
    "unsalted butter",
    "eggs",
    "milk",
    "salt",
    "brown sugar",
    "olive oil",
    "garlic",
    "onion",
    "red onion",
    "tomatoes",
    "basil",
    "crème fraîche",
    "lemon juice",
];
const UNITS: &[&str] = &[
    "", "cup", "cups", "ml", "g", "kg", "tbsp", "tsp", "clove", "pinch", "handful",
];
const QUANTITIES: &[f64] = &[0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 100.0, 250.0];
const WORDS: &[&str] = &[
    "mix",
    "stir",
    "the",
    "flour",
    "into",
    "bowl",
    "bake",
    "for",
    "minutes",
    "until",
    "golden",
    "add",
    "salt",
    "whisk",
    "eggs",
    "fold",
    "gently",
    "chill",
    "overnight",
    "serve",
    "warm",
];

#[derive(Clone, Debug)]
struct Ingredient {
    id: String,
    name: String,
    quantity: Option<f64>,
    unit: String,
    note: Option<String>,
}

#[derive(Clone, Debug)]
struct Step {
    id: String,
    text: String,
}

#[derive(Clone, Debug)]
struct Doc {
    with_ids: bool,
    name: String,
    rating: Option<f64>,
    ingredients: Vec<Ingredient>,
    steps: Vec<Step>,
}

fn ingredient(id: usize) -> impl Strategy<Value = Ingredient> {
    (
        prop::sample::select(NAMES),
        prop::option::of(prop::sample::select(QUANTITIES)),
        prop::sample::select(UNITS),
        prop::option::of(prop::sample::select(&["chopped", "sifted", "to taste"][..])),
    )
        .prop_map(move |(name, quantity, unit, note)| Ingredient {
            id: format!("i{id}"),
            name: name.to_owned(),
            quantity,
            unit: unit.to_owned(),
            note: note.map(str::to_owned),
        })
}

fn step(id: usize) -> impl Strategy<Value = Step> {
    prop::collection::vec(prop::sample::select(WORDS), 2..9).prop_map(move |words| Step {
        id: format!("s{id}"),
        text: words.join(" "),
    })
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        any::<bool>(),
        prop::collection::vec(0..1usize, 0..12),
        prop::collection::vec(0..1usize, 0..10),
        prop::option::of(prop::sample::select(&[1.0, 2.5, 4.0, 5.0][..])),
    )
        .prop_flat_map(|(with_ids, ings, steps, rating)| {
            let ingredients: Vec<_> = (0..ings.len()).map(ingredient).collect();
            let steps: Vec<_> = (0..steps.len()).map(step).collect();
            (ingredients, steps).prop_map(move |(ingredients, steps)| Doc {
                with_ids,
                name: "Test Recipe".into(),
                rating,
                ingredients,
                steps,
            })
        })
}

/// One way a cook changes a recipe.
#[derive(Clone, Debug)]
enum Edit {
    DeleteIngredient(usize),
    InsertIngredient(usize, Ingredient),
    MoveIngredient(usize, usize),
    ChangeQuantity(usize, Option<f64>),
    ChangeUnit(usize, &'static str),
    Rename(usize, &'static str),
    DeleteStep(usize),
    InsertStep(usize, Step),
    MoveStep(usize, usize),
    Reword(usize, &'static str),
    Rate(Option<f64>),
    Retitle,
}

fn edit(fresh: usize) -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteIngredient),
        (any::<usize>(), ingredient(1000 + fresh)).prop_map(|(i, g)| Edit::InsertIngredient(i, g)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::MoveIngredient(a, b)),
        (
            any::<usize>(),
            prop::option::of(prop::sample::select(QUANTITIES))
        )
            .prop_map(|(i, q)| Edit::ChangeQuantity(i, q)),
        (any::<usize>(), prop::sample::select(UNITS)).prop_map(|(i, u)| Edit::ChangeUnit(i, u)),
        (any::<usize>(), prop::sample::select(NAMES)).prop_map(|(i, n)| Edit::Rename(i, n)),
        any::<usize>().prop_map(Edit::DeleteStep),
        (any::<usize>(), step(1000 + fresh)).prop_map(|(i, s)| Edit::InsertStep(i, s)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::MoveStep(a, b)),
        (any::<usize>(), prop::sample::select(WORDS)).prop_map(|(i, w)| Edit::Reword(i, w)),
        prop::option::of(prop::sample::select(&[0.0, 3.0, 4.5][..])).prop_map(Edit::Rate),
        Just(Edit::Retitle),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(0..1usize, 0..8).prop_flat_map(|slots| {
        slots
            .iter()
            .enumerate()
            .map(|(k, _)| edit(k))
            .collect::<Vec<_>>()
    })
}

/// Removes the item at `at` (wrapped to the list's length), if there is one.
fn delete<T>(items: &mut Vec<T>, at: usize) {
    if !items.is_empty() {
        items.remove(at % items.len());
    }
}

/// Inserts `item` at `at` (wrapped to one past the end).
fn insert<T>(items: &mut Vec<T>, at: usize, item: T) {
    items.insert(at % (items.len() + 1), item);
}

/// Moves the item at `from` to `to` (both wrapped to the list's length), if
/// there is one.
fn move_item<T>(items: &mut Vec<T>, from: usize, to: usize) {
    let n = items.len();
    if n > 0 {
        let item = items.remove(from % n);
        items.insert(to % n, item);
    }
}

fn apply(doc: &Doc, edits: &[Edit]) -> Doc {
    let mut d = doc.clone();
    for e in edits {
        let ni = d.ingredients.len();
        let ns = d.steps.len();
        match e.clone() {
            Edit::DeleteIngredient(i) => delete(&mut d.ingredients, i),
            Edit::InsertIngredient(i, g) => insert(&mut d.ingredients, i, g),
            Edit::MoveIngredient(a, b) => move_item(&mut d.ingredients, a, b),
            Edit::ChangeQuantity(i, q) if ni > 0 => d.ingredients[i % ni].quantity = q,
            Edit::ChangeUnit(i, u) if ni > 0 => d.ingredients[i % ni].unit = u.to_owned(),
            Edit::Rename(i, n) if ni > 0 => d.ingredients[i % ni].name = n.to_owned(),
            Edit::DeleteStep(i) => delete(&mut d.steps, i),
            Edit::InsertStep(i, s) => insert(&mut d.steps, i, s),
            Edit::MoveStep(a, b) => move_item(&mut d.steps, a, b),
            Edit::Reword(i, w) if ns > 0 => {
                let s = &mut d.steps[i % ns];
                s.text = format!("{} {w}", s.text);
            }
            Edit::Rate(r) => d.rating = r,
            Edit::Retitle => d.name.push_str(" (again)"),
            _ => {}
        }
    }
    d
}

fn to_json(doc: &Doc) -> Value {
    let ingredients: Vec<Value> = doc
        .ingredients
        .iter()
        .map(|g| {
            let mut v = json!({"ingredientName": g.name, "quantity": g.quantity, "measurement": g.unit, "note": g.note});
            if doc.with_ids {
                v["ingredientId"] = json!(g.id);
            }
            v
        })
        .collect();
    let steps: Vec<Value> = doc
        .steps
        .iter()
        .map(|s| {
            let mut v = json!({"stepText": s.text});
            if doc.with_ids {
                v["stepId"] = json!(s.id);
            }
            v
        })
        .collect();
    json!({"recipeName": doc.name, "recipeId": "r1", "rating": doc.rating, "ingredients": ingredients, "steps": steps})
}

fn parse_pair(recipe: &Doc, make: &Doc) -> (shared::Recipe, shared::Make) {
    let limits = Limits::default();
    let r = parse_recipe(to_json(recipe).to_string().as_bytes(), &limits, None)
        .expect("generated recipe parses");
    let m =
        parse_make(to_json(make).to_string().as_bytes(), &limits).expect("generated make parses");
    (r, m)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn patch_turns_the_recipe_into_the_make(recipe in doc(), changes in edits()) {
        let make = apply(&recipe, &changes);
        let (r, m) = parse_pair(&recipe, &make);
        let d = diff(&r, m.content(), None);
        let mut doc = recipe_json(&r);
        json_patch::patch(&mut doc, &d.patch).map_err(|e| TestCaseError::fail(format!("patch failed: {e}")))?;
        prop_assert_eq!(doc, recipe_json(m.content()));
    }

    /// Adopting a make: the comparison of the version it was made from
    /// with the adopted version has the make's own ingredient and step
    /// changes; the adopted version's content is the make's, less its
    /// rating.
    #[test]
    fn an_adopted_make_compares_as_the_make_diffed(recipe in doc(), changes in edits()) {
        let make = apply(&recipe, &changes);
        let (r, m) = parse_pair(&recipe, &make);
        let made = diff(&r, m.content(), None);
        let make_id = shared::MakeId::parse("adopted").expect("an id");
        let document = shared::canonical::adopted(&recipe_json(m.content()), &make_id);
        let adopted = shared::parse::recipe_from_value(&document, &Limits::default(), None)
            .map_err(|e| TestCaseError::fail(format!("the adopted version does not read: {e:?}")))?;
        prop_assert_eq!(adopted.lineage().adopted_from.as_ref(), Some(&make_id));
        let mut content = recipe_json(m.content());
        content.as_object_mut().expect("an object").remove("rating");
        prop_assert_eq!(recipe_json(&adopted), content);
        let compared = diff(&r, &adopted, None);
        let food = |d: &shared::MakeDiff| -> Vec<Value> {
            d.changes
                .iter()
                .filter(|c| c.op().starts_with("ingredient-")
                    || c.op().starts_with("step-")
                    || ["quantity-changed", "unit-changed", "scaled"].contains(&c.op()))
                .map(|c| serde_json::to_value(c).expect("a change serialises"))
                .collect()
        };
        prop_assert_eq!(food(&compared), food(&made));
    }

    #[test]
    fn diff_is_deterministic_and_summary_counts_the_changes(recipe in doc(), changes in edits()) {
        let make = apply(&recipe, &changes);
        let (r, m) = parse_pair(&recipe, &make);
        let first = diff(&r, m.content(), None);
        let second = diff(&r, m.content(), None);
        let a = serde_json::to_string(&first).expect("serialises");
        let b = serde_json::to_string(&second).expect("serialises");
        prop_assert_eq!(a, b);
        prop_assert_eq!(first.summary.total, first.changes.len());
        let summary = serde_json::to_value(&first.summary).expect("serialises");
        let counted: u64 = summary.as_object().expect("object").iter()
            .filter(|(k, _)| k.as_str() != "total")
            .map(|(_, v)| v.as_u64().unwrap_or(0))
            .sum();
        prop_assert_eq!(counted as usize, first.changes.len());
        prop_assert_eq!(first.summary.clone(), shared::diff::Summary::of(&second.changes));
    }

    #[test]
    fn a_recipe_reads_back_from_its_canonical_json(recipe in doc()) {
        let (r, _) = parse_pair(&recipe, &recipe);
        let again = shared::parse::recipe_from_value(&recipe_json(&r), &Limits::default(), None)
            .map_err(|e| TestCaseError::fail(format!("canonical JSON rejected: {e}")))?;
        prop_assert_eq!(again, r);
    }

    #[test]
    fn a_recipe_diffed_with_itself_is_empty(recipe in doc()) {
        let (r, _) = parse_pair(&recipe, &recipe);
        let d = diff(&r, &r, None);
        prop_assert!(d.is_empty(), "{:?}", d.changes);
        prop_assert!(d.differences.is_empty());
    }

    #[test]
    fn insertions_and_deletions_alone_are_never_moves(
        recipe in doc(),
        deletions in prop::collection::vec(any::<usize>(), 0..4),
        insertions in prop::collection::vec(any::<usize>(), 0..4),
    ) {
        let mut make = recipe.clone();
        for i in deletions {
            if !make.steps.is_empty() { let n = make.steps.len(); make.steps.remove(i % n); }
            if !make.ingredients.is_empty() { let n = make.ingredients.len(); make.ingredients.remove(i % n); }
        }
        for (k, i) in insertions.into_iter().enumerate() {
            let n = make.steps.len();
            make.steps.insert(i % (n + 1), Step { id: format!("new{k}"), text: format!("zzz{k} qqq{k}") });
            let n = make.ingredients.len();
            make.ingredients.insert(i % (n + 1), Ingredient {
                id: format!("new{k}"), name: format!("xyzzy{k}"), quantity: None, unit: String::new(), note: None,
            });
        }
        let (r, m) = parse_pair(&recipe, &make);
        let d = diff(&r, m.content(), None);
        let moves: Vec<_> = d.changes.iter().filter(|c| c.op().ends_with("-moved")).collect();
        prop_assert!(moves.is_empty(), "{:?}", moves);
        let patch_moves = d.patch.0.iter().filter(|op| matches!(op, json_patch::PatchOperation::Move(_))).count();
        prop_assert_eq!(patch_moves, 0);
    }
}

/// Text shaped like ingredient lines: numbers, fractions, units glued or
/// spaced, brackets, slashes, commas, and any character at all.
fn line_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("1".to_owned()),
        Just("1-1/2".to_owned()),
        Just("½".to_owned()),
        Just("2 x ".to_owned()),
        Just("400g".to_owned()),
        Just("/".to_owned()),
        Just("14-ounce".to_owned()),
        Just(" (".to_owned()),
        Just(")".to_owned()),
        Just(", ".to_owned()),
        Just(" plus ".to_owned()),
        Just(" of ".to_owned()),
        Just("fl oz".to_owned()),
        Just("heaped ".to_owned()),
        Just("cans ".to_owned()),
        Just("cloves".to_owned()),
        Just("about ".to_owned()),
        Just(" to taste".to_owned()),
        "[a-z ]{0,8}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A line never fails: whatever the text, the parser answers with a
    /// name (the line itself when nothing else is left) and sane amounts.
    #[test]
    fn any_ingredient_line_reads_without_panic(line in line_text()) {
        let parsed = shared::ingredient_line::parse_line(&line);
        if !line.trim().is_empty() {
            prop_assert!(!parsed.name.is_empty(), "{line:?} gave an empty name");
        }
        for quantity in [parsed.quantity].into_iter().flatten().chain(
            [&parsed.package_size, &parsed.plus, &parsed.alternative]
                .into_iter()
                .flatten()
                .map(|m| m.quantity),
        ) {
            prop_assert!(quantity.value().is_finite() && quantity.value() >= 0.0, "{line:?}");
        }
    }
}
