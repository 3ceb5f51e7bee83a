//! Criterion benches of sheaf-kernels (the CPU backend) next to arkworks on the same inputs.
//!
//! Ids are `<bench>/<implementation>/2^<log_n>`, e.g. `msm_g1/cpu/2^16` and
//! `msm_g1/arkworks/2^16`. The sizes are the constants below; setting `SHEAF_BENCH_MAX_LOG=k`
//! skips every size above `2^k` (handy for a quick `cargo bench -p sheaf-benches -- --test`).
//! For the side-by-side table with result checks, use the `compare` binary instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use sheaf_benches::{
    DEFAULT_SEED, random_g1_bases, random_g2_bases, random_ntt_input, random_scalars,
};
use sheaf_kernels::{Backend, BackendKind, Msm, Ntt};

/// log2 sizes of the G1 MSM benches.
const MSM_G1_LOGS: &[u32] = &[12, 16];
/// log2 sizes of the G2 MSM benches.
const MSM_G2_LOGS: &[u32] = &[12, 14];
/// log2 sizes of the forward NTT benches. With the naive O(n²) placeholder NTT, 2^16 and above
/// take minutes per iteration: cap them with `SHEAF_BENCH_MAX_LOG` while it is in place.
const NTT_LOGS: &[u32] = &[12, 16, 20];

/// Environment variable that caps every size list above.
const MAX_LOG_ENV: &str = "SHEAF_BENCH_MAX_LOG";

/// The sizes of `logs` allowed by `SHEAF_BENCH_MAX_LOG` (all of them when it is unset).
fn sizes(logs: &[u32]) -> Vec<u32> {
    let cap = std::env::var(MAX_LOG_ENV).ok().map(|v| {
        v.trim()
            .parse::<u32>()
            .expect("SHEAF_BENCH_MAX_LOG must be a whole number")
    });
    logs.iter()
        .copied()
        .filter(|&log_n| cap.is_none_or(|cap| log_n <= cap))
        .collect()
}

fn backend() -> Backend {
    Backend::new(BackendKind::Cpu).expect("the CPU backend is always available")
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// Settings for benches whose iterations take milliseconds to seconds: a flat sampling plan
/// with a short warm-up and measurement, so a group costs seconds rather than minutes.
fn configure(group: &mut Group<'_>) {
    group
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

/// Samples per benchmark of size `2^log_n`: the criterion minimum (10) from `2^13` on, where
/// one iteration takes tens of milliseconds or more.
fn set_sample_size(group: &mut Group<'_>, log_n: u32) {
    group.sample_size(if log_n <= 12 { 30 } else { 10 });
}

fn bench_msm<G>(
    c: &mut Criterion,
    name: &str,
    logs: &[u32],
    bases_for: fn(u32, u64) -> Vec<G::Affine>,
) where
    G: CurveGroup<ScalarField = Fr>,
    Backend: Msm<G>,
{
    let logs = sizes(logs);
    let Some(&max_log) = logs.iter().max() else {
        return;
    };
    let backend = backend();
    let bases = bases_for(max_log, DEFAULT_SEED);
    let scalars = random_scalars(max_log, DEFAULT_SEED);
    let mut group = c.benchmark_group(name);
    configure(&mut group);
    for log_n in logs {
        let n = 1usize << log_n;
        let (bases, scalars) = (&bases[..n], &scalars[..n]);
        set_sample_size(&mut group, log_n);
        let size = format!("2^{log_n}");
        group.bench_function(BenchmarkId::new(backend.kind().name(), &size), |b| {
            b.iter(|| Msm::<G>::msm(&backend, bases, scalars).unwrap());
        });
        group.bench_function(BenchmarkId::new("arkworks", &size), |b| {
            b.iter(|| G::msm(bases, scalars).unwrap());
        });
    }
    group.finish();
}

fn msm_g1(c: &mut Criterion) {
    bench_msm::<G1Projective>(c, "msm_g1", MSM_G1_LOGS, random_g1_bases);
}

fn msm_g2(c: &mut Criterion) {
    bench_msm::<G2Projective>(c, "msm_g2", MSM_G2_LOGS, random_g2_bases);
}

fn ntt(c: &mut Criterion) {
    let logs = sizes(NTT_LOGS);
    let Some(&max_log) = logs.iter().max() else {
        return;
    };
    let backend = backend();
    let values = random_ntt_input(max_log, DEFAULT_SEED);
    let mut group = c.benchmark_group("ntt");
    configure(&mut group);
    for log_n in logs {
        let n = 1usize << log_n;
        let input = &values[..n];
        set_sample_size(&mut group, log_n);
        let domain = Radix2EvaluationDomain::<Fr>::new(n).expect("BN254 Fr has 2-adicity 28");
        let size = format!("2^{log_n}");
        group.bench_function(BenchmarkId::new(backend.kind().name(), &size), |b| {
            b.iter_batched(
                || input.to_vec(),
                |mut v| {
                    backend.ntt(&mut v).unwrap();
                    v
                },
                BatchSize::LargeInput,
            );
        });
        group.bench_function(BenchmarkId::new("arkworks", &size), |b| {
            b.iter_batched(
                || input.to_vec(),
                |mut v| {
                    domain.fft_in_place(&mut v);
                    v
                },
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

criterion_group!(kernels, msm_g1, msm_g2, ntt);
criterion_main!(kernels);
