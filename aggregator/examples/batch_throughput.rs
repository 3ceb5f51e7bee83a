//! Throughput of batch Groth16 verification (`sheaf_aggregator::verify_batch`) against single
//! verification with a prepared key, ours and ark-groth16's `Groth16::<Bn254>::verify_proof`
//! (one after another, and spread over the rayon pool), on proofs made by ark-groth16.
//!
//! ```text
//! cargo run --release -p sheaf-aggregator --example batch_throughput [-- [--quick] [FILTER]]
//! ```
//!
//! Prints one line per case: `verify/bn254/<what>/l=<nPublic>/n=<batch>: <proofs/s>` (see
//! [`Case`]); with a FILTER, only the cases whose name contains it run (e.g. `batch/l=4`, for
//! profiling).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measurement program: any failure should stop it loudly"
)]

use std::time::{Duration, Instant};

use ark_bn254::{Bn254, Fr};
use ark_ff::Field;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sheaf_aggregator::{BatchItem, PreparedVerifyingKey, Proof, VerifyingKey, verify_batch};

#[path = "../tests/common/mod.rs"]
mod common;
use common::Squares;

struct Fixture {
    ours: PreparedVerifyingKey,
    ark: ark_groth16::PreparedVerifyingKey<Bn254>,
    proofs: Vec<(ark_groth16::Proof<Bn254>, Proof, Vec<Fr>)>,
}

fn fixture(n_public: usize, proofs: usize) -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(n_public as u64);
    let template = Squares {
        w: Fr::ONE,
        n_public,
    };
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(template, &mut rng).unwrap();
    let proofs = (0..proofs)
        .map(|i| {
            let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
            let c = Squares {
                w: Fr::from(rng.r#gen::<u64>()),
                n_public,
            };
            let p = Groth16::<Bn254>::prove(&pk, c.clone(), &mut rng).unwrap();
            let ours = Proof {
                a: p.a,
                b: p.b,
                c: p.c,
            };
            (p, ours, c.publics())
        })
        .collect();
    Fixture {
        ours: PreparedVerifyingKey::new(VerifyingKey {
            alpha_g1: vk.alpha_g1,
            beta_g2: vk.beta_g2,
            gamma_g2: vk.gamma_g2,
            delta_g2: vk.delta_g2,
            ic: vk.gamma_abc_g1.clone(),
        }),
        ark: ark_groth16::prepare_verifying_key(&vk),
        proofs,
    }
}

/// Proofs per second of `run`, which checks `n` proofs, repeated for at least `budget`.
fn rate(n: usize, budget: Duration, mut run: impl FnMut()) -> f64 {
    run(); // warm-up
    let start = Instant::now();
    let mut reps = 0;
    while reps == 0 || start.elapsed() < budget {
        run();
        reps += 1;
    }
    (n * reps) as f64 / start.elapsed().as_secs_f64()
}

/// What one line of output measures.
#[derive(Clone, Copy)]
enum Case {
    /// `verify_batch` over `n` valid proofs.
    Batch(usize),
    /// `verify_batch` over `n` proofs, one of them invalid (in the middle).
    BatchOneInvalid(usize),
    /// `verify_batch` over `n` proofs, all invalid (the worst case of the bisection).
    BatchAllInvalid(usize),
    /// ark-groth16's `verify_proof` on each of 64 proofs, one after another.
    ArkSingle,
    /// ark-groth16's `verify_proof` on 64 proofs spread over the rayon pool.
    ArkSinglePar,
    /// `PreparedVerifyingKey::verify` on 64 proofs spread over the rayon pool.
    SheafSinglePar,
}

impl Case {
    fn name(self, n_public: usize) -> String {
        let (what, n) = match self {
            Case::Batch(n) => ("batch", n),
            Case::BatchOneInvalid(n) => ("batch-one-invalid", n),
            Case::BatchAllInvalid(n) => ("batch-all-invalid", n),
            Case::ArkSingle => ("ark-single", 64),
            Case::ArkSinglePar => ("ark-single-par", 64),
            Case::SheafSinglePar => ("sheaf-single-par", 64),
        };
        format!("verify/bn254/{what}/l={n_public}/n={n}")
    }

    /// Proofs per second over the first proofs of `f`.
    fn run(self, f: &Fixture, budget: Duration) -> f64 {
        let batch = |n: usize, invalid: &[usize]| {
            let mut owned: Vec<(Proof, Vec<Fr>)> = f.proofs[..n]
                .iter()
                .map(|(_, p, s)| (p.clone(), s.clone()))
                .collect();
            for &i in invalid {
                owned[i].1[0] += Fr::ONE;
            }
            owned
        };
        let check = |owned: &[(Proof, Vec<Fr>)], invalid: usize| {
            let items: Vec<BatchItem<'_>> = owned
                .iter()
                .map(|(p, s)| BatchItem::new(&f.ours, p, s))
                .collect();
            let n = items.len();
            rate(n, budget, || {
                assert_eq!(verify_batch(&items).invalid().len(), invalid);
            })
        };
        let sample = &f.proofs[..64];
        match self {
            Case::Batch(n) => check(&batch(n, &[]), 0),
            Case::BatchOneInvalid(n) => check(&batch(n, &[n / 2]), 1),
            Case::BatchAllInvalid(n) => check(&batch(n, &(0..n).collect::<Vec<_>>()), n),
            Case::ArkSingle => rate(64, budget, || {
                for (p, _, s) in sample {
                    assert!(Groth16::<Bn254>::verify_proof(&f.ark, p, s).unwrap());
                }
            }),
            Case::ArkSinglePar => rate(64, budget, || {
                sample.par_iter().for_each(|(p, _, s)| {
                    assert!(Groth16::<Bn254>::verify_proof(&f.ark, p, s).unwrap());
                });
            }),
            Case::SheafSinglePar => rate(64, budget, || {
                sample.par_iter().for_each(|(_, p, s)| {
                    assert!(f.ours.verify(p, s).unwrap());
                });
            }),
        }
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_default();
    let budget = Duration::from_millis(if quick { 300 } else { 2000 });
    let cases = [
        Case::Batch(64),
        Case::Batch(1024),
        Case::BatchOneInvalid(64),
        Case::BatchOneInvalid(1024),
        Case::BatchAllInvalid(64),
        Case::ArkSingle,
        Case::ArkSinglePar,
        Case::SheafSinglePar,
    ];
    println!("rayon threads: {}", rayon::current_num_threads());
    for n_public in [1, 4] {
        let wanted: Vec<Case> = cases
            .into_iter()
            .filter(|c| c.name(n_public).contains(&filter))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let f = fixture(n_public, 1024);
        for case in wanted {
            let r = case.run(&f, budget);
            println!("{}: {r:.0} proofs/s", case.name(n_public));
        }
    }
}
