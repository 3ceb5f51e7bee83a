//! The router (no socket) on the answers not covered by `service.rs`: API keys (401), rate
//! limits (429 with `Retry-After`), wrong methods (405), malformed ids, a database that went
//! away (500, and 503 from `/readyz`), and the OpenAPI document covering every route.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};
use sheaf_api::serve::{ServeArgs, Service};
use sheaf_api::settlement::SettlementMode;
use sheaf_api::store::Counts;

use common::http::{assert_error, call, call_with, inline, send_with, vk};

const ALPHA: &str = "alpha-token-0123456789";
const BETA: &str = "beta-token-0123456789";

async fn start(configure: impl FnOnce(&mut ServeArgs)) -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::with_data_dir(dir.path().join("data"));
    args.settlement = SettlementMode::None;
    configure(&mut args);
    let service = Service::start(&args).await.unwrap();
    (dir, service)
}

#[tokio::test]
async fn api_keys_guard_writes_and_each_key_has_its_bucket() {
    let keys = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        keys.path(),
        format!("# name token [rate [burst]]\nalpha {ALPHA} 2 2\nbeta {BETA}\n"),
    )
    .unwrap();
    let (_dir, service) = start(|a| a.api_keys_file = Some(keys.path().to_owned())).await;
    let app = service.router();
    let key = vk("multiplier");

    let answer = call(&app, "POST", "/v1/vks", Some(&key)).await;
    assert_error(
        &answer,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
        "Bearer",
    );
    let wrong = [("authorization", "Bearer not-a-known-token-at-all")];
    let answer = call_with(
        &app,
        "POST",
        "/v1/proofs",
        &wrong,
        Some(&inline("cubic", 0)),
    )
    .await;
    assert_error(
        &answer,
        StatusCode::UNAUTHORIZED,
        "unknown_api_key",
        "not known",
    );
    let basic = [("authorization", "Basic YWxwaGE6eA==")];
    let answer = call_with(&app, "POST", "/v1/vks", &basic, Some(&key)).await;
    assert_error(
        &answer,
        StatusCode::UNAUTHORIZED,
        "missing_api_key",
        "Bearer",
    );
    assert_eq!(
        service.store().counts().await.unwrap(),
        Counts {
            vks: 0,
            epochs: 0,
            proofs: 0
        },
        "a refused request stores nothing"
    );
    // Reading needs no key.
    let (status, _) = call(&app, "GET", "/v1/epochs", None).await;
    assert_eq!(status, StatusCode::OK);

    // alpha: a burst of 2 at 2 per second.
    let alpha = format!("Bearer {ALPHA}");
    let alpha = [("authorization", alpha.as_str())];
    let (status, _) = call_with(&app, "POST", "/v1/vks", &alpha, Some(&key)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call_with(
        &app,
        "POST",
        "/v1/proofs",
        &alpha,
        Some(&inline("cubic", 0)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let body = serde_json::to_vec(&key).unwrap();
    let (status, headers, bytes) =
        send_with(&app, "POST", "/v1/vks", &alpha, Some(body.clone())).await;
    let answer = (status, serde_json::from_slice::<Value>(&bytes).unwrap());
    assert_error(
        &answer,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "retry in",
    );
    assert_eq!(headers["retry-after"], "1");
    // beta has its own bucket (the default 1000/s).
    let beta = format!("Bearer {BETA}");
    let beta = [("authorization", beta.as_str())];
    for _ in 0..5 {
        let (status, _) = call_with(&app, "POST", "/v1/vks", &beta, Some(&key)).await;
        assert_eq!(status, StatusCode::OK);
    }
    // Half a second later alpha has one token again.
    tokio::time::sleep(Duration::from_millis(550)).await;
    let (status, _) = call_with(&app, "POST", "/v1/vks", &alpha, Some(&key)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call_with(&app, "POST", "/v1/vks", &alpha, Some(&key)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    let (_, _, metrics) = send_with(&app, "GET", "/metrics", &[], None).await;
    let metrics = String::from_utf8(metrics).unwrap();
    for needle in [
        "sheaf_submissions_rejected_total{code=\"missing_api_key\"} 2\n",
        "sheaf_submissions_rejected_total{code=\"unknown_api_key\"} 1\n",
        "sheaf_submissions_rejected_total{code=\"rate_limited\"} 2\n",
    ] {
        assert!(metrics.contains(needle), "{needle} in\n{metrics}");
    }
    drop(app);
    service.shutdown().await;
}

#[tokio::test]
async fn without_keys_each_client_gets_the_default_rate() {
    let (_dir, service) = start(|a| {
        a.rate_limit = 1.0;
        a.rate_burst = 1.0;
    })
    .await;
    let app = service.router();
    let (status, _) = call(&app, "POST", "/v1/vks", Some(&vk("chain"))).await;
    assert_eq!(status, StatusCode::CREATED);
    let answer = call(&app, "POST", "/v1/proofs", Some(&inline("chain", 0))).await;
    assert_error(
        &answer,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "rate limit",
    );
    assert_eq!(service.store().counts().await.unwrap().proofs, 0);
    drop(app);
    service.shutdown().await;

    // Rate 0: no limit.
    let (_dir, service) = start(|a| a.rate_limit = 0.0).await;
    let app = service.router();
    for _ in 0..50 {
        let (status, _) = call(&app, "POST", "/v1/vks", Some(&vk("chain"))).await;
        assert!(status.is_success());
    }
    drop(app);
    service.shutdown().await;
}

#[tokio::test]
async fn a_bad_keys_file_stops_the_start() {
    let keys = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(keys.path(), "alpha short\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::with_data_dir(dir.path());
    args.settlement = SettlementMode::None;
    args.api_keys_file = Some(keys.path().to_owned());
    let e = Service::start(&args).await.unwrap_err().to_string();
    assert!(
        e.contains(":1: the token of `alpha` must be at least 16"),
        "{e}"
    );
    std::fs::write(keys.path(), "# nothing\n").unwrap();
    let e = Service::start(&args).await.unwrap_err().to_string();
    assert!(e.contains("no API keys"), "{e}");
}

#[tokio::test]
async fn wrong_methods_and_malformed_ids_are_json_errors() {
    let (_dir, service) = start(|_| {}).await;
    let app = service.router();
    for (method, uri) in [
        ("DELETE", "/v1/proofs"),
        ("GET", "/v1/proofs"),
        ("GET", "/v1/vks"),
        ("POST", "/v1/epochs"),
        ("PUT", "/v1/proofs/1"),
        ("POST", "/healthz"),
    ] {
        let answer = call(&app, method, uri, None).await;
        assert_error(
            &answer,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method",
        );
    }
    for uri in [
        "/v1/epochs/abc",
        "/v1/epochs/0",
        "/v1/proofs/-3",
        "/v1/proofs/1.5",
    ] {
        let answer = call(&app, "GET", uri, None).await;
        assert_error(
            &answer,
            StatusCode::BAD_REQUEST,
            "malformed_id",
            "is not an id",
        );
    }
    let answer = call(&app, "GET", "/v1/proofs/99999999999999999999", None).await;
    assert_error(
        &answer,
        StatusCode::BAD_REQUEST,
        "malformed_id",
        "99999999999999999999",
    );
    drop(app);
    service.shutdown().await;
}

#[tokio::test]
async fn a_lost_database_is_500_and_not_ready() {
    let (_dir, service) = start(|_| {}).await;
    let app = service.router();
    service.store().close().await;
    let answer = call(&app, "GET", "/v1/proofs/1", None).await;
    assert_error(
        &answer,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error",
    );
    let answer = call(&app, "GET", "/readyz", None).await;
    assert_error(
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "database",
    );
    let answer = call(&app, "POST", "/v1/vks", Some(&vk("cubic"))).await;
    assert_error(
        &answer,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error",
    );
    drop(app);
    service.shutdown().await;
}

#[tokio::test]
async fn the_openapi_document_covers_every_route_and_answer() {
    let (_dir, service) = start(|_| {}).await;
    let app = service.router();
    let (status, doc) = call(&app, "GET", "/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let routes = [
        (
            "/v1/vks",
            "post",
            &["200", "201", "400", "401", "413", "429"][..],
        ),
        (
            "/v1/proofs",
            "post",
            &[
                "200", "202", "400", "401", "404", "413", "422", "429", "503",
            ][..],
        ),
        ("/v1/proofs/{id}", "get", &["200", "400", "404"][..]),
        ("/v1/epochs", "get", &["200"][..]),
        ("/v1/epochs/{id}", "get", &["200", "400", "404"][..]),
        ("/healthz", "get", &["200"][..]),
        ("/readyz", "get", &["200", "503"][..]),
        ("/metrics", "get", &["200"][..]),
        ("/openapi.json", "get", &["200"][..]),
    ];
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(
        paths.len(),
        routes.len(),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (path, method, codes) in routes {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        let mut listed: Vec<&str> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        listed.sort_unstable();
        let mut expected = codes.to_vec();
        expected.sort_unstable();
        assert_eq!(listed, expected, "{method} {path}");
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "ProofView",
        "EpochView",
        "EpochDetail",
        "SubmissionDoc",
        "ErrorDoc",
    ] {
        assert!(schemas[name].is_object(), "schema {name}");
    }
    for field in [
        "tx_hash",
        "block",
        "merkle_path",
        "leaf_index",
        "root",
        "status",
    ] {
        assert!(
            schemas["ProofView"]["properties"][field].is_object(),
            "ProofView.{field}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"],
        json!({"type": "http", "scheme": "bearer"})
    );
    // Every route of the router answers something other than 404 no_route.
    for (path, method, _) in routes {
        let uri = path.replace("{id}", "1");
        let (_, _, bytes) = send_with(&app, &method.to_uppercase(), &uri, &[], None).await;
        let code = serde_json::from_slice::<Value>(&bytes).map(|v| v["code"].clone());
        assert_ne!(code.ok(), Some(json!("no_route")), "{method} {uri}");
    }
    drop(app);
    service.shutdown().await;
}
