//! Criterion benchmarks of parsing and diffing the 50-ingredient / 30-step
//! fixture pair, beside serde_json parsing the same two documents (the
//! yardstick: a full diff should cost no more than reading its inputs).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shared::{Limits, diff_make, parse_make, parse_recipe};

const RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/big/recipe.json");
const MAKE: &[u8] = include_bytes!("../../fixtures/pairs/big/make.json");

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
}

criterion_group!(diff, benches);
criterion_main!(diff);
