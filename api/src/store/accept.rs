//! Storing verified proofs a batch at a time, and sealing epochs: one write transaction per
//! verified batch, with a fixed number of statements however many proofs it holds (one lookup
//! of earlier copies, multi-row inserts, one count update), plus the seal of each epoch the
//! batch fills: the SHA-256 Merkle tree of `shared/DESIGN.md` over the epoch's leaves in
//! acceptance order, every proof's leaf index and path written with `UPDATE … FROM (VALUES …)`.

use std::collections::{HashMap, HashSet};

use sheaf_aggregator::{Hash32, MerkleTree};
use sqlx::{Any, Row, Transaction};

use super::{Store, StoreError, insert_vk, settle::record_transition};
use crate::epochs::{EpochPolicy, EpochState};
use crate::hex32::{parse_hex32, to_hex32};

/// Rows per multi-row `INSERT` (9 parameters each; SQLite allows 32,766 per statement).
const INSERT_CHUNK: usize = 256;
/// Rows per `UPDATE … FROM (VALUES …)` when sealing (3 parameters each).
const UPDATE_CHUNK: usize = 512;
/// Proof hashes per `IN (…)` list when looking for earlier copies.
const LOOKUP_CHUNK: usize = 512;

/// A verified proof to be stored, every field already in its stored form.
#[derive(Debug, Clone)]
pub struct NewProof {
    /// `vk_hash` as 0x-hex.
    pub vk_hash: String,
    /// The key's snarkjs JSON and `nPublic`, when the submission carried the key itself: it is
    /// stored with the proof (if not known yet), so a rejected submission stores no key.
    pub vk: Option<(String, usize)>,
    /// The statement leaf as 0x-hex.
    pub leaf: String,
    /// SHA-256 of `proof_json`, as 0x-hex: with the leaf it identifies a duplicate.
    pub proof_hash: String,
    /// The proof as canonical snarkjs JSON.
    pub proof_json: String,
    /// The public signals as a snarkjs JSON list.
    pub public_signals: String,
}

/// Where an accepted proof went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The proof's id.
    pub id: i64,
    /// Its epoch.
    pub epoch: i64,
    /// Whether it had been accepted before in the same open epoch (this is that proof's id).
    pub duplicate: bool,
    /// The epoch's state after the batch: usually open, sealed when the batch filled it.
    pub epoch_state: EpochState,
}

/// An epoch sealed by a write, with its times (for the state-duration metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedInfo {
    /// The epoch.
    pub epoch: i64,
    /// Its proofs.
    pub proof_count: i64,
    /// When it opened.
    pub opened_at_ms: i64,
    /// When it was sealed.
    pub sealed_at_ms: i64,
}

/// What [`Store::accept`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcceptOutcome {
    /// One entry per proof, in the order given.
    pub accepted: Vec<Accepted>,
    /// The epochs sealed on the way (an expired one found open, or ones the batch filled).
    pub sealed: Vec<SealedInfo>,
}

/// The open epoch as a write sees it.
#[derive(Debug, Clone, Copy)]
struct OpenEpoch {
    id: i64,
    opened_at_ms: i64,
    count: i64,
}

/// What identifies a duplicate inside an epoch.
type DedupKey = (String, String, String);

fn dedup_key(p: &NewProof) -> DedupKey {
    (p.vk_hash.clone(), p.leaf.clone(), p.proof_hash.clone())
}

impl Store {
    /// Stores a batch of verified proofs in one transaction, in order: each goes into the open
    /// epoch (opened if there is none, sealed first if `policy` says it is too old) unless the
    /// same key, leaf and proof are already there, in which case the existing id is returned.
    /// An epoch that reaches `policy.max_proofs` is sealed in the same transaction and the next
    /// proof opens a new one.
    pub async fn accept(
        &self,
        proofs: &[NewProof],
        policy: &EpochPolicy,
        now_ms: i64,
    ) -> Result<AcceptOutcome, StoreError> {
        let mut w = self.begin_write().await?;
        let tx = &mut w.tx;
        let mut outcome = AcceptOutcome {
            accepted: Vec::with_capacity(proofs.len()),
            sealed: Vec::new(),
        };
        let mut keys_seen = HashSet::new();
        for p in proofs {
            if let Some((json, n_public)) = &p.vk
                && keys_seen.insert(p.vk_hash.as_str())
            {
                insert_vk(tx, &p.vk_hash, *n_public, json, now_ms).await?;
            }
        }
        let mut open = open_epoch(tx).await?;
        if let Some(e) = open
            && policy.expired(e.opened_at_ms, now_ms)
        {
            outcome.sealed.push(seal(tx, e, now_ms).await?);
            open = None;
        }
        // Copies already in the open epoch (a new epoch has none).
        let mut known: HashMap<DedupKey, i64> = match open {
            Some(e) => existing_copies(tx, e.id, proofs).await?,
            None => HashMap::new(),
        };
        let mut next_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM proofs")
            .fetch_one(&mut **tx)
            .await?
            .try_get("next")?;
        let max_proofs = i64::try_from(policy.max_proofs.max(1)).unwrap_or(i64::MAX);
        let mut pending: Vec<(i64, i64, &NewProof)> = Vec::new();
        for p in proofs {
            let mut epoch = match open {
                Some(e) => e,
                None => {
                    let e = new_epoch(tx, now_ms).await?;
                    known.clear();
                    open = Some(e);
                    e
                }
            };
            let key = dedup_key(p);
            if let Some(&id) = known.get(&key) {
                outcome.accepted.push(Accepted {
                    id,
                    epoch: epoch.id,
                    duplicate: true,
                    epoch_state: EpochState::Open,
                });
                continue;
            }
            pending.push((next_id, epoch.count, p));
            known.insert(key, next_id);
            outcome.accepted.push(Accepted {
                id: next_id,
                epoch: epoch.id,
                duplicate: false,
                epoch_state: EpochState::Open,
            });
            next_id += 1;
            epoch.count += 1;
            open = Some(epoch);
            if epoch.count >= max_proofs {
                flush(tx, epoch, &mut pending, now_ms).await?;
                outcome.sealed.push(seal(tx, epoch, now_ms).await?);
                open = None;
            }
        }
        if let Some(epoch) = open
            && !pending.is_empty()
        {
            flush(tx, epoch, &mut pending, now_ms).await?;
        }
        let sealed: HashSet<i64> = outcome.sealed.iter().map(|s| s.epoch).collect();
        for a in &mut outcome.accepted {
            if sealed.contains(&a.epoch) {
                a.epoch_state = EpochState::Sealed;
            }
        }
        w.tx.commit().await?;
        Ok(outcome)
    }

    /// Seals the open epoch if `policy` says it is old enough; returns it if it did.
    pub async fn seal_expired(
        &self,
        policy: &EpochPolicy,
        now_ms: i64,
    ) -> Result<Option<SealedInfo>, StoreError> {
        let mut w = self.begin_write().await?;
        let Some(open) = open_epoch(&mut w.tx).await? else {
            return Ok(None);
        };
        if !policy.expired(open.opened_at_ms, now_ms) {
            return Ok(None);
        }
        let sealed = seal(&mut w.tx, open, now_ms).await?;
        w.tx.commit().await?;
        Ok(Some(sealed))
    }
}

async fn open_epoch(tx: &mut Transaction<'static, Any>) -> Result<Option<OpenEpoch>, StoreError> {
    let row = sqlx::query("SELECT id, opened_at_ms, proof_count FROM epochs WHERE state = 'open'")
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| {
        Ok(OpenEpoch {
            id: row.try_get("id")?,
            opened_at_ms: row.try_get("opened_at_ms")?,
            count: row.try_get("proof_count")?,
        })
    })
    .transpose()
}

async fn new_epoch(
    tx: &mut Transaction<'static, Any>,
    now_ms: i64,
) -> Result<OpenEpoch, StoreError> {
    let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM epochs")
        .fetch_one(&mut **tx)
        .await?
        .try_get("next")?;
    sqlx::query("INSERT INTO epochs (id, state, opened_at_ms) VALUES ($1, 'open', $2)")
        .bind(id)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    record_transition(tx, id, EpochState::Open, now_ms, None).await?;
    Ok(OpenEpoch {
        id,
        opened_at_ms: now_ms,
        count: 0,
    })
}

/// The ids of proofs already in `epoch` with the key, leaf and proof of one of `proofs`
/// (looked up by proof hash, through `proofs_by_proof_hash`).
async fn existing_copies(
    tx: &mut Transaction<'static, Any>,
    epoch: i64,
    proofs: &[NewProof],
) -> Result<HashMap<DedupKey, i64>, StoreError> {
    let hashes: Vec<&str> = proofs
        .iter()
        .map(|p| p.proof_hash.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut known = HashMap::new();
    for chunk in hashes.chunks(LOOKUP_CHUNK) {
        let list = placeholders(2, chunk.len());
        let sql = format!(
            "SELECT id, vk_hash, leaf, proof_hash FROM proofs
             WHERE epoch_id = $1 AND proof_hash IN ({list})"
        );
        let mut query = sqlx::query(&sql).bind(epoch);
        for hash in chunk {
            query = query.bind(*hash);
        }
        for row in query.fetch_all(&mut **tx).await? {
            let key = (
                row.try_get("vk_hash")?,
                row.try_get("leaf")?,
                row.try_get("proof_hash")?,
            );
            known.insert(key, row.try_get("id")?);
        }
    }
    Ok(known)
}

/// Inserts the pending proofs of `epoch` (multi-row inserts) and stores its new count.
async fn flush(
    tx: &mut Transaction<'static, Any>,
    epoch: OpenEpoch,
    pending: &mut Vec<(i64, i64, &NewProof)>,
    now_ms: i64,
) -> Result<(), StoreError> {
    for chunk in pending.chunks(INSERT_CHUNK) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + 9 * i, 9)))
            .collect();
        let sql = format!(
            "INSERT INTO proofs (id, epoch_id, position, vk_hash, leaf, proof_hash, proof_json,
                                 public_signals, created_at_ms)
             VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for &(id, position, p) in chunk {
            query = query
                .bind(id)
                .bind(epoch.id)
                .bind(position)
                .bind(p.vk_hash.as_str())
                .bind(p.leaf.as_str())
                .bind(p.proof_hash.as_str())
                .bind(p.proof_json.as_str())
                .bind(p.public_signals.as_str())
                .bind(now_ms);
        }
        query.execute(&mut **tx).await?;
    }
    pending.clear();
    sqlx::query("UPDATE epochs SET proof_count = $1 WHERE id = $2")
        .bind(epoch.count)
        .bind(epoch.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Seals an open epoch: the Merkle tree over its leaves in acceptance order, each proof's leaf
/// index and path, the root, and the state `sealed`.
async fn seal(
    tx: &mut Transaction<'static, Any>,
    epoch: OpenEpoch,
    now_ms: i64,
) -> Result<SealedInfo, StoreError> {
    let rows = sqlx::query("SELECT id, leaf FROM proofs WHERE epoch_id = $1 ORDER BY position")
        .bind(epoch.id)
        .fetch_all(&mut **tx)
        .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut leaves: Vec<Hash32> = Vec::with_capacity(rows.len());
    for row in &rows {
        ids.push(row.try_get::<i64, _>("id")?);
        let leaf: String = row.try_get("leaf")?;
        leaves.push(
            parse_hex32(&leaf).ok_or_else(|| {
                StoreError::Corrupt(format!("leaf `{leaf}` in epoch {}", epoch.id))
            })?,
        );
    }
    let root = match MerkleTree::new(&leaves) {
        Some(tree) => {
            let mut paths = Vec::with_capacity(ids.len());
            for (index, id) in ids.iter().enumerate() {
                let path: Vec<String> = tree
                    .path(index)
                    .unwrap_or_default()
                    .iter()
                    .map(to_hex32)
                    .collect();
                let json = serde_json::to_string(&path)
                    .map_err(|e| StoreError::Corrupt(format!("path of proof {id}: {e}")))?;
                paths.push((*id, index as i64, json));
            }
            for chunk in paths.chunks(UPDATE_CHUNK) {
                let rows: Vec<String> = (0..chunk.len())
                    .map(|i| format!("({})", placeholders(1 + 3 * i, 3)))
                    .collect();
                // VALUES columns are named column1, column2, … by SQLite and PostgreSQL alike.
                let sql = format!(
                    "UPDATE proofs SET leaf_index = v.column2, merkle_path = v.column3
                     FROM (VALUES {}) AS v WHERE proofs.id = v.column1",
                    rows.join(", ")
                );
                let mut query = sqlx::query(&sql);
                for (id, index, json) in chunk {
                    query = query.bind(*id).bind(*index).bind(json.as_str());
                }
                query.execute(&mut **tx).await?;
            }
            Some(to_hex32(&tree.root()))
        }
        // Epochs are opened by their first proof, so this is an epoch emptied by hand.
        None => None,
    };
    sqlx::query(
        "UPDATE epochs SET state = 'sealed', sealed_at_ms = $1, root = $2, proof_count = $3
         WHERE id = $4 AND state = 'open'",
    )
    .bind(now_ms)
    .bind(root)
    .bind(ids.len() as i64)
    .bind(epoch.id)
    .execute(&mut **tx)
    .await?;
    record_transition(tx, epoch.id, EpochState::Sealed, now_ms, None).await?;
    Ok(SealedInfo {
        epoch: epoch.id,
        proof_count: ids.len() as i64,
        opened_at_ms: epoch.opened_at_ms,
        sealed_at_ms: now_ms,
    })
}

/// `$first, $first+1, …` (`count` of them).
pub(super) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
