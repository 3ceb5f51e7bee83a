//! The `sheaf` binary: parses the command line, sets up logging and hands the command to
//! [`sheaf_api::cli::run`].

use std::io;
use std::process::ExitCode;

use clap::Parser;
use sheaf_api::cli::{Cli, LogFormat, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr, filtered by RUST_LOG (default: info; warn for the demo).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(cli.command.default_log_level()));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    // Unlocked handles: each write takes the lock, so the service's threads (logs, progress
    // bars) can write to stderr while a command runs.
    let code = run(&cli, &mut io::stdout(), &mut io::stderr());
    ExitCode::from(code)
}
