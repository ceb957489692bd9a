//! Runs `recipe-chain up` as a user does, in a temporary data folder.
#![allow(dead_code, missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A temporary data folder, removed on drop.
pub struct DataDir(pub PathBuf);

impl DataDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("recipe-chain-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    pub fn bucket(&self) -> PathBuf {
        self.0.join("bucket")
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running chain, killed on drop.
pub struct Chain {
    pub child: Child,
    pub address: String,
}

impl Chain {
    /// Starts `recipe-chain up` on a free port and waits for its banner.
    pub fn start(data: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
            .args(["up", "--port", "0", "--data"])
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("recipe-chain starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let address = loop {
            assert!(Instant::now() < deadline, "no banner within 30 s");
            let Some(Ok(line)) = lines.next() else {
                panic!("recipe-chain exited before its banner")
            };
            if let Some(url) = line.trim().strip_prefix("API") {
                let url = url.split_whitespace().next().expect("a URL");
                break url.trim_start_matches("http://").to_owned();
            }
        };
        // Keep draining stdout so the chain never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, address }
    }

    pub fn get(&self, path: &str) -> Value {
        testkit::http::get(&self.address, path)
            .map(|r| r.json)
            .unwrap_or(Value::Null)
    }

    /// How many makes recipe `id` has, through the API.
    pub fn make_count(&self, id: &str) -> u64 {
        self.get(&format!("/recipes/{id}"))["makeCount"]
            .as_u64()
            .unwrap_or(0)
    }

    /// `kill -9`.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Ctrl-C, and the exit status.
    pub fn interrupt(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        self.child.wait().expect("exits")
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `check` holds, or panics after `limit` naming `what`.
pub fn wait_until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `recipe-chain` with arguments, to completion.
pub fn run(args: &[&str], data: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub const RECIPE: &[u8] = include_bytes!("../../../fixtures/pairs/apple-pie/recipe.json");

/// A make of the Apple Pie with no make id (the server names it), told
/// apart by its notes.
pub fn make(n: usize) -> Vec<u8> {
    let mut make: Value = serde_json::from_slice(include_bytes!(
        "../../../fixtures/pairs/apple-pie/make.json"
    ))
    .expect("fixture");
    if let Some(map) = make.as_object_mut() {
        map.remove("makeId");
        map.insert("notes".into(), Value::from(format!("make number {n}")));
    }
    make.to_string().into_bytes()
}

/// Writes a file the way a careful tool does: a hidden name, then a rename.
pub fn put(bucket: &Path, key: &str, bytes: &[u8]) {
    let target = bucket.join(key);
    std::fs::create_dir_all(target.parent().expect("a parent")).expect("dir");
    let partial = target.with_file_name(format!(
        ".{}.partial",
        target.file_name().and_then(|n| n.to_str()).expect("name")
    ));
    std::fs::write(&partial, bytes).expect("write");
    std::fs::rename(&partial, &target).expect("rename");
}
