//! One whole in-circuit Groth16 verification proved by our prover with the commitment
//! extension: the epoch circuit's building block, end to end on the CPU. A release build proves
//! it in well under a minute on two cores; debug builds skip it, `ci/test.sh` (profile `ci`) runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::Path;
use std::time::Instant;

use ark_bn254::Fr;
use ark_ff::One;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::gadgets::{RangeMode, VerifierCircuit, VerifyOptions};
use sheaf_aggregator::prover::{Prover, ProverError, R1cs, dev_setup};
use sheaf_aggregator::{
    PreparedCommittedVerifyingKey, Proof, VerifyingKey, public_signals_from_json,
};
use sheaf_kernels::{Backend, BackendKind};

fn circuit<'a>(
    n_public: usize,
    statement: Option<(&'a VerifyingKey, &'a Proof, &'a [Fr])>,
) -> VerifierCircuit<'a> {
    VerifierCircuit {
        n_public,
        statement,
        range: RangeMode::Lookup { chunk_bits: 16 },
        options: VerifyOptions::default(),
    }
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "runs in optimized builds (setup and proof of ~760k constraints)"
)]
fn a_whole_inner_verification_is_proved_and_verified() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/snarkjs/multiplier");
    let vk = VerifyingKey::from_snarkjs_json(&fs::read(dir.join("verification_key.json")).unwrap())
        .unwrap();
    let proof = Proof::from_snarkjs_json(&fs::read(dir.join("proof_0.json")).unwrap()).unwrap();
    let signals =
        public_signals_from_json(&fs::read(dir.join("public_0.json")).unwrap(), vk.n_public())
            .unwrap();
    let n = vk.n_public();

    let clock = Instant::now();
    let r1cs = R1cs::from_commit_circuit(circuit(n, None)).unwrap();
    let extract = clock.elapsed();
    let clock = Instant::now();
    let pk = dev_setup(&r1cs, &mut ChaCha20Rng::seed_from_u64(7)).unwrap();
    let setup = clock.elapsed();
    let constraints = r1cs.num_constraints();
    let prover = Prover::new(pk, r1cs).unwrap();
    let backend = Backend::new(BackendKind::Cpu).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let clock = Instant::now();
    let (outer, timings) = prover
        .prove_committed_timed(
            &backend,
            circuit(n, Some((&vk, &proof, &signals))),
            &mut rng,
        )
        .unwrap();
    let prove = clock.elapsed();
    println!(
        "{constraints} constraints: matrices {extract:?}, dev setup {setup:?}, proof {prove:?} ({timings:?})"
    );
    let pvk = PreparedCommittedVerifyingKey::new(prover.committed_verifying_key().unwrap().clone());
    assert!(pvk.verify(&outer, &[]).unwrap());

    // A false inner statement cannot be proved: the prover finds the unsatisfied constraint.
    let mut wrong = signals.clone();
    wrong[0] += Fr::one();
    let err = prover
        .prove_committed(&backend, circuit(n, Some((&vk, &proof, &wrong))), &mut rng)
        .unwrap_err();
    assert!(matches!(err, ProverError::Unsatisfied { .. }), "{err}");
}
