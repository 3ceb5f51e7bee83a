//! A Groth16 verifier in the circuit: `e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)` with
//! `vk_x = IC₀ + Σ sᵢ·ICᵢ`, checked as `e(A, B)·e(−α, β)·e(−vk_x, γ)·e(−C, δ) = 1` by one
//! multi-Miller loop and a residue witness ([`super::pairing`]).
//!
//! What is checked about the points:
//!
//! - every G1 point (`A`, `C`, `α`, `ICᵢ`) and every G2 point (`B`, `β`, `γ`, `δ`) is on its
//!   curve (G1 has prime order, so on-curve G1 points are in the group);
//! - `B` is proven to be in G2 (it is the prover's choice);
//! - the key's `β`, `γ`, `δ` are trusted to be in G2: the key is meant to be bound by the caller
//!   to a `vk_hash` of a key validated natively when it was registered, so whoever relies on a
//!   statement has already accepted the key. [`VerifyOptions::check_key_subgroups`] proves it
//!   in the circuit too, for keys that are not bound that way.
//!
//! The public signals are native Fr values (canonical by construction), as many as the key
//! has `IC` points minus one.

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::challenge::Commit;
use super::ctx::{Ctx, IdentityStats};
use super::curve::{G1Var, G2Var};
use super::msm::linear_combination;
use super::num::Num;
use super::pairing::{Pair, PairingCosts, assert_pairing_product_is_one};
use super::range::{RangeMode, RangeStats};
use crate::{Proof, VerifyingKey};

/// What the verifier proves beyond the equation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Also prove `β`, `γ`, `δ ∈ G2` (see the module documentation).
    pub check_key_subgroups: bool,
}

/// A verifying key as witnesses.
#[derive(Clone, Debug)]
pub struct VerifyingKeyVar {
    /// `α` in G1.
    pub alpha: G1Var,
    /// `β` in G2.
    pub beta: G2Var,
    /// `γ` in G2.
    pub gamma: G2Var,
    /// `δ` in G2.
    pub delta: G2Var,
    /// `IC₀ … IC_ℓ`.
    pub ic: Vec<G1Var>,
}

impl VerifyingKeyVar {
    /// Allocates a key for `n_public` public signals (`vk` is `None` in setup mode; its shape must
    /// match).
    pub fn witness(
        ctx: &Ctx,
        vk: Option<&VerifyingKey>,
        n_public: usize,
    ) -> Result<Self, SynthesisError> {
        if vk.is_some_and(|vk| vk.ic.len() != n_public + 1) {
            return Err(SynthesisError::Unsatisfiable);
        }
        let g1 = |p: Option<G1Affine>| G1Var::witness(ctx, p);
        let g2 = |p: Option<G2Affine>| G2Var::witness(ctx, p);
        Ok(Self {
            alpha: g1(vk.map(|k| k.alpha_g1))?,
            beta: g2(vk.map(|k| k.beta_g2))?,
            gamma: g2(vk.map(|k| k.gamma_g2))?,
            delta: g2(vk.map(|k| k.delta_g2))?,
            ic: (0..=n_public)
                .map(|i| g1(vk.map(|k| k.ic[i])))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A proof as witnesses.
#[derive(Clone, Debug)]
pub struct ProofVar {
    /// `A` in G1.
    pub a: G1Var,
    /// `B` in G2.
    pub b: G2Var,
    /// `C` in G1.
    pub c: G1Var,
}

impl ProofVar {
    /// Allocates a proof (`None` in setup mode).
    pub fn witness(ctx: &Ctx, proof: Option<&Proof>) -> Result<Self, SynthesisError> {
        Ok(Self {
            a: G1Var::witness(ctx, proof.map(|p| p.a))?,
            b: G2Var::witness(ctx, proof.map(|p| p.b))?,
            c: G1Var::witness(ctx, proof.map(|p| p.c))?,
        })
    }
}

/// Allocates public signals as native witnesses.
pub fn signals_witness(
    ctx: &Ctx,
    signals: Option<&[Fr]>,
    n_public: usize,
) -> Result<Vec<Num>, SynthesisError> {
    if signals.is_some_and(|s| s.len() != n_public) {
        return Err(SynthesisError::Unsatisfiable);
    }
    (0..n_public)
        .map(|i| Num::witness(ctx.cs(), signals.map(|s| s[i])))
        .collect()
}

/// What the parts of an in-circuit verification cost, in constraints (see [`Ctx::cost`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyCosts {
    /// On-curve checks of every point.
    pub on_curve: usize,
    /// `vk_x = IC₀ + Σ sᵢ·ICᵢ`.
    pub public_inputs: usize,
    /// The pairing check.
    pub pairing: PairingCosts,
}

/// Enforces that `proof` verifies for `vk` and `signals`, reporting what the parts cost.
pub fn verify(
    ctx: &Ctx,
    vk: &VerifyingKeyVar,
    proof: &ProofVar,
    signals: &[Num],
    options: VerifyOptions,
) -> Result<VerifyCosts, SynthesisError> {
    let start = ctx.cost();
    let Some((ic0, ic)) = vk.ic.split_first() else {
        return Err(SynthesisError::Unsatisfiable);
    };
    if ic.len() != signals.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    for p in [&proof.a, &proof.c, &vk.alpha].into_iter().chain(&vk.ic) {
        p.assert_on_curve(ctx)?;
    }
    for q in [&proof.b, &vk.beta, &vk.gamma, &vk.delta] {
        q.assert_on_curve(ctx)?;
    }
    let on_curve = ctx.cost() - start;
    let start = ctx.cost();
    let vk_x = linear_combination(ctx, ic0, ic, signals)?;
    let public_inputs = ctx.cost() - start;
    let key = options.check_key_subgroups;
    let pairing = assert_pairing_product_is_one(
        ctx,
        &[
            Pair {
                p: proof.a.clone(),
                q: proof.b.clone(),
                check_subgroup: true,
            },
            Pair {
                p: vk.alpha.neg(),
                q: vk.beta.clone(),
                check_subgroup: key,
            },
            Pair {
                p: vk_x.neg(),
                q: vk.gamma.clone(),
                check_subgroup: key,
            },
            Pair {
                p: proof.c.neg(),
                q: vk.delta.clone(),
                check_subgroup: key,
            },
        ],
    )?;
    Ok(VerifyCosts {
        on_curve,
        public_inputs,
        pairing,
    })
}

/// One whole Groth16 verification as a circuit: the key, the proof and the signals are
/// witnesses (`None` in setup mode), the range checks end with the lookup argument.
#[derive(Clone, Copy, Debug)]
pub struct VerifierCircuit<'a> {
    /// Number of public signals of the inner key.
    pub n_public: usize,
    /// The statement, when proving.
    pub statement: Option<(&'a VerifyingKey, &'a Proof, &'a [Fr])>,
    /// How range checks are enforced.
    pub range: RangeMode,
    /// What is checked beyond the equation.
    pub options: VerifyOptions,
}

/// What a synthesized circuit cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CircuitStats {
    /// The range checks.
    pub range: RangeStats,
    /// The product identities.
    pub identities: IdentityStats,
    /// The parts of the verification.
    pub verify: VerifyCosts,
}

impl VerifierCircuit<'_> {
    /// Synthesizes the circuit into `cs`, drawing the lookup challenge through `commit`.
    pub fn synthesize(
        &self,
        cs: ConstraintSystemRef<Fr>,
        commit: &dyn Commit,
    ) -> Result<CircuitStats, SynthesisError> {
        let ctx = Ctx::new(cs, self.range)?;
        let vk = VerifyingKeyVar::witness(&ctx, self.statement.map(|s| s.0), self.n_public)?;
        let proof = ProofVar::witness(&ctx, self.statement.map(|s| s.1))?;
        let signals = signals_witness(&ctx, self.statement.map(|s| s.2), self.n_public)?;
        let verify = verify(&ctx, &vk, &proof, &signals, self.options)?;
        ctx.finalize(commit)?;
        Ok(CircuitStats {
            verify,
            range: ctx.range_stats(),
            identities: ctx.identity_stats(),
        })
    }
}

impl super::challenge::CommitCircuit for VerifierCircuit<'_> {
    fn generate_constraints(
        self,
        cs: ConstraintSystemRef<Fr>,
        commit: &dyn Commit,
    ) -> Result<(), SynthesisError> {
        self.synthesize(cs, commit).map(|_| ())
    }
}
