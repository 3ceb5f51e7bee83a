//! Proving: the witness, the quotient `H`, five MSMs, and the zero-knowledge blinding
//! `r`, `s` (Groth 2016, §3.2):
//!
//! ```text
//! A = α + Σ zⱼ·uⱼ(τ) + r·δ                    (G1)
//! B = β + Σ zⱼ·vⱼ(τ) + s·δ                    (G2, and in G1 for C)
//! C = s·A + r·B₁ − r·s·δ + Σ_witness zⱼ·Lⱼ + Σ hᵢ·τⁱZ(τ)/δ
//! ```
//!
//! A circuit that commits ([`Prover::prove_committed`], BSB22, see [`crate::bsb22`]) also gets
//! `D = Σ_committed zⱼ·Kⱼ`, computed while its witness is synthesized (the challenge is derived
//! from it), and `π = Σ_committed zⱼ·σKⱼ`: two MSMs over the committed wires only. The
//! committed wires' `Lⱼ` are the identity, so `C` leaves them out.

use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use ark_relations::gr1cs::ConstraintSynthesizer;
use rand::{CryptoRng, RngCore};
use sheaf_kernels::{Msm, Ntt};

use super::ProverError;
use super::commit::ProvingCommit;
use super::key::{ProvingKey, Query};
use super::qap::quotient;
use super::r1cs::{R1cs, synthesize_assignment, synthesize_assignment_with};
use crate::bsb22::commitment_challenge;
use crate::gadgets::challenge::{CommitCircuit, CommitError};
use crate::{CommittedProof, CommittedVerifyingKey, Proof, VerifyingKey};

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
    /// The commitment's two MSMs (`D` and `π`; zero for circuits that do not commit). `D` is
    /// computed during synthesis, and its time is counted here, not in `witness`.
    pub commitment: Duration,
}

impl Timings {
    /// The sum of all phases.
    pub fn total(&self) -> Duration {
        self.witness + self.constraints + self.ntt + self.msm_g1 + self.msm_g2 + self.commitment
    }
}

/// The commitment key prepared for proving.
#[derive(Debug)]
struct ProverCommitment {
    layout: super::CommitmentLayout,
    bases: Vec<G1Affine>,
    sigma_bases: Vec<G1Affine>,
    vk: CommittedVerifyingKey,
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
    commitment: Option<ProverCommitment>,
}

impl Prover {
    /// Prepares `pk` for proving statements of `r1cs`, checking that they fit together.
    pub fn new(pk: ProvingKey, r1cs: R1cs) -> Result<Self, ProverError> {
        pk.check_shape(&r1cs)?;
        let commitment = match (pk.commitment, &r1cs.commitment) {
            (Some(ck), Some(layout)) => Some(ProverCommitment {
                layout: layout.clone(),
                vk: CommittedVerifyingKey::new(pk.vk.clone(), ck.vk)
                    .map_err(|e| ProverError::Shape(e.to_string()))?,
                bases: ck.bases,
                sigma_bases: ck.sigma_bases,
            }),
            _ => None,
        };
        Ok(Self {
            commitment,
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

    /// The verifying key with its commitment part, for a circuit that commits.
    pub fn committed_verifying_key(&self) -> Option<&CommittedVerifyingKey> {
        self.commitment.as_ref().map(|c| &c.vk)
    }

    /// The constraint system this prover proves.
    pub fn r1cs(&self) -> &R1cs {
        &self.r1cs
    }

    fn plain_only(&self) -> Result<(), ProverError> {
        match self.commitment {
            None => Ok(()),
            Some(_) => Err(ProverError::Shape(
                "the circuit commits: prove it with prove_committed".into(),
            )),
        }
    }

    fn committing(&self) -> Result<&ProverCommitment, ProverError> {
        self.commitment.as_ref().ok_or_else(|| {
            ProverError::Shape("the circuit does not commit: prove it with prove".into())
        })
    }

    /// Proves a committing circuit's statement: the witness is synthesized with a proving
    /// [`Commit`](crate::gadgets::Commit) that computes `D` on `backend` and hands the circuit
    /// the challenge; the blinding wire's value and `r`, `s` are drawn from `rng`.
    pub fn prove_committed<K, C, R>(
        &self,
        backend: &K,
        circuit: C,
        rng: &mut R,
    ) -> Result<CommittedProof, ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        C: CommitCircuit,
        R: RngCore + CryptoRng,
    {
        self.prove_committed_timed(backend, circuit, rng)
            .map(|(proof, _)| proof)
    }

    /// [`Self::prove_committed`], also reporting where the time went.
    pub fn prove_committed_timed<K, C, R>(
        &self,
        backend: &K,
        circuit: C,
        rng: &mut R,
    ) -> Result<(CommittedProof, Timings), ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        C: CommitCircuit,
        R: RngCore + CryptoRng,
    {
        let pc = self.committing()?;
        let blinding = Fr::rand(rng);
        let commit = ProvingCommit::new(backend, &self.r1cs, &pc.layout, &pc.bases, blinding);
        let start = Instant::now();
        let z = synthesize_assignment_with(circuit, &commit);
        let synthesis = start.elapsed();
        if let Some(e) = commit.take_error() {
            return Err(e);
        }
        let z = z?;
        let d = commit.result().ok_or(CommitError::NoCommit)?;
        let (proof, mut t) = self.prove_with_commitment(backend, &z, d.point, rng)?;
        t.witness = synthesis.saturating_sub(d.msm);
        t.commitment += d.msm;
        Ok((proof, t))
    }

    /// Proves a committing circuit for a full assignment `z` whose challenge entry must be the
    /// challenge of the commitment to its committed entries (blinding wire included).
    pub fn prove_committed_assignment<K, R>(
        &self,
        backend: &K,
        z: &[Fr],
        rng: &mut R,
    ) -> Result<CommittedProof, ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        R: RngCore + CryptoRng,
    {
        let pc = self.committing()?;
        if z.len() != self.r1cs.num_variables() {
            return Err(ProverError::Shape(format!(
                "the assignment has {} variables, the constraint system {}",
                z.len(),
                self.r1cs.num_variables()
            )));
        }
        let clock = Instant::now();
        let values: Vec<Fr> = pc.layout.committed.iter().map(|&j| z[j]).collect();
        let d: G1Projective = backend.msm(&pc.bases, &values)?;
        let d = d.into_affine();
        if z[pc.layout.challenge] != commitment_challenge(&d) {
            return Err(ProverError::WrongChallenge {
                variable: pc.layout.challenge,
            });
        }
        let msm = clock.elapsed();
        let (proof, _) = self.prove_with_commitment(backend, z, d, rng)?;
        tracing::trace!(?msm, "commitment recomputed from the assignment");
        Ok(proof)
    }

    /// `π`, then the Groth16 part, for an assignment whose commitment is `d`.
    fn prove_with_commitment<K, R>(
        &self,
        backend: &K,
        z: &[Fr],
        d: G1Affine,
        rng: &mut R,
    ) -> Result<(CommittedProof, Timings), ProverError>
    where
        K: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + ?Sized,
        R: RngCore + CryptoRng,
    {
        let pc = self.committing()?;
        if z.len() != self.r1cs.num_variables() {
            return Err(ProverError::Shape(format!(
                "the assignment has {} variables, the constraint system {}",
                z.len(),
                self.r1cs.num_variables()
            )));
        }
        let clock = Instant::now();
        let values: Vec<Fr> = pc.layout.committed.iter().map(|&j| z[j]).collect();
        let pok: G1Projective = backend.msm(&pc.sigma_bases, &values)?;
        let pok = pok.into_affine();
        let pok_time = clock.elapsed();
        let (proof, mut t) = self.prove_assignment_timed(backend, z, rng)?;
        t.commitment = pok_time;
        Ok((
            CommittedProof {
                proof,
                commitment: d,
                pok,
            },
            t,
        ))
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
        self.plain_only()?;
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
        self.plain_only()?;
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
