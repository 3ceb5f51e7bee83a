//! The BSB22 commitment extension of our Groth16 prover, setup and verifier
//! (`sheaf_aggregator::bsb22`), on the `TableLookup` LogUp circuit: committed proofs verify;
//! tampered commitments, proofs of knowledge, challenges, public inputs and encodings are
//! rejected; a forger who could skip the proof of knowledge moves a public input, and only σ
//! would let the forgery through; the challenge depends on, and binds, the committed values;
//! plain circuits still match ark-groth16.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod encoding;
mod forgery;
mod misuse;

use std::cell::RefCell;

use ark_bn254::{Bn254, Fq, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{Field, One, UniformRand, Zero};
use ark_groth16::Groth16;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, LinearCombination,
    SynthesisError, Variable,
};
use ark_snark::SNARK;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::bsb22::{COMMITTED_PROOF_BYTES, CommittedCheck};
use sheaf_aggregator::gadgets::Num;
use sheaf_aggregator::gadgets::challenge::{WithHashCommit, allocate_blinding};
use sheaf_aggregator::prover::{
    Commit, CommitCircuit, CommitError, HashCommit, MulChain, Prover, ProverError, ProvingKey,
    R1cs, TableLookup, ToxicWaste, dev_setup, quotient, setup_with, synthesize_assignment_with,
};
use sheaf_aggregator::{
    CommittedProof, CommittedVerifyingKey, FormatError, PreparedCommittedVerifyingKey,
    PreparedVerifyingKey, Proof, commitment_challenge,
};
use sheaf_kernels::{Backend, BackendKind};

fn cpu() -> Backend {
    Backend::new(BackendKind::Cpu).unwrap()
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A setup for `circuit` from known secrets (the tests play a forger who knows some of them).
struct Fixture {
    pk: ProvingKey,
    r1cs: R1cs,
    waste: ToxicWaste,
    prover: Prover,
    pvk: PreparedCommittedVerifyingKey,
}

fn fixture(circuit: &TableLookup, seed: u64) -> Fixture {
    let r1cs = R1cs::from_commit_circuit(circuit.clone()).unwrap();
    let waste = ToxicWaste::random(&mut rng(seed), r1cs.domain_size());
    let pk = setup_with(&r1cs, &waste).unwrap();
    let prover = Prover::new(pk.clone(), r1cs.clone()).unwrap();
    let pvk = PreparedCommittedVerifyingKey::new(prover.committed_verifying_key().unwrap().clone());
    Fixture {
        pk,
        r1cs,
        waste,
        prover,
        pvk,
    }
}

fn small() -> TableLookup {
    TableLookup::new(20, 8, 5, 1)
}

fn parts(f: &Fixture, proof: &CommittedProof, statement: &[Fr]) -> CommittedCheck {
    f.pvk.check_parts(proof, statement).unwrap()
}

#[test]
fn committed_proofs_verify_across_sizes() {
    for (n, table, padding) in [(0, 1, 1), (1, 1, 1), (20, 8, 5), (33, 16, 40), (200, 64, 3)] {
        let circuit = TableLookup::new(n, table, padding, n as u64);
        let f = fixture(&circuit, 7 + n as u64);
        assert_eq!(f.r1cs.num_constraints(), circuit.num_constraints());
        let statement = circuit.statement();
        let proof = f
            .prover
            .prove_committed(&cpu(), circuit, &mut rng(8))
            .unwrap();
        assert!(f.pvk.verify(&proof, &statement).unwrap(), "n = {n}");
        assert_eq!(
            parts(&f, &proof, &statement),
            CommittedCheck {
                groth16: true,
                pok: true
            }
        );
        let inputs = f.pvk.full_inputs(&proof, &statement).unwrap();
        assert_eq!(inputs.len(), 3);
        assert_eq!(inputs[TableLookup::CHALLENGE_INDEX], proof.challenge());
    }
}

#[test]
fn setup_records_the_commitment_and_moves_committed_wires_out_of_l_query() {
    let circuit = small();
    let f = fixture(&circuit, 3);
    let layout = f.r1cs.commitment.as_ref().unwrap();
    assert_eq!(layout.committed.len(), circuit.num_committed());
    assert_eq!(layout.challenge, 1 + TableLookup::CHALLENGE_INDEX);
    // Values and multiplicities are the first witness variables, in order; the blinding wire
    // comes right after them.
    let ni = f.r1cs.num_instance;
    let expected: Vec<usize> = (ni..ni + circuit.num_committed()).collect();
    assert_eq!(layout.committed, expected);
    let ck = f.pk.commitment.as_ref().unwrap();
    assert_eq!(ck.bases.len(), circuit.num_committed());
    assert_eq!(ck.vk.challenge_index, TableLookup::CHALLENGE_INDEX);
    assert_eq!(ck.vk.g, f.pk.vk.gamma_g2, "our setup takes G = γ");
    assert_eq!(
        ck.vk.sigma_g,
        (G2Affine::generator() * (f.waste.gamma * f.waste.sigma)).into_affine()
    );
    for (k, &j) in layout.committed.iter().enumerate() {
        assert!(
            f.pk.l_query[j - ni].is_zero(),
            "committed z[{j}] kept an l_query point"
        );
        assert!(
            !ck.bases[k].is_zero(),
            "committed z[{j}] has an identity base"
        );
        assert_eq!(
            ck.sigma_bases[k],
            (ck.bases[k] * f.waste.sigma).into_affine()
        );
    }
    assert!(f.pk.l_query[expected.len()..].iter().any(|p| !p.is_zero()));
}

#[test]
fn tampered_commitments_and_proofs_of_knowledge_are_rejected() {
    let circuit = small();
    let f = fixture(&circuit, 11);
    let statement = circuit.statement();
    let proof = f
        .prover
        .prove_committed(&cpu(), circuit, &mut rng(12))
        .unwrap();
    let g = G1Affine::generator();

    // D moved: the challenge changes, so the Groth16 equation fails, and π no longer fits.
    let mut bad = proof.clone();
    bad.commitment = (bad.commitment + g).into_affine();
    assert!(!f.pvk.verify(&bad, &statement).unwrap());
    assert_eq!(
        parts(&f, &bad, &statement),
        CommittedCheck {
            groth16: false,
            pok: false
        }
    );

    // π moved: only the proof of knowledge fails, and the folded check catches it.
    let mut bad = proof.clone();
    bad.pok = (bad.pok + g).into_affine();
    assert!(!f.pvk.verify(&bad, &statement).unwrap());
    assert_eq!(
        parts(&f, &bad, &statement),
        CommittedCheck {
            groth16: true,
            pok: false
        }
    );

    // D + K₀ without a matching π: the proof of knowledge fails.
    let ck = f.pk.commitment.as_ref().unwrap();
    let mut bad = proof.clone();
    bad.commitment = (bad.commitment + ck.bases[0]).into_affine();
    assert!(!f.pvk.verify(&bad, &statement).unwrap());
    assert!(!parts(&f, &bad, &statement).pok);

    // The identity for D or π, built by hand, is invalid (decoding refuses it too).
    for which in 0..2 {
        let mut bad = proof.clone();
        if which == 0 {
            bad.commitment = G1Affine::zero();
        } else {
            bad.pok = G1Affine::zero();
        }
        assert!(!f.pvk.verify(&bad, &statement).unwrap());
    }

    // A and C swapped.
    let mut bad = proof.clone();
    std::mem::swap(&mut bad.proof.a, &mut bad.proof.c);
    assert!(!f.pvk.verify(&bad, &statement).unwrap());
    assert!(f.pvk.verify(&proof, &statement).unwrap());
}

#[test]
fn committed_values_are_bound() {
    // A proof for values v cannot verify with the commitment to other values v', even with a
    // correct proof of knowledge for v' (which the key's σ-bases let anyone compute).
    let circuit = small();
    let f = fixture(&circuit, 13);
    let statement = circuit.statement();
    let proof = f
        .prover
        .prove_committed(&cpu(), circuit, &mut rng(14))
        .unwrap();
    let ck = f.pk.commitment.as_ref().unwrap();
    for k in [0, 5, ck.bases.len() - 2, ck.bases.len() - 1] {
        for delta in [Fr::one(), -Fr::one(), Fr::from(1u64 << 40)] {
            let mut other = proof.clone();
            other.commitment = (proof.commitment + ck.bases[k] * delta).into_affine();
            other.pok = (proof.pok + ck.sigma_bases[k] * delta).into_affine();
            assert_eq!(
                parts(&f, &other, &statement),
                CommittedCheck {
                    groth16: false,
                    pok: true
                },
                "value {k} moved by {delta}"
            );
            assert!(!f.pvk.verify(&other, &statement).unwrap());
        }
    }
}

#[test]
fn wrong_public_inputs_and_counts_are_rejected() {
    let circuit = small();
    let f = fixture(&circuit, 15);
    let statement = circuit.statement();
    let proof = f
        .prover
        .prove_committed(&cpu(), circuit, &mut rng(16))
        .unwrap();
    for i in 0..statement.len() {
        let mut wrong = statement.clone();
        wrong[i] += Fr::one();
        assert!(
            !f.pvk.verify(&proof, &wrong).unwrap(),
            "input {i} + 1 accepted"
        );
    }
    // The caller supplies the statement without the challenge: two inputs, not one or three.
    let full = f.pvk.full_inputs(&proof, &statement).unwrap();
    for bad in [&statement[..1], &full[..], &[][..]] {
        assert_eq!(
            f.pvk.verify(&proof, bad),
            Err(FormatError::SignalCount {
                expected: 2,
                found: bad.len()
            })
        );
    }
}

#[test]
fn the_challenge_depends_on_the_committed_values_and_the_blinding() {
    let a = TableLookup::with_values([1u64, 2, 3, 4].map(Fr::from).to_vec(), 8);
    let b = TableLookup::with_values([1u64, 2, 3, 5].map(Fr::from).to_vec(), 8);
    let f = fixture(&a, 25);
    let prove = |c: &TableLookup, seed| {
        f.prover
            .prove_committed(&cpu(), c.clone(), &mut rng(seed))
            .unwrap()
    };
    let (pa, pb) = (prove(&a, 1), prove(&b, 1));
    assert_ne!(pa.commitment, pb.commitment);
    assert_ne!(
        pa.challenge(),
        pb.challenge(),
        "one committed value changed, the challenge did not"
    );
    assert!(f.pvk.verify(&pa, &a.statement()).unwrap());
    assert!(f.pvk.verify(&pb, &b.statement()).unwrap());
    assert!(!f.pvk.verify(&pa, &b.statement()).unwrap());
    // Same values and blinding: the same D. Fresh randomness: a fresh D (zero knowledge), and
    // both proofs verify.
    assert_eq!(prove(&a, 1).commitment, pa.commitment);
    let again = prove(&a, 2);
    assert_ne!(again.commitment, pa.commitment);
    assert!(f.pvk.verify(&again, &a.statement()).unwrap());
    // The stand-in hashes the values themselves.
    assert_ne!(
        HashCommit::challenge_for(a.values()),
        HashCommit::challenge_for(b.values())
    );
}

#[test]
fn plain_circuits_keep_ark_groth16_interop_and_keys_must_match_their_circuit() {
    let circuit = MulChain::new(100, 3, 9);
    let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
    assert!(r1cs.commitment.is_none());
    let pk = dev_setup(&r1cs, &mut rng(32)).unwrap();
    assert!(pk.commitment.is_none());
    let inputs = circuit.public_inputs();
    let prover = Prover::new(pk.clone(), r1cs.clone()).unwrap();
    let proof = prover.prove(&cpu(), circuit.clone(), &mut rng(33)).unwrap();
    let ark_pvk = ark_groth16::prepare_verifying_key(&prover.verifying_key().into());
    assert!(
        Groth16::<Bn254>::verify_with_processed_vk(&ark_pvk, &inputs, &(&proof).into()).unwrap()
    );
    let ark_proof = Groth16::<Bn254>::prove(&(&pk).into(), circuit.clone(), &mut rng(34)).unwrap();
    let ours = PreparedVerifyingKey::new(pk.vk.clone());
    assert!(ours.verify(&Proof::from(&ark_proof), &inputs).unwrap());
    assert!(prover.committed_verifying_key().is_none());
    assert!(matches!(
        prover.prove_committed(&cpu(), small(), &mut rng(35)),
        Err(ProverError::Shape(_))
    ));

    // A committing circuit refuses the plain entry points, and keys must match.
    let f = fixture(&small(), 36);
    let z = synthesize_assignment_with(small(), &forgery::ForgingCommit::new(&f.pk)).unwrap();
    assert!(matches!(
        f.prover.prove_assignment(&cpu(), &z, &mut rng(37)),
        Err(ProverError::Shape(_))
    ));
    assert!(matches!(
        Prover::new(pk, f.r1cs.clone()),
        Err(ProverError::Shape(_))
    ));
    let mut plain_r1cs = f.r1cs.clone();
    plain_r1cs.commitment = None;
    assert!(matches!(
        Prover::new(f.pk.clone(), plain_r1cs),
        Err(ProverError::Shape(_))
    ));
    let mut tampered = f.pk.clone();
    tampered.l_query[0] = G1Affine::generator();
    assert!(matches!(
        Prover::new(tampered, f.r1cs.clone()),
        Err(ProverError::Shape(_))
    ));
}

#[test]
fn any_g_works_and_keys_are_checked() {
    // Our setup takes G = γ (one shared Miller loop); a key with another G, here the G2
    // generator with σ·G from the same σ, verifies the same proofs on the general path.
    let circuit = small();
    let f = fixture(&circuit, 38);
    let statement = circuit.statement();
    let proof = f
        .prover
        .prove_committed(&cpu(), circuit, &mut rng(39))
        .unwrap();
    let key = f.prover.committed_verifying_key().unwrap();
    let mut part = key.commitment().clone();
    part.g = G2Affine::generator();
    part.sigma_g = (G2Affine::generator() * f.waste.sigma).into_affine();
    let other = CommittedVerifyingKey::new(key.vk().clone(), part.clone()).unwrap();
    assert_ne!(other.key_hash(), key.key_hash());
    let other = PreparedCommittedVerifyingKey::new(other);
    assert!(other.verify(&proof, &statement).unwrap());
    let mut bad = proof.clone();
    bad.pok = (bad.pok + G1Affine::generator()).into_affine();
    assert!(!other.verify(&bad, &statement).unwrap());
    assert!(!other.check_parts(&bad, &statement).unwrap().pok);
    // σ·G for a different σ: no proof of knowledge holds.
    part.sigma_g = (G2Affine::generator() * (f.waste.sigma + Fr::one())).into_affine();
    let wrong = PreparedCommittedVerifyingKey::new(
        CommittedVerifyingKey::new(key.vk().clone(), part.clone()).unwrap(),
    );
    assert!(!wrong.verify(&proof, &statement).unwrap());

    // The challenge must be one of the key's public inputs.
    part.challenge_index = key.vk().n_public();
    assert_eq!(
        CommittedVerifyingKey::new(key.vk().clone(), part),
        Err(FormatError::ChallengeIndex {
            index: 3,
            n_public: 3
        })
    );
    assert_eq!(
        f.pk.committed_verifying_key().unwrap().unwrap(),
        key.clone()
    );
}
