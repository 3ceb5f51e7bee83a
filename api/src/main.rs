//! The `sheaf` binary: sets up logging, parses the command line and hands it to
//! [`sheaf_api::cli::run`].

use std::io;
use std::process::ExitCode;

use clap::Parser;
use sheaf_api::cli::{Cli, run};

fn main() -> ExitCode {
    // Logs go to stderr, filtered by RUST_LOG (default: info).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .init();
    let code = run(
        &Cli::parse(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    ExitCode::from(code)
}
