//! Every refusal code is written once, in `shared::refusal::Code`'s table
//! (issue 23, item 1): docs/formats.md lists exactly those codes, with
//! their statuses and what the sender does, and no crate's source spells
//! a code as a string outside the table and the tests.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use shared::refusal::{Code, Handling};

/// The workspace's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_owned()
}

/// The spelling docs/formats.md gives [`Code::Http`].
const HTTP_ROW: &str = "http-<status>";

/// The rows of docs/formats.md's table of codes: code → (status, sender).
fn documented() -> BTreeMap<String, (String, String)> {
    let text = fs::read_to_string(root().join("docs/formats.md")).expect("docs/formats.md");
    let section = text
        .split("\n## Rejections\n")
        .nth(1)
        .expect("a Rejections section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let code = cells[0].trim_matches('`').to_owned();
        let row = (cells[1].to_owned(), cells[2].to_owned());
        assert!(
            rows.insert(code.clone(), row).is_none(),
            "{code} is listed twice"
        );
    }
    rows
}

/// What the table says a code's status and sender are.
fn expected(code: &Code) -> (String, String) {
    let sender = match code.handling() {
        Handling::Record => "record",
        Handling::Retry => "retry",
        Handling::Superseded => "superseded",
    };
    let status = code.status().map_or_else(String::new, |s| s.to_string());
    (status, sender.to_owned())
}

#[test]
fn the_docs_list_every_code_with_its_status_and_handling() {
    let mut documented = documented();
    let http = documented.remove(HTTP_ROW);
    assert_eq!(
        http,
        Some(("4xx".to_owned(), "record".to_owned())),
        "docs/formats.md's row for {HTTP_ROW}"
    );
    let listed: BTreeMap<String, (String, String)> = Code::ALL
        .iter()
        .map(|code| (code.to_string(), expected(code)))
        .collect();
    let missing: Vec<&String> = listed
        .keys()
        .filter(|c| !documented.contains_key(*c))
        .collect();
    let extra: Vec<&String> = documented
        .keys()
        .filter(|c| !listed.contains_key(*c))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "docs/formats.md's codes differ from shared::refusal::Code: not in the docs {missing:?}, not in the enum {extra:?}"
    );
    for (code, row) in &listed {
        assert_eq!(&documented[code], row, "docs/formats.md's row for {code}");
    }
}

/// A crate's source without its tests: files under a `tests` folder or
/// named `tests.rs` are left out, and so is everything from a
/// `#[cfg(test)]` module on (the workspace keeps a file's tests last).
fn without_tests(text: &str) -> &str {
    let lines: Vec<&str> = text.lines().collect();
    let mut offset = 0;
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).map_or("", |l| l.trim_start());
        if line.trim() == "#[cfg(test)]"
            && (next.starts_with("mod ") || next.starts_with("pub mod "))
        {
            return &text[..offset];
        }
        offset += line.len() + 1;
    }
    text
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if path.is_dir() {
            if name.as_deref() != Some("tests") {
                rust_sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name.as_deref() != Some("tests.rs")
        {
            out.push(path);
        }
    }
}

/// Where a code is spelled in `text`: `"<code>"` for a known code, or a
/// code read by [`Code::parse`] from a literal.
fn spelled_codes(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in without_tests(text).lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        for code in Code::ALL {
            if line.contains(&format!("\"{code}\"")) {
                found.push((number + 1, code.to_string()));
            }
        }
        if line.contains("Code::parse(\"") {
            found.push((number + 1, "Code::parse(\"…\")".to_owned()));
        }
    }
    found
}

#[test]
fn no_source_spells_a_code_outside_its_enum() {
    let root = root();
    let mut files = Vec::new();
    for krate in [
        "shared",
        "watcher",
        "sender",
        "recipe-server",
        "local",
        "adapters/aws",
        "adapters/embedded",
    ] {
        rust_sources(&root.join(krate).join("src"), &mut files);
    }
    // The reader found the sources, including those that give codes.
    for expected in ["recipe-server/src/problem.rs", "watcher/src/upload.rs"] {
        assert!(
            files.iter().any(|f| f.ends_with(expected)),
            "{expected} not read"
        );
    }
    let table = root.join("shared/src/refusal.rs");
    let mut spelled = Vec::new();
    for file in files.iter().filter(|f| **f != table) {
        let text = fs::read_to_string(file).expect("a source");
        for (line, code) in spelled_codes(&text) {
            let relative = file.strip_prefix(&root).unwrap_or(file);
            spelled.push(format!("{}:{line}: {code}", relative.display()));
        }
    }
    assert!(
        spelled.is_empty(),
        "codes spelled outside shared::refusal::Code (name the variant instead):\n{}",
        spelled.join("\n")
    );
}

#[test]
fn the_reader_finds_a_spelled_code_and_skips_tests_and_comments() {
    let source = r#"
        fn refuse() -> &'static str { "recipe-not-found" }
        // "object-deleted" in a comment is no code
        fn other() -> Code { Code::parse("a-code") }
        fn fine() -> &'static str { "recipe-not-founder" }
        #[cfg(test)]
        mod tests {
            fn t() { assert_eq!(code, "too-deep"); }
        }
    "#;
    assert_eq!(
        spelled_codes(source),
        [
            (2, "recipe-not-found".to_owned()),
            (4, "Code::parse(\"…\")".to_owned())
        ]
    );
}
