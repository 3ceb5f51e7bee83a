//! `sheaf serve` with its defaults (settlement `batch` on the embedded chain): proofs go
//! through to `anchored`, and the Merkle path `GET /v1/proofs/{id}` returns is accepted by
//! `SheafAnchor.verifyInclusion` on that chain, before and after a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ark_ff::{BigInteger, PrimeField};
use axum::http::StatusCode;
use serde_json::Value;
use sheaf_aggregator::{VerifyingKey, public_signals_from_json};
use sheaf_api::chain::{BaseLayer, EmbeddedChain, InclusionQuery};
use sheaf_api::hex32::parse_hex32;
use sheaf_api::serve::{ServeArgs, Service};

use common::http::{call, fixture, inline, wait_epoch};

const SUBMISSIONS: [(&str, usize); 5] = [
    ("multiplier", 0),
    ("poly_eval", 1),
    ("chain", 2),
    ("multiplier", 3),
    ("cubic", 4),
];

fn query(view: &Value, circuit: &str, i: usize) -> InclusionQuery {
    let raw = |v: Value| serde_json::to_vec(&v).unwrap();
    let vk =
        VerifyingKey::from_snarkjs_json(&raw(fixture(circuit, "verification_key.json"))).unwrap();
    let signals = public_signals_from_json(
        &raw(fixture(circuit, &format!("public_{i}.json"))),
        vk.n_public(),
    )
    .unwrap();
    InclusionQuery {
        root: parse_hex32(view["root"].as_str().unwrap()).unwrap(),
        vk_hash: parse_hex32(view["vk_hash"].as_str().unwrap()).unwrap(),
        public_signals: signals
            .iter()
            .map(|s| s.into_bigint().to_bytes_be().try_into().unwrap())
            .collect(),
        path: view["merkle_path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| parse_hex32(h.as_str().unwrap()).unwrap())
            .collect(),
        index: view["leaf_index"].as_u64().unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_service_anchors_on_the_embedded_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::with_data_dir(dir.path());
    args.epoch_max_proofs = SUBMISSIONS.len() as u64;
    args.epoch_seconds = 3600;
    let service = Service::start(&args).await.unwrap();
    let app = service.router();
    let mut ids = Vec::new();
    for (circuit, i) in SUBMISSIONS {
        let (status, body) = call(&app, "POST", "/v1/proofs", Some(&inline(circuit, i))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }
    let epoch = wait_epoch(&app, 1, |e| e["state"] == "anchored").await;
    assert_eq!(epoch["proof_count"], SUBMISSIONS.len());
    assert_eq!(epoch["settlement"], "batch", "{epoch}");
    let gas = epoch["gas_used"].as_u64().unwrap();
    assert!(gas > 5 * 46_000, "{epoch}");
    let block = epoch["block"].as_u64().unwrap();
    let tx_hash = epoch["tx_hash"].as_str().unwrap().to_owned();

    let mut views = Vec::new();
    for id in &ids {
        let (status, view) = call(&app, "GET", &format!("/v1/proofs/{id}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(view["status"], "anchored", "{view}");
        assert_eq!(view["tx_hash"], tx_hash.as_str());
        assert_eq!(view["block"], block);
        views.push(view);
    }
    let (status, metrics) = axum_text(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.contains("anchored"), "{metrics}");
    drop(app);
    service.shutdown().await;

    // The chain as the service left it in the data directory.
    let chain = EmbeddedChain::open(dir.path()).unwrap();
    let found = chain
        .find_anchoring(parse_hex32(epoch["root"].as_str().unwrap()).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(format!("0x{}", hex::encode(found.tx_hash)), tx_hash);
    assert_eq!((found.block, found.gas_used), (block, gas));
    for (view, (circuit, i)) in views.iter().zip(SUBMISSIONS) {
        let q = query(view, circuit, i);
        assert!(chain.verify_inclusion(&q).await.unwrap(), "{view}");
        let mut wrong = q.clone();
        wrong.index = (wrong.index + 1) % SUBMISSIONS.len() as u64;
        assert!(!chain.verify_inclusion(&wrong).await.unwrap());
    }
    drop(chain);

    // A restart keeps the chain: the next epoch is anchored in a later block of it.
    let service = Service::start(&args).await.unwrap();
    let app = service.router();
    for i in 5..5 + SUBMISSIONS.len() {
        let (status, body) = call(&app, "POST", "/v1/proofs", Some(&inline("multiplier", i))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let epoch2 = wait_epoch(&app, 2, |e| e["state"] == "anchored").await;
    assert!(epoch2["block"].as_u64().unwrap() > block, "{epoch2}");
    drop(app);
    service.shutdown().await;
}

async fn axum_text(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let (status, _, bytes) = common::http::send_with(app, "GET", uri, &[], None).await;
    (status, String::from_utf8(bytes).unwrap())
}
