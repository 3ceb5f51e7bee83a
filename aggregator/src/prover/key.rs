//! The Groth16 proving key, laid out as ark-groth16's (`a_query`, `b_g1_query`, `b_g2_query` per
//! variable, `h_query` for the monomial basis of `H(X)·Z(τ)/δ`, `l_query` per witness variable),
//! so keys convert to and from ark-groth16 field by field. A circuit that commits (BSB22, see
//! [`crate::bsb22`]) also gets a [`CommitmentKey`]; its committed wires' `l_query` entries are
//! the identity, since their terms move into the commitment.

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use std::borrow::Cow;

use super::ProverError;
use super::r1cs::R1cs;
use crate::bsb22::CommitmentVerifyingKey;
use crate::{CommittedVerifyingKey, VerifyingKey};

/// A Groth16 proving key over BN254.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvingKey {
    /// The verifying key (`IC` holds one point per instance variable, the constant one first).
    pub vk: VerifyingKey,
    /// `β` in G1.
    pub beta_g1: G1Affine,
    /// `δ` in G1.
    pub delta_g1: G1Affine,
    /// `uⱼ(τ)` in G1 for every variable `j`.
    pub a_query: Vec<G1Affine>,
    /// `vⱼ(τ)` in G1 for every variable `j`.
    pub b_g1_query: Vec<G1Affine>,
    /// `vⱼ(τ)` in G2 for every variable `j`.
    pub b_g2_query: Vec<G2Affine>,
    /// `τⁱ·Z(τ)/δ` for `i < n − 1`, `n` the domain size.
    pub h_query: Vec<G1Affine>,
    /// `(β·uⱼ(τ) + α·vⱼ(τ) + wⱼ(τ))/δ` for every witness variable `j` (the identity for
    /// committed ones).
    pub l_query: Vec<G1Affine>,
    /// The commitment key, for a circuit that commits.
    pub commitment: Option<CommitmentKey>,
}

/// The BSB22 commitment key of a circuit that commits (see [`crate::bsb22`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentKey {
    /// `Kⱼ = [(β·uⱼ(τ) + α·vⱼ(τ) + wⱼ(τ))/γ]₁` for each committed variable, in commitment
    /// order (the blinding wire last).
    pub bases: Vec<G1Affine>,
    /// `σ·Kⱼ`, in the same order.
    pub sigma_bases: Vec<G1Affine>,
    /// The verifier's part.
    pub vk: CommitmentVerifyingKey,
}

impl ProvingKey {
    /// The verifying key with its commitment part, for a key that has one.
    pub fn committed_verifying_key(
        &self,
    ) -> Option<Result<CommittedVerifyingKey, crate::FormatError>> {
        self.commitment
            .as_ref()
            .map(|ck| CommittedVerifyingKey::new(self.vk.clone(), ck.vk.clone()))
    }
}

impl ProvingKey {
    /// Checks that the key's query lengths fit `r1cs`.
    pub fn check_shape(&self, r1cs: &R1cs) -> Result<(), ProverError> {
        let n_vars = r1cs.num_variables();
        let expect = [
            ("vk.IC", self.vk.ic.len(), r1cs.num_instance),
            ("a_query", self.a_query.len(), n_vars),
            ("b_g1_query", self.b_g1_query.len(), n_vars),
            ("b_g2_query", self.b_g2_query.len(), n_vars),
            ("h_query", self.h_query.len(), r1cs.domain_size() - 1),
            ("l_query", self.l_query.len(), r1cs.num_witness),
        ];
        for (what, found, expected) in expect {
            if found != expected {
                return Err(ProverError::Shape(format!(
                    "the proving key's {what} has {found} points, the circuit needs {expected}"
                )));
            }
        }
        match (&r1cs.commitment, &self.commitment) {
            (None, None) => Ok(()),
            (Some(_), None) => Err(ProverError::Shape(
                "the circuit commits but the proving key has no commitment key".into(),
            )),
            (None, Some(_)) => Err(ProverError::Shape(
                "the proving key has a commitment key but the circuit does not commit".into(),
            )),
            (Some(layout), Some(ck)) => {
                layout.check(r1cs)?;
                let n = layout.committed.len();
                if ck.bases.len() != n || ck.sigma_bases.len() != n {
                    return Err(ProverError::Shape(format!(
                        "the commitment key has {} bases and {} σ-bases, the circuit commits {n} \
                         variables",
                        ck.bases.len(),
                        ck.sigma_bases.len()
                    )));
                }
                if ck.vk.challenge_index + 1 != layout.challenge {
                    return Err(ProverError::Shape(format!(
                        "the commitment key's challenge is public input {}, the circuit's is {}",
                        ck.vk.challenge_index,
                        layout.challenge - 1
                    )));
                }
                let ni = r1cs.num_instance;
                if let Some(j) = layout
                    .committed
                    .iter()
                    .find(|&&j| !self.l_query[j - ni].is_zero())
                {
                    return Err(ProverError::Shape(format!(
                        "committed variable z[{j}] has an l_query point: the key was not made \
                         for this commitment"
                    )));
                }
                Ok(())
            }
        }
    }
}

/// The non-identity bases of one query with the indices of their scalars, so MSMs skip the
/// variables a query does not involve (most circuits leave `B` sparse).
#[derive(Clone, Debug)]
pub(super) struct Query<A> {
    bases: Vec<A>,
    /// `None` when every base is used, in order.
    indices: Option<Vec<u32>>,
}

impl<A: AffineRepr> Query<A> {
    pub(super) fn new(all: Vec<A>) -> Self {
        if all.iter().all(|p| !p.is_zero()) {
            return Self {
                bases: all,
                indices: None,
            };
        }
        let (indices, bases) = all
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_zero())
            .map(|(i, p)| (i as u32, *p))
            .unzip();
        Self {
            bases,
            indices: Some(indices),
        }
    }

    pub(super) fn bases(&self) -> &[A] {
        &self.bases
    }

    /// The scalars matching [`Self::bases`], taken from one per original base.
    pub(super) fn scalars<'a>(&self, all: &'a [Fr]) -> Cow<'a, [Fr]> {
        match &self.indices {
            None => Cow::Borrowed(&all[..self.bases.len()]),
            Some(indices) => Cow::Owned(indices.iter().map(|&i| all[i as usize]).collect()),
        }
    }
}
