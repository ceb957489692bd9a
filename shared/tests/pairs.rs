//! Snapshot tests of the semantic diff over the recipe/make pairs in
//! `fixtures/pairs/`. Each snapshot is the whole diff document; review a
//! changed snapshot like code (`cargo insta review`).

use std::path::{Path, PathBuf};

use shared::canonical::recipe_json;
use shared::{Limits, MakeDiff, diff_make, parse_make, parse_recipe};

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/pairs")
        .join(name)
}

fn read(dir: &Path, stem: &str) -> Vec<u8> {
    for ext in ["json", "jsonld"] {
        let path = dir.join(format!("{stem}.{ext}"));
        if let Ok(bytes) = std::fs::read(&path) {
            return bytes;
        }
    }
    panic!("no {stem}.json(ld) in {}", dir.display());
}

/// Parses a pair, diffs it, and checks that the patch turns the recipe's
/// canonical JSON into the make's.
fn diff_pair(name: &str) -> MakeDiff {
    let dir = fixture_dir(name);
    let limits = Limits::default();
    let recipe = parse_recipe(&read(&dir, "recipe"), &limits, None).expect("recipe parses");
    let make = parse_make(&read(&dir, "make"), &limits).expect("make parses");
    let diff = diff_make(&recipe, &make);
    let mut doc = recipe_json(&recipe);
    json_patch::patch(&mut doc, &diff.patch).expect("patch applies");
    assert_eq!(
        doc,
        recipe_json(make.content()),
        "patch must produce the make"
    );
    assert_eq!(diff.summary.total, diff.changes.len());
    diff
}

fn ops(diff: &MakeDiff) -> Vec<&'static str> {
    diff.changes.iter().map(shared::Change::op).collect()
}

#[test]
fn apple_pie_make_changes_rating_one_quantity_and_one_step() {
    let diff = diff_pair("apple-pie");
    assert_eq!(
        ops(&diff),
        ["rating-changed", "quantity-changed", "step-edited"]
    );
    insta::assert_json_snapshot!(diff);
}

#[test]
fn big_pair_reports_only_the_real_changes() {
    let diff = diff_pair("big");
    let mut found = ops(&diff);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "ingredient-added",
            "ingredient-removed",
            "ingredient-renamed",
            "step-deleted",
            "step-edited",
            "step-inserted",
            "step-moved",
            "unit-changed",
        ]
    );
    // One move in the patch, and no replace caused by shifted indexes.
    let moves = diff
        .patch
        .0
        .iter()
        .filter(|op| matches!(op, json_patch::PatchOperation::Move(_)))
        .count();
    assert_eq!(moves, 1);
    assert!(
        diff.patch.0.len() <= 10,
        "patch has {} operations",
        diff.patch.0.len()
    );
    insta::assert_json_snapshot!(diff);
}

#[test]
fn doubled_batch_is_scaled_by_two_with_salt_off_scale() {
    let diff = diff_pair("doubled");
    assert_eq!(diff.scale_factor(), Some(2.0));
    let off_scale: Vec<_> = diff
        .changes
        .iter()
        .filter_map(|c| match c {
            shared::Change::QuantityChanged {
                ingredient,
                deviation,
                ..
            } => Some((ingredient.as_str(), *deviation)),
            _ => None,
        })
        .collect();
    assert_eq!(off_scale, [("salt", Some(0.75))]);
    insta::assert_json_snapshot!(diff);
}

#[test]
fn schema_org_graph_with_sections() {
    let diff = diff_pair("schema-org");
    insta::assert_json_snapshot!(diff);
}

#[test]
fn non_ascii_text_is_compared_by_words() {
    let diff = diff_pair("non-ascii");
    insta::assert_json_snapshot!(diff);
}

#[test]
fn a_recipe_diffed_with_itself_has_no_changes() {
    for name in ["apple-pie", "big", "doubled", "schema-org", "non-ascii"] {
        let recipe = parse_recipe(
            &read(&fixture_dir(name), "recipe"),
            &Limits::default(),
            None,
        )
        .expect("parses");
        let diff = shared::diff(&recipe, &recipe, None);
        assert!(diff.is_empty(), "{name}: {:?}", diff.changes);
        assert!(diff.differences.is_empty());
    }
}

#[test]
fn canonical_json_reads_back_as_the_same_recipe() {
    let limits = Limits::default();
    for name in ["apple-pie", "big", "doubled", "schema-org", "non-ascii"] {
        let dir = fixture_dir(name);
        let recipe = parse_recipe(&read(&dir, "recipe"), &limits, None).expect("parses");
        let again = shared::parse::recipe_from_value(&recipe_json(&recipe), &limits, None)
            .expect("canonical parses");
        assert_eq!(again, recipe, "{name}");
        let make = parse_make(&read(&dir, "make"), &limits).expect("parses");
        let again = shared::parse::recipe_from_value(&recipe_json(make.content()), &limits, None)
            .expect("canonical parses");
        assert_eq!(&again, make.content(), "{name} make");
    }
}

/// A page as a British site writes it, made with a cook's edits: the same
/// cream cheese written as `16 ounces` is an equivalent amount (not a
/// rename and a note change), `½ cup plus 2 tablespoons` and `10
/// tablespoons` are the same sugar, basil swapped for mint at the same
/// amount is a substitution, and nothing else is reported.
#[test]
fn real_page_with_a_cooks_edits_reports_exactly_those_edits() {
    let diff = diff_pair("real-page");
    assert_eq!(
        ops(&diff),
        [
            "rating-changed",
            "unit-changed",
            "ingredient-substituted",
            "quantity-changed",
            "unit-changed",
            "ingredient-added",
            "step-edited",
            "step-edited",
        ]
    );
    let equivalent: Vec<bool> = diff
        .changes
        .iter()
        .filter_map(|c| match c {
            shared::Change::UnitChanged { equivalent, .. } => Some(*equivalent),
            _ => None,
        })
        .collect();
    assert_eq!(equivalent, [true, true], "both amounts are the same");
    insta::assert_json_snapshot!(diff);
}
