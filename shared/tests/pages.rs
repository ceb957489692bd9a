//! schema.org as scraped from real pages: saved web pages read through
//! their JSON-LD (`fixtures/pages/`), grouped ingredient lists, stray
//! control characters, and one recipe id whether a document is read as a
//! recipe or as a make.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use shared::parse::{parse_make_with_fallback, read_document};
use shared::{Limits, Recipe, RecipeId, Rejection, diff_make, parse_make, parse_recipe};

fn page(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/pages")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn id(text: &str) -> RecipeId {
    RecipeId::parse(text).expect("an id")
}

fn recipe(bytes: &[u8]) -> Result<Recipe, Rejection> {
    parse_recipe(bytes, &Limits::default(), Some(&id("from-the-key")))
}

fn rejection(bytes: &[u8]) -> (String, String) {
    let err = recipe(bytes).expect_err("a rejection");
    (err.code().to_string(), err.path.to_string())
}

/// A page with one JSON-LD block holding `block`.
fn page_with(block: &str) -> String {
    format!(
        "<!doctype html><html><head><title>t</title>\n<script type=\"application/ld+json\">{block}</script></head><body></body></html>"
    )
}

fn schema(recipe: serde_json::Value) -> String {
    let mut node = json!({"@context": "https://schema.org", "@type": "Recipe", "name": "Loaf"});
    if let (Some(node), Some(extra)) = (node.as_object_mut(), recipe.as_object()) {
        node.extend(extra.clone());
    }
    node.to_string()
}

#[test]
fn a_saved_page_reads_as_the_recipe_in_its_json_ld() {
    let cake = recipe(&page("lemon-drizzle-cake.html")).expect("the page reads");
    assert_eq!(cake.id().as_str(), "from-the-key");
    assert_eq!(cake.name(), "Lemon Drizzle Cake");
    assert_eq!(cake.rating(), Some(4.8));
    assert_eq!(cake.recipe_yield(), Some("10 slices"));
    let ingredients: Vec<(&str, Option<&str>)> = cake
        .ingredients()
        .iter()
        .map(|i| (i.name(), i.group()))
        .collect();
    assert_eq!(ingredients.len(), 7, "{ingredients:?}");
    assert_eq!(ingredients[0], ("unsalted butter", Some("For the cake")));
    assert_eq!(ingredients[5], ("lemons", Some("For the drizzle")));
    let steps: Vec<&str> = cake.steps().iter().map(|s| s.text()).collect();
    assert_eq!(steps.len(), 5);
    // Windows-1252 bytes read as Latin-1 on the page: what they meant.
    assert_eq!(
        steps[3],
        "Bake for 45–50 minutes, until a skewer comes out clean."
    );
    assert!(steps[4].contains("over it… then leave"), "{}", steps[4]);
    assert_eq!(cake.fields()["recipeCuisine"], "British");
    // The decoy in the page's own script, the commented-out block and the
    // BreadcrumbList are not the recipe.
    let document = read_document(&page("lemon-drizzle-cake.html"), &Limits::default(), None)
        .expect("the recipe's block");
    assert!(document["@graph"].is_array(), "{document}");
}

#[test]
fn a_page_read_as_a_make_names_the_same_recipe_and_differs_in_nothing() {
    let bytes = page("lemon-drizzle-cake.html");
    let fallback = id("lemon-drizzle-cake");
    let cake = parse_recipe(&bytes, &Limits::default(), Some(&fallback)).expect("recipe");
    // The page's isBasedOn is its own address: it names no other recipe.
    let make = parse_make_with_fallback(&bytes, &Limits::default(), Some(&fallback)).expect("make");
    assert_eq!(make.recipe_id(), cake.id());
    let diff = diff_make(&cake, &make);
    assert!(diff.changes.is_empty(), "{:?}", diff.changes);
}

#[test]
fn a_page_without_a_recipe_is_no_recipe() {
    let err = recipe(&page("sourdough-tips.html")).expect_err("no recipe");
    assert_eq!(
        (err.code().as_str(), err.path.to_string().as_str()),
        ("no-recipe", "$")
    );
    assert_eq!(
        err.to_string(),
        "no schema.org Recipe found: none of the page's 2 JSON-LD blocks is a Recipe (at $)"
    );
    for (bytes, detail) in [
        (&b"<html><body><h1>Pie</h1></body></html>"[..], "no <script"),
        (
            b"<script type=\"application/ld+json\">   </script>",
            "no <script",
        ),
        (b"<", "no <script"),
    ] {
        let err = recipe(bytes).expect_err("no recipe");
        assert_eq!(err.code().as_str(), "no-recipe");
        assert!(err.to_string().contains(detail), "{err}");
    }
    // A JSON document without a Recipe node is the same refusal.
    let err = recipe(br#"{"@context": "https://schema.org", "@type": "Article"}"#)
        .expect_err("no recipe");
    assert_eq!(err.code().as_str(), "no-recipe");
}

#[test]
fn pages_pass_the_same_limits_as_json() {
    let limits = Limits {
        max_bytes: 2_000,
        max_depth: 8,
        ..Limits::default()
    };
    let read = |bytes: &[u8]| {
        parse_recipe(bytes, &limits, Some(&id("k")))
            .map_err(|e| (e.code().to_string(), e.path.to_string()))
    };
    let good = page_with(&schema(json!({"recipeIngredient": ["1 egg"]})));
    assert!(read(good.as_bytes()).is_ok());
    // The size first, before anything is read.
    let big = format!("{good}<!--{}-->", "x".repeat(2_000));
    assert_eq!(
        read(big.as_bytes()),
        Err(("too-large".to_owned(), "$".to_owned()))
    );
    // Not UTF-8, with the offset of the first bad byte; a BOM is fine.
    let mut latin1 = good.clone().into_bytes();
    latin1.extend_from_slice(b"<p>caf\xE9</p>");
    let err = parse_recipe(&latin1, &limits, None).expect_err("latin-1");
    assert_eq!(
        err.reason,
        shared::RejectReason::NotUtf8 {
            offset: good.len() + 6
        }
    );
    let mut bom = b"\xEF\xBB\xBF  \n".to_vec();
    bom.extend_from_slice(good.as_bytes());
    assert!(read(&bom).is_ok());
    // Each block is JSON under the JSON limits: depth, syntax.
    let deep = page_with(&format!(
        r#"{{"@context": "https://schema.org", "@type": "Recipe", "name": "Deep", "x": {}1{}}}"#,
        "[".repeat(20),
        "]".repeat(20)
    ));
    assert_eq!(
        read(deep.as_bytes()),
        Err(("too-deep".to_owned(), "$".to_owned()))
    );
    let broken = page_with(r#"{"@type": "Recipe", "name": "Broken",}"#);
    assert_eq!(
        read(broken.as_bytes()),
        Err(("invalid-json".to_owned(), "$".to_owned()))
    );
    // And the recipe in it under the recipe limits, with its JSON path.
    let wrong = page_with(&schema(json!({"recipeIngredient": [7]})));
    assert_eq!(
        read(wrong.as_bytes()),
        Err(("wrong-type".to_owned(), "$.recipeIngredient[0]".to_owned()))
    );
}

#[test]
fn hostile_markup_ends_as_a_rejection_quickly() {
    let limits = Limits::default();
    let recipe_block = page_with(&schema(json!({"recipeIngredient": ["1 egg"]})));
    let cases: Vec<(&str, String, &str)> = vec![
        // 900 KB inside one attribute, then the recipe: still read.
        (
            "gigantic attribute",
            format!(
                "<div data-x=\"{}\"></div>{recipe_block}",
                "a".repeat(900_000)
            ),
            "ok",
        ),
        // An attribute that never closes swallows the rest of the page.
        (
            "unclosed attribute",
            format!("<div title=\"{}{recipe_block}", "a".repeat(900_000)),
            "no-recipe",
        ),
        (
            "2,000 nested elements",
            format!("{}{recipe_block}", "<div><span>".repeat(1_000)),
            "ok",
        ),
        // Past the parser's memory: refused, not read at any cost.
        (
            "300,000 nested elements",
            format!("{}{recipe_block}", "<b>".repeat(300_000)),
            "no-recipe",
        ),
        (
            "a tag with 400,000 attributes",
            format!("<div{}>{recipe_block}", " a".repeat(400_000)),
            "ok",
        ),
        (
            "an unclosed ordinary script",
            format!("<script>var a = 1;{recipe_block}"),
            "no-recipe",
        ),
        (
            "an unclosed JSON-LD script",
            format!(
                "<script type=\"application/ld+json\">{}",
                schema(json!({"recipeIngredient": ["1 egg"]}))
            ),
            "ok",
        ),
        (
            "20,000 empty JSON-LD blocks",
            "<script type=\"application/ld+json\">{}</script>".repeat(20_000),
            "no-recipe",
        ),
        (
            "script in select",
            format!("<select><option>1{recipe_block}</select>"),
            "ok",
        ),
    ];
    for (what, page, expected) in cases {
        let started = Instant::now();
        let outcome = parse_recipe(page.as_bytes(), &limits, Some(&id("k")));
        let found = match &outcome {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.code().to_string(),
        };
        assert_eq!(found, expected, "{what}: {outcome:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn grouped_ingredient_lists_are_read_as_groups() {
    let document = schema(json!({"recipeIngredient": [
        ["1 cup flour", "2 eggs"],
        ["For the glaze:", "1 cup icing sugar", "2 tbsp lemon juice"],
        ["a pinch of salt", ["1 tsp vanilla"]],
        "1 tbsp butter"
    ]}));
    let loaf = recipe(document.as_bytes()).expect("grouped");
    let read: Vec<(&str, Option<&str>)> = loaf
        .ingredients()
        .iter()
        .map(|i| (i.name(), i.group()))
        .collect();
    assert_eq!(
        read,
        [
            ("flour", None),
            ("eggs", None),
            ("icing sugar", Some("For the glaze")),
            ("lemon juice", Some("For the glaze")),
            ("salt", Some("Group 3")),
            ("vanilla", Some("Group 3")),
            ("butter", None),
        ]
    );
    // One list inside a list is no grouping at all.
    let single = recipe(schema(json!({"recipeIngredient": [["1 egg", "2 cups milk"]]})).as_bytes())
        .expect("one list");
    assert!(single.ingredients().iter().all(|i| i.group().is_none()));
    // An empty inner list names nothing and leaves the lines after it alone.
    let empty =
        recipe(schema(json!({"recipeIngredient": [["For the top:"], [], "1 egg"]})).as_bytes())
            .expect("empty lists");
    assert_eq!(empty.ingredients()[0].group(), None);
}

#[test]
fn grouped_lists_keep_the_limits_and_paths() {
    let limits = Limits {
        max_ingredients: 5,
        ..Limits::default()
    };
    let many = schema(
        json!({"recipeIngredient": [["1 egg", "1 egg", "1 egg"], ["1 egg", "1 egg", "1 egg"]]}),
    );
    let err = parse_recipe(many.as_bytes(), &limits, Some(&id("k"))).expect_err("too many");
    assert_eq!(
        (err.code().as_str(), err.path.to_string().as_str()),
        ("too-many", "$.recipeIngredient[1]")
    );
    let object = schema(json!({"recipeIngredient": [["1 egg", {"name": "flour"}]]}));
    assert_eq!(
        rejection(object.as_bytes()),
        (
            "wrong-type".to_owned(),
            "$.recipeIngredient[0][1]".to_owned()
        )
    );
    let long = schema(json!({"recipeIngredient": [["1 egg"], ["x".repeat(501)]]}));
    assert_eq!(
        rejection(long.as_bytes()),
        (
            "text-too-long".to_owned(),
            "$.recipeIngredient[1][0]".to_owned()
        )
    );
}

#[test]
fn control_characters_in_scraped_text_are_cleaned_never_refused() {
    let document = schema(json!({
        "name": "Mum\u{92}s\u{7} Loaf",
        "recipeYield": "8\u{0} slices",
        "recipeCuisine": "Brit\u{1B}ish",
        "recipeIngredient": ["For the dough\u{85}:", "2\u{96}3 cups flour\u{1}", "1 egg\u{9D}"],
        "recipeInstructions": [{"@type": "HowToSection", "name": "Bake\u{8}", "itemListElement": ["Mix \u{93}well\u{94}.\u{7F}"]}]
    }));
    let loaf = recipe(document.as_bytes()).expect("cleaned, not refused");
    assert_eq!(loaf.name(), "Mum’s Loaf");
    assert_eq!(loaf.recipe_yield(), Some("8 slices"));
    assert_eq!(loaf.fields()["recipeCuisine"], "Brit ish");
    assert_eq!(loaf.ingredients()[0].name(), "flour");
    assert_eq!(loaf.ingredients()[0].group(), Some("For the dough…"));
    assert_eq!(loaf.ingredients()[1].name(), "egg");
    assert_eq!(loaf.steps()[0].text(), "Mix “well”.");
    assert_eq!(loaf.steps()[0].section(), Some("Bake"));
    let everything = serde_json::to_string(&shared::canonical::recipe_json(&loaf)).expect("json");
    assert!(!everything.chars().any(char::is_control), "{everything}");
    // A make's notes are page text too.
    let make = schema(json!({"recipeId": "pie", "notes": "too sweet\u{7}"}));
    let make = parse_make(make.as_bytes(), &Limits::default()).expect("make");
    assert_eq!(make.notes(), Some("too sweet"));
}

#[test]
fn ids_stay_strict_and_the_seed_format_still_refuses_control_characters() {
    let bad_id = schema(json!({"identifier": "pie\u{7}"}));
    assert_eq!(
        rejection(bad_id.as_bytes()),
        ("invalid-id".to_owned(), "$.identifier".to_owned())
    );
    let bad_make_id = schema(json!({"recipeId": "pie", "makeId": "m\u{92}"}));
    let err = parse_make(bad_make_id.as_bytes(), &Limits::default()).expect_err("make id");
    assert_eq!(
        (err.code().as_str(), err.path.to_string().as_str()),
        ("invalid-id", "$.makeId")
    );
    let seed = json!({"recipeName": "Pie\u{92}", "recipeId": 1}).to_string();
    assert_eq!(
        rejection(seed.as_bytes()),
        ("control-character".to_owned(), "$.recipeName".to_owned())
    );
}

#[test]
fn a_document_has_one_recipe_id_as_a_recipe_and_as_a_make() {
    let limits = Limits::default();
    let fallback = id("page-key");
    let both = |document: serde_json::Value| {
        let bytes = schema(document).into_bytes();
        let as_recipe = parse_recipe(&bytes, &limits, Some(&fallback)).expect("recipe");
        let as_make = parse_make_with_fallback(&bytes, &limits, Some(&fallback)).expect("make");
        (
            as_recipe.id().as_str().to_owned(),
            as_make.recipe_id().as_str().to_owned(),
        )
    };
    let same = |a: &str| (a.to_owned(), a.to_owned());
    assert_eq!(
        both(json!({"url": "https://x.example/pie"})),
        same("page-key")
    );
    assert_eq!(
        both(json!({"@id": "https://x.example/pie#recipe"})),
        same("page-key")
    );
    assert_eq!(
        both(json!({"url": "https://x.example/pie/", "isBasedOn": "https://X.example/pie"})),
        same("page-key")
    );
    assert_eq!(
        both(
            json!({"@id": "https://x.example/pie/#recipe", "isBasedOn": {"@id": "https://x.example/pie/"}})
        ),
        same("page-key")
    );
    assert_eq!(both(json!({"identifier": "pie-1"})), same("pie-1"));
    assert_eq!(
        both(json!({"recipeId": "pie-2", "identifier": "x"})),
        same("pie-2")
    );
    // isBasedOn naming another recipe: the make is a make of that one.
    assert_eq!(
        both(json!({"url": "https://x.example/mine", "isBasedOn": "https://x.example/pie"})),
        ("page-key".to_owned(), "https://x.example/pie".to_owned())
    );
    // The chain gives a make no fallback: it must name its recipe.
    let unnamed = schema(json!({"url": "https://x.example/pie"}));
    let err = parse_make(unnamed.as_bytes(), &limits).expect_err("no recipe named");
    assert_eq!(
        (err.code().as_str(), err.path.to_string().as_str()),
        ("missing", "$")
    );
}
