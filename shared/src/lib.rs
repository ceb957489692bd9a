//! The recipe domain, shared by every part of the chain: the recipe model
//! and its two input formats, units and quantities, the semantic diff, the
//! limits that keep hostile input out, the job contract and the ports. The
//! core has no AWS types; the adapters live behind features (`aws`: S3,
//! SQS, DynamoDB; `local`: a directory, a SQLite queue and store).

#[cfg(feature = "aws")]
pub mod aws;
pub mod canonical;
pub mod clock;
pub mod diff;
pub mod ingredient_line;
pub mod insights;
pub mod job;
pub mod keys;
pub mod limits;
#[cfg(feature = "local")]
pub mod local;
pub mod model;
pub mod parse;
pub mod path;
pub mod ports;
pub mod quantity;
pub mod rejection;
pub mod store;
pub mod text;
pub mod units;

pub use diff::{Change, MakeDiff, diff, diff_make};
pub use limits::Limits;
pub use model::{Ingredient, Make, MakeId, Recipe, RecipeId, Step};
pub use parse::{Format, parse_make, parse_recipe};
pub use rejection::{RejectReason, Rejection};
