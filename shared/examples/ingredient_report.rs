//! Lists where `parse_line` disagrees with the labelled NYT lines, by the
//! same rules as `shared/tests/ingredient_lines.rs`, for working on the parser.
//!
//! ```text
//! cargo run -p shared --example ingredient_report                 # rates and top disagreements
//! cargo run -p shared --example ingredient_report -- --unit cup   # lines labelled `cup` it gets wrong
//! cargo run -p shared --example ingredient_report -- --parser-unit none --only unit
//! cargo run -p shared --example ingredient_report -- --only name --contains garlic --limit 100
//! ```
//!
//! Options: `--unit U` (the label's unit, any spelling: `cups`, `tbsp`, or
//! `none`), `--parser-unit U` (the parser's), `--only quantity|unit|name`
//! (that kind of disagreement; `name` means F1 below 0.5), `--contains TEXT`
//! (in the line, any case), `--limit N` (lines to print, default 40; 0 for
//! all), `--full` (also print everything `parse_line` returned), `--file CSV`
//! (another file with the same columns).

#[path = "../tests/ingredient_lines/scoring.rs"]
mod scoring;

use std::error::Error;
use std::path::PathBuf;

use scoring::{LabelAmount, Prediction, Totals};
use shared::ingredient_line::parse_line;

#[derive(Default)]
struct Filter {
    unit: Option<Option<String>>,
    parser_unit: Option<Option<String>>,
    only: Option<String>,
    contains: Option<String>,
}

fn unit_filter(text: &str) -> Option<String> {
    if text.eq_ignore_ascii_case("none") || text == "—" {
        None
    } else {
        scoring::parser_unit(Some(text))
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut filter = Filter::default();
    let mut limit = 40usize;
    let mut full = false;
    let mut file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(scoring::FIXTURE);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--unit" => filter.unit = Some(unit_filter(&value()?)),
            "--parser-unit" => filter.parser_unit = Some(unit_filter(&value()?)),
            "--only" => {
                let kind = value()?;
                if !["quantity", "unit", "name"].contains(&kind.as_str()) {
                    return Err(format!("--only quantity|unit|name, not {kind}").into());
                }
                filter.only = Some(kind);
            }
            "--contains" => filter.contains = Some(value()?.to_lowercase()),
            "--limit" => limit = value()?.parse()?,
            "--file" => file = PathBuf::from(value()?),
            "--full" => full = true,
            "-h" | "--help" => {
                println!(
                    "ingredient_report [--unit U] [--parser-unit U] [--only quantity|unit|name] \
                     [--contains TEXT] [--limit N] [--full] [--file CSV]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown option {other} (try --help)").into()),
        }
    }
    let filtering = filter.unit.is_some()
        || filter.parser_unit.is_some()
        || filter.only.is_some()
        || filter.contains.is_some();

    let labels = scoring::load_labels(&file)?;
    let mut totals = Totals::default();
    let mut predictions = Vec::with_capacity(labels.len());
    let (mut shown, mut matching) = (0usize, 0usize);
    for label in &labels {
        let parsed = parse_line(&label.input);
        let prediction = Prediction::of_line(&parsed);
        let score = scoring::score(label, &prediction);
        totals.add(&score);
        let wrong = match filter.only.as_deref() {
            Some("quantity") => score.quantity == Some(false),
            Some("unit") => !score.unit,
            Some("name") => !score.name_match(),
            _ => score.quantity_unit() == Some(false) || !score.name_match(),
        };
        let selected = wrong
            && filter.unit.as_ref().is_none_or(|u| *u == score.label_unit)
            && filter
                .parser_unit
                .as_ref()
                .is_none_or(|u| *u == score.parser_unit)
            && filter
                .contains
                .as_ref()
                .is_none_or(|text| label.input.to_lowercase().contains(text));
        if filtering && selected {
            matching += 1;
            if limit == 0 || shown < limit {
                shown += 1;
                let amount = match label.amount {
                    LabelAmount::None => "—".to_owned(),
                    LabelAmount::Unreadable => format!("unreadable {:?}", label.quantity_text),
                    LabelAmount::Amount { low, high: None } => format!("{low}"),
                    LabelAmount::Amount {
                        low,
                        high: Some(high),
                    } => format!("{low}-{high}"),
                };
                let parsed_amount = parsed.quantity.map_or("—".to_owned(), |q| q.to_string());
                let show = |u: &Option<String>| u.clone().unwrap_or_else(|| "—".to_owned());
                println!("{}", label.input);
                println!(
                    "    label : {amount} | {} ({:?}) | {}",
                    show(&score.label_unit),
                    label.unit_text,
                    label.name
                );
                println!(
                    "    parser: {parsed_amount} | {} | {}   (name F1 {:.2})",
                    show(&score.parser_unit),
                    parsed.name,
                    score.name_f1
                );
                if full {
                    println!("    {parsed:?}");
                }
            }
        }
        predictions.push(prediction);
    }
    if filtering {
        println!("\n{matching} lines match the filter ({shown} shown)");
    } else {
        println!("{}", totals.table());
        println!(
            "{}",
            scoring::patterns_report(&scoring::patterns(&labels, &predictions), 30)
        );
    }
    Ok(())
}
