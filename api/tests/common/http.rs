//! Calling a router without a socket, and the committed snarkjs fixtures.

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub fn fixture(circuit: &str, file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aggregator/testdata/snarkjs")
        .join(circuit)
        .join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

pub fn vk(circuit: &str) -> Value {
    fixture(circuit, "verification_key.json")
}

/// Submission `i` of `circuit`, carrying its key.
pub fn inline(circuit: &str, i: usize) -> Value {
    json!({
        "verification_key": vk(circuit),
        "proof": fixture(circuit, &format!("proof_{i}.json")),
        "public_signals": fixture(circuit, &format!("public_{i}.json")),
    })
}

/// One request; the status, headers and body.
pub async fn send_with(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

/// One JSON request; the status and the JSON answer.
pub async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    call_with(app, method, uri, &[], body).await
}

/// One JSON request with headers.
pub async fn call_with(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let body = body.map(|b| serde_json::to_vec(b).unwrap());
    let (status, _, bytes) = send_with(app, method, uri, headers, body).await;
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {uri}: {status}: not JSON ({e}): {bytes:?}"));
    (status, value)
}

/// Asserts an error answer: the status, the code, and a message containing `needle`.
pub fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: &str, needle: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["code"], code, "{}", answer.1);
    let message = answer.1["message"].as_str().unwrap();
    assert!(message.contains(needle), "`{message}` lacks `{needle}`");
}

/// Polls `GET /v1/epochs/{id}` until `done` holds (at most 30 s).
pub async fn wait_epoch(app: &Router, id: i64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (status, view) = call(app, "GET", &format!("/v1/epochs/{id}"), None).await;
        if status == StatusCode::OK && done(&view) {
            return view;
        }
        assert!(std::time::Instant::now() < deadline, "epoch {id}: {view}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
