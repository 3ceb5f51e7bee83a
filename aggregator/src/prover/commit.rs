//! The two [`Commit`] implementations behind the BSB22 commitment (see [`crate::bsb22`] for the
//! construction): one records at setup which variables a circuit commits, the other computes
//! the commitment `D` and the challenge while a proof's witness is synthesized.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use sheaf_kernels::Msm;

use super::ProverError;
use super::r1cs::R1cs;
use crate::bsb22::commitment_challenge;
use crate::gadgets::Num;
use crate::gadgets::challenge::{
    Commit, CommitError, CommitState, allocate_blinding, committed_witness_indices,
};

/// Where a circuit's commitment sits in its assignment `z = (1, public inputs, witness)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentLayout {
    /// Indices into `z` of the committed variables in commitment order, the blinding wire
    /// last. All are witness variables, each at most once.
    pub committed: Vec<usize>,
    /// Index into `z` of the challenge (an instance variable, so at least 1); it is public
    /// input number `challenge − 1`.
    pub challenge: usize,
}

impl CommitmentLayout {
    /// Checks that the layout fits `r1cs`: committed witness variables, distinct, and an
    /// instance variable for the challenge.
    pub fn check(&self, r1cs: &R1cs) -> Result<(), ProverError> {
        let bad = |what: String| Err(ProverError::Shape(format!("commitment layout: {what}")));
        if self.challenge == 0 || self.challenge >= r1cs.num_instance {
            return bad(format!(
                "the challenge variable {} is not a public input (instance variables 1..{})",
                self.challenge, r1cs.num_instance
            ));
        }
        let range = r1cs.num_instance..r1cs.num_variables();
        if let Some(j) = self.committed.iter().find(|j| !range.contains(j)) {
            return bad(format!("committed variable {j} is not a witness variable"));
        }
        let mut sorted = self.committed.clone();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return bad(format!("variable {} is committed twice", w[0]));
        }
        if self.committed.is_empty() {
            return bad("no committed variables (the blinding wire is missing)".into());
        }
        Ok(())
    }
}

/// The setup-mode [`Commit`]: checks the call and remembers the committed witness indices
/// (the blinding wire appended) and the challenge's instance index.
#[derive(Debug, Default)]
pub(super) struct RecordingCommit {
    state: CommitState<CommitError>,
    recorded: RefCell<Option<(Vec<usize>, usize)>>,
}

impl RecordingCommit {
    /// The kept error, if the circuit's call was refused.
    pub(super) fn take_error(&self) -> Option<CommitError> {
        self.state.take_error()
    }

    /// `(witness indices, challenge instance index)`, once `commit` has succeeded.
    pub(super) fn recorded(&self) -> Option<(Vec<usize>, usize)> {
        self.recorded.borrow_mut().take()
    }
}

impl Commit for RecordingCommit {
    fn commit(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError> {
        self.state.enter().map_err(|e| self.state.fail(e))?;
        let mut witness = committed_witness_indices(vars).map_err(|e| self.state.fail(e))?;
        let blinding = allocate_blinding(cs, None)?;
        witness.push(witness_index(blinding)?);
        let challenge = cs.new_input_variable(|| Err(SynthesisError::AssignmentMissing))?;
        let instance = challenge.index().ok_or(SynthesisError::Unsatisfiable)?;
        *self.recorded.borrow_mut() = Some((witness, instance));
        Ok(Num {
            lc: LinearCombination::from(challenge),
            value: None,
        })
    }
}

fn witness_index(var: Variable) -> Result<usize, SynthesisError> {
    match var.index() {
        Some(i) if var.is_witness() => Ok(i),
        _ => Err(SynthesisError::Unsatisfiable),
    }
}

/// What the proving-mode commitment produced.
#[derive(Clone, Copy, Debug)]
pub(super) struct Commitment {
    /// `D`.
    pub(super) point: G1Affine,
    /// Time spent in the commitment's MSM.
    pub(super) msm: Duration,
}

/// The proving-mode [`Commit`]: checks that the circuit commits exactly as at setup, computes
/// `D = Σ vⱼ·Kⱼ + b·K_b` on the kernel backend (b the blinding value), derives the challenge
/// and allocates it.
pub(super) struct ProvingCommit<'a, K: ?Sized> {
    backend: &'a K,
    num_instance: usize,
    layout: &'a CommitmentLayout,
    bases: &'a [G1Affine],
    blinding: Fr,
    state: CommitState<ProverError>,
    result: RefCell<Option<Commitment>>,
}

impl<'a, K: Msm<G1Projective> + ?Sized> ProvingCommit<'a, K> {
    pub(super) fn new(
        backend: &'a K,
        r1cs: &R1cs,
        layout: &'a CommitmentLayout,
        bases: &'a [G1Affine],
        blinding: Fr,
    ) -> Self {
        Self {
            backend,
            num_instance: r1cs.num_instance,
            layout,
            bases,
            blinding,
            state: CommitState::default(),
            result: RefCell::new(None),
        }
    }

    /// The kept error, if the circuit's call was refused or failed.
    pub(super) fn take_error(&self) -> Option<ProverError> {
        self.state.take_error()
    }

    /// The commitment, once `commit` has succeeded.
    pub(super) fn result(&self) -> Option<Commitment> {
        *self.result.borrow()
    }

    fn mismatch(&self, what: String) -> SynthesisError {
        self.state
            .fail(ProverError::Commit(CommitError::LayoutMismatch(what)))
    }

    fn commit_inner(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError> {
        let fail = |e: CommitError| self.state.fail(ProverError::Commit(e));
        self.state.enter().map_err(fail)?;
        let witness = committed_witness_indices(vars).map_err(fail)?;
        let expected = &self.layout.committed;
        if witness.len() + 1 != expected.len() {
            return Err(self.mismatch(format!(
                "{} variables committed, {} at setup",
                witness.len(),
                expected.len() - 1
            )));
        }
        if let Some(k) = (0..witness.len()).find(|&k| witness[k] + self.num_instance != expected[k])
        {
            return Err(self.mismatch(format!(
                "committed variable {k} is z[{}], at setup it was z[{}]",
                witness[k] + self.num_instance,
                expected[k]
            )));
        }
        let mut values = Vec::with_capacity(expected.len());
        for (position, v) in vars.iter().enumerate() {
            match cs.assigned_value(*v) {
                Some(x) => values.push(x),
                None => return Err(fail(CommitError::MissingValue { position })),
            }
        }
        let blinding = allocate_blinding(cs, Some(self.blinding))?;
        let b = witness_index(blinding)? + self.num_instance;
        if Some(&b) != expected.last() {
            return Err(self.mismatch(format!(
                "the blinding wire is z[{b}], at setup it was z[{}]",
                expected.last().copied().unwrap_or_default()
            )));
        }
        values.push(self.blinding);

        let clock = Instant::now();
        let d = self
            .backend
            .msm(self.bases, &values)
            .map_err(|e| self.state.fail(e.into()))?
            .into_affine();
        let msm = clock.elapsed();
        if d.is_zero() {
            return Err(fail(CommitError::Failed(
                "the commitment is the identity (probability 1/r): prove again".into(),
            )));
        }
        let challenge = commitment_challenge(&d);
        let at = cs.num_instance_variables();
        if at != self.layout.challenge {
            return Err(self.mismatch(format!(
                "the challenge would be z[{at}], at setup it was z[{}]",
                self.layout.challenge
            )));
        }
        let var = cs.new_input_variable(|| Ok(challenge))?;
        *self.result.borrow_mut() = Some(Commitment { point: d, msm });
        Ok(Num {
            lc: LinearCombination::from(var),
            value: Some(challenge),
        })
    }
}

impl<K: Msm<G1Projective> + ?Sized> Commit for ProvingCommit<'_, K> {
    fn commit(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError> {
        self.commit_inner(cs, vars)
    }
}
