//! Fuzzes the whole path an upload takes: bytes to recipe and make, the
//! diff, and the patch applied back. Also feeds the raw text to the
//! free-text parsers, which see the most hostile input. See docs/fuzzing.md.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::canonical::recipe_json;
use shared::{Limits, RecipeId, diff, diff_make, parse_make, parse_recipe};

fuzz_target!(|data: &[u8]| {
    // Two documents: split at the first 0xFF byte (never in UTF-8), or in half.
    let split = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len() / 2);
    let (first, second) = data.split_at(split);
    let second = second.strip_prefix(&[0xFF]).unwrap_or(second);

    if let Ok(text) = std::str::from_utf8(first) {
        let _ = shared::ingredient_line::parse_line(text);
        let _ = shared::quantity::parse_quantity(text);
        let _ = shared::text::strip_html(text);
        let _ = shared::text::split_glued_paragraphs(text);
        let _ = shared::text::name_key(text);
    }

    let limits = Limits::default();
    let Ok(fallback) = RecipeId::parse("fuzz") else { return };
    let recipe = parse_recipe(first, &limits, Some(&fallback));
    if let Ok(recipe) = &recipe {
        assert!(diff(recipe, recipe, None).is_empty(), "a recipe must equal itself");
    }
    if let (Ok(recipe), Ok(make)) = (recipe, parse_make(second, &limits)) {
        let d = diff_make(&recipe, &make);
        assert_eq!(d.summary.total, d.changes.len());
        let mut doc = recipe_json(&recipe);
        json_patch::patch(&mut doc, &d.patch).expect("the patch applies");
        assert_eq!(doc, recipe_json(make.content()), "the patch produces the make");
    }
});
