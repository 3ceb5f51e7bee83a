//! `compare kernels`: MSM (G1, G2) and NTT on a sheaf-kernels backend vs arkworks.

use std::ops::RangeInclusive;

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use clap::{Args, ValueEnum};
use serde::Serialize;
use sheaf_benches::{
    DEFAULT_SEED, PairTiming, alternate_ms_batched, random_g1_bases, random_g2_bases,
    random_ntt_input, random_scalars,
};
use sheaf_kernels::{Backend, BackendKind, MAX_LOG_NTT, Msm, Ntt};

use crate::{
    DEFAULT_BUDGET_S, DEFAULT_RUNS, Failure, Reporter, backend_parser, default_runs, round4, timed,
};

/// The peer every kernel case is compared against.
const PEER: &str = "arkworks";

#[derive(Args, Debug)]
pub(crate) struct KernelsArgs {
    /// Print one JSON object per case on stdout; headers and progress go to stderr.
    #[arg(long)]
    json: bool,

    /// The sheaf-kernels backend to time.
    #[arg(long, default_value = "cpu", value_parser = backend_parser())]
    backend: BackendKind,

    /// Timed runs per implementation and case [default: as many as fit in about 2 s, between
    /// 3 and 31, odd].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    runs: Option<u32>,

    /// Smallest size, as log2 [default: 12 for every bench].
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_LOG_NTT)))]
    pub(crate) min_log: Option<u32>,

    /// Largest size, as log2 [default: 20 for msm_g1, 18 for msm_g2, 22 for ntt].
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_LOG_NTT)))]
    pub(crate) max_log: Option<u32>,

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

fn table_header(reporter: &Reporter) -> std::io::Result<()> {
    reporter.note(&format!(
        "{:<8} {:>5}  {:<7} {:>12} {:>12} {:>7} {:>5}",
        "bench", "log_n", "backend", "ours ms", "peer ms", "ratio", "runs"
    ))
}

fn table_row(report: &CaseReport, runs: u32) -> String {
    format!(
        "{:<8} {:>5}  {:<7} {:>12.3} {:>12.3} {:>7.3} {:>5}",
        report.bench,
        report.log_n,
        report.backend,
        report.ours_ms,
        report.peer_ms,
        report.ratio,
        runs
    )
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

pub(crate) fn run(args: &KernelsArgs) -> Result<(), Failure> {
    let backend = Backend::new(args.backend).map_err(Failure::Unavailable)?;
    let reporter = Reporter { json: args.json };
    let kind = backend.kind().name();

    reporter.note(&format!(
        "# compare kernels: sheaf-kernels ({kind}) vs {PEER}"
    ))?;
    reporter.machine_header()?;
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
    table_header(&reporter)?;

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
            reporter.case(&report, &table_row(&report, runs))?;
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
