//! The JSON-RPC base layer: any Ethereum node through alloy. Transactions are built, signed
//! and tracked here rather than by alloy's fillers, so that one anchoring can be followed
//! through fee bumps and resubmissions:
//!
//! 1. the root is looked up first (anchored already: nothing is sent), then the call is
//!    simulated with `eth_call`, so a batch the contract refuses costs no gas and its custom
//!    error is reported;
//! 2. gas is estimated (plus a margin) and EIP-1559 fees are taken from the node
//!    (`eth_feeHistory`), the nonce from the confirmed transaction count of the key;
//! 3. the signed EIP-1559 transaction is sent; while none of the transactions sent for this
//!    nonce is mined, every `resubmit_after` the same nonce is sent again with both fees raised
//!    by `fee_bump_percent` (at least the 10 % nodes require for a replacement);
//! 4. a receipt counts once `confirmations` blocks are on top of it and it is still there with
//!    the same block hash; a receipt that disappears (a reorg) sends the loop back to waiting
//!    and resubmitting; a nonce taken by a transaction that is not ours (a dropped one) means a
//!    fresh nonce and a fresh transaction;
//! 5. a mined transaction that reverted is reported with the reason the contract gives when
//!    the call is replayed on the parent block.
//!
//! One `RpcChain` sends one transaction at a time; run one service per key.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::BlockId;
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::providers::{Provider, RootProvider};
use alloy::rpc::types::{Filter, TransactionInput, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::{RpcError, TransportErrorKind};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_sol_types::SolEvent;
use sheaf_aggregator::{AnchorBatch, Hash32};
use tokio::sync::Mutex;

use super::contract;
use super::{AnchorRecord, Anchored, BaseLayer, ChainError, ChainFuture, InclusionQuery};

/// Where the signing key comes from. The key itself is never logged or shown.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A file holding the private key as hex (optionally 0x-prefixed).
    File(PathBuf),
    /// An environment variable holding it.
    Env(String),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(p) => write!(f, "File({})", p.display()),
            Self::Env(v) => write!(f, "Env({v})"),
        }
    }
}

impl KeySource {
    /// Loads the key. Errors name the file or variable, never its content.
    pub fn load(&self) -> Result<PrivateKeySigner, ChainError> {
        let (text, origin) = match self {
            Self::File(path) => (
                std::fs::read_to_string(path)
                    .map_err(|e| ChainError::Config(format!("key file {}: {e}", path.display())))?,
                format!("key file {}", path.display()),
            ),
            Self::Env(var) => (
                std::env::var(var).map_err(|_| {
                    ChainError::Config(format!("environment variable {var} is not set"))
                })?,
                format!("environment variable {var}"),
            ),
        };
        let hex_text = text.trim();
        let hex_text = hex_text.strip_prefix("0x").unwrap_or(hex_text);
        let bytes: [u8; 32] = hex::decode(hex_text)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                ChainError::Config(format!("{origin}: not a 32-byte hex private key"))
            })?;
        PrivateKeySigner::from_bytes(&B256::from(bytes))
            .map_err(|_| ChainError::Config(format!("{origin}: not a valid secp256k1 private key")))
    }
}

/// Settings of [`RpcChain`].
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// The node's HTTP JSON-RPC URL.
    pub url: String,
    /// The signing key.
    pub key: KeySource,
    /// Blocks on top of the receipt's block before an anchoring counts (1: the block itself).
    pub confirmations: u64,
    /// How often receipts and blocks are polled.
    pub poll_interval: Duration,
    /// A transaction not mined after this long is sent again with higher fees.
    pub resubmit_after: Duration,
    /// Raise of both fees at each resubmission, in percent (at least 10).
    pub fee_bump_percent: u64,
    /// Highest max fee per gas ever offered, in wei (`None`: no cap).
    pub max_fee_cap: Option<u128>,
    /// An anchoring not final after this long fails with [`ChainError::NotMined`] (the
    /// settlement worker retries it).
    pub timeout: Duration,
}

impl RpcConfig {
    /// Defaults for `url` and `key`: 2 confirmations, polling every second, resubmission
    /// after 60 s with fees 20 % higher, no fee cap, 15 minutes in all.
    pub fn new(url: impl Into<String>, key: KeySource) -> Self {
        Self {
            url: url.into(),
            key,
            confirmations: 2,
            poll_interval: Duration::from_secs(1),
            resubmit_after: Duration::from_secs(60),
            fee_bump_percent: 20,
            max_fee_cap: None,
            timeout: Duration::from_secs(15 * 60),
        }
    }
}

/// A chain reached over JSON-RPC, with `SheafAnchor` at a known address.
pub struct RpcChain {
    provider: RootProvider,
    signer: PrivateKeySigner,
    chain_id: u64,
    anchor: Address,
    config: RpcConfig,
    sending: Mutex<()>,
}

impl std::fmt::Debug for RpcChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcChain")
            .field("url", &self.config.url)
            .field("chain_id", &self.chain_id)
            .field("from", &self.signer.address())
            .field("anchor", &self.anchor)
            .finish_non_exhaustive()
    }
}

fn transport(e: RpcError<TransportErrorKind>) -> ChainError {
    ChainError::Transport(e.to_string())
}

/// The revert data of a failed `eth_call` / `eth_estimateGas`, if the node sent any.
fn revert_data(e: &RpcError<TransportErrorKind>) -> Option<Bytes> {
    e.as_error_resp().and_then(|p| p.as_revert_data())
}

/// A call error: the contract's reason when it reverted, a transport error otherwise.
fn call_error(e: RpcError<TransportErrorKind>) -> ChainError {
    match revert_data(&e) {
        Some(data) => contract::revert_error(&data),
        None => {
            let text = e.to_string();
            if text.contains("revert") {
                ChainError::Reverted(text)
            } else {
                ChainError::Transport(text)
            }
        }
    }
}

/// `x` raised by `percent` %, rounded up.
fn bumped(x: u128, percent: u64) -> u128 {
    x.saturating_mul(100 + u128::from(percent)).div_ceil(100)
}

impl RpcChain {
    /// Connects, loads the key and checks that `anchor` holds code.
    pub async fn connect(config: RpcConfig, anchor: Address) -> Result<Self, ChainError> {
        let mut chain = Self::connect_without_contract(config).await?;
        let code = chain
            .provider
            .get_code_at(anchor)
            .await
            .map_err(transport)?;
        if code.is_empty() {
            return Err(ChainError::Config(format!(
                "no contract at {anchor} on chain {}",
                chain.chain_id
            )));
        }
        chain.anchor = anchor;
        Ok(chain)
    }

    async fn connect_without_contract(config: RpcConfig) -> Result<Self, ChainError> {
        let url = config
            .url
            .parse()
            .map_err(|e| ChainError::Config(format!("RPC URL {:?}: {e}", config.url)))?;
        let provider = RootProvider::new_http(url);
        let signer = config.key.load()?;
        let chain_id = provider.get_chain_id().await.map_err(transport)?;
        let mut config = config;
        config.fee_bump_percent = config.fee_bump_percent.max(10);
        config.confirmations = config.confirmations.max(1);
        Ok(Self {
            provider,
            signer,
            chain_id,
            anchor: Address::ZERO,
            config,
            sending: Mutex::new(()),
        })
    }

    /// Deploys `SheafAnchor` with the configured key and connects to it.
    pub async fn deploy(config: RpcConfig) -> Result<(Self, Anchored), ChainError> {
        let mut chain = Self::connect_without_contract(config).await?;
        let code = contract::anchor_bytecode()?;
        let (receipt, _) = chain.send(TxKind::Create, Bytes::from(code), None).await?;
        let address = receipt
            .contract_address
            .ok_or_else(|| ChainError::Unexpected("deployment receipt has no address".into()))?;
        chain.anchor = address;
        let anchored = Anchored {
            root: [0; 32],
            count: 0,
            tx_hash: receipt.transaction_hash.0,
            block: receipt.block_number.unwrap_or(0),
            gas_used: receipt.gas_used,
        };
        Ok((chain, anchored))
    }

    /// The sending address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// The node's chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    fn request(&self, to: TxKind, input: Bytes) -> TransactionRequest {
        TransactionRequest {
            from: Some(self.signer.address()),
            to: Some(to),
            input: TransactionInput::new(input),
            ..Default::default()
        }
    }

    async fn read(&self, input: Vec<u8>) -> Result<Bytes, ChainError> {
        self.provider
            .call(self.request(TxKind::Call(self.anchor), Bytes::from(input)))
            .await
            .map_err(call_error)
    }

    /// Simulates, estimates, signs, sends and follows one transaction to finality (see the
    /// module documentation). `root` is the epoch root for `anchorBatch` (a nonce lost to
    /// another transaction then checks whether the root got anchored anyway).
    async fn send(
        &self,
        to: TxKind,
        input: Bytes,
        root: Option<Hash32>,
    ) -> Result<(TransactionReceipt, Instant), ChainError> {
        let _one_at_a_time = self.sending.lock().await;
        let from = self.signer.address();
        let started = Instant::now();
        let request = self.request(to, input.clone());
        // A refusal shows here, with its reason, before anything is paid.
        self.provider
            .call(request.clone())
            .await
            .map_err(call_error)?;
        let estimate = self
            .provider
            .estimate_gas(request)
            .await
            .map_err(call_error)?;
        let gas_limit = estimate + estimate / 5 + 10_000;

        'fresh_nonce: loop {
            let nonce = self
                .provider
                .get_transaction_count(from)
                .block_id(BlockId::latest())
                .await
                .map_err(transport)?;
            let fees = self
                .provider
                .estimate_eip1559_fees()
                .await
                .map_err(transport)?;
            let mut max_fee = fees.max_fee_per_gas.max(1);
            let mut priority = fees.max_priority_fee_per_gas.min(max_fee);
            let mut sent: Vec<B256> = Vec::new();
            let mut last_send = Instant::now();
            let mut resend = true;
            loop {
                if started.elapsed() > self.config.timeout {
                    return Err(ChainError::NotMined(format!(
                        "not final after {:?} ({} sent for nonce {nonce})",
                        self.config.timeout,
                        sent.len()
                    )));
                }
                if resend {
                    if let Some(cap) = self.config.max_fee_cap {
                        max_fee = max_fee.min(cap);
                        priority = priority.min(max_fee);
                    }
                    let hash = self
                        .sign_and_send(to, &input, nonce, gas_limit, max_fee, priority)
                        .await?;
                    tracing::info!(tx = %hash, nonce, gas_limit, max_fee, priority, "transaction sent");
                    if !sent.contains(&hash) {
                        sent.push(hash);
                    }
                    last_send = Instant::now();
                    resend = false;
                }
                tokio::time::sleep(self.config.poll_interval).await;

                // The count first: a transaction of ours mined by then has its receipt below.
                let confirmed = self
                    .provider
                    .get_transaction_count(from)
                    .block_id(BlockId::latest())
                    .await
                    .map_err(transport)?;
                if let Some(receipt) = self.find_receipt(&sent).await? {
                    match self.await_final(&receipt).await? {
                        Some(r) => {
                            if !r.status() {
                                return Err(self.mined_revert(&r, to, &input).await);
                            }
                            return Ok((r, started));
                        }
                        // Reorged out: wait for it (or a replacement) to be mined again.
                        None => continue,
                    }
                }
                if confirmed > nonce {
                    // The nonce was used, but by none of ours: ours was dropped or replaced.
                    if let Some(root) = root
                        && self.anchor_of_inner(root).await?.is_some()
                    {
                        return Err(ChainError::AlreadyAnchored(root));
                    }
                    tracing::warn!(nonce, "nonce taken by another transaction; sending anew");
                    continue 'fresh_nonce;
                }
                if last_send.elapsed() >= self.config.resubmit_after {
                    let fresh = self
                        .provider
                        .estimate_eip1559_fees()
                        .await
                        .map_err(transport)?;
                    max_fee =
                        bumped(max_fee, self.config.fee_bump_percent).max(fresh.max_fee_per_gas);
                    priority = bumped(priority, self.config.fee_bump_percent)
                        .max(fresh.max_priority_fee_per_gas)
                        .min(max_fee);
                    tracing::warn!(
                        nonce,
                        max_fee,
                        priority,
                        "transaction not mined; resubmitting with higher fees"
                    );
                    resend = true;
                }
            }
        }
    }

    async fn sign_and_send(
        &self,
        to: TxKind,
        input: &Bytes,
        nonce: u64,
        gas_limit: u64,
        max_fee: u128,
        priority: u128,
    ) -> Result<B256, ChainError> {
        let mut tx = TxEip1559 {
            chain_id: self.chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: priority,
            to,
            value: U256::ZERO,
            input: input.clone(),
            ..Default::default()
        };
        let signature = self
            .signer
            .sign_transaction_sync(&mut tx)
            .map_err(|e| ChainError::Config(format!("signing: {e}")))?;
        let signed = tx.into_signed(signature);
        let hash = *signed.hash();
        let raw = TxEnvelope::from(signed).encoded_2718();
        match self.provider.send_raw_transaction(&raw).await {
            Ok(_) => Ok(hash),
            Err(e) => {
                let text = e.to_string().to_lowercase();
                // The same bytes again, or a replacement the node already holds: keep following.
                if text.contains("already known") || text.contains("already imported") {
                    Ok(hash)
                } else if text.contains("nonce too low") {
                    Err(ChainError::NotMined(format!("nonce {nonce} is used: {e}")))
                } else {
                    Err(call_error(e))
                }
            }
        }
    }

    async fn find_receipt(&self, sent: &[B256]) -> Result<Option<TransactionReceipt>, ChainError> {
        for hash in sent.iter().rev() {
            if let Some(r) = self
                .provider
                .get_transaction_receipt(*hash)
                .await
                .map_err(transport)?
                && r.block_number.is_some()
            {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    /// Waits for `confirmations` blocks on the receipt's block; `None` if the receipt vanished
    /// or moved to another block meanwhile (a reorg).
    async fn await_final(
        &self,
        receipt: &TransactionReceipt,
    ) -> Result<Option<TransactionReceipt>, ChainError> {
        let Some(block) = receipt.block_number else {
            return Ok(None);
        };
        let started = Instant::now();
        loop {
            let head = self.provider.get_block_number().await.map_err(transport)?;
            if head + 1 >= block + self.config.confirmations {
                break;
            }
            if started.elapsed() > self.config.timeout {
                return Err(ChainError::NotMined(format!(
                    "{} has {} of {} confirmations",
                    receipt.transaction_hash,
                    head + 1 - block.min(head + 1),
                    self.config.confirmations
                )));
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
        let again = self
            .provider
            .get_transaction_receipt(receipt.transaction_hash)
            .await
            .map_err(transport)?;
        Ok(again.filter(|r| r.block_hash == receipt.block_hash && r.block_number.is_some()))
    }

    /// The reason of a transaction mined as failed, from replaying it on its parent block.
    async fn mined_revert(&self, r: &TransactionReceipt, to: TxKind, input: &Bytes) -> ChainError {
        let at = r.block_number.unwrap_or(1).saturating_sub(1);
        let replay = self
            .provider
            .call(self.request(to, input.clone()))
            .block(BlockId::number(at))
            .await;
        let reason = match replay {
            Err(e) => match revert_data(&e) {
                Some(data) => return contract::revert_error(&data),
                None => e.to_string(),
            },
            Ok(_) => format!(
                "the replay on block {at} succeeds: out of gas ({} used) or the state changed in between",
                r.gas_used
            ),
        };
        ChainError::Reverted(format!(
            "transaction {} failed in block {}: {reason}",
            r.transaction_hash,
            r.block_number.unwrap_or(0)
        ))
    }

    async fn anchor_of_inner(&self, root: Hash32) -> Result<Option<AnchorRecord>, ChainError> {
        let out = self.read(contract::anchor_of_calldata(&root)).await?;
        contract::decode_anchor_of(&out)
    }

    async fn find_anchoring_inner(&self, root: Hash32) -> Result<Option<Anchored>, ChainError> {
        let Some(record) = self.anchor_of_inner(root).await? else {
            return Ok(None);
        };
        let filter = Filter::new()
            .address(self.anchor)
            .event_signature(contract::SheafAnchor::EpochAnchored::SIGNATURE_HASH)
            .topic1(B256::from(root))
            .from_block(record.block)
            .to_block(record.block);
        let logs = self.provider.get_logs(&filter).await.map_err(transport)?;
        let hash = logs
            .iter()
            .find_map(|l| l.transaction_hash)
            .ok_or_else(|| {
                ChainError::Unexpected(format!(
                    "root {} is anchored in block {} but the node has no EpochAnchored log for it",
                    hex::encode(root),
                    record.block
                ))
            })?;
        let receipt = self
            .provider
            .get_transaction_receipt(hash)
            .await
            .map_err(transport)?
            .ok_or_else(|| ChainError::Unexpected(format!("no receipt for {hash}")))?;
        Ok(Some(Anchored {
            root,
            count: record.count,
            tx_hash: hash.0,
            block: record.block,
            gas_used: receipt.gas_used,
        }))
    }

    async fn anchor_inner(&self, batch: &AnchorBatch) -> Result<Anchored, ChainError> {
        let root = batch.tree().root();
        if self.anchor_of_inner(root).await?.is_some() {
            return Err(ChainError::AlreadyAnchored(root));
        }
        let calldata = contract::anchor_batch_calldata(batch);
        let (receipt, _) = self
            .send(TxKind::Call(self.anchor), Bytes::from(calldata), Some(root))
            .await?;
        let logs: Vec<alloy_primitives::Log> = receipt
            .inner
            .logs()
            .iter()
            .filter(|l| l.address() == self.anchor)
            .map(|l| l.inner.clone())
            .collect();
        let event = super::embedded::epoch_anchored_events(&logs)
            .into_iter()
            .next()
            .ok_or_else(|| ChainError::Unexpected("anchorBatch emitted no EpochAnchored".into()))?;
        if event.root.0 != root {
            return Err(ChainError::Unexpected(format!(
                "the contract anchored root {} for a batch whose root is {}",
                event.root,
                hex::encode(root)
            )));
        }
        Ok(Anchored {
            root,
            count: batch.len() as u64,
            tx_hash: receipt.transaction_hash.0,
            block: receipt.block_number.unwrap_or(0),
            gas_used: receipt.gas_used,
        })
    }
}

impl BaseLayer for RpcChain {
    fn kind(&self) -> &'static str {
        "rpc"
    }

    fn contract(&self) -> Address {
        self.anchor
    }

    fn anchor_batch<'a>(&'a self, batch: &'a AnchorBatch) -> ChainFuture<'a, Anchored> {
        Box::pin(self.anchor_inner(batch))
    }

    fn anchor_of(&self, root: Hash32) -> ChainFuture<'_, Option<AnchorRecord>> {
        Box::pin(self.anchor_of_inner(root))
    }

    fn verify_inclusion<'a>(&'a self, query: &'a InclusionQuery) -> ChainFuture<'a, bool> {
        Box::pin(async move {
            let out = self
                .read(contract::verify_inclusion_calldata(query))
                .await?;
            contract::decode_verify_inclusion(&out)
        })
    }

    fn find_anchoring(&self, root: Hash32) -> ChainFuture<'_, Option<Anchored>> {
        Box::pin(self.find_anchoring_inner(root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_bumps_round_up() {
        assert_eq!(bumped(100, 10), 110);
        assert_eq!(bumped(1, 10), 2);
    }

    #[test]
    fn key_errors_do_not_show_the_key() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("key");
        std::fs::write(&path, "0xnot-a-key-secret").unwrap_or_else(|e| unreachable!("{e}"));
        let err = KeySource::File(path)
            .load()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("not a 32-byte hex private key"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }
}
