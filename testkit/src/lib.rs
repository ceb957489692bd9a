//! Test support shared by the workspace's integration tests.
//!
//! [`MotoServer`] starts moto's standalone AWS-protocol server (installed
//! into the project's `.venv/` by `make test`) on a free loopback port and
//! stops it when dropped, so that AWS adapters are tested through the real
//! aws-sdk-rust clients (`aws`, with the `aws` feature, points them at
//! it). `router` (the `router` and `lambda` features) sends requests
//! through the server's router in process; [`chaos`] is the upload mix and
//! the ledger of the chaos runs; [`journal_contract`] is the erasure
//! journal's contract; [`startup`] runs a function's binary with bad
//! settings; [`free_port`] and [`change_ops`] serve tests of
//! every crate.

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "browser")]
pub mod browser;
pub mod chaos;
pub mod documents;
pub mod duckdb;
pub mod http;
pub mod journal_contract;
pub mod made_up;
#[cfg(feature = "router")]
pub mod router;
pub mod sigv4;
pub mod startup;
pub mod store_contract;

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use tempfile::TempDir;

/// A running moto server, stopped on drop.
pub struct MotoServer {
    child: Child,
    port: u16,
}

/// The command that starts moto: `$MOTO_SERVER` if set, else the project's
/// `.venv` Python running `python/moto_serial.py` (moto, one request at a
/// time, so that transactions are isolated as in DynamoDB).
fn moto_command() -> (PathBuf, Vec<String>) {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return (PathBuf::from(path), Vec::new());
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("python/moto_serial.py");
    (
        root.join("../.venv/bin/python"),
        vec![script.display().to_string()],
    )
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl MotoServer {
    /// Starts moto on a free port and waits until it accepts connections.
    ///
    /// # Panics
    /// When moto is not installed (run `make test`, which installs it) or
    /// does not start within 30 seconds: a test that needs it cannot run.
    pub fn start() -> Self {
        let (binary, args) = moto_command();
        assert!(
            binary.exists(),
            "{} not found: run `make test` (it installs moto into .venv/) or set MOTO_SERVER",
            binary.display()
        );
        let port = free_port();
        let mut child = Command::new(&binary)
            .args(&args)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        // Drain moto's request log so that it never blocks on a full pipe.
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("moto_server exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    /// The endpoint URL to give the SDK clients.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary folder named `{prefix}…`, removed (with what is in it) when
/// dropped, a test's panic included.
///
/// # Panics
/// When the system's temporary folder is not writable.
pub fn temp_dir(prefix: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("a temporary folder")
}

/// The `op` of each change in a diff document's `changes` list, in order.
///
/// # Panics
/// When the document has no `changes` list: the test reading it is wrong.
pub fn change_ops(diff: &serde_json::Value) -> Vec<&str> {
    strings_of(&diff["changes"], "op")
}

/// The changes of a diff document that change the recipe: every change
/// but `rating-changed` (a make's rating is its own). An adopted make's
/// comparison with its version has exactly its make's.
///
/// # Panics
/// When the document has no `changes` list: the test reading it is wrong.
pub fn recipe_changes(diff: &serde_json::Value) -> Vec<serde_json::Value> {
    diff["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("a diff document with changes: {diff}"))
        .iter()
        .filter(|change| change["op"] != "rating-changed")
        .cloned()
        .collect()
}

/// The string `field` of each item of the JSON list `list`, in order
/// (items without one left out): the ids of a page of recipes, the fields
/// of a list of differences.
///
/// # Panics
/// When `list` is not a list: the test reading it is wrong.
pub fn strings_of<'a>(list: &'a serde_json::Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list of items with a {field}: {list}"))
        .iter()
        .filter_map(|item| item[field].as_str())
        .collect()
}

/// Runs `command` to completion and returns what it printed; panics with
/// `what` and its error output when it fails.
///
/// # Panics
/// When the command cannot be run or exits unsuccessfully.
pub fn output_of(command: &mut Command, what: &str) -> Vec<u8> {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{what} cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
