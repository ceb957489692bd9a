//! The embedded adapters (feature `local`): a directory as the bucket and a
//! durable SQLite queue. The SQLite recipe store is `crate::store::sqlite`.

mod objects;
mod queue;

pub use objects::DirObjects;
pub use queue::{QueueConfig, QueueStats, Received, SqliteQueue};
