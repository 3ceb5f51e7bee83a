//! The `sheaf` command line (clap derive). Each subcommand is a function a test can call with
//! its own output streams; the binary's `main` only parses the arguments and calls [`run`].

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::input::verify_files;
use crate::serve::{ServeArgs, serve_blocking};

/// Exit status of `sheaf verify` for a valid proof.
pub const EXIT_VALID: u8 = 0;
/// Exit status of `sheaf verify` for well-formed files whose proof does not verify.
pub const EXIT_INVALID: u8 = 1;
/// Exit status for unreadable or rejected input (and, from clap, for a bad command line).
pub const EXIT_ERROR: u8 = 2;

/// sheaf: aggregates Groth16 (BN254) proofs from many rollups into one proof per epoch.
#[derive(Debug, Parser)]
#[command(name = "sheaf", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify one snarkjs Groth16 proof.
    ///
    /// Prints "valid" (exit 0) or "invalid" (exit 1). A file that cannot be read or that the
    /// strict parser rejects gives exit 2 and the reason, naming the file.
    Verify(VerifyArgs),
    /// Run the HTTP service until SIGTERM or Ctrl-C.
    ///
    /// Takes snarkjs proofs on `POST /v1/proofs`, verifies them in batches, stores them in
    /// SQLite in the data directory and seals them into epochs with a Merkle root.
    Serve(ServeArgs),
}

/// Files for `sheaf verify`, as snarkjs writes them.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The verifying key (`verification_key.json`).
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// The proof (`proof.json`).
    #[arg(long, value_name = "FILE")]
    pub proof: PathBuf,
    /// The public signals (`public.json`).
    #[arg(long, value_name = "FILE")]
    pub public: PathBuf,
}

/// Runs a parsed command line, writing results to `out` and errors to `err`; returns the exit
/// status.
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match &cli.command {
        Command::Verify(args) => verify(args, out, err),
        Command::Serve(args) => match serve_blocking(args.clone()) {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(err, "sheaf serve: {e:#}");
                EXIT_ERROR
            }
        },
    }
}

/// `sheaf verify`. A failure to write the verdict (a closed pipe) does not change the status.
fn verify(args: &VerifyArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match verify_files(&args.vk, &args.proof, &args.public) {
        Ok(true) => {
            let _ = writeln!(out, "valid");
            EXIT_VALID
        }
        Ok(false) => {
            let _ = writeln!(out, "invalid");
            EXIT_INVALID
        }
        Err(e) => {
            let _ = writeln!(err, "{e}");
            EXIT_ERROR
        }
    }
}
