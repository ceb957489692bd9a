//! Times the semantic diff on one recipe/make pair, for `bench/compare`.
//!
//! `cargo run --release -p shared --example time_diff -- RECIPE MAKE [ITERATIONS]`
//! prints one JSON line: microseconds per full diff (ops, patch and
//! differences), the number of changes, and microseconds to parse the two
//! documents with serde_json, the target's yardstick.

use std::hint::black_box;
use std::time::Instant;

use shared::{Limits, diff_make, parse_make, parse_recipe};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [recipe_path, make_path, rest @ ..] = args.as_slice() else {
        return Err("usage: time_diff RECIPE MAKE [ITERATIONS]".into());
    };
    let iterations: u32 = rest.first().map_or(Ok(20_000), |n| n.parse())?;
    let recipe_bytes = std::fs::read(recipe_path)?;
    let make_bytes = std::fs::read(make_path)?;
    let limits = Limits::default();
    let recipe = parse_recipe(&recipe_bytes, &limits, None)?;
    let make = parse_make(&make_bytes, &limits)?;

    let changes = diff_make(&recipe, &make).changes.len();
    let per = |elapsed: std::time::Duration| elapsed.as_secs_f64() * 1e6 / f64::from(iterations);

    // Warm up, then measure.
    for _ in 0..iterations / 10 {
        black_box(diff_make(black_box(&recipe), black_box(&make)));
    }
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(diff_make(black_box(&recipe), black_box(&make)));
    }
    let us_per_diff = per(start.elapsed());

    let start = Instant::now();
    for _ in 0..iterations {
        let a: serde_json::Value = serde_json::from_slice(black_box(&recipe_bytes))?;
        let b: serde_json::Value = serde_json::from_slice(black_box(&make_bytes))?;
        black_box((a, b));
    }
    let us_per_json_parse_pair = per(start.elapsed());

    println!(
        "{}",
        serde_json::json!({
            "engine": "recipe-diff",
            "us_per_diff": us_per_diff,
            "changes": changes,
            "us_per_json_parse_pair": us_per_json_parse_pair,
        })
    );
    Ok(())
}
