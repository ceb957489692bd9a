//! No import circles among `shared`'s modules (issue 23, item 7).
//!
//! A module is a top-level file or folder under `src/` (`model.rs`,
//! `parse/`). Module A uses module B when any source file of A names a path
//! `crate::B…` (in a `use`, in an expression, or in a string such as serde's
//! `serialize_with = "crate::…"`), or a path that climbs with `super::` out
//! of A. The crate root's re-exports count as the module they come from
//! (`crate::store` is `ports`, `crate::Recipe` is `model`). Comments,
//! doc links included, are not uses. The graph must have no cycle;
//! docs/architecture.md says which layer may use which.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// Where each use is written: module → module it uses → `file:line`s.
type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

#[test]
fn shareds_modules_use_each_other_without_a_circle() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // The reader found the modules and the uses it should: an empty graph
    // would pass vacuously.
    for module in ["model", "parse", "ports", "diff", "canonical", "quantity"] {
        assert!(
            graph.contains_key(module),
            "no module {module} in {graph:?}"
        );
    }
    assert!(graph["parse"].contains_key("model"), "parse uses model");
    assert!(graph["ports"].contains_key("job"), "ports uses job");

    let cycles = cycles(&graph);
    assert!(
        cycles.is_empty(),
        "import circles among shared's modules:\n{}",
        cycles
            .iter()
            .map(|cycle| describe(&graph, cycle))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_reader_finds_uses_and_skips_comments() {
    let modules: BTreeSet<String> = [
        "model",
        "units",
        "quantity",
        "text",
        "canonical",
        "ports",
        "keys",
    ]
    .map(String::from)
    .into();
    let roots = BTreeMap::from([("store".to_owned(), "ports".to_owned())]);
    let source = r#####"
        //! Built by [`crate::keys`] only.
        use crate::model::{Measure, Recipe};
        use crate::{quantity::Quantity, units::{self, Unit}};
        /* crate::keys, /* nested crate::keys */ still a comment */
        #[serde(serialize_with = "crate::canonical::number")]
        fn f<'a>(_: &'a str) -> (&'static str, char) { ("//", '"') } fn h() { crate::ports::x() }
        fn g() { crate::store::content_hash(); } // crate::keys
        mod tests { use super::*; use super::super::text; }
    "#####;
    let uses = uses_in(source, 1, &modules, &roots);
    let names: BTreeSet<&str> = uses.iter().map(|(module, _)| module.as_str()).collect();
    assert_eq!(
        names,
        ["model", "quantity", "units", "canonical", "ports", "text"].into()
    );
    // A `//` in a string and a '"' do not hide the rest of line 7.
    let lines: Vec<usize> = uses
        .iter()
        .filter(|(module, _)| module == "ports")
        .map(|(_, line)| *line)
        .collect();
    assert_eq!(lines, [7, 8]);
}

#[test]
fn a_circle_is_named() {
    let mut graph = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "d")] {
        graph
            .entry(from.into())
            .or_default()
            .insert(to.into(), vec![format!("{from}.rs:1")]);
    }
    graph.entry("d".into()).or_default();
    let cycles = cycles(&graph);
    assert_eq!(cycles, [vec!["a", "b", "c"]]);
    assert_eq!(
        describe(&graph, &cycles[0]),
        "a → b → c → a (a → b: a.rs:1; b → c: b.rs:1; c → a: c.rs:1)"
    );
}

/// The module graph of the crate whose sources are under `src`.
fn module_graph(src: &Path) -> Graph {
    let root = strip_comments(&fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    let modules = declared_modules(&root);
    let roots = root_reexports(&root, &modules);
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeMap::new()))
        .collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts == ["lib.rs"] {
            continue;
        }
        let module = parts[0].trim_end_matches(".rs").to_owned();
        assert!(
            modules.contains(&module),
            "{} belongs to no module declared in lib.rs",
            relative.display()
        );
        // How many `super::` reach the crate root from the file's own module
        // (src/a.rs and src/a/mod.rs: 1; src/a/b.rs: 2).
        let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod.rs"));
        let text = fs::read_to_string(&file).expect("source");
        for (used, line) in uses_in(&text, depth, &modules, &roots) {
            if used != module {
                graph
                    .get_mut(&module)
                    .expect("module")
                    .entry(used)
                    .or_default()
                    .push(format!("src/{}:{line}", relative.display()));
            }
        }
    }
    graph
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `mod x;` and `pub mod x;` in the crate root.
fn declared_modules(root: &str) -> BTreeSet<String> {
    statements(root)
        .filter_map(|s| {
            let s = s.strip_prefix("pub ").unwrap_or(s);
            let name = s.strip_prefix("mod ")?;
            is_ident(name).then(|| name.to_owned())
        })
        .collect()
}

/// The names the crate root re-exports, each with the module it comes from
/// (`pub use ports::store;`, `pub use model::{Recipe, RecipeId};`).
fn root_reexports(root: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for s in statements(root) {
        let Some(path) = s
            .strip_prefix("pub use ")
            .or_else(|| s.strip_prefix("use "))
        else {
            continue;
        };
        let Some((first, _)) = path.split_once("::") else {
            continue;
        };
        if !modules.contains(first) {
            continue;
        }
        let leaves = match (path.find('{'), path.rfind('}')) {
            (Some(open), Some(close)) => path[open + 1..close].to_owned(),
            _ => path.to_owned(),
        };
        for leaf in leaves.split(',') {
            let leaf = leaf.trim();
            let name = match leaf.split_once(" as ") {
                Some((_, alias)) => alias.trim(),
                None => leaf.rsplit("::").next().unwrap_or(leaf),
            };
            if is_ident(name) {
                names.insert(name.to_owned(), first.to_owned());
            }
        }
    }
    names
}

/// The crate root's statements, without their attributes.
fn statements(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(|s| {
        let mut s = s.trim();
        while s.starts_with('#') {
            s = s.split_once(']').map_or("", |(_, rest)| rest.trim_start());
        }
        s
    })
}

/// The modules `text` uses and on which line, resolved through the root's
/// re-exports; `depth` is how many `super::` from the file's top reach the
/// crate root. A path naming nothing the crate root has fails the test: the
/// reader would otherwise miss a use.
fn uses_in(
    text: &str,
    depth: usize,
    modules: &BTreeSet<String>,
    roots: &BTreeMap<String, String>,
) -> Vec<(String, usize)> {
    let code = strip_comments(text);
    let bytes = code.as_bytes();
    let resolve = |name: &str, line: usize| -> String {
        if modules.contains(name) {
            name.to_owned()
        } else if let Some(module) = roots.get(name) {
            module.clone()
        } else {
            panic!("line {line}: crate::{name} names no module or root re-export of shared")
        }
    };
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let starts_word = at == 0 || !is_ident_byte(bytes[at - 1]);
        let rest = &code[at..];
        let line = || 1 + code[..at].matches('\n').count();
        if starts_word && (rest.starts_with("crate::") || rest.starts_with("$crate::")) {
            let after = at + rest.find("::").expect("::") + 2;
            let line = line();
            for name in leading_names(&code[after..]) {
                found.push((resolve(&name, line), line));
            }
            at = after;
        } else if starts_word && rest.starts_with("super::") {
            // A run of `super::`: from inside an inline module (tests) it
            // climbs one module less, so a name reached that way counts only
            // when it is one of the crate root's.
            let mut supers = 0;
            let mut after = at;
            while code[after..].starts_with("super::") {
                supers += 1;
                after += "super::".len();
                after += code[after..].len() - code[after..].trim_start().len();
            }
            if supers >= depth {
                let line = line();
                for name in leading_names(&code[after..]) {
                    if modules.contains(&name) || roots.contains_key(&name) {
                        found.push((resolve(&name, line), line));
                    }
                }
            }
            at = after;
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

/// The first segment of a path, or of each path in a `{…}` group.
fn leading_names(path: &str) -> Vec<String> {
    let path = path.trim_start();
    if let Some(group) = path.strip_prefix('{') {
        let mut depth = 0;
        let mut item = String::new();
        let mut names = Vec::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    names.extend(first_segment(&item));
                    item.clear();
                    continue;
                }
                _ => {}
            }
            if depth == 0 {
                item.push(c);
            }
        }
        names.extend(first_segment(&item));
        names
    } else {
        first_segment(path).into_iter().collect()
    }
}

fn first_segment(path: &str) -> Option<String> {
    let path = path.trim_start();
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    (end > 0).then(|| path[..end].to_owned())
}

/// `text` with its comments blanked (newlines kept, so lines still count);
/// string and character literals are kept whole.
fn strip_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let word_start = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if word_start && (c == 'r' || (c == 'b' && next == Some('r'))) && {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            chars.get(j) == Some(&'"')
        } {
            // A raw string: r"…", r#"…"#, br"…".
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while chars[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.extend(&chars[i..j.min(chars.len())]);
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            out.extend(&chars[i..end]);
            i = end;
        } else if c == '\'' {
            // A character literal ('"', '\'', '\u{1F600}'), else a lifetime.
            let end = if next == Some('\\') {
                chars[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map(|p| i + 2 + p + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            let end = end.unwrap_or(i + 1);
            out.extend(&chars[i..end]);
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_ident_byte)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// One shortest cycle through each module that is on a cycle, each cycle
/// once, starting at its first module by name.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for start in graph.keys() {
        if let Some(mut cycle) = shortest_cycle(graph, start) {
            let first = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, m)| m.as_str())
                .map(|(i, _)| i)
                .expect("non-empty");
            cycle.rotate_left(first);
            found.insert(cycle);
        }
    }
    found.into_iter().collect()
}

/// The shortest path from `start` back to itself, without `start` at the end.
fn shortest_cycle(graph: &Graph, start: &str) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(module) = queue.pop_front() {
        for next in graph.get(module).into_iter().flat_map(|uses| uses.keys()) {
            if next == module {
                continue;
            }
            if next == start {
                let mut cycle = vec![module.to_owned()];
                let mut at = module;
                while at != start {
                    at = came_from[at];
                    cycle.push(at.to_owned());
                }
                cycle.reverse();
                return Some(cycle);
            }
            if !came_from.contains_key(next.as_str()) {
                came_from.insert(next, module);
                queue.push_back(next);
            }
        }
    }
    None
}

/// `a → b → a (a → b: src/a.rs:3; b → a: src/b.rs:9)`.
fn describe(graph: &Graph, cycle: &[String]) -> String {
    let mut chain = cycle.to_vec();
    chain.push(cycle[0].clone());
    let edges: Vec<String> = chain
        .windows(2)
        .map(|pair| {
            format!(
                "{} → {}: {}",
                pair[0],
                pair[1],
                graph[&pair[0]][&pair[1]].join(", ")
            )
        })
        .collect();
    format!("{} ({})", chain.join(" → "), edges.join("; "))
}
