//! sheaf-api: the `sheaf` binary's library: the command line (`sheaf verify`, `serve`,
//! `submit`, `status`, `inclusion verify`, `demo`), the size-capped reading of the files it is
//! given, an HTTP client for the service, and the HTTP service itself (`shared/DESIGN.md`,
//! "API"): routes, access rules, the batched verifier, the store (sqlx: SQLite or
//! PostgreSQL), epochs and their settlement, metrics, the OpenAPI document.

pub mod access;
pub mod chain;
pub mod cli;
pub mod client;
pub mod commands;
pub mod demo;
pub mod epochs;
pub mod error;
pub mod hex32;
pub mod input;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod serve;
pub mod settlement;
pub mod store;
pub mod verifier;
