//! The dashboard in a real browser. Headless Chromium (Debian's `chromium`
//! and `chromium-driver`, installed by `scripts/test-browser-setup`, which
//! `make test` runs) is driven through chromedriver with fantoccini, against
//! the real server on a free loopback port over a temporary SQLite store
//! seeded the way the local chain drops its examples: each pair in
//! `fixtures/pairs` posted as a recipe and then a make. These tests never
//! skip: without a browser they fail and say how to install one.
//!
//! Screenshots of every page are saved under `screenshots/` (git-ignored).
//!
//! The harness (server, chromedriver, page helpers) is in `harness.rs`, the
//! seeded data in `seed.rs`; `walk.rs` walks through the dashboard and
//! `sign_in.rs` signs in. The dashboard's HTTP responses, which need no
//! browser, are checked in `api.rs`.

#[path = "../common/mod.rs"]
mod common;
mod harness;
mod seed;
mod sign_in;
mod walk;
