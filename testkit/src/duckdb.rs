//! DuckDB (PyPI `duckdb`, installed into `.venv/` by `make test`), for the
//! tests that read the analysis export's Parquet back as its users would,
//! and docs/analysis.md's example SQL as the docs have it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The project's Python, where `make test` installed DuckDB.
pub fn python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        python.exists(),
        "{} not found: run `make test` (it installs duckdb into .venv/)",
        python.display()
    );
    python
}

/// The rows DuckDB answers `sql` with, run in `dir`, as JSON.
pub fn query(dir: &Path, sql: &str) -> Vec<Value> {
    let script = "import duckdb, json, os, sys\n\
                  os.chdir(sys.argv[1])\n\
                  print(json.dumps(duckdb.sql(sys.argv[2]).fetchall(), default=str))";
    let out = crate::output_of(
        Command::new(python())
            .args(["-c", script])
            .arg(dir)
            .arg(sql),
        "duckdb",
    );
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("duckdb's answer to {sql}: {e}"))
}

/// The example query named `name` in docs/analysis.md (a ```sql block
/// whose first line is `-- name`), as the docs have it.
pub fn documented(name: &str) -> String {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/analysis.md"))
        .expect("docs/analysis.md");
    let start = format!("```sql\n-- {name}\n");
    let at = docs
        .find(&start)
        .unwrap_or_else(|| panic!("docs/analysis.md has no query {name}"));
    let body = &docs[at + start.len()..];
    body[..body.find("```").expect("the block ends")].to_owned()
}
