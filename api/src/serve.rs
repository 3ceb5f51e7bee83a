//! `sheaf serve`: the configuration, starting the service's parts (store, sealing of an epoch
//! left open past its time, verifier, epoch sealer, settlement worker) and serving the router
//! until SIGTERM or Ctrl-C, then stopping in order: stop accepting, finish in-flight requests,
//! drain the verification queue (every queued submission is stored or refused and answered),
//! stop the settlement worker (an interrupted attempt resumes at the next start), close the
//! database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use clap::Args;
use sheaf_aggregator::KeyCache;
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinHandle;

use crate::access::{Access, ApiKeys, Rate};
use crate::chain::ChainArgs;
use crate::epochs::{EpochPolicy, note_sealed, now_ms, spawn_sealer};
use crate::metrics::Metrics;
use crate::routes::{AppState, Limits, app};
use crate::settlement::{Settlement, SettlementConfig, SettlementMode, spawn_worker};
use crate::store::{Store, redact};
use crate::verifier::{VerifierConfig, VerifierHandle};

/// Prepared keys kept in memory.
const KEY_CACHE_CAPACITY: usize = 1024;

/// Options of `sheaf serve` (each also read from a `SHEAF_…` environment variable).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SHEAF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the SQLite database (created if missing); unused with --database-url.
    #[arg(long, env = "SHEAF_DATA_DIR", default_value = "./sheaf-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL database to use instead of SQLite, e.g. postgres://user:pass@host/sheaf.
    #[arg(long, env = "SHEAF_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Seconds after its first proof at which an epoch is sealed.
    #[arg(long, env = "SHEAF_EPOCH_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub epoch_seconds: u64,
    /// Proofs at which an epoch is sealed.
    #[arg(long, env = "SHEAF_EPOCH_MAX_PROOFS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub epoch_max_proofs: u64,
    /// How sealed epochs are anchored on the base layer.
    #[arg(long, env = "SHEAF_SETTLEMENT", value_enum, default_value_t = SettlementMode::Batch)]
    pub settlement: SettlementMode,
    /// The base layer (`--settlement batch`).
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Longest one settlement attempt may take (then it counts as failed and is retried).
    #[arg(long, env = "SHEAF_SETTLE_TIMEOUT_SECONDS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub settle_timeout_seconds: u64,
    /// Longest wait between settlement attempts (the wait doubles from 1 s after each failure).
    #[arg(long, env = "SHEAF_SETTLE_MAX_BACKOFF_SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub settle_max_backoff_seconds: u64,
    /// Largest request body in bytes (larger: 413).
    #[arg(long, env = "SHEAF_MAX_BODY_BYTES", default_value_t = sheaf_aggregator::snarkjs::MAX_JSON_BYTES)]
    pub max_body_bytes: usize,
    /// Largest nPublic of a verifying key (larger: 400).
    #[arg(long, env = "SHEAF_MAX_PUBLIC_SIGNALS", default_value_t = 32)]
    pub max_public_signals: usize,
    /// Submissions that may wait for verification (one more: 503).
    #[arg(long, env = "SHEAF_QUEUE_CAPACITY", default_value_t = 4096,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub queue_capacity: u64,
    /// Milliseconds a batch waits for more submissions.
    #[arg(long, env = "SHEAF_BATCH_WINDOW_MS", default_value_t = 2)]
    pub batch_window_ms: u64,
    /// Most submissions verified in one batch.
    #[arg(long, env = "SHEAF_MAX_BATCH", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_batch: u64,
    /// File of API keys (`NAME TOKEN [RATE [BURST]]` per line); when given, writes need
    /// `Authorization: Bearer TOKEN`.
    #[arg(long, env = "SHEAF_API_KEYS_FILE", value_name = "FILE")]
    pub api_keys_file: Option<PathBuf>,
    /// Writes per second allowed to each client (API key, or IP address without keys); 0: no
    /// limit.
    #[arg(long, env = "SHEAF_RATE_LIMIT", default_value_t = 1000.0)]
    pub rate_limit: f64,
    /// Writes a client may make at once before the rate applies.
    #[arg(long, env = "SHEAF_RATE_BURST", default_value_t = 2000.0)]
    pub rate_burst: f64,
}

impl ServeArgs {
    /// The defaults with another data directory (for tests and embedding).
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            database_url: None,
            epoch_seconds: 60,
            epoch_max_proofs: 1024,
            settlement: SettlementMode::Batch,
            chain: ChainArgs::default(),
            settle_timeout_seconds: 600,
            settle_max_backoff_seconds: 300,
            max_body_bytes: sheaf_aggregator::snarkjs::MAX_JSON_BYTES,
            max_public_signals: 32,
            queue_capacity: 4096,
            batch_window_ms: 2,
            max_batch: 256,
            api_keys_file: None,
            rate_limit: 1000.0,
            rate_burst: 2000.0,
        }
    }

    /// When epochs close.
    pub fn epoch_policy(&self) -> EpochPolicy {
        EpochPolicy {
            max_age: Duration::from_secs(self.epoch_seconds),
            max_proofs: self.epoch_max_proofs.max(1),
        }
    }

    /// How settlement attempts are bounded and retried.
    pub fn settlement_config(&self) -> SettlementConfig {
        SettlementConfig {
            attempt_timeout: Duration::from_secs(self.settle_timeout_seconds),
            backoff_max: Duration::from_secs(self.settle_max_backoff_seconds),
            ..SettlementConfig::default()
        }
    }
}

/// A running service without a socket: its state, the router over it, its tasks.
#[derive(Debug)]
pub struct Service {
    state: AppState,
    verifier: JoinHandle<()>,
    sealer: JoinHandle<()>,
    settler: Option<JoinHandle<()>>,
    stop: watch::Sender<bool>,
}

impl Service {
    /// Starts the service with the settlement `args.settlement` names.
    pub async fn start(args: &ServeArgs) -> anyhow::Result<Self> {
        let settlement = args
            .settlement
            .open(&args.chain, &args.data_dir)
            .await
            .context("opening the base layer")?;
        Self::start_with(args, settlement, args.settlement_config()).await
    }

    /// Opens the store, seals an epoch that was left open past its time, starts the verifier,
    /// the epoch sealer and (if `settlement` anchors) the settlement worker, which resumes
    /// every epoch where it stopped.
    pub async fn start_with(
        args: &ServeArgs,
        settlement: Arc<dyn Settlement>,
        settle_config: SettlementConfig,
    ) -> anyhow::Result<Self> {
        let access = Arc::new(access(args)?);
        let store = Store::open(args.database_url.as_deref(), &args.data_dir)
            .await
            .with_context(|| match &args.database_url {
                Some(url) => format!("opening {}", redact(url)),
                None => format!("opening the SQLite database in {}", args.data_dir.display()),
            })?;
        let policy = args.epoch_policy();
        let metrics = Arc::new(Metrics::default());
        let sealed = Arc::new(Notify::new());
        if let Some(s) = store.seal_expired(&policy, now_ms()).await? {
            tracing::info!(epoch = s.epoch, "sealing an epoch left open past its time");
            note_sealed(&metrics, &sealed, &s);
        }
        let config = VerifierConfig {
            queue_capacity: usize::try_from(args.queue_capacity).unwrap_or(usize::MAX),
            batch_window: Duration::from_millis(args.batch_window_ms),
            max_batch: usize::try_from(args.max_batch).unwrap_or(usize::MAX),
        };
        let (verifier, verifier_task) = VerifierHandle::spawn(
            store.clone(),
            policy,
            config,
            Arc::clone(&metrics),
            Arc::clone(&sealed),
        );
        let period = policy.max_age.min(Duration::from_secs(1));
        let sealer = spawn_sealer(
            store.clone(),
            policy,
            period,
            Arc::clone(&metrics),
            Arc::clone(&sealed),
        );
        let (stop, stopped) = watch::channel(false);
        let settler = settlement.anchors().then(|| {
            spawn_worker(
                store.clone(),
                Arc::clone(&settlement),
                settle_config,
                Arc::clone(&metrics),
                Arc::clone(&sealed),
                stopped,
            )
        });
        tracing::info!(
            database = store.kind().as_str(),
            settlement = settlement.mode(),
            api_keys = access.requires_keys(),
            "service started"
        );
        let state = AppState {
            store,
            keys: Arc::new(KeyCache::new(KEY_CACHE_CAPACITY)),
            verifier,
            limits: Limits {
                max_body_bytes: args.max_body_bytes,
                max_public_signals: args.max_public_signals,
            },
            metrics,
            access,
        };
        Ok(Self {
            state,
            verifier: verifier_task,
            sealer,
            settler,
            stop,
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

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.state.metrics
    }

    /// Stops the service once every router clone is dropped: stops the sealer, lets the
    /// verifier drain its queue, stops the settlement worker, closes the database.
    pub async fn shutdown(self) {
        self.sealer.abort();
        let _ = self.sealer.await;
        let store = self.state.store.clone();
        drop(self.state);
        if let Err(error) = self.verifier.await {
            tracing::error!(%error, "verifier task failed");
        }
        let _ = self.stop.send(true);
        if let Some(settler) = self.settler
            && let Err(error) = settler.await
        {
            tracing::error!(%error, "settlement worker failed");
        }
        store.close().await;
    }
}

/// The access rules `args` describe (reading the keys file, if any).
fn access(args: &ServeArgs) -> anyhow::Result<Access> {
    let keys = match &args.api_keys_file {
        Some(path) => {
            let keys = ApiKeys::load(path)?;
            anyhow::ensure!(!keys.is_empty(), "{}: no API keys in it", path.display());
            Some(keys)
        }
        None => None,
    };
    anyhow::ensure!(
        args.rate_limit.is_finite() && args.rate_limit >= 0.0,
        "--rate-limit must be a number ≥ 0"
    );
    Ok(Access::new(
        keys,
        Rate::new(args.rate_limit, args.rate_burst),
    ))
}

/// A service serving on a socket in this process (for `sheaf demo`, benchmarks and tests).
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Binds `args.listen` (port 0 picks a free one), starts `service` and serves it.
    pub async fn spawn(args: &ServeArgs, service: Service) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let router = service.router();
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await?;
            service.shutdown().await;
            Ok(())
        });
        Ok(Self { addr, stop, task })
    }

    /// Stops it in order (see [`Service::shutdown`]).
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await?
    }
}

/// Serves until SIGTERM or Ctrl-C, then shuts down in order.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let service = Service::start(&args).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    tracing::info!(
        listen = %listener.local_addr()?,
        data_dir = %args.data_dir.display(),
        "sheaf serving"
    );
    axum::serve(
        listener,
        service
            .router()
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
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
