//! The embedded base layer: an EVM (revm) in process, one transaction per block, with
//! deterministic development accounts and `SheafAnchor` deployed at genesis. Its state (world
//! state, block number and time, receipts) is written to `<data-dir>/chain/state.json` after
//! every block (a temporary file, fsync, rename), so a restart keeps the chain and every root
//! anchored on it.
//!
//! Transactions are not signed: the caller is a development account, and a transaction's hash
//! is keccak-256 over the chain id, block, caller, nonce and calldata. Gas is metered exactly
//! as on Ethereum (the spec is Prague unless chosen otherwise), fees are zero.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::{Address, B256, Bytes, Log, TxKind, U256, keccak256};
use revm::context::result::{ExecutionResult, Output};
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainnetContext, MainnetEvm};
pub use revm::primitives::hardfork::SpecId;
use revm::state::AccountInfo;
use revm::{Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder};
use serde::{Deserialize, Serialize};
use sheaf_aggregator::{AnchorBatch, Hash32};

use super::contract::{self, SheafAnchor};
use super::{AnchorRecord, Anchored, BaseLayer, ChainError, ChainFuture, InclusionQuery};

/// Chain id of the embedded chain.
pub const EMBEDDED_CHAIN_ID: u64 = 1337;
/// Gas limit of one block (and so of one transaction). Far above Ethereum's (about 36M a
/// block, 16.7M a transaction since Osaka), so that any epoch the service seals can be anchored
/// here; on a real chain an epoch in `batch` mode must fit one transaction.
pub const BLOCK_GAS_LIMIT: u64 = 1_000_000_000;
/// Folder of the chain's state inside the data directory.
pub const CHAIN_DIR: &str = "chain";
/// Its state file.
const STATE_FILE: &str = "state.json";
/// Version of the state file's layout.
const STATE_FORMAT: u32 = 1;
/// Development accounts, each funded with 10^6 ether at genesis.
pub const DEV_ACCOUNT_COUNT: usize = 4;

type Db = CacheDB<EmptyDB>;
type Evm = MainnetEvm<MainnetContext<Db>>;

/// Development account `i`: the last 20 bytes of `keccak256("sheaf dev account <i>")`.
pub fn dev_account(i: usize) -> Address {
    Address::from_word(keccak256(format!("sheaf dev account {i}")))
}

/// A committed transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Its hash.
    pub tx_hash: B256,
    /// Its block.
    pub block: u64,
    /// The sender.
    pub from: Address,
    /// The callee (`None` for a creation).
    pub to: Option<Address>,
    /// Gas used, intrinsic gas included.
    pub gas_used: u64,
    /// Whether it succeeded.
    pub success: bool,
}

/// The result of a transaction or a call.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The receipt (for a call: what it would have been).
    pub receipt: Receipt,
    /// Return data, or revert data when it failed.
    pub output: Bytes,
    /// Logs emitted.
    pub logs: Vec<Log>,
    /// Address of a created contract.
    pub created: Option<Address>,
}

impl Outcome {
    /// The return data, or the decoded revert reason as an error.
    pub fn into_output(self) -> Result<Bytes, ChainError> {
        if self.receipt.success {
            Ok(self.output)
        } else {
            Err(contract::revert_error(&self.output))
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Meta {
    format: u32,
    chain_id: u64,
    spec: String,
    block: u64,
    timestamp: u64,
    anchor: Address,
    receipts: Vec<Receipt>,
}

#[derive(Serialize)]
struct StateRef<'a> {
    meta: &'a Meta,
    db: &'a Db,
}

#[derive(Deserialize)]
struct StateOwned {
    meta: Meta,
    db: Db,
}

struct Inner {
    /// The world state; an EVM is built around it for each transaction (revm's EVM is not
    /// `Send`, the state is).
    db: Db,
    spec: SpecId,
    meta: Meta,
    dir: Option<PathBuf>,
}

/// revm in process, with `SheafAnchor` deployed.
#[derive(Clone)]
pub struct EmbeddedChain {
    inner: Arc<Mutex<Inner>>,
    anchor: Address,
}

impl std::fmt::Debug for EmbeddedChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedChain")
            .field("anchor", &self.anchor)
            .finish_non_exhaustive()
    }
}

fn spec_name(spec: SpecId) -> String {
    format!("{spec:?}")
}

fn parse_spec(name: &str) -> Result<SpecId, ChainError> {
    [SpecId::CANCUN, SpecId::PRAGUE, SpecId::OSAKA]
        .into_iter()
        .find(|s| spec_name(*s) == name)
        .ok_or_else(|| ChainError::State(format!("unknown spec {name:?}")))
}

fn build_evm(db: Db, spec: SpecId) -> Evm {
    let mut ctx: MainnetContext<Db> = Context::new(db, spec);
    ctx.cfg = CfgEnv::new_with_spec(spec);
    ctx.cfg.chain_id = EMBEDDED_CHAIN_ID;
    ctx.build_mainnet()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl EmbeddedChain {
    /// Opens the chain kept in `<data_dir>/chain/`, or creates it (genesis: funded development
    /// accounts, `SheafAnchor` deployed in block 1) and writes it there.
    pub fn open(data_dir: &Path) -> Result<Self, ChainError> {
        let dir = data_dir.join(CHAIN_DIR);
        let file = dir.join(STATE_FILE);
        if file.exists() {
            let text = fs::read(&file)
                .map_err(|e| ChainError::State(format!("{}: {e}", file.display())))?;
            let state: StateOwned = serde_json::from_slice(&text)
                .map_err(|e| ChainError::State(format!("{}: {e}", file.display())))?;
            if state.meta.format != STATE_FORMAT || state.meta.chain_id != EMBEDDED_CHAIN_ID {
                return Err(ChainError::State(format!(
                    "{}: format {} chain {} is not this version's (format {STATE_FORMAT}, chain {EMBEDDED_CHAIN_ID})",
                    file.display(),
                    state.meta.format,
                    state.meta.chain_id
                )));
            }
            let spec = parse_spec(&state.meta.spec)?;
            let anchor = state.meta.anchor;
            let chain = Self {
                inner: Arc::new(Mutex::new(Inner {
                    db: state.db,
                    spec,
                    meta: state.meta,
                    dir: Some(dir),
                })),
                anchor,
            };
            chain.check_anchor_code()?;
            return Ok(chain);
        }
        fs::create_dir_all(&dir)
            .map_err(|e| ChainError::State(format!("{}: {e}", dir.display())))?;
        Self::genesis(SpecId::PRAGUE, Some(dir))
    }

    /// A chain in memory only (benchmarks, tests), on `spec`.
    pub fn ephemeral(spec: SpecId) -> Result<Self, ChainError> {
        Self::genesis(spec, None)
    }

    fn genesis(spec: SpecId, dir: Option<PathBuf>) -> Result<Self, ChainError> {
        let mut db = Db::new(EmptyDB::new());
        let balance = U256::from(10u64).pow(U256::from(24u64));
        for i in 0..DEV_ACCOUNT_COUNT {
            db.insert_account_info(
                dev_account(i),
                AccountInfo {
                    balance,
                    ..Default::default()
                },
            );
        }
        let meta = Meta {
            format: STATE_FORMAT,
            chain_id: EMBEDDED_CHAIN_ID,
            spec: spec_name(spec),
            block: 0,
            timestamp: now_secs(),
            anchor: Address::ZERO,
            receipts: Vec::new(),
        };
        let mut chain = Self {
            inner: Arc::new(Mutex::new(Inner {
                db,
                spec,
                meta,
                dir,
            })),
            anchor: Address::ZERO,
        };
        let anchor = chain.deploy(&contract::anchor_bytecode()?)?;
        chain.lock()?.meta.anchor = anchor;
        chain.anchor = anchor;
        chain.lock()?.persist()?;
        Ok(chain)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, ChainError> {
        self.inner
            .lock()
            .map_err(|_| ChainError::State("a previous transaction panicked".into()))
    }

    fn check_anchor_code(&self) -> Result<(), ChainError> {
        let inner = self.lock()?;
        let has_code = inner
            .db
            .cache
            .accounts
            .get(&self.anchor)
            .and_then(|a| a.info.code.as_ref())
            .is_some_and(|c| !c.is_empty());
        if !has_code {
            return Err(ChainError::State(format!(
                "no SheafAnchor code at {} in the stored chain",
                self.anchor
            )));
        }
        Ok(())
    }

    /// The address of `SheafAnchor`.
    pub fn anchor_address(&self) -> Address {
        self.anchor
    }

    /// The latest block number.
    pub fn block_number(&self) -> Result<u64, ChainError> {
        Ok(self.lock()?.meta.block)
    }

    /// The receipt of a committed transaction.
    pub fn receipt(&self, tx_hash: &B256) -> Result<Option<Receipt>, ChainError> {
        Ok(self
            .lock()?
            .meta
            .receipts
            .iter()
            .find(|r| &r.tx_hash == tx_hash)
            .cloned())
    }

    /// Deploys `code` from development account 0 in a new block; returns its address.
    pub fn deploy(&self, code: &[u8]) -> Result<Address, ChainError> {
        let out = self.lock()?.execute(TxKind::Create, code, true)?;
        if !out.receipt.success {
            return Err(ChainError::Reverted(format!(
                "deployment: {}",
                contract::describe_revert(&out.output)
            )));
        }
        out.created
            .ok_or_else(|| ChainError::Unexpected("a creation returned no address".into()))
    }

    /// Sends a transaction from development account 0 to `to` in a new block and commits it
    /// (a failed one too: its nonce and block are used, as on a real chain).
    pub fn transact(&self, to: Address, data: &[u8]) -> Result<Outcome, ChainError> {
        self.lock()?.execute(TxKind::Call(to), data, true)
    }

    /// Runs a call against the latest state without committing it.
    pub fn call(&self, to: Address, data: &[u8]) -> Result<Outcome, ChainError> {
        self.lock()?.execute(TxKind::Call(to), data, false)
    }

    fn anchor_blocking(&self, batch: &AnchorBatch) -> Result<Anchored, ChainError> {
        let calldata = contract::anchor_batch_calldata(batch);
        // As the JSON-RPC client does: a refused batch (or an anchored root) costs no block.
        self.call(self.anchor, &calldata)?.into_output()?;
        let out = self.transact(self.anchor, &calldata)?;
        let receipt = out.receipt.clone();
        let output = out.into_output()?;
        let root = contract::decode_anchor_batch(&output)?;
        Ok(Anchored {
            root,
            count: batch.len() as u64,
            tx_hash: receipt.tx_hash.0,
            block: receipt.block,
            gas_used: receipt.gas_used,
        })
    }

    fn anchor_of_blocking(&self, root: &Hash32) -> Result<Option<AnchorRecord>, ChainError> {
        let out = self.call(self.anchor, &contract::anchor_of_calldata(root))?;
        contract::decode_anchor_of(&out.into_output()?)
    }

    fn find_anchoring_blocking(&self, root: &Hash32) -> Result<Option<Anchored>, ChainError> {
        let Some(record) = self.anchor_of_blocking(root)? else {
            return Ok(None);
        };
        // One transaction per block: the anchoring one is the block's.
        let receipt = self
            .lock()?
            .meta
            .receipts
            .iter()
            .find(|r| r.block == record.block && r.success && r.to == Some(self.anchor))
            .cloned()
            .ok_or_else(|| {
                ChainError::State(format!(
                    "no receipt for block {} of the stored chain",
                    record.block
                ))
            })?;
        Ok(Some(Anchored {
            root: *root,
            count: record.count,
            tx_hash: receipt.tx_hash.0,
            block: receipt.block,
            gas_used: receipt.gas_used,
        }))
    }

    fn verify_inclusion_blocking(&self, q: &InclusionQuery) -> Result<bool, ChainError> {
        let out = self.call(self.anchor, &contract::verify_inclusion_calldata(q))?;
        contract::decode_verify_inclusion(&out.into_output()?)
    }
}

impl Inner {
    fn execute(&mut self, kind: TxKind, data: &[u8], commit: bool) -> Result<Outcome, ChainError> {
        let from = dev_account(0);
        let nonce = self
            .db
            .cache
            .accounts
            .get(&from)
            .map_or(0, |a| a.info.nonce);
        let block = self.meta.block + 1;
        let timestamp = now_secs().max(self.meta.timestamp + 1);
        let mut evm = build_evm(
            std::mem::replace(&mut self.db, Db::new(EmptyDB::new())),
            self.spec,
        );
        evm.ctx.block = BlockEnv {
            number: U256::from(block),
            timestamp: U256::from(timestamp),
            gas_limit: BLOCK_GAS_LIMIT,
            basefee: 0,
            prevrandao: Some(keccak256(block.to_be_bytes())),
            ..Default::default()
        };
        let tx = TxEnv {
            caller: from,
            gas_limit: BLOCK_GAS_LIMIT,
            gas_price: 0,
            kind,
            value: U256::ZERO,
            data: Bytes::copy_from_slice(data),
            nonce,
            chain_id: Some(EMBEDDED_CHAIN_ID),
            ..Default::default()
        };
        let result = if commit {
            evm.transact_commit(tx)
        } else {
            evm.transact(tx).map(|r| r.result)
        };
        self.db = std::mem::replace(
            &mut evm.ctx.journaled_state.database,
            Db::new(EmptyDB::new()),
        );
        let result = result
            .map_err(|e| ChainError::Unexpected(format!("the EVM refused the transaction: {e}")))?;
        let mut hasher = Vec::with_capacity(64 + data.len());
        hasher.extend_from_slice(&EMBEDDED_CHAIN_ID.to_be_bytes());
        hasher.extend_from_slice(&block.to_be_bytes());
        hasher.extend_from_slice(from.as_slice());
        hasher.extend_from_slice(&nonce.to_be_bytes());
        hasher.extend_from_slice(data);
        let tx_hash = keccak256(&hasher);
        let to = match kind {
            TxKind::Call(a) => Some(a),
            TxKind::Create => None,
        };
        let gas_used = result.gas().tx_gas_used();
        let (success, output, logs, created) = match result {
            ExecutionResult::Success { output, logs, .. } => match output {
                Output::Call(b) => (true, b, logs, None),
                Output::Create(b, a) => (true, b, logs, a),
            },
            ExecutionResult::Revert { output, .. } => (false, output, Vec::new(), None),
            ExecutionResult::Halt { reason, .. } => (
                false,
                Bytes::from(format!("halted: {reason:?}").into_bytes()),
                Vec::new(),
                None,
            ),
        };
        let receipt = Receipt {
            tx_hash,
            block,
            from,
            to,
            gas_used,
            success,
        };
        if commit {
            self.meta.block = block;
            self.meta.timestamp = timestamp;
            self.meta.receipts.push(receipt.clone());
            self.persist()?;
        }
        Ok(Outcome {
            receipt,
            output,
            logs,
            created,
        })
    }

    /// Writes the state file atomically (no-op for an ephemeral chain).
    fn persist(&self) -> Result<(), ChainError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let state = StateRef {
            meta: &self.meta,
            db: &self.db,
        };
        let bytes = serde_json::to_vec(&state)
            .map_err(|e| ChainError::State(format!("encoding the state: {e}")))?;
        let tmp = dir.join(format!("{STATE_FILE}.tmp"));
        let io = |e: std::io::Error| ChainError::State(format!("{}: {e}", tmp.display()));
        let mut f = fs::File::create(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        fs::rename(&tmp, dir.join(STATE_FILE)).map_err(io)?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn blocking<T, F>(chain: &EmbeddedChain, f: F) -> ChainFuture<'static, T>
where
    T: Send + 'static,
    F: FnOnce(&EmbeddedChain) -> Result<T, ChainError> + Send + 'static,
{
    let chain = chain.clone();
    Box::pin(async move {
        tokio::task::spawn_blocking(move || f(&chain))
            .await
            .map_err(|e| ChainError::State(format!("embedded chain task: {e}")))?
    })
}

impl BaseLayer for EmbeddedChain {
    fn kind(&self) -> &'static str {
        "embedded"
    }

    fn contract(&self) -> Address {
        self.anchor
    }

    fn anchor_batch<'a>(&'a self, batch: &'a AnchorBatch) -> ChainFuture<'a, Anchored> {
        let batch = batch.clone();
        blocking(self, move |c| c.anchor_blocking(&batch))
    }

    fn anchor_of(&self, root: Hash32) -> ChainFuture<'_, Option<AnchorRecord>> {
        blocking(self, move |c| c.anchor_of_blocking(&root))
    }

    fn verify_inclusion<'a>(&'a self, query: &'a InclusionQuery) -> ChainFuture<'a, bool> {
        let query = query.clone();
        blocking(self, move |c| c.verify_inclusion_blocking(&query))
    }

    fn find_anchoring(&self, root: Hash32) -> ChainFuture<'_, Option<Anchored>> {
        blocking(self, move |c| c.find_anchoring_blocking(&root))
    }
}

/// Decodes the `EpochAnchored` events among `logs`.
pub fn epoch_anchored_events(logs: &[Log]) -> Vec<SheafAnchor::EpochAnchored> {
    use alloy_sol_types::SolEvent;
    logs.iter()
        .filter_map(|l| {
            SheafAnchor::EpochAnchored::decode_log(l)
                .ok()
                .map(|e| e.data)
        })
        .collect()
}
