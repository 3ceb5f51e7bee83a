//! `sheaf serve`: the configuration, starting the service's parts (store, sealing of an epoch
//! left open past its time, verifier, epoch sealer) and serving the router until SIGTERM or
//! Ctrl-C, then stopping in order: stop accepting, finish in-flight requests, drain the
//! verification queue (every queued submission is stored or refused and answered), close the
//! database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use clap::Args;
use sheaf_aggregator::KeyCache;
use tokio::task::JoinHandle;

use crate::epochs::{EpochPolicy, now_ms, spawn_sealer};
use crate::metrics::Metrics;
use crate::routes::{AppState, Limits, app};
use crate::store::Store;
use crate::verifier::{VerifierConfig, VerifierHandle};

/// Prepared keys kept in memory.
const KEY_CACHE_CAPACITY: usize = 1024;

/// Options of `sheaf serve` (each also read from a `SHEAF_…` environment variable).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SHEAF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the SQLite database (created if missing).
    #[arg(long, env = "SHEAF_DATA_DIR", default_value = "./sheaf-data")]
    pub data_dir: PathBuf,
    /// Seconds after its first proof at which an epoch is sealed.
    #[arg(long, env = "SHEAF_EPOCH_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub epoch_seconds: u64,
    /// Proofs at which an epoch is sealed.
    #[arg(long, env = "SHEAF_EPOCH_MAX_PROOFS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub epoch_max_proofs: u64,
    /// Largest request body in bytes (larger: 413).
    #[arg(long, env = "SHEAF_MAX_BODY_BYTES", default_value_t = sheaf_aggregator::snarkjs::MAX_JSON_BYTES)]
    pub max_body_bytes: usize,
    /// Largest nPublic of a verifying key.
    #[arg(long, env = "SHEAF_MAX_PUBLIC_SIGNALS", default_value_t = 32)]
    pub max_public_signals: usize,
    /// Submissions that may wait for verification (one more: 503).
    #[arg(long, env = "SHEAF_QUEUE_CAPACITY", default_value_t = 4096)]
    pub queue_capacity: usize,
    /// Milliseconds a batch waits for more submissions.
    #[arg(long, env = "SHEAF_BATCH_WINDOW_MS", default_value_t = 2)]
    pub batch_window_ms: u64,
    /// Most submissions verified in one batch.
    #[arg(long, env = "SHEAF_MAX_BATCH", default_value_t = 256)]
    pub max_batch: usize,
}

impl ServeArgs {
    /// The defaults with another data directory (for tests and embedding).
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            epoch_seconds: 60,
            epoch_max_proofs: 1024,
            max_body_bytes: sheaf_aggregator::snarkjs::MAX_JSON_BYTES,
            max_public_signals: 32,
            queue_capacity: 4096,
            batch_window_ms: 2,
            max_batch: 256,
        }
    }

    /// When epochs close.
    pub fn epoch_policy(&self) -> EpochPolicy {
        EpochPolicy {
            max_age: Duration::from_secs(self.epoch_seconds),
            max_proofs: self.epoch_max_proofs.max(1),
        }
    }
}

/// A running service without a socket: its state, the router over it, its tasks.
#[derive(Debug)]
pub struct Service {
    state: AppState,
    verifier: JoinHandle<()>,
    sealer: JoinHandle<()>,
}

impl Service {
    /// Opens the store, seals an epoch that was left open past its time, starts the verifier
    /// and the epoch sealer.
    pub async fn start(args: &ServeArgs) -> anyhow::Result<Self> {
        let store = Store::open_sqlite(&args.data_dir).await?;
        let policy = args.epoch_policy();
        if let Some(epoch) = store.seal_expired(&policy, now_ms()).await? {
            tracing::info!(epoch, "sealed an epoch left open past its time");
        }
        let metrics = Arc::new(Metrics::default());
        let config = VerifierConfig {
            queue_capacity: args.queue_capacity,
            batch_window: Duration::from_millis(args.batch_window_ms),
            max_batch: args.max_batch,
        };
        let (verifier, verifier_task) =
            VerifierHandle::spawn(store.clone(), policy, config, Arc::clone(&metrics));
        let period = policy.max_age.min(Duration::from_secs(1));
        let sealer = spawn_sealer(store.clone(), policy, period);
        let state = AppState {
            store,
            keys: Arc::new(KeyCache::new(KEY_CACHE_CAPACITY)),
            verifier,
            limits: Limits {
                max_body_bytes: args.max_body_bytes,
                max_public_signals: args.max_public_signals,
            },
            metrics,
        };
        Ok(Self {
            state,
            verifier: verifier_task,
            sealer,
        })
    }

    /// The router (clones share the service).
    pub fn router(&self) -> Router {
        app(self.state.clone())
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Stops the service once every router clone is dropped: stops the sealer, lets the
    /// verifier drain its queue, closes the database.
    pub async fn shutdown(self) {
        self.sealer.abort();
        let _ = self.sealer.await;
        let store = self.state.store.clone();
        drop(self.state);
        if let Err(error) = self.verifier.await {
            tracing::error!(%error, "verifier task failed");
        }
        store.close().await;
    }
}

/// Serves until SIGTERM or Ctrl-C, then shuts down in order.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let service = Service::start(&args).await?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(
        listen = %listener.local_addr()?,
        data_dir = %args.data_dir.display(),
        "sheaf serving"
    );
    axum::serve(listener, service.router())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped accepting; draining");
    service.shutdown().await;
    tracing::info!("shut down");
    Ok(())
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Runs [`serve`] on a new multi-threaded runtime (for the synchronous command line).
pub fn serve_blocking(args: ServeArgs) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(args))
}
