//! `compare`: times sheaf against its peers side by side, in one process, on the same inputs.
//!
//! ```text
//! cargo run --release -p sheaf-benches --bin compare -- kernels [--json] [--backend cpu|cuda|wgpu]
//!     [--runs N] [--min-log A] [--max-log B] [--step S] [--only msm_g1,msm_g2,ntt] [--seed S]
//! cargo run --release -p sheaf-benches --bin compare -- groth16 [--json] [--backend cpu|cuda|wgpu]
//!     [--only verify,batch,prove,commit] [--prove-logs 16,18] [--runs N]
//! cargo run --release -p sheaf-benches --bin compare -- circuit [--json] [--backend cpu|cuda|wgpu]
//!     [--signals 1,4,16] [--prove-signals 1]
//! cargo run --release -p sheaf-benches --bin compare -- gas [--json] [--sizes 1,8,64,256]
//!     [--circuits multiplier,cubic]
//! cargo run --release -p sheaf-benches --bin compare -- service [--json] [--rates 1000,3000]
//!     [--seconds S] [--max-seconds S] [--connections C] [--backlog N] [--database-url URL]
//! ```
//!
//! `gas` measures gas, not time: one run, no alternation (see `gas.rs`).
//!
//! For every case the runner first runs ours and the peer once on the same input and checks
//! that they agree (exit 1 if not); that untimed run is also the warm-up. It then times them
//! alternately (ours, peer, ours, peer, …) and reports both medians. Plain output is one table
//! row per case, printed as the case finishes; `--json` prints one JSON object per case on
//! stdout and everything else on stderr. An unavailable backend exits with code 2.

mod circuit;
mod commit;
mod gas;
mod groth16;
mod kernels;
mod service;

use std::fmt;
use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Instant;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use serde::Serialize;
use sheaf_kernels::{BackendKind, KernelError};

/// Target time (seconds) spent timing each implementation per case when `--runs` is not given.
const DEFAULT_BUDGET_S: f64 = 2.0;
/// Fewest and most timed runs per implementation chosen from [`DEFAULT_BUDGET_S`].
const DEFAULT_RUNS: RangeInclusive<u32> = 3..=31;

#[derive(Parser, Debug)]
#[command(
    name = "compare",
    about = "Side-by-side timing of sheaf against its peers, in one process"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// MSM over BN254 G1 and G2 and the NTT over BN254 Fr: sheaf-kernels vs arkworks.
    Kernels(kernels::KernelsArgs),
    /// Groth16 single and batch verification throughput, and our prover: sheaf vs ark-groth16.
    Groth16(groth16::Groth16Args),
    /// Recursion: constraints of the emulated BN254 arithmetic and of a whole in-circuit
    /// Groth16 verification, and our prover's time and memory for one.
    Circuit(circuit::CircuitArgs),
    /// Gas per proof on the base layer: SheafAnchor batch mode vs the snarkjs verifier, in revm.
    Gas(gas::GasArgs),
    /// `sheaf serve` under load over loopback HTTP: accepted/s and latency, vs ark-groth16
    /// verifying the same proofs one by one.
    Service(service::ServiceArgs),
}

/// The `--backend` parser shared by the subcommands.
fn backend_parser() -> impl TypedValueParser<Value = BackendKind> {
    PossibleValuesParser::new(["cpu", "cuda", "wgpu"]).try_map(|name| name.parse::<BackendKind>())
}

/// Why a run stopped early.
#[derive(Debug)]
enum Failure {
    /// The requested backend cannot run here (exit code 2).
    Unavailable(KernelError),
    /// Ours and the peer disagree on a result.
    Mismatch(String),
    /// A kernel call returned an error.
    Kernel(KernelError),
    /// The peer could not run the case.
    Peer(String),
    /// Writing the report failed.
    Io(io::Error),
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Unavailable(_) => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Unavailable(err) => write!(f, "{err}"),
            Failure::Mismatch(msg) => write!(f, "results differ: {msg}"),
            Failure::Kernel(err) => write!(f, "kernel call failed: {err}"),
            Failure::Peer(msg) => write!(f, "the peer failed: {msg}"),
            Failure::Io(err) => write!(f, "cannot write the report: {err}"),
        }
    }
}

impl From<KernelError> for Failure {
    fn from(err: KernelError) -> Self {
        Failure::Kernel(err)
    }
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Io(err)
    }
}

/// Where the report goes: the table on stdout, or JSON lines on stdout with the table on stderr.
struct Reporter {
    json: bool,
}

impl Reporter {
    /// Prints a line of the human-readable header.
    fn note(&self, line: &str) -> io::Result<()> {
        if self.json {
            writeln!(io::stderr().lock(), "{line}")
        } else {
            let mut out = io::stdout().lock();
            writeln!(out, "{line}")?;
            out.flush()
        }
    }

    /// Prints a progress message (always on stderr, so stdout stays a clean table or JSON).
    fn progress(&self, line: &str) {
        // Progress is best effort: a closed stderr must not stop the run.
        let _ = writeln!(io::stderr().lock(), "{line}");
    }

    /// Prints one finished case: `row` in the table, `report` as a JSON line with `--json`.
    fn case(&self, report: &impl Serialize, row: &str) -> io::Result<()> {
        if self.json {
            let line = serde_json::to_string(report).map_err(io::Error::other)?;
            let mut out = io::stdout().lock();
            writeln!(out, "{line}")?;
            out.flush()?;
            self.progress(row);
            Ok(())
        } else {
            self.note(row)
        }
    }

    /// The date and machine lines every report starts with.
    fn machine_header(&self) -> io::Result<()> {
        self.note(&format!("# date: {}", now()))?;
        self.note(&format!(
            "# machine: {} rayon threads, {}",
            rayon::current_num_threads(),
            cpu_model().unwrap_or_else(|| "unknown CPU".to_owned())
        ))
    }
}

/// Rounds a millisecond figure for the JSON report (0.1 µs resolution).
fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The CPU model from `/proc/cpuinfo`, if readable.
fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_owned())
}

/// The current UTC date and time from `date(1)`, or seconds since the UNIX epoch.
fn now() -> String {
    let from_date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M:%S UTC"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    from_date.unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        format!("{secs} s since the UNIX epoch")
    })
}

/// Runs per implementation for a case whose untimed run took `check_ms` (the slower of ours and
/// the peer): as many as fit in [`DEFAULT_BUDGET_S`], clamped to [`DEFAULT_RUNS`], made odd so
/// the median is a measured value.
fn default_runs(check_ms: f64) -> u32 {
    let fit = (DEFAULT_BUDGET_S * 1e3 / check_ms.max(1e-3)).floor();
    let runs = fit.clamp(
        f64::from(*DEFAULT_RUNS.start()),
        f64::from(*DEFAULT_RUNS.end()),
    ) as u32;
    if runs.is_multiple_of(2) {
        runs - 1
    } else {
        runs
    }
}

/// Milliseconds taken by `f`, with its result.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64() * 1e3)
}

/// Exits with a usage error naming `subcommand`.
fn usage_error(subcommand: &str, message: String) -> ! {
    let mut cli = Cli::command();
    cli.build();
    match cli.find_subcommand_mut(subcommand) {
        Some(sub) => sub.error(ErrorKind::ArgumentConflict, message),
        None => cli.error(ErrorKind::ArgumentConflict, message),
    }
    .exit()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Kernels(args) => {
            if let (Some(min), Some(max)) = (args.min_log, args.max_log)
                && min > max
            {
                usage_error(
                    "kernels",
                    format!("--min-log {min} is larger than --max-log {max}"),
                );
            }
            kernels::run(&args)
        }
        Command::Groth16(args) => groth16::run(&args),
        Command::Circuit(args) => circuit::run(&args),
        Command::Gas(args) => gas::run(&args),
        Command::Service(args) => service::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let _ = writeln!(io::stderr().lock(), "error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
