//! The embedded adapters of the domain's ports, for the chain on one
//! machine: a directory as the bucket ([`DirObjects`]), a durable SQLite
//! queue ([`SqliteQueue`]), the SQLite recipe store ([`SqliteStore`]),
//! the dashboard's signed upload forms ([`LocalForms`]) and the erasure
//! journal in a file ([`FileJournal`]).

mod journal;
mod objects;
mod queue;
mod store;
mod uploads;

pub use journal::FileJournal;
pub use objects::{DirObjects, write_whole};
pub use queue::{QueueConfig, QueueStats, Received, SqliteQueue};
pub use store::SqliteStore;
pub use uploads::{FORM_PATH, LocalForms};
