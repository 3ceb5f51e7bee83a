//! `cuda-bench`: device-time medians of the CUDA kernels with their inputs resident on the GPU
//! (CUDA events around the kernels; uploads and downloads not counted), each case first
//! checked against arkworks.
//!
//! ```text
//! cuda-bench [--msm-g1 16..=24] [--msm-g2 16..=22] [--ntt 16..=26] [--runs 11] [--json]
//!            [--check-max-g1 22] [--check-max-g2 20] [--check-max-ntt 22] [--seed S]
//! ```
//!
//! Correctness: up to the `--check-max-*` sizes the result is compared with arkworks (MSM:
//! `VariableBaseMSM::msm`; NTT: `Radix2EvaluationDomain::fft`). Above them, where arkworks
//! would take most of the run, the MSM is checked by additivity on the device,
//! `msm(B, a) = msm(B[..h], a[..h]) + msm(B[h..], a[h..])`, whose halves were checked at the
//! smaller sizes, and the NTT by `intt(ntt(x)) = x`. A mismatch exits with status 1; a missing
//! device exits with status 2.
//!
//! Output: a table (or JSON lines with `--json`), and a Markdown table for benches/RESULTS.md.

use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Instant;

use ark_bn254::{Fr, g1, g2};
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use clap::Parser;
use serde::Serialize;
use sheaf_benches::{
    DEFAULT_SEED, median, random_g1_bases, random_g2_bases, random_ntt_input, random_scalars,
};
use sheaf_kernels::cuda::{CudaBackend, CudaCurve};
use sheaf_kernels::{KernelError, Ntt, NttDirection};

#[derive(Parser, Debug)]
#[command(
    name = "cuda-bench",
    about = "Device-time medians of the CUDA MSM and NTT kernels"
)]
struct Cli {
    /// log2 sizes of the G1 MSMs, as A..=B (empty to skip).
    #[arg(long, default_value = "16..=24", value_parser = parse_range)]
    msm_g1: RangeInclusive<u32>,
    /// log2 sizes of the G2 MSMs.
    #[arg(long, default_value = "16..=22", value_parser = parse_range)]
    msm_g2: RangeInclusive<u32>,
    /// log2 sizes of the forward NTTs.
    #[arg(long, default_value = "16..=26", value_parser = parse_range)]
    ntt: RangeInclusive<u32>,
    /// Timed runs per case (the median is reported).
    #[arg(long, default_value_t = 11)]
    runs: usize,
    /// Largest G1 MSM (log2) compared with arkworks.
    #[arg(long, default_value_t = 22)]
    check_max_g1: u32,
    /// Largest G2 MSM (log2) compared with arkworks.
    #[arg(long, default_value_t = 20)]
    check_max_g2: u32,
    /// Largest NTT (log2) compared with arkworks.
    #[arg(long, default_value_t = 22)]
    check_max_ntt: u32,
    /// Print one JSON object per case.
    #[arg(long)]
    json: bool,
    /// Seed of the inputs.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

fn parse_range(s: &str) -> Result<RangeInclusive<u32>, String> {
    if s.trim().is_empty() || s == "none" {
        return Ok(RangeInclusive::new(1, 0)); // empty
    }
    let (a, b) = s
        .split_once("..=")
        .or_else(|| s.split_once(".."))
        .unwrap_or((s, s));
    let a: u32 = a.trim().parse().map_err(|e| format!("{s}: {e}"))?;
    let b: u32 = b.trim().parse().map_err(|e| format!("{s}: {e}"))?;
    Ok(a..=b)
}

#[derive(Serialize)]
struct Case {
    bench: &'static str,
    log_n: u32,
    device_ms_median: f64,
    device_ms_min: f64,
    runs: usize,
    checked: &'static str,
}

enum Failure {
    Unavailable(KernelError),
    Kernel(KernelError),
    Mismatch(String),
}

impl From<KernelError> for Failure {
    fn from(e: KernelError) -> Self {
        Failure::Kernel(e)
    }
}

fn report(cli: &Cli, rows: &mut Vec<Case>, case: Case) {
    if cli.json {
        println!("{}", serde_json::to_string(&case).unwrap_or_default());
    } else {
        println!(
            "{:<8} {:>5} {:>12.3} {:>12.3} {:>5}  {}",
            case.bench,
            case.log_n,
            case.device_ms_median,
            case.device_ms_min,
            case.runs,
            case.checked
        );
    }
    rows.push(case);
}

fn msm_cases<C: CudaCurve>(
    cli: &Cli,
    b: &CudaBackend,
    bench: &'static str,
    logs: RangeInclusive<u32>,
    check_max: u32,
    bases_fn: fn(u32, u64) -> Vec<Affine<C>>,
    rows: &mut Vec<Case>,
) -> Result<(), Failure>
where
    Projective<C>: VariableBaseMSM<MulBase = Affine<C>, ScalarField = Fr>,
{
    let Some(&max) = logs.clone().collect::<Vec<_>>().last() else {
        return Ok(());
    };
    let started = Instant::now();
    let bases = bases_fn(max, cli.seed);
    let scalars = random_scalars(max, cli.seed);
    eprintln!(
        "# {bench}: inputs up to 2^{max} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let prepared = b.prepare_bases(&bases)?;
    for log_n in logs {
        let n = 1usize << log_n;
        let s = &scalars[..n];
        // The first run also warms up (kernel loading, the stream-ordered memory pool).
        let (got, _) = b.time_msm_resident(&prepared, s, 1)?;
        let checked = if log_n <= check_max {
            let want = <Projective<C> as VariableBaseMSM>::msm(&bases[..n], s)
                .map_err(|_| Failure::Mismatch("arkworks length mismatch".into()))?;
            if got != want {
                return Err(Failure::Mismatch(format!(
                    "{bench} 2^{log_n}: CUDA {} != arkworks {}",
                    got.into_affine(),
                    want.into_affine()
                )));
            }
            "= arkworks"
        } else {
            let h = n / 2;
            let lo = b.msm_prepared(&prepared, &s[..h])?;
            let hi_bases = b.prepare_bases(&bases[h..n])?;
            let hi = b.msm_prepared(&hi_bases, &s[h..])?;
            if got != lo + hi {
                return Err(Failure::Mismatch(format!(
                    "{bench} 2^{log_n}: halves do not add up"
                )));
            }
            "= sum of halves"
        };
        let (_, times) = b.time_msm_resident(&prepared, s, cli.runs)?;
        let times: Vec<f64> = times.into_iter().map(f64::from).collect();
        let case = Case {
            bench,
            log_n,
            device_ms_median: median(&times),
            device_ms_min: times.iter().copied().fold(f64::INFINITY, f64::min),
            runs: times.len(),
            checked,
        };
        report(cli, rows, case);
    }
    Ok(())
}

fn ntt_cases(cli: &Cli, b: &CudaBackend, rows: &mut Vec<Case>) -> Result<(), Failure> {
    for log_n in cli.ntt.clone() {
        let input = random_ntt_input(log_n, cli.seed);
        let mut got = input.clone();
        b.ntt(&mut got)?;
        let checked = if log_n <= cli.check_max_ntt {
            let domain = Radix2EvaluationDomain::<Fr>::new(input.len())
                .ok_or_else(|| Failure::Mismatch(format!("no domain of size 2^{log_n}")))?;
            let want = domain.fft(&input);
            if got != want {
                return Err(Failure::Mismatch(format!(
                    "ntt 2^{log_n}: CUDA differs from arkworks"
                )));
            }
            "= arkworks"
        } else {
            b.intt(&mut got)?;
            if got != input {
                return Err(Failure::Mismatch(format!(
                    "ntt 2^{log_n}: intt(ntt(x)) != x"
                )));
            }
            "intt(ntt(x)) = x"
        };
        let times = b.time_ntt_resident(&input, 1, NttDirection::Forward, None, cli.runs + 1)?;
        // The first timed run includes the twiddle-table upload; drop it.
        let times: Vec<f64> = times.into_iter().skip(1).map(f64::from).collect();
        let case = Case {
            bench: "ntt",
            log_n,
            device_ms_median: median(&times),
            device_ms_min: times.iter().copied().fold(f64::INFINITY, f64::min),
            runs: times.len(),
            checked,
        };
        report(cli, rows, case);
    }
    Ok(())
}

fn run(cli: &Cli) -> Result<Vec<Case>, Failure> {
    let b = CudaBackend::new().map_err(Failure::Unavailable)?;
    let started = Instant::now();
    b.warm_up()?;
    eprintln!(
        "# device: {}; kernels ready in {:.1} s",
        b.device_name(),
        started.elapsed().as_secs_f64()
    );
    if !cli.json {
        println!("# cuda-bench on {}", b.device_name());
        println!(
            "{:<8} {:>5} {:>12} {:>12} {:>5}  check",
            "bench", "log_n", "median ms", "min ms", "runs"
        );
    }
    let mut rows = Vec::new();
    msm_cases::<g1::Config>(
        cli,
        &b,
        "msm_g1",
        cli.msm_g1.clone(),
        cli.check_max_g1,
        random_g1_bases,
        &mut rows,
    )?;
    msm_cases::<g2::Config>(
        cli,
        &b,
        "msm_g2",
        cli.msm_g2.clone(),
        cli.check_max_g2,
        random_g2_bases,
        &mut rows,
    )?;
    ntt_cases(cli, &b, &mut rows)?;
    eprintln!("\n| bench | log n | device ms (median) | min ms | runs | check |");
    eprintln!("|---|---:|---:|---:|---:|---|");
    for r in &rows {
        eprintln!(
            "| {} | {} | {:.3} | {:.3} | {} | {} |",
            r.bench, r.log_n, r.device_ms_median, r.device_ms_min, r.runs, r.checked
        );
    }
    Ok(rows)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(_) => ExitCode::SUCCESS,
        Err(Failure::Unavailable(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Kernel(e)) => {
            eprintln!("error: kernel call failed: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Mismatch(m)) => {
            eprintln!("error: results differ: {m}");
            ExitCode::from(1)
        }
    }
}
