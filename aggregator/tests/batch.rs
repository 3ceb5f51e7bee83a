//! Batch verification against proofs made by arkworks' `ark-groth16`, for keys with 1 and 4
//! public signals: valid batches pass in one combined check; tampered items (wrong signal,
//! negated `A`, `C` of another proof, a proof for another key, pairs built to cancel under fixed
//! coefficients) are found exactly; malformed items are reported alone; and on random mixes the
//! batch agrees with verifying each item on its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use ark_bn254::{Bn254, Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Field;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::batch::check_batch_with_coefficients;
use sheaf_aggregator::{
    BatchItem, FormatError, ItemError, KeyCache, PreparedVerifyingKey, Proof, VerifyingKey,
    check_batch, check_batch_with_rng, verify_batch, verify_batch_with_rng,
};

mod common;
use common::Squares;

/// A key (prepared through a [`KeyCache`], as the service does) and honest proofs for it.
struct Circuit {
    key: Arc<PreparedVerifyingKey>,
    proofs: Vec<(Proof, Vec<Fr>)>,
}

fn circuit(n_public: usize, seed: u64, proofs: usize, cache: &KeyCache) -> Circuit {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let template = Squares {
        w: Fr::from(1u64),
        n_public,
    };
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(template, &mut rng).unwrap();
    let vk = VerifyingKey {
        alpha_g1: vk.alpha_g1,
        beta_g2: vk.beta_g2,
        gamma_g2: vk.gamma_g2,
        delta_g2: vk.delta_g2,
        ic: vk.gamma_abc_g1,
    };
    let proofs = (0..proofs)
        .map(|_| {
            let c = Squares {
                w: Fr::from(rng.r#gen::<u64>()),
                n_public,
            };
            let p = Groth16::<Bn254>::prove(&pk, c.clone(), &mut rng).unwrap();
            let proof = Proof {
                a: p.a,
                b: p.b,
                c: p.c,
            };
            (proof, c.publics())
        })
        .collect();
    Circuit {
        key: cache.get_or_prepare(&vk),
        proofs,
    }
}

/// Four keys, two with one signal and two with four (so a proof can be sent to another key of
/// the same size).
fn circuits() -> Vec<Circuit> {
    let cache = KeyCache::new(8);
    vec![
        circuit(1, 1, 6, &cache),
        circuit(4, 2, 6, &cache),
        circuit(4, 3, 6, &cache),
        circuit(1, 4, 6, &cache),
    ]
}

/// An item to put in a batch: owned, so tests can tamper with it.
#[derive(Clone)]
struct Owned {
    key: Arc<PreparedVerifyingKey>,
    proof: Proof,
    signals: Vec<Fr>,
}

impl Owned {
    fn item(&self) -> BatchItem<'_> {
        BatchItem::new(&self.key, &self.proof, &self.signals)
    }
}

/// Every proof of every circuit, interleaved across keys.
fn honest(circuits: &[Circuit]) -> Vec<Owned> {
    let per_key = circuits[0].proofs.len();
    (0..per_key)
        .flat_map(|i| {
            circuits.iter().map(move |c| Owned {
                key: Arc::clone(&c.key),
                proof: c.proofs[i].0.clone(),
                signals: c.proofs[i].1.clone(),
            })
        })
        .collect()
}

fn items(owned: &[Owned]) -> Vec<BatchItem<'_>> {
    owned.iter().map(Owned::item).collect()
}

fn neg(p: &G1Affine) -> G1Affine {
    (-p.into_group()).into_affine()
}

#[test]
fn valid_batches_pass_in_one_check() {
    let circuits = circuits();
    let all = honest(&circuits);
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    for n in [1, 2, 3, 7, all.len()] {
        let batch = items(&all[..n]);
        let out = verify_batch_with_rng(&batch, &mut rng);
        assert!(out.all_valid(), "n = {n}");
        assert_eq!(out.results.len(), n);
        assert_eq!(out.single_checks, usize::from(n == 1));
        assert_eq!(out.batch_checks, usize::from(n > 1));
        assert_eq!(check_batch_with_rng(&batch, &mut rng), Ok(true));
    }
    // The OS-seeded entry points.
    assert!(verify_batch(&items(&all)).all_valid());
    assert_eq!(check_batch(&items(&all)), Ok(true));
}

#[test]
fn equal_keys_in_distinct_objects_are_grouped() {
    let circuits = circuits();
    // Each item holds its own copy of the key: grouping is by vk_hash, not by address.
    let all: Vec<Owned> = honest(&circuits)
        .into_iter()
        .map(|o| Owned {
            key: Arc::new(PreparedVerifyingKey::new(o.key.key().clone())),
            ..o
        })
        .collect();
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    assert!(verify_batch_with_rng(&items(&all), &mut rng).all_valid());
    let mut bad = all.clone();
    bad[4].signals[0] += Fr::ONE;
    let out = verify_batch_with_rng(&items(&bad), &mut rng);
    assert_eq!(out.invalid(), vec![4]);
}

#[test]
fn empty_batch() {
    let out = verify_batch(&[]);
    assert!(out.results.is_empty());
    assert!(out.all_valid());
    assert_eq!((out.batch_checks, out.single_checks), (0, 0));
    assert_eq!(check_batch(&[]), Ok(true));
}

/// Makes item `i` of `batch` invalid in one of five ways (`how` in `0..5`).
fn tamper(batch: &mut [Owned], i: usize, how: usize, circuits: &[Circuit]) {
    let it = &mut batch[i];
    match how {
        // A public signal off by one.
        0 => it.signals[0] += Fr::ONE,
        // −A.
        1 => it.proof.a = neg(&it.proof.a),
        // C of another proof for the same key.
        2 => {
            let other = circuits
                .iter()
                .find(|c| c.key.vk_hash() == it.key.vk_hash())
                .unwrap()
                .proofs
                .iter()
                .find(|(p, _)| p.c != it.proof.c)
                .unwrap();
            it.proof.c = other.0.c;
        }
        // An honest proof, with its signals, for another key with the same number of signals.
        3 => {
            let other = circuits
                .iter()
                .find(|c| {
                    c.key.vk_hash() != it.key.vk_hash()
                        && c.key.key().n_public() == it.signals.len()
                })
                .unwrap();
            (it.proof, it.signals) = other.proofs[0].clone();
        }
        // B moved off the proof's.
        _ => {
            let g2 = ark_bn254::G2Affine::generator();
            it.proof.b = (it.proof.b + g2).into_affine();
        }
    }
}

#[test]
fn tampered_items_are_found_exactly() {
    let circuits = circuits();
    let all = honest(&circuits);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    // One invalid item, for each tampering and a few positions.
    for how in 0..5 {
        for i in [0, 1, 7, all.len() - 1] {
            let mut bad = all.clone();
            tamper(&mut bad, i, how, &circuits);
            assert!(
                !bad[i].key.verify(&bad[i].proof, &bad[i].signals).unwrap(),
                "tampering {how} of item {i} left it valid"
            );
            let out = verify_batch_with_rng(&items(&bad), &mut rng);
            assert_eq!(out.invalid(), vec![i], "tampering {how} of item {i}");
            assert!(out.results.iter().all(Result::is_ok));
            // One failing combined check, at most two per halving, then a group of at most eight
            // verified one by one.
            let levels = all.len().next_power_of_two().ilog2() as usize;
            assert!(out.batch_checks <= 1 + 2 * levels, "{}", out.batch_checks);
            assert!(out.single_checks <= 8, "{}", out.single_checks);
            assert_eq!(check_batch_with_rng(&items(&bad), &mut rng), Ok(false));
        }
    }
    // Several invalid items at once, of every kind.
    let mut bad = all.clone();
    let wrong = [2, 3, 5, 11, 12, 17];
    for (how, &i) in wrong.iter().enumerate() {
        tamper(&mut bad, i, how % 5, &circuits);
    }
    let out = verify_batch_with_rng(&items(&bad), &mut rng);
    assert_eq!(out.invalid(), wrong);
    // All of them invalid.
    let mut bad = all.clone();
    for i in 0..bad.len() {
        tamper(&mut bad, i, i % 5, &circuits);
    }
    let out = verify_batch_with_rng(&items(&bad), &mut rng);
    assert_eq!(out.invalid(), (0..bad.len()).collect::<Vec<_>>());
}

#[test]
fn a_proof_for_another_key_of_the_same_size_is_rejected() {
    let circuits = circuits();
    let (proof, signals) = circuits[2].proofs[0].clone();
    let mut all = honest(&circuits);
    all.push(Owned {
        key: Arc::clone(&circuits[1].key),
        proof,
        signals,
    });
    let out = verify_batch_with_rng(&items(&all), &mut ChaCha20Rng::seed_from_u64(13));
    assert_eq!(out.invalid(), vec![all.len() - 1]);
}

#[test]
fn random_coefficients_catch_items_built_to_cancel() {
    let circuits = circuits();
    let all = honest(&circuits);
    let d = G1Affine::generator();
    // Items 1 and 5 share a key: shift C of one by +D and of the other by −D. With every
    // coefficient 1 the errors cancel and the combined check passes.
    let mut bad = all.clone();
    assert!(Arc::ptr_eq(&bad[1].key, &bad[5].key));
    bad[1].proof.c = (bad[1].proof.c + d).into_affine();
    bad[5].proof.c = (bad[5].proof.c - d).into_affine();
    // Likewise a signal of item 2 up by one and the same signal of item 6 down by one.
    assert!(Arc::ptr_eq(&bad[2].key, &bad[6].key));
    bad[2].signals[3] += Fr::ONE;
    bad[6].signals[3] -= Fr::ONE;
    let ones = vec![1u128; bad.len()];
    assert_eq!(
        check_batch_with_coefficients(&items(&bad), &ones),
        Ok(true),
        "fixed coefficients are fooled"
    );
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    for _ in 0..5 {
        assert_eq!(check_batch_with_rng(&items(&bad), &mut rng), Ok(false));
        let out = verify_batch_with_rng(&items(&bad), &mut rng);
        assert_eq!(out.invalid(), vec![1, 2, 5, 6]);
    }
}

#[test]
fn wrong_signal_count_is_reported_for_that_item_only() {
    let circuits = circuits();
    let mut all = honest(&circuits);
    all[3].signals.push(Fr::ONE);
    all[7].signals.pop();
    all[9].proof.a = neg(&all[9].proof.a);
    let out = verify_batch_with_rng(&items(&all), &mut ChaCha20Rng::seed_from_u64(15));
    for (i, r) in out.results.iter().enumerate() {
        match i {
            3 => assert_eq!(
                *r,
                Err(FormatError::SignalCount {
                    expected: all[3].key.key().n_public(),
                    found: all[3].signals.len()
                })
            ),
            7 => assert!(matches!(r, Err(FormatError::SignalCount { .. }))),
            9 => assert_eq!(*r, Ok(false)),
            _ => assert_eq!(*r, Ok(true), "item {i}"),
        }
    }
    assert_eq!(out.invalid(), vec![9]);
    assert!(matches!(
        check_batch(&items(&all)),
        Err(ItemError {
            index: 3,
            error: FormatError::SignalCount { .. }
        })
    ));
}

#[test]
fn random_mixes_agree_with_single_verification() {
    let circuits = circuits();
    let pool = honest(&circuits);
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    for iteration in 0..60 {
        let n = rng.gen_range(0..=24);
        // From no invalid items to all of them.
        let p_bad = [0.0, 0.05, 0.2, 0.5, 1.0][iteration % 5];
        let mut batch: Vec<Owned> = (0..n)
            .map(|_| pool[rng.gen_range(0..pool.len())].clone())
            .collect();
        for i in 0..n {
            if rng.gen_bool(p_bad) {
                let how = rng.gen_range(0..5);
                tamper(&mut batch, i, how, &circuits);
            }
        }
        if n > 0 && rng.gen_bool(0.2) {
            let i = rng.gen_range(0..n);
            batch[i].signals.push(Fr::ONE);
        }
        let expected: Vec<_> = batch
            .iter()
            .map(|o| o.key.verify(&o.proof, &o.signals))
            .collect();
        let out = verify_batch_with_rng(&items(&batch), &mut rng);
        assert_eq!(out.results, expected, "iteration {iteration}");
    }
}
