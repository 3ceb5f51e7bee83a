//! The base layer: where epochs are anchored. [`BaseLayer`] is what settlement needs from a
//! chain (anchor an epoch's batch, look an anchor up, run a rollup's inclusion check), with two
//! implementations: [`embedded::EmbeddedChain`], revm in process with its state in the data
//! directory (the default, so `sheaf serve` anchors with no setup), and [`rpc::RpcChain`],
//! JSON-RPC through alloy to any Ethereum node. Both talk to the `SheafAnchor` contract of
//! `contracts/` through the bindings of [`contract`].

pub mod config;
pub mod contract;
pub mod embedded;
pub mod rpc;
pub mod settle;

use std::future::Future;
use std::pin::Pin;

use alloy_primitives::Address;
use sheaf_aggregator::{AnchorBatch, Hash32};

pub use config::{ChainArgs, ChainKind};
pub use contract::{ANCHOR_BYTECODE_HEX, AnchorMode, describe_revert};
pub use embedded::EmbeddedChain;
pub use rpc::{RpcChain, RpcConfig};
pub use settle::BatchSettlement;

/// A boxed future, so that [`BaseLayer`] can be used as `dyn BaseLayer`.
pub type ChainFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ChainError>> + Send + 'a>>;

/// An epoch anchored by a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchored {
    /// The Merkle root the contract computed and stored.
    pub root: Hash32,
    /// Statements in it.
    pub count: u64,
    /// The transaction.
    pub tx_hash: Hash32,
    /// The block it is in.
    pub block: u64,
    /// Gas the transaction used.
    pub gas_used: u64,
}

/// What the contract stores for an anchored root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchorRecord {
    /// Statements in the epoch.
    pub count: u64,
    /// The block that anchored it.
    pub block: u64,
    /// How it was verified.
    pub mode: AnchorMode,
}

/// The arguments of `SheafAnchor.verifyInclusion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionQuery {
    /// The epoch's root.
    pub root: Hash32,
    /// The statement's key hash.
    pub vk_hash: Hash32,
    /// Its public signals as 32-byte big-endian words.
    pub public_signals: Vec<[u8; 32]>,
    /// Siblings bottom-up.
    pub path: Vec<Hash32>,
    /// The leaf index.
    pub index: u64,
}

/// A base-layer failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The contract refused the call; the reason is its decoded custom error.
    #[error("reverted: {0}")]
    Reverted(String),
    /// The root is anchored already (by this or an earlier transaction).
    #[error("root {} is anchored already", hex::encode(.0))]
    AlreadyAnchored(Hash32),
    /// The node could not be reached or answered with an error.
    #[error("node: {0}")]
    Transport(String),
    /// A transaction was not mined (or was reorged out) in time and will be sent again.
    #[error("transaction {0}")]
    NotMined(String),
    /// The node's answer is not what the protocol promises.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// The configuration is unusable (bad key, no contract at the address, …).
    #[error("configuration: {0}")]
    Config(String),
    /// The embedded chain's state could not be read or written.
    #[error("embedded chain state: {0}")]
    State(String),
}

impl ChainError {
    /// Whether the same call may succeed later (a node down, a transaction not mined): a revert
    /// or a bad configuration will not change by waiting.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::NotMined(_))
    }
}

/// A chain with a deployed `SheafAnchor`.
pub trait BaseLayer: Send + Sync + std::fmt::Debug {
    /// `embedded` or `rpc`.
    fn kind(&self) -> &'static str;

    /// The `SheafAnchor` contract.
    fn contract(&self) -> Address;

    /// Sends `anchorBatch(batch.encode())` and waits until it is final. A root that is
    /// anchored already is [`ChainError::AlreadyAnchored`].
    fn anchor_batch<'a>(&'a self, batch: &'a AnchorBatch) -> ChainFuture<'a, Anchored>;

    /// What the contract stores for `root`, if it is anchored.
    fn anchor_of(&self, root: Hash32) -> ChainFuture<'_, Option<AnchorRecord>>;

    /// Calls `verifyInclusion` (a read; nothing is sent).
    fn verify_inclusion<'a>(&'a self, query: &'a InclusionQuery) -> ChainFuture<'a, bool>;

    /// The transaction that anchored `root`, found from its `EpochAnchored` event, if the root
    /// is anchored.
    fn find_anchoring(&self, root: Hash32) -> ChainFuture<'_, Option<Anchored>>;
}

/// Anchors `batch` idempotently: a root that an earlier (interrupted or unconfirmed) attempt
/// anchored already is reported with that attempt's transaction instead of failing. This is
/// what a settlement worker calls for each sealed epoch.
pub async fn anchor_once(
    chain: &dyn BaseLayer,
    batch: &AnchorBatch,
) -> Result<Anchored, ChainError> {
    let root = batch.tree().root();
    match chain.anchor_batch(batch).await {
        Err(ChainError::AlreadyAnchored(_)) => {}
        other => return other,
    }
    match chain.find_anchoring(root).await? {
        Some(anchored) if anchored.count == batch.len() as u64 => Ok(anchored),
        Some(anchored) => Err(ChainError::Unexpected(format!(
            "root {} is anchored with {} statements, the epoch has {}",
            hex::encode(root),
            anchored.count,
            batch.len()
        ))),
        None => Err(ChainError::Unexpected(format!(
            "root {} reported anchored but no EpochAnchored event was found",
            hex::encode(root)
        ))),
    }
}
