//! The verification stage of the submission path: request handlers put parsed submissions on a
//! bounded queue (full → 503); one task collects what arrives within a short window and
//! verifies the batch with [`sheaf_aggregator::verify_batch`] (one combined pairing check,
//! bisection on failure) on a blocking thread; a second task stores each batch's valid proofs
//! in one transaction and only then answers their requests. The two overlap: while one batch
//! is being committed the next is being verified (at most [`STORE_BACKLOG`] verified batches
//! wait for the store, so memory stays bounded). Nothing is acknowledged before it is durable,
//! and an invalid proof is answered 422 without touching the store.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use ark_bn254::Fr;
use sheaf_aggregator::{BatchItem, PreparedVerifyingKey, Proof, verify_batch};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::epochs::{EpochPolicy, note_sealed, now_ms};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::{Accepted, NewProof, Store};

/// How the verifier batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Submissions that may wait for verification; one more is answered 503.
    pub queue_capacity: usize,
    /// How long the first submission of a batch waits for others.
    pub batch_window: Duration,
    /// Most submissions in one batch.
    pub max_batch: usize,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 4096,
            batch_window: Duration::from_millis(2),
            max_batch: 256,
        }
    }
}

/// A parsed, well-formed submission waiting to be verified.
#[derive(Debug)]
pub struct Pending {
    /// The prepared key.
    pub key: Arc<PreparedVerifyingKey>,
    /// The proof.
    pub proof: Proof,
    /// Its public signals (as many as the key expects).
    pub signals: Vec<Fr>,
    /// What is stored if it verifies.
    pub record: NewProof,
    queued_at: Instant,
    reply: oneshot::Sender<Result<Accepted, ApiError>>,
}

/// Verified batches that may wait for the store while the next batch is verified.
pub const STORE_BACKLOG: usize = 2;

/// The handlers' side of the queue. Cheap to clone; the verifier task stops once every handle
/// is dropped and the queue is drained.
#[derive(Debug, Clone)]
pub struct VerifierHandle {
    tx: mpsc::Sender<Pending>,
}

impl VerifierHandle {
    /// Starts the verifier task.
    pub fn spawn(
        store: Store,
        policy: EpochPolicy,
        config: VerifierConfig,
        metrics: Arc<Metrics>,
        sealed: Arc<Notify>,
    ) -> (Self, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        let task = tokio::spawn(run(rx, store, policy, config, metrics, sealed));
        (Self { tx }, task)
    }

    /// A handle whose queue nobody serves: the caller gets the receiving end. For tests of a
    /// full queue.
    pub fn detached(capacity: usize) -> (Self, mpsc::Receiver<Pending>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (Self { tx }, rx)
    }

    /// Most submissions that may wait.
    pub fn capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// Submissions waiting now.
    pub fn depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Whether the verifier task is still taking submissions.
    pub fn is_running(&self) -> bool {
        !self.tx.is_closed()
    }

    /// Queues a submission and waits until it is stored (`Ok`) or refused.
    pub async fn submit(
        &self,
        key: Arc<PreparedVerifyingKey>,
        proof: Proof,
        signals: Vec<Fr>,
        record: NewProof,
    ) -> Result<Accepted, ApiError> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            key,
            proof,
            signals,
            record,
            queued_at: Instant::now(),
            reply,
        };
        self.tx.try_send(pending).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => ApiError::queue_full(),
            mpsc::error::TrySendError::Closed(_) => ApiError::unavailable("shutting down"),
        })?;
        answer
            .await
            .map_err(|_| ApiError::unavailable("the verifier stopped before answering"))?
    }
}

async fn run(
    mut rx: mpsc::Receiver<Pending>,
    store: Store,
    policy: EpochPolicy,
    config: VerifierConfig,
    metrics: Arc<Metrics>,
    sealed: Arc<Notify>,
) {
    let (to_store, verified) = mpsc::channel(STORE_BACKLOG);
    let storer = tokio::spawn(store_batches(
        verified,
        store,
        policy,
        Arc::clone(&metrics),
        sealed,
    ));
    let max_batch = config.max_batch.max(1);
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + config.batch_window;
        while batch.len() < max_batch {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(p)) => batch.push(p),
                Ok(None) | Err(_) => break,
            }
        }
        let valid = verify(batch, &metrics).await;
        if !valid.is_empty() && to_store.send(valid).await.is_err() {
            tracing::error!("the store task stopped; refusing further submissions");
            break;
        }
    }
    drop(to_store);
    if let Err(error) = storer.await {
        tracing::error!(%error, "store task failed");
    }
    tracing::debug!("verifier stopped: queue closed and drained");
}

/// Verifies one batch and answers the invalid submissions; returns the valid ones.
async fn verify(batch: Vec<Pending>, metrics: &Metrics) -> Vec<Pending> {
    let started = Instant::now();
    let verified = tokio::task::spawn_blocking(move || {
        let items: Vec<BatchItem<'_>> = batch
            .iter()
            .map(|p| BatchItem::new(&p.key, &p.proof, &p.signals))
            .collect();
        let outcome = verify_batch(&items);
        (batch, outcome.results)
    })
    .await;
    let (batch, results) = match verified {
        Ok(done) => done,
        Err(error) => {
            // The batch (and its reply channels) went down with the panicking closure: the
            // waiting handlers see their channel closed and answer 503.
            tracing::error!(%error, "batch verification panicked");
            return Vec::new();
        }
    };
    metrics.batch(batch.len(), started.elapsed());
    let mut valid = Vec::with_capacity(batch.len());
    for (p, result) in batch.into_iter().zip(results) {
        let refusal = match result {
            Ok(true) => {
                valid.push(p);
                continue;
            }
            Ok(false) => ApiError::invalid_proof(),
            Err(e) => ApiError::format("public_signals", &e),
        };
        metrics.rejected(refusal.code());
        let _ = p.reply.send(Err(refusal));
    }
    valid
}

/// Stores verified batches in order, one transaction each, and answers their submissions.
async fn store_batches(
    mut verified: mpsc::Receiver<Vec<Pending>>,
    store: Store,
    policy: EpochPolicy,
    metrics: Arc<Metrics>,
    sealed: Arc<Notify>,
) {
    while let Some(valid) = verified.recv().await {
        let started = Instant::now();
        let (records, waiting): (Vec<NewProof>, Vec<_>) = valid
            .into_iter()
            .map(|p| (p.record, (p.queued_at, p.reply)))
            .unzip();
        match store.accept(&records, &policy, now_ms()).await {
            Ok(outcome) => {
                metrics.stored(started.elapsed());
                for s in &outcome.sealed {
                    note_sealed(&metrics, &sealed, s);
                }
                for ((queued_at, reply), a) in waiting.into_iter().zip(outcome.accepted) {
                    metrics.accepted(a.duplicate, queued_at.elapsed());
                    // The caller may have gone; the proof is stored either way and a
                    // resubmission finds it.
                    let _ = reply.send(Ok(a));
                }
            }
            Err(error) => {
                let refusal = ApiError::internal(&error);
                for (_, reply) in waiting {
                    metrics.rejected(refusal.code());
                    let _ = reply.send(Err(refusal.clone()));
                }
            }
        }
    }
}
