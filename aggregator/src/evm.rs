//! EVM encodings of proofs and of an epoch for `SheafAnchor.anchorBatch` (`contracts/`,
//! `shared/DESIGN.md`, "Settlement modes"): 32-byte big-endian words, G2 as
//! `x.c1, x.c0, y.c1, y.c0` (the order of the EIP-197 pairing precompile).
//!
//! The batch is packed without padding, since calldata is paid by the byte:
//! `nKeys (2) ‖ nProofs (2) ‖ nKeys × (vk_hash (32) ‖ key encoding) ‖
//! nProofs × (key index (2) ‖ A (64) ‖ B (128) ‖ C (64) ‖ public signals (32 each))`,
//! proofs in leaf order and each key listed once.

use std::collections::HashMap;

use ark_bn254::Fr;

use crate::merkle::MerkleTree;
use crate::statement::{Hash32, push_g1, push_g2, statement_leaf, word};
use crate::{Proof, VerifyingKey};

/// Most keys or proofs in one batch (their counts are 2-byte fields).
pub const MAX_BATCH_ITEMS: usize = u16::MAX as usize;

/// Why a batch cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// A batch needs at least one proof.
    #[error("a batch needs at least one proof")]
    Empty,
    /// More proofs or distinct keys than the encoding counts.
    #[error("{what}: {count} is more than the {MAX_BATCH_ITEMS} a batch holds")]
    TooLarge {
        /// `proofs` or `keys`.
        what: &'static str,
        /// How many there are.
        count: usize,
    },
    /// A proof's public signals do not match its key's nPublic.
    #[error("proof {index}: {got} public signals, its key expects {expected}")]
    SignalCount {
        /// The proof's position.
        index: usize,
        /// Signals given.
        got: usize,
        /// The key's nPublic.
        expected: usize,
    },
}

impl Proof {
    /// `A (64) ‖ B (128) ‖ C (64)` as the EVM precompiles take them.
    pub fn evm_encoding(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        push_g1(&mut out, &self.a);
        push_g2(&mut out, &self.b);
        push_g1(&mut out, &self.c);
        out
    }
}

/// Public signals as 32-byte big-endian words.
pub fn signals_encoding(signals: &[Fr]) -> Vec<u8> {
    signals.iter().flat_map(word).collect()
}

/// An epoch's statements with their proofs, in leaf order, ready for `anchorBatch`.
#[derive(Debug, Clone)]
pub struct AnchorBatch {
    keys: Vec<(Hash32, VerifyingKey)>,
    proofs: Vec<(u16, Proof, Vec<Fr>)>,
}

impl AnchorBatch {
    /// Collects `(key, proof, signals)` in leaf order; keys are listed once, by `vk_hash`.
    pub fn new<'a, I>(items: I) -> Result<Self, BatchError>
    where
        I: IntoIterator<Item = (&'a VerifyingKey, &'a Proof, &'a [Fr])>,
    {
        let mut keys: Vec<(Hash32, VerifyingKey)> = Vec::new();
        let mut index: HashMap<Hash32, u16> = HashMap::new();
        let mut proofs = Vec::new();
        for (i, (vk, proof, signals)) in items.into_iter().enumerate() {
            if signals.len() != vk.n_public() {
                return Err(BatchError::SignalCount {
                    index: i,
                    got: signals.len(),
                    expected: vk.n_public(),
                });
            }
            let hash = vk.vk_hash();
            let k = match index.get(&hash) {
                Some(&k) => k,
                None => {
                    let k = u16::try_from(keys.len()).map_err(|_| BatchError::TooLarge {
                        what: "keys",
                        count: keys.len() + 1,
                    })?;
                    keys.push((hash, vk.clone()));
                    index.insert(hash, k);
                    k
                }
            };
            proofs.push((k, proof.clone(), signals.to_vec()));
        }
        if proofs.is_empty() {
            return Err(BatchError::Empty);
        }
        if proofs.len() > MAX_BATCH_ITEMS {
            return Err(BatchError::TooLarge {
                what: "proofs",
                count: proofs.len(),
            });
        }
        Ok(Self { keys, proofs })
    }

    /// Number of proofs (leaves).
    pub fn len(&self) -> usize {
        self.proofs.len()
    }

    /// Always false: a batch has at least one proof.
    pub fn is_empty(&self) -> bool {
        self.proofs.is_empty()
    }

    /// Number of distinct keys.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The statement leaves in order.
    pub fn leaves(&self) -> Vec<Hash32> {
        self.proofs
            .iter()
            .map(|(k, _, s)| statement_leaf(&self.keys[usize::from(*k)].0, s))
            .collect()
    }

    /// The Merkle tree the contract computes.
    pub fn tree(&self) -> MerkleTree {
        MerkleTree::new(&self.leaves()).unwrap_or_else(|| unreachable!("a batch is never empty"))
    }

    /// The packed `batch` argument of `anchorBatch`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Both counts were checked to fit in 16 bits.
        out.extend_from_slice(&(self.keys.len() as u16).to_be_bytes());
        out.extend_from_slice(&(self.proofs.len() as u16).to_be_bytes());
        for (hash, vk) in &self.keys {
            out.extend_from_slice(hash);
            out.extend_from_slice(&vk.evm_encoding());
        }
        for (k, proof, signals) in &self.proofs {
            out.extend_from_slice(&k.to_be_bytes());
            out.extend_from_slice(&proof.evm_encoding());
            out.extend_from_slice(&signals_encoding(signals));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_batch_is_refused() {
        assert_eq!(
            AnchorBatch::new(std::iter::empty()).err(),
            Some(BatchError::Empty)
        );
    }
}
