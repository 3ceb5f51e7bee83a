//! The base-layer options of `sheaf serve` (clap, each also read from a `SHEAF_…` variable)
//! and opening the chain they describe.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::Address;
use clap::{Args, ValueEnum};

use super::rpc::KeySource;
use super::{BaseLayer, ChainError, EmbeddedChain, RpcChain, RpcConfig};

/// Environment variable that may hold the signing key of the `rpc` chain.
pub const KEY_ENV: &str = "SHEAF_CHAIN_KEY";

/// Which base layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChainKind {
    /// revm in process, state in `<data-dir>/chain/`.
    Embedded,
    /// An Ethereum node over JSON-RPC.
    Rpc,
}

/// Base-layer options.
#[derive(Debug, Clone, Args)]
pub struct ChainArgs {
    /// The base layer: `embedded` (in process, no setup) or `rpc` (an Ethereum node).
    #[arg(long = "chain", env = "SHEAF_CHAIN", value_enum, default_value_t = ChainKind::Embedded)]
    pub kind: ChainKind,
    /// JSON-RPC URL of the node (`--chain rpc`).
    #[arg(long, env = "SHEAF_RPC_URL")]
    pub rpc_url: Option<String>,
    /// Address of the deployed SheafAnchor (`--chain rpc`).
    #[arg(long, env = "SHEAF_ANCHOR_ADDRESS")]
    pub anchor_address: Option<Address>,
    /// Deploy SheafAnchor when no `--anchor-address` is given (`--chain rpc`); the address is
    /// logged, pass it as `--anchor-address` from then on.
    #[arg(long, env = "SHEAF_DEPLOY_ANCHOR")]
    pub deploy_anchor: bool,
    /// File with the hex private key that signs anchoring transactions (`--chain rpc`); without
    /// it the key is read from the SHEAF_CHAIN_KEY environment variable. Never logged.
    #[arg(long, env = "SHEAF_CHAIN_KEY_FILE")]
    pub chain_key_file: Option<PathBuf>,
    /// Blocks on top of an anchoring's block before it counts (`--chain rpc`).
    #[arg(long, env = "SHEAF_CONFIRMATIONS", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub confirmations: u64,
    /// Seconds before an unmined anchoring is resubmitted with higher fees (`--chain rpc`).
    #[arg(long, env = "SHEAF_RESUBMIT_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub resubmit_seconds: u64,
    /// Fee raise per resubmission, in percent, at least 10 (`--chain rpc`).
    #[arg(long, env = "SHEAF_FEE_BUMP_PERCENT", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(10..=1000))]
    pub fee_bump_percent: u64,
    /// Highest max fee per gas offered, in gwei (`--chain rpc`; default: no cap).
    #[arg(long, env = "SHEAF_MAX_FEE_GWEI")]
    pub max_fee_gwei: Option<u64>,
}

impl Default for ChainArgs {
    fn default() -> Self {
        Self {
            kind: ChainKind::Embedded,
            rpc_url: None,
            anchor_address: None,
            deploy_anchor: false,
            chain_key_file: None,
            confirmations: 2,
            resubmit_seconds: 60,
            fee_bump_percent: 20,
            max_fee_gwei: None,
        }
    }
}

impl ChainArgs {
    /// The `rpc` client's settings.
    pub fn rpc_config(&self) -> Result<RpcConfig, ChainError> {
        let url = self.rpc_url.clone().ok_or_else(|| {
            ChainError::Config("--chain rpc needs --rpc-url (SHEAF_RPC_URL)".into())
        })?;
        let key = match &self.chain_key_file {
            Some(path) => KeySource::File(path.clone()),
            None => KeySource::Env(KEY_ENV.into()),
        };
        let mut config = RpcConfig::new(url, key);
        config.confirmations = self.confirmations;
        config.resubmit_after = Duration::from_secs(self.resubmit_seconds);
        config.fee_bump_percent = self.fee_bump_percent;
        config.max_fee_cap = self
            .max_fee_gwei
            .map(|g| u128::from(g).saturating_mul(1_000_000_000));
        Ok(config)
    }

    /// Opens the base layer: the embedded chain of `data_dir`, or the node (deploying
    /// SheafAnchor first when asked to).
    pub async fn open(&self, data_dir: &Path) -> Result<Arc<dyn BaseLayer>, ChainError> {
        match self.kind {
            ChainKind::Embedded => {
                let dir = data_dir.to_path_buf();
                let chain = tokio::task::spawn_blocking(move || EmbeddedChain::open(&dir))
                    .await
                    .map_err(|e| ChainError::State(e.to_string()))??;
                Ok(Arc::new(chain))
            }
            ChainKind::Rpc => {
                let config = self.rpc_config()?;
                let chain = match (self.anchor_address, self.deploy_anchor) {
                    (Some(address), _) => RpcChain::connect(config, address).await?,
                    (None, true) => {
                        let (chain, deployed) = RpcChain::deploy(config).await?;
                        tracing::warn!(
                            address = %chain.contract(),
                            tx = %hex::encode(deployed.tx_hash),
                            "deployed SheafAnchor; pass --anchor-address {} from now on",
                            chain.contract()
                        );
                        chain
                    }
                    (None, false) => {
                        return Err(ChainError::Config(
                            "--chain rpc needs --anchor-address (or --deploy-anchor to deploy SheafAnchor)".into(),
                        ));
                    }
                };
                tracing::info!(chain = ?chain, "connected to the base layer");
                Ok(Arc::new(chain))
            }
        }
    }
}
