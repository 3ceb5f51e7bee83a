//! Durable state through sqlx: verifying keys, epochs and accepted proofs. SQLite in the data
//! directory (WAL, `synchronous = FULL`, so a committed transaction survives a crash) is the
//! only backend so far; the migrations in `api/migrations/` and every query here use portable
//! SQL (`BIGINT`/`TEXT` columns, `$n` parameters, `ON CONFLICT … DO NOTHING`, ids assigned by
//! the service) so that PostgreSQL can run the same ones.
//!
//! Writes are serialised by one in-process lock: each is a read-then-write transaction, and
//! with a single writer SQLite never has to upgrade a stale read snapshot.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sheaf_aggregator::{Hash32, MerkleTree};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use tokio::sync::Mutex;

use crate::epochs::{EpochPolicy, EpochState};
use crate::hex32::{parse_hex32, to_hex32};

/// File name of the SQLite database inside the data directory.
pub const SQLITE_FILE: &str = "sheaf.db";

/// The migrations of `api/migrations/`, embedded in the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The database refused or failed a query.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrating the schema failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value is not what the service writes (edited by hand, or a bug).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

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

/// A stored proof as `GET /v1/proofs/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofView {
    /// The id.
    pub id: i64,
    /// `verified` while the epoch is open, then the epoch's state.
    pub status: &'static str,
    /// The epoch id.
    pub epoch: i64,
    /// The key's hash.
    pub vk_hash: String,
    /// The statement leaf.
    pub leaf: String,
    /// The leaf's index in the epoch's tree, once sealed.
    pub leaf_index: Option<i64>,
    /// Siblings bottom-up, once sealed.
    pub merkle_path: Option<Vec<String>>,
    /// The epoch's Merkle root, once sealed.
    pub root: Option<String>,
    /// The anchoring transaction, once anchored.
    pub tx_hash: Option<String>,
    /// The anchoring block, once anchored.
    pub block: Option<i64>,
}

/// A stored epoch as `GET /v1/epochs` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpochView {
    /// The id (1, 2, …).
    pub id: i64,
    /// `open`, `sealed`, `settling`, `anchored` or `failed`.
    pub state: &'static str,
    /// Proofs in it.
    pub proof_count: i64,
    /// When its first proof was accepted (Unix milliseconds).
    pub opened_at_ms: i64,
    /// When it was sealed.
    pub sealed_at_ms: Option<i64>,
    /// Its Merkle root, once sealed.
    pub root: Option<String>,
    /// Why settlement failed.
    pub failure: Option<String>,
    /// The anchoring transaction.
    pub tx_hash: Option<String>,
    /// The anchoring block.
    pub block: Option<i64>,
}

/// Row counts, for tests and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Verifying keys.
    pub vks: i64,
    /// Epochs.
    pub epochs: i64,
    /// Proofs.
    pub proofs: i64,
}

/// The database: a connection pool and the writers' lock. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    write: Arc<Mutex<()>>,
}

const EPOCH_COLUMNS: &str =
    "id, state, proof_count, opened_at_ms, sealed_at_ms, root, failure, tx_hash, block";

impl Store {
    /// Opens (creating if needed) the SQLite database in `data_dir` and migrates it.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(SQLITE_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            write: Arc::new(Mutex::new(())),
        })
    }

    /// Closes every connection (after which the database files are complete on disk).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a verifying key; `true` when it was new, `false` when it was already known.
    pub async fn insert_vk(
        &self,
        vk_hash: &str,
        n_public: usize,
        vk_json: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let _writer = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        let inserted = insert_vk(&mut tx, vk_hash, n_public, vk_json, now_ms).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    /// The snarkjs JSON of the key with this hash.
    pub async fn vk_json(&self, vk_hash: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT vk_json FROM vks WHERE vk_hash = $1")
            .bind(vk_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("vk_json")).transpose()?)
    }

    /// Stores a batch of verified proofs in one transaction, in order: each goes into the open
    /// epoch (opened if there is none, sealed first if `policy` says it is too old) unless the
    /// same key, leaf and proof are already there, in which case the existing id is returned.
    /// An epoch that reaches `policy.max_proofs` is sealed in the same transaction.
    pub async fn accept(
        &self,
        proofs: &[NewProof],
        policy: &EpochPolicy,
        now_ms: i64,
    ) -> Result<Vec<Accepted>, StoreError> {
        let _writer = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(proofs.len());
        let mut next_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM proofs")
            .fetch_one(&mut *tx)
            .await?
            .try_get("next")?;
        for p in proofs {
            if let Some((vk_json, n_public)) = &p.vk {
                insert_vk(&mut tx, &p.vk_hash, *n_public, vk_json, now_ms).await?;
            }
            let (epoch, count) = open_epoch(&mut tx, policy, now_ms).await?;
            let existing = sqlx::query(
                "SELECT id FROM proofs
                 WHERE epoch_id = $1 AND vk_hash = $2 AND leaf = $3 AND proof_hash = $4",
            )
            .bind(epoch)
            .bind(&p.vk_hash)
            .bind(&p.leaf)
            .bind(&p.proof_hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = existing {
                out.push(Accepted {
                    id: row.try_get("id")?,
                    epoch,
                    duplicate: true,
                    epoch_state: EpochState::Open,
                });
                continue;
            }
            sqlx::query(
                "INSERT INTO proofs (id, epoch_id, position, vk_hash, leaf, proof_hash,
                                     proof_json, public_signals, created_at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(next_id)
            .bind(epoch)
            .bind(count)
            .bind(&p.vk_hash)
            .bind(&p.leaf)
            .bind(&p.proof_hash)
            .bind(&p.proof_json)
            .bind(&p.public_signals)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE epochs SET proof_count = proof_count + 1 WHERE id = $1")
                .bind(epoch)
                .execute(&mut *tx)
                .await?;
            out.push(Accepted {
                id: next_id,
                epoch,
                duplicate: false,
                epoch_state: EpochState::Open,
            });
            next_id += 1;
            if u64::try_from(count + 1).unwrap_or(u64::MAX) >= policy.max_proofs {
                seal(&mut tx, epoch, now_ms).await?;
            }
        }
        // Report the state each epoch is in at commit.
        for a in &mut out {
            a.epoch_state = epoch_state(&mut tx, a.epoch).await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Seals the open epoch if `policy` says it is old enough; returns its id if it did.
    pub async fn seal_expired(
        &self,
        policy: &EpochPolicy,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let _writer = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        let open = sqlx::query("SELECT id, opened_at_ms FROM epochs WHERE state = 'open'")
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = open else {
            return Ok(None);
        };
        let (id, opened): (i64, i64) = (row.try_get("id")?, row.try_get("opened_at_ms")?);
        if !policy.expired(opened, now_ms) {
            return Ok(None);
        }
        seal(&mut tx, id, now_ms).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// The proof with this id.
    pub async fn proof(&self, id: i64) -> Result<Option<ProofView>, StoreError> {
        let row = sqlx::query(
            "SELECT p.id, p.epoch_id, p.vk_hash, p.leaf, p.leaf_index, p.merkle_path,
                    e.state, e.root, e.tx_hash, e.block
             FROM proofs p JOIN epochs e ON e.id = p.epoch_id
             WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let state = parse_state(&row.try_get::<String, _>("state")?)?;
        let merkle_path = row
            .try_get::<Option<String>, _>("merkle_path")?
            .map(|json| {
                serde_json::from_str::<Vec<String>>(&json)
                    .map_err(|e| StoreError::Corrupt(format!("merkle_path of proof {id}: {e}")))
            })
            .transpose()?;
        Ok(Some(ProofView {
            id: row.try_get("id")?,
            status: state.proof_status(),
            epoch: row.try_get("epoch_id")?,
            vk_hash: row.try_get("vk_hash")?,
            leaf: row.try_get("leaf")?,
            leaf_index: row.try_get("leaf_index")?,
            merkle_path,
            root: row.try_get("root")?,
            tx_hash: row.try_get("tx_hash")?,
            block: row.try_get("block")?,
        }))
    }

    /// The `limit` most recent epochs, newest first.
    pub async fn epochs(&self, limit: i64) -> Result<Vec<EpochView>, StoreError> {
        let sql = format!("SELECT {EPOCH_COLUMNS} FROM epochs ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(epoch_view).collect()
    }

    /// The epoch with this id.
    pub async fn epoch(&self, id: i64) -> Result<Option<EpochView>, StoreError> {
        let sql = format!("SELECT {EPOCH_COLUMNS} FROM epochs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(epoch_view).transpose()
    }

    /// How many keys, epochs and proofs are stored.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM vks) AS vks, (SELECT COUNT(*) FROM epochs) AS epochs,
                    (SELECT COUNT(*) FROM proofs) AS proofs",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            vks: row.try_get("vks")?,
            epochs: row.try_get("epochs")?,
            proofs: row.try_get("proofs")?,
        })
    }
}

async fn insert_vk(
    tx: &mut Transaction<'_, Sqlite>,
    vk_hash: &str,
    n_public: usize,
    vk_json: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let n_public = i64::try_from(n_public)
        .map_err(|_| StoreError::Corrupt(format!("nPublic {n_public} does not fit")))?;
    let done = sqlx::query(
        "INSERT INTO vks (vk_hash, n_public, vk_json, created_at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (vk_hash) DO NOTHING",
    )
    .bind(vk_hash)
    .bind(n_public)
    .bind(vk_json)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The open epoch's id and proof count: the current one unless it is too old (then it is
/// sealed), or a new one.
async fn open_epoch(
    tx: &mut Transaction<'_, Sqlite>,
    policy: &EpochPolicy,
    now_ms: i64,
) -> Result<(i64, i64), StoreError> {
    let open = sqlx::query("SELECT id, opened_at_ms, proof_count FROM epochs WHERE state = 'open'")
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = open {
        let id: i64 = row.try_get("id")?;
        if !policy.expired(row.try_get("opened_at_ms")?, now_ms) {
            return Ok((id, row.try_get("proof_count")?));
        }
        seal(tx, id, now_ms).await?;
    }
    let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM epochs")
        .fetch_one(&mut **tx)
        .await?
        .try_get("next")?;
    sqlx::query("INSERT INTO epochs (id, state, opened_at_ms) VALUES ($1, 'open', $2)")
        .bind(id)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    Ok((id, 0))
}

/// Seals an open epoch: the Merkle tree over its leaves in acceptance order, each proof's leaf
/// index and path, the root, and the state `sealed`.
async fn seal(tx: &mut Transaction<'_, Sqlite>, epoch: i64, now_ms: i64) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, leaf FROM proofs WHERE epoch_id = $1 ORDER BY position")
        .bind(epoch)
        .fetch_all(&mut **tx)
        .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut leaves: Vec<Hash32> = Vec::with_capacity(rows.len());
    for row in &rows {
        ids.push(row.try_get::<i64, _>("id")?);
        let leaf: String = row.try_get("leaf")?;
        leaves.push(
            parse_hex32(&leaf)
                .ok_or_else(|| StoreError::Corrupt(format!("leaf `{leaf}` in epoch {epoch}")))?,
        );
    }
    let root = match MerkleTree::new(&leaves) {
        Some(tree) => {
            for (index, id) in ids.iter().enumerate() {
                let path = tree.path(index).unwrap_or_default();
                let path: Vec<String> = path.iter().map(to_hex32).collect();
                let path = serde_json::to_string(&path)
                    .map_err(|e| StoreError::Corrupt(format!("path of proof {id}: {e}")))?;
                sqlx::query("UPDATE proofs SET leaf_index = $1, merkle_path = $2 WHERE id = $3")
                    .bind(index as i64)
                    .bind(path)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            Some(to_hex32(&tree.root()))
        }
        // Epochs are opened by their first proof, so this is an epoch emptied by hand.
        None => None,
    };
    sqlx::query(
        "UPDATE epochs SET state = 'sealed', sealed_at_ms = $1, root = $2
         WHERE id = $3 AND state = 'open'",
    )
    .bind(now_ms)
    .bind(root)
    .bind(epoch)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn epoch_state(
    tx: &mut Transaction<'_, Sqlite>,
    epoch: i64,
) -> Result<EpochState, StoreError> {
    let state: String = sqlx::query("SELECT state FROM epochs WHERE id = $1")
        .bind(epoch)
        .fetch_one(&mut **tx)
        .await?
        .try_get("state")?;
    parse_state(&state)
}

fn parse_state(state: &str) -> Result<EpochState, StoreError> {
    EpochState::from_str(state).map_err(|()| StoreError::Corrupt(format!("epoch state `{state}`")))
}

fn epoch_view(row: &sqlx::sqlite::SqliteRow) -> Result<EpochView, StoreError> {
    Ok(EpochView {
        id: row.try_get("id")?,
        state: parse_state(&row.try_get::<String, _>("state")?)?.as_str(),
        proof_count: row.try_get("proof_count")?,
        opened_at_ms: row.try_get("opened_at_ms")?,
        sealed_at_ms: row.try_get("sealed_at_ms")?,
        root: row.try_get("root")?,
        failure: row.try_get("failure")?,
        tx_hash: row.try_get("tx_hash")?,
        block: row.try_get("block")?,
    })
}
