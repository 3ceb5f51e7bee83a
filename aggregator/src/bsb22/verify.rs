//! Verification of a committed Groth16 proof: the Groth16 equation with `D` added to `vk_x`
//! and the proof of knowledge `e(π, G) = e(D, σG)`, folded with a coefficient `ρ` into one
//! multi-Miller loop and one final exponentiation:
//!
//! ```text
//! e(A, B) · e(−(vk_x + D), γ) · e(−C, δ) · e(ρ·π, G) · e(−ρ·D, σG) = e(α, β)
//! ```
//!
//! `ρ` hashes the key, the proof and the inputs, so a prover fixes both checks before `ρ` is
//! known; if either fails, the product matches for at most one `ρ` in Fr. When `G = γ` (our
//! setup) the first two pairings share γ's lines: `e(ρ·π − vk_x − D, γ)`, four pairs in all.

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;

use super::{CommittedProof, CommittedVerifyingKey, commitment_challenge, fold_coefficient};
use crate::verify::linear_combination;
use crate::{FormatError, Hash32, PreparedVerifyingKey};

type G2Lines = <Bn254 as Pairing>::G2Prepared;

/// A committed verifying key with everything that does not depend on the proof precomputed.
#[derive(Clone, Debug)]
pub struct PreparedCommittedVerifyingKey {
    pvk: PreparedVerifyingKey,
    key: CommittedVerifyingKey,
    key_hash: Hash32,
    /// `None` when `G = γ`: the proof of knowledge then reuses γ's lines.
    g: Option<G2Lines>,
    sigma_g: G2Lines,
}

/// The two checks of a committed proof, evaluated separately (for diagnostics and tests;
/// [`PreparedCommittedVerifyingKey::verify`] is the check to rely on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommittedCheck {
    /// `e(A, B) = e(α, β)·e(vk_x + D, γ)·e(C, δ)` with the challenge recomputed from `D`.
    pub groth16: bool,
    /// `e(π, G) = e(D, σG)`.
    pub pok: bool,
}

impl CommittedCheck {
    /// Both checks hold.
    pub fn holds(&self) -> bool {
        self.groth16 && self.pok
    }
}

impl PreparedCommittedVerifyingKey {
    /// Prepares `key` (one pairing, up to four G2 line precomputations, the key hash).
    pub fn new(key: CommittedVerifyingKey) -> Self {
        let pvk = PreparedVerifyingKey::new(key.vk().clone());
        let c = key.commitment();
        let g = (c.g != key.vk().gamma_g2).then(|| G2Lines::from(c.g));
        let sigma_g = G2Lines::from(c.sigma_g);
        Self {
            key_hash: key.key_hash(),
            pvk,
            key,
            g,
            sigma_g,
        }
    }

    /// The key this was prepared from.
    pub fn key(&self) -> &CommittedVerifyingKey {
        &self.key
    }

    /// [`CommittedVerifyingKey::key_hash`].
    pub fn key_hash(&self) -> &Hash32 {
        &self.key_hash
    }

    /// The full public inputs of `proof` for `statement`: the challenge recomputed from `D` and
    /// inserted at its position.
    pub fn full_inputs(
        &self,
        proof: &CommittedProof,
        statement: &[Fr],
    ) -> Result<Vec<Fr>, FormatError> {
        self.key
            .full_inputs(statement, commitment_challenge(&proof.commitment))
    }

    /// Whether `proof` is valid for `statement`, the public inputs WITHOUT the challenge (the
    /// verifier derives it from `D`). A wrong number of inputs is an error; a `D` or `π` that
    /// is the identity or off the curve is invalid.
    pub fn verify(&self, proof: &CommittedProof, statement: &[Fr]) -> Result<bool, FormatError> {
        let inputs = self.full_inputs(proof, statement)?;
        if !commitment_points_valid(proof) {
            return Ok(false);
        }
        let vk_x = self.vk_x(proof, &inputs);
        let rho = fold_coefficient(&self.key_hash, proof, &inputs);
        let rho_pi = proof.pok * rho;
        let minus_rho_d = -(proof.commitment * rho);
        let mut g1: Vec<G1Projective> =
            vec![proof.proof.a.into_group(), -proof.proof.c.into_group()];
        let mut g2: Vec<G2Lines> = vec![proof.proof.b.into(), self.pvk.delta_lines().clone()];
        match &self.g {
            None => {
                g1.push(rho_pi - vk_x);
                g2.push(self.pvk.gamma_lines().clone());
            }
            Some(g) => {
                g1.extend([-vk_x, rho_pi]);
                g2.extend([self.pvk.gamma_lines().clone(), g.clone()]);
            }
        }
        g1.push(minus_rho_d);
        g2.push(self.sigma_g.clone());
        let g1 = G1Projective::normalize_batch(&g1);
        let ml = Bn254::multi_miller_loop(g1, g2);
        Ok(Bn254::final_exponentiation(ml).is_some_and(|out| out == *self.pvk.alpha_beta()))
    }

    /// Evaluates the Groth16 equation and the proof of knowledge separately (two final
    /// exponentiations), so a caller can tell which one a rejected proof fails.
    pub fn check_parts(
        &self,
        proof: &CommittedProof,
        statement: &[Fr],
    ) -> Result<CommittedCheck, FormatError> {
        let inputs = self.full_inputs(proof, statement)?;
        if !commitment_points_valid(proof) {
            return Ok(CommittedCheck {
                groth16: false,
                pok: false,
            });
        }
        let vk_x = self.vk_x(proof, &inputs).into_affine();
        let groth16 = Bn254::multi_miller_loop(
            [proof.proof.a, -vk_x, -proof.proof.c],
            [
                proof.proof.b.into(),
                self.pvk.gamma_lines().clone(),
                self.pvk.delta_lines().clone(),
            ],
        );
        let groth16 =
            Bn254::final_exponentiation(groth16).is_some_and(|out| out == *self.pvk.alpha_beta());
        let g = self
            .g
            .clone()
            .unwrap_or_else(|| self.pvk.gamma_lines().clone());
        let pok =
            Bn254::multi_miller_loop([proof.pok, -proof.commitment], [g, self.sigma_g.clone()]);
        let pok = Bn254::final_exponentiation(pok).is_some_and(|out| out.is_zero());
        Ok(CommittedCheck { groth16, pok })
    }

    /// `vk_x + D = IC₀ + Σ xᵢ·ICᵢ₊₁ + D`.
    fn vk_x(&self, proof: &CommittedProof, inputs: &[Fr]) -> G1Projective {
        let ic = &self.key.vk().ic;
        linear_combination(&ic[1..], inputs) + ic[0] + proof.commitment
    }
}

/// `D` and `π` are on the curve and not the identity (G1 has cofactor 1, so that is the whole
/// subgroup check). Decoded proofs have passed this already; it guards hand-built ones.
fn commitment_points_valid(proof: &CommittedProof) -> bool {
    let ok = |p: &G1Affine| !p.is_zero() && p.is_on_curve();
    ok(&proof.commitment) && ok(&proof.pok)
}
