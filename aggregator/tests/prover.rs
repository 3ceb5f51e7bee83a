//! Our Groth16 prover and development setup, checked against ark-groth16 as an independent
//! implementation: our proofs verify with its verifier, its keys prove with our prover, our keys
//! prove with its prover, and wrong witnesses, wrong statements and mismatched keys are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ark_bn254::{Bn254, Fr};
use ark_ec::AffineRepr;
use ark_ff::{One, Zero};
use ark_groth16::Groth16;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use ark_snark::SNARK;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::prover::{
    MulChain, Prover, ProverError, ProvingKey, R1cs, dev_setup, synthesize_assignment,
};
use sheaf_aggregator::{PreparedVerifyingKey, Proof, VerifyingKey};
use sheaf_kernels::{Backend, BackendKind};

fn cpu() -> Backend {
    Backend::new(BackendKind::Cpu).unwrap()
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn ark_verify(vk: &VerifyingKey, proof: &Proof, inputs: &[Fr]) -> bool {
    let pvk = ark_groth16::prepare_verifying_key(&vk.into());
    Groth16::<Bn254>::verify_with_processed_vk(&pvk, inputs, &proof.into()).unwrap()
}

/// Our setup and prover on `circuit`; checks the proof with both verifiers.
fn prove_and_check(circuit: MulChain, seed: u64) -> (Prover, Proof) {
    let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
    assert_eq!(r1cs.num_constraints(), circuit.num_constraints());
    let pk = dev_setup(&r1cs, &mut rng(seed)).unwrap();
    let prover = Prover::new(pk, r1cs).unwrap();
    let inputs = circuit.public_inputs();
    let proof = prover.prove(&cpu(), circuit, &mut rng(seed + 1)).unwrap();
    let vk = prover.verifying_key();
    assert!(
        ark_verify(vk, &proof, &inputs),
        "ark-groth16 rejects our proof"
    );
    let pvk = PreparedVerifyingKey::new(vk.clone());
    assert!(
        pvk.verify(&proof, &inputs).unwrap(),
        "our verifier rejects our proof"
    );
    (prover, proof)
}

#[test]
fn proofs_verify_with_both_verifiers_across_sizes_and_public_counts() {
    // Domain sizes around powers of two: steps + public inputs + 1 = 2^k − 1, 2^k, 2^k + 1.
    for (steps, num_public) in [
        (1, 1),
        (5, 1),
        (6, 1),
        (7, 1),
        (60, 3),
        (61, 3),
        (62, 3),
        (300, 8),
    ] {
        prove_and_check(MulChain::new(steps, num_public, steps as u64), steps as u64);
    }
}

#[test]
fn proofs_are_randomised() {
    let circuit = MulChain::new(40, 2, 7);
    let (prover, first) = prove_and_check(circuit.clone(), 1);
    let second = prover.prove(&cpu(), circuit, &mut rng(99)).unwrap();
    assert_ne!(
        first, second,
        "two proofs of one statement must differ (zero knowledge)"
    );
}

#[test]
fn ark_groth16_keys_prove_with_our_prover() {
    let circuit = MulChain::new(200, 3, 3);
    let (pk, _) = Groth16::<Bn254>::circuit_specific_setup(circuit.clone(), &mut rng(5)).unwrap();
    let ours = ProvingKey::from(&pk);
    let prover = Prover::new(ours, R1cs::from_circuit(circuit.clone()).unwrap()).unwrap();
    let proof = prover.prove(&cpu(), circuit.clone(), &mut rng(6)).unwrap();
    assert!(ark_verify(
        prover.verifying_key(),
        &proof,
        &circuit.public_inputs()
    ));
}

#[test]
fn our_keys_prove_with_ark_groth16() {
    let circuit = MulChain::new(200, 4, 4);
    let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
    let pk = dev_setup(&r1cs, &mut rng(8)).unwrap();
    let proof = Groth16::<Bn254>::prove(&(&pk).into(), circuit.clone(), &mut rng(9)).unwrap();
    let proof = Proof::from(&proof);
    let pvk = PreparedVerifyingKey::new(pk.vk.clone());
    assert!(pvk.verify(&proof, &circuit.public_inputs()).unwrap());
}

#[test]
fn proofs_do_not_verify_for_other_statements() {
    let circuit = MulChain::new(50, 3, 11);
    let (prover, proof) = prove_and_check(circuit.clone(), 12);
    let pvk = PreparedVerifyingKey::new(prover.verifying_key().clone());
    let mut inputs = circuit.public_inputs();
    for i in 0..inputs.len() {
        inputs[i] += Fr::one();
        assert!(
            !pvk.verify(&proof, &inputs).unwrap(),
            "input {i} + 1 accepted"
        );
        assert!(!ark_verify(prover.verifying_key(), &proof, &inputs));
        inputs[i] -= Fr::one();
    }
}

#[test]
fn a_false_statement_is_refused_at_the_failing_constraint() {
    let circuit = MulChain::new(50, 2, 13);
    let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
    let pk = dev_setup(&r1cs, &mut rng(14)).unwrap();
    let prover = Prover::new(pk, r1cs).unwrap();
    let wrong = circuit.output() + Fr::one();
    let err = prover
        .prove(&cpu(), circuit.claiming(wrong), &mut rng(15))
        .unwrap_err();
    assert!(
        matches!(err, ProverError::Unsatisfied { constraint: 49 }),
        "{err}"
    );
}

#[test]
fn a_tampered_witness_is_refused() {
    let circuit = MulChain::new(64, 2, 17);
    let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
    let pk = dev_setup(&r1cs, &mut rng(18)).unwrap();
    let prover = Prover::new(pk, r1cs).unwrap();
    let z = synthesize_assignment(circuit).unwrap();
    assert!(prover.prove_assignment(&cpu(), &z, &mut rng(1)).is_ok());
    // Variables: 1, offset, out, then x₀ … x₆₃ (x₆₄ is out). Changing x_k breaks constraint k − 1 first
    // (x_k is its output), or constraint 0 for x₀.
    for (var, first_broken) in [(3usize, 0usize), (4, 0), (10, 6), (z.len() - 1, 62)] {
        let mut bad = z.clone();
        bad[var] += Fr::one();
        let err = prover
            .prove_assignment(&cpu(), &bad, &mut rng(1))
            .unwrap_err();
        assert!(
            matches!(err, ProverError::Unsatisfied { constraint } if constraint == first_broken),
            "variable {var}: {err}"
        );
    }
    // A wrong public input is refused the same way.
    let mut bad = z.clone();
    bad[2] = Fr::zero();
    assert!(matches!(
        prover.prove_assignment(&cpu(), &bad, &mut rng(1)),
        Err(ProverError::Unsatisfied { constraint: 63 })
    ));
    // Assignments of the wrong length or without the leading one are shape errors.
    for bad in [
        z[..z.len() - 1].to_vec(),
        [z.clone(), vec![Fr::one()]].concat(),
    ] {
        assert!(matches!(
            prover.prove_assignment(&cpu(), &bad, &mut rng(1)),
            Err(ProverError::Shape(_))
        ));
    }
    let mut bad = z;
    bad[0] = Fr::from(2u64);
    assert!(matches!(
        prover.prove_assignment(&cpu(), &bad, &mut rng(1)),
        Err(ProverError::Shape(_))
    ));
}

#[test]
fn a_key_for_another_circuit_is_refused() {
    let small = R1cs::from_circuit(MulChain::new(10, 1, 1)).unwrap();
    let large = R1cs::from_circuit(MulChain::new(20, 1, 1)).unwrap();
    let pk = dev_setup(&small, &mut rng(2)).unwrap();
    assert!(matches!(Prover::new(pk, large), Err(ProverError::Shape(_))));
}

/// Uses symbolic linear combinations (inlined at setup, skipped in witness-only synthesis), a
/// variable that appears in no constraint (an identity base in every query) and a variable that
/// appears only in `C`.
#[derive(Clone)]
struct Sparse {
    a: Fr,
    b: Fr,
}

impl ConstraintSynthesizer<Fr> for Sparse {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let sum_val = self.a + self.b;
        let prod_val = sum_val * self.a;
        let out = cs.new_input_variable(|| Ok(prod_val + Fr::from(5u64)))?;
        let a = cs.new_witness_variable(|| Ok(self.a))?;
        let b = cs.new_witness_variable(|| Ok(self.b))?;
        let _unused = cs.new_witness_variable(|| Ok(Fr::from(123u64)))?;
        let prod = cs.new_witness_variable(|| Ok(prod_val))?;
        let sum = cs.new_lc(|| LinearCombination::from(a) + b)?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(sum),
            || LinearCombination::from(a),
            || LinearCombination::from(prod),
        )?;
        let shifted =
            cs.new_lc(|| LinearCombination::from(prod) + (Fr::from(5u64), Variable::One))?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(shifted),
            || LinearCombination::from(Variable::One),
            || LinearCombination::from(out),
        )?;
        Ok(())
    }
}

#[test]
fn symbolic_linear_combinations_and_unused_variables() {
    let circuit = Sparse {
        a: Fr::from(6u64),
        b: Fr::from(9u64),
    };
    let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
    assert_eq!(r1cs.num_constraints(), 2);
    let pk = dev_setup(&r1cs, &mut rng(21)).unwrap();
    assert!(
        pk.a_query.iter().any(|p| p.is_zero()),
        "expected identity bases"
    );
    let prover = Prover::new(pk, r1cs).unwrap();
    let proof = prover.prove(&cpu(), circuit, &mut rng(22)).unwrap();
    let out = Fr::from(15u64 * 6 + 5);
    assert!(ark_verify(prover.verifying_key(), &proof, &[out]));
    assert!(!ark_verify(
        prover.verifying_key(),
        &proof,
        &[out + Fr::one()]
    ));
}

#[test]
fn backends_that_are_not_built_in_are_reported() {
    for kind in [BackendKind::Cuda, BackendKind::Wgpu] {
        match Backend::new(kind) {
            Err(e) => println!("SKIP {kind} prover test: {e}"),
            Ok(backend) => {
                let circuit = MulChain::new(100, 2, 30);
                let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
                let pk = dev_setup(&r1cs, &mut rng(31)).unwrap();
                let prover = Prover::new(pk, r1cs).unwrap();
                let proof = prover
                    .prove(&backend, circuit.clone(), &mut rng(32))
                    .unwrap();
                assert!(ark_verify(
                    prover.verifying_key(),
                    &proof,
                    &circuit.public_inputs()
                ));
            }
        }
    }
}
