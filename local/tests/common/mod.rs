//! Runs `recipe-chain up` as a user does, in a temporary data folder.
#![allow(dead_code, missing_docs)]

use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A temporary data folder, removed on drop.
pub struct DataDir(testkit::TempDir);

impl DataDir {
    pub fn new(name: &str) -> Self {
        Self(testkit::temp_dir(&format!("recipe-chain-{name}-")))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn bucket(&self) -> PathBuf {
        self.path().join("bucket")
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
        Self::start_with(data, extra, &[])
    }

    /// Starts like [`Chain::start`], with `env` set.
    pub fn start_with_env(data: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_with(data, &[], env)
    }

    /// Starts like [`Chain::start`], with `extra` arguments and `env` set.
    pub fn start_with(data: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
            .args(["up", "--port", "0", "--data"])
            .arg(data)
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("recipe-chain starts");
        let (address, lines) = read_banner(&mut child, |_| {});
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

/// Reads the chain's output up to its banner, handing each line to
/// `each`; returns the API's address (`127.0.0.1:port`) and the lines
/// after the banner, which the caller must keep draining.
fn read_banner(
    child: &mut Child,
    mut each: impl FnMut(&str),
) -> (String, Lines<BufReader<ChildStdout>>) {
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "no banner within 30 s");
        let Some(Ok(line)) = lines.next() else {
            panic!("recipe-chain exited before its banner")
        };
        each(&line);
        if let Some(url) = line.trim().strip_prefix("API") {
            let url = url.split_whitespace().next().expect("a URL");
            return (url.trim_start_matches("http://").to_owned(), lines);
        }
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
    let out = testkit::output_of(
        Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
            .args(args)
            .arg("--data")
            .arg(data),
        &format!("recipe-chain {args:?}"),
    );
    String::from_utf8_lossy(&out).into_owned()
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

/// Every file below `dir`, in its subfolders too.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
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

impl Chain {
    /// Ctrl-C, and the exit status; panics if the chain has not stopped
    /// within `limit` (a hang is a failure, not a wait).
    pub fn interrupt_within(mut self, limit: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("the chain's status") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "recipe-chain did not stop within {limit:?} of Ctrl-C"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every item of a paginated list (`path` without `cursor`), following
    /// `nextCursor` to the end.
    pub fn all(&self, path: &str) -> Vec<Value> {
        let join = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor = String::new();
        for _ in 0..10_000 {
            let page = self.get(&format!("{path}{cursor}"));
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["nextCursor"].as_str() {
                Some(next) => cursor = format!("{join}cursor={next}"),
                None => return items,
            }
        }
        panic!("{path}: more than 10,000 pages")
    }
}

/// What `recipe-chain status` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub waiting: u64,
    pub in_flight: u64,
    pub dead: u64,
    pub recipes: u64,
    pub makes: u64,
    pub rejections: u64,
    pub deletions: u64,
}

/// `recipe-chain status`, read.
pub fn status(data: &Path) -> Status {
    let out = run(&["status"], data);
    let number = |label: &str, nth: usize| -> u64 {
        out.lines()
            .find_map(|line| line.strip_prefix(label))
            .and_then(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .filter(|s| !s.is_empty())
                    .nth(nth)
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {label:?} in the status: {out}"))
    };
    Status {
        waiting: number("queue", 0),
        in_flight: number("queue", 1),
        dead: number("dead letters", 0),
        recipes: number("recipes", 0),
        makes: number("makes", 0),
        rejections: number("rejections", 0),
        deletions: number("deletions", 0),
    }
}

/// The same upload announced again: the file is touched with its own
/// modification time, so the folder watcher hears of it a second time
/// while its size and time (what identifies one write) stay the same.
pub fn reannounce(path: &Path) {
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open to touch");
    let modified = file
        .metadata()
        .and_then(|m| m.modified())
        .expect("a modification time");
    file.set_modified(modified).expect("touch");
}

impl Chain {
    /// Starts `recipe-chain up` like [`Chain::start`], with its output and
    /// log (warnings and errors) copied to `log`, so a test can look for
    /// panics and server errors.
    pub fn start_logging(data: &Path, log: &Path) -> Self {
        Self::start_logging_at(data, log, "warn")
    }

    /// A new data folder `name` and a chain on it that logs at `info`
    /// (what a deployment logs) into the folder's `chain.log`.
    pub fn start_in_at_info(name: &str) -> (DataDir, PathBuf, Self) {
        let data = DataDir::new(name);
        let log = data.path().join("chain.log");
        let chain = Self::start_logging_at(data.path(), &log, "info");
        (data, log, chain)
    }

    /// Starts like [`Chain::start_logging`], logging at `level` (`info`:
    /// what a deployment logs), appending to `log`.
    pub fn start_logging_at(data: &Path, log: &Path, level: &str) -> Self {
        Self::start_logging_with_env(data, log, level, &[])
    }

    /// Starts like [`Chain::start_logging_at`], with `env` set.
    pub fn start_logging_with_env(
        data: &Path,
        log: &Path,
        level: &str,
        env: &[(&str, &str)],
    ) -> Self {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("a log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
            .args(["up", "--port", "0", "--data"])
            .arg(data)
            .env("RUST_LOG", level)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("recipe-chain starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut copy = file.try_clone().expect("the log again");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = writeln!(copy, "{line}");
            }
        });
        let (address, lines) = read_banner(&mut child, |line| {
            let _ = writeln!(file, "{line}");
        });
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = writeln!(file, "{line}");
            }
        });
        Self { child, address }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// A page server on a free loopback port that answers every request with
/// `page` as HTML; it ends with the test process.
pub fn page_server(page: &'static [u8]) -> u16 {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            // The request's head, to its blank line.
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = &stream;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                page.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(page);
        }
    });
    port
}
