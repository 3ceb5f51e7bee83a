//! `compare groth16`: Groth16 over BN254, sheaf vs ark-groth16 on the same proofs and circuits.
//!
//! - `verify`: single verification with a prepared key, proofs spread over all cores with
//!   rayon, ours vs ark-groth16's `verify_with_processed_vk`, at ℓ = 1 and 4.
//! - `batch`: our batch verification (one multi-Miller loop and one final exponentiation per
//!   batch) of 64 and 1,024 proofs vs ark-groth16 verifying the same proofs one by one on all
//!   cores, at ℓ = 1 and 4.
//! - `prove`: our prover on a kernel backend vs ark-groth16's prover on the `MulChain` circuit
//!   of 2^k constraints (domain exactly 2^k), same proving key. Two cases: from the circuit
//!   (synthesis included; ours synthesizes witness-only, ark-groth16 builds the matrices) and
//!   from a ready assignment and matrices (ark-groth16's
//!   `create_proof_with_reduction_and_matrices`), which isolates the arithmetic.
//! - `commit`: the BSB22 commitment's cost, our committed prover against our plain prover on
//!   the same constraints (see `commit.rs`), at the `--prove-logs` sizes.

use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, R1CS_PREDICATE_LABEL, SynthesisMode,
};
use ark_snark::SNARK;
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use serde::Serialize;
use sheaf_aggregator::prover::{MulChain, Prover, R1cs, dev_setup, synthesize_assignment};
use sheaf_aggregator::{BatchItem, PreparedVerifyingKey, Proof, verify_batch};
use sheaf_benches::{DEFAULT_SEED, PairTiming, alternate_ms_batched};
use sheaf_kernels::{Backend, BackendKind};

use crate::{Failure, Reporter, backend_parser, default_runs, round4, timed};

const PEER: &str = "ark-groth16";

#[derive(Args, Debug)]
pub(crate) struct Groth16Args {
    /// Print one JSON object per case on stdout; headers and progress go to stderr.
    #[arg(long)]
    json: bool,

    /// The sheaf-kernels backend our prover runs on.
    #[arg(long, default_value = "cpu", value_parser = backend_parser())]
    backend: BackendKind,

    /// Timed runs per implementation and case [default: as many as fit in about 2 s, 3 to 31].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    runs: Option<u32>,

    /// Run only these benches (comma-separated or repeated) [default: all].
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Bench>,

    /// Circuit sizes (log2 of the constraint count) for the prover cases.
    #[arg(long, value_delimiter = ',', default_values_t = [16u32, 18],
          value_parser = clap::value_parser!(u32).range(4..=24))]
    prove_logs: Vec<u32>,

    /// Seed of the circuits, keys and randomness.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// One family of Groth16 cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Bench {
    /// Single verification, proofs in parallel.
    Verify,
    /// Batch verification.
    Batch,
    /// Proving.
    Prove,
    /// Proving with a BSB22 commitment, against plain proving.
    Commit,
}

impl Groth16Args {
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    pub(crate) fn runs(&self) -> Option<u32> {
        self.runs
    }
}

/// One finished case (`ratio = peer_ms / ours_ms`; `proofs_per_s` for verification cases).
#[derive(Serialize)]
struct CaseReport {
    bench: String,
    backend: &'static str,
    ours_ms: f64,
    peer: &'static str,
    peer_ms: f64,
    ratio: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    proofs_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer_proofs_per_s: Option<f64>,
}

fn table_header(reporter: &Reporter) -> std::io::Result<()> {
    reporter.note(&format!(
        "{:<28} {:<7} {:>11} {:>11} {:>7} {:>10} {:>10} {:>5}",
        "bench", "backend", "ours ms", "peer ms", "ratio", "ours /s", "peer /s", "runs"
    ))
}

fn table_row(r: &CaseReport, runs: u32) -> String {
    let rate = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |x| format!("{x:.0}"));
    format!(
        "{:<28} {:<7} {:>11.3} {:>11.3} {:>7.3} {:>10} {:>10} {:>5}",
        r.bench,
        r.backend,
        r.ours_ms,
        r.peer_ms,
        r.ratio,
        rate(r.proofs_per_s),
        rate(r.peer_proofs_per_s),
        runs
    )
}

fn to_ark_proof(p: &Proof) -> ark_groth16::Proof<Bn254> {
    p.into()
}

fn peer_err(e: impl std::fmt::Display) -> Failure {
    Failure::Peer(e.to_string())
}

pub(crate) fn ours_err(e: impl std::fmt::Display) -> Failure {
    Failure::Mismatch(format!("sheaf failed: {e}"))
}

pub(crate) fn run(args: &Groth16Args) -> Result<(), Failure> {
    let backend = Backend::new(args.backend).map_err(Failure::Unavailable)?;
    let reporter = Reporter { json: args.json };
    reporter.note(&format!(
        "# compare groth16: sheaf-aggregator (kernels on {}) vs {PEER}",
        backend.kind()
    ))?;
    reporter.machine_header()?;
    reporter.note(&format!(
        "# each case: one checked untimed run each, then timed runs alternating ours/peer; \
         medians; ratio = peer ms / ours ms; seed {}",
        args.seed
    ))?;
    table_header(&reporter)?;
    let wanted = |b: Bench| args.only.is_empty() || args.only.contains(&b);
    if wanted(Bench::Verify) || wanted(Bench::Batch) {
        for num_public in [1, 4] {
            let set = ProofSet::new(&backend, num_public, 1024, args.seed)?;
            if wanted(Bench::Verify) {
                verify_case(args, &backend, &reporter, &set)?;
            }
            if wanted(Bench::Batch) {
                for n in [64, 1024] {
                    batch_case(args, &backend, &reporter, &set, n)?;
                }
            }
        }
    }
    if wanted(Bench::Prove) {
        for &log in &args.prove_logs {
            prove_cases(args, &backend, &reporter, log)?;
        }
    }
    if wanted(Bench::Commit) {
        for &log in &args.prove_logs {
            crate::commit::commit_case(args, &backend, &reporter, log)?;
        }
    }
    Ok(())
}

/// Valid proofs of distinct statements under one key, with both verifiers' prepared keys.
struct ProofSet {
    num_public: usize,
    ours: PreparedVerifyingKey,
    peer: ark_groth16::PreparedVerifyingKey<Bn254>,
    proofs: Vec<(Proof, Vec<Fr>)>,
    peer_proofs: Vec<ark_groth16::Proof<Bn254>>,
}

impl ProofSet {
    /// `count` proofs of small `MulChain` statements with `num_public` public inputs, made by
    /// our prover (each statement from its own seed).
    fn new(backend: &Backend, num_public: usize, count: usize, seed: u64) -> Result<Self, Failure> {
        let shape = MulChain::new(8, num_public, seed);
        let r1cs = R1cs::from_circuit(shape).map_err(ours_err)?;
        let pk = dev_setup(&r1cs, &mut ChaCha20Rng::seed_from_u64(seed)).map_err(ours_err)?;
        let prover = Prover::new(pk, r1cs).map_err(ours_err)?;
        let mut rng = ChaCha20Rng::seed_from_u64(seed + 1);
        let proofs = (0..count as u64)
            .map(|i| {
                let circuit = MulChain::new(8, num_public, seed.wrapping_add(i));
                let inputs = circuit.public_inputs();
                let proof = prover.prove(backend, circuit, &mut rng).map_err(ours_err)?;
                Ok((proof, inputs))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        let vk = prover.verifying_key();
        let set = Self {
            num_public,
            ours: PreparedVerifyingKey::new(vk.clone()),
            peer: ark_groth16::prepare_verifying_key(&vk.into()),
            peer_proofs: proofs.iter().map(|(p, _)| to_ark_proof(p)).collect(),
            proofs,
        };
        set.check()?;
        Ok(set)
    }

    /// Both verifiers accept every proof.
    fn check(&self) -> Result<(), Failure> {
        for ((proof, inputs), peer_proof) in self.proofs.iter().zip(&self.peer_proofs) {
            if self.ours.verify(proof, inputs) != Ok(true) {
                return Err(Failure::Mismatch("sheaf rejects a valid proof".into()));
            }
            if !Groth16::<Bn254>::verify_with_processed_vk(&self.peer, inputs, peer_proof)
                .map_err(peer_err)?
            {
                return Err(Failure::Peer("ark-groth16 rejects a valid proof".into()));
            }
        }
        Ok(())
    }

    /// Verifies the first `n` proofs one by one on all cores with ark-groth16.
    fn peer_verify_all(&self, n: usize) -> Result<(), Failure> {
        let ok =
            self.proofs[..n]
                .par_iter()
                .zip(&self.peer_proofs[..n])
                .all(|((_, inputs), proof)| {
                    Groth16::<Bn254>::verify_with_processed_vk(&self.peer, inputs, proof)
                        .unwrap_or(false)
                });
        if ok {
            Ok(())
        } else {
            Err(Failure::Peer("ark-groth16 rejects a valid proof".into()))
        }
    }
}

/// Single verification of 1,024 proofs spread over all cores.
fn verify_case(
    args: &Groth16Args,
    backend: &Backend,
    reporter: &Reporter,
    set: &ProofSet,
) -> Result<(), Failure> {
    let n = set.proofs.len();
    let ours = || {
        let ok = set
            .proofs
            .par_iter()
            .all(|(proof, inputs)| set.ours.verify(proof, inputs) == Ok(true));
        if ok {
            Ok(())
        } else {
            Err(Failure::Mismatch("sheaf rejects a valid proof".into()))
        }
    };
    let bench = format!("verify_single l={} n={n}", set.num_public);
    time_verification(args, backend, reporter, set, n, bench, ours)
}

/// Checks `ours` and the peer once on the first `n` proofs of `set`, then times them.
fn time_verification(
    args: &Groth16Args,
    backend: &Backend,
    reporter: &Reporter,
    set: &ProofSet,
    n: usize,
    bench: String,
    ours: impl Fn() -> Result<(), Failure>,
) -> Result<(), Failure> {
    let (checked, ours_ms) = timed(&ours);
    checked?;
    let (checked, peer_ms) = timed(|| set.peer_verify_all(n));
    checked?;
    let runs = args
        .runs
        .unwrap_or_else(|| default_runs(ours_ms.max(peer_ms)));
    let timing = alternate_ms_batched(
        runs as usize,
        0,
        || (),
        |()| ours(),
        |()| set.peer_verify_all(n),
    )?;
    report(reporter, bench, backend, &timing, Some(n), runs, PEER)
}

/// Our batch verification of the first `n` proofs vs ark-groth16 verifying them one by one on
/// all cores.
fn batch_case(
    args: &Groth16Args,
    backend: &Backend,
    reporter: &Reporter,
    set: &ProofSet,
    n: usize,
) -> Result<(), Failure> {
    let items: Vec<BatchItem<'_>> = set.proofs[..n]
        .iter()
        .map(|(proof, inputs)| BatchItem::new(&set.ours, proof, inputs))
        .collect();
    let ours = || {
        let outcome = verify_batch(&items);
        if outcome.all_valid() && outcome.single_checks == 0 {
            Ok(())
        } else {
            Err(Failure::Mismatch(format!(
                "batch verification rejects valid proofs {:?}",
                outcome.invalid()
            )))
        }
    };
    let bench = format!("verify_batch l={} n={n}", set.num_public);
    time_verification(args, backend, reporter, set, n, bench, ours)
}

/// The prover cases at 2^`log` constraints.
fn prove_cases(
    args: &Groth16Args,
    backend: &Backend,
    reporter: &Reporter,
    log: u32,
) -> Result<(), Failure> {
    // Two public inputs: 3 instance variables, so 2^log − 3 steps fill the domain exactly.
    let num_public = 2;
    let steps = (1usize << log) - (num_public + 1);
    let circuit = MulChain::new(steps, num_public, args.seed);
    let inputs = circuit.public_inputs();
    let (setup, setup_ms) = timed(|| -> Result<_, Failure> {
        let r1cs = R1cs::from_circuit(circuit.clone()).map_err(ours_err)?;
        let pk = dev_setup(&r1cs, &mut ChaCha20Rng::seed_from_u64(args.seed)).map_err(ours_err)?;
        Ok((pk, r1cs))
    });
    let (pk, r1cs) = setup?;
    reporter.progress(&format!(
        "# prove 2^{log}: {steps} constraints, setup in {:.1} s",
        setup_ms / 1e3
    ));
    let ark_pk = ark_groth16::ProvingKey::<Bn254>::from(&pk);
    let pvk = ark_groth16::prepare_verifying_key(&ark_pk.vk);
    let prover = Prover::new(pk, r1cs).map_err(ours_err)?;
    let mut rng = ChaCha20Rng::seed_from_u64(args.seed ^ 0xABCD);

    // Matrices and assignment for the from-assignment case, built as ark-groth16 builds them.
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: false,
    });
    circuit
        .clone()
        .generate_constraints(cs.clone())
        .map_err(peer_err)?;
    cs.finalize();
    let matrices = cs.to_matrices().map_err(peer_err)?;
    let matrices = matrices
        .get(R1CS_PREDICATE_LABEL)
        .ok_or_else(|| Failure::Peer("no R1CS matrices".into()))?
        .clone();
    let num_inputs = cs.num_instance_variables();
    let num_constraints = cs.num_constraints();
    let z = synthesize_assignment(circuit.clone()).map_err(ours_err)?;
    drop(cs);

    let check = |proof: &ark_groth16::Proof<Bn254>, who: &str| -> Result<(), Failure> {
        match Groth16::<Bn254>::verify_with_processed_vk(&pvk, &inputs, proof) {
            Ok(true) => Ok(()),
            _ => Err(Failure::Mismatch(format!(
                "{who}'s proof at 2^{log} does not verify"
            ))),
        }
    };

    // From the circuit.
    let (ours, ours_ms) = timed(|| prover.prove_timed(backend, circuit.clone(), &mut rng));
    let (ours, phases) = ours.map_err(ours_err)?;
    check(&to_ark_proof(&ours), "sheaf")?;
    let (peer, peer_ms) =
        timed(|| Groth16::<Bn254>::prove(&ark_pk, circuit.clone(), &mut rng.clone()));
    check(&peer.map_err(peer_err)?, PEER)?;
    reporter.progress(&format!(
        "# ours by phase: witness {:.0} ms, constraints {:.0} ms, NTT {:.0} ms, MSM G1 {:.0} ms, \
         MSM G2 {:.0} ms",
        phases.witness.as_secs_f64() * 1e3,
        phases.constraints.as_secs_f64() * 1e3,
        phases.ntt.as_secs_f64() * 1e3,
        phases.msm_g1.as_secs_f64() * 1e3,
        phases.msm_g2.as_secs_f64() * 1e3,
    ));
    let runs = args
        .runs
        .unwrap_or_else(|| default_runs(ours_ms.max(peer_ms)));
    let mut rng_ours = rng.clone();
    let mut rng_peer = rng.clone();
    let timing = alternate_ms_batched(
        runs as usize,
        0,
        || circuit.clone(),
        |c| prover.prove(backend, c, &mut rng_ours).map_err(ours_err),
        |c| Groth16::<Bn254>::prove(&ark_pk, c, &mut rng_peer).map_err(peer_err),
    )?;
    report(
        reporter,
        format!("prove_circuit 2^{log}"),
        backend,
        &timing,
        None,
        runs,
        PEER,
    )?;

    // From the assignment and matrices.
    let (ours, ours_ms) = timed(|| prover.prove_assignment(backend, &z, &mut rng));
    check(&to_ark_proof(&ours.map_err(ours_err)?), "sheaf")?;
    let peer_prove = |rng: &mut ChaCha20Rng| {
        let r = <Fr as ark_ff::UniformRand>::rand(rng);
        let s = <Fr as ark_ff::UniformRand>::rand(rng);
        Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
            &ark_pk,
            r,
            s,
            &matrices,
            num_inputs,
            num_constraints,
            &z,
        )
        .map_err(peer_err)
    };
    let (peer, peer_ms) = timed(|| peer_prove(&mut rng.clone()));
    check(&peer?, PEER)?;
    let runs = args
        .runs
        .unwrap_or_else(|| default_runs(ours_ms.max(peer_ms)));
    let timing = alternate_ms_batched(
        runs as usize,
        0,
        || (),
        |()| {
            prover
                .prove_assignment(backend, &z, &mut rng_ours)
                .map_err(ours_err)
        },
        |()| peer_prove(&mut rng_peer),
    )?;
    report(
        reporter,
        format!("prove_assignment 2^{log}"),
        backend,
        &timing,
        None,
        runs,
        PEER,
    )
}

pub(crate) fn report(
    reporter: &Reporter,
    bench: String,
    backend: &Backend,
    timing: &PairTiming,
    batch: Option<usize>,
    runs: u32,
    peer: &'static str,
) -> Result<(), Failure> {
    let per_s = |ms: f64| batch.map(|n| (n as f64 * 1e3 / ms).round());
    let report = CaseReport {
        bench,
        backend: backend.kind().name(),
        ours_ms: round4(timing.ours_ms),
        peer,
        peer_ms: round4(timing.peer_ms),
        ratio: round4(timing.ratio()),
        proofs_per_s: per_s(timing.ours_ms),
        peer_proofs_per_s: per_s(timing.peer_ms),
    };
    reporter.case(&report, &table_row(&report, runs))?;
    Ok(())
}
