//! The `sheaf` binary: parses the command line and hands it to [`sheaf_api::cli::run`].

use std::io;
use std::process::ExitCode;

use clap::Parser;
use sheaf_api::cli::{Cli, run};

fn main() -> ExitCode {
    let code = run(
        &Cli::parse(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    ExitCode::from(code)
}
