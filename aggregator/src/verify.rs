//! Groth16 verification (Groth 2016, §3.2): accept when
//! `e(A, B) = e(α, β) · e(Σ sᵢ·ICᵢ, γ) · e(C, δ)`, with `s₀ = 1`.
//!
//! It is checked as one multi-Miller loop over `(A, B), (-vk_x, γ), (-C, δ)` and one final
//! exponentiation, compared with `e(α, β)`, which the prepared key holds. The number of public
//! signals is checked against the key first: extra signals are an error, not ignored.

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::PrimeField;

use crate::{FormatError, Hash32, Proof, VerifyingKey};

/// `Σ sᵢ·Pᵢ`. Up to [`SMALL_MSM`] terms, one GLV scalar multiplication per term is cheapest:
/// arkworks' Pippenger MSM sorts the scalars and sets up buckets across rayon threads, which
/// for a handful of points costs more than the multiplications (it made single verification
/// about 40% slower at one to four signals).
pub(crate) fn linear_combination(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    if bases.len().min(scalars.len()) <= SMALL_MSM {
        let terms = bases.iter().zip(scalars);
        terms.map(|(p, s)| p.mul_bigint(s.into_bigint())).sum()
    } else {
        G1Projective::msm_unchecked(bases, scalars)
    }
}

/// Most terms for which [`linear_combination`] multiplies point by point.
const SMALL_MSM: usize = 8;

/// A verifying key with the parts of the check that do not depend on the proof precomputed.
#[derive(Clone, Debug)]
pub struct PreparedVerifyingKey {
    vk: VerifyingKey,
    vk_hash: Hash32,
    alpha_beta: PairingOutput<Bn254>,
    gamma: <Bn254 as Pairing>::G2Prepared,
    delta: <Bn254 as Pairing>::G2Prepared,
}

impl PreparedVerifyingKey {
    /// Prepares `vk` (one pairing, two G2 line precomputations and its `vk_hash`).
    pub fn new(vk: VerifyingKey) -> Self {
        let vk_hash = vk.vk_hash();
        Self::with_hash(vk, vk_hash)
    }

    /// Prepares `vk` whose `vk_hash` the caller has already computed.
    pub(crate) fn with_hash(vk: VerifyingKey, vk_hash: Hash32) -> Self {
        let alpha_beta = Bn254::pairing(vk.alpha_g1, vk.beta_g2);
        let gamma = <Bn254 as Pairing>::G2Prepared::from(vk.gamma_g2);
        let delta = <Bn254 as Pairing>::G2Prepared::from(vk.delta_g2);
        Self {
            vk,
            vk_hash,
            alpha_beta,
            gamma,
            delta,
        }
    }

    /// The key this was prepared from.
    pub fn key(&self) -> &VerifyingKey {
        &self.vk
    }

    /// `vk_hash` of the key: its identity (batches group proofs by it, the cache is keyed by it).
    pub fn vk_hash(&self) -> &Hash32 {
        &self.vk_hash
    }

    /// `e(α, β)`.
    pub(crate) fn alpha_beta(&self) -> &PairingOutput<Bn254> {
        &self.alpha_beta
    }

    /// The line coefficients of `γ`.
    pub(crate) fn gamma_lines(&self) -> &<Bn254 as Pairing>::G2Prepared {
        &self.gamma
    }

    /// The line coefficients of `δ`.
    pub(crate) fn delta_lines(&self) -> &<Bn254 as Pairing>::G2Prepared {
        &self.delta
    }

    /// Checks that `signals` has the key's `nPublic` entries.
    pub(crate) fn check_signal_count(&self, signals: &[Fr]) -> Result<(), FormatError> {
        let n = self.vk.n_public();
        if signals.len() != n {
            return Err(FormatError::SignalCount {
                expected: n,
                found: signals.len(),
            });
        }
        Ok(())
    }

    /// Whether `proof` is valid for `signals`. A wrong number of signals is an error.
    pub fn verify(&self, proof: &Proof, signals: &[Fr]) -> Result<bool, FormatError> {
        self.check_signal_count(signals)?;
        let vk_x = linear_combination(&self.vk.ic[1..], signals) + self.vk.ic[0];
        let b: <Bn254 as Pairing>::G2Prepared = proof.b.into();
        let ml = Bn254::multi_miller_loop(
            [proof.a, (-vk_x).into_affine(), -proof.c],
            [b, self.gamma.clone(), self.delta.clone()],
        );
        Ok(Bn254::final_exponentiation(ml).is_some_and(|out| out == self.alpha_beta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn linear_combination_matches_the_naive_sum_on_both_sides_of_the_threshold() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        for n in [0, 1, 2, SMALL_MSM, SMALL_MSM + 1, 40] {
            let bases: Vec<G1Affine> = (0..n).map(|_| G1Affine::rand(&mut rng)).collect();
            let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            if let Some(s) = scalars.first_mut() {
                *s = -Fr::from(1u64);
            }
            let naive: G1Projective = bases.iter().zip(&scalars).map(|(p, s)| *p * s).sum();
            assert_eq!(linear_combination(&bases, &scalars), naive, "n = {n}");
        }
    }
}
