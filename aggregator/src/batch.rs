//! Batch verification of Groth16 proofs by a random linear combination (the small-exponents
//! test of Bellare, Garay and Rabin, Eurocrypt 1998), with bisection to find the invalid items.
//!
//! Item `i` (key `k`, proof `Aᵢ, Bᵢ, Cᵢ`, signals `sᵢ`) is valid when
//! `e(Aᵢ, Bᵢ) = e(α, β) · e(vk_xᵢ, γ) · e(Cᵢ, δ)` with `vk_xᵢ = IC₀ + Σⱼ sᵢⱼ·ICⱼ`. With secret
//! random 128-bit coefficients `rᵢ`, the whole batch is checked as the single equation
//!
//! `Πᵢ e(rᵢ·Aᵢ, Bᵢ) · Πₖ e(−Xₖ, γₖ) · e(−Σᵢ∈ₖ rᵢ·Cᵢ, δₖ) = Πₖ e(α, β)ₖ^(Σᵢ∈ₖ rᵢ)`
//!
//! where `Xₖ = IC₀·Σᵢ rᵢ + Σⱼ ICⱼ·(Σᵢ rᵢ·sᵢⱼ)` is one MSM of `nPublic + 1` points per key (not
//! per proof). The left side is one multi-Miller loop (split across rayon threads, the partial
//! products multiplied) and one final exponentiation; the right side is one exponentiation in
//! the cyclotomic subgroup per key. Valid items always pass; if some item is invalid, the
//! equation holds for at most one value of each `rᵢ` given the others, so a batch with an
//! invalid item passes with probability at most 2⁻¹²⁸ (the errors are fixed before the
//! coefficients are drawn, and stay secret; the argument needs every point in its prime-order
//! group, which the parsers guarantee).
//!
//! Items are grouped by the key's `vk_hash`, so a key that appears many times (as the same
//! object or as equal copies) costs its MSM, its two key pairs and its exponentiation once.

use std::collections::HashMap;

use ark_bn254::{Bn254, Config, Fq12, Fr, G1Affine, G1Projective};
use ark_ec::bn::{BnConfig, TwistType};
use ark_ec::pairing::{MillerLoopOutput, Pairing};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{CyclotomicMultSubgroup, Field, PrimeField, Zero};
use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use crate::verify::linear_combination;
use crate::{FormatError, PreparedVerifyingKey, Proof};

/// One proof to check: the key it is checked against, the proof and its public signals.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    /// The key (an `Arc<PreparedVerifyingKey>` from [`crate::KeyCache`] derefs to this).
    pub key: &'a PreparedVerifyingKey,
    /// The proof.
    pub proof: &'a Proof,
    /// The public signals; their number must be the key's `nPublic`.
    pub signals: &'a [Fr],
}

impl<'a> BatchItem<'a> {
    /// An item checking `proof` for `signals` against `key`.
    pub fn new(key: &'a PreparedVerifyingKey, proof: &'a Proof, signals: &'a [Fr]) -> Self {
        Self {
            key,
            proof,
            signals,
        }
    }
}

/// An item of a batch that cannot be checked at all (for now: a wrong number of signals).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("batch item {index}: {error}")]
pub struct ItemError {
    /// Position of the item in the batch.
    pub index: usize,
    /// Why it cannot be checked.
    #[source]
    pub error: FormatError,
}

/// Per-item outcome of [`verify_batch`], with what finding the invalid items cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOutcome {
    /// One entry per item, in order: `Ok(true)` valid, `Ok(false)` invalid, `Err` malformed
    /// (a wrong number of signals; such an item takes no part in the combined checks).
    pub results: Vec<Result<bool, FormatError>>,
    /// Combined checks (each one multi-Miller loop and one final exponentiation) that were run:
    /// 1 when every well-formed item is valid, 0 when there were fewer than two of them.
    pub batch_checks: usize,
    /// Items verified on their own by [`PreparedVerifyingKey::verify`] at the leaves of the
    /// bisection (failing groups of at most eight). Every item reported invalid was among them.
    pub single_checks: usize,
}

impl BatchOutcome {
    /// Whether every item is well formed and valid.
    pub fn all_valid(&self) -> bool {
        self.results.iter().all(|r| matches!(r, Ok(true)))
    }

    /// Indices of the items that are well formed but invalid.
    pub fn invalid(&self) -> Vec<usize> {
        let results = self.results.iter().enumerate();
        results
            .filter_map(|(i, r)| matches!(r, Ok(false)).then_some(i))
            .collect()
    }
}

/// Checks every item and says which are invalid, with coefficients from a ChaCha20 generator
/// seeded by the operating system. See [`verify_batch_with_rng`].
pub fn verify_batch(items: &[BatchItem<'_>]) -> BatchOutcome {
    match ChaCha20Rng::from_rng(OsRng) {
        Ok(mut rng) => verify_batch_with_rng(items, &mut rng),
        Err(e) => {
            // Without secret coefficients a combined check proves nothing: check one by one.
            tracing::warn!(error = %e, "no OS randomness; verifying the batch item by item");
            BatchOutcome {
                results: items
                    .iter()
                    .map(|it| it.key.verify(it.proof, it.signals))
                    .collect(),
                batch_checks: 0,
                single_checks: items.len(),
            }
        }
    }
}

/// Checks every item and says which are invalid, drawing the coefficients from `rng`.
///
/// Items with a wrong number of signals get their error and are left out. The rest are checked
/// by one combined equation; if it fails, the batch is bisected: each half is checked with the
/// same coefficients (the union bound keeps every check sound, and the scaled `rᵢ·Aᵢ` are
/// reused), a half known to fail because its sibling passed is not checked again, and the items
/// of a failing group of at most eight are decided one by one by
/// [`PreparedVerifyingKey::verify`]. So no valid item is ever reported invalid, and an invalid
/// one is reported valid with probability at most 2⁻¹²⁸ per combined check.
///
/// Cost, for `n` items of which `k` are invalid, in units of one item's share of a combined
/// check (preparing the lines of `Bᵢ` and running its Miller-loop pair; a single verification
/// costs about four units, a final exponentiation about one and a half):
///
/// - all valid: `n` units and one final exponentiation;
/// - one invalid: about `1.5n` more units on average (`n` when it lies in right halves, up to
///   `2n` in left ones, since a failing left half leaves its sibling to be checked), one or two
///   final exponentiations per halving down to groups of eight, and at most eight single
///   verifications;
/// - `k` invalid: at most about `n·(log₂k + 2)` more units, `2k·log₂n` final exponentiations
///   and `8k` single verifications;
/// - all invalid: about `log₂(n/8) + 1` units per item on top of its single verification; for
///   `n = 64`, 1.8 times the work of verifying each item alone. Callers expecting mostly invalid
///   proofs (from one abusive source, say) should verify those one by one.
pub fn verify_batch_with_rng<R: RngCore + CryptoRng>(
    items: &[BatchItem<'_>],
    rng: &mut R,
) -> BatchOutcome {
    let mut outcome = BatchOutcome {
        results: items
            .iter()
            .map(|it| it.key.check_signal_count(it.signals).map(|()| false))
            .collect(),
        batch_checks: 0,
        single_checks: 0,
    };
    let live: Vec<usize> = (0..items.len())
        .filter(|&i| outcome.results[i].is_ok())
        .collect();
    let coefficients = draw_coefficients(items.len(), rng);
    let combination = Combination::new(items, &coefficients);
    combination.resolve(&live, false, &mut outcome);
    tracing::debug!(
        items = items.len(),
        keys = combination.keys.len(),
        batch_checks = outcome.batch_checks,
        single_checks = outcome.single_checks,
        "batch verified"
    );
    outcome
}

/// Whether every item is valid, by one combined check with coefficients from a ChaCha20
/// generator seeded by the operating system. See [`check_batch_with_rng`].
pub fn check_batch(items: &[BatchItem<'_>]) -> Result<bool, ItemError> {
    match ChaCha20Rng::from_rng(OsRng) {
        Ok(mut rng) => check_batch_with_rng(items, &mut rng),
        Err(e) => {
            tracing::warn!(error = %e, "no OS randomness; verifying the batch item by item");
            check_counts(items)?;
            Ok(items
                .iter()
                .all(|it| matches!(it.key.verify(it.proof, it.signals), Ok(true))))
        }
    }
}

/// Whether every item is valid, by one combined check (no bisection) with coefficients drawn
/// from `rng`. The first item with a wrong number of signals is an error. An empty batch is
/// valid.
pub fn check_batch_with_rng<R: RngCore + CryptoRng>(
    items: &[BatchItem<'_>],
    rng: &mut R,
) -> Result<bool, ItemError> {
    let coefficients = draw_coefficients(items.len(), rng);
    check_batch_with_coefficients(items, &coefficients)
}

/// [`check_batch_with_rng`] with the caller's coefficients, one per item (e.g. derived by
/// hashing the whole batch). They must be unpredictable to whoever made the proofs: with known
/// coefficients, invalid items can be made to cancel. A zero coefficient leaves its item
/// unchecked.
///
/// # Panics
///
/// If `coefficients` and `items` differ in length.
pub fn check_batch_with_coefficients(
    items: &[BatchItem<'_>],
    coefficients: &[u128],
) -> Result<bool, ItemError> {
    assert_eq!(
        items.len(),
        coefficients.len(),
        "one coefficient per batch item"
    );
    check_counts(items)?;
    let all: Vec<usize> = (0..items.len()).collect();
    Ok(Combination::new(items, coefficients).check(&all))
}

fn check_counts(items: &[BatchItem<'_>]) -> Result<(), ItemError> {
    for (index, it) in items.iter().enumerate() {
        it.key
            .check_signal_count(it.signals)
            .map_err(|error| ItemError { index, error })?;
    }
    Ok(())
}

/// Nonzero 128-bit coefficients, one per item.
fn draw_coefficients<R: RngCore + CryptoRng>(n: usize, rng: &mut R) -> Vec<u128> {
    let mut draw = || loop {
        let r = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
        if r != 0 {
            return r;
        }
    };
    (0..n).map(|_| draw()).collect()
}

/// Most proofs whose `B` lines one thread prepares and evaluates together: enough that the
/// shared `Fq12` squarings (64 per Miller loop) are a few percent of the work, few enough that
/// the line tables (about 17 KiB per proof) stay in the core's L2 cache.
const MAX_CHUNK: usize = 16;

/// Largest group known to hold an invalid item whose items are verified one by one (in
/// parallel) instead of being bisected further. For one invalid item among eight, bisecting
/// costs about 21 units of work (see [`verify_batch_with_rng`]) against 32, but it runs small
/// combined checks, whose final exponentiation takes one thread, one after another: on two
/// cores both take the same time. When most items are invalid, the levels of bisection below
/// eight are pure overhead; stopping there made all-invalid batches of 64 twice as fast.
const SINGLES_BELOW: usize = 8;

/// A batch with its coefficients drawn: items grouped by key and `rᵢ·Aᵢ` computed once, so any
/// subset can be checked.
struct Combination<'a> {
    items: &'a [BatchItem<'a>],
    /// Index into `keys` of each item's key.
    group: Vec<usize>,
    /// One key per distinct `vk_hash`.
    keys: Vec<&'a PreparedVerifyingKey>,
    /// `rᵢ` as a scalar.
    coefficients: Vec<Fr>,
    /// `rᵢ·Aᵢ`.
    scaled_a: Vec<G1Affine>,
}

/// A key's terms of a combined check over some subset of the batch.
#[derive(Default)]
struct KeyTerms {
    /// `Σ rᵢ` followed by `Σ rᵢ·sᵢⱼ` for each signal `j`: the scalars of `Xₖ` over `IC`.
    ic_scalars: Vec<Fr>,
    c_points: Vec<G1Affine>,
    c_scalars: Vec<Fr>,
}

impl<'a> Combination<'a> {
    fn new(items: &'a [BatchItem<'a>], coefficients: &[u128]) -> Self {
        let mut ids = HashMap::new();
        let mut keys = Vec::new();
        let group = items
            .iter()
            .map(|it| {
                *ids.entry(it.key.vk_hash()).or_insert_with(|| {
                    keys.push(it.key);
                    keys.len() - 1
                })
            })
            .collect();
        let scaled: Vec<G1Projective> = items
            .par_iter()
            .zip(coefficients.par_iter())
            .map(|(it, &r)| it.proof.a.mul_bigint([r as u64, (r >> 64) as u64]))
            .collect();
        Self {
            items,
            group,
            keys,
            coefficients: coefficients.iter().map(|&r| Fr::from(r)).collect(),
            // One inversion for the whole batch instead of one per point.
            scaled_a: G1Projective::normalize_batch(&scaled),
        }
    }

    /// Decides every item of `subset`, recording results and costs in `out`; returns whether
    /// all were valid. `known_failing` says that `subset` is known to hold an invalid item.
    fn resolve(&self, subset: &[usize], known_failing: bool, out: &mut BatchOutcome) -> bool {
        if subset.len() > 1 && !known_failing {
            out.batch_checks += 1;
            if self.check(subset) {
                for &i in subset {
                    out.results[i] = Ok(true);
                }
                return true;
            }
        }
        // From here on `subset` holds an invalid item (or is a single item, or empty).
        if subset.len() <= SINGLES_BELOW {
            let results: Vec<_> = subset
                .par_iter()
                .map(|&i| {
                    self.items[i]
                        .key
                        .verify(self.items[i].proof, self.items[i].signals)
                })
                .collect();
            out.single_checks += subset.len();
            let mut all_valid = true;
            for (&i, r) in subset.iter().zip(results) {
                all_valid &= matches!(r, Ok(true));
                out.results[i] = r;
            }
            return all_valid;
        }
        let (left, right) = subset.split_at(subset.len() / 2);
        let left_valid = self.resolve(left, false, out);
        // `subset` fails: if its left half is valid, its right half is not.
        self.resolve(right, left_valid, out);
        false
    }

    /// The combined check over `subset` (items whose signal counts are right).
    fn check(&self, subset: &[usize]) -> bool {
        let (proofs, (key_pairs_ml, target)) =
            rayon::join(|| self.proof_miller_loop(subset), || self.key_side(subset));
        let f = proofs * key_pairs_ml;
        Bn254::final_exponentiation(MillerLoopOutput(f)).is_some_and(|out| out.0 == target)
    }

    /// `Πᵢ e'(rᵢ·Aᵢ, Bᵢ)` before the final exponentiation, the items split into chunks across
    /// threads; each chunk prepares its `B` lines and runs one multi-Miller loop over them.
    fn proof_miller_loop(&self, subset: &[usize]) -> Fq12 {
        let chunk = subset
            .len()
            .div_ceil(rayon::current_num_threads())
            .clamp(1, MAX_CHUNK);
        subset
            .par_chunks(chunk)
            .map(|chunk| {
                let lines: Vec<G2Lines> = chunk
                    .iter()
                    .map(|&i| G2Lines::from(self.items[i].proof.b))
                    .collect();
                let pairs: Vec<(G1Affine, &G2Lines)> = chunk
                    .iter()
                    .zip(&lines)
                    .map(|(&i, l)| (self.scaled_a[i], l))
                    .collect();
                multi_miller_loop(&pairs)
            })
            .reduce(|| Fq12::ONE, |a, b| a * b)
    }

    /// The key side: the Miller loop of `Πₖ e'(−Xₖ, γₖ)·e'(−Σ rᵢ·Cᵢ, δₖ)` and the target
    /// `Πₖ e(α, β)ₖ^(Σ rᵢ)`.
    fn key_side(&self, subset: &[usize]) -> (Fq12, Fq12) {
        let mut terms: Vec<KeyTerms> = Vec::new();
        terms.resize_with(self.keys.len(), KeyTerms::default);
        for &i in subset {
            let t = &mut terms[self.group[i]];
            let r = self.coefficients[i];
            if t.ic_scalars.is_empty() {
                t.ic_scalars = vec![Fr::zero(); self.items[i].signals.len() + 1];
            }
            t.ic_scalars[0] += r;
            for (acc, s) in t.ic_scalars[1..].iter_mut().zip(self.items[i].signals) {
                *acc += r * s;
            }
            t.c_points.push(self.items[i].proof.c);
            t.c_scalars.push(r);
        }
        let per_key: Vec<(G1Projective, G1Projective, Fq12)> = terms
            .par_iter()
            .zip(&self.keys)
            .filter(|(t, _)| !t.ic_scalars.is_empty())
            .map(|(t, key)| {
                let x = linear_combination(&key.key().ic, &t.ic_scalars);
                let c = linear_combination(&t.c_points, &t.c_scalars);
                let sum_r = t.ic_scalars[0].into_bigint();
                (-x, -c, key.alpha_beta().0.cyclotomic_exp(sum_r))
            })
            .collect();
        let points: Vec<G1Projective> = per_key.iter().flat_map(|(x, c, _)| [*x, *c]).collect();
        let points = G1Projective::normalize_batch(&points);
        let active = self.keys.iter().zip(&terms);
        let lines = active
            .filter(|(_, t)| !t.ic_scalars.is_empty())
            .flat_map(|(key, _)| [key.gamma_lines(), key.delta_lines()]);
        let pairs: Vec<(G1Affine, &G2Lines)> = points.into_iter().zip(lines).collect();
        let target = per_key.iter().map(|(_, _, t)| *t).product();
        (multi_miller_loop(&pairs), target)
    }
}

/// Line coefficients of a G2 point (arkworks' `G2Prepared`).
type G2Lines = <Bn254 as Pairing>::G2Prepared;

// The Miller loop below is written for BN254's parameters.
const _: () = assert!(!<Config as BnConfig>::X_IS_NEGATIVE);
const _: () = assert!(matches!(<Config as BnConfig>::TWIST_TYPE, TwistType::D));

/// `Π e'(pᵢ, qᵢ)` before the final exponentiation, over borrowed line tables, on the calling
/// thread. The same loop as arkworks' `multi_miller_loop` (which takes its `G2Prepared` by
/// value and splits the pairs into fours); pairs with a zero point contribute 1.
fn multi_miller_loop(pairs: &[(G1Affine, &G2Lines)]) -> Fq12 {
    let pairs: Vec<_> = pairs
        .iter()
        .filter(|(p, q)| !p.is_zero() && !q.is_zero())
        .collect();
    let lines = |f: &mut Fq12, line: usize| {
        for (p, q) in &pairs {
            let (mut c0, mut c1, c2) = q.ell_coeffs[line];
            c0.mul_assign_by_fp(&p.y);
            c1.mul_assign_by_fp(&p.x);
            f.mul_by_034(&c0, &c1, &c2);
        }
    };
    let ate = <Config as BnConfig>::ATE_LOOP_COUNT;
    let mut f = Fq12::ONE;
    let mut line = 0;
    for i in (1..ate.len()).rev() {
        if i != ate.len() - 1 {
            f.square_in_place();
        }
        lines(&mut f, line);
        line += 1;
        if ate[i - 1] != 0 {
            lines(&mut f, line);
            line += 1;
        }
    }
    // The two lines through `π(Q)` and `−π²(Q)`.
    lines(&mut f, line);
    lines(&mut f, line + 1);
    f
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ark_bn254::G2Affine;
    use ark_std::UniformRand;

    #[test]
    fn miller_loop_matches_arkworks() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for n in [0, 1, 2, 5] {
            let g1: Vec<G1Affine> = (0..n).map(|_| G1Affine::rand(&mut rng)).collect();
            let g2: Vec<G2Affine> = (0..n).map(|_| G2Affine::rand(&mut rng)).collect();
            let lines: Vec<G2Lines> = g2.iter().map(|&q| q.into()).collect();
            let pairs: Vec<_> = g1.iter().copied().zip(&lines).collect();
            let ours = multi_miller_loop(&pairs);
            assert_eq!(ours, Bn254::multi_miller_loop(g1, g2).0, "n = {n}");
        }
        // Zero points are skipped, as arkworks does.
        let q: G2Lines = G2Affine::rand(&mut rng).into();
        assert_eq!(multi_miller_loop(&[(G1Affine::zero(), &q)]), Fq12::ONE);
    }
}
