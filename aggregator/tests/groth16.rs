//! Single Groth16 verification against proofs made by arkworks' `ark-groth16` (an independent
//! prover), passed through the snarkjs JSON format: honest proofs verify; wrong witnesses,
//! tampered proofs, wrong or surplus public signals and malformed encodings are rejected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ark_bn254::{Bn254, Fq, Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::PrimeField;
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_relations::lc;
use ark_snark::SNARK;
use rand::SeedableRng;
use serde_json::{Value, json};
use sheaf_aggregator::{FormatError, PreparedVerifyingKey, Proof, VerifyingKey};

/// Public `c = a·b` and `d = a + b` for private `a`, `b`.
#[derive(Clone)]
struct MulAdd {
    a: Fr,
    b: Fr,
    c: Fr,
    d: Fr,
}

impl ConstraintSynthesizer<Fr> for MulAdd {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let c = cs.new_input_variable(|| Ok(self.c))?;
        let d = cs.new_input_variable(|| Ok(self.d))?;
        let a = cs.new_witness_variable(|| Ok(self.a))?;
        let b = cs.new_witness_variable(|| Ok(self.b))?;
        cs.enforce_r1cs_constraint(|| lc![a], || lc![b], || lc![c])?;
        cs.enforce_r1cs_constraint(
            || lc![a, b],
            || lc![ark_relations::gr1cs::Variable::One],
            || lc![d],
        )?;
        Ok(())
    }
}

fn dec<F: PrimeField>(x: &F) -> String {
    x.into_bigint().to_string()
}
fn g1_json(p: &G1Affine) -> Value {
    json!([dec(&p.x), dec(&p.y), "1"])
}
fn g2_json(p: &G2Affine) -> Value {
    json!([
        [dec(&p.x.c0), dec(&p.x.c1)],
        [dec(&p.y.c0), dec(&p.y.c1)],
        ["1", "0"]
    ])
}

fn vk_json(vk: &ark_groth16::VerifyingKey<Bn254>) -> Value {
    json!({
        "protocol": "groth16", "curve": "bn128", "nPublic": vk.gamma_abc_g1.len() - 1,
        "vk_alpha_1": g1_json(&vk.alpha_g1), "vk_beta_2": g2_json(&vk.beta_g2),
        "vk_gamma_2": g2_json(&vk.gamma_g2), "vk_delta_2": g2_json(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1_json).collect::<Vec<_>>(),
    })
}

fn proof_json(a: &G1Affine, b: &G2Affine, c: &G1Affine) -> Value {
    json!({ "protocol": "groth16", "curve": "bn128", "pi_a": g1_json(a), "pi_b": g2_json(b), "pi_c": g1_json(c) })
}

struct Fixture {
    pvk: PreparedVerifyingKey,
    ark_vk: ark_groth16::VerifyingKey<Bn254>,
    proof: Proof,
    signals: Vec<Fr>,
    pk: ark_groth16::ProvingKey<Bn254>,
}

fn fixture() -> Fixture {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(42);
    let (a, b) = (Fr::from(3u64), Fr::from(11u64));
    let circuit = MulAdd {
        a,
        b,
        c: a * b,
        d: a + b,
    };
    let (pk, ark_vk) = Groth16::<Bn254>::circuit_specific_setup(circuit.clone(), &mut rng).unwrap();
    let p = Groth16::<Bn254>::prove(&pk, circuit, &mut rng).unwrap();
    let signals = vec![a * b, a + b];
    assert!(
        Groth16::<Bn254>::verify(&ark_vk, &signals, &p).unwrap(),
        "arkworks accepts its own proof"
    );
    let vk = VerifyingKey::from_snarkjs_json(vk_json(&ark_vk).to_string().as_bytes()).unwrap();
    let proof =
        Proof::from_snarkjs_json(proof_json(&p.a, &p.b, &p.c).to_string().as_bytes()).unwrap();
    Fixture {
        pvk: PreparedVerifyingKey::new(vk),
        ark_vk,
        proof,
        signals,
        pk,
    }
}

#[test]
fn honest_proofs_verify() {
    let f = fixture();
    assert_eq!(f.pvk.key().n_public(), 2);
    assert!(f.pvk.verify(&f.proof, &f.signals).unwrap());
    // A second proof of the same statement (fresh randomness) verifies too.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let (a, b) = (Fr::from(5u64), Fr::from(6u64));
    let p = Groth16::<Bn254>::prove(
        &f.pk,
        MulAdd {
            a,
            b,
            c: a * b,
            d: a + b,
        },
        &mut rng,
    )
    .unwrap();
    let proof =
        Proof::from_snarkjs_json(proof_json(&p.a, &p.b, &p.c).to_string().as_bytes()).unwrap();
    assert!(f.pvk.verify(&proof, &[a * b, a + b]).unwrap());
    assert!(
        !f.pvk.verify(&proof, &f.signals).unwrap(),
        "a proof is bound to its statement"
    );
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "ark-groth16's prover asserts satisfaction in debug builds; ci/test.sh runs this (profile ci)"
)]
fn wrong_witness_proofs_are_rejected() {
    let f = fixture();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    // Claims c = 34 = a·b with a = 3, b = 11 (false); the prover runs but the proof is invalid.
    let (a, b) = (Fr::from(3u64), Fr::from(11u64));
    let bad = MulAdd {
        a,
        b,
        c: Fr::from(34u64),
        d: a + b,
    };
    let p = Groth16::<Bn254>::prove(&f.pk, bad, &mut rng).unwrap();
    let signals = [Fr::from(34u64), a + b];
    assert!(!Groth16::<Bn254>::verify(&f.ark_vk, &signals, &p).unwrap());
    let proof =
        Proof::from_snarkjs_json(proof_json(&p.a, &p.b, &p.c).to_string().as_bytes()).unwrap();
    assert!(!f.pvk.verify(&proof, &signals).unwrap());
}

#[test]
fn tampered_proofs_and_signals_are_rejected() {
    let f = fixture();
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    let p = &f.proof;
    let tampered = [
        Proof {
            a: (p.a + g1).into_affine(),
            ..p.clone()
        },
        Proof {
            c: (p.c + g1).into_affine(),
            ..p.clone()
        },
        Proof {
            b: (p.b + g2).into_affine(),
            ..p.clone()
        },
        Proof {
            a: p.c,
            c: p.a,
            ..p.clone()
        },
        Proof {
            a: (-p.a.into_group()).into_affine(),
            ..p.clone()
        },
    ];
    for (i, t) in tampered.iter().enumerate() {
        assert!(
            !f.pvk.verify(t, &f.signals).unwrap(),
            "tampering {i} accepted"
        );
    }
    let mut wrong = f.signals.clone();
    wrong[1] += Fr::from(1u64);
    assert!(!f.pvk.verify(p, &wrong).unwrap());
    // Surplus and missing signals are errors, not ignored (arkworks would ignore surplus ones).
    let mut surplus = f.signals.clone();
    surplus.push(Fr::from(0u64));
    assert!(matches!(
        f.pvk.verify(p, &surplus),
        Err(FormatError::SignalCount {
            expected: 2,
            found: 3
        })
    ));
    assert!(matches!(
        f.pvk.verify(p, &f.signals[..1]),
        Err(FormatError::SignalCount { .. })
    ));
}

#[test]
fn malformed_proof_encodings_are_rejected() {
    let f = fixture();
    let good = proof_json(&f.proof.a, &f.proof.b, &f.proof.c);
    let parse = |v: &Value| Proof::from_snarkjs_json(v.to_string().as_bytes());
    assert!(parse(&good).is_ok());
    let mut v = good.clone();
    v["pi_a"] = json!(["0", "1", "0"]);
    assert!(
        matches!(parse(&v), Err(FormatError::NotAffine { .. })),
        "A at infinity"
    );
    let mut v = good.clone();
    v["pi_c"][0] = json!(dec(&(f.proof.c.x + Fq::from(1u64))));
    assert!(matches!(parse(&v), Err(FormatError::NotOnCurve { .. })));
    let mut v = good.clone();
    v["protocol"] = json!("plonk");
    assert!(matches!(parse(&v), Err(FormatError::Protocol(_))));
    let mut v = good.clone();
    v["curve"] = json!("bls12-381");
    assert!(matches!(parse(&v), Err(FormatError::Curve(_))));
    let mut v = good.clone();
    v["pi_b"][0][0] = json!(Fq::MODULUS.to_string());
    assert!(matches!(parse(&v), Err(FormatError::NotReduced { .. })));
    // B on the twist but outside the prime-order subgroup.
    let off = (1u64..)
        .find_map(|i| {
            G2Affine::get_point_from_x_unchecked(ark_bn254::Fq2::new(i.into(), 1u64.into()), false)
        })
        .unwrap();
    let mut v = good.clone();
    v["pi_b"] = g2_json(&off);
    assert!(matches!(parse(&v), Err(FormatError::NotInSubgroup { .. })));
    let mut v = good;
    v.as_object_mut().unwrap().remove("pi_c");
    assert!(matches!(parse(&v), Err(FormatError::Json(_))));
}
