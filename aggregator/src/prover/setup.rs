//! A development setup: the toxic waste `(τ, α, β, γ, δ)` drawn from an rng, the QAP evaluated
//! at `τ`, and every key element computed by fixed-base multiplication. Whoever knows the rng's
//! seed can forge proofs for the key, so production keys come from a ceremony instead.
//!
//! The QAP is the one ark-groth16's `LibsnarkReduction` uses (constraints, then one copy
//! constraint `zⱼ·1 = 0`-style row per instance variable, on the radix-2 domain of the next power
//! of two), so keys made here prove with ark-groth16 and ark-groth16's keys prove here.
//!
//! For a circuit that commits (BSB22, [`crate::bsb22`]) the committed wires get
//! `Kⱼ = [(β·uⱼ + α·vⱼ + wⱼ)/γ]₁` and `σ·Kⱼ` in a [`CommitmentKey`] instead of their `l_query`
//! entry, and the verifier gets `G = γ` and `σ·γ` in G2.

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup, scalar_mul::ScalarMul};
use ark_ff::{FftField, Field, One, UniformRand, Zero, batch_inversion};
use rand::{CryptoRng, RngCore};
use rayon::prelude::*;

use super::ProverError;
use super::key::{CommitmentKey, ProvingKey};
use super::r1cs::R1cs;
use crate::VerifyingKey;
use crate::bsb22::CommitmentVerifyingKey;

/// The secret scalars of a setup. Knowing them breaks soundness for the key they produce.
#[derive(Clone, Debug)]
pub struct ToxicWaste {
    /// The evaluation point.
    pub tau: Fr,
    /// `α`.
    pub alpha: Fr,
    /// `β`.
    pub beta: Fr,
    /// `γ`.
    pub gamma: Fr,
    /// `δ`.
    pub delta: Fr,
    /// `σ`, the commitment's proof-of-knowledge secret (unused by circuits that do not commit).
    pub sigma: Fr,
}

impl ToxicWaste {
    /// Draws non-zero `α, β, γ, δ`, a `τ` outside the domain of size `domain_size`, then a
    /// non-zero `σ` (drawn last, so the other secrets are those of a setup without it).
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R, domain_size: usize) -> Self {
        let mut nonzero = || loop {
            let x = Fr::rand(rng);
            if !x.is_zero() {
                return x;
            }
        };
        let (alpha, beta, gamma, delta) = (nonzero(), nonzero(), nonzero(), nonzero());
        let tau = loop {
            let t = nonzero();
            if !t.pow([domain_size as u64]).is_one() {
                break t;
            }
        };
        let sigma = nonzero();
        Self {
            tau,
            alpha,
            beta,
            gamma,
            delta,
            sigma,
        }
    }
}

/// Generates a proving key for `r1cs` from secrets drawn with `rng`. Insecure unless `rng` is
/// secret and forgotten: use it for development and tests only.
pub fn dev_setup<R: RngCore + CryptoRng>(
    r1cs: &R1cs,
    rng: &mut R,
) -> Result<ProvingKey, ProverError> {
    let waste = ToxicWaste::random(rng, r1cs.domain_size());
    setup_with(r1cs, &waste)
}

/// Generates the proving key for `r1cs` from given secrets.
pub fn setup_with(r1cs: &R1cs, w: &ToxicWaste) -> Result<ProvingKey, ProverError> {
    let n = r1cs.domain_size();
    let log_n = n.trailing_zeros();
    if log_n > Fr::TWO_ADICITY {
        return Err(ProverError::TooLarge {
            what: "evaluation domain",
            limit: 1 << Fr::TWO_ADICITY,
        });
    }
    let omega = Fr::get_root_of_unity(n as u64).ok_or(ProverError::TooLarge {
        what: "evaluation domain",
        limit: 1 << Fr::TWO_ADICITY,
    })?;
    let zt = w.tau.pow([n as u64]) - Fr::one();
    let lagrange = lagrange_at(w.tau, omega, n, zt)?;

    let n_vars = r1cs.num_variables();
    let m = r1cs.num_constraints();
    let mut u = vec![Fr::zero(); n_vars];
    let mut v = vec![Fr::zero(); n_vars];
    let mut wc = vec![Fr::zero(); n_vars];
    for (j, uj) in u.iter_mut().enumerate().take(r1cs.num_instance) {
        *uj = lagrange[m + j];
    }
    for (i, li) in lagrange.iter().enumerate().take(m) {
        for (col, coeff) in r1cs.a.row(i) {
            u[col] += *li * coeff;
        }
        for (col, coeff) in r1cs.b.row(i) {
            v[col] += *li * coeff;
        }
        for (col, coeff) in r1cs.c.row(i) {
            wc[col] += *li * coeff;
        }
    }

    let gamma_inv = w
        .gamma
        .inverse()
        .ok_or(ProverError::BadSetup("γ is zero"))?;
    let delta_inv = w
        .delta
        .inverse()
        .ok_or(ProverError::BadSetup("δ is zero"))?;
    let combined = |range: std::ops::Range<usize>, scale: Fr| -> Vec<Fr> {
        range
            .into_par_iter()
            .map(|j| (w.beta * u[j] + w.alpha * v[j] + wc[j]) * scale)
            .collect()
    };
    let ic = combined(0..r1cs.num_instance, gamma_inv);
    let mut l = combined(r1cs.num_instance..n_vars, delta_inv);
    let commitment = match &r1cs.commitment {
        None => None,
        Some(layout) => {
            layout.check(r1cs)?;
            if w.sigma.is_zero() {
                return Err(ProverError::BadSetup("σ is zero"));
            }
            let k: Vec<Fr> = layout
                .committed
                .iter()
                .map(|&j| (w.beta * u[j] + w.alpha * v[j] + wc[j]) * gamma_inv)
                .collect();
            for &j in &layout.committed {
                l[j - r1cs.num_instance] = Fr::zero();
            }
            let sigma_k: Vec<Fr> = k.iter().map(|x| *x * w.sigma).collect();
            Some((k, sigma_k, layout.challenge - 1))
        }
    };
    drop(wc);
    let zt_over_delta = zt * delta_inv;
    let mut h = vec![Fr::zero(); n - 1];
    let chunk = 1 << 12;
    h.par_chunks_mut(chunk).enumerate().for_each(|(k, out)| {
        let mut p = w.tau.pow([(k * chunk) as u64]) * zt_over_delta;
        for x in out {
            *x = p;
            p *= w.tau;
        }
    });

    let g1 = G1Projective::generator();
    let g2 = G2Projective::generator();
    let mul1 = |s: Fr| (g1 * s).into_affine();
    let mul2 = |s: Fr| (g2 * s).into_affine();
    let commitment = commitment.map(|(k, sigma_k, challenge_index)| CommitmentKey {
        bases: g1.batch_mul(&k),
        sigma_bases: g1.batch_mul(&sigma_k),
        vk: CommitmentVerifyingKey {
            challenge_index,
            g: mul2(w.gamma),
            sigma_g: mul2(w.gamma * w.sigma),
        },
    });
    Ok(ProvingKey {
        vk: VerifyingKey {
            alpha_g1: mul1(w.alpha),
            beta_g2: mul2(w.beta),
            gamma_g2: mul2(w.gamma),
            delta_g2: mul2(w.delta),
            ic: g1.batch_mul(&ic),
        },
        beta_g1: mul1(w.beta),
        delta_g1: mul1(w.delta),
        a_query: g1.batch_mul(&u),
        b_g1_query: g1.batch_mul(&v),
        b_g2_query: g2.batch_mul(&v),
        h_query: g1.batch_mul(&h),
        l_query: g1.batch_mul(&l),
        commitment,
    })
}

/// `Lᵢ(τ) = Z(τ)/n · ωⁱ/(τ − ωⁱ)` for every `i < n`, `Z(τ) = τⁿ − 1 ≠ 0`.
fn lagrange_at(tau: Fr, omega: Fr, n: usize, zt: Fr) -> Result<Vec<Fr>, ProverError> {
    let n_inv = Fr::from(n as u64)
        .inverse()
        .ok_or(ProverError::BadSetup("domain size is zero in Fr"))?;
    let mut powers = Vec::with_capacity(n);
    let mut p = Fr::one();
    for _ in 0..n {
        powers.push(p);
        p *= omega;
    }
    let mut denominators: Vec<Fr> = powers.par_iter().map(|wi| tau - wi).collect();
    if denominators.iter().any(Zero::is_zero) {
        return Err(ProverError::BadSetup("τ lies in the evaluation domain"));
    }
    batch_inversion(&mut denominators);
    let scale = zt * n_inv;
    Ok(powers
        .par_iter()
        .zip(denominators)
        .map(|(wi, d)| scale * wi * d)
        .collect())
}
