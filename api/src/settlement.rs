//! Settlement: anchoring sealed epochs on the base layer (`shared/DESIGN.md`, "Settlement
//! modes"), behind the [`Settlement`] trait, and the worker that drives every epoch through the
//! persisted states `sealed → settling → anchored`, or `settling → failed → settling …` with
//! exponential backoff.
//!
//! The worker takes epochs strictly in id order (a contract that stores one root per epoch may
//! require it), so a failing epoch holds back the ones sealed after it. Each attempt is
//! recorded before it starts; a stop (or a crash) during an attempt leaves the epoch
//! `settling`, and the next start resumes it with a new attempt. Implementations must
//! therefore be idempotent per epoch id: settling an epoch that an earlier, interrupted attempt
//! already anchored must report that anchoring, not fail or anchor it twice.
//!
//! Modes: [`SettlementMode::Batch`] (the default of `sheaf serve`: every proof verified on the
//! base layer by `SheafAnchor.anchorBatch`, see [`crate::chain::BatchSettlement`]) and
//! [`SettlementMode::None`] (epochs stop at `sealed`).

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ark_bn254::Fr;
use sheaf_aggregator::{
    Hash32, MerkleTree, Proof, VerifyingKey, public_signals_from_json, statement_leaf,
};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::epochs::{EpochState, now_ms};
use crate::hex32::{parse_hex32, to_hex32};
use crate::metrics::Metrics;
use crate::store::{NextSettlement, SettlementRecord, Store};

/// A sealed epoch as a settlement gets it: every proof with its key and signals, parsed by the
/// strict parsers from what the store holds, and checked against the stored root.
#[derive(Debug, Clone)]
pub struct SealedEpoch {
    /// The epoch id (1, 2, …).
    pub id: i64,
    /// The SHA-256 Merkle root of its leaves.
    pub root: Hash32,
    /// When it was sealed (Unix milliseconds).
    pub sealed_at_ms: i64,
    /// This attempt's number (1 for the first; more after failures or a restart).
    pub attempt: u32,
    /// The verifying keys its proofs use, by `vk_hash`.
    pub keys: BTreeMap<Hash32, Arc<VerifyingKey>>,
    /// Its proofs in leaf order (`proofs[i].leaf_index == i`).
    pub proofs: Vec<EpochProof>,
}

/// One proof of a sealed epoch.
#[derive(Debug, Clone)]
pub struct EpochProof {
    /// The id the service gave it.
    pub id: i64,
    /// Its index among the epoch's leaves.
    pub leaf_index: u64,
    /// Its key's hash (a key of [`SealedEpoch::keys`]).
    pub vk_hash: Hash32,
    /// Its statement leaf: SHA-256(0x00 ‖ vk_hash ‖ SHA-256(signals)).
    pub leaf: Hash32,
    /// The Groth16 proof.
    pub proof: Proof,
    /// Its public signals.
    pub public_signals: Vec<Fr>,
}

impl SealedEpoch {
    /// Parses a stored epoch and checks it: every key and proof parses strictly, every leaf is
    /// recomputed from its key hash and signals, and the leaves' tree has the stored root. A
    /// store edited by hand (or a bug) is an error here, never a wrong anchoring.
    pub fn from_record(record: &SettlementRecord) -> Result<Self, SettlementError> {
        let corrupt = |what: String| SettlementError::new(format!("epoch {}: {what}", record.id));
        let root =
            parse_hex32(&record.root).ok_or_else(|| corrupt(format!("root `{}`", record.root)))?;
        let mut keys = BTreeMap::new();
        for (hash, json) in &record.keys {
            let vk = VerifyingKey::from_snarkjs_json(json.as_bytes())
                .map_err(|e| corrupt(format!("key {hash}: {e}")))?;
            let h = parse_hex32(hash).ok_or_else(|| corrupt(format!("vk_hash `{hash}`")))?;
            if vk.vk_hash() != h {
                return Err(corrupt(format!(
                    "key {hash} hashes to {}",
                    to_hex32(&vk.vk_hash())
                )));
            }
            keys.insert(h, Arc::new(vk));
        }
        let mut proofs = Vec::with_capacity(record.proofs.len());
        for (i, p) in record.proofs.iter().enumerate() {
            let what = |s: &str| format!("proof {}: {s}", p.id);
            if p.leaf_index != i as i64 {
                return Err(corrupt(what(&format!(
                    "leaf index {} at {i}",
                    p.leaf_index
                ))));
            }
            let vk_hash = parse_hex32(&p.vk_hash).ok_or_else(|| corrupt(what("vk_hash")))?;
            let key = keys
                .get(&vk_hash)
                .ok_or_else(|| corrupt(what(&format!("key {} is not stored", p.vk_hash))))?;
            let proof = Proof::from_snarkjs_json(p.proof_json.as_bytes())
                .map_err(|e| corrupt(what(&e.to_string())))?;
            let public_signals =
                public_signals_from_json(p.public_signals.as_bytes(), key.n_public())
                    .map_err(|e| corrupt(what(&e.to_string())))?;
            let leaf = statement_leaf(&vk_hash, &public_signals);
            if to_hex32(&leaf) != p.leaf {
                return Err(corrupt(what("stored leaf differs from its statement")));
            }
            proofs.push(EpochProof {
                id: p.id,
                leaf_index: i as u64,
                vk_hash,
                leaf,
                proof,
                public_signals,
            });
        }
        let leaves: Vec<Hash32> = proofs.iter().map(|p| p.leaf).collect();
        match MerkleTree::new(&leaves) {
            Some(tree) if tree.root() == root => {}
            _ => return Err(corrupt("the leaves do not have the stored root".to_owned())),
        }
        Ok(Self {
            id: record.id,
            root,
            sealed_at_ms: record.sealed_at_ms,
            attempt: u32::try_from(record.attempt.max(1)).unwrap_or(u32::MAX),
            keys,
            proofs,
        })
    }

    /// Number of proofs.
    pub fn count(&self) -> usize {
        self.proofs.len()
    }

    /// The key a proof of this epoch uses.
    pub fn key(&self, proof: &EpochProof) -> Option<&VerifyingKey> {
        self.keys.get(&proof.vk_hash).map(|k| k.as_ref())
    }
}

/// Where an epoch was anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchoring {
    /// The transaction that stored the root.
    pub tx_hash: Hash32,
    /// The block it is in.
    pub block: u64,
    /// Gas the transaction used.
    pub gas_used: u64,
}

/// Why an attempt to settle failed; the worker records it and retries after a backoff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SettlementError {
    reason: String,
}

impl SettlementError {
    /// A failure with this reason (shown as the epoch's `failure`).
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The future a settlement returns.
pub type SettleFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Anchoring, SettlementError>> + Send + 'a>>;

/// A way to anchor sealed epochs on the base layer.
///
/// `settle` submits one sealed epoch and resolves once it is anchored (with the transaction,
/// its block and its gas) or has failed. It may take as long as the chain needs; the worker
/// bounds each attempt with `--settle-timeout-seconds`, drops the future on timeout or
/// shutdown, and retries later. It must be idempotent per `epoch.id` (see the module docs).
pub trait Settlement: Send + Sync + fmt::Debug {
    /// The mode's name as `--settlement` takes it and epochs record it.
    fn mode(&self) -> &'static str;

    /// Whether epochs go beyond `sealed` in this mode; when `false` the worker is not started
    /// and `settle` is never called.
    fn anchors(&self) -> bool {
        true
    }

    /// Anchors `epoch`.
    fn settle<'a>(&'a self, epoch: &'a SealedEpoch) -> SettleFuture<'a>;
}

/// Settlement mode `none`: epochs stay `sealed` (no base layer).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSettlement;

impl Settlement for NoSettlement {
    fn mode(&self) -> &'static str {
        "none"
    }

    fn anchors(&self) -> bool {
        false
    }

    fn settle<'a>(&'a self, epoch: &'a SealedEpoch) -> SettleFuture<'a> {
        let id = epoch.id;
        Box::pin(async move {
            Err(SettlementError::new(format!(
                "settlement mode none does not anchor (epoch {id})"
            )))
        })
    }
}

/// The settlement modes `--settlement` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SettlementMode {
    /// Every sealed epoch goes to `SheafAnchor.anchorBatch` on the base layer (`--chain`),
    /// which verifies all its proofs in one pairing check and stores its root.
    #[default]
    Batch,
    /// Epochs stop at `sealed`.
    None,
}

impl SettlementMode {
    /// The name `--settlement` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Batch => "batch",
            Self::None => "none",
        }
    }

    /// Whether epochs go beyond `sealed`.
    pub fn anchors(self) -> bool {
        !matches!(self, Self::None)
    }

    /// The settlement for this mode; `batch` opens the base layer `chain` describes (the
    /// embedded one lives in `data_dir`).
    pub async fn open(
        self,
        chain: &crate::chain::ChainArgs,
        data_dir: &std::path::Path,
    ) -> Result<Arc<dyn Settlement>, crate::chain::ChainError> {
        Ok(match self {
            Self::None => Arc::new(NoSettlement),
            Self::Batch => {
                let base = chain.open(data_dir).await?;
                tracing::info!(chain = base.kind(), anchor = %base.contract(), "base layer ready");
                Arc::new(crate::chain::BatchSettlement::new(base))
            }
        })
    }
}

/// How the worker retries and bounds attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementConfig {
    /// Longest one attempt may take before it counts as failed.
    pub attempt_timeout: Duration,
    /// Wait after the first failure; doubled after each further one.
    pub backoff_min: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
    /// How often the worker looks for sealed epochs when nothing wakes it.
    pub poll: Duration,
}

impl Default for SettlementConfig {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(600),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            poll: Duration::from_secs(1),
        }
    }
}

impl SettlementConfig {
    /// The wait after attempt number `attempt` (1, 2, …) failed: `backoff_min · 2^(attempt−1)`,
    /// at most `backoff_max`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(30);
        self.backoff_min
            .saturating_mul(1 << doublings)
            .min(self.backoff_max)
    }
}

/// Starts the worker; it stops when `stop` changes (or its sender is dropped), leaving an
/// interrupted attempt `settling` for the next start. `wake` is notified whenever an epoch is
/// sealed.
pub fn spawn_worker(
    store: Store,
    settlement: Arc<dyn Settlement>,
    config: SettlementConfig,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        tracing::info!(mode = settlement.mode(), "settlement worker started");
        loop {
            // Stopped, or the service went away without stopping the worker.
            if *stop.borrow() || stop.has_changed().is_err() {
                break;
            }
            let wait = step(&store, settlement.as_ref(), &config, &metrics, &mut stop).await;
            if wait.is_zero() {
                continue;
            }
            tokio::select! {
                _ = stop.changed() => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::info!("settlement worker stopped");
    })
}

/// Looks at the next epoch to settle and settles it if it is due; returns how long to wait
/// before looking again.
async fn step(
    store: &Store,
    settlement: &dyn Settlement,
    config: &SettlementConfig,
    metrics: &Metrics,
    stop: &mut watch::Receiver<bool>,
) -> Duration {
    let now = now_ms();
    match store.next_to_settle(now).await {
        Ok(None) => config.poll,
        Ok(Some(NextSettlement::NotBefore { at_ms, .. })) => {
            Duration::from_millis(u64::try_from(at_ms - now).unwrap_or(0)).min(config.poll)
        }
        Ok(Some(NextSettlement::Due(epoch))) => {
            match attempt(store, settlement, config, metrics, stop, epoch).await {
                Ok(()) => Duration::ZERO,
                Err(error) => {
                    tracing::error!(epoch, %error, "settlement bookkeeping failed");
                    config.poll
                }
            }
        }
        Err(error) => {
            tracing::error!(%error, "looking for epochs to settle failed");
            config.poll
        }
    }
}

/// One attempt at one epoch, recorded before it starts and after it ends.
async fn attempt(
    store: &Store,
    settlement: &dyn Settlement,
    config: &SettlementConfig,
    metrics: &Metrics,
    stop: &mut watch::Receiver<bool>,
    epoch: i64,
) -> Result<(), crate::store::StoreError> {
    let started = now_ms();
    let Some(left) = store.begin_settlement(epoch, started).await? else {
        return Ok(());
    };
    metrics.epoch_left(left.state, started - left.since_ms);
    metrics.epoch_entered(EpochState::Settling);
    let record = store.settlement_record(epoch).await?;
    let attempt = u32::try_from(record.attempt.max(1)).unwrap_or(u32::MAX);
    tracing::info!(epoch, attempt, mode = settlement.mode(), "settling epoch");
    let parsed = tokio::task::spawn_blocking(move || SealedEpoch::from_record(&record))
        .await
        .unwrap_or_else(|e| {
            Err(SettlementError::new(format!(
                "parsing the epoch panicked: {e}"
            )))
        });
    let outcome = match parsed {
        Ok(sealed) => {
            let run = tokio::time::timeout(config.attempt_timeout, settlement.settle(&sealed));
            tokio::select! {
                r = run => r.unwrap_or_else(|_| Err(SettlementError::new(format!(
                    "timed out after {:?}", config.attempt_timeout
                )))),
                _ = stop.changed() => {
                    tracing::info!(epoch, "stopping: the attempt resumes at the next start");
                    return Ok(());
                }
            }
        }
        Err(e) => Err(e),
    };
    let now = now_ms();
    metrics.epoch_left(EpochState::Settling, now - started);
    match outcome {
        Ok(a) => {
            let block = i64::try_from(a.block).unwrap_or(i64::MAX);
            let gas = i64::try_from(a.gas_used).unwrap_or(i64::MAX);
            let tx = to_hex32(&a.tx_hash);
            store
                .mark_anchored(epoch, settlement.mode(), &tx, block, gas, now)
                .await?;
            metrics.epoch_entered(EpochState::Anchored);
            tracing::info!(epoch, tx_hash = %tx, block, gas_used = gas, "epoch anchored");
        }
        Err(e) => {
            let wait = config.backoff(attempt);
            let retry_at = now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
            store.mark_failed(epoch, e.reason(), retry_at, now).await?;
            metrics.epoch_entered(EpochState::Failed);
            tracing::warn!(
                epoch,
                attempt,
                reason = e.reason(),
                retry_in_s = wait.as_secs_f64(),
                "settlement failed"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = SettlementConfig {
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
            ..SettlementConfig::default()
        };
        let waits: Vec<u128> = (1..=6).map(|a| c.backoff(a).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(c.backoff(u32::MAX), Duration::from_secs(1));
    }
}
