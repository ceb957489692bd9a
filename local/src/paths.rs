//! Where the embedded chain keeps things: one data folder holding the bucket
//! folder, the queue, the store, the erasure journal and the write token.

use std::path::{Path, PathBuf};

use shared::keys::WATCHED_PREFIXES;

/// The data folder's layout.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The data folder.
    pub data: PathBuf,
    /// The bucket folder (`recipes/` and `makes/` below it).
    pub bucket: PathBuf,
    /// The job queue (SQLite).
    pub queue: PathBuf,
    /// The recipe store (SQLite).
    pub store: PathBuf,
    /// The write token of the running chain.
    pub token: PathBuf,
    /// The secret that object ids are keyed hashes under (see
    /// `shared::object_id`): made once, kept for the data folder's life.
    pub object_id_secret: PathBuf,
    /// The erasure journal: every erasure, by keyed hashes, apart from the
    /// store file, so that a store put back from a copy can have them
    /// applied again (`recipe-chain erasures replay`).
    pub journal: PathBuf,
}

impl Paths {
    /// The layout under `data` (made absolute, so that printed paths can be pasted).
    pub fn new(data: &Path) -> Self {
        let data = std::path::absolute(data).unwrap_or_else(|_| data.to_path_buf());
        Self {
            bucket: data.join("bucket"),
            queue: data.join("queue.sqlite3"),
            store: data.join("store.sqlite3"),
            token: data.join("write-token"),
            object_id_secret: data.join("object-id-secret"),
            journal: data.join("erasures.jsonl"),
            data,
        }
    }

    /// Creates the folders; the data folder is readable by its owner only
    /// (0700), whatever the umask, as the store, the queue and the secrets
    /// in it are.
    pub fn create(&self) -> Result<(), String> {
        for prefix in WATCHED_PREFIXES {
            let dir = self.bucket.join(prefix.trim_end_matches('/'));
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        owner_only(&self.data, 0o700)
    }

    /// Makes the store's and the queue's files readable by the owner only
    /// (0600); SQLite gives their logs the same mode.
    pub fn protect_databases(&self) -> Result<(), String> {
        for file in [&self.store, &self.queue] {
            owner_only(file, 0o600)?;
        }
        Ok(())
    }
}

/// A new random write token: 128 bits from the operating system's random
/// source, as hexadecimal.
pub fn new_token() -> Result<String, String> {
    Ok(hex(&random::<16>("the write token")?))
}

/// `N` bytes from the operating system's random source, for `what`.
fn random<const N: usize>(what: &str) -> Result<[u8; N], String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random bytes for {what}: {e}"))?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sets `path`'s mode (on Unix; elsewhere the folder's ACLs decide).
fn owner_only(path: &Path, mode: u32) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("cannot restrict {} to its owner: {e}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The data folder's object-id secret: read from its file, or, the first
/// time, 256 bits from the operating system's random source written there
/// (readable by the owner only). Tombstones in the store are keyed hashes
/// under it, so it must outlive every run on this folder.
pub fn object_ids(path: &Path) -> Result<shared::store::ObjectIds, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => shared::store::ObjectIds::from_hex(&text)
            .map_err(|reason| format!("{}: {reason}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = random::<{ shared::object_id::MIN_SECRET_BYTES }>("the object-id secret")?;
            write_token(path, &hex(&secret))?;
            shared::store::ObjectIds::new(&secret)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes the token where the tools can read it, readable by the owner
/// only. The file is made anew (`O_EXCL`): whatever was at the path is
/// removed first, and a link planted there in between makes the write
/// fail rather than be followed.
pub fn write_token(path: &Path, token: &str) -> Result<(), String> {
    use std::io::Write as _;
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot replace {}: {e}", path.display())),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(token.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
