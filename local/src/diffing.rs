//! `recipe-chain diff`: how a make differed from its recipe, on the terminal.

use std::path::Path;

use serde_json::Value;
use shared::parse::{make_from_value_with_fallback, read_document, recipe_from_value};
use shared::{Limits, Make, Recipe, RecipeId, Rejection, diff_make, parse_make, parse_recipe};

use crate::render;

/// The bundled example pair shown by `recipe-chain diff` without files.
const EXAMPLE_RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/apple-pie/recipe.json");
const EXAMPLE_MAKE: &[u8] = include_bytes!("../../fixtures/pairs/apple-pie/make.json");

/// Shows the diff of the bundled Apple Pie make.
pub fn show_example() -> Result<(), String> {
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

/// Shows the diff of two files, as a summary or (`json`) the whole document.
pub fn diff_files(recipe_path: &Path, make_path: &Path, json: bool) -> Result<(), String> {
    let limits = Limits::default();
    let recipe = read_recipe(recipe_path, &limits)?;
    let make = read_make(make_path, recipe.id(), &limits)?;
    let diff = diff_make(&recipe, &make);
    if json {
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

/// The file's contents as the JSON document they hold: read as the chain
/// reads an object, with the file's name as its key (a `.cook` file is
/// Cooklang).
fn read_file(path: &Path, limits: &Limits) -> Result<Value, String> {
    let bytes = read(path)?;
    let name = path.file_name().and_then(|n| n.to_str());
    read_document(&bytes, limits, name).map_err(|r| rejected(path, &r))
}

/// A recipe; one without an id is named after its file.
fn read_recipe(path: &Path, limits: &Limits) -> Result<Recipe, String> {
    let document = read_file(path, limits)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("recipe");
    let fallback = RecipeId::parse(stem).ok();
    recipe_from_value(&document, limits, fallback.as_ref()).map_err(|r| rejected(path, &r))
}

/// A make; on the command line one that does not name its recipe is taken
/// to be a make of the recipe it is compared with (a schema.org page keeps
/// its make's fields; a seed document is read as that recipe).
fn read_make(path: &Path, recipe_id: &RecipeId, limits: &Limits) -> Result<Make, String> {
    let document = read_file(path, limits)?;
    match make_from_value_with_fallback(&document, limits, Some(recipe_id)) {
        Ok(make) => Ok(make),
        Err(r) if matches!(&r.reason, shared::RejectReason::Missing { field } if field == "recipeId") =>
        {
            let recipe = recipe_from_value(&document, limits, Some(recipe_id))
                .map_err(|r| rejected(path, &r))?;
            Ok(Make::from_recipe(recipe))
        }
        Err(r) => Err(rejected(path, &r)),
    }
}
