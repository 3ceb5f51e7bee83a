// The in-circuit Groth16 verifier on the snarkjs fixtures: the circuit is set up once per key
// shape (as the prover does), then every fixture's witness is synthesized without constraints
// and checked against the matrices. Tampered statements and proofs leave it unsatisfied.

use std::fs;
use std::path::Path;

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::One;
use ark_relations::gr1cs::{ConstraintSystem, OptimizationGoal, SynthesisMode};
use sheaf_aggregator::gadgets::{RangeMode, VerifierCircuit, VerifyOptions};
use sheaf_aggregator::prover::R1cs;
use sheaf_aggregator::{Proof, VerifyingKey, public_signals_from_json};

use super::HashChallenge;

const RANGE: RangeMode = RangeMode::Lookup { chunk_bits: 16 };

struct Setup {
    r1cs: R1cs,
    n_public: usize,
}

fn setup(n_public: usize) -> Setup {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    let circuit = VerifierCircuit {
        n_public,
        statement: None,
        range: RANGE,
        options: VerifyOptions::default(),
    };
    let stats = circuit.synthesize(cs.clone(), &HashChallenge).unwrap();
    cs.finalize();
    let r1cs = R1cs::from_constraint_system(&cs).unwrap();
    println!(
        "verifier, {n_public} public signals: {} constraints, {} variables ({}; {:?})",
        r1cs.num_constraints(),
        r1cs.num_variables(),
        stats.range,
        stats.identities
    );
    Setup { r1cs, n_public }
}

fn accepts(setup: &Setup, vk: &VerifyingKey, proof: &Proof, signals: &[Fr]) -> bool {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    let circuit = VerifierCircuit {
        n_public: setup.n_public,
        statement: Some((vk, proof, signals)),
        range: RANGE,
        options: VerifyOptions::default(),
    };
    circuit.synthesize(cs.clone(), &HashChallenge).unwrap();
    let z = [
        cs.instance_assignment().unwrap(),
        cs.witness_assignment().unwrap(),
    ]
    .concat();
    setup.r1cs.evaluate(&z).is_ok()
}

fn load(name: &str) -> (VerifyingKey, Vec<(Proof, Vec<Fr>)>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/snarkjs")
        .join(name);
    let vk = VerifyingKey::from_snarkjs_json(&fs::read(dir.join("verification_key.json")).unwrap())
        .unwrap();
    let mut proofs = Vec::new();
    for i in 0.. {
        let Ok(p) = fs::read(dir.join(format!("proof_{i}.json"))) else {
            break;
        };
        let s = fs::read(dir.join(format!("public_{i}.json"))).unwrap();
        proofs.push((
            Proof::from_snarkjs_json(&p).unwrap(),
            public_signals_from_json(&s, vk.n_public()).unwrap(),
        ));
    }
    (vk, proofs)
}

/// Every fixture of every circuit verifies in the circuit; for the first proof of each circuit,
/// a changed signal, a negated A, swapped A and C, and another proof's B are refused. About
/// five seconds per synthesis in a release build: the debug pass of `ci/test.sh` skips it and
/// the release pass runs it.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "runs in the release pass (minutes in debug)"
)]
fn fixtures_verify_in_the_circuit_and_tampering_is_refused() {
    let mut setups: Vec<Setup> = Vec::new();
    for name in ["multiplier", "chain", "cubic", "poly_eval"] {
        let (vk, proofs) = load(name);
        let n = vk.n_public();
        if !setups.iter().any(|s| s.n_public == n) {
            setups.push(setup(n));
        }
        let setup = setups.iter().find(|s| s.n_public == n).unwrap();
        for (i, (proof, signals)) in proofs.iter().enumerate() {
            assert!(accepts(setup, &vk, proof, signals), "{name} proof {i}");
        }
        let (proof, signals) = &proofs[0];
        let mut wrong = signals.clone();
        wrong[0] += Fr::one();
        assert!(
            !accepts(setup, &vk, proof, &wrong),
            "{name}: changed signal"
        );
        let neg_a = Proof {
            a: -proof.a,
            ..proof.clone()
        };
        assert!(!accepts(setup, &vk, &neg_a, signals), "{name}: −A");
        let swapped = Proof {
            a: proof.c,
            c: proof.a,
            ..proof.clone()
        };
        assert!(
            !accepts(setup, &vk, &swapped, signals),
            "{name}: A and C swapped"
        );
        let other_b = Proof {
            b: proofs[1].0.b,
            ..proof.clone()
        };
        assert!(
            !accepts(setup, &vk, &other_b, signals),
            "{name}: B of another proof"
        );
        let shifted_c = Proof {
            c: (proof.c + G1Affine::generator()).into_affine(),
            ..proof.clone()
        };
        assert!(!accepts(setup, &vk, &shifted_c, signals), "{name}: C moved");
    }
}
