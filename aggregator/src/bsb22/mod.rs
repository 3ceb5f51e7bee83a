//! Groth16 with one commitment to witness values: the extension of Belling, Soleimanian and
//! Bégassat ("BSB22", eprint 2022/1072) that gnark implements. It lets a circuit draw a
//! challenge after the prover is bound to some of its witness values: the randomness a LogUp
//! lookup argument needs. This module holds the verifier's side: keys, proofs, their EVM
//! encoding and verification. The setup and the prover live in [`crate::prover`]; circuits
//! commit through [`crate::gadgets::challenge::Commit`].
//!
//! # The construction
//!
//! Write `z = (1, x, w)` for the assignment and `Kⱼ = [(β·uⱼ(τ) + α·vⱼ(τ) + wⱼ(τ))/γ]₁` for the
//! combined QAP polynomials divided by γ (the form of the public-input bases `ICⱼ`). A circuit
//! commits to a set `J` of witness variables (its own plus one blinding wire, see "Zero
//! knowledge"). Then:
//!
//! - **Setup.** For `j ∈ J` the key holds `Kⱼ` instead of the usual `[(…)/δ]₁` entry in
//!   `l_query` (which becomes the identity), and `σ·Kⱼ` for a fresh secret `σ`. The verifying
//!   key gains [`CommitmentVerifyingKey`]: the challenge's position among the public inputs and
//!   `G`, `σ·G` in G2. Our setup takes `G = γ`, which lets the verifier share one Miller loop
//!   between the Groth16 equation and the proof of knowledge.
//! - **Proving.** During synthesis the circuit commits; the prover computes
//!   `D = Σ_{j∈J} zⱼ·Kⱼ`, derives the challenge `c = keccak256("sheaf.bsb22.v1" ‖ D.x ‖ D.y) mod r`
//!   ([`commitment_challenge`]) and allocates it as a public input; the rest of the witness may
//!   depend on `c`. After synthesis it adds `π = Σ_{j∈J} zⱼ·σKⱼ`. `A`, `B`, `C` are plain Groth16
//!   except that `C`'s witness sum leaves out `J` (those terms are in `D`).
//! - **Verifying.** Given the public inputs without the challenge, recompute `c` from `D`,
//!   insert it, and check
//!   `e(A, B) = e(α, β)·e(vk_x + D, γ)·e(C, δ)` with `vk_x = IC₀ + Σ xᵢ·ICᵢ` and
//!   `e(π, G) = e(D, σ·G)`.
//!
//! # What is bound, and why the challenge needs only `D`
//!
//! The proof of knowledge forces `D` into the span of the `Kⱼ` with coefficients the prover
//! knows, and the Groth16 equation forces those coefficients to be the committed wires of a
//! satisfying assignment (the `Kⱼ` are part of the same QAP check as the public inputs). So
//! `D` fixes the values of `J` before `c` exists, and `c = H(D)` cannot be steered by choosing
//! those values afterwards. The challenge does not hash the public inputs or the uncommitted
//! witness: the circuit's challenge-dependent constraints must read only committed values and
//! constants (a public input used there is copied into a committed witness first).
//!
//! # Soundness, a sketch
//!
//! In the algebraic group model a prover outputs every group element as a known combination of
//! the key's. `e(π, G) = e(D, σG)` as a polynomial identity in the secrets says `π = σ·D`;
//! `σ` appears only in the `σKⱼ`, so `D = Σ dⱼ·Kⱼ` for known `dⱼ` — without the check, `D`
//! could absorb, say, `(x − x')·ICᵢ` and move a public input (the tests build exactly that
//! forgery and show that only σ would complete it). With `D` of that form, the Groth16 equation
//! is the standard one for the assignment whose `J` entries are `dⱼ`, and Groth16's argument
//! extracts a satisfying witness with those entries. Since `c = H(D)` is computed from the
//! `dⱼ`-dependent `D`, a prover who wants a false statement to pass must find `dⱼ` whose hash
//! makes the challenge-dependent identity hold: a random-oracle guess, probability about
//! `(#identity roots)/r` per hash evaluation. The commitment is binding because two openings of
//! `D` give a linear relation among the `Kⱼ` (a discrete-log relation). For this to pin every
//! committed wire, their combined polynomials must be linearly independent; a combination of
//! wires that no constraint reads is invisible to both the commitment and the constraints,
//! which is harmless.
//!
//! The two pairing checks are folded into one product with a coefficient `ρ` derived from
//! everything checked ([`PreparedCommittedVerifyingKey::verify`]); an unfolded product of two
//! checks would prove nothing about either.
//!
//! # Zero knowledge
//!
//! Without blinding, `D` is a deterministic function of the committed values, so anyone can
//! test a guess of them against a proof, and two proofs with the same values are linkable. The
//! [`Commit`](crate::gadgets::challenge::Commit) implementations therefore append one blinding
//! wire holding a fresh uniform value (one witness, one constraint): `D` is uniform and the
//! proof is simulatable as in Groth16 (pick `D` uniform, `π = σD`, then `A`, `B`, `C` with the
//! trapdoor). The epoch proof has no secret witness, but the blinding costs one point per proof.
//!
//! # Keys from a ceremony
//!
//! A snarkjs phase-2 ceremony (`.zkey`) does not produce σ, and its `l_query` divides every
//! witness polynomial by δ. A ceremony for a committing circuit could export the R1CS (iden3
//! `.r1cs`) with the committed wires declared public, so that the ceremony's `IC` holds their
//! `Kⱼ` (snarkjs fixes γ = 1, so `G` = the G2 generator); then run a second contribution chain
//! for σ over those points: each participant multiplies every `σKⱼ` and `σG` by a secret
//! factor and publishes a proof of knowledge of it, checked with pairings against the previous
//! transcript. This is not built here.
//!
//! # EVM encoding
//!
//! A committed proof is 384 bytes, every coordinate a 32-byte big-endian word, G2 as
//! `x.c1, x.c0, y.c1, y.c0` (the precompiles' order):
//! `A(64) ‖ B(128) ‖ C(64) ‖ D(64) ‖ π(64)`. The commitment verifying key encodes as
//! `challengeIndex(32) ‖ G(128) ‖ σG(128)`. Decoding checks lengths, canonical coordinates
//! (below p), curve and subgroup membership, and refuses the identity for all five points.
//!
//! A Solidity verifier can follow [`PreparedCommittedVerifyingKey::verify`] step by step: one
//! keccak for `c`, one for `ρ` (the key hash a constant), `vk_x` with ecMul/ecAdd, `ρ·π` and
//! `ρ·D` (two more ecMul), and one ecPairing call over five pairs when `G = γ`:
//! `(A, B), (ρπ − vk_x − D, γ), (−C, δ), (−ρD, σG), (−α, β)`.

mod encoding;
mod verify;

pub use encoding::{COMMITMENT_VK_BYTES, COMMITTED_PROOF_BYTES};
pub use verify::{CommittedCheck, PreparedCommittedVerifyingKey};

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use sha2::{Digest, Sha256};
use sha3::{Digest as _, Keccak256};

use crate::statement::word;
use crate::{FormatError, Hash32, Proof, VerifyingKey};

/// Domain tag of the challenge hash.
pub const CHALLENGE_TAG: &[u8] = b"sheaf.bsb22.v1";
/// Domain tag of the verifier's folding coefficient.
pub const FOLD_TAG: &[u8] = b"sheaf.bsb22.fold.v1";

/// The challenge of a commitment `d`: `keccak256("sheaf.bsb22.v1" ‖ d.x ‖ d.y) mod r`, the
/// coordinates as 32-byte big-endian words (the identity as `(0, 0)`, as the EVM writes it).
pub fn commitment_challenge(d: &G1Affine) -> Fr {
    let (x, y) = d.xy().unwrap_or_default();
    let digest = Keccak256::new()
        .chain_update(CHALLENGE_TAG)
        .chain_update(word(&x))
        .chain_update(word(&y))
        .finalize();
    Fr::from_be_bytes_mod_order(&digest)
}

/// The verifier's part of a commitment key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentVerifyingKey {
    /// Position of the challenge in the full public-input vector; its base is
    /// `IC[challenge_index + 1]`.
    pub challenge_index: usize,
    /// `G` in G2 (our setup uses `γ`).
    pub g: G2Affine,
    /// `σ·G`.
    pub sigma_g: G2Affine,
}

/// A Groth16 verifying key whose circuit commits: the plain key (its `IC` includes the
/// challenge's base) and the commitment part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedVerifyingKey {
    vk: VerifyingKey,
    commitment: CommitmentVerifyingKey,
}

impl CommittedVerifyingKey {
    /// Pairs `vk` with its commitment part, checking that the challenge is one of `vk`'s public
    /// inputs.
    pub fn new(vk: VerifyingKey, commitment: CommitmentVerifyingKey) -> Result<Self, FormatError> {
        let n_public = vk.n_public();
        if commitment.challenge_index >= n_public {
            return Err(FormatError::ChallengeIndex {
                index: commitment.challenge_index,
                n_public,
            });
        }
        Ok(Self { vk, commitment })
    }

    /// The plain verifying key.
    pub fn vk(&self) -> &VerifyingKey {
        &self.vk
    }

    /// The commitment part.
    pub fn commitment(&self) -> &CommitmentVerifyingKey {
        &self.commitment
    }

    /// Number of public inputs a caller supplies: the key's `nPublic` without the challenge.
    pub fn n_statement(&self) -> usize {
        self.vk.n_public() - 1
    }

    /// `SHA-256(vk.evm_encoding() ‖ commitment.evm_encoding())`: the key's identity.
    pub fn key_hash(&self) -> Hash32 {
        Sha256::new()
            .chain_update(self.vk.evm_encoding())
            .chain_update(self.commitment.evm_encoding())
            .finalize()
            .into()
    }

    /// `statement` (the public inputs without the challenge) with `challenge` inserted at its
    /// position. A wrong number of inputs is an error.
    pub fn full_inputs(&self, statement: &[Fr], challenge: Fr) -> Result<Vec<Fr>, FormatError> {
        let expected = self.n_statement();
        if statement.len() != expected {
            return Err(FormatError::SignalCount {
                expected,
                found: statement.len(),
            });
        }
        let at = self.commitment.challenge_index;
        let mut inputs = Vec::with_capacity(statement.len() + 1);
        inputs.extend_from_slice(&statement[..at]);
        inputs.push(challenge);
        inputs.extend_from_slice(&statement[at..]);
        Ok(inputs)
    }
}

/// A Groth16 proof with its commitment `D` and the proof of knowledge `π = σ·D`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedProof {
    /// `A`, `B`, `C`.
    pub proof: Proof,
    /// `D = Σ zⱼ·Kⱼ` over the committed wires.
    pub commitment: G1Affine,
    /// `π = Σ zⱼ·σKⱼ`.
    pub pok: G1Affine,
}

impl CommittedProof {
    /// The challenge this proof's commitment determines.
    pub fn challenge(&self) -> Fr {
        commitment_challenge(&self.commitment)
    }
}

/// `ρ = keccak256("sheaf.bsb22.fold.v1" ‖ key_hash ‖ proof (384 bytes) ‖ inputs) mod r`, the
/// inputs (challenge included) as 32-byte words; 1 if that is zero (a zero `ρ` would drop the
/// proof of knowledge from the folded check).
pub(crate) fn fold_coefficient(key_hash: &Hash32, proof: &CommittedProof, inputs: &[Fr]) -> Fr {
    let mut hash = Keccak256::new()
        .chain_update(FOLD_TAG)
        .chain_update(key_hash)
        .chain_update(proof.evm_encoding());
    for x in inputs {
        hash.update(word(x));
    }
    let rho = Fr::from_be_bytes_mod_order(&hash.finalize());
    if rho == Fr::from(0u64) {
        Fr::from(1u64)
    } else {
        rho
    }
}
