//! `recipe-chain`: the recipe-diff chain on one machine, and its tools.

mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shared::{Limits, Make, Recipe, RecipeId, Rejection, diff_make, parse_make, parse_recipe};

/// The recipe-diff chain on one machine: drop recipes and makes into a
/// folder, see how each make differed from its recipe.
#[derive(Parser)]
#[command(name = "recipe-chain", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Show how a make differed from its recipe.
    Diff(DiffArgs),
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The recipe (seed JSON or schema.org JSON-LD).
    recipe: PathBuf,
    /// The make (same formats; names its recipe by `recipeId`).
    make: PathBuf,
    /// Print the whole diff document as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

/// The bundled example pair shown when no command is given.
const EXAMPLE_RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/apple-pie/recipe.json");
const EXAMPLE_MAKE: &[u8] = include_bytes!("../../fixtures/pairs/apple-pie/make.json");

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Diff(args)) => diff_files(&args),
        None => show_example(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            anstream::eprintln!(
                "{}error:{} {message}",
                render::ERROR.render(),
                render::ERROR.render_reset()
            );
            ExitCode::from(2)
        }
    }
}

fn show_example() -> Result<(), String> {
    let limits = Limits::default();
    let recipe =
        parse_recipe(EXAMPLE_RECIPE, &limits, None).map_err(|r| format!("bundled recipe: {r}"))?;
    let make = parse_make(EXAMPLE_MAKE, &limits).map_err(|r| format!("bundled make: {r}"))?;
    anstream::println!("An example: a make of the bundled Apple Pie recipe.\n");
    anstream::print!(
        "{}",
        render::summary(&recipe, &make, &diff_make(&recipe, &make))
    );
    anstream::println!("\nTry your own: recipe-chain diff RECIPE.json MAKE.json [--json]");
    Ok(())
}

fn diff_files(args: &DiffArgs) -> Result<(), String> {
    let limits = Limits::default();
    let recipe = read_recipe(&args.recipe, &limits)?;
    let make = read_make(&args.make, recipe.id(), &limits)?;
    let diff = diff_make(&recipe, &make);
    if args.json {
        let text = serde_json::to_string_pretty(&diff)
            .map_err(|e| format!("cannot write the diff as JSON: {e}"))?;
        println!("{text}");
    } else {
        anstream::print!("{}", render::summary(&recipe, &make, &diff));
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn rejected(path: &Path, rejection: &Rejection) -> String {
    format!("{}: {rejection} [{}]", path.display(), rejection.code())
}

/// A recipe; one without an id is named after its file.
fn read_recipe(path: &Path, limits: &Limits) -> Result<Recipe, String> {
    let bytes = read(path)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("recipe");
    let fallback = RecipeId::parse(stem).ok();
    parse_recipe(&bytes, limits, fallback.as_ref()).map_err(|r| rejected(path, &r))
}

/// A make; on the command line one that does not name its recipe is taken
/// to be a make of the recipe it is compared with.
fn read_make(path: &Path, recipe_id: &RecipeId, limits: &Limits) -> Result<Make, String> {
    let bytes = read(path)?;
    match parse_make(&bytes, limits) {
        Ok(make) => Ok(make),
        Err(r) if matches!(&r.reason, shared::RejectReason::Missing { field } if field == "recipeId") =>
        {
            let recipe =
                parse_recipe(&bytes, limits, Some(recipe_id)).map_err(|r| rejected(path, &r))?;
            Ok(Make::from_recipe(recipe))
        }
        Err(r) => Err(rejected(path, &r)),
    }
}
