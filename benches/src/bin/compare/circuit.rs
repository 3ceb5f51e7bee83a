//! `compare circuit`: what the recursion costs. Constraint counts of the emulated operations
//! and of a whole in-circuit Groth16 verification (with its parts), the time to synthesize it,
//! and our prover's time and peak memory for one whole verification on the chosen backend.
//!
//! Counts are exact (the circuit's own constraint system, each lookup counted as the one
//! constraint it becomes; the 2^16-entry lookup table is counted once, in the whole
//! verification). The peer figure for scale is gnark's emulated BN254 pairing in a BN254
//! circuit, about 1–2M constraints (gnark PRs #566, #594); it is quoted, not run.

use std::fs;

use ark_bn254::Fr;
use ark_relations::gr1cs::{
    ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisError, SynthesisMode,
};
use clap::Args;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use sheaf_aggregator::gadgets::{
    Ctx, Fq2Var, Fq12Var, FqVar, RangeMode, VerifierCircuit, VerifyOptions,
};
use sheaf_aggregator::prover::{HashCommit, MulChain, Prover, R1cs, dev_setup};
use sheaf_aggregator::{PreparedCommittedVerifyingKey, Proof, VerifyingKey};
use sheaf_kernels::{Backend, BackendKind};

use crate::groth16::ours_err;
use crate::{Failure, Reporter, backend_parser, round4, timed};

const RANGE: RangeMode = RangeMode::Lookup { chunk_bits: 16 };

#[derive(Args, Debug)]
pub(crate) struct CircuitArgs {
    /// Print one JSON object per case on stdout; headers and progress go to stderr.
    #[arg(long)]
    json: bool,

    /// The sheaf-kernels backend the prover runs on.
    #[arg(long, default_value = "cpu", value_parser = backend_parser())]
    backend: BackendKind,

    /// Public signals of the inner keys whose whole verification is counted.
    #[arg(long, value_delimiter = ',', default_values_t = [1u16, 4, 16],
          value_parser = clap::value_parser!(u16).range(1..=64))]
    signals: Vec<u16>,

    /// Public signals of the inner proof that is proved end to end (0: skip proving).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(0..=64))]
    prove_signals: u16,
}

#[derive(Serialize)]
struct CaseReport {
    bench: String,
    constraints: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_signals: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variables: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peak_mb: Option<f64>,
}

impl CaseReport {
    fn count(bench: &str, constraints: usize) -> Self {
        Self {
            bench: bench.to_owned(),
            constraints,
            public_signals: None,
            variables: None,
            ms: None,
            peak_mb: None,
        }
    }
}

fn emit(reporter: &Reporter, case: &CaseReport) -> Result<(), Failure> {
    let mut row = format!("{:<34} {:>10}", case.bench, case.constraints);
    if let Some(l) = case.public_signals {
        row += &format!("  ℓ = {l}");
    }
    if let Some(v) = case.variables {
        row += &format!("  {v} variables");
    }
    if let Some(ms) = case.ms {
        row += &format!("  {:.0} ms", ms);
    }
    if let Some(mb) = case.peak_mb {
        row += &format!("  peak {:.0} MiB", mb);
    }
    Ok(reporter.case(case, &row)?)
}

fn setup_cs() -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    cs
}

/// What a gadget costs: `op` allocates its operands and returns the cost of the operation
/// alone (see [`cost_of`]); setup mode, 16-bit lookups.
fn op_cost(op: &dyn Fn(&Ctx) -> Result<usize, SynthesisError>) -> Result<usize, Failure> {
    let ctx = Ctx::new(setup_cs(), RANGE).map_err(ours_err)?;
    op(&ctx).map_err(ours_err)
}

/// The constraints `f` adds.
fn cost_of<T>(
    ctx: &Ctx,
    f: impl FnOnce() -> Result<T, SynthesisError>,
) -> Result<usize, SynthesisError> {
    let before = ctx.cost();
    f()?;
    Ok(ctx.cost() - before)
}

/// The process's peak resident memory in MiB since the last [`reset_peak`], if readable.
fn peak_mb() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak resident memory counter (Linux `clear_refs`), best effort.
fn reset_peak() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}

pub(crate) fn run(args: &CircuitArgs) -> Result<(), Failure> {
    let backend = Backend::new(args.backend).map_err(Failure::Unavailable)?;
    let reporter = Reporter { json: args.json };
    reporter.note("# compare circuit: constraints of the emulated BN254 arithmetic and of a whole Groth16 verification in a BN254 circuit")?;
    reporter.machine_header()?;
    reporter.note("# peer for scale (quoted, not run): gnark's emulated BN254 pairing, about 1–2M constraints")?;

    type Op = fn(&Ctx) -> Result<usize, SynthesisError>;
    let ops: [(&str, Op); 5] = [
        ("fq_mul", |ctx| {
            let (a, b) = (FqVar::witness(ctx, None)?, FqVar::witness(ctx, None)?);
            cost_of(ctx, || a.mul(ctx, &b))
        }),
        ("fq2_mul", |ctx| {
            let (a, b) = (Fq2Var::witness(ctx, None)?, Fq2Var::witness(ctx, None)?);
            cost_of(ctx, || a.mul(ctx, &b))
        }),
        ("fq12_mul", |ctx| {
            let (a, b) = (Fq12Var::witness(ctx, None)?, Fq12Var::witness(ctx, None)?);
            cost_of(ctx, || a.mul(ctx, &b))
        }),
        ("fq12_square", |ctx| {
            let a = Fq12Var::witness(ctx, None)?;
            cost_of(ctx, || a.square(ctx))
        }),
        ("fq12_frobenius", |ctx| {
            let a = Fq12Var::witness(ctx, None)?;
            cost_of(ctx, || a.frobenius(ctx, 1))
        }),
    ];
    for (name, op) in ops {
        emit(&reporter, &CaseReport::count(name, op_cost(&op)?))?;
    }

    for &l in &args.signals {
        let l = usize::from(l);
        let circuit = VerifierCircuit {
            n_public: l,
            statement: None,
            range: RANGE,
            options: VerifyOptions::default(),
        };
        let cs = setup_cs();
        let (stats, ms) = timed(|| circuit.synthesize(cs.clone(), &HashCommit::new()));
        let stats = stats.map_err(ours_err)?;
        cs.finalize();
        let constraints = cs.num_constraints();
        let variables = cs.num_instance_variables() + cs.num_witness_variables();
        let parts = [
            ("verification/on_curve", stats.verify.on_curve),
            ("verification/public_inputs", stats.verify.public_inputs),
            ("verification/residue_witness", stats.verify.pairing.residue),
            ("verification/miller_loop", stats.verify.pairing.miller_loop),
            (
                "verification/final_exp_replacement",
                stats.verify.pairing.final_check,
            ),
        ];
        for (name, c) in parts {
            emit(
                &reporter,
                &CaseReport {
                    public_signals: Some(l),
                    ..CaseReport::count(name, c)
                },
            )?;
        }
        emit(
            &reporter,
            &CaseReport {
                public_signals: Some(l),
                variables: Some(variables),
                ms: Some(round4(ms)),
                ..CaseReport::count("verification/synthesis_setup_mode", constraints)
            },
        )?;
    }

    if args.prove_signals > 0 {
        prove_case(usize::from(args.prove_signals), &backend, &reporter)?;
    }
    Ok(())
}

/// One inner proof (our prover on a small `MulChain` with `l` public signals), verified in the
/// circuit, the circuit proved by our prover with the commitment, and the outer proof checked.
fn prove_case(l: usize, backend: &Backend, reporter: &Reporter) -> Result<(), Failure> {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let inner = MulChain::new(64, l, 1);
    let inner_r1cs = R1cs::from_circuit(inner.clone()).map_err(ours_err)?;
    let inner_pk = dev_setup(&inner_r1cs, &mut rng).map_err(ours_err)?;
    let inner_prover = Prover::new(inner_pk, inner_r1cs).map_err(ours_err)?;
    let signals = inner.public_inputs();
    let proof: Proof = inner_prover
        .prove(backend, inner, &mut rng)
        .map_err(ours_err)?;
    let vk: VerifyingKey = inner_prover.verifying_key().clone();

    let circuit = |statement| VerifierCircuit {
        n_public: l,
        statement,
        range: RANGE,
        options: VerifyOptions::default(),
    };
    reset_peak();
    let (r1cs, matrices_ms) = timed(|| R1cs::from_commit_circuit(circuit(None)));
    let r1cs = r1cs.map_err(ours_err)?;
    let constraints = r1cs.num_constraints();
    let variables = r1cs.num_variables();
    reporter.progress(&format!(
        "# setup of {constraints} constraints (development keys) …"
    ));
    let (pk, setup_ms) = timed(|| dev_setup(&r1cs, &mut rng));
    let pk = pk.map_err(ours_err)?;
    let setup_peak = peak_mb();
    let prover = Prover::new(pk, r1cs).map_err(ours_err)?;
    reset_peak();
    let (outcome, prove_ms) = timed(|| {
        prover.prove_committed_timed(backend, circuit(Some((&vk, &proof, &signals))), &mut rng)
    });
    let (outer, timings) = outcome.map_err(ours_err)?;
    let prove_peak = peak_mb();
    let key = prover
        .committed_verifying_key()
        .ok_or_else(|| Failure::Mismatch("no committed verifying key".into()))?;
    let ok = PreparedCommittedVerifyingKey::new(key.clone())
        .verify(&outer, &[])
        .map_err(ours_err)?;
    if !ok {
        return Err(Failure::Mismatch("the outer proof does not verify".into()));
    }
    let with = |bench: &str, ms: f64, peak: Option<f64>| CaseReport {
        public_signals: Some(l),
        variables: Some(variables),
        ms: Some(round4(ms)),
        peak_mb: peak.map(round4),
        ..CaseReport::count(bench, constraints)
    };
    emit(reporter, &with("prove/matrices", matrices_ms, None))?;
    emit(reporter, &with("prove/dev_setup", setup_ms, setup_peak))?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    emit(reporter, &with("prove/witness", ms(timings.witness), None))?;
    emit(reporter, &with("prove/msm_g1", ms(timings.msm_g1), None))?;
    emit(reporter, &with("prove/msm_g2", ms(timings.msm_g2), None))?;
    emit(reporter, &with("prove/ntt", ms(timings.ntt), None))?;
    emit(
        reporter,
        &with(
            &format!("prove/total/{}", backend.kind()),
            prove_ms,
            prove_peak,
        ),
    )?;
    Ok(())
}
