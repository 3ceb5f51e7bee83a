//! Proving: the witness, the quotient `H`, five MSMs, and the zero-knowledge blinding
//! `r`, `s` (Groth 2016, §3.2):
//!
//! ```text
//! A = α + Σ zⱼ·uⱼ(τ) + r·δ                    (G1)
//! B = β + Σ zⱼ·vⱼ(τ) + s·δ                    (G2, and in G1 for C)
//! C = s·A + r·B₁ − r·s·δ + Σ_witness zⱼ·Lⱼ + Σ hᵢ·τⁱZ(τ)/δ
//! ```

use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use ark_relations::gr1cs::ConstraintSynthesizer;
use rand::{CryptoRng, RngCore};
use sheaf_kernels::{Msm, Ntt};

use super::ProverError;
use super::key::{ProvingKey, Query};
use super::qap::quotient;
use super::r1cs::{R1cs, synthesize_assignment};
use crate::{Proof, VerifyingKey};

/// Where one proof's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// Witness-only synthesis of the circuit.
    pub witness: Duration,
    /// `A·z`, `B·z`, `C·z` and the constraint check.
    pub constraints: Duration,
    /// The seven NTTs of the quotient.
    pub ntt: Duration,
    /// The four G1 MSMs.
    pub msm_g1: Duration,
    /// The G2 MSM.
    pub msm_g2: Duration,
}

impl Timings {
    /// The sum of all phases.
    pub fn total(&self) -> Duration {
        self.witness + self.constraints + self.ntt + self.msm_g1 + self.msm_g2
    }
}

/// A proving key prepared for one circuit: identity bases dropped from every query.
#[derive(Debug)]
pub struct Prover {
    r1cs: R1cs,
    vk: VerifyingKey,
    beta_g1: G1Affine,
    delta_g1: G1Affine,
    a: Query<G1Affine>,
    b_g1: Query<G1Affine>,
    b_g2: Query<G2Affine>,
    h: Query<G1Affine>,
    l: Query<G1Affine>,
}

impl Prover {
    /// Prepares `pk` for proving statements of `r1cs`, checking that they fit together.
    pub fn new(pk: ProvingKey, r1cs: R1cs) -> Result<Self, ProverError> {
        pk.check_shape(&r1cs)?;
        Ok(Self {
            r1cs,
            vk: pk.vk,
            beta_g1: pk.beta_g1,
            delta_g1: pk.delta_g1,
            a: Query::new(pk.a_query),
            b_g1: Query::new(pk.b_g1_query),
            b_g2: Query::new(pk.b_g2_query),
            h: Query::new(pk.h_query),
            l: Query::new(pk.l_query),
        })
    }

    /// The verifying key for this prover's proofs.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.vk
    }

    /// The constraint system this prover proves.
    pub fn r1cs(&self) -> &R1cs {
        &self.r1cs
    }

    /// Proves `circuit`'s statement, its kernels on `backend`, blinding drawn from `rng`.
    pub fn prove<K, C, R>(&self, backend: &K, circuit: C, rng: &mut R) -> Result<Proof, ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        C: ConstraintSynthesizer<Fr>,
        R: RngCore + CryptoRng,
    {
        self.prove_timed(backend, circuit, rng)
            .map(|(proof, _)| proof)
    }

    /// [`Self::prove`], also reporting where the time went.
    pub fn prove_timed<K, C, R>(
        &self,
        backend: &K,
        circuit: C,
        rng: &mut R,
    ) -> Result<(Proof, Timings), ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        C: ConstraintSynthesizer<Fr>,
        R: RngCore + CryptoRng,
    {
        let start = Instant::now();
        let z = synthesize_assignment(circuit)?;
        let witness = start.elapsed();
        let (proof, mut timings) = self.prove_assignment_timed(backend, &z, rng)?;
        timings.witness = witness;
        Ok((proof, timings))
    }

    /// Proves for a full assignment `z = (1, public inputs, witness)`.
    pub fn prove_assignment<K, R>(
        &self,
        backend: &K,
        z: &[Fr],
        rng: &mut R,
    ) -> Result<Proof, ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        R: RngCore + CryptoRng,
    {
        self.prove_assignment_timed(backend, z, rng)
            .map(|(proof, _)| proof)
    }

    fn prove_assignment_timed<K, R>(
        &self,
        backend: &K,
        z: &[Fr],
        rng: &mut R,
    ) -> Result<(Proof, Timings), ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        R: RngCore + CryptoRng,
    {
        let mut t = Timings::default();
        if z.first() != Some(&Fr::from(1u64)) {
            return Err(ProverError::Shape(
                "the assignment must start with the constant one".into(),
            ));
        }
        let clock = Instant::now();
        let evals = self.r1cs.evaluate(z)?;
        t.constraints = clock.elapsed();

        let clock = Instant::now();
        let h = quotient(backend, evals)?;
        t.ntt = clock.elapsed();

        let clock = Instant::now();
        let msm1 = |q: &Query<G1Affine>, s: &[Fr]| -> Result<G1Projective, ProverError> {
            Ok(backend.msm(q.bases(), &q.scalars(s))?)
        };
        let a_sum = msm1(&self.a, z)?;
        let b1_sum = msm1(&self.b_g1, z)?;
        let l_sum = msm1(&self.l, &z[self.r1cs.num_instance..])?;
        let h_sum = msm1(&self.h, &h)?;
        t.msm_g1 = clock.elapsed();

        let clock = Instant::now();
        let b2_sum: G2Projective = backend.msm(self.b_g2.bases(), &self.b_g2.scalars(z))?;
        t.msm_g2 = clock.elapsed();

        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        let a = a_sum + self.vk.alpha_g1 + self.delta_g1 * r;
        let b2 = b2_sum + self.vk.beta_g2 + self.vk.delta_g2 * s;
        let b1 = b1_sum + self.beta_g1 + self.delta_g1 * s;
        let c = a * s + b1 * r - self.delta_g1 * (r * s) + l_sum + h_sum;
        let [a, c] = <G1Projective as CurveGroup>::normalize_batch(&[a, c])
            .try_into()
            .map_err(|_| ProverError::Shape("batch normalisation lost a point".into()))?;
        let proof = Proof {
            a,
            b: b2.into_affine(),
            c,
        };
        tracing::debug!(?t, "groth16 proof");
        Ok((proof, t))
    }
}
