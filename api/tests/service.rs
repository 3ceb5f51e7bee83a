//! The HTTP service, called through its router without a socket (`tower::ServiceExt::oneshot`)
//! on a SQLite store in a temporary directory, with the committed snarkjs fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sheaf_aggregator::{KeyCache, verify_path};
use sheaf_api::access::Access;
use sheaf_api::hex32::parse_hex32;
use sheaf_api::metrics::Metrics;
use sheaf_api::routes::{AppState, Limits, app};
use sheaf_api::serve::{ServeArgs, Service};
use sheaf_api::settlement::SettlementMode;
use sheaf_api::store::{Counts, Store};
use sheaf_api::verifier::VerifierHandle;
use tower::ServiceExt;

fn fixture(circuit: &str, file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aggregator/testdata/snarkjs")
        .join(circuit)
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_json(circuit: &str, file: &str) -> Value {
    serde_json::from_slice(&fixture(circuit, file)).unwrap()
}

fn vk(circuit: &str) -> Value {
    fixture_json(circuit, "verification_key.json")
}

fn proof(circuit: &str, i: usize) -> Value {
    fixture_json(circuit, &format!("proof_{i}.json"))
}

fn public(circuit: &str, i: usize) -> Value {
    fixture_json(circuit, &format!("public_{i}.json"))
}

/// A submission naming its key by hash.
fn by_hash(vk_hash: &str, circuit: &str, i: usize) -> Value {
    json!({ "vk_hash": vk_hash, "proof": proof(circuit, i), "public_signals": public(circuit, i) })
}

/// A submission carrying its key.
fn inline(circuit: &str, i: usize) -> Value {
    json!({
        "verification_key": vk(circuit),
        "proof": proof(circuit, i),
        "public_signals": public(circuit, i),
    })
}

async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    body: Option<Vec<u8>>,
) -> (StatusCode, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, bytes.to_vec())
}

async fn call(app: &Router, method: &str, uri: &str, body: Option<&Value>) -> (StatusCode, Value) {
    let body = body.map(|b| serde_json::to_vec(b).unwrap());
    let (status, bytes) = send(app, method, uri, body).await;
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {uri}: {status}: not JSON ({e}): {bytes:?}"));
    (status, value)
}

/// Asserts an error answer: the status, the code, and a message containing `needle`.
fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: &str, needle: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["code"], code, "{}", answer.1);
    let message = answer.1["message"].as_str().unwrap();
    assert!(message.contains(needle), "`{message}` lacks `{needle}`");
}

struct Fixture {
    _dir: tempfile::TempDir,
    args: ServeArgs,
    service: Service,
    app: Router,
}

async fn start(configure: impl FnOnce(&mut ServeArgs)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::with_data_dir(dir.path());
    // The HTTP API on its own: epochs stop at `sealed` (anchoring: tests/anchored_service.rs).
    args.settlement = SettlementMode::None;
    configure(&mut args);
    let service = Service::start(&args).await.unwrap();
    let app = service.router();
    Fixture {
        _dir: dir,
        args,
        service,
        app,
    }
}

impl Fixture {
    async fn counts(&self) -> Counts {
        self.service.store().counts().await.unwrap()
    }

    async fn register(&self, circuit: &str) -> String {
        let (status, body) = call(&self.app, "POST", "/v1/vks", Some(&vk(circuit))).await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{body}"
        );
        body["vk_hash"].as_str().unwrap().to_owned()
    }

    /// Stops the service and starts a new one on the same data directory.
    async fn restart(self, configure: impl FnOnce(&mut ServeArgs)) -> Fixture {
        let Fixture {
            _dir,
            mut args,
            service,
            app,
        } = self;
        drop(app);
        service.shutdown().await;
        configure(&mut args);
        let service = Service::start(&args).await.unwrap();
        let app = service.router();
        Fixture {
            _dir,
            args,
            service,
            app,
        }
    }
}

#[tokio::test]
async fn health_readiness_metrics_and_unknown_routes() {
    let f = start(|_| {}).await;
    let (status, body) = call(&f.app, "GET", "/healthz", None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
    let (status, body) = call(&f.app, "GET", "/readyz", None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ready"})));
    let answer = call(&f.app, "GET", "/v2/nothing", None).await;
    assert_error(
        &answer,
        StatusCode::NOT_FOUND,
        "no_route",
        "no such endpoint",
    );

    let vk_hash = f.register("multiplier").await;
    call(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&vk_hash, "multiplier", 0)),
    )
    .await;
    call(&f.app, "POST", "/v1/proofs", Some(&json!({"proof": 1}))).await;
    let (status, text) = send(&f.app, "GET", "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("sheaf_submissions_accepted_total 1\n"),
        "{text}"
    );
    assert!(
        text.contains("sheaf_submissions_rejected_total{code=\"malformed_json\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("sheaf_verify_queue_depth 0\n"), "{text}");
}

#[tokio::test]
async fn registers_keys_once_and_rejects_malformed_ones() {
    let f = start(|_| {}).await;
    let (status, body) = call(&f.app, "POST", "/v1/vks", Some(&vk("chain"))).await;
    assert_eq!(status, StatusCode::CREATED);
    let vk_hash = body["vk_hash"].as_str().unwrap().to_owned();
    assert!(parse_hex32(&vk_hash).is_some(), "{vk_hash}");
    let (status, body) = call(&f.app, "POST", "/v1/vks", Some(&vk("chain"))).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "vk_hash": vk_hash }))
    );

    let mut bad = vk("multiplier");
    bad["vk_alpha_1"][0] = json!("0x01");
    let answer = call(&f.app, "POST", "/v1/vks", Some(&bad)).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "not_decimal",
        "verification_key: vk_alpha_1",
    );
    let answer = call(&f.app, "POST", "/v1/vks", Some(&vk("poly_eval"))).await;
    assert_eq!(
        answer.0,
        StatusCode::CREATED,
        "nPublic 8 is within the default 32"
    );
    assert_eq!(f.counts().await.vks, 2);
}

#[tokio::test]
async fn accepts_a_proof_and_reports_it() {
    let f = start(|_| {}).await;
    let vk_hash = f.register("chain").await;
    let (status, body) = call(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&vk_hash, "chain", 0)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "verified");
    assert_eq!(body["epoch"], 1);
    assert_eq!(body["vk_hash"], vk_hash.as_str());
    let id = body["id"].as_i64().unwrap();
    let leaf = body["leaf"].as_str().unwrap().to_owned();
    assert!(parse_hex32(&leaf).is_some());

    let (status, view) = call(&f.app, "GET", &format!("/v1/proofs/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        view,
        json!({
            "id": id, "status": "verified", "epoch": 1, "vk_hash": vk_hash, "leaf": leaf,
            "leaf_index": null, "merkle_path": null, "root": null, "tx_hash": null, "block": null,
        })
    );
    let (status, epochs) = call(&f.app, "GET", "/v1/epochs", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(epochs["epochs"].as_array().unwrap().len(), 1);
    assert_eq!(epochs["epochs"][0]["state"], "open");
    assert_eq!(epochs["epochs"][0]["proof_count"], 1);
    let (status, mut epoch) = call(&f.app, "GET", "/v1/epochs/1", None).await;
    assert_eq!(status, StatusCode::OK);
    let history = epoch.as_object_mut().unwrap().remove("history").unwrap();
    assert_eq!(epoch, epochs["epochs"][0]);
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["state"], "open");

    let answer = call(&f.app, "GET", "/v1/proofs/999", None).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_proof", "999");
    let answer = call(&f.app, "GET", "/v1/proofs/abc", None).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_id", "abc");
    let answer = call(&f.app, "GET", "/v1/epochs/7", None).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_epoch", "7");
}

#[tokio::test]
async fn an_inline_key_is_stored_with_its_proof_and_duplicates_keep_their_id() {
    let f = start(|_| {}).await;
    let (status, first) = call(&f.app, "POST", "/v1/proofs", Some(&inline("cubic", 3))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(
        f.counts().await,
        Counts {
            vks: 1,
            epochs: 1,
            proofs: 1
        }
    );

    // The same statement and proof again, inline and by hash: the same id, nothing new.
    let (status, again) = call(&f.app, "POST", "/v1/proofs", Some(&inline("cubic", 3))).await;
    assert_eq!((status, &again), (StatusCode::OK, &first));
    let vk_hash = first["vk_hash"].as_str().unwrap();
    let (status, again) = call(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(vk_hash, "cubic", 3)),
    )
    .await;
    assert_eq!((status, &again), (StatusCode::OK, &first));
    assert_eq!(
        f.counts().await,
        Counts {
            vks: 1,
            epochs: 1,
            proofs: 1
        }
    );

    // Both forms at once must agree.
    let mut both = inline("cubic", 4);
    both["vk_hash"] = json!(vk_hash);
    let (status, _) = call(&f.app, "POST", "/v1/proofs", Some(&both)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mut wrong = inline("cubic", 5);
    wrong["vk_hash"] = json!(format!("0x{}", "00".repeat(32)));
    let answer = call(&f.app, "POST", "/v1/proofs", Some(&wrong)).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "vk_hash_mismatch",
        vk_hash,
    );
    assert_eq!(f.counts().await.proofs, 2);
}

#[tokio::test]
async fn every_rejection_has_its_code_and_leaves_no_trace() {
    let f = start(|a| a.max_body_bytes = 64 * 1024).await;
    let vk_hash = f.register("multiplier").await;
    let before = f.counts().await;
    let post = |body: Value| {
        let app = f.app.clone();
        async move { call(&app, "POST", "/v1/proofs", Some(&body)).await }
    };

    let (status, bytes) = send(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(b"{\"proof\": [".to_vec()),
    )
    .await;
    let answer = (status, serde_json::from_slice::<Value>(&bytes).unwrap());
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_json", "body:");
    let answer = post(json!({ "vk_hash": vk_hash, "proof": proof("multiplier", 0) })).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        "public_signals",
    );
    let mut extra = by_hash(&vk_hash, "multiplier", 0);
    extra["surplus"] = json!(1);
    assert_error(
        &post(extra).await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        "surplus",
    );
    let mut no_key = by_hash(&vk_hash, "multiplier", 0);
    no_key.as_object_mut().unwrap().remove("vk_hash");
    assert_error(
        &post(no_key).await,
        StatusCode::BAD_REQUEST,
        "missing_key",
        "vk_hash",
    );
    let answer = post(by_hash("0x1234", "multiplier", 0)).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "malformed_vk_hash",
        "64 hex digits",
    );

    // Numbers: a sign, a value ≥ p, a value ≥ r among the signals.
    let mut signed = by_hash(&vk_hash, "multiplier", 0);
    signed["proof"]["pi_a"][0] = json!("-1");
    assert_error(
        &post(signed).await,
        StatusCode::BAD_REQUEST,
        "not_decimal",
        "proof: pi_a",
    );
    let p = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
    let mut unreduced = by_hash(&vk_hash, "multiplier", 0);
    unreduced["proof"]["pi_c"][1] = json!(p);
    assert_error(
        &post(unreduced).await,
        StatusCode::BAD_REQUEST,
        "not_reduced",
        "proof: pi_c",
    );
    let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    let mut big_signal = by_hash(&vk_hash, "multiplier", 0);
    big_signal["public_signals"] = json!([r]);
    let answer = post(big_signal).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "not_reduced",
        "public_signals",
    );

    // Points: off the curve, the identity.
    let mut off_curve = by_hash(&vk_hash, "multiplier", 0);
    off_curve["proof"]["pi_a"] = json!(["1", "1", "1"]);
    assert_error(
        &post(off_curve).await,
        StatusCode::BAD_REQUEST,
        "not_on_curve",
        "proof: pi_a",
    );
    let mut projective = by_hash(&vk_hash, "multiplier", 0);
    projective["proof"]["pi_c"][2] = json!("2");
    assert_error(
        &post(projective).await,
        StatusCode::BAD_REQUEST,
        "not_affine",
        "pi_c",
    );

    // Counts and headers.
    let mut two = by_hash(&vk_hash, "multiplier", 0);
    two["public_signals"] = json!(["1", "2"]);
    let answer = post(two).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "wrong_signal_count",
        "expected 1",
    );
    let mut protocol = by_hash(&vk_hash, "multiplier", 0);
    protocol["proof"]["protocol"] = json!("plonk");
    assert_error(
        &post(protocol).await,
        StatusCode::BAD_REQUEST,
        "unsupported_protocol",
        "plonk",
    );

    // Well formed but false: another proof's signals, a proof for another key.
    let mut tampered = by_hash(&vk_hash, "multiplier", 0);
    tampered["public_signals"] = public("multiplier", 1);
    let answer = post(tampered).await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_proof",
        "does not verify",
    );
    let mut foreign = inline("cubic", 0);
    foreign["proof"] = proof("multiplier", 0);
    foreign["public_signals"] = public("multiplier", 0);
    let answer = post(foreign).await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_proof",
        "does not verify",
    );

    // An unknown key, an oversized body, a key with too many signals.
    let unknown = format!("0x{}", "ab".repeat(32));
    let answer = post(by_hash(&unknown, "multiplier", 0)).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_vk", &unknown);
    let mut huge = by_hash(&vk_hash, "multiplier", 0);
    huge["padding"] = json!("x".repeat(64 * 1024));
    assert_error(
        &post(huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "65536",
    );
    let (status, bytes) = send(&f.app, "POST", "/v1/vks", Some(vec![b' '; 64 * 1024 + 1])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap()["code"],
        "too_large"
    );

    // Not one row was written by any of them: no key from the inline submission, no epoch.
    assert_eq!(f.counts().await, before);
    assert_eq!(
        before,
        Counts {
            vks: 1,
            epochs: 0,
            proofs: 0
        }
    );
}

#[tokio::test]
async fn a_key_carried_by_a_refused_submission_stays_unknown() {
    let g = start(|_| {}).await;
    let key = sheaf_aggregator::VerifyingKey::from_snarkjs_json(&fixture(
        "chain",
        "verification_key.json",
    ))
    .unwrap();
    let vk_hash = sheaf_api::hex32::to_hex32(&key.vk_hash());
    // An inline key with a false proof: 422, and the key is neither stored nor usable.
    let mut false_proof = inline("chain", 0);
    false_proof["public_signals"] = public("chain", 1);
    let answer = call(&g.app, "POST", "/v1/proofs", Some(&false_proof)).await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_proof",
        "does not verify",
    );
    // Naming that key by hash now finds nothing (404), rather than a key the store lacks.
    let answer = call(
        &g.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&vk_hash, "chain", 0)),
    )
    .await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_vk", &vk_hash);
    assert_eq!(
        g.counts().await,
        Counts {
            vks: 0,
            epochs: 0,
            proofs: 0
        }
    );
    // A valid inline submission stores the key; from then on the hash alone works.
    let (status, body) = call(&g.app, "POST", "/v1/proofs", Some(&inline("chain", 0))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, body) = call(
        &g.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&vk_hash, "chain", 1)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        g.counts().await,
        Counts {
            vks: 1,
            epochs: 1,
            proofs: 2
        }
    );
}

#[tokio::test]
async fn too_many_public_signals_is_refused() {
    let f = start(|a| a.max_public_signals = 4).await;
    let answer = call(&f.app, "POST", "/v1/vks", Some(&vk("poly_eval"))).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "too_many_public_signals",
        "nPublic is 8",
    );
    let answer = call(&f.app, "POST", "/v1/proofs", Some(&inline("poly_eval", 0))).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "too_many_public_signals",
        "4",
    );
    assert_eq!(
        f.counts().await,
        Counts {
            vks: 0,
            epochs: 0,
            proofs: 0
        }
    );
}

#[tokio::test]
async fn a_full_queue_answers_503() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(dir.path()).await.unwrap();
    // A queue of one that nobody serves.
    let (verifier, mut queue) = VerifierHandle::detached(1);
    let state = AppState {
        store: store.clone(),
        keys: Arc::new(KeyCache::new(4)),
        verifier,
        limits: Limits::default(),
        metrics: Arc::new(Metrics::default()),
        access: Arc::new(Access::open()),
    };
    let app = app(state);
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move {
            call(&app, "POST", "/v1/proofs", Some(&inline("multiplier", 0))).await
        })
    };
    while queue.is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let answer = call(&app, "POST", "/v1/proofs", Some(&inline("multiplier", 1))).await;
    assert_error(
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "queue_full",
        "retry",
    );
    // The verifier going away answers the queued request 503 too, never a false 202.
    let pending = queue.recv().await.unwrap();
    drop(pending);
    let answer = waiting.await.unwrap();
    assert_error(
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "verifier",
    );
    drop(queue);
    let (status, _) = call(&app, "GET", "/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        store.counts().await.unwrap(),
        Counts {
            vks: 0,
            epochs: 0,
            proofs: 0
        }
    );
}

#[tokio::test]
async fn an_epoch_sealed_by_count_gives_paths_that_verify() {
    let f = start(|a| a.epoch_max_proofs = 5).await;
    let chain = f.register("chain").await;
    let multiplier = f.register("multiplier").await;
    // Submitted concurrently so the verifier batches them; acceptance order decides the
    // leaf indices.
    let mut tasks = Vec::new();
    for i in 0..5 {
        let (hash, circuit) = if i % 2 == 0 {
            (&chain, "chain")
        } else {
            (&multiplier, "multiplier")
        };
        let body = by_hash(hash, circuit, i);
        let app = f.app.clone();
        tasks.push(tokio::spawn(async move {
            call(&app, "POST", "/v1/proofs", Some(&body)).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["epoch"], 1);
        ids.push(body["id"].as_i64().unwrap());
    }
    let (_, epoch) = call(&f.app, "GET", "/v1/epochs/1", None).await;
    assert_eq!(epoch["state"], "sealed", "{epoch}");
    assert_eq!(epoch["proof_count"], 5);
    let root = parse_hex32(epoch["root"].as_str().unwrap()).unwrap();

    let mut indices = Vec::new();
    for id in &ids {
        let (status, view) = call(&f.app, "GET", &format!("/v1/proofs/{id}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(view["status"], "sealed");
        assert_eq!(view["root"], epoch["root"]);
        let leaf = parse_hex32(view["leaf"].as_str().unwrap()).unwrap();
        let index = view["leaf_index"].as_u64().unwrap();
        let path: Vec<_> = view["merkle_path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| parse_hex32(h.as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(path.len(), 3, "5 leaves pad to 8");
        assert!(verify_path(&root, &leaf, index, &path), "proof {id}");
        assert!(!verify_path(&root, &leaf, index ^ 1, &path));
        indices.push(index);
    }
    // Leaf indices follow acceptance order, which is id order.
    let mut by_id: Vec<_> = ids.iter().copied().zip(indices).collect();
    by_id.sort();
    assert_eq!(
        by_id.iter().map(|p| p.1).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );

    // The next proof opens epoch 2; the same statement as before is new there.
    let (status, body) = call(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&chain, "chain", 0)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["epoch"], 2);
    let (_, epochs) = call(&f.app, "GET", "/v1/epochs", None).await;
    let states: Vec<_> = epochs["epochs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].clone())
        .collect();
    assert_eq!(states, vec![json!("open"), json!("sealed")]);
}

#[tokio::test]
async fn a_restart_keeps_everything_and_seals_an_expired_epoch() {
    let f = start(|a| a.epoch_seconds = 3600).await;
    let vk_hash = f.register("cubic").await;
    let (status, first) = call(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&vk_hash, "cubic", 0)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = first["id"].as_i64().unwrap();

    // Restart: the open epoch, younger than an hour, stays open and keeps its proof.
    let f = f.restart(|a| a.epoch_seconds = 3600).await;
    assert_eq!(
        f.counts().await,
        Counts {
            vks: 1,
            epochs: 1,
            proofs: 1
        }
    );
    let (_, view) = call(&f.app, "GET", &format!("/v1/proofs/{id}"), None).await;
    assert_eq!(view["status"], "verified");
    let (status, again) = call(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&vk_hash, "cubic", 0)),
    )
    .await;
    assert_eq!(
        (status, &again),
        (StatusCode::OK, &first),
        "duplicate across a restart"
    );
    let (status, second) = call(
        &f.app,
        "POST",
        "/v1/proofs",
        Some(&by_hash(&vk_hash, "cubic", 1)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(second["epoch"], 1);

    // Stopped for longer than a 1 s epoch: the restart seals it, with both proofs.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let f = f.restart(|a| a.epoch_seconds = 1).await;
    let (_, epoch) = call(&f.app, "GET", "/v1/epochs/1", None).await;
    assert_eq!(epoch["state"], "sealed", "{epoch}");
    assert_eq!(epoch["proof_count"], 2);
    let (_, view) = call(&f.app, "GET", &format!("/v1/proofs/{id}"), None).await;
    assert_eq!(view["status"], "sealed");
    assert_eq!(view["leaf_index"], 0);
    assert_eq!(
        f.counts().await,
        Counts {
            vks: 1,
            epochs: 1,
            proofs: 2
        }
    );
    assert_eq!(f.args.epoch_seconds, 1);
}
