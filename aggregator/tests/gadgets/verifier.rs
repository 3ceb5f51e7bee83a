// The in-circuit Groth16 verifier on the snarkjs fixtures: the circuit is set up once per key
// shape (as the prover does), then every fixture's witness is synthesized without constraints
// and checked against the matrices. Tampered statements and proofs leave it unsatisfied.

use std::fs;
use std::path::Path;

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::One;
use ark_relations::gr1cs::{ConstraintSystem, OptimizationGoal, SynthesisMode};
use rayon::prelude::*;
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
/// a changed signal, a negated A, swapped A and C, another proof's B and a moved C are refused.
/// About five seconds per synthesis in an optimized build (68 of them, run in parallel): the
/// debug build skips it and `ci/test.sh` (profile `ci`) runs it.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "runs in optimized builds (minutes in debug)"
)]
fn fixtures_verify_in_the_circuit_and_tampering_is_refused() {
    let mut setups: Vec<Setup> = Vec::new();
    let mut circuits = Vec::new();
    for name in ["multiplier", "chain", "cubic", "poly_eval"] {
        let (vk, proofs) = load(name);
        let n = vk.n_public();
        if !setups.iter().any(|s| s.n_public == n) {
            setups.push(setup(n));
        }
        circuits.push((name, vk, proofs));
    }
    // (circuit, what, proof, signals, whether the circuit must accept it)
    let mut cases: Vec<(usize, String, Proof, Vec<Fr>, bool)> = Vec::new();
    for (k, (name, _, proofs)) in circuits.iter().enumerate() {
        for (i, (proof, signals)) in proofs.iter().enumerate() {
            cases.push((
                k,
                format!("{name} proof {i}"),
                proof.clone(),
                signals.clone(),
                true,
            ));
        }
        let (proof, signals) = &proofs[0];
        let mut wrong = signals.clone();
        wrong[0] += Fr::one();
        let tampered = [
            ("changed signal", proof.clone(), wrong),
            (
                "−A",
                Proof {
                    a: -proof.a,
                    ..proof.clone()
                },
                signals.clone(),
            ),
            (
                "A and C swapped",
                Proof {
                    a: proof.c,
                    c: proof.a,
                    ..proof.clone()
                },
                signals.clone(),
            ),
            (
                "B of another proof",
                Proof {
                    b: proofs[1].0.b,
                    ..proof.clone()
                },
                signals.clone(),
            ),
            (
                "C moved",
                Proof {
                    c: (proof.c + G1Affine::generator()).into_affine(),
                    ..proof.clone()
                },
                signals.clone(),
            ),
        ];
        for (what, p, s) in tampered {
            cases.push((k, format!("{name}: {what}"), p, s, false));
        }
    }
    let wrong: Vec<String> = cases
        .par_iter()
        .filter_map(|(k, what, proof, signals, expected)| {
            let (_, vk, _) = &circuits[*k];
            let setup = setups.iter().find(|s| s.n_public == vk.n_public()).unwrap();
            (accepts(setup, vk, proof, signals) != *expected).then(|| {
                let verdict = if *expected { "refused" } else { "accepted" };
                format!("{what}: {verdict}")
            })
        })
        .collect();
    assert!(wrong.is_empty(), "wrong verdicts: {wrong:?}");
}
