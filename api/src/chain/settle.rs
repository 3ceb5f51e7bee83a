//! Settlement mode `batch` (`shared/DESIGN.md`, "Settlement modes"): every sealed epoch is sent
//! to `SheafAnchor.anchorBatch` on the configured [`BaseLayer`], which verifies all of its
//! proofs with one pairing check and stores its root. Idempotent per epoch: a root that an
//! interrupted attempt anchored already is reported with that attempt's transaction.

use std::sync::Arc;

use sheaf_aggregator::AnchorBatch;

use crate::chain::{BaseLayer, anchor_once};
use crate::settlement::{Anchoring, SealedEpoch, SettleFuture, Settlement, SettlementError};

/// `batch` settlement on a base layer.
#[derive(Debug, Clone)]
pub struct BatchSettlement {
    chain: Arc<dyn BaseLayer>,
}

impl BatchSettlement {
    /// Settles on `chain`.
    pub fn new(chain: Arc<dyn BaseLayer>) -> Self {
        Self { chain }
    }

    /// The base layer.
    pub fn chain(&self) -> &Arc<dyn BaseLayer> {
        &self.chain
    }
}

/// The `anchorBatch` argument of a sealed epoch, checked to have the epoch's root.
pub fn epoch_batch(epoch: &SealedEpoch) -> Result<AnchorBatch, SettlementError> {
    let items = epoch
        .proofs
        .iter()
        .map(|p| {
            epoch
                .key(p)
                .map(|vk| (vk, &p.proof, p.public_signals.as_slice()))
                .ok_or_else(|| {
                    SettlementError::new(format!("epoch {}: proof {} has no key", epoch.id, p.id))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let batch = AnchorBatch::new(items)
        .map_err(|e| SettlementError::new(format!("epoch {}: {e}", epoch.id)))?;
    if batch.tree().root() != epoch.root {
        return Err(SettlementError::new(format!(
            "epoch {}: the batch's root differs from the sealed root",
            epoch.id
        )));
    }
    Ok(batch)
}

impl Settlement for BatchSettlement {
    fn mode(&self) -> &'static str {
        "batch"
    }

    fn settle<'a>(&'a self, epoch: &'a SealedEpoch) -> SettleFuture<'a> {
        Box::pin(async move {
            let batch = epoch_batch(epoch)?;
            let anchored = anchor_once(self.chain.as_ref(), &batch)
                .await
                .map_err(|e| SettlementError::new(format!("{} chain: {e}", self.chain.kind())))?;
            tracing::info!(
                epoch = epoch.id,
                proofs = batch.len(),
                block = anchored.block,
                gas_used = anchored.gas_used,
                gas_per_proof = anchored.gas_used / batch.len().max(1) as u64,
                "epoch anchored"
            );
            Ok(Anchoring {
                tx_hash: anchored.tx_hash,
                block: anchored.block,
                gas_used: anchored.gas_used,
            })
        })
    }
}
