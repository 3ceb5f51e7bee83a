//! `compare`: times sheaf against its peers side by side, in one process, on the same inputs.
//!
//! ```text
//! cargo run --release -p sheaf-benches --bin compare -- kernels [--json] [--backend cpu|cuda|wgpu]
//!     [--runs N] [--min-log A] [--max-log B] [--step S] [--only msm_g1,msm_g2,ntt] [--seed S]
//! ```
//!
//! For every case the runner first runs ours and the peer once on the same input and checks
//! that they agree (exit 1 if not); that untimed run is also the warm-up. It then times them
//! alternately (ours, peer, ours, peer, …) and reports both medians. Plain output is one table
//! row per case, printed as the case finishes; `--json` prints one JSON object per case on
//! stdout and everything else on stderr. An unavailable backend exits with code 2.

use std::fmt;
use std::io::{self, Write};
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Instant;

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use serde::Serialize;
use sheaf_benches::{
    DEFAULT_SEED, PairTiming, alternate_ms_batched, random_g1_bases, random_g2_bases,
    random_ntt_input, random_scalars,
};
use sheaf_kernels::{Backend, BackendKind, KernelError, MAX_LOG_NTT, Msm, Ntt};

/// The peer every kernel case is compared against.
const PEER: &str = "arkworks";

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
    Kernels(KernelsArgs),
}

#[derive(Args, Debug)]
struct KernelsArgs {
    /// Print one JSON object per case on stdout; headers and progress go to stderr.
    #[arg(long)]
    json: bool,

    /// The sheaf-kernels backend to time.
    #[arg(
        long,
        default_value = "cpu",
        value_parser = PossibleValuesParser::new(["cpu", "cuda", "wgpu"])
            .try_map(|name| name.parse::<BackendKind>()),
    )]
    backend: BackendKind,

    /// Timed runs per implementation and case [default: as many as fit in about 2 s, between
    /// 3 and 31, odd].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    runs: Option<u32>,

    /// Smallest size, as log2 [default: 12 for every bench].
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_LOG_NTT)))]
    min_log: Option<u32>,

    /// Largest size, as log2 [default: 20 for msm_g1, 18 for msm_g2, 22 for ntt].
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_LOG_NTT)))]
    max_log: Option<u32>,

    /// Step between log2 sizes (e.g. 2 to run every other size).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    step: u32,

    /// Run only these benches (comma-separated or repeated) [default: all].
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Bench>,

    /// Seed of the random inputs.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// One family of kernel cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Bench {
    /// Multi-scalar multiplication over BN254 G1.
    #[value(name = "msm_g1")]
    MsmG1,
    /// Multi-scalar multiplication over BN254 G2.
    #[value(name = "msm_g2")]
    MsmG2,
    /// Forward NTT over BN254 Fr, natural order in and out.
    #[value(name = "ntt")]
    Ntt,
}

impl Bench {
    const ALL: [Bench; 3] = [Bench::MsmG1, Bench::MsmG2, Bench::Ntt];

    fn name(self) -> &'static str {
        match self {
            Bench::MsmG1 => "msm_g1",
            Bench::MsmG2 => "msm_g2",
            Bench::Ntt => "ntt",
        }
    }

    /// The log2 sizes run when neither `--min-log` nor `--max-log` is given.
    fn default_logs(self) -> RangeInclusive<u32> {
        match self {
            Bench::MsmG1 => 12..=20,
            Bench::MsmG2 => 12..=18,
            Bench::Ntt => 12..=22,
        }
    }
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
            Failure::Peer(msg) => write!(f, "{PEER} failed: {msg}"),
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

/// One finished case, in the `--json` line format (`ratio = peer_ms / ours_ms`).
#[derive(Serialize)]
struct CaseReport {
    bench: &'static str,
    log_n: u32,
    backend: &'static str,
    ours_ms: f64,
    peer: &'static str,
    peer_ms: f64,
    ratio: f64,
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

    fn table_header(&self) -> io::Result<()> {
        self.note(&format!(
            "{:<8} {:>5}  {:<7} {:>12} {:>12} {:>7} {:>5}",
            "bench", "log_n", "backend", "ours ms", "peer ms", "ratio", "runs"
        ))
    }

    fn case(&self, report: &CaseReport, runs: u32) -> io::Result<()> {
        let row = format!(
            "{:<8} {:>5}  {:<7} {:>12.3} {:>12.3} {:>7.3} {:>5}",
            report.bench,
            report.log_n,
            report.backend,
            report.ours_ms,
            report.peer_ms,
            report.ratio,
            runs
        );
        if self.json {
            let line = serde_json::to_string(report).map_err(io::Error::other)?;
            let mut out = io::stdout().lock();
            writeln!(out, "{line}")?;
            out.flush()?;
            self.progress(&row);
            Ok(())
        } else {
            self.note(&row)
        }
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

/// Runs ours and the peer once on the case (untimed, the warm-up), fails if they disagree, and
/// returns the time the slower of the two took.
fn check_msm<G>(backend: &Backend, bases: &[G::Affine], scalars: &[Fr]) -> Result<f64, Failure>
where
    G: CurveGroup<ScalarField = Fr>,
    Backend: Msm<G>,
{
    let (ours, ours_ms) = timed(|| backend.msm(bases, scalars));
    let (peer, peer_ms) = timed(|| G::msm(bases, scalars));
    let ours = ours?;
    let peer = peer.map_err(|len| Failure::Peer(format!("MSM length mismatch at {len}")))?;
    if ours != peer {
        return Err(Failure::Mismatch(format!(
            "ours = {}, {PEER} = {}",
            ours.into_affine(),
            peer.into_affine()
        )));
    }
    Ok(ours_ms.max(peer_ms))
}

/// Times ours and the peer's MSM alternately, `runs` times each.
fn time_msm<G>(
    backend: &Backend,
    bases: &[G::Affine],
    scalars: &[Fr],
    runs: u32,
) -> Result<PairTiming, Failure>
where
    G: CurveGroup<ScalarField = Fr>,
    Backend: Msm<G>,
{
    alternate_ms_batched(
        runs as usize,
        0,
        || (),
        |()| Msm::<G>::msm(backend, bases, scalars).map_err(Failure::from),
        |()| G::msm(bases, scalars).map_err(|len| Failure::Peer(format!("MSM failed at {len}"))),
    )
}

fn ntt_domain(n: usize) -> Result<Radix2EvaluationDomain<Fr>, Failure> {
    Radix2EvaluationDomain::<Fr>::new(n)
        .ok_or_else(|| Failure::Peer(format!("no radix-2 domain of size {n}")))
}

/// The NTT counterpart of [`check_msm`].
fn check_ntt(backend: &Backend, input: &[Fr]) -> Result<f64, Failure> {
    let domain = ntt_domain(input.len())?;
    let mut ours = input.to_vec();
    let mut peer = input.to_vec();
    let (ours_result, ours_ms) = timed(|| backend.ntt(&mut ours));
    ours_result?;
    let ((), peer_ms) = timed(|| domain.fft_in_place(&mut peer));
    if ours.len() != peer.len() {
        return Err(Failure::Mismatch(format!(
            "ours has {} values, {PEER} {}",
            ours.len(),
            peer.len()
        )));
    }
    let mut differing = ours
        .iter()
        .zip(&peer)
        .enumerate()
        .filter(|(_, (a, b))| a != b);
    if let Some((first, (a, b))) = differing.next() {
        return Err(Failure::Mismatch(format!(
            "{} of {} values differ; first at index {first}: ours = {a}, {PEER} = {b}",
            differing.count() + 1,
            ours.len()
        )));
    }
    Ok(ours_ms.max(peer_ms))
}

/// Times ours and the peer's forward NTT alternately, `runs` times each, each run on a fresh
/// copy of `input` made outside the timed region.
fn time_ntt(backend: &Backend, input: &[Fr], runs: u32) -> Result<PairTiming, Failure> {
    let domain = ntt_domain(input.len())?;
    alternate_ms_batched(
        runs as usize,
        0,
        || input.to_vec(),
        |mut values| {
            backend.ntt(&mut values)?;
            Ok::<_, Failure>(values)
        },
        |mut values| {
            domain.fft_in_place(&mut values);
            Ok(values)
        },
    )
}

/// The log2 sizes to run for `bench`.
fn logs_for(bench: Bench, args: &KernelsArgs) -> Vec<u32> {
    let defaults = bench.default_logs();
    let min = args.min_log.unwrap_or(*defaults.start());
    let max = args.max_log.unwrap_or(*defaults.end());
    (min..=max).step_by(args.step as usize).collect()
}

fn run_kernels(args: &KernelsArgs) -> Result<(), Failure> {
    let backend = Backend::new(args.backend).map_err(Failure::Unavailable)?;
    let reporter = Reporter { json: args.json };
    let kind = backend.kind().name();

    reporter.note(&format!(
        "# compare kernels: sheaf-kernels ({kind}) vs {PEER}"
    ))?;
    reporter.note(&format!("# date: {}", now()))?;
    reporter.note(&format!(
        "# machine: {} rayon threads, {}",
        rayon::current_num_threads(),
        cpu_model().unwrap_or_else(|| "unknown CPU".to_owned())
    ))?;
    let runs = match args.runs {
        Some(runs) => format!("{runs} timed runs"),
        None => format!(
            "{}-{} timed runs (about {DEFAULT_BUDGET_S} s)",
            DEFAULT_RUNS.start(),
            DEFAULT_RUNS.end()
        ),
    };
    reporter.note(&format!(
        "# each case: one checked untimed run each (the warm-up), then {runs} per \
         implementation, alternating ours/peer; medians; ratio = peer ms / ours ms; seed {}",
        args.seed
    ))?;
    reporter.table_header()?;

    for bench in Bench::ALL {
        if !args.only.is_empty() && !args.only.contains(&bench) {
            continue;
        }
        let logs = logs_for(bench, args);
        let Some(&max_log) = logs.iter().max() else {
            reporter.progress(&format!(
                "# {}: no sizes in the requested range",
                bench.name()
            ));
            continue;
        };
        let (inputs, gen_ms) = timed(|| match bench {
            Bench::MsmG1 => Inputs::G1(
                random_g1_bases(max_log, args.seed),
                random_scalars(max_log, args.seed),
            ),
            Bench::MsmG2 => Inputs::G2(
                random_g2_bases(max_log, args.seed),
                random_scalars(max_log, args.seed),
            ),
            Bench::Ntt => Inputs::Ntt(random_ntt_input(max_log, args.seed)),
        });
        reporter.progress(&format!(
            "# {}: inputs up to 2^{max_log} generated in {:.2} s",
            bench.name(),
            gen_ms / 1e3
        ));

        for log_n in logs {
            let n = 1usize << log_n;
            let case = |failure: Failure| match failure {
                Failure::Mismatch(msg) => {
                    Failure::Mismatch(format!("{} 2^{log_n} on {kind}: {msg}", bench.name()))
                }
                other => other,
            };
            let (runs, timing) = match &inputs {
                Inputs::G1(bases, scalars) => {
                    let (bases, scalars) = (&bases[..n], &scalars[..n]);
                    let check_ms =
                        check_msm::<G1Projective>(&backend, bases, scalars).map_err(case)?;
                    let runs = args.runs.unwrap_or_else(|| default_runs(check_ms));
                    let timing = time_msm::<G1Projective>(&backend, bases, scalars, runs)?;
                    (runs, timing)
                }
                Inputs::G2(bases, scalars) => {
                    let (bases, scalars) = (&bases[..n], &scalars[..n]);
                    let check_ms =
                        check_msm::<G2Projective>(&backend, bases, scalars).map_err(case)?;
                    let runs = args.runs.unwrap_or_else(|| default_runs(check_ms));
                    let timing = time_msm::<G2Projective>(&backend, bases, scalars, runs)?;
                    (runs, timing)
                }
                Inputs::Ntt(values) => {
                    let input = &values[..n];
                    let check_ms = check_ntt(&backend, input).map_err(case)?;
                    let runs = args.runs.unwrap_or_else(|| default_runs(check_ms));
                    (runs, time_ntt(&backend, input, runs)?)
                }
            };
            let report = CaseReport {
                bench: bench.name(),
                log_n,
                backend: kind,
                ours_ms: round4(timing.ours_ms),
                peer: PEER,
                peer_ms: round4(timing.peer_ms),
                ratio: round4(timing.ratio()),
            };
            reporter.case(&report, runs)?;
        }
    }
    Ok(())
}

/// Inputs of one bench at its largest size; smaller cases use prefixes.
enum Inputs {
    G1(Vec<ark_bn254::G1Affine>, Vec<Fr>),
    G2(Vec<ark_bn254::G2Affine>, Vec<Fr>),
    Ntt(Vec<Fr>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Kernels(args) => {
            if let (Some(min), Some(max)) = (args.min_log, args.max_log)
                && min > max
            {
                let mut cli = Cli::command();
                cli.build();
                let message = format!("--min-log {min} is larger than --max-log {max}");
                match cli.find_subcommand_mut("kernels") {
                    Some(kernels) => kernels.error(ErrorKind::ArgumentConflict, message),
                    None => cli.error(ErrorKind::ArgumentConflict, message),
                }
                .exit();
            }
            match run_kernels(&args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => {
                    let _ = writeln!(io::stderr().lock(), "error: {failure}");
                    ExitCode::from(failure.exit_code())
                }
            }
        }
    }
}
