//! Where the embedded chain keeps things: one data folder holding the bucket
//! folder, the queue, the store and the write token.

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
            data,
        }
    }

    /// Creates the folders.
    pub fn create(&self) -> Result<(), String> {
        for prefix in WATCHED_PREFIXES {
            let dir = self.bucket.join(prefix.trim_end_matches('/'));
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        Ok(())
    }
}

/// A new random write token (128 bits, hex), from the OS-seeded hasher keys.
pub fn new_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut token = String::new();
    for round in 0..2u64 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(round);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        hasher.write_u32(std::process::id());
        token.push_str(&format!("{:016x}", hasher.finish()));
    }
    token
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
            let mut secret = [0u8; shared::object_id::MIN_SECRET_BYTES];
            getrandom::fill(&mut secret)
                .map_err(|e| format!("no random bytes for the object-id secret: {e}"))?;
            let text: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            write_token(path, &text)?;
            shared::store::ObjectIds::new(&secret)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes the token where the tools can read it, readable by the owner only.
pub fn write_token(path: &Path, token: &str) -> Result<(), String> {
    std::fs::write(path, token).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}
