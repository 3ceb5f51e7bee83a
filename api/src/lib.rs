//! sheaf-api: the `sheaf` binary's library: the command line (`sheaf verify`, `sheaf serve`),
//! the size-capped reading of the files it is given, and the HTTP service (`shared/DESIGN.md`,
//! "API"): routes, the batched verifier, the store (sqlx, SQLite) and epochs.

pub mod chain;
pub mod cli;
pub mod epochs;
pub mod error;
pub mod hex32;
pub mod input;
pub mod metrics;
pub mod routes;
pub mod serve;
pub mod store;
pub mod verifier;
