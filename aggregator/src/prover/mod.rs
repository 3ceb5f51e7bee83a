//! Our Groth16 prover and a development setup for any `ark-relations` R1CS circuit, with every
//! MSM (G1 and G2) and NTT running on a `sheaf-kernels` backend chosen by the caller.
//!
//! ```text
//! setup (once):  circuit ──R1cs::from_circuit──▶ R1cs ──dev_setup──▶ ProvingKey
//! each proof:    circuit ──witness-only synthesis──▶ z ──A·z, B·z, C·z (checked)──▶ 7 NTTs ──▶ H
//!                z, H ──5 MSMs (A, B in G1, B in G2, L, H)──▶ (A, B, C)
//! ```
//!
//! Keys and the QAP follow ark-groth16 (its `LibsnarkReduction`), so proofs verify with
//! ark-groth16's verifier, keys convert both ways, and the exported verifying key and proofs
//! verify with snarkjs.
//!
//! Circuits that draw a challenge after committing to witness values implement
//! [`CommitCircuit`] and use [`R1cs::from_commit_circuit`] and [`Prover::prove_committed`]; the
//! construction (BSB22) and its verifier are in [`crate::bsb22`].

mod commit;
mod example;
mod key;
mod lookup_example;
mod prove;
mod qap;
mod r1cs;
mod setup;

pub use crate::gadgets::challenge::{Commit, CommitCircuit, CommitError, HashCommit};
pub use commit::CommitmentLayout;
pub use example::MulChain;
pub use key::{CommitmentKey, ProvingKey};
pub use lookup_example::TableLookup;
pub use prove::{Prover, Timings};
pub use qap::quotient;
pub use r1cs::{R1cs, SparseMatrix, synthesize_assignment, synthesize_assignment_with};
pub use setup::{ToxicWaste, dev_setup, setup_with};

use ark_relations::gr1cs::SynthesisError;
use sheaf_kernels::KernelError;

/// Why a proof or a key could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ProverError {
    /// The circuit's synthesis failed.
    #[error("circuit synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// The kernel backend failed.
    #[error("kernel backend: {0}")]
    Kernel(#[from] KernelError),
    /// The witness does not satisfy constraint number `constraint`.
    #[error("the witness does not satisfy constraint {constraint}")]
    Unsatisfied {
        /// Index of the first unsatisfied constraint.
        constraint: usize,
    },
    /// The circuit, key or assignment sizes disagree.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// The circuit is larger than what can be handled.
    #[error("{what} exceeds the limit of {limit}")]
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The setup secrets are unusable.
    #[error("unusable setup secrets: {0}")]
    BadSetup(&'static str),
    /// The circuit's commitment was refused or could not be computed.
    #[error("commitment: {0}")]
    Commit(#[from] CommitError),
    /// The assignment's challenge is not the challenge of its commitment.
    #[error("z[{variable}] is not the challenge of the assignment's commitment")]
    WrongChallenge {
        /// Index of the challenge in `z`.
        variable: usize,
    },
}
