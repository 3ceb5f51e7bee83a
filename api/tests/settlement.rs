//! The settlement worker driving epochs through `sealed → settling → failed → settling →
//! anchored` on SQLite and PostgreSQL, with settlements written for the test: one that fails a
//! given number of times, one that never finishes (to stop the service mid-attempt and resume
//! on restart), one slower than the attempt timeout. Each checks what it was handed: the
//! epoch's root, and every proof verifying against its key and signals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sheaf_aggregator::{MerkleTree, PreparedVerifyingKey};
use sheaf_api::epochs::EpochState;
use sheaf_api::serve::{ServeArgs, Service};
use sheaf_api::settlement::{
    Anchoring, NoSettlement, SealedEpoch, SettleFuture, Settlement, SettlementConfig,
    SettlementError,
};

use common::TestDb;
use common::http::{call, inline, wait_epoch};

/// What a test settlement does on each attempt.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// Fail this many attempts (over all epochs), then anchor.
    FailFirst(u32),
    /// Never resolve.
    Hang,
    /// Take this long, then anchor.
    Sleep(Duration),
}

#[derive(Debug)]
struct TestSettlement {
    behaviour: Behaviour,
    attempts: AtomicU32,
    /// (epoch, attempt, proofs) of each call, in order.
    seen: Mutex<Vec<(i64, u32, usize)>>,
}

impl TestSettlement {
    fn new(behaviour: Behaviour) -> Arc<Self> {
        Arc::new(Self {
            behaviour,
            attempts: AtomicU32::new(0),
            seen: Mutex::default(),
        })
    }

    fn seen(&self) -> Vec<(i64, u32, usize)> {
        self.seen.lock().unwrap().clone()
    }
}

/// The anchoring a test settlement reports for `epoch`.
fn anchoring(epoch: i64) -> Anchoring {
    Anchoring {
        tx_hash: Sha256::digest(epoch.to_be_bytes()).into(),
        block: 1000 + epoch as u64,
        gas_used: 250_000,
    }
}

/// Checks that the epoch handed over is complete and consistent: the root of its leaves, and
/// every proof valid for its key and signals.
fn check_contents(epoch: &SealedEpoch) {
    let leaves: Vec<_> = epoch.proofs.iter().map(|p| p.leaf).collect();
    assert_eq!(MerkleTree::new(&leaves).unwrap().root(), epoch.root);
    for (i, p) in epoch.proofs.iter().enumerate() {
        assert_eq!(p.leaf_index, i as u64);
        let key = PreparedVerifyingKey::new(epoch.key(p).unwrap().clone());
        assert!(
            key.verify(&p.proof, &p.public_signals).unwrap(),
            "proof {}",
            p.id
        );
    }
}

impl Settlement for TestSettlement {
    fn mode(&self) -> &'static str {
        "test"
    }

    fn settle<'a>(&'a self, epoch: &'a SealedEpoch) -> SettleFuture<'a> {
        Box::pin(async move {
            check_contents(epoch);
            self.seen
                .lock()
                .unwrap()
                .push((epoch.id, epoch.attempt, epoch.count()));
            let n = self.attempts.fetch_add(1, Ordering::SeqCst);
            match self.behaviour {
                Behaviour::FailFirst(k) if n < k => Err(SettlementError::new(format!(
                    "node unreachable (call {})",
                    n + 1
                ))),
                Behaviour::FailFirst(_) => Ok(anchoring(epoch.id)),
                Behaviour::Hang => std::future::pending().await,
                Behaviour::Sleep(d) => {
                    tokio::time::sleep(d).await;
                    Ok(anchoring(epoch.id))
                }
            }
        })
    }
}

fn fast() -> SettlementConfig {
    SettlementConfig {
        attempt_timeout: Duration::from_secs(30),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        poll: Duration::from_millis(20),
    }
}

fn args(db: &TestDb, per_epoch: u64) -> ServeArgs {
    let mut a = ServeArgs::with_data_dir(db.data_dir());
    a.database_url = db.url();
    a.epoch_max_proofs = per_epoch;
    a.epoch_seconds = 3600;
    a
}

async fn submit(app: &axum::Router, circuit: &str, i: usize) -> Value {
    let (status, body) = call(app, "POST", "/v1/proofs", Some(&inline(circuit, i))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body
}

fn states(view: &Value) -> Vec<String> {
    view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap().to_owned())
        .collect()
}

async fn failures_are_retried_until_anchored(db: &TestDb) {
    let settlement = TestSettlement::new(Behaviour::FailFirst(2));
    let service = Service::start_with(&args(db, 3), settlement.clone(), fast())
        .await
        .unwrap();
    let app = service.router();
    let mut ids = Vec::new();
    for (c, i) in [("multiplier", 0), ("cubic", 1), ("multiplier", 2)] {
        ids.push(submit(&app, c, i).await["id"].as_i64().unwrap());
    }
    let view = wait_epoch(&app, 1, |v| v["state"] == "anchored").await;
    assert_eq!(
        states(&view),
        [
            "open", "sealed", "settling", "failed", "settling", "failed", "settling", "anchored"
        ]
    );
    let history = view["history"].as_array().unwrap();
    assert_eq!(history[3]["detail"], "node unreachable (call 1)");
    assert_eq!(history[6]["detail"], "attempt 3");
    let a = anchoring(1);
    assert_eq!(view["attempts"], 3);
    assert_eq!(view["settlement"], "test");
    assert_eq!(view["gas_used"], 250_000);
    assert_eq!(view["block"], 1001);
    assert_eq!(view["failure"], Value::Null);
    let tx = format!("0x{}", hex::encode(a.tx_hash));
    assert_eq!(view["tx_hash"], tx.as_str());
    for id in ids {
        let (_, p) = call(&app, "GET", &format!("/v1/proofs/{id}"), None).await;
        assert_eq!(p["status"], "anchored");
        assert_eq!(p["tx_hash"], tx.as_str());
        assert_eq!(p["block"], 1001);
    }
    assert_eq!(settlement.seen(), vec![(1, 1, 3), (1, 2, 3), (1, 3, 3)]);
    // Backoff: the second failure waited longer than the first.
    let at = |i: usize| history[i]["at_ms"].as_i64().unwrap();
    assert!(at(4) - at(3) >= 50, "{view}");
    assert!(at(6) - at(5) >= 100, "{view}");
    let metrics = service.metrics().render(0, 1);
    for needle in [
        "sheaf_epoch_state_seconds_count{state=\"open\"} 1\n",
        "sheaf_epoch_state_seconds_count{state=\"sealed\"} 1\n",
        "sheaf_epoch_state_seconds_count{state=\"failed\"} 2\n",
        "sheaf_epoch_state_seconds_count{state=\"settling\"} 3\n",
        "sheaf_epoch_transitions_total{state=\"anchored\"} 1\n",
        "sheaf_epoch_transitions_total{state=\"failed\"} 2\n",
        "sheaf_epoch_transitions_total{state=\"settling\"} 3\n",
    ] {
        assert!(metrics.contains(needle), "{needle} in\n{metrics}");
    }
    drop(app);
    service.shutdown().await;
}

async fn epochs_settle_in_order(db: &TestDb) {
    let settlement = TestSettlement::new(Behaviour::FailFirst(1));
    let service = Service::start_with(&args(db, 2), settlement.clone(), fast())
        .await
        .unwrap();
    let app = service.router();
    for i in 0..4 {
        submit(&app, "chain", i).await;
    }
    wait_epoch(&app, 2, |v| v["state"] == "anchored").await;
    let view1 = wait_epoch(&app, 1, |v| v["state"] == "anchored").await;
    // Epoch 2 waited for epoch 1's retry.
    assert_eq!(settlement.seen(), vec![(1, 1, 2), (1, 2, 2), (2, 1, 2)]);
    let (_, view2) = call(&app, "GET", "/v1/epochs/2", None).await;
    let anchored = |v: &Value| v["anchored_at_ms"].as_i64().unwrap();
    assert!(anchored(&view1) <= anchored(&view2));
    drop(app);
    service.shutdown().await;
}

async fn a_stop_mid_attempt_resumes_at_the_next_start(db: &TestDb) {
    let hanging = TestSettlement::new(Behaviour::Hang);
    let service = Service::start_with(&args(db, 2), hanging.clone(), fast())
        .await
        .unwrap();
    let app = service.router();
    submit(&app, "poly_eval", 0).await;
    let id = submit(&app, "poly_eval", 1).await["id"].as_i64().unwrap();
    wait_epoch(&app, 1, |v| v["state"] == "settling").await;
    let (_, p) = call(&app, "GET", &format!("/v1/proofs/{id}"), None).await;
    assert_eq!(p["status"], "settling");
    drop(app);
    // Shutdown does not wait for the hanging attempt; the epoch stays settling.
    tokio::time::timeout(Duration::from_secs(10), service.shutdown())
        .await
        .expect("shutdown waited for a hanging settlement");

    // A start with settlement `none` leaves it where it is.
    let service = Service::start_with(&args(db, 2), Arc::new(NoSettlement), fast())
        .await
        .unwrap();
    let app = service.router();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (_, view) = call(&app, "GET", "/v1/epochs/1", None).await;
    assert_eq!(view["state"], "settling");
    drop(app);
    service.shutdown().await;

    // A start with a working settlement resumes it.
    let working = TestSettlement::new(Behaviour::FailFirst(0));
    let service = Service::start_with(&args(db, 2), working.clone(), fast())
        .await
        .unwrap();
    let app = service.router();
    let view = wait_epoch(&app, 1, |v| v["state"] == "anchored").await;
    assert_eq!(
        states(&view),
        ["open", "sealed", "settling", "settling", "anchored"]
    );
    assert_eq!(
        view["history"][3]["detail"],
        "attempt 2 (resumed after a stop)"
    );
    assert_eq!(working.seen(), vec![(1, 2, 2)]);
    assert_eq!(hanging.seen(), vec![(1, 1, 2)]);
    let (_, p) = call(&app, "GET", &format!("/v1/proofs/{id}"), None).await;
    assert_eq!(p["status"], "anchored");
    drop(app);
    service.shutdown().await;
}

async fn a_slow_attempt_times_out_and_is_retried(db: &TestDb) {
    let slow = TestSettlement::new(Behaviour::Sleep(Duration::from_millis(400)));
    let config = SettlementConfig {
        attempt_timeout: Duration::from_millis(100),
        ..fast()
    };
    let service = Service::start_with(&args(db, 1), slow.clone(), config)
        .await
        .unwrap();
    let app = service.router();
    submit(&app, "multiplier", 5).await;
    let view = wait_epoch(&app, 1, |v| v["state"] == "failed").await;
    assert_eq!(view["failure"], "timed out after 100ms", "{view}");
    drop(app);
    service.shutdown().await;
}

/// With settlement `none` sealed epochs stay sealed and nothing else happens.
async fn settlement_none_stops_at_sealed(db: &TestDb) {
    let service = Service::start_with(&args(db, 1), Arc::new(NoSettlement), fast())
        .await
        .unwrap();
    let app = service.router();
    submit(&app, "cubic", 7).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (_, view) = call(&app, "GET", "/v1/epochs/1", None).await;
    assert_eq!(view["state"], "sealed");
    assert_eq!(view["attempts"], 0);
    assert_eq!(states(&view), ["open", "sealed"]);
    assert_eq!(EpochState::Sealed.proof_status(), "sealed");
    drop(app);
    service.shutdown().await;
}

on_both_databases!(
    failures_are_retried_until_anchored,
    epochs_settle_in_order,
    a_stop_mid_attempt_resumes_at_the_next_start,
    a_slow_attempt_times_out_and_is_retried,
    settlement_none_stops_at_sealed,
);
