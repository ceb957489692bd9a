//! The real-world corpus: about 480 schema.org Recipe blocks from recipe
//! sites (`fixtures/corpus/`), with what recipe-scrapers' maintainers expect
//! from each page. Every file must parse; the agreement of titles,
//! ingredient counts and step counts with the expected files is measured and
//! must not fall below the floor recorded here (see docs/corpus.md).

use std::path::Path;

use serde_json::Value;
use shared::{Limits, RecipeId, parse_recipe};

/// Agreement floors, in percent: the measured rates when they were last
/// recorded, rounded down. A parser change that lowers them fails this test.
const TITLE_FLOOR: f64 = 99.0;
const INGREDIENTS_FLOOR: f64 = 93.0;
const STEPS_FLOOR: f64 = 84.0;

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_corpus_recipe_parses_and_agrees_with_the_expected_counts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/corpus/schema-org");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonld"))
        .collect();
    files.sort();
    assert!(files.len() > 400, "corpus has {} files", files.len());

    let limits = Limits::default();
    let (mut titles, mut ingredients, mut steps, mut compared) = (0usize, 0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    let mut step_mismatches = Vec::new();
    for path in &files {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let bytes = std::fs::read(path).expect("readable");
        let fallback = RecipeId::parse(stem).expect("stem is an id");
        let recipe = match parse_recipe(&bytes, &limits, Some(&fallback)) {
            Ok(recipe) => recipe,
            Err(rejection) => {
                failures.push(format!("{stem}: {rejection}"));
                continue;
            }
        };
        // A page without an expected file must still parse; it just has
        // nothing to agree with.
        let Ok(expected_bytes) = std::fs::read(dir.join(format!("{stem}.expected.json"))) else {
            continue;
        };
        compared += 1;
        let expected: Value = serde_json::from_slice(&expected_bytes).expect("expected JSON");
        let count = |key: &str| {
            expected
                .get(key)
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        if expected.get("title").and_then(Value::as_str).map(normalise)
            == Some(normalise(recipe.name()))
        {
            titles += 1;
        }
        if count("ingredients") == recipe.ingredients().len() {
            ingredients += 1;
        }
        // recipe-scrapers lists a HowToSection's name as a line of its own;
        // the model keeps it on each step instead. Count it their way.
        let mut headings = 0;
        let mut current: Option<&str> = None;
        for step in recipe.steps() {
            if step.section().is_some() && step.section() != current {
                headings += 1;
            }
            current = step.section();
        }
        if count("instructions_list") == recipe.steps().len() + headings {
            steps += 1;
        } else {
            step_mismatches.push(format!(
                "{stem}: expected {} got {} + {headings} headings",
                count("instructions_list"),
                recipe.steps().len()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} files did not parse:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let total = compared as f64;
    let rate = |n: usize| 100.0 * n as f64 / total;
    println!(
        "corpus: {} recipes parsed, {compared} with expectations; titles agree {:.1}%, ingredient counts {:.1}%, step counts {:.1}%",
        files.len(),
        rate(titles),
        rate(ingredients),
        rate(steps)
    );
    if std::env::var_os("CORPUS_VERBOSE").is_some() {
        println!("{}", step_mismatches.join("\n"));
    }
    assert!(rate(titles) >= TITLE_FLOOR, "titles {:.1}%", rate(titles));
    assert!(
        rate(ingredients) >= INGREDIENTS_FLOOR,
        "ingredients {:.1}%",
        rate(ingredients)
    );
    assert!(rate(steps) >= STEPS_FLOOR, "steps {:.1}%", rate(steps));
}

/// Every corpus page, with the id its file name gives.
fn pages() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/corpus/schema-org");
    let mut pages: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonld"))
        .map(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str()).expect("utf-8 name");
            (stem.to_owned(), std::fs::read(&p).expect("readable"))
        })
        .collect();
    pages.sort();
    assert!(pages.len() > 400, "corpus has {} files", pages.len());
    pages
}

#[test]
fn every_corpus_page_diffed_with_itself_has_no_changes() {
    let limits = Limits::default();
    let mut changed = Vec::new();
    for (stem, bytes) in pages() {
        let fallback = RecipeId::parse(&stem).expect("stem is an id");
        let recipe = parse_recipe(&bytes, &limits, Some(&fallback)).expect("parses as a recipe");
        // As `recipe-chain diff page page` reads it: the same fallback both ways.
        let make = shared::parse::parse_make_with_fallback(&bytes, &limits, Some(&fallback))
            .unwrap_or_else(|r| panic!("{stem} does not parse as a make: {r}"));
        let diff = shared::diff_make(&recipe, &make);
        if !diff.changes.is_empty() || make.recipe_id() != recipe.id() {
            changed.push(format!("{stem}: {:?}", diff.changes));
        }
    }
    assert!(
        changed.is_empty(),
        "{} pages differ from themselves:\n{}",
        changed.len(),
        changed.join("\n")
    );
}

#[test]
fn every_corpus_block_saved_in_a_web_page_reads_as_the_same_recipe() {
    let limits = Limits::default();
    for (stem, bytes) in pages() {
        let block = String::from_utf8(bytes.clone()).expect("UTF-8");
        // As a browser saves it: other scripts and JSON-LD blocks around it.
        let page = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{stem}</title>\n\
             <script>window.dataLayer = [];</script>\n\
             <script type=\"application/ld+json\">{{\"@context\": \"https://schema.org\", \"@type\": \"BreadcrumbList\", \"itemListElement\": []}}</script>\n\
             <script type=\"application/ld+json\">\n{block}\n</script>\n</head>\n\
             <body><h1>{stem}</h1><p>Jump to recipe &raquo;</p></body></html>\n"
        );
        let fallback = RecipeId::parse(&stem).expect("stem is an id");
        let from_json = parse_recipe(&bytes, &limits, Some(&fallback)).expect("JSON parses");
        let from_page = parse_recipe(page.as_bytes(), &limits, Some(&fallback))
            .unwrap_or_else(|r| panic!("{stem} as a page: {r}"));
        assert_eq!(
            shared::canonical::recipe_json(&from_page),
            shared::canonical::recipe_json(&from_json),
            "{stem}"
        );
    }
}
