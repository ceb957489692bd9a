//! The `recipe-chain` command line, run as a user runs it.

use std::process::Command;

fn recipe_chain(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("recipe-chain runs")
}

/// `recipe-chain diff recipe make --json`, which must succeed: the diff
/// document it printed.
fn diff_json(recipe: &str, make: &str) -> serde_json::Value {
    let out = recipe_chain(&["diff", recipe, make, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// `recipe-chain diff recipe make`, which must refuse (exit code 2); what
/// it wrote on stderr.
fn refused_diff(recipe: &str, make: &str) -> String {
    let out = recipe_chain(&["diff", recipe, make]);
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).expect("utf-8")
}

#[test]
fn diff_prints_a_plain_summary_when_piped() {
    let out = recipe_chain(&[
        "diff",
        "fixtures/pairs/big/recipe.json",
        "fixtures/pairs/big/make.json",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when piped:\n{text}"
    );
    assert!(text.contains("8 changes"), "{text}");
    assert!(
        text.contains("~ milk: 1 cup → 240 ml (the same amount)"),
        "{text}"
    );
    assert!(text.contains("↕ step 25 done as step 8"), "{text}");
    assert!(
        text.contains("Roast for [-forty-]{+fifty+} minutes"),
        "{text}"
    );
}

#[test]
fn diff_json_is_the_whole_document() {
    let doc = diff_json(
        "fixtures/pairs/doubled/recipe.json",
        "fixtures/pairs/doubled/make.json",
    );
    assert_eq!(doc["recipeId"], "pancakes");
    assert_eq!(doc["changes"][2]["op"], "scaled");
    assert_eq!(doc["changes"][2]["factor"], 2);
    assert!(doc["patch"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(doc["differences"].as_array().is_some_and(|d| !d.is_empty()));
}

#[test]
fn diff_reads_a_saved_web_page_as_the_recipe() {
    let doc = diff_json(
        "fixtures/pages/lemon-drizzle-cake.html",
        "fixtures/pages/lemon-drizzle-cake.make.json",
    );
    assert_eq!(doc["recipeId"], "lemon-drizzle-cake");
    let ops = testkit::change_ops(&doc);
    assert_eq!(
        ops,
        ["rating-changed", "quantity-changed", "step-edited"],
        "{doc}"
    );
    assert_eq!(doc["changes"][1]["ingredient"], "lemons");
}

#[test]
fn diff_reads_cooklang_files_as_the_chain_does() {
    let doc = diff_json(
        "fixtures/cooklang/pancakes.cook",
        "fixtures/cooklang/sunday-pancakes.cook",
    );
    assert_eq!(doc["recipeId"], "pancakes");
    assert_eq!(
        testkit::change_ops(&doc),
        ["rating-changed", "quantity-changed", "unit-changed"],
        "{doc}"
    );
    let err = refused_diff(
        "fixtures/cooklang/pancakes.cook",
        "fixtures/cooklang/broken.cook",
    );
    assert!(err.contains("broken.cook"), "{err}");
    assert!(
        err.contains("not valid Cooklang: Empty quantity value (line 3, column 14)"),
        "{err}"
    );
    assert!(err.contains("[invalid-cooklang]"), "{err}");
}

#[test]
fn a_page_diffed_with_itself_has_no_changes() {
    for page in [
        "fixtures/pages/lemon-drizzle-cake.html",
        "fixtures/corpus/schema-org/countryliving.com__countryliving_2.jsonld",
        "fixtures/corpus/schema-org/nosalty.hu__nosalty_1.jsonld",
    ] {
        let out = recipe_chain(&["diff", page, page, "--json"]);
        assert!(
            out.status.success(),
            "{page}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(doc["changes"], serde_json::json!([]), "{page}");
    }
}

#[test]
fn a_page_without_a_recipe_is_refused_by_name() {
    let err = refused_diff(
        "fixtures/pages/sourdough-tips.html",
        "fixtures/pages/lemon-drizzle-cake.make.json",
    );
    assert!(err.contains("sourdough-tips.html"), "{err}");
    assert!(err.contains("[no-recipe]"), "{err}");
}

#[test]
fn a_rejected_file_is_named_with_the_reason_and_path() {
    let dir = testkit::temp_dir("recipe-chain-cli-");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"recipeName": "Pie", "recipeId": 1, "rating": 7}"#).expect("write");
    let bad = bad.to_str().expect("utf-8 path");
    let err = refused_diff(bad, "fixtures/pairs/apple-pie/make.json");
    assert!(err.contains("bad.json"), "{err}");
    assert!(
        err.contains("the rating must be a number from 0 to 5 (found 7) (at $.rating)"),
        "{err}"
    );
    assert!(err.contains("[invalid-number]"), "{err}");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let err = refused_diff("no/such/recipe.json", "fixtures/pairs/apple-pie/make.json");
    assert!(err.contains("no/such/recipe.json"), "{err}");
}
