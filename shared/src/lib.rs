//! The recipe domain, shared by every part of the chain: the recipe model
//! and its two input formats, units and quantities, the semantic diff, the
//! limits that keep hostile input out, the job contract, the wire contract
//! between the sender and the server, and the ports. It depends on no
//! adapter: the AWS adapters (S3, SQS, DynamoDB) are `adapters/aws`, the
//! embedded ones (a directory, a SQLite queue and store) `adapters/embedded`.
//! docs/architecture.md draws the layers.

pub mod canonical;
pub mod clock;
pub mod diff;
pub mod ingredient_line;
pub mod insights;
pub mod job;
pub mod keys;
pub mod limits;
pub mod model;
pub mod numbers;
pub mod object_id;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod parse;
pub mod path;
pub mod ports;
pub mod quantity;
pub mod refusal;
pub mod rejection;
pub use ports::store;
pub mod text;
pub mod units;
pub mod wire;

pub use diff::{Change, MakeDiff, diff, diff_make};
pub use limits::Limits;
pub use model::{Ingredient, Make, MakeId, Recipe, RecipeId, Step};
pub use parse::{Format, parse_make, parse_recipe};
pub use refusal::{Code, Refusal};
pub use rejection::{RejectReason, Rejection};
