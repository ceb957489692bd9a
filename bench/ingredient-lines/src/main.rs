//! Compares ingredient-line parsers on the 30,000 labelled NYT lines in
//! `fixtures/ingredient-lines/`, scored by the rules of
//! `shared/tests/ingredient_lines/scoring.rs` (the same file the product's
//! test includes): this project's `parse_line`, the `ingredient` crate
//! (nom-based) and, from the JSON lines that `nlp_peer.py` writes,
//! ingredient-parser-nlp (a CRF model trained on these very lines).
//!
//! ```text
//! ingredient-lines-bench [--peer-results FILE] [--rounds N] [--limit N] [--json OUT]
//! ```
//!
//! Run it through `bench/ingredient-lines/run`, which builds it in release
//! mode and runs the Python peer first. Timing: each Rust parser runs over
//! all lines once untimed (its answers are scored), once more to warm up,
//! then `--rounds` (default 5) timed passes; the mean per line is reported
//! in CPU time of the parsing thread (what other work on a shared machine
//! does not inflate; ratios use it) and in wall-clock time with the spread
//! between the slowest and fastest pass.

#[path = "../../../shared/tests/ingredient_lines/scoring.rs"]
mod scoring;

use std::error::Error;
use std::hint::black_box;
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};
use std::time::Instant;

use scoring::{Label, Prediction, Totals};
use serde_json::{Value, json};
use shared::ingredient_line::parse_line;

/// One parser's results.
struct Run {
    tool: String,
    note: String,
    totals: Totals,
    us_per_line: f64,
    spread: f64,
    cpu_us_per_line: f64,
    panics: usize,
}

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut peer_results: Option<PathBuf> = None;
    let mut json_out: Option<PathBuf> = None;
    let mut rounds = 5u32;
    let mut limit = usize::MAX;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--peer-results" => peer_results = Some(PathBuf::from(value()?)),
            "--json" => json_out = Some(PathBuf::from(value()?)),
            "--rounds" => rounds = value()?.parse()?,
            "--limit" => limit = value()?.parse()?,
            other => {
                return Err(format!(
                    "unknown option {other}; usage: ingredient-lines-bench \
                     [--peer-results FILE] [--rounds N] [--limit N] [--json OUT]"
                )
                .into());
            }
        }
    }
    let mut labels = scoring::load_labels(&root.join(scoring::FIXTURE))?;
    labels.truncate(limit);
    let lines: Vec<&str> = labels.iter().map(|l| l.input.as_str()).collect();
    eprintln!("{} labelled lines", lines.len());

    let mut runs = Vec::new();

    eprintln!("this project's parse_line…");
    let (us_per_line, spread, cpu_us_per_line) = time(&lines, rounds, |line| {
        black_box(parse_line(line));
    });
    let predictions: Vec<Prediction> = lines
        .iter()
        .map(|line| Prediction::of_line(&parse_line(line)))
        .collect();
    runs.push(Run {
        tool: "recipe-diff `parse_line` (this project)".to_owned(),
        note: String::new(),
        totals: score(&labels, &predictions),
        us_per_line,
        spread,
        cpu_us_per_line,
        panics: 0,
    });

    eprintln!("the ingredient crate 0.3.0…");
    // It panics on some lines (an `unwrap` inside); a panic counts as an
    // empty answer. Silence the panic messages while it runs.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let crate_parse = |line: &str| catch_unwind(|| ingredient::from_str(line)).ok();
    let (us_per_line, spread, cpu_us_per_line) = time(&lines, rounds, |line| {
        black_box(crate_parse(line));
    });
    let mut panics = 0;
    let predictions: Vec<Prediction> = lines
        .iter()
        .map(|line| match crate_parse(line) {
            Some(parsed) => from_ingredient_crate(&parsed),
            None => {
                panics += 1;
                Prediction::default()
            }
        })
        .collect();
    std::panic::set_hook(hook);
    runs.push(Run {
        tool: "`ingredient` crate 0.3.0 (nom)".to_owned(),
        note: if panics > 0 {
            format!("panicked on {panics} lines (scored as empty answers)")
        } else {
            String::new()
        },
        totals: score(&labels, &predictions),
        us_per_line,
        spread,
        cpu_us_per_line,
        panics,
    });

    if let Some(path) = &peer_results {
        runs.push(python_peer(path, &labels)?);
    }

    print_table(&runs, lines.len());
    if let Some(path) = json_out {
        let results: Vec<Value> = runs
            .iter()
            .map(|run| {
                json!({
                    "tool": run.tool,
                    "note": run.note,
                    "lines": run.totals.lines,
                    "quantity_unit_pct": run.totals.quantity_unit_pct(),
                    "quantity_pct": run.totals.quantity_pct(),
                    "unit_pct": run.totals.unit_pct(),
                    "name_f1_pct": run.totals.name_f1_pct(),
                    "name_match_pct": run.totals.name_match_pct(),
                    "us_per_line": run.us_per_line,
                    "spread": run.spread,
                    "cpu_us_per_line": run.cpu_us_per_line,
                    "panics": run.panics,
                })
            })
            .collect();
        std::fs::write(&path, serde_json::to_string_pretty(&results)? + "\n")?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Mean wall-clock µs per line over `rounds` timed passes after a warm-up
/// pass, the spread between the slowest and fastest pass (relative to the
/// mean), and the mean CPU µs per line of this thread (NaN where Linux's
/// `/proc/thread-self/schedstat` is not there), which other work on a busy
/// machine does not inflate.
fn time(lines: &[&str], rounds: u32, mut parse: impl FnMut(&str)) -> (f64, f64, f64) {
    for line in lines {
        parse(black_box(line));
    }
    let per_line = |total: f64| total / lines.len().max(1) as f64;
    let mut passes = Vec::new();
    let cpu_start = thread_cpu_ns();
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        for line in lines {
            parse(black_box(line));
        }
        passes.push(per_line(start.elapsed().as_secs_f64() * 1e6));
    }
    let cpu = match (cpu_start, thread_cpu_ns()) {
        (Some(start), Some(end)) => per_line((end - start) as f64 / 1e3) / passes.len() as f64,
        _ => f64::NAN,
    };
    let mean = passes.iter().sum::<f64>() / passes.len() as f64;
    let (min, max) = passes
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &p| (lo.min(p), hi.max(p)));
    (mean, (max - min) / mean, cpu)
}

/// Nanoseconds this thread has run on a CPU (Linux).
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn score(labels: &[Label], predictions: &[Prediction]) -> Totals {
    let mut totals = Totals::default();
    for (label, prediction) in labels.iter().zip(predictions) {
        totals.add(&scoring::score(label, prediction));
    }
    totals
}

fn from_ingredient_crate(parsed: &ingredient::Ingredient) -> Prediction {
    let first = parsed.amounts.first();
    Prediction {
        quantity: first.map(|m| m.values().0),
        quantity_max: first.and_then(|m| m.values().1),
        unit: first.map(|m| m.unit().to_str()),
        name: parsed.name.clone(),
    }
}

/// ingredient-parser-nlp's answers: a first JSON line describing the run,
/// then one per labelled line, in order.
fn python_peer(path: &Path, labels: &[Label]) -> Result<Run, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let meta: Value = serde_json::from_str(lines.next().ok_or("empty peer results")?)?;
    let number = |value: &Value| value.as_f64().filter(|v| v.is_finite());
    let mut predictions = Vec::with_capacity(labels.len());
    for (line, label) in lines.zip(labels) {
        let answer: Value = serde_json::from_str(line)?;
        if answer["input"].as_str() != Some(label.input.as_str()) {
            return Err(format!(
                "{}: answers out of step with the labels at {:?}",
                path.display(),
                label.input
            )
            .into());
        }
        predictions.push(Prediction {
            quantity: number(&answer["quantity"]),
            quantity_max: number(&answer["quantity_max"]),
            unit: answer["unit"].as_str().map(str::to_owned),
            name: answer["name"].as_str().unwrap_or_default().to_owned(),
        });
    }
    if predictions.len() != labels.len() {
        return Err(format!(
            "{}: {} answers for {} lines",
            path.display(),
            predictions.len(),
            labels.len()
        )
        .into());
    }
    let version = meta["version"].as_str().unwrap_or("?");
    Ok(Run {
        tool: format!("ingredient-parser-nlp {version} (CRF, Python)"),
        note: meta["note"].as_str().unwrap_or_default().to_owned(),
        totals: score(labels, &predictions),
        us_per_line: meta["us_per_line"].as_f64().unwrap_or(f64::NAN),
        spread: meta["spread"].as_f64().unwrap_or(f64::NAN),
        cpu_us_per_line: meta["cpu_us_per_line"].as_f64().unwrap_or(f64::NAN),
        panics: meta["errors"].as_u64().unwrap_or(0) as usize,
    })
}

fn print_table(runs: &[Run], lines: usize) {
    let ours = runs.first().map_or(f64::NAN, |r| r.cpu_us_per_line);
    println!(
        "\n{lines} NYT lines; scoring: shared/tests/ingredient_lines/scoring.rs\n\n\
         | parser | quantity + unit exact | quantity | unit | name mean F1 | name match \
         | CPU µs per line | wall µs per line (spread) | CPU time vs this parser |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for run in runs {
        let t = &run.totals;
        println!(
            "| {} | {:.2}% | {:.2}% | {:.2}% | {:.2}% | {:.2}% | {:.2} | {:.2} ({:.0}%) | {:.1}× |",
            run.tool,
            t.quantity_unit_pct(),
            t.quantity_pct(),
            t.unit_pct(),
            t.name_f1_pct(),
            t.name_match_pct(),
            run.cpu_us_per_line,
            run.us_per_line,
            run.spread * 100.0,
            run.cpu_us_per_line / ours,
        );
    }
    for run in runs.iter().filter(|r| !r.note.is_empty()) {
        println!("\n{}: {}", run.tool, run.note);
    }
}
