//! Shared by the store tests.
#![allow(dead_code, missing_docs)]

pub mod contract;
