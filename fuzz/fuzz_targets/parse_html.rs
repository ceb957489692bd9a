//! Fuzzes saved web pages: the bytes as a page of their own, and the bytes
//! as the text of a JSON-LD block inside an ordinary page, through the
//! entry point every part of the chain uses. Nothing may panic or hang
//! (libFuzzer's timeout), and whatever a page yields must be what its
//! JSON-LD block yields read on its own. See docs/fuzzing.md.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::canonical::recipe_json;
use shared::parse::{read_document, recipe_from_value};
use shared::{Limits, RecipeId, diff, parse_make, parse_recipe};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let Ok(fallback) = RecipeId::parse("fuzz") else {
        return;
    };

    // The bytes as a page: starting with `<` makes them one.
    let mut page = b"<".to_vec();
    page.extend_from_slice(data);
    check(&page, &limits, &fallback);

    // The bytes as JSON-LD in a page with the scripts, comments and
    // breadcrumbs real pages carry around it.
    let mut wrapped = b"<!DOCTYPE html><html><head><script>var a = '<b>';</script>\
        <!-- c --><script type=\"application/ld+json\">{\"@type\": \"BreadcrumbList\"}</script>\
        <script type=\"application/ld+json\">"
        .to_vec();
    wrapped.extend_from_slice(data);
    wrapped.extend_from_slice(b"</script></head><body><p>x</p></body></html>");
    check(&wrapped, &limits, &fallback);
});

fn check(page: &[u8], limits: &Limits, fallback: &RecipeId) {
    let recipe = parse_recipe(page, limits, Some(fallback));
    let _ = parse_make(page, limits);
    let document = read_document(page, limits, None);
    match (&recipe, &document) {
        (Ok(recipe), Ok(document)) => {
            assert!(
                diff(recipe, recipe, None).is_empty(),
                "a recipe must equal itself"
            );
            let again = recipe_from_value(document, limits, Some(fallback))
                .expect("the same block reads again");
            assert_eq!(
                recipe_json(recipe),
                recipe_json(&again),
                "the page and its block agree"
            );
        }
        (Ok(_), Err(rejection)) => {
            panic!("a recipe from a page whose document is refused: {rejection}")
        }
        (Err(_), _) => {}
    }
}
