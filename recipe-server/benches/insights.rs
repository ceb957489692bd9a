//! Criterion benchmarks of reading insights (`GET /recipes/{id}/insights`
//! and `GET /insights` without HTTP) from a SQLite store on disk:
//!
//! - a recipe's insights read from the tally its store keeps, at 1,000,
//!   10,000 and 100,000 makes (the target: the cost does not grow with the
//!   count), beside the fold of every make's facts that the read did before
//!   the tally (the peer, at 1,000 and 10,000 makes; pages of 100, as the
//!   read had them);
//! - insights across 10 and 100 recipes of 100 makes each.
//!
//! Makes go straight into the store, each with its facts
//! (`testkit::made_up::make`).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use embedded_adapters::SqliteStore;
use recipe_server::service::{AcrossFilter, Erasure, Service, Write};
use shared::store::{IdempotencyKey, ObjectIds, RecipeStore};
use shared::{Limits, RecipeId};

const RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/apple-pie/recipe.json");

/// A fresh store in its own folder, with a service over it.
fn service(name: &str) -> (Arc<SqliteStore>, Service) {
    let dir = std::env::temp_dir().join(format!("insights-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    let store = Arc::new(SqliteStore::open(&dir.join("store.sqlite3")).expect("a store"));
    let service = Service::new(
        store.clone(),
        Limits::default(),
        Erasure::new(ObjectIds::for_tests()),
        None,
        None,
    );
    (store, service)
}

/// Stores a recipe (the Apple Pie under `id`) and `makes` makes of it.
async fn recipe_with(service: &Service, store: &SqliteStore, id: &str, makes: u32) -> RecipeId {
    let document = String::from_utf8_lossy(RECIPE)
        .replace("\"recipeId\": 1", &format!("\"recipeId\": \"{id}\""));
    service
        .put_recipe(
            &Write {
                key: IdempotencyKey::parse(&format!("{id}-v1")).expect("a key"),
                object_key: None,
                sequencer: None,
            },
            document.as_bytes(),
        )
        .await
        .expect("the recipe");
    let recipe = RecipeId::parse(id).expect("an id");
    for n in 0..makes {
        store
            .put_make(&testkit::made_up::make(&recipe, n))
            .await
            .expect("a make");
    }
    recipe
}

fn one_recipe(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut group = c.benchmark_group("a recipe's insights");
    group.sample_size(20);
    for count in [1_000u32, 10_000, 100_000] {
        let (store, service) = service(&format!("one-{count}"));
        let recipe = runtime.block_on(async {
            let recipe = recipe_with(&service, &store, "pie", count).await;
            // The first read folds the makes and keeps the tally.
            let first = service.insights(&recipe).await.expect("insights");
            assert_eq!(first.makes, u64::from(count));
            recipe
        });
        group.bench_with_input(
            BenchmarkId::new("read from the kept tally", count),
            &count,
            |b, _| {
                b.iter(|| {
                    runtime
                        .block_on(service.insights(black_box(&recipe)))
                        .expect("insights")
                });
            },
        );
        if count <= 10_000 {
            group.bench_with_input(
                BenchmarkId::new("fold of every make", count),
                &count,
                |b, _| {
                    b.iter(|| {
                        runtime.block_on(testkit::store_contract::fold_stored_makes(
                            store.as_ref(),
                            black_box(&recipe),
                        ))
                    });
                },
            );
        }
    }
    group.finish();
}

fn across_recipes(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut group = c.benchmark_group("insights across recipes");
    group.sample_size(20);
    for recipes in [10u32, 100] {
        let (store, service) = service(&format!("across-{recipes}"));
        runtime.block_on(async {
            for r in 0..recipes {
                let recipe = recipe_with(&service, &store, &format!("r{r}"), 100).await;
                service.insights(&recipe).await.expect("insights");
            }
        });
        let all = AcrossFilter::default();
        group.bench_with_input(
            BenchmarkId::new("every recipe, 100 makes each", recipes),
            &recipes,
            |b, _| {
                b.iter(|| {
                    runtime
                        .block_on(service.insights_across(black_box(&all)))
                        .expect("insights")
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, one_recipe, across_recipes);
criterion_main!(benches);
