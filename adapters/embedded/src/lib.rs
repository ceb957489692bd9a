//! The embedded adapters of the domain's ports, for the chain on one
//! machine: a directory as the bucket ([`DirObjects`]), a durable SQLite
//! queue ([`SqliteQueue`]) and the SQLite recipe store ([`SqliteStore`]).

mod objects;
mod queue;
mod store;

pub use objects::DirObjects;
pub use queue::{QueueConfig, QueueStats, Received, SqliteQueue};
pub use store::SqliteStore;
