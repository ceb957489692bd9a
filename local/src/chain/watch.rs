//! The local watcher: files appearing in the bucket folder become uploads
//! for the same watcher logic the Lambda runs. A file is read only once its
//! size and modification time have held still for a moment (a slow writer
//! is never read half-written), and it is queued exactly once: the job and
//! the record of the file (key, size, modification time) are written in one
//! transaction, and files already recorded are skipped, at start and after.
//!
//! A recorded file that disappears (deleted, or moved out of the bucket
//! folder, while the chain runs or while it is down) is a deletion: its job
//! is queued and the file forgotten in one transaction. Every job carries a
//! sequencer from the queue's counter, so that the server orders a file's
//! uploads and deletions as they happened here, whatever order it handles
//! them in (S3's sequencers do the same in AWS).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use embedded_adapters::{DirObjects, SqliteQueue};
use notify::{RecursiveMode, Watcher as _};
use shared::Limits;
use shared::keys::WATCHED_PREFIXES;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::paths::Paths;

use super::stopped;

/// How long a file's size and modification time must hold still before it
/// is read.
const SETTLE: Duration = Duration::from_millis(150);
/// How long to wait before trying a file again when reading it failed.
const RETRY: Duration = Duration::from_secs(2);
/// When a folder appears, it is scanned at once and again after each of
/// these delays: a file written into a new folder before the watcher has
/// added the folder raises no event of its own (`mkdir -p a/b/c` and a
/// file in `c`, written at once, often beat it).
const RESCANS: [Duration; 2] = [Duration::from_millis(500), Duration::from_secs(3)];
/// The bucket name jobs carry locally.
pub const LOCAL_BUCKET: &str = "local";

/// Files written under a temporary name are not uploads. (A name that is
/// not UTF-8 is judged by its readable part: it is refused later, not
/// ignored here.)
fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy())
        .is_none_or(|name| {
            name.starts_with('.')
                || name.ends_with('~')
                || [".partial", ".tmp", ".swp", ".crdownload"]
                    .iter()
                    .any(|s| name.ends_with(s))
        })
}

/// What identifies one write of a file: a re-save is a new upload.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fingerprint {
    size: u64,
    modified_ns: u128,
}

impl Fingerprint {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)?;
        let modified_ns = meta
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(Self {
            size: meta.len(),
            modified_ns,
        })
    }

    fn text(&self) -> String {
        format!("{}:{}", self.size, self.modified_ns)
    }
}

struct Pending {
    seen: Fingerprint,
    due: Instant,
}

/// Notes that the file at `path`, last seen as `seen`, is to be looked at
/// again at `due`.
fn wait(pending: &mut HashMap<PathBuf, Pending>, path: PathBuf, seen: Fingerprint, due: Instant) {
    pending.insert(path, Pending { seen, due });
}

/// Starts watching the bucket folder (after queueing whatever is already
/// there and was never queued). Wakes the pumps through `wake` when it
/// queues jobs; ends when `stop` turns true.
pub fn start(
    paths: &Paths,
    objects: Arc<DirObjects>,
    queue: SqliteQueue,
    limits: Limits,
    wake: watch::Sender<u64>,
    mut stop: watch::Receiver<bool>,
) -> Result<JoinHandle<()>, String> {
    let (events_tx, mut events) = mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading a folder or a file raises access events; only writes,
        // creations, renames and removals can bring an upload or a deletion.
        if let Ok(event) = event
            && matches!(
                event.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(_)
                    | notify::EventKind::Remove(_)
            )
        {
            for path in event.paths {
                let _ = events_tx.send(path);
            }
        }
    })
    .map_err(|e| format!("cannot watch the bucket folder: {e}"))?;
    let mut roots = Vec::new();
    for prefix in WATCHED_PREFIXES {
        let dir = paths.bucket.join(prefix.trim_end_matches('/'));
        watcher
            .watch(&dir, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
        roots.push(dir);
    }
    let bucket = paths.bucket.clone();
    Ok(tokio::spawn(async move {
        // Keep the watcher alive as long as the task runs.
        let _watcher = watcher;
        let mut pending: HashMap<PathBuf, Pending> = HashMap::new();
        let mut gone: HashMap<PathBuf, Instant> = HashMap::new();
        let mut rescans: Vec<(Instant, PathBuf)> = Vec::new();
        for root in &roots {
            scan(root, &mut pending);
        }
        // Files deleted while the chain was down.
        match queue.queued_keys().await {
            Ok(keys) => {
                let now = Instant::now();
                for key in keys {
                    if let Some(path) = objects.path_of(&key)
                        && !path.exists()
                    {
                        gone.insert(path, now);
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot list the queued files; deletions made while the chain was down are not seen")
            }
        }

        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tokio::select! {
                () = stopped(&mut stop) => break,
                Some(path) = events.recv() => note(path, &mut pending, &mut gone, &mut rescans),
                _ = tick.tick() => {
                    let now = Instant::now();
                    rescans.retain(|(due, dir)| {
                        let keep = *due > now;
                        if !keep {
                            scan(dir, &mut pending);
                        }
                        keep
                    });
                    let mut queued = settle_and_queue(&mut pending, &bucket, &objects, &queue, &limits).await;
                    queued += queue_deletions(&mut gone, &objects, &queue).await;
                    if queued > 0 {
                        wake.send_modify(|n| *n = n.wrapping_add(queued));
                    }
                }
            }
        }
    }))
}

/// Every file below `dir`, for the start-up pass.
fn scan(dir: &Path, pending: &mut HashMap<PathBuf, Pending>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan(&path, pending);
        } else {
            note_file(path, pending);
        }
    }
}

fn note(
    path: PathBuf,
    pending: &mut HashMap<PathBuf, Pending>,
    gone: &mut HashMap<PathBuf, Instant>,
    rescans: &mut Vec<(Instant, PathBuf)>,
) {
    if is_temporary(&path) {
        return;
    }
    if !path.exists() {
        // Removed or moved away; a save that replaces the file puts it
        // back within the settling time, and then it is no deletion.
        gone.insert(path, Instant::now() + SETTLE);
        return;
    }
    if path.is_dir() {
        // A folder moved in whole, or made and filled at once: its files
        // may have arrived before the watcher followed it.
        scan(&path, pending);
        if !rescans.iter().any(|(_, dir)| *dir == path) {
            let now = Instant::now();
            rescans.extend(RESCANS.iter().map(|delay| (now + *delay, path.clone())));
        }
        return;
    }
    note_file(path, pending);
}

fn note_file(path: PathBuf, pending: &mut HashMap<PathBuf, Pending>) {
    if is_temporary(&path) {
        return;
    }
    let Some(seen) = Fingerprint::of(&path) else {
        return;
    };
    // Another event for a file that has not changed since it was noted must
    // not push its turn back.
    if pending.get(&path).is_some_and(|p| p.seen == seen) {
        return;
    }
    wait(pending, path, seen, Instant::now() + SETTLE);
}

/// Queues the files that held still; returns how many jobs were queued.
async fn settle_and_queue(
    pending: &mut HashMap<PathBuf, Pending>,
    bucket: &Path,
    objects: &DirObjects,
    queue: &SqliteQueue,
    limits: &Limits,
) -> u64 {
    let now = Instant::now();
    let due = due_paths(pending, now, |p| p.due);

    // The files that held still and were not queued in this state yet.
    let mut ready = Vec::new();
    for path in due {
        let Some(entry) = pending.remove(&path) else {
            continue;
        };
        let Some(current) = Fingerprint::of(&path) else {
            continue;
        };
        if current != entry.seen {
            // Still being written.
            wait(pending, path, current, now + SETTLE);
            continue;
        }
        // A name that is not UTF-8 cannot be an object key; the file is
        // refused under its name with the bad bytes replaced, not dropped.
        let (key, utf8) = match objects.key_of(&path) {
            Some(key) => (key, true),
            None => match lossy_key(bucket, &path) {
                Some(key) => (key, false),
                None => continue,
            },
        };
        match queue.was_queued(&key, &current.text()).await {
            Ok(true) => continue,
            Ok(false) => ready.push((path, key, utf8, current)),
            Err(error) => {
                tracing::warn!(key = %shared::object_id::logged(&key), %error, "cannot check the queue; trying again");
                wait(pending, path, current, now + RETRY);
            }
        }
    }
    if ready.is_empty() {
        return 0;
    }
    let Some(first) = reserve(queue, ready.len()).await else {
        for (path, _, _, current) in ready {
            wait(pending, path, current, now + RETRY);
        }
        return 0;
    };

    let mut jobs = Vec::new();
    let mut files = Vec::new();
    for (n, (path, key, utf8, current)) in (first..).zip(ready) {
        let fingerprint = current.text();
        let upload = local_upload(key.clone(), n, Some(current.size));
        let job = if utf8 {
            watcher::handle_upload(upload, objects, limits).await
        } else {
            Ok(Vec::from_iter(watcher::handle_bad_key(upload, &key)))
        };
        match job {
            Ok(job) => {
                jobs.extend(job);
                files.push((key, fingerprint));
            }
            Err(error) => {
                tracing::warn!(key = %shared::object_id::logged(&key), %error, "cannot read the file; trying again");
                wait(pending, path, current, now + RETRY);
            }
        }
    }
    if files.is_empty() {
        return 0;
    }
    let count = jobs.len() as u64;
    if let Err(error) = queue.send_for_files(&jobs, &files).await {
        // Nothing was recorded: the files are picked up again.
        tracing::warn!(%error, "cannot queue jobs; trying again");
        for (key, _) in files {
            if let Some(path) = objects.path_of(&key)
                && let Some(seen) = Fingerprint::of(&path)
            {
                wait(pending, path, seen, Instant::now() + RETRY);
            }
        }
        return 0;
    }
    count
}

/// The paths in `waiting` whose time (`due_of`) has come by `now`.
fn due_paths<T>(
    waiting: &HashMap<PathBuf, T>,
    now: Instant,
    due_of: impl Fn(&T) -> Instant,
) -> Vec<PathBuf> {
    waiting
        .iter()
        .filter(|(_, entry)| due_of(entry) <= now)
        .map(|(path, _)| path.clone())
        .collect()
}

/// Reserves `count` sequencers and returns the first; `None` (logged) when
/// the queue cannot, and the caller tries again later.
async fn reserve(queue: &SqliteQueue, count: usize) -> Option<u64> {
    match queue.reserve_sequencers(count as u64).await {
        Ok(first) => Some(first),
        Err(error) => {
            tracing::warn!(%error, "cannot reserve sequencers; trying again");
            None
        }
    }
}

/// An upload (or removal) of `key` in the local bucket, with sequencer `n`
/// (hexadecimal, like S3's).
fn local_upload(key: String, n: u64, size: Option<u64>) -> watcher::Upload {
    watcher::Upload {
        bucket: LOCAL_BUCKET.to_owned(),
        key,
        version_id: None,
        e_tag: None,
        sequencer: Some(format!("{n:016X}")),
        size,
    }
}

/// Queues a deletion for each recorded file that is gone once its settling
/// time is over; returns how many were queued. A file that is back (saved
/// by replacing it) is no deletion: its new state is an upload.
async fn queue_deletions(
    gone: &mut HashMap<PathBuf, Instant>,
    objects: &DirObjects,
    queue: &SqliteQueue,
) -> u64 {
    let now = Instant::now();
    let due = due_paths(gone, now, |due| *due);
    let mut keys = Vec::new();
    for path in due {
        gone.remove(&path);
        if path.exists() {
            continue;
        }
        let Some(key) = objects.key_of(&path) else {
            continue;
        };
        match queue.is_recorded(&key).await {
            Ok(true) => keys.push((path, key)),
            // Never queued (a temporary file, or one deleted before it
            // settled): nothing came from it.
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(key = %shared::object_id::logged(&key), %error, "cannot check the queue; trying again");
                gone.insert(path, now + RETRY);
            }
        }
    }
    if keys.is_empty() {
        return 0;
    }
    let Some(first) = reserve(queue, keys.len()).await else {
        gone.extend(keys.into_iter().map(|(path, _)| (path, now + RETRY)));
        return 0;
    };
    let mut jobs = Vec::new();
    for (n, (_, key)) in (first..).zip(&keys) {
        let removal = local_upload(key.clone(), n, None);
        jobs.extend(watcher::handle_removal(removal));
    }
    let forgotten: Vec<String> = keys.iter().map(|(_, key)| key.clone()).collect();
    if let Err(error) = queue.send_for_deletions(&jobs, &forgotten).await {
        tracing::warn!(%error, "cannot queue deletions; trying again");
        gone.extend(keys.into_iter().map(|(path, _)| (path, now + RETRY)));
        return 0;
    }
    jobs.len() as u64
}

/// The key of a file below the bucket folder whose name is not UTF-8, with
/// the invalid bytes replaced (U+FFFD).
fn lossy_key(bucket: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(bucket).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use shared::job::Payload;
    use shared::refusal::Refusal;

    use super::*;

    #[test]
    fn temporary_files_are_not_uploads() {
        for name in [
            ".pie.json.partial",
            ".#pie.json",
            "pie.json~",
            "pie.json.tmp",
            "pie.json.swp",
        ] {
            assert!(is_temporary(Path::new(name)), "{name}");
        }
        assert!(!is_temporary(Path::new("makes/sunday dinner+1.json")));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_that_is_not_utf8_is_refused_not_dropped() {
        use std::os::unix::ffi::OsStrExt as _;
        let bucket = Path::new("/data/bucket");
        let path = bucket.join(std::ffi::OsStr::from_bytes(b"makes/caf\xE9.json"));
        let key = lossy_key(bucket, &path).expect("a key");
        assert_eq!(key, "makes/caf\u{FFFD}.json");
        let upload = watcher::Upload {
            bucket: LOCAL_BUCKET.to_owned(),
            key: key.clone(),
            version_id: None,
            e_tag: None,
            sequencer: Some("5:1".to_owned()),
            size: Some(5),
        };
        let job = watcher::handle_bad_key(upload, &key).expect("a rejection job");
        assert!(matches!(
            &job.payload,
            Payload::Rejected(Refusal { code, .. }) if code == "bad-key"
        ));
    }
}
