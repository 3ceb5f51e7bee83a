//! Challenges drawn after witness values are fixed, the in-circuit randomness a lookup argument
//! needs (DESIGN.md, "The epoch proof": LogUp over R1CS with a challenge derived from a
//! commitment to the checked values, the BSB22 extension of Groth16, eprint 2022/1072).
//!
//! A gadget hands the witness variables it wants fixed to a [`Commit`] and gets back a public
//! input that holds the challenge. The prover's implementation commits to the variables' values
//! with a Pedersen-style commitment `D` that is part of the proof and derives the challenge by
//! hashing `D` (`crate::bsb22`), so the verifier recomputes the challenge from the proof and no
//! committed value can be chosen after it.
//!
//! Three implementations share one contract, so a circuit has the same variables and
//! constraints whichever drives it:
//!
//! - setup (`crate::prover::R1cs::from_commit_circuit`) records which variables are committed;
//! - proving (`crate::prover::Prover::prove_committed`) computes `D` and the real challenge;
//! - [`HashCommit`], a stand-in for constraint-level tests without keys.
//!
//! Every implementation appends one *blinding wire* to the committed variables
//! ([`allocate_blinding`]): a fresh witness holding a uniformly random value in a proof, tied
//! into the constraint system by one constraint. It makes `D` uniformly distributed, so the
//! commitment reveals nothing about the committed values (see `crate::bsb22`, "Zero knowledge").
//!
//! What a circuit must commit: every value that the challenge-dependent constraints read,
//! except constants. The challenge binds the committed values only; a public input or an
//! uncommitted witness that enters, say, a LogUp sum could be chosen after the challenge. To use
//! a public input there, copy it into a witness variable (one constraint) and commit the copy.

use std::cell::{Cell, RefCell};

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use sha3::{Digest, Keccak256};

use super::Num;

/// The source of a circuit's challenge.
///
/// A circuit calls [`Commit::commit`] exactly once, after every variable it commits to has been
/// allocated and before anything that depends on the challenge. Implementations refuse a second
/// call, instance variables, the constants and symbolic linear combinations, and a variable
/// committed twice; the error detail is kept by the implementation (the returned
/// [`SynthesisError`] carries none) and reported by whoever drives the synthesis.
pub trait Commit {
    /// Commits to `vars` (witness variables, each at most once; the slice may be empty) and
    /// returns a new public input holding the challenge derived from the commitment; its value
    /// is `None` in setup mode.
    fn commit(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError>;
}

/// A circuit that draws a challenge through a [`Commit`]. Circuits without one stay plain
/// `ConstraintSynthesizer`s.
pub trait CommitCircuit {
    /// Generates the constraints, calling `commit.commit(&cs, &vars)` exactly once.
    fn generate_constraints(
        self,
        cs: ConstraintSystemRef<Fr>,
        commit: &dyn Commit,
    ) -> Result<(), SynthesisError>;
}

/// Why a commitment was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// `commit` was called a second time.
    #[error("commit was called a second time: a circuit commits once")]
    SecondCommit,
    /// The circuit finished without calling `commit`.
    #[error(
        "the circuit never called commit (a circuit that does not commit is a plain ConstraintSynthesizer)"
    )]
    NoCommit,
    /// A committed variable is not a witness variable.
    #[error("committed variable {position} is {found}, not a witness variable")]
    NotWitness {
        /// Its position in the committed slice.
        position: usize,
        /// What it is (`Instance(3)`, `One`, …).
        found: String,
    },
    /// A witness variable appears twice.
    #[error("witness variable {witness} is committed twice (positions {first} and {second})")]
    Duplicate {
        /// The witness index.
        witness: usize,
        /// Its first position.
        first: usize,
        /// Its second position.
        second: usize,
    },
    /// A committed variable has no value while proving.
    #[error("committed variable {position} has no assigned value")]
    MissingValue {
        /// Its position in the committed slice.
        position: usize,
    },
    /// The circuit commits differently when proving than it did at setup.
    #[error("the circuit commits differently from its setup: {0}")]
    LayoutMismatch(String),
    /// The commitment could not be computed.
    #[error("computing the commitment failed: {0}")]
    Failed(String),
}

/// The witness indices of `vars` (ark-relations' `Variable::witness(i)` payloads), in order,
/// after checking that each is a witness variable and none repeats.
pub fn committed_witness_indices(vars: &[Variable]) -> Result<Vec<usize>, CommitError> {
    let mut indices = Vec::with_capacity(vars.len());
    for (position, var) in vars.iter().enumerate() {
        match var.index() {
            Some(i) if var.is_witness() => indices.push(i),
            _ => {
                return Err(CommitError::NotWitness {
                    position,
                    found: format!("{var:?}"),
                });
            }
        }
    }
    let mut sorted: Vec<(usize, usize)> = indices.iter().copied().zip(0..).collect();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(CommitError::Duplicate {
            witness: w[0].0,
            first: w[0].1,
            second: w[1].1,
        });
    }
    Ok(indices)
}

/// Allocates the blinding wire that every [`Commit`] implementation appends to the committed
/// variables: a witness `b` holding `value` (`None` in setup mode) and the constraint
/// `b · 0 = 0`.
///
/// The constraint is always satisfied; it exists so that `b`'s polynomial `u_b` is the Lagrange
/// polynomial of its own row, which makes `b`'s commitment base non-zero and independent of all
/// others. With `b` uniformly random, the commitment `D = Σ vⱼ·Kⱼ + b·K_b` is uniform.
pub fn allocate_blinding(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<Fr>,
) -> Result<Variable, SynthesisError> {
    let b = cs.new_witness_variable(|| value.ok_or(SynthesisError::AssignmentMissing))?;
    cs.enforce_r1cs_constraint(
        || LinearCombination::from(b),
        LinearCombination::zero,
        LinearCombination::zero,
    )?;
    Ok(b)
}

/// Records the first error of a [`Commit`] implementation and the fact that it was called.
#[derive(Debug)]
pub(crate) struct CommitState<E> {
    called: Cell<bool>,
    error: RefCell<Option<E>>,
}

impl<E> Default for CommitState<E> {
    fn default() -> Self {
        Self {
            called: Cell::new(false),
            error: RefCell::new(None),
        }
    }
}

impl<E> CommitState<E> {
    /// Marks the call; refuses a second one.
    pub(crate) fn enter(&self) -> Result<(), CommitError> {
        if self.called.replace(true) {
            return Err(CommitError::SecondCommit);
        }
        Ok(())
    }

    /// Whether `commit` has been called.
    pub(crate) fn called(&self) -> bool {
        self.called.get()
    }

    /// Keeps `error` (the first one wins) and returns the opaque error for the circuit.
    pub(crate) fn fail(&self, error: E) -> SynthesisError {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(error);
        }
        SynthesisError::Unsatisfiable
    }

    /// The kept error, if any.
    pub(crate) fn take_error(&self) -> Option<E> {
        self.error.borrow_mut().take()
    }
}

/// A stand-in [`Commit`] for constraint-level tests without keys: the challenge is a hash of the
/// committed VALUES. **Not a proof system**: nothing binds a prover to these values, so a
/// circuit tested with it shows satisfiability only. It allocates the same variables and
/// constraints as the real implementations (the blinding wire holds zero), so constraint counts
/// measured with it are the real ones.
///
/// The challenge is `keccak256("sheaf.hashcommit.v1" ‖ v₀ ‖ v₁ ‖ …) mod r`, the values as
/// 32-byte big-endian words; `None` in setup mode.
#[derive(Debug, Default)]
pub struct HashCommit {
    state: CommitState<CommitError>,
}

impl HashCommit {
    /// A fresh stand-in, not yet called.
    pub fn new() -> Self {
        Self::default()
    }

    /// Why the last refused call was refused.
    pub fn error(&self) -> Option<CommitError> {
        self.state.take_error()
    }

    /// Whether `commit` has been called.
    pub fn called(&self) -> bool {
        self.state.called()
    }

    /// The stand-in challenge for `values`.
    pub fn challenge_for(values: &[Fr]) -> Fr {
        let mut hash = Keccak256::new();
        hash.update(b"sheaf.hashcommit.v1");
        for v in values {
            hash.update(v.into_bigint().to_bytes_be());
        }
        Fr::from_be_bytes_mod_order(&hash.finalize())
    }
}

impl Commit for HashCommit {
    fn commit(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError> {
        self.state.enter().map_err(|e| self.state.fail(e))?;
        committed_witness_indices(vars).map_err(|e| self.state.fail(e))?;
        let values: Option<Vec<Fr>> = if cs.is_in_setup_mode() {
            None
        } else {
            let mut values = Vec::with_capacity(vars.len());
            for (position, v) in vars.iter().enumerate() {
                match cs.assigned_value(*v) {
                    Some(x) => values.push(x),
                    None => return Err(self.state.fail(CommitError::MissingValue { position })),
                }
            }
            Some(values)
        };
        let blinding = values.as_ref().map(|_| Fr::from(0u64));
        let _blinding = allocate_blinding(cs, blinding)?;
        let challenge = values.map(|v| Self::challenge_for(&v));
        let var = cs.new_input_variable(|| challenge.ok_or(SynthesisError::AssignmentMissing))?;
        Ok(Num {
            lc: LinearCombination::from(var),
            value: challenge,
        })
    }
}

/// A [`CommitCircuit`] run as a plain `ConstraintSynthesizer` with a [`HashCommit`]: the same
/// constraints, the challenge an ordinary public input. For satisfiability tests and for
/// measuring what the commitment costs against a plain proof; **a proof of it binds nothing**
/// (the prover could pick the challenge).
#[derive(Clone, Debug)]
pub struct WithHashCommit<C>(pub C);

impl<C: CommitCircuit> ConstraintSynthesizer<Fr> for WithHashCommit<C> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let commit = HashCommit::new();
        let result = self.0.generate_constraints(cs, &commit);
        if let Some(e) = commit.error() {
            tracing::warn!(error = %e, "HashCommit refused the commitment");
            return Err(SynthesisError::Unsatisfiable);
        }
        result?;
        if !commit.called() {
            tracing::warn!("{}", CommitError::NoCommit);
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(())
    }
}
