//! The store on SQLite and on PostgreSQL, with the same tests: batched acceptance and
//! duplicates, sealing by count (across a batch) and by age, Merkle paths, the settlement state
//! machine and its history, and batches larger than every statement chunk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use sha2::{Digest, Sha256};
use sheaf_aggregator::{MerkleTree, verify_path};
use sheaf_api::epochs::{EpochPolicy, EpochState};
use sheaf_api::hex32::{parse_hex32, to_hex32};
use sheaf_api::store::{Counts, Left, NewProof, NextSettlement, Store};

use common::TestDb;

const VK: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";

fn hash(label: &str, i: usize) -> String {
    to_hex32(&Sha256::digest(format!("{label}{i}").as_bytes()).into())
}

/// A synthetic verified proof number `i` (the store does not parse proofs; it does parse
/// leaves when sealing, so they are real 32-byte hashes).
fn new_proof(i: usize) -> NewProof {
    NewProof {
        vk_hash: VK.to_owned(),
        vk: None,
        leaf: hash("leaf", i),
        proof_hash: hash("proof", i),
        proof_json: format!("{{\"n\":{i}}}"),
        public_signals: format!("[\"{i}\"]"),
    }
}

fn policy(max_proofs: u64) -> EpochPolicy {
    EpochPolicy {
        max_age: Duration::from_secs(3600),
        max_proofs,
    }
}

async fn open_with_key(db: &TestDb) -> Store {
    let store = db.open().await;
    assert!(store.insert_vk(VK, 1, "{}", 0).await.unwrap());
    assert!(!store.insert_vk(VK, 1, "{}", 1).await.unwrap());
    store
}

/// Checks every stored path of `epoch` against its root and the tree of `leaves`.
async fn check_paths(store: &Store, epoch: i64, ids: &[i64], leaves: &[String]) {
    let view = store.epoch(epoch).await.unwrap().unwrap();
    let root = parse_hex32(view.root.as_deref().unwrap()).unwrap();
    let tree = MerkleTree::new(
        &leaves
            .iter()
            .map(|l| parse_hex32(l).unwrap())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(root, tree.root(), "epoch {epoch}");
    for (i, id) in ids.iter().enumerate() {
        let p = store.proof(*id).await.unwrap().unwrap();
        assert_eq!(p.leaf_index, Some(i as i64));
        assert_eq!(p.root.as_deref(), view.root.as_deref());
        let path: Vec<_> = p
            .merkle_path
            .unwrap()
            .iter()
            .map(|h| parse_hex32(h).unwrap())
            .collect();
        let leaf = parse_hex32(&p.leaf).unwrap();
        assert!(verify_path(&root, &leaf, i as u64, &path), "proof {id}");
    }
}

async fn batches_take_ids_in_order_and_keep_duplicates_once(db: &TestDb) {
    let store = open_with_key(db).await;
    // A batch with an inner duplicate (0 twice).
    let batch: Vec<_> = [0, 1, 0, 2].iter().map(|&i| new_proof(i)).collect();
    let out = store.accept(&batch, &policy(100), 10).await.unwrap();
    let ids: Vec<_> = out.accepted.iter().map(|a| (a.id, a.duplicate)).collect();
    assert_eq!(ids, vec![(1, false), (2, false), (1, true), (3, false)]);
    assert!(out.sealed.is_empty());
    assert!(
        out.accepted
            .iter()
            .all(|a| a.epoch == 1 && a.epoch_state == EpochState::Open)
    );
    // Earlier copies in the open epoch are found; the same leaf with another proof is new.
    let mut other_proof = new_proof(1);
    other_proof.proof_hash = hash("other", 1);
    let out = store
        .accept(&[new_proof(2), other_proof, new_proof(3)], &policy(100), 20)
        .await
        .unwrap();
    let ids: Vec<_> = out.accepted.iter().map(|a| (a.id, a.duplicate)).collect();
    assert_eq!(ids, vec![(3, true), (4, false), (5, false)]);
    assert_eq!(
        store.counts().await.unwrap(),
        Counts {
            vks: 1,
            epochs: 1,
            proofs: 5
        }
    );
    let e = store.epoch(1).await.unwrap().unwrap();
    assert_eq!((e.state, e.proof_count, e.opened_at_ms), ("open", 5, 10));
    let p = store.proof(4).await.unwrap().unwrap();
    assert_eq!((p.status, p.epoch, p.leaf_index), ("verified", 1, None));
    assert!(store.proof(6).await.unwrap().is_none());
    store.close().await;
}

async fn a_batch_fills_and_seals_several_epochs(db: &TestDb) {
    let store = open_with_key(db).await;
    let batch: Vec<_> = (0..7).map(new_proof).collect();
    let out = store.accept(&batch, &policy(3), 100).await.unwrap();
    let epochs: Vec<_> = out
        .accepted
        .iter()
        .map(|a| (a.epoch, a.epoch_state))
        .collect();
    use EpochState::{Open, Sealed};
    assert_eq!(
        epochs,
        vec![
            (1, Sealed),
            (1, Sealed),
            (1, Sealed),
            (2, Sealed),
            (2, Sealed),
            (2, Sealed),
            (3, Open)
        ]
    );
    let sealed: Vec<_> = out
        .sealed
        .iter()
        .map(|s| (s.epoch, s.proof_count))
        .collect();
    assert_eq!(sealed, vec![(1, 3), (2, 3)]);
    for (epoch, range) in [(1, 0..3), (2, 3..6)] {
        let ids: Vec<i64> = range.clone().map(|i| i as i64 + 1).collect();
        let leaves: Vec<String> = range.map(|i| hash("leaf", i)).collect();
        check_paths(&store, epoch, &ids, &leaves).await;
        let e = store.epoch(epoch).await.unwrap().unwrap();
        assert_eq!(
            (e.state, e.proof_count, e.sealed_at_ms),
            ("sealed", 3, Some(100))
        );
        let history: Vec<_> = store
            .transitions(epoch)
            .await
            .unwrap()
            .iter()
            .map(|t| (t.state, t.at_ms))
            .collect();
        assert_eq!(history, vec![("open", 100), ("sealed", 100)]);
    }
    let listed: Vec<_> = store
        .epochs(10)
        .await
        .unwrap()
        .iter()
        .map(|e| (e.id, e.state))
        .collect();
    assert_eq!(listed, vec![(3, "open"), (2, "sealed"), (1, "sealed")]);
    store.close().await;
}

async fn an_old_epoch_is_sealed_before_the_next_proof(db: &TestDb) {
    let store = open_with_key(db).await;
    let p = EpochPolicy {
        max_age: Duration::from_secs(1),
        max_proofs: 100,
    };
    store.accept(&[new_proof(0)], &p, 1_000).await.unwrap();
    assert_eq!(store.seal_expired(&p, 1_999).await.unwrap(), None);
    // A proof arriving after the epoch's time seals it first and opens epoch 2.
    let out = store
        .accept(&[new_proof(1), new_proof(0)], &p, 2_000)
        .await
        .unwrap();
    assert_eq!(out.sealed.len(), 1);
    assert_eq!(
        (out.sealed[0].epoch, out.sealed[0].opened_at_ms),
        (1, 1_000)
    );
    let placed: Vec<_> = out
        .accepted
        .iter()
        .map(|a| (a.id, a.epoch, a.duplicate))
        .collect();
    assert_eq!(
        placed,
        vec![(2, 2, false), (3, 2, false)],
        "epoch 2 has no copy of 0 yet"
    );
    check_paths(&store, 1, &[1], &[hash("leaf", 0)]).await;
    let sealed = store.seal_expired(&p, 3_000).await.unwrap().unwrap();
    assert_eq!(
        (sealed.epoch, sealed.proof_count, sealed.sealed_at_ms),
        (2, 2, 3_000)
    );
    check_paths(&store, 2, &[2, 3], &[hash("leaf", 1), hash("leaf", 0)]).await;
    assert_eq!(
        store.seal_expired(&p, 9_000).await.unwrap(),
        None,
        "nothing open"
    );
    store.close().await;
}

async fn inline_keys_are_stored_with_their_proofs(db: &TestDb) {
    let store = db.open().await;
    let other = "0x2222222222222222222222222222222222222222222222222222222222222222";
    let mut a = new_proof(0);
    a.vk_hash = other.to_owned();
    a.vk = Some(("{\"k\":2}".to_owned(), 1));
    let mut b = new_proof(1);
    b.vk_hash = other.to_owned();
    b.vk = Some(("{\"k\":2}".to_owned(), 1));
    store.accept(&[a, b], &policy(10), 5).await.unwrap();
    assert_eq!(
        store.vk_json(other).await.unwrap().as_deref(),
        Some("{\"k\":2}")
    );
    assert_eq!(store.counts().await.unwrap().vks, 1);
    assert_eq!(store.vk_json(VK).await.unwrap(), None);
    store.close().await;
}

async fn large_batches_cross_every_statement_chunk(db: &TestDb) {
    let store = open_with_key(db).await;
    // 600 proofs: more than one multi-row insert (256) and one duplicate lookup (512).
    let first: Vec<_> = (0..600).map(new_proof).collect();
    let out = store.accept(&first, &policy(1024), 1).await.unwrap();
    assert!(out.accepted.iter().all(|a| !a.duplicate && a.epoch == 1));
    // 600 more, the first 300 copies: the epoch fills at 1024 and seals (paths for 1024
    // leaves: more than one UPDATE … FROM (VALUES …) of 512); the rest open epoch 2.
    let second: Vec<_> = (300..900).map(new_proof).collect();
    let out = store.accept(&second, &policy(1024), 2).await.unwrap();
    let dups = out.accepted.iter().filter(|a| a.duplicate).count();
    assert_eq!(dups, 300);
    assert_eq!(out.sealed.len(), 0, "600 + 300 new = 900 < 1024");
    let third: Vec<_> = (900..1100).map(new_proof).collect();
    let out = store.accept(&third, &policy(1024), 3).await.unwrap();
    assert_eq!(out.sealed.len(), 1);
    assert_eq!(out.sealed[0].proof_count, 1024);
    let in_two = out.accepted.iter().filter(|a| a.epoch == 2).count();
    assert_eq!(in_two, 76);
    let ids: Vec<i64> = (1..=1024).collect();
    let leaves: Vec<String> = (0..1024).map(|i| hash("leaf", i)).collect();
    check_paths(&store, 1, &ids, &leaves).await;
    assert_eq!(store.counts().await.unwrap().proofs, 1100);
    store.close().await;
}

async fn settlement_states_are_persisted_in_order(db: &TestDb) {
    let store = open_with_key(db).await;
    assert_eq!(store.next_to_settle(0).await.unwrap(), None);
    let batch: Vec<_> = (0..4).map(new_proof).collect();
    store.accept(&batch, &policy(2), 100).await.unwrap();
    assert_eq!(
        store.next_to_settle(100).await.unwrap(),
        Some(NextSettlement::Due(1))
    );

    // Attempt 1 fails; epoch 1 holds back epoch 2 until its backoff is over.
    let left = store.begin_settlement(1, 200).await.unwrap();
    assert_eq!(
        left,
        Some(Left {
            state: EpochState::Sealed,
            since_ms: 100
        })
    );
    let record = store.settlement_record(1).await.unwrap();
    assert_eq!(record.attempt, 1);
    assert_eq!(record.proofs.len(), 2);
    assert_eq!(record.proofs[1].leaf, hash("leaf", 1));
    assert_eq!(record.proofs[1].leaf_index, 1);
    assert_eq!(record.keys, vec![(VK.to_owned(), "{}".to_owned())]);
    assert_eq!(store.proof(1).await.unwrap().unwrap().status, "settling");
    store
        .mark_failed(1, "node unreachable", 1_300, 300)
        .await
        .unwrap();
    assert_eq!(
        store.next_to_settle(1_000).await.unwrap(),
        Some(NextSettlement::NotBefore {
            epoch: 1,
            at_ms: 1_300
        })
    );
    let e = store.epoch(1).await.unwrap().unwrap();
    assert_eq!(
        (
            e.state,
            e.failure.as_deref(),
            e.failed_at_ms,
            e.next_attempt_at_ms,
            e.attempts
        ),
        (
            "failed",
            Some("node unreachable"),
            Some(300),
            Some(1_300),
            1
        )
    );
    assert_eq!(store.proof(2).await.unwrap().unwrap().status, "failed");
    assert_eq!(
        store.next_to_settle(1_300).await.unwrap(),
        Some(NextSettlement::Due(1))
    );

    // Attempt 2 is interrupted (a stop); attempt 3 resumes it and anchors it.
    let left = store.begin_settlement(1, 1_400).await.unwrap();
    assert_eq!(
        left,
        Some(Left {
            state: EpochState::Failed,
            since_ms: 300
        })
    );
    let left = store.begin_settlement(1, 1_500).await.unwrap();
    assert_eq!(
        left,
        Some(Left {
            state: EpochState::Settling,
            since_ms: 1_400
        })
    );
    let tx = hash("tx", 1);
    store
        .mark_anchored(1, "batch", &tx, 77, 123_456, 1_600)
        .await
        .unwrap();
    assert!(
        store
            .mark_anchored(1, "batch", &tx, 77, 1, 1_700)
            .await
            .is_err()
    );
    assert!(store.mark_failed(1, "late", 0, 1_700).await.is_err());
    assert_eq!(store.begin_settlement(1, 1_800).await.unwrap(), None);
    let e = store.epoch(1).await.unwrap().unwrap();
    assert_eq!(
        (e.state, e.attempts, e.failure.clone(), e.next_attempt_at_ms),
        ("anchored", 3, None, None)
    );
    assert_eq!(
        (
            e.tx_hash.as_deref(),
            e.block,
            e.gas_used,
            e.settlement.as_deref(),
            e.anchored_at_ms
        ),
        (
            Some(tx.as_str()),
            Some(77),
            Some(123_456),
            Some("batch"),
            Some(1_600)
        )
    );
    let p = store.proof(2).await.unwrap().unwrap();
    assert_eq!(
        (p.status, p.tx_hash.as_deref(), p.block),
        ("anchored", Some(tx.as_str()), Some(77))
    );
    let history: Vec<_> = store
        .transitions(1)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.state, t.at_ms, t.detail))
        .collect();
    let d = |s: &str| Some(s.to_owned());
    assert_eq!(
        history,
        vec![
            ("open", 100, None),
            ("sealed", 100, None),
            ("settling", 200, d("attempt 1")),
            ("failed", 300, d("node unreachable")),
            ("settling", 1_400, d("attempt 2")),
            ("settling", 1_500, d("attempt 3 (resumed after a stop)")),
            (
                "anchored",
                1_600,
                Some(format!("batch: tx {tx}, block 77, gas 123456"))
            ),
        ]
    );
    let detail = store.epoch_detail(1).await.unwrap().unwrap();
    assert_eq!(detail.history.len(), 7);
    // Epoch 2 is next; the open epoch never is.
    assert_eq!(
        store.next_to_settle(2_000).await.unwrap(),
        Some(NextSettlement::Due(2))
    );
    assert_eq!(
        store.begin_settlement(3, 2_000).await.unwrap(),
        None,
        "no epoch 3"
    );
    store.close().await;
}

on_both_databases!(
    batches_take_ids_in_order_and_keep_duplicates_once,
    a_batch_fills_and_seals_several_epochs,
    an_old_epoch_is_sealed_before_the_next_proof,
    inline_keys_are_stored_with_their_proofs,
    large_batches_cross_every_statement_chunk,
    settlement_states_are_persisted_in_order,
);
