//! The persisted settlement states after `sealed` (`shared/DESIGN.md`, "Settlement modes"):
//! `sealed → settling → anchored`, or `settling → failed → settling …` after a backoff. Each
//! change is one transaction that updates the epoch and appends to `epoch_transitions`, so a
//! restart finds every epoch where it stopped and its history says how it got there.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use super::{Store, StoreError, parse_state};
use crate::epochs::EpochState;

/// One entry of an epoch's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EpochTransition {
    /// The state entered.
    #[schema(example = "settling")]
    pub state: &'static str,
    /// When (Unix milliseconds).
    pub at_ms: i64,
    /// The failure reason, the anchoring transaction, or the attempt number.
    pub detail: Option<String>,
}

/// The epoch the settlement worker should look at next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextSettlement {
    /// This epoch is due now (sealed, left settling by a stop, or failed with its backoff over).
    Due(i64),
    /// The oldest unsettled epoch failed; its next attempt is due at this time.
    NotBefore {
        /// The epoch.
        epoch: i64,
        /// When (Unix milliseconds).
        at_ms: i64,
    },
}

/// A sealed epoch's stored contents, as the settlement worker reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRecord {
    /// The epoch.
    pub id: i64,
    /// Its root, 0x-hex.
    pub root: String,
    /// When it was sealed.
    pub sealed_at_ms: i64,
    /// The attempt now running (1 for the first).
    pub attempt: i64,
    /// Its proofs in leaf order.
    pub proofs: Vec<StoredProof>,
    /// The keys its proofs use: (vk_hash, snarkjs JSON).
    pub keys: Vec<(String, String)>,
}

/// A proof as stored, every field in its stored form (hashes as 0x-hex, snarkjs JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProof {
    /// The proof's id.
    pub id: i64,
    /// Its leaf index in the epoch's tree.
    pub leaf_index: i64,
    /// Its key's hash.
    pub vk_hash: String,
    /// Its statement leaf.
    pub leaf: String,
    /// The proof, canonical snarkjs JSON.
    pub proof_json: String,
    /// The public signals, a snarkjs JSON list.
    pub public_signals: String,
}

/// How long an epoch stayed in the state it just left, for the state-duration metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Left {
    /// The state left.
    pub state: EpochState,
    /// When it had been entered (Unix milliseconds).
    pub since_ms: i64,
}

impl Store {
    /// The oldest epoch that is sealed, settling or failed. Epochs settle in id order, so a
    /// failed epoch holds back the ones after it until it is anchored.
    pub async fn next_to_settle(&self, now_ms: i64) -> Result<Option<NextSettlement>, StoreError> {
        let row = sqlx::query(
            "SELECT id, state, next_attempt_at_ms FROM epochs
             WHERE state IN ('sealed', 'settling', 'failed') ORDER BY id LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let state = parse_state(&row.try_get::<String, _>("state")?)?;
        let next: Option<i64> = row.try_get("next_attempt_at_ms")?;
        Ok(Some(match (state, next) {
            (EpochState::Failed, Some(at_ms)) if at_ms > now_ms => {
                NextSettlement::NotBefore { epoch: id, at_ms }
            }
            _ => NextSettlement::Due(id),
        }))
    }

    /// Moves a sealed, failed or (after a stop) settling epoch to `settling`, counting the
    /// attempt; returns the state it left and when it had entered it, or `None` if the epoch
    /// is in none of those states.
    pub async fn begin_settlement(
        &self,
        epoch: i64,
        now_ms: i64,
    ) -> Result<Option<Left>, StoreError> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT state, sealed_at_ms, settling_at_ms, failed_at_ms, attempts FROM epochs
             WHERE id = $1",
        )
        .bind(epoch)
        .fetch_optional(&mut *w.tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let state = parse_state(&row.try_get::<String, _>("state")?)?;
        let since: Option<i64> = match state {
            EpochState::Sealed => row.try_get("sealed_at_ms")?,
            EpochState::Settling => row.try_get("settling_at_ms")?,
            EpochState::Failed => row.try_get("failed_at_ms")?,
            EpochState::Open | EpochState::Anchored => return Ok(None),
        };
        let attempt = row.try_get::<i64, _>("attempts")? + 1;
        sqlx::query(
            "UPDATE epochs SET state = 'settling', settling_at_ms = $1, attempts = $2,
                               next_attempt_at_ms = NULL
             WHERE id = $3",
        )
        .bind(now_ms)
        .bind(attempt)
        .bind(epoch)
        .execute(&mut *w.tx)
        .await?;
        let detail = match state {
            EpochState::Settling => format!("attempt {attempt} (resumed after a stop)"),
            _ => format!("attempt {attempt}"),
        };
        record_transition(
            &mut w.tx,
            epoch,
            EpochState::Settling,
            now_ms,
            Some(&detail),
        )
        .await?;
        w.tx.commit().await?;
        Ok(Some(Left {
            state,
            since_ms: since.unwrap_or(now_ms),
        }))
    }

    /// The stored contents of a settling epoch: root, proofs in leaf order, the keys they use.
    pub async fn settlement_record(&self, epoch: i64) -> Result<SettlementRecord, StoreError> {
        let row = sqlx::query("SELECT root, sealed_at_ms, attempts FROM epochs WHERE id = $1")
            .bind(epoch)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("epoch {epoch} vanished")))?;
        let root: Option<String> = row.try_get("root")?;
        let sealed_at_ms: Option<i64> = row.try_get("sealed_at_ms")?;
        let (Some(root), Some(sealed_at_ms)) = (root, sealed_at_ms) else {
            return Err(StoreError::Corrupt(format!(
                "epoch {epoch} is past sealed without a root"
            )));
        };
        let proofs = sqlx::query(
            "SELECT id, leaf_index, vk_hash, leaf, proof_json, public_signals FROM proofs
             WHERE epoch_id = $1 ORDER BY leaf_index",
        )
        .bind(epoch)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let index: Option<i64> = r.try_get("leaf_index")?;
            let id: i64 = r.try_get("id")?;
            let index = index
                .ok_or_else(|| StoreError::Corrupt(format!("proof {id} has no leaf index")))?;
            Ok(StoredProof {
                id,
                leaf_index: index,
                vk_hash: r.try_get("vk_hash")?,
                leaf: r.try_get("leaf")?,
                proof_json: r.try_get("proof_json")?,
                public_signals: r.try_get("public_signals")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let keys = sqlx::query(
            "SELECT vk_hash, vk_json FROM vks
             WHERE vk_hash IN (SELECT DISTINCT vk_hash FROM proofs WHERE epoch_id = $1)
             ORDER BY vk_hash",
        )
        .bind(epoch)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("vk_hash")?, r.try_get("vk_json")?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(SettlementRecord {
            id: epoch,
            root,
            sealed_at_ms,
            attempt: row.try_get("attempts")?,
            proofs,
            keys,
        })
    }

    /// Records a settling epoch as anchored by `settlement` in transaction `tx_hash` (0x-hex)
    /// of `block`, which used `gas_used`.
    pub async fn mark_anchored(
        &self,
        epoch: i64,
        settlement: &str,
        tx_hash: &str,
        block: i64,
        gas_used: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE epochs SET state = 'anchored', anchored_at_ms = $1, settlement = $2,
                               tx_hash = $3, block = $4, gas_used = $5, failure = NULL,
                               next_attempt_at_ms = NULL
             WHERE id = $6 AND state = 'settling'",
        )
        .bind(now_ms)
        .bind(settlement)
        .bind(tx_hash)
        .bind(block)
        .bind(gas_used)
        .bind(epoch)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "epoch {epoch} was not settling when its anchoring arrived"
            )));
        }
        let detail = format!("{settlement}: tx {tx_hash}, block {block}, gas {gas_used}");
        record_transition(
            &mut w.tx,
            epoch,
            EpochState::Anchored,
            now_ms,
            Some(&detail),
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Records that a settling epoch's attempt failed for `reason`; the next attempt is due at
    /// `retry_at_ms`.
    pub async fn mark_failed(
        &self,
        epoch: i64,
        reason: &str,
        retry_at_ms: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE epochs SET state = 'failed', failure = $1, failed_at_ms = $2,
                               next_attempt_at_ms = $3
             WHERE id = $4 AND state = 'settling'",
        )
        .bind(reason)
        .bind(now_ms)
        .bind(retry_at_ms)
        .bind(epoch)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "epoch {epoch} was not settling when its failure arrived"
            )));
        }
        record_transition(&mut w.tx, epoch, EpochState::Failed, now_ms, Some(reason)).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The states `epoch` went through, oldest first.
    pub async fn transitions(&self, epoch: i64) -> Result<Vec<EpochTransition>, StoreError> {
        sqlx::query(
            "SELECT state, at_ms, detail FROM epoch_transitions WHERE epoch_id = $1 ORDER BY seq",
        )
        .bind(epoch)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(EpochTransition {
                state: parse_state(&r.try_get::<String, _>("state")?)?.as_str(),
                at_ms: r.try_get("at_ms")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
    }
}

/// Appends `state` to `epoch`'s history.
pub(super) async fn record_transition(
    tx: &mut Transaction<'static, Any>,
    epoch: i64,
    state: EpochState,
    at_ms: i64,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO epoch_transitions (epoch_id, seq, state, at_ms, detail)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM epoch_transitions
         WHERE epoch_id = $1",
    )
    .bind(epoch)
    .bind(state.as_str())
    .bind(at_ms)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
