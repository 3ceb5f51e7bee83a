//! The `sheaf` command line (clap derive). Each subcommand is a function a test can call with
//! its own output streams; the binary's `main` only parses the arguments, sets up logging and
//! calls [`run`].

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{InclusionArgs, StatusArgs, SubmitArgs, inclusion_verify, status, submit};
use crate::demo::{DemoArgs, demo};
use crate::input::verify_files;
use crate::serve::{ServeArgs, serve_blocking};

/// Exit status of `sheaf verify` for a valid proof (and of every command that succeeded).
pub const EXIT_VALID: u8 = 0;
/// Exit status of `sheaf verify` for well-formed files whose proof does not verify, of
/// `sheaf submit` for a submission the service refused, of `sheaf inclusion verify` for a
/// path that does not lead to the root.
pub const EXIT_INVALID: u8 = 1;
/// Exit status for unreadable or rejected input, an unreachable service (and, from clap, for a
/// bad command line).
pub const EXIT_ERROR: u8 = 2;

/// sheaf: aggregates Groth16 (BN254) proofs from many rollups into one proof per epoch.
#[derive(Debug, Parser)]
#[command(name = "sheaf", version)]
pub struct Cli {
    /// Log format on stderr (the level comes from RUST_LOG, default info).
    #[arg(long, global = true, env = "SHEAF_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
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
    /// Takes snarkjs proofs on `POST /v1/proofs`, verifies them in batches, stores them (SQLite
    /// in the data directory, or PostgreSQL) and seals them into epochs with a Merkle root.
    Serve(ServeArgs),
    /// Submit one snarkjs proof to a service and print its id.
    ///
    /// Exit 0 when accepted (or already accepted in the open epoch), 1 when the service refuses
    /// it (the reason on stderr), 2 when a file or the service cannot be used.
    Submit(SubmitArgs),
    /// Show a proof's status, epoch, leaf, Merkle path, root and anchoring.
    Status(StatusArgs),
    /// Merkle inclusion of statements.
    #[command(subcommand)]
    Inclusion(InclusionCommand),
    /// Run a service in this process, prove and submit fresh proofs, and show their epoch.
    ///
    /// Uses a temporary data directory and an INSECURE development setup for a small circuit.
    Demo(DemoArgs),
}

/// `sheaf inclusion …`.
#[derive(Debug, Subcommand)]
pub enum InclusionCommand {
    /// Check offline that a leaf and its Merkle path lead to a root.
    ///
    /// Prints "included" (exit 0) or "not included" (exit 1); bad input exits 2.
    Verify(InclusionArgs),
}

impl Command {
    /// The log level used when RUST_LOG is not set: the service's own `info` lines would cover
    /// the demo's progress, so it logs warnings only.
    pub fn default_log_level(&self) -> &'static str {
        match self {
            Self::Demo(_) => "warn",
            _ => "info",
        }
    }
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
            Ok(()) => EXIT_VALID,
            Err(e) => {
                let _ = writeln!(err, "sheaf serve: {e:#}");
                EXIT_ERROR
            }
        },
        Command::Submit(args) => submit(args, out, err),
        Command::Status(args) => status(args, out, err),
        Command::Inclusion(InclusionCommand::Verify(args)) => inclusion_verify(args, out, err),
        Command::Demo(args) => demo(args, out, err),
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
