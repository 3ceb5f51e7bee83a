//! sheaf-aggregator: the Groth16 side of sheaf. So far: strict parsing of snarkjs verifying keys
//! and public signals into BN254 types, the canonical EVM encoding and `vk_hash`, statement
//! leaves, and the epoch's SHA-256 Merkle tree, all as `shared/DESIGN.md` fixes them and
//! `testdata/hashing.json` pins them. No HTTP, no database.

pub mod batch;
pub mod bsb22;
pub mod cache;
pub mod decimal;
mod error;
pub mod evm;
pub mod gadgets;
mod interop;
pub mod merkle;
pub mod prover;
pub mod snarkjs;
pub mod statement;
pub mod subgroup;
pub mod verify;

pub use batch::{
    BatchItem, BatchOutcome, ItemError, check_batch, check_batch_with_rng, verify_batch,
    verify_batch_with_rng,
};
pub use bsb22::{
    CommitmentVerifyingKey, CommittedProof, CommittedVerifyingKey, PreparedCommittedVerifyingKey,
    commitment_challenge,
};
pub use cache::{CacheStats, KeyCache};
pub use error::FormatError;
pub use evm::{AnchorBatch, BatchError};
pub use merkle::{MerkleTree, verify_path};
pub use snarkjs::public_signals_to_json;
pub use snarkjs::{Proof, VerifyingKey, parse_public_signals, public_signals_from_json};
pub use statement::{Hash32, public_signals_hash, statement_leaf};
pub use verify::PreparedVerifyingKey;
