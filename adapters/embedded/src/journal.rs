//! [`ErasureJournal`] in a file of the data folder (`erasures.jsonl`): one
//! JSON line per recording, appended and synced to disk before the
//! erasure goes on. The store file can be put back from a copy (the
//! local form of a restore); this file is apart from it, so the erasures
//! recorded since can be applied again (`recipe-chain erasures replay`).
//!
//! The file is readable by its owner only (0600), as the other files of
//! the data folder, and holds keyed hashes only
//! ([`shared::ports::journal`]).

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use shared::ports::journal::{ErasureJournal, JournalEntry, JournalError, latest};

/// The erasure journal in one append-only file.
#[derive(Clone, Debug)]
pub struct FileJournal {
    path: PathBuf,
}

impl FileJournal {
    /// The journal in the file at `path` (made at the first recording).
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
        }
    }

    fn failed(&self, doing: &str, error: &std::io::Error) -> JournalError {
        // The path is the data folder's, never an id: entries are hashes.
        JournalError::Unavailable(format!("{doing} {}: {}", self.path.display(), error.kind()))
    }

    fn append(&self, line: &[u8]) -> Result<(), JournalError> {
        let created = !self.path.exists();
        let mut options = std::fs::OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options
            .open(&self.path)
            .map_err(|e| self.failed("opening", &e))?;
        // A recording cut short by a crash leaves a line without its end
        // (its erasure removed nothing, and is recorded again when it is
        // resumed): end it, so that the next line stands on its own.
        let mut last = [0_u8; 1];
        let len = file
            .metadata()
            .map_err(|e| self.failed("reading", &e))?
            .len();
        let mut text = Vec::with_capacity(line.len() + 2);
        if len > 0 {
            file.seek(SeekFrom::Start(len - 1))
                .and_then(|_| file.read_exact(&mut last))
                .map_err(|e| self.failed("reading", &e))?;
            if last[0] != b'\n' {
                text.push(b'\n');
            }
        }
        text.extend_from_slice(line);
        text.push(b'\n');
        // One write of the whole line: appends of other processes (the
        // chain and `recipe-chain erasures replay`) do not interleave.
        file.write_all(&text)
            .and_then(|()| file.sync_all())
            .map_err(|e| self.failed("appending to", &e))?;
        if created {
            // The new file's name is durable only once its folder is.
            if let Some(folder) = self.path.parent() {
                std::fs::File::open(folder)
                    .and_then(|f| f.sync_all())
                    .map_err(|e| self.failed("syncing the folder of", &e))?;
            }
        }
        Ok(())
    }

    fn read(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.failed("reading", &e)),
        };
        let mut entries = Vec::new();
        let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
        for (n, line) in lines.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            match serde_json::from_slice::<JournalEntry>(line) {
                Ok(entry) if entry.is_well_formed() => entries.push(entry),
                // A line cut short by a crash, ended by the next recording
                // (or still the last line): its erasure removed nothing.
                _ if !line.ends_with(b"}") => {}
                _ => {
                    return Err(JournalError::Corrupt(format!(
                        "line {} of {} is not an entry the journal writes",
                        n + 1,
                        self.path.display()
                    )));
                }
            }
        }
        Ok(latest(entries))
    }
}

#[async_trait]
impl ErasureJournal for FileJournal {
    async fn record(&self, entry: &JournalEntry) -> Result<(), JournalError> {
        if !entry.is_well_formed() {
            return Err(JournalError::Corrupt(
                "an entry that is not hashes only".into(),
            ));
        }
        let line = serde_json::to_vec(entry)
            .map_err(|e| JournalError::Corrupt(format!("an entry as JSON: {e}")))?;
        let journal = self.clone();
        tokio::task::spawn_blocking(move || journal.append(&line))
            .await
            .map_err(|e| {
                JournalError::Unavailable(format!("a journal write {}", crate::objects::ended(&e)))
            })?
    }

    async fn entries(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let journal = self.clone();
        tokio::task::spawn_blocking(move || journal.read())
            .await
            .map_err(|e| {
                JournalError::Unavailable(format!("a journal read {}", crate::objects::ended(&e)))
            })?
    }
}

#[cfg(test)]
mod tests {
    use shared::ports::journal::{ErasedKind, recipe_hash};
    use shared::store::{ErasureTarget, ObjectIds};

    use super::*;

    fn entry(recipe: &str, at: &str) -> JournalEntry {
        let target = ErasureTarget::Recipe {
            recipe_id: shared::RecipeId::parse(recipe).expect("an id"),
        };
        JournalEntry::of(&ObjectIds::for_tests(), &target, at)
    }

    #[tokio::test]
    async fn a_line_cut_short_by_a_crash_is_ended_and_skipped() {
        let dir = testkit::temp_dir("journal-torn-");
        let path = dir.path().join("erasures.jsonl");
        let journal = FileJournal::new(&path);
        journal
            .record(&entry("pie", "2026-01-01T00:00:00.000Z"))
            .await
            .expect("recorded");
        // A crash in the middle of the next recording.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        file.write_all(br#"{"kind":"recipe","rec"#).expect("torn");
        drop(file);
        assert_eq!(journal.entries().await.expect("read").len(), 1);
        journal
            .record(&entry("tart", "2026-01-02T00:00:00.000Z"))
            .await
            .expect("recorded after the torn line");
        let entries = journal.entries().await.expect("read");
        assert_eq!(entries.len(), 2, "{entries:?}");
        assert!(entries.iter().all(|e| e.kind == ErasedKind::Recipe));
        let tart = recipe_hash(
            &ObjectIds::for_tests(),
            &shared::RecipeId::parse("tart").expect("an id"),
        );
        assert!(entries.iter().any(|e| e.recipe == tart));
    }

    #[tokio::test]
    async fn an_entry_that_is_not_hashes_only_is_neither_written_nor_read() {
        let dir = testkit::temp_dir("journal-free-text-");
        let path = dir.path().join("erasures.jsonl");
        let journal = FileJournal::new(&path);
        let mut bad = entry("pie", "2026-01-01T00:00:00.000Z");
        bad.recipe = "pie".into();
        assert!(journal.record(&bad).await.is_err());
        assert!(!path.exists(), "nothing written");
        std::fs::write(
            &path,
            format!("{}\n", serde_json::to_string(&bad).expect("JSON")),
        )
        .expect("planted");
        assert!(matches!(
            journal.entries().await,
            Err(JournalError::Corrupt(_))
        ));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_file_is_its_owners_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = testkit::temp_dir("journal-mode-");
        let path = dir.path().join("erasures.jsonl");
        FileJournal::new(&path)
            .record(&entry("pie", "2026-01-01T00:00:00.000Z"))
            .await
            .expect("recorded");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
