//! Criterion benchmarks of comparing two stored recipe versions (`GET
//! /compare` without HTTP), beside a make's diff of the same pair (the
//! yardstick: a comparison reads its two versions from the store and diffs
//! them, and should cost at most twice a make's diff): the bare diff, and
//! a make diffed against its stored recipe as the server does it (`POST
//! /recipes/{id}/diff` without HTTP: one read of the store, the make
//! read, the diff). The 50-ingredient / 30-step fixture make's content is
//! version 1 and the recipe version 2, in a SQLite store on disk.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use embedded_adapters::SqliteStore;
use recipe_server::service::{Erasure, Service, VersionRef, Write};
use shared::canonical::recipe_json;
use shared::store::{IdempotencyKey, ObjectIds};
use shared::{Limits, RecipeId, diff_make, parse_make, parse_recipe};

const RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/big/recipe.json");
const MAKE: &[u8] = include_bytes!("../../fixtures/pairs/big/make.json");

fn write(key: &str) -> Write {
    Write {
        key: IdempotencyKey::parse(key).expect("a key"),
        object_key: None,
        sequencer: None,
    }
}

fn benches(c: &mut Criterion) {
    let limits = Limits::default();
    let recipe = parse_recipe(RECIPE, &limits, None).expect("fixture recipe parses");
    let make = parse_make(MAKE, &limits).expect("fixture make parses");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = std::env::temp_dir().join(format!("compare-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let store = Arc::new(SqliteStore::open(&dir.join("store.sqlite3")).expect("a store"));
    let service = Service::new(
        store,
        limits.clone(),
        Erasure::new(ObjectIds::for_tests()),
        None,
        None,
    );
    let second = recipe_json(make.content()).to_string();
    // The make's content first and the recipe second, so that the recipe
    // is current and the preview diffs the make against it: both sides
    // then diff the same pair (the comparison the other way round).
    runtime.block_on(async {
        service
            .put_recipe(&write("v1"), second.as_bytes())
            .await
            .expect("version 1");
        service
            .put_recipe(&write("v2"), RECIPE)
            .await
            .expect("version 2");
    });
    let id = RecipeId::parse(recipe.id().as_str()).expect("an id");
    let at = |version| VersionRef {
        recipe_id: id.clone(),
        version,
    };
    let (from, to) = (at(1), at(2));

    let mut group = c.benchmark_group("comparison");
    group.bench_function("a make's diff of the pair", |b| {
        b.iter(|| diff_make(black_box(&recipe), black_box(&make)));
    });
    group.bench_function("a make diffed against its stored recipe", |b| {
        b.iter(|| {
            runtime
                .block_on(service.preview(black_box(&id), black_box(MAKE)))
                .expect("diffs")
        });
    });
    group.bench_function("two stored versions compared", |b| {
        b.iter(|| {
            runtime
                .block_on(service.compare(black_box(&from), black_box(&to)))
                .expect("compares")
        });
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(comparison, benches);
criterion_main!(comparison);
