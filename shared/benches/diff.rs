//! Criterion benchmarks of parsing and diffing the 50-ingredient / 30-step
//! fixture pair, beside serde_json parsing the same two documents (the
//! yardstick: a full diff should cost no more than reading its inputs);
//! and of one saved recipe page (a schema.org JSON-LD block in 5 KB of
//! HTML, its ingredient lines read as text): the page read into a recipe,
//! and a cook's make of it read and diffed, per page.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shared::{Limits, diff_make, parse_make, parse_recipe};

const RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/big/recipe.json");
const MAKE: &[u8] = include_bytes!("../../fixtures/pairs/big/make.json");
const PAGE: &[u8] = include_bytes!("../../fixtures/pages/lemon-drizzle-cake.html");
const PAGE_MAKE: &[u8] = include_bytes!("../../fixtures/pages/lemon-drizzle-cake.make.json");

fn benches(c: &mut Criterion) {
    let limits = Limits::default();
    let recipe = parse_recipe(RECIPE, &limits, None).expect("fixture recipe parses");
    let make = parse_make(MAKE, &limits).expect("fixture make parses");

    let mut group = c.benchmark_group("50x30");
    group.bench_function("serde_json parse of both documents", |b| {
        b.iter(|| {
            let a: serde_json::Value = serde_json::from_slice(black_box(RECIPE)).expect("json");
            let m: serde_json::Value = serde_json::from_slice(black_box(MAKE)).expect("json");
            (a, m)
        });
    });
    group.bench_function("parse recipe and make", |b| {
        b.iter(|| {
            let r = parse_recipe(black_box(RECIPE), &limits, None).expect("parses");
            let m = parse_make(black_box(MAKE), &limits).expect("parses");
            (r, m)
        });
    });
    group.bench_function("semantic diff with patch and differences", |b| {
        b.iter(|| diff_make(black_box(&recipe), black_box(&make)));
    });
    group.bench_function("diff serialised to JSON", |b| {
        b.iter(|| {
            serde_json::to_vec(&diff_make(black_box(&recipe), black_box(&make)))
                .expect("serialises")
        });
    });
    group.finish();

    let id = shared::RecipeId::parse("lemon-drizzle-cake").expect("an id");
    let page_recipe = parse_recipe(PAGE, &limits, Some(&id)).expect("the page reads");
    let mut pages = c.benchmark_group("a recipe page");
    pages.bench_function("serde_json parse of the page's make", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(PAGE_MAKE)).expect("json"));
    });
    pages.bench_function("page read into a recipe", |b| {
        b.iter(|| parse_recipe(black_box(PAGE), &limits, Some(&id)).expect("reads"));
    });
    pages.bench_function("make read and diffed against the page", |b| {
        b.iter(|| {
            let make = parse_make(black_box(PAGE_MAKE), &limits).expect("parses");
            diff_make(black_box(&page_recipe), &make)
        });
    });
    pages.finish();
}

criterion_group!(diff, benches);
criterion_main!(diff);
