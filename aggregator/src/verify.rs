//! Groth16 verification (Groth 2016, §3.2): accept when
//! `e(A, B) = e(α, β) · e(Σ sᵢ·ICᵢ, γ) · e(C, δ)`, with `s₀ = 1`.
//!
//! It is checked as one multi-Miller loop over `(A, B), (-vk_x, γ), (-C, δ)` and one final
//! exponentiation, compared with `e(α, β)`, which the prepared key holds. The number of public
//! signals is checked against the key first: extra signals are an error, not ignored.

use ark_bn254::{Bn254, Fr, G1Projective};
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::{CurveGroup, VariableBaseMSM};

use crate::{FormatError, Proof, VerifyingKey};

/// A verifying key with the parts of the check that do not depend on the proof precomputed.
#[derive(Clone, Debug)]
pub struct PreparedVerifyingKey {
    vk: VerifyingKey,
    alpha_beta: PairingOutput<Bn254>,
    gamma: <Bn254 as Pairing>::G2Prepared,
    delta: <Bn254 as Pairing>::G2Prepared,
}

impl PreparedVerifyingKey {
    /// Prepares `vk` (one pairing and two G2 line precomputations).
    pub fn new(vk: VerifyingKey) -> Self {
        let alpha_beta = Bn254::pairing(vk.alpha_g1, vk.beta_g2);
        let gamma = <Bn254 as Pairing>::G2Prepared::from(vk.gamma_g2);
        let delta = <Bn254 as Pairing>::G2Prepared::from(vk.delta_g2);
        Self {
            vk,
            alpha_beta,
            gamma,
            delta,
        }
    }

    /// The key this was prepared from.
    pub fn key(&self) -> &VerifyingKey {
        &self.vk
    }

    /// Whether `proof` is valid for `signals`. A wrong number of signals is an error.
    pub fn verify(&self, proof: &Proof, signals: &[Fr]) -> Result<bool, FormatError> {
        let n = self.vk.n_public();
        if signals.len() != n {
            return Err(FormatError::SignalCount {
                expected: n,
                found: signals.len(),
            });
        }
        let vk_x = G1Projective::msm_unchecked(&self.vk.ic[1..], signals) + self.vk.ic[0];
        let b: <Bn254 as Pairing>::G2Prepared = proof.b.into();
        let ml = Bn254::multi_miller_loop(
            [proof.a, (-vk_x).into_affine(), -proof.c],
            [b, self.gamma.clone(), self.delta.clone()],
        );
        Ok(Bn254::final_exponentiation(ml).is_some_and(|out| out == self.alpha_beta))
    }
}
