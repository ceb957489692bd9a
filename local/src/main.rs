//! `recipe-chain`: the recipe-diff chain on one machine, and its tools.

mod chain;
mod config;
mod diffing;
mod dropping;
mod evolving;
mod exporting;
mod importing;
mod paths;
mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use shared::keys::UploadKind;

/// The recipe-diff chain on one machine: drop recipes and makes into a
/// folder and see how each make differed from its recipe, in a dashboard
/// and an API on 127.0.0.1. With no command, `up`.
#[derive(Parser)]
#[command(
    name = "recipe-chain",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    up: UpArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the chain: watch the bucket folder, queue, diff, store, serve (the default).
    Up(UpArgs),
    /// Show how a make differed from its recipe (no files: a bundled example).
    Diff(DiffArgs),
    /// Copy files into the bucket folder, under makes/ or recipes/ by their content.
    Drop(DropArgs),
    /// Import a recipe from a link (the running chain fetches the page) or a file.
    Import(ImportArgs),
    /// Make a make the recipe's next version (its rating, notes and date dropped).
    Adopt(AdoptArgs),
    /// Make an earlier version the recipe's next version.
    Restore(RestoreArgs),
    /// Write recipes, versions, makes and their changes as Parquet, for DuckDB and the like.
    Export(ExportArgs),
    /// Queue depth, dead letters, and how many recipes, makes and rejections are stored.
    Status(DataArgs),
    /// Move dead-lettered jobs back to the queue.
    Redrive(DataArgs),
    /// The erasure journal.
    Erasures {
        #[command(subcommand)]
        command: ErasuresCommand,
    },
}

#[derive(Subcommand)]
enum ErasuresCommand {
    /// Apply every journalled erasure to the store again, after the store
    /// file was put back from a copy (a restore).
    Replay(DataArgs),
}

#[derive(Args, Clone)]
struct DataArgs {
    /// The data folder (bucket folder, queue, store).
    #[arg(long, env = "RECIPE_CHAIN_DATA", default_value = "data")]
    data: PathBuf,
}

#[derive(Args, Clone)]
struct UpArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The port of the API and dashboard on 127.0.0.1 (0: any free port).
    #[arg(long, env = "RECIPE_CHAIN_PORT", default_value_t = 8799)]
    port: u16,
    /// Drop the bundled example recipes and makes at start.
    #[arg(long)]
    examples: bool,
}

#[derive(Args)]
struct DiffArgs {
    /// The recipe (seed JSON or schema.org JSON-LD).
    recipe: Option<PathBuf>,
    /// The make (same formats; names its recipe by `recipeId`).
    make: Option<PathBuf>,
    /// Print the whole diff document as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct DropArgs {
    /// The files to drop.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Treat every file as a recipe.
    #[arg(long, conflicts_with = "make")]
    recipe: bool,
    /// Treat every file as a make.
    #[arg(long)]
    make: bool,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Args)]
struct ImportArgs {
    /// An http or https link to a recipe page, or a file (a recipe
    /// document, a saved page, an app's archive, a Cooklang file).
    source: String,
    /// The port the running chain serves on (links only).
    #[arg(long, env = "RECIPE_CHAIN_PORT", default_value_t = 8799)]
    port: u16,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Args)]
struct ExportArgs {
    /// The folder the four Parquet files go into (docs/analysis.md).
    #[arg(long, value_name = "DIR")]
    parquet: PathBuf,
    /// Export the recipes' step text with step changes (free text stays out otherwise).
    #[arg(long)]
    with_text: bool,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Args)]
struct AdoptArgs {
    /// The recipe.
    recipe_id: String,
    /// The make that becomes its next version.
    make_id: String,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Args)]
struct RestoreArgs {
    /// The recipe.
    recipe_id: String,
    /// The version whose content becomes its next version.
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    version: u32,
    #[command(flatten)]
    data: DataArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The settings, read once, by the commands that run the chain's parts.
    let config = || config::Config::from_lookup(|name| std::env::var(name).ok());
    let result = match cli.command {
        None => {
            config().and_then(|c| chain::up(&cli.up.data.data, cli.up.port, cli.up.examples, c))
        }
        Some(Command::Up(up)) => {
            config().and_then(|c| chain::up(&up.data.data, up.port, up.examples, c))
        }
        Some(Command::Diff(args)) => match (&args.recipe, &args.make) {
            (Some(recipe), Some(make)) => diffing::diff_files(recipe, make, args.json),
            (None, None) => diffing::show_example(),
            _ => Err("give both a recipe and a make, or neither for the bundled example".into()),
        },
        Some(Command::Drop(args)) => drop_files(&args),
        Some(Command::Import(args)) => import(&args),
        Some(Command::Adopt(args)) => {
            evolving::adopt(&args.data.data, &args.recipe_id, &args.make_id).map(|key| {
                println!(
                    "dropped {key}: make {} becomes the next version of recipe {} as the chain stores it",
                    args.make_id, args.recipe_id
                );
            })
        }
        Some(Command::Restore(args)) => {
            evolving::restore(&args.data.data, &args.recipe_id, args.version).map(|key| {
                println!(
                    "dropped {key}: version {} becomes the next version of recipe {} as the chain stores it",
                    args.version, args.recipe_id
                );
            })
        }
        Some(Command::Export(args)) => {
            let options = exporting::Options {
                with_text: args.with_text,
            };
            exporting::export(&args.data.data, &args.parquet, options).map(|done| {
                println!(
                    "exported {} recipes, {} versions, {} makes and {} changes to {}",
                    done.recipes,
                    done.versions,
                    done.makes,
                    done.changes,
                    args.parquet.display()
                );
            })
        }
        Some(Command::Status(args)) => chain::status(&args.data),
        Some(Command::Redrive(args)) => chain::redrive(&args.data),
        Some(Command::Erasures {
            command: ErasuresCommand::Replay(args),
        }) => config().and_then(|c| chain::replay_erasures(&args.data, &c)),
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

fn import(args: &ImportArgs) -> Result<(), String> {
    if importing::is_link(&args.source) {
        let key = importing::import_link(&args.data.data, args.port, &args.source)?;
        println!(
            "imported {} as {key}; the chain stores it as any upload (see the dashboard, or `recipe-chain status`)",
            args.source
        );
        return Ok(());
    }
    let paths = paths::Paths::new(&args.data.data);
    paths.create()?;
    let key = dropping::drop_file(Path::new(&args.source), &paths.bucket, None)?;
    println!("dropped {} as {key}", args.source);
    Ok(())
}

fn drop_files(args: &DropArgs) -> Result<(), String> {
    let paths = paths::Paths::new(&args.data.data);
    paths.create()?;
    let force = match (args.recipe, args.make) {
        (true, _) => Some(UploadKind::Recipe),
        (_, true) => Some(UploadKind::Make),
        _ => None,
    };
    let bar = indicatif::ProgressBar::new(args.files.len() as u64);
    if args.files.len() > 1 {
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut failed = 0;
    for file in &args.files {
        match dropping::drop_file(file, &paths.bucket, force) {
            Ok(key) => {
                if args.files.len() == 1 {
                    println!("dropped {} as {key}", file.display());
                }
                bar.set_message(key);
            }
            Err(message) => {
                failed += 1;
                bar.suspend(|| {
                    anstream::eprintln!(
                        "{}error:{} {message}",
                        render::ERROR.render(),
                        render::ERROR.render_reset()
                    )
                });
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if args.files.len() > 1 {
        println!(
            "dropped {} of {} files into {}",
            args.files.len() - failed,
            args.files.len(),
            paths.bucket.display()
        );
    }
    if failed > 0 {
        return Err(format!("{failed} files could not be dropped"));
    }
    Ok(())
}
