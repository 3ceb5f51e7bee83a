//! Challenges drawn after witness values are fixed, the in-circuit randomness a lookup argument
//! needs (DESIGN.md, "The epoch proof": LogUp over R1CS with a challenge derived from a
//! commitment to the checked values, the BSB22 extension of Groth16).
//!
//! A gadget hands the witness variables it wants fixed to a [`Commit`] and gets back a public
//! input that holds the challenge. The prover's implementation commits to the variables' values
//! with a Pedersen commitment that is part of the proof and derives the challenge by hashing it,
//! so the verifier recomputes the challenge from the proof and no value can be chosen after it.

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError, Variable};

use super::Num;

/// The source of a circuit's challenge.
///
/// A circuit calls [`Commit::commit`] at most once, after every variable it commits to has
/// been allocated and before anything that depends on the challenge.
pub trait Commit {
    /// Commits to `vars` (witness variables, each at most once) and returns a new public input
    /// holding the challenge derived from the commitment; its value is `None` in setup mode.
    fn commit(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError>;
}
