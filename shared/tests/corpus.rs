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
