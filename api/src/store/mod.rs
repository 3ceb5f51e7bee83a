//! Durable state through sqlx's `Any` driver: SQLite in the data directory by default (WAL,
//! `synchronous = FULL`, so a committed transaction survives a crash), PostgreSQL when a
//! `postgres://` URL is given. Both run the same migrations (`api/migrations/`) and the same
//! queries: `BIGINT`/`TEXT` columns, `$n` parameters, `ON CONFLICT … DO NOTHING`,
//! `UPDATE … FROM (VALUES …)`, ids assigned by the service.
//!
//! Every write is one transaction that reads and then writes. They are serialised twice: by an
//! in-process lock (so the pool never queues writers against each other) and by the database
//! (`BEGIN IMMEDIATE` on SQLite; a transaction-scoped advisory lock on PostgreSQL, so several
//! `sheaf serve` processes can share one PostgreSQL database).
//!
//! - [`accept`]: storing verified proofs in batches and sealing epochs.
//! - [`settle`]: the settlement states after `sealed`.

mod accept;
mod settle;

pub use accept::{AcceptOutcome, Accepted, NewProof, SealedInfo};
pub use settle::{EpochTransition, Left, NextSettlement, SettlementRecord, StoredProof};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};
use utoipa::ToSchema;

use crate::epochs::EpochState;

/// File name of the SQLite database inside the data directory.
pub const SQLITE_FILE: &str = "sheaf.db";

/// Key of the PostgreSQL advisory lock that serialises writers (ASCII "sheaf").
const PG_WRITE_LOCK: i64 = 0x73_68_65_61_66;

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
    /// The database URL names no database this service can use.
    #[error("database URL: {0}")]
    Url(String),
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

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// SQLite, a file in the data directory.
    Sqlite,
    /// PostgreSQL, by URL.
    Postgres,
}

impl DatabaseKind {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A stored proof as `GET /v1/proofs/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProofView {
    /// The id.
    pub id: i64,
    /// `verified` while the epoch is open, then the epoch's state: `sealed`, `settling`,
    /// `anchored` or `failed`.
    #[schema(example = "sealed")]
    pub status: &'static str,
    /// The epoch id.
    pub epoch: i64,
    /// The key's hash (0x-hex).
    pub vk_hash: String,
    /// The statement leaf (0x-hex).
    pub leaf: String,
    /// The leaf's index in the epoch's tree, once sealed.
    pub leaf_index: Option<i64>,
    /// Siblings bottom-up (0x-hex), once sealed.
    pub merkle_path: Option<Vec<String>>,
    /// The epoch's Merkle root (0x-hex), once sealed.
    pub root: Option<String>,
    /// The anchoring transaction (0x-hex), once anchored.
    pub tx_hash: Option<String>,
    /// The anchoring block, once anchored.
    pub block: Option<i64>,
}

/// A stored epoch as `GET /v1/epochs` shows it. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EpochView {
    /// The id (1, 2, …).
    pub id: i64,
    /// `open`, `sealed`, `settling`, `anchored` or `failed`.
    #[schema(example = "anchored")]
    pub state: &'static str,
    /// Proofs in it.
    pub proof_count: i64,
    /// When its first proof was accepted.
    pub opened_at_ms: i64,
    /// When it was sealed.
    pub sealed_at_ms: Option<i64>,
    /// Its Merkle root (0x-hex), once sealed.
    pub root: Option<String>,
    /// When settlement last started.
    pub settling_at_ms: Option<i64>,
    /// Settlement attempts started.
    pub attempts: i64,
    /// Why the last attempt failed (kept while the epoch is `failed`).
    pub failure: Option<String>,
    /// When the last attempt failed.
    pub failed_at_ms: Option<i64>,
    /// When the next attempt is due, while `failed`.
    pub next_attempt_at_ms: Option<i64>,
    /// When it was anchored.
    pub anchored_at_ms: Option<i64>,
    /// The settlement mode that anchored it.
    pub settlement: Option<String>,
    /// The anchoring transaction (0x-hex).
    pub tx_hash: Option<String>,
    /// The anchoring block.
    pub block: Option<i64>,
    /// Gas used by the anchoring transaction.
    pub gas_used: Option<i64>,
}

/// One epoch with every state it went through, as `GET /v1/epochs/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EpochDetail {
    /// The epoch.
    #[serde(flatten)]
    pub epoch: EpochView,
    /// Its states in order, with times and failure reasons.
    pub history: Vec<EpochTransition>,
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
    pool: AnyPool,
    kind: DatabaseKind,
    write: Arc<Mutex<()>>,
}

/// A write transaction and the in-process writers' lock it holds (released when dropped,
/// after the transaction has been committed or rolled back).
pub(crate) struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    _writer: OwnedMutexGuard<()>,
}

const EPOCH_COLUMNS: &str = "id, state, proof_count, opened_at_ms, sealed_at_ms, root, \
     settling_at_ms, attempts, failure, failed_at_ms, next_attempt_at_ms, anchored_at_ms, \
     settlement, tx_hash, block, gas_used";

impl Store {
    /// Opens PostgreSQL at `database_url` when one is given, otherwise the SQLite database in
    /// `data_dir`; creates and migrates the schema.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Self, StoreError> {
        match database_url {
            Some(url) => Self::open_url(url).await,
            None => Self::open_sqlite(data_dir).await,
        }
    }

    /// Opens (creating if needed) the SQLite database in `data_dir` and migrates it.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self, StoreError> {
        let dir_error = |source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(dir_error)?;
        let dir = std::fs::canonicalize(data_dir).map_err(dir_error)?;
        let url = format!("sqlite://{}?mode=rwc", url_path(&dir.join(SQLITE_FILE)));
        Self::connect(DatabaseKind::Sqlite, &url).await
    }

    /// Opens the database at `url`: `postgres://…` (or `postgresql://…`), or `sqlite:PATH`.
    pub async fn open_url(url: &str) -> Result<Self, StoreError> {
        let kind = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseKind::Postgres
        } else if url.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else {
            return Err(StoreError::Url(format!(
                "`{}` is neither postgres://… nor sqlite:…",
                redact(url)
            )));
        };
        Self::connect(kind, url).await
    }

    async fn connect(kind: DatabaseKind, url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(url)
            .map_err(|e| StoreError::Url(format!("{}: {e}", redact(url))))?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        // WAL lets readers run beside the writer; FULL syncs the WAL on every
                        // commit, so an answered request survives a power cut.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            kind,
            write: Arc::new(Mutex::new(())),
        })
    }

    /// Which database this is.
    pub fn kind(&self) -> DatabaseKind {
        self.kind
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

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction, holding the writers' locks until it ends.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let writer = Arc::clone(&self.write).lock_owned().await;
        let tx = match self.kind {
            DatabaseKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DatabaseKind::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(PG_WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(WriteTx {
            tx,
            _writer: writer,
        })
    }

    /// Stores a verifying key; `true` when it was new, `false` when it was already known.
    pub async fn insert_vk(
        &self,
        vk_hash: &str,
        n_public: usize,
        vk_json: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut w = self.begin_write().await?;
        let inserted = insert_vk(&mut w.tx, vk_hash, n_public, vk_json, now_ms).await?;
        w.tx.commit().await?;
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

    /// The epoch with this id and its history.
    pub async fn epoch_detail(&self, id: i64) -> Result<Option<EpochDetail>, StoreError> {
        let Some(epoch) = self.epoch(id).await? else {
            return Ok(None);
        };
        let history = self.transitions(id).await?;
        Ok(Some(EpochDetail { epoch, history }))
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

pub(crate) async fn insert_vk(
    tx: &mut Transaction<'static, Any>,
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

pub(crate) fn parse_state(state: &str) -> Result<EpochState, StoreError> {
    EpochState::from_str(state).map_err(|()| StoreError::Corrupt(format!("epoch state `{state}`")))
}

fn epoch_view(row: &AnyRow) -> Result<EpochView, StoreError> {
    Ok(EpochView {
        id: row.try_get("id")?,
        state: parse_state(&row.try_get::<String, _>("state")?)?.as_str(),
        proof_count: row.try_get("proof_count")?,
        opened_at_ms: row.try_get("opened_at_ms")?,
        sealed_at_ms: row.try_get("sealed_at_ms")?,
        root: row.try_get("root")?,
        settling_at_ms: row.try_get("settling_at_ms")?,
        attempts: row.try_get("attempts")?,
        failure: row.try_get("failure")?,
        failed_at_ms: row.try_get("failed_at_ms")?,
        next_attempt_at_ms: row.try_get("next_attempt_at_ms")?,
        anchored_at_ms: row.try_get("anchored_at_ms")?,
        settlement: row.try_get("settlement")?,
        tx_hash: row.try_get("tx_hash")?,
        block: row.try_get("block")?,
        gas_used: row.try_get("gas_used")?,
    })
}

/// A path as the path of a `sqlite://` URL: unreserved bytes as they are, every other byte
/// percent-encoded (sqlx decodes it again).
fn url_path(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The data directory's SQLite file.
pub fn sqlite_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SQLITE_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls() {
        assert_eq!(url_path(Path::new("/a b/c%?.db")), "/a%20b/c%25%3F.db");
        assert_eq!(
            redact("postgres://sheaf:secret@localhost:5432/sheaf"),
            "postgres://sheaf:***@localhost:5432/sheaf"
        );
        assert_eq!(
            redact("postgres://localhost/sheaf"),
            "postgres://localhost/sheaf"
        );
    }
}
