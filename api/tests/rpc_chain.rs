//! The JSON-RPC base layer against a real node on loopback: `ci/test.sh` starts hardhat's node
//! (`ci/js/hardhat.config.js`) and sets `SHEAF_RPC_URL`; with `SHEAF_REQUIRE_RPC=1` (also set
//! there) a missing URL fails instead of skipping. One test drives every scenario in order,
//! since holding transactions back (automine off) is a setting of the whole node:
//! deployment and anchoring with inclusion checks, a refused batch that sends nothing, a stuck
//! transaction resubmitted with higher fees, a dropped transaction sent again, and a
//! transaction reorged out after it was mined.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use alloy::providers::{Provider, RootProvider};
use alloy_primitives::{Address, B256};
use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use serde_json::{Value, json};
use sheaf_aggregator::{AnchorBatch, Proof, VerifyingKey, public_signals_from_json};
use sheaf_api::chain::rpc::KeySource;
use sheaf_api::chain::{
    BaseLayer, ChainArgs, ChainError, ChainKind, InclusionQuery, RpcChain, RpcConfig, anchor_once,
};

/// Hardhat's development account #1 (its well-known test key; funded on every hardhat node).
const DEV_KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

fn rpc_url() -> Option<String> {
    match std::env::var("SHEAF_RPC_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("SHEAF_REQUIRE_RPC").as_deref() == Ok("1") {
                panic!(
                    "SHEAF_REQUIRE_RPC=1 but SHEAF_RPC_URL is not set (ci/test.sh starts the node)"
                );
            }
            println!("SKIP SHEAF_RPC_URL not set (ci/test.sh starts a hardhat node for this test)");
            None
        }
    }
}

fn read(circuit: &str, file: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aggregator/testdata/snarkjs")
        .join(circuit)
        .join(file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

struct Statement {
    vk: VerifyingKey,
    proof: Proof,
    signals: Vec<Fr>,
}

fn statements(circuit: &str, range: std::ops::Range<usize>) -> Vec<Statement> {
    let vk = VerifyingKey::from_snarkjs_json(&read(circuit, "verification_key.json")).unwrap();
    range
        .map(|i| Statement {
            proof: Proof::from_snarkjs_json(&read(circuit, &format!("proof_{i}.json"))).unwrap(),
            signals: public_signals_from_json(
                &read(circuit, &format!("public_{i}.json")),
                vk.n_public(),
            )
            .unwrap(),
            vk: vk.clone(),
        })
        .collect()
}

fn batch(items: &[Statement]) -> AnchorBatch {
    AnchorBatch::new(
        items
            .iter()
            .map(|s| (&s.vk, &s.proof, s.signals.as_slice())),
    )
    .unwrap()
}

async fn raw(node: &RootProvider, method: &'static str, params: Value) -> Value {
    node.raw_request::<_, Value>(Cow::Borrowed(method), params)
        .await
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// Hashes of the pending transactions sent by `from`.
async fn pending_from(node: &RootProvider, from: Address) -> Vec<(B256, u128)> {
    let block = raw(node, "eth_getBlockByNumber", json!(["pending", true])).await;
    block["transactions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|t| t["from"].as_str().map(|f| f.parse::<Address>().ok()) == Some(Some(from)))
        .map(|t| {
            let hash: B256 = t["hash"].as_str().unwrap().parse().unwrap();
            let fee = u128::from_str_radix(
                t["maxFeePerGas"].as_str().unwrap().trim_start_matches("0x"),
                16,
            )
            .unwrap();
            (hash, fee)
        })
        .collect()
}

async fn wait_for<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn word(x: &Fr) -> [u8; 32] {
    x.into_bigint().to_bytes_be().try_into().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_client_anchors_on_a_real_node() {
    let Some(url) = rpc_url() else { return };
    let node = RootProvider::new_http(url.parse().unwrap());
    raw(&node, "evm_setAutomine", json!([true])).await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("anchor.key");
    std::fs::write(&key_file, format!("{DEV_KEY_1}\n")).unwrap();
    let mut config = RpcConfig::new(url.clone(), KeySource::File(key_file));
    config.confirmations = 1;
    config.poll_interval = Duration::from_millis(100);
    config.resubmit_after = Duration::from_secs(1);
    config.timeout = Duration::from_secs(90);
    let debug = format!("{config:?}");
    assert!(
        !debug.contains(&DEV_KEY_1[2..]),
        "the key must not be shown: {debug}"
    );

    // Deployment, then one epoch anchored and checked.
    let (chain, deployed) = RpcChain::deploy(config.clone()).await.unwrap();
    assert!(deployed.gas_used > 1_000_000);
    let from = chain.address();
    let items = statements("multiplier", 0..4);
    let b = batch(&items);
    let anchored = chain.anchor_batch(&b).await.unwrap();
    assert_eq!(anchored.root, b.tree().root());
    assert_eq!(anchored.count, 4);
    assert!(anchored.gas_used > 4 * 46_000, "{anchored:?}");
    let record = chain.anchor_of(anchored.root).await.unwrap().unwrap();
    assert_eq!((record.count, record.block), (4, anchored.block));
    let tree = b.tree();
    for (i, item) in items.iter().enumerate() {
        let q = InclusionQuery {
            root: tree.root(),
            vk_hash: item.vk.vk_hash(),
            public_signals: item.signals.iter().map(word).collect(),
            path: tree.path(i).unwrap(),
            index: i as u64,
        };
        assert!(chain.verify_inclusion(&q).await.unwrap());
        let mut wrong = q.clone();
        wrong.index ^= 1;
        assert!(!chain.verify_inclusion(&wrong).await.unwrap());
    }
    match chain.anchor_batch(&b).await {
        Err(ChainError::AlreadyAnchored(r)) => assert_eq!(r, anchored.root),
        other => panic!("{other:?}"),
    }
    // Settling it again (an interrupted attempt) reports the first anchoring.
    assert_eq!(anchor_once(&chain, &b).await.unwrap(), anchored);
    // A connection to the deployed contract (a fresh client, as after a restart).
    let again = RpcChain::connect(config.clone(), chain.contract())
        .await
        .unwrap();
    assert!(again.anchor_of(anchored.root).await.unwrap().is_some());
    assert!(matches!(
        RpcChain::connect(config.clone(), Address::repeat_byte(0x42)).await,
        Err(ChainError::Config(_))
    ));

    // A false proof: the reason comes back and nothing is sent (the nonce does not move).
    let nonce = node.get_transaction_count(from).await.unwrap();
    let mut bad = statements("multiplier", 4..6);
    bad[1].proof.c = bad[0].proof.c;
    match chain.anchor_batch(&batch(&bad)).await {
        Err(ChainError::Reverted(reason)) => assert_eq!(reason, "BatchInvalid()"),
        other => panic!("{other:?}"),
    }
    assert_eq!(node.get_transaction_count(from).await.unwrap(), nonce);

    // Stuck: held in the pool, resubmitted with higher fees, then mined.
    raw(&node, "evm_setAutomine", json!([false])).await;
    let b2 = batch(&statements("cubic", 0..3));
    let task = {
        let config = config.clone();
        let address = chain.contract();
        let b2 = b2.clone();
        tokio::spawn(async move {
            let c = RpcChain::connect(config, address).await.unwrap();
            c.anchor_batch(&b2).await
        })
    };
    let (first, first_fee) = wait_for("the first transaction", || async {
        pending_from(&node, from).await.into_iter().next()
    })
    .await;
    let (bumped, bumped_fee) = wait_for("a resubmission", || async {
        pending_from(&node, from)
            .await
            .into_iter()
            .find(|(h, _)| *h != first)
    })
    .await;
    assert!(
        bumped_fee >= first_fee + first_fee / 10,
        "{first_fee} -> {bumped_fee}"
    );
    raw(&node, "evm_setAutomine", json!([true])).await;
    raw(&node, "evm_mine", json!([])).await;
    let anchored2 = task.await.unwrap().unwrap();
    assert_eq!(anchored2.root, b2.tree().root());
    assert_ne!(B256::from(anchored2.tx_hash), first);
    let _ = bumped;

    // Dropped: the node forgets the transaction; it is sent again. The key comes from the
    // environment this time.
    // SAFETY: no other thread of this test binary reads or writes the environment.
    unsafe { std::env::set_var("SHEAF_TEST_ANCHOR_KEY", DEV_KEY_1) };
    let mut env_config = config.clone();
    env_config.key = KeySource::Env("SHEAF_TEST_ANCHOR_KEY".into());
    raw(&node, "evm_setAutomine", json!([false])).await;
    let b3 = batch(&statements("chain", 0..2));
    let task = {
        let address = chain.contract();
        let b3 = b3.clone();
        tokio::spawn(async move {
            let c = RpcChain::connect(env_config, address).await.unwrap();
            c.anchor_batch(&b3).await
        })
    };
    let (dropped, _) = wait_for("the transaction to drop", || async {
        pending_from(&node, from).await.into_iter().next()
    })
    .await;
    raw(&node, "hardhat_dropTransaction", json!([dropped])).await;
    wait_for("the transaction sent again", || async {
        pending_from(&node, from).await.into_iter().next()
    })
    .await;
    raw(&node, "evm_setAutomine", json!([true])).await;
    raw(&node, "evm_mine", json!([])).await;
    let anchored3 = task.await.unwrap().unwrap();
    assert_eq!(anchored3.root, b3.tree().root());
    assert_ne!(B256::from(anchored3.tx_hash), dropped);

    // Reorged out after it was mined: three confirmations asked, the chain is rolled back
    // under the receipt, and the transaction is sent and mined again.
    let snapshot = raw(&node, "evm_snapshot", json!([])).await;
    let mut deep = config.clone();
    deep.confirmations = 3;
    let b4 = batch(&statements("poly_eval", 0..2));
    let task = {
        let address = chain.contract();
        let b4 = b4.clone();
        tokio::spawn(async move {
            let c = RpcChain::connect(deep, address).await.unwrap();
            c.anchor_batch(&b4).await
        })
    };
    let mined_nonce = nonce + 2;
    wait_for("the transaction to be mined", || async {
        (node.get_transaction_count(from).await.unwrap() > mined_nonce).then_some(())
    })
    .await;
    assert_eq!(
        raw(&node, "evm_revert", json!([snapshot])).await,
        json!(true)
    );
    assert_eq!(node.get_transaction_count(from).await.unwrap(), mined_nonce);
    let miner = {
        let node = node.clone();
        tokio::spawn(async move {
            for _ in 0..600 {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let _ = node
                    .raw_request::<_, Value>(Cow::Borrowed("evm_mine"), json!([]))
                    .await;
            }
        })
    };
    let anchored4 = task.await.unwrap().unwrap();
    miner.abort();
    assert_eq!(anchored4.root, b4.tree().root());
    assert!(chain.anchor_of(anchored4.root).await.unwrap().is_some());
    assert_eq!(
        node.get_transaction_count(from).await.unwrap(),
        mined_nonce + 1
    );

    // The options of `sheaf serve --chain rpc --deploy-anchor`, as the settlement opens them.
    let key_file = dir.path().join("serve.key");
    std::fs::write(&key_file, DEV_KEY_1).unwrap();
    let args = ChainArgs {
        kind: ChainKind::Rpc,
        rpc_url: Some(url.clone()),
        deploy_anchor: true,
        chain_key_file: Some(key_file),
        confirmations: 1,
        ..ChainArgs::default()
    };
    let base = args.open(dir.path()).await.unwrap();
    assert_eq!(base.kind(), "rpc");
    let b5 = batch(&statements("multiplier", 6..9));
    let anchored5 = anchor_once(base.as_ref(), &b5).await.unwrap();
    assert_eq!(anchor_once(base.as_ref(), &b5).await.unwrap(), anchored5);
    let missing = ChainArgs {
        kind: ChainKind::Rpc,
        rpc_url: Some(url),
        ..ChainArgs::default()
    };
    match missing.open(dir.path()).await {
        Err(ChainError::Config(m)) => assert!(m.contains("--anchor-address"), "{m}"),
        other => panic!("{other:?}"),
    }
}
