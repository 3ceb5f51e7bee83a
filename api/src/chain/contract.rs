//! Bindings of the `SheafAnchor` contract: its ABI (`contracts/out/SheafAnchor.abi.json`,
//! compiled by `contracts/build.sh` and committed), its creation bytecode, calldata builders
//! and the decoding of its custom errors into readable reasons.

use alloy_primitives::{Bytes, FixedBytes, U256};
use alloy_sol_types::{SolCall, SolError, SolInterface};
use sheaf_aggregator::{AnchorBatch, Hash32};

use super::{AnchorRecord, ChainError, InclusionQuery};

alloy_sol_types::sol!(
    #[derive(Debug, PartialEq, Eq)]
    SheafAnchor,
    "../contracts/out/SheafAnchor.abi.json"
);

/// Creation bytecode of `SheafAnchor` as hex (no 0x).
pub const ANCHOR_BYTECODE_HEX: &str = include_str!("../../../contracts/out/SheafAnchor.bin");

/// The creation bytecode.
pub fn anchor_bytecode() -> Result<Vec<u8>, ChainError> {
    hex::decode(ANCHOR_BYTECODE_HEX.trim())
        .map_err(|e| ChainError::Config(format!("SheafAnchor.bin is not hex: {e}")))
}

/// How an epoch was verified on chain (`MODE_BATCH`, `MODE_RECURSIVE` in the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorMode {
    /// Every proof checked in one batched pairing check.
    Batch,
    /// One recursive epoch proof.
    Recursive,
}

impl AnchorMode {
    /// The contract's code for the mode.
    pub fn code(self) -> u8 {
        match self {
            Self::Batch => 1,
            Self::Recursive => 2,
        }
    }

    /// The mode of a code, if known.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Batch),
            2 => Some(Self::Recursive),
            _ => None,
        }
    }

    /// `batch` or `recursive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Batch => "batch",
            Self::Recursive => "recursive",
        }
    }
}

/// Calldata of `anchorBatch(batch)`.
pub fn anchor_batch_calldata(batch: &AnchorBatch) -> Vec<u8> {
    SheafAnchor::anchorBatchCall {
        batch: Bytes::from(batch.encode()),
    }
    .abi_encode()
}

/// Calldata of `anchorOf(root)`.
pub fn anchor_of_calldata(root: &Hash32) -> Vec<u8> {
    SheafAnchor::anchorOfCall {
        root: FixedBytes(*root),
    }
    .abi_encode()
}

/// Decodes the return data of `anchorOf`: `None` when the root is not anchored.
pub fn decode_anchor_of(data: &[u8]) -> Result<Option<AnchorRecord>, ChainError> {
    let r = SheafAnchor::anchorOfCall::abi_decode_returns(data).map_err(|e| {
        ChainError::Unexpected(format!("anchorOf returned {}: {e}", hex::encode(data)))
    })?;
    if r.count == 0 {
        return Ok(None);
    }
    let mode = AnchorMode::from_code(r.mode)
        .ok_or_else(|| ChainError::Unexpected(format!("anchorOf: unknown mode {}", r.mode)))?;
    Ok(Some(AnchorRecord {
        count: r.count,
        block: r.blockNumber,
        mode,
    }))
}

/// Calldata of `verifyInclusion(...)`.
pub fn verify_inclusion_calldata(q: &InclusionQuery) -> Vec<u8> {
    SheafAnchor::verifyInclusionCall {
        root: FixedBytes(q.root),
        vkHash: FixedBytes(q.vk_hash),
        publicSignals: q
            .public_signals
            .iter()
            .map(|w| U256::from_be_bytes(*w))
            .collect(),
        path: q.path.iter().map(|h| FixedBytes(*h)).collect(),
        index: U256::from(q.index),
    }
    .abi_encode()
}

/// Decodes the return data of `verifyInclusion`.
pub fn decode_verify_inclusion(data: &[u8]) -> Result<bool, ChainError> {
    SheafAnchor::verifyInclusionCall::abi_decode_returns(data).map_err(|e| {
        ChainError::Unexpected(format!(
            "verifyInclusion returned {}: {e}",
            hex::encode(data)
        ))
    })
}

/// The root returned by `anchorBatch`.
pub fn decode_anchor_batch(data: &[u8]) -> Result<Hash32, ChainError> {
    SheafAnchor::anchorBatchCall::abi_decode_returns(data)
        .map(|r| r.0)
        .map_err(|e| {
            ChainError::Unexpected(format!("anchorBatch returned {}: {e}", hex::encode(data)))
        })
}

/// The error for revert data: [`ChainError::AlreadyAnchored`] for that error, otherwise
/// [`ChainError::Reverted`] with [`describe_revert`].
pub fn revert_error(data: &[u8]) -> ChainError {
    match SheafAnchor::SheafAnchorErrors::abi_decode(data) {
        Ok(SheafAnchor::SheafAnchorErrors::AlreadyAnchored(e)) => {
            ChainError::AlreadyAnchored(e.root.0)
        }
        _ => ChainError::Reverted(describe_revert(data)),
    }
}

/// A readable reason for revert data: the contract's custom error with its arguments (e.g.
/// `ProofPointInvalid(proof: 3)`), a Solidity `Error(string)` message, or the raw bytes.
pub fn describe_revert(data: &[u8]) -> String {
    use SheafAnchor::SheafAnchorErrors as E;
    if let Ok(e) = E::abi_decode(data) {
        return match e {
            E::BatchTruncated(_) => "BatchTruncated()".into(),
            E::BatchTrailingBytes(_) => "BatchTrailingBytes()".into(),
            E::EmptyBatch(_) => "EmptyBatch()".into(),
            E::KeyIndexOutOfRange(e) => format!("KeyIndexOutOfRange(proof: {})", e.proof),
            E::TooManyPublicSignals(e) => format!("TooManyPublicSignals(key: {})", e.key),
            E::VkHashMismatch(e) => format!("VkHashMismatch(key: {})", e.key),
            E::UnusedKey(e) => format!("UnusedKey(key: {})", e.key),
            E::SignalNotInField(e) => {
                format!("SignalNotInField(proof: {}, signal: {})", e.proof, e.signal)
            }
            E::ProofPointInvalid(e) => format!("ProofPointInvalid(proof: {})", e.proof),
            E::KeyPointInvalid(e) => format!("KeyPointInvalid(key: {})", e.key),
            E::PairingInputInvalid(_) => "PairingInputInvalid()".into(),
            E::BatchInvalid(_) => "BatchInvalid()".into(),
            E::AlreadyAnchored(e) => format!("AlreadyAnchored(root: {})", e.root),
        };
    }
    if let Ok(msg) = alloy_sol_types::Revert::abi_decode(data) {
        return format!("Error({:?})", msg.reason);
    }
    if data.is_empty() {
        "no reason given".into()
    } else {
        format!("0x{}", hex::encode(data))
    }
}
