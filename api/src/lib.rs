//! sheaf-api: the `sheaf` binary's library. So far the command line (`sheaf verify`) and the
//! size-capped reading of the files it is given; the HTTP service, the queue and the epoch
//! scheduler will live here too (`shared/DESIGN.md`, "Crates and folders").

pub mod cli;
pub mod input;
