//! The watcher: turns uploads into jobs for the sender.
