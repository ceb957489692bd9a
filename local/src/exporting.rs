//! `recipe-chain export --parquet DIR`: the store in the data folder as the
//! four Parquet tables of the analysis export (the `exporter` crate; the
//! schema and example SQL are in docs/analysis.md). Each run writes a whole
//! new snapshot and then replaces the old one, so that what an erasure
//! took is gone from the next export.

use std::path::Path;

use embedded_adapters::SqliteStore;
pub use exporter::{Exported, Options};

use crate::paths::Paths;

/// Writes the store in the data folder `data` to `dir` as Parquet; answers
/// how many rows went into each table.
pub fn export(data: &Path, dir: &Path, options: Options) -> Result<Exported, String> {
    let paths = Paths::new(data);
    if !paths.store.exists() {
        return Err(format!(
            "no recipe store in {} (start the chain with `recipe-chain up`, or give --data)",
            paths.data.display()
        ));
    }
    // Who logged a make goes out as a keyed hash under a subkey of its
    // own: it matches no tombstone, log line or other export's column.
    let cooks = crate::paths::object_ids(&paths.object_id_secret)?.subkey("export: loggedBy");
    let (tables, exported) = crate::chain::runtime()?.block_on(async {
        let store = SqliteStore::open(&paths.store).map_err(|e| e.to_string())?;
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} exporting: {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        let read = exporter::read_all(&store, options, &cooks, &mut |so_far| {
            bar.set_message(format!(
                "{} recipes, {} makes",
                so_far.recipes, so_far.makes
            ));
            bar.tick();
        })
        .await
        .map_err(|e| format!("reading the store: {e}"));
        bar.finish_and_clear();
        read
    })?;
    write_all(tables.into_parquet()?, dir)?;
    Ok(exported)
}

/// Writes the tables into a fresh folder beside `dir`'s files, then moves
/// each into place: a reader sees each file whole, old or new.
fn write_all(files: Vec<(&'static str, Vec<u8>)>, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let fresh = dir.join(format!(".export-{}", std::process::id()));
    std::fs::create_dir_all(&fresh).map_err(|e| format!("{}: {e}", fresh.display()))?;
    for (table, bytes) in &files {
        let file = fresh.join(format!("{table}.parquet"));
        std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    for (table, _) in &files {
        let name = format!("{table}.parquet");
        std::fs::rename(fresh.join(&name), dir.join(&name))
            .map_err(|e| format!("{}: {e}", dir.join(&name).display()))?;
    }
    std::fs::remove_dir(&fresh).map_err(|e| format!("{}: {e}", fresh.display()))
}
