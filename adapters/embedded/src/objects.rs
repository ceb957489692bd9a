//! A directory as the bucket: object keys are paths below its root.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;

use shared::ports::{ObjectError, ObjectPurge, ObjectRef, ObjectStore};

/// The bucket folder. The bucket name in a request is not used: there is one folder.
#[derive(Clone, Debug)]
pub struct DirObjects {
    root: PathBuf,
}

impl DirObjects {
    /// Objects below `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The file behind a key; `None` for keys that would leave the folder
    /// (`..`, absolute paths).
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        let relative = Path::new(key);
        let safe = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        (safe && !key.is_empty()).then(|| self.root.join(relative))
    }

    /// The key of a file below the root (`recipes/pie.json`), with `/`
    /// separators; `None` for files outside it or with non-UTF-8 names.
    pub fn key_of(&self, path: &Path) -> Option<String> {
        let relative = path.strip_prefix(&self.root).ok()?;
        let parts: Option<Vec<&str>> = relative
            .components()
            .map(|c| match c {
                Component::Normal(part) => part.to_str(),
                _ => None,
            })
            .collect();
        Some(parts?.join("/"))
    }
}

/// Writes `bytes` to `path` whole, as one drops a file into the bucket
/// folder: under a hidden partial name first (the watcher ignores hidden
/// files), then renamed, which is atomic, so that the watcher never reads
/// half a file. Creates the folders on the way.
///
/// # Errors
/// When a folder, the partial file or the rename fails; the message names
/// the path.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("upload");
    let partial = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&partial, bytes).map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A failed file operation on `key`: the key by its pseudonym, and what
/// failed by the system's message ("Permission denied (os error 13)": the
/// errors of `std::fs` name no path). The message is logged, and a key may
/// name a person or a dish.
fn io_error(key: &str, error: &std::io::Error) -> ObjectError {
    ObjectError::Transient(format!("{}: {error}", shared::object_id::logged(key)))
}

#[async_trait]
impl ObjectPurge for DirObjects {
    /// Removes the file (a folder keeps no versions).
    async fn purge(&self, key: &str) -> Result<u64, ObjectError> {
        let Some(path) = self.path_of(key) else {
            return Ok(0);
        };
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(1),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(io_error(key, &e)),
        }
    }
}

#[async_trait]
impl ObjectStore for DirObjects {
    async fn size(&self, ObjectRef { key, .. }: ObjectRef<'_>) -> Result<Option<u64>, ObjectError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(key, &e)),
        }
    }

    async fn get(
        &self,
        ObjectRef { key, .. }: ObjectRef<'_>,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        let key = key.to_owned();
        tokio::task::spawn_blocking(move || {
            let file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_error(&key, &e)),
            };
            let size = file.metadata().map_err(|e| io_error(&key, &e))?.len();
            if size > max_bytes {
                return Err(ObjectError::TooLarge {
                    size,
                    limit: max_bytes,
                });
            }
            // Read one byte past the limit: a file that grew since is refused too.
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.take(max_bytes + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| io_error(&key, &e))?;
            if bytes.len() as u64 > max_bytes {
                return Err(ObjectError::TooLarge {
                    size: bytes.len() as u64,
                    limit: max_bytes,
                });
            }
            Ok(Some(bytes))
        })
        .await
        // A join error's text quotes the panic's message: only its kind.
        .map_err(|e| ObjectError::Transient(format!("reading a file {}", ended(&e))))?
    }
}

/// How a blocking task that did not finish ended, without the panic's
/// message, which may quote the data it handled.
pub(crate) fn ended(error: &tokio::task::JoinError) -> &'static str {
    if error.is_panic() {
        "panicked"
    } else {
        "was cancelled"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_folder() {
        let objects = DirObjects::new("/data/bucket");
        assert_eq!(
            objects.path_of("recipes/pie.json"),
            Some(PathBuf::from("/data/bucket/recipes/pie.json"))
        );
        assert_eq!(objects.path_of("../secret"), None);
        assert_eq!(objects.path_of("/etc/passwd"), None);
        assert_eq!(objects.path_of("recipes/../../x"), None);
        assert_eq!(objects.path_of(""), None);
        assert_eq!(
            objects
                .key_of(Path::new("/data/bucket/makes/sunday dinner+1.json"))
                .as_deref(),
            Some("makes/sunday dinner+1.json")
        );
        assert_eq!(objects.key_of(Path::new("/elsewhere/x.json")), None);
    }

    /// A read or a purge that fails names the key by its pseudonym and the
    /// failure by its kind: the message is logged (a key may name a person).
    #[tokio::test]
    async fn a_failed_read_or_purge_names_the_key_by_its_pseudonym() {
        let scratch = testkit::temp_dir("dir-objects-");
        let key = "makes/wrenfeather-anna/notes.json";
        // A folder where the file should be: reading it and removing it fail
        // (for root too), after the key was used to find it.
        std::fs::create_dir_all(scratch.path().join(key)).expect("dir");
        let objects = DirObjects::new(scratch.path());
        let read = objects.get(ObjectRef::new("b", key, None), 1 << 20).await;
        let purge = objects.purge(key).await;
        for failure in [read.map(|_| 0), purge] {
            let Err(ObjectError::Transient(message)) = failure else {
                panic!("expected a transient failure, got {failure:?}");
            };
            assert!(
                message.contains(&shared::object_id::logged(key).to_string())
                    && message.contains("directory"),
                "the message names the key's pseudonym and what failed: {message}"
            );
            assert!(!message.contains("wrenfeather"), "{message}");
        }
    }

    #[tokio::test]
    async fn reads_within_the_limit_and_refuses_beyond_it() {
        let scratch = testkit::temp_dir("dir-objects-");
        let dir = scratch.path();
        std::fs::create_dir_all(dir.join("recipes")).expect("dir");
        std::fs::write(dir.join("recipes/pie.json"), b"{}").expect("write");
        let objects = DirObjects::new(dir);
        assert_eq!(
            objects
                .size(ObjectRef::new("b", "recipes/pie.json", None))
                .await,
            Ok(Some(2))
        );
        assert_eq!(
            objects
                .get(ObjectRef::new("b", "recipes/pie.json", None), 10)
                .await,
            Ok(Some(b"{}".to_vec()))
        );
        assert_eq!(
            objects
                .get(ObjectRef::new("b", "recipes/pie.json", None), 1)
                .await,
            Err(ObjectError::TooLarge { size: 2, limit: 1 })
        );
        assert_eq!(
            objects
                .get(ObjectRef::new("b", "recipes/gone.json", None), 10)
                .await,
            Ok(None)
        );
    }
}
