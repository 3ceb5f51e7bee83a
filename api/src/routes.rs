//! The HTTP API of `shared/DESIGN.md` ("API"): handlers and [`app`], the router, which tests
//! call without a socket. Every error is JSON `{code, message}` (see [`crate::error`]). The
//! writing endpoints (`POST /v1/vks`, `POST /v1/proofs`) pass [`crate::access`] first (API
//! keys, rate limits); reading is open. Each handler carries its OpenAPI description, which
//! [`crate::openapi`] gathers into `GET /openapi.json`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use sheaf_aggregator::{
    KeyCache, PreparedVerifyingKey, Proof, VerifyingKey, public_signals_from_json,
    public_signals_to_json, statement_leaf,
};
use utoipa::ToSchema;

use crate::access::Access;
use crate::epochs::now_ms;
use crate::error::ApiError;
use crate::hex32::{parse_hex32, to_hex32};
use crate::metrics::Metrics;
use crate::store::{EpochDetail, EpochView, NewProof, ProofView, Store};
use crate::verifier::VerifierHandle;

/// Most epochs `GET /v1/epochs` lists.
pub const EPOCH_LIST_LIMIT: i64 = 100;

/// Request limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Largest `nPublic` of a key the service takes (larger: 400).
    pub max_public_signals: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: sheaf_aggregator::snarkjs::MAX_JSON_BYTES,
            max_public_signals: 32,
        }
    }
}

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Prepared keys by `vk_hash`.
    pub keys: Arc<KeyCache>,
    /// The verification queue.
    pub verifier: VerifierHandle,
    /// Request limits.
    pub limits: Limits,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// API keys and rate limits for the writing endpoints.
    pub access: Arc<Access>,
}

/// The router with every endpoint.
pub fn app(state: AppState) -> Router {
    let max_body = state.limits.max_body_bytes;
    let writes = Router::new()
        .route("/v1/vks", post(post_vk))
        .route("/v1/proofs", post(post_proof))
        .route_layer(from_fn_with_state(state.clone(), admit));
    Router::new()
        .merge(writes)
        .route("/v1/proofs/{id}", get(get_proof))
        .route("/v1/epochs", get(get_epochs))
        .route("/v1/epochs/{id}", get(get_epoch))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// API keys and rate limits, before the body is read.
async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match state.access.admit(request.headers(), peer) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            state.metrics.rejected(refusal.code());
            refusal.into_response()
        }
    }
}

/// Body of `POST /v1/vks`' answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct VkCreated {
    /// SHA-256 of the key's canonical EVM encoding, 0x-hex.
    pub vk_hash: String,
}

/// Body of `POST /v1/proofs`: the key by hash or in full, the proof and the signals as snarkjs
/// writes them. The documents are kept raw and handed to the strict parsers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Submission<'a> {
    vk_hash: Option<String>,
    #[serde(borrow)]
    verification_key: Option<&'a RawValue>,
    #[serde(borrow)]
    proof: &'a RawValue,
    #[serde(borrow)]
    public_signals: &'a RawValue,
}

/// Body of `POST /v1/proofs` (its OpenAPI description; no other field is accepted).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct SubmissionDoc {
    /// The key's hash (0x and 64 hex digits), of a key registered with `POST /v1/vks` or
    /// given in `verification_key`; one of the two is required, and both must agree.
    vk_hash: Option<String>,
    /// A snarkjs `verification_key.json` (stored with the proof if it verifies).
    #[schema(value_type = Option<Object>)]
    verification_key: Option<serde_json::Value>,
    /// A snarkjs `proof.json`.
    #[schema(value_type = Object)]
    proof: serde_json::Value,
    /// A snarkjs `public.json`: as many decimal strings as the key's `nPublic`.
    #[schema(value_type = Vec<String>)]
    public_signals: serde_json::Value,
}

/// Body of `POST /v1/proofs`' answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    /// The proof's id.
    pub id: i64,
    /// `verified`, or `sealed` when this proof filled its epoch.
    pub status: &'static str,
    /// Its epoch.
    pub epoch: i64,
    /// The key's hash, 0x-hex.
    pub vk_hash: String,
    /// The statement leaf, 0x-hex.
    pub leaf: String,
}

/// Body of `GET /v1/epochs`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EpochList {
    /// The most recent epochs, newest first.
    pub epochs: Vec<EpochView>,
}

/// Body of `GET /healthz` and `GET /readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
}

/// The body, or 413 / 400 as JSON when it could not be read.
fn body(body: Result<Bytes, BytesRejection>, limits: &Limits) -> Result<Bytes, ApiError> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limits.max_body_bytes)
        } else {
            ApiError::bad_request("bad_body", r.body_text())
        }
    })
}

fn check_n_public(vk: &VerifyingKey, limits: &Limits) -> Result<(), ApiError> {
    if vk.n_public() > limits.max_public_signals {
        return Err(ApiError::bad_request(
            "too_many_public_signals",
            format!(
                "verification_key: nPublic is {}, more than the {} this service takes",
                vk.n_public(),
                limits.max_public_signals
            ),
        ));
    }
    Ok(())
}

/// `POST /v1/vks`: registers a snarkjs verifying key; 201 when new, 200 when known.
#[utoipa::path(post, path = "/v1/vks", tag = "keys",
    request_body(content = Object, description = "A snarkjs verification_key.json"),
    responses(
        (status = 201, description = "Registered", body = VkCreated),
        (status = 200, description = "Already known", body = VkCreated),
        (status = 400, description = "Malformed key or too many public signals", body = crate::openapi::ErrorDoc),
        (status = 401, description = "API key missing or unknown", body = crate::openapi::ErrorDoc),
        (status = 413, description = "Body too large", body = crate::openapi::ErrorDoc),
        (status = 429, description = "Rate limited", body = crate::openapi::ErrorDoc),
    ),
    security((), ("api_key" = [])))]
pub(crate) async fn post_vk(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let result = async {
        let bytes = body(raw, &state.limits)?;
        let vk = VerifyingKey::from_snarkjs_json(&bytes)
            .map_err(|e| ApiError::format("verification_key", &e))?;
        check_n_public(&vk, &state.limits)?;
        let json = std::str::from_utf8(&bytes)
            .map_err(|e| ApiError::bad_request("malformed_json", e.to_string()))?;
        let vk_hash = to_hex32(&vk.vk_hash());
        let created = state
            .store
            .insert_vk(&vk_hash, vk.n_public(), json, now_ms())
            .await
            .map_err(|e| ApiError::internal(&e))?;
        // Cached only once stored (see `prepared_inline_key`).
        state.keys.get_or_prepare(&vk);
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok::<_, ApiError>((status, Json(VkCreated { vk_hash })).into_response())
    }
    .await;
    result.inspect_err(|e| state.metrics.rejected(e.code()))
}

/// The prepared key a submission names, and its JSON and `nPublic` when the submission carried
/// it (to be stored with the proof).
async fn resolve_key(
    state: &AppState,
    sub: &Submission<'_>,
) -> Result<(Arc<PreparedVerifyingKey>, Option<(String, usize)>), ApiError> {
    let named = match &sub.vk_hash {
        Some(h) => Some(parse_hex32(h).ok_or_else(|| {
            ApiError::bad_request(
                "malformed_vk_hash",
                "vk_hash: expected 0x followed by 64 hex digits",
            )
        })?),
        None => None,
    };
    if let Some(raw) = sub.verification_key {
        let vk = VerifyingKey::from_snarkjs_json(raw.get().as_bytes())
            .map_err(|e| ApiError::format("verification_key", &e))?;
        check_n_public(&vk, &state.limits)?;
        let hash = vk.vk_hash();
        if named.is_some_and(|h| h != hash) {
            return Err(ApiError::bad_request(
                "vk_hash_mismatch",
                format!(
                    "vk_hash does not match the verification_key (whose hash is {})",
                    to_hex32(&hash)
                ),
            ));
        }
        let n_public = vk.n_public();
        let key = prepared_inline_key(state, vk, hash).await?;
        return Ok((key, Some((raw.get().to_owned(), n_public))));
    }
    let Some(hash) = named else {
        return Err(ApiError::bad_request(
            "missing_key",
            "give vk_hash (of a key registered with POST /v1/vks) or verification_key",
        ));
    };
    if let Some(key) = state.keys.get(&hash) {
        return Ok((key, None));
    }
    let hex = to_hex32(&hash);
    let json = state
        .store
        .vk_json(&hex)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| ApiError::not_found("unknown_vk", format!("no key with vk_hash {hex}")))?;
    let vk = VerifyingKey::from_snarkjs_json(json.as_bytes())
        .map_err(|e| ApiError::internal(&format_args!("stored key {hex} no longer parses: {e}")))?;
    Ok((state.keys.get_or_prepare(&vk), None))
}

/// The prepared form of a key a submission carries. The shared cache holds only keys that are
/// in the store: a submission naming its key by hash is answered from the cache without a
/// database read, so a key that reached the cache from a submission that was then refused
/// (and stored nothing) would let later proofs name a key the store does not have. A key not
/// stored yet is prepared for this submission alone; once a proof carrying it is accepted the
/// key is stored, and the next submission finds it there and caches it.
async fn prepared_inline_key(
    state: &AppState,
    vk: VerifyingKey,
    hash: sheaf_aggregator::Hash32,
) -> Result<Arc<PreparedVerifyingKey>, ApiError> {
    if let Some(key) = state.keys.get(&hash) {
        return Ok(key);
    }
    let stored = state
        .store
        .vk_json(&to_hex32(&hash))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .is_some();
    if stored {
        return Ok(state.keys.get_or_prepare(&vk));
    }
    tokio::task::spawn_blocking(move || Arc::new(PreparedVerifyingKey::new(vk)))
        .await
        .map_err(|e| ApiError::internal(&e))
}

/// `POST /v1/proofs`: parse, validate, verify (batched), store, then 202 with the id; 200 with
/// the existing id for a duplicate in the open epoch.
#[utoipa::path(post, path = "/v1/proofs", tag = "proofs",
    request_body = SubmissionDoc,
    responses(
        (status = 202, description = "Verified and stored", body = Submitted),
        (status = 200, description = "The same key, signals and proof are already in the open epoch", body = Submitted),
        (status = 400, description = "Malformed: the parser's reason", body = crate::openapi::ErrorDoc),
        (status = 401, description = "API key missing or unknown", body = crate::openapi::ErrorDoc),
        (status = 404, description = "Unknown vk_hash", body = crate::openapi::ErrorDoc),
        (status = 413, description = "Body too large", body = crate::openapi::ErrorDoc),
        (status = 422, description = "The proof does not verify", body = crate::openapi::ErrorDoc),
        (status = 429, description = "Rate limited", body = crate::openapi::ErrorDoc),
        (status = 503, description = "Verification queue full, or shutting down", body = crate::openapi::ErrorDoc),
    ),
    security((), ("api_key" = [])))]
pub(crate) async fn post_proof(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let result = async {
        let bytes = body(raw, &state.limits)?;
        let sub: Submission<'_> = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request("malformed_json", format!("body: {e}")))?;
        let (key, vk) = resolve_key(&state, &sub).await?;
        let proof = Proof::from_snarkjs_json(sub.proof.get().as_bytes())
            .map_err(|e| ApiError::format("proof", &e))?;
        let signals =
            public_signals_from_json(sub.public_signals.get().as_bytes(), key.key().n_public())
                .map_err(|e| ApiError::format("public_signals", &e))?;
        let proof_json = proof.to_snarkjs_json();
        let record = NewProof {
            vk_hash: to_hex32(key.vk_hash()),
            vk,
            leaf: to_hex32(&statement_leaf(key.vk_hash(), &signals)),
            proof_hash: to_hex32(&Sha256::digest(proof_json.as_bytes()).into()),
            proof_json,
            public_signals: public_signals_to_json(&signals),
        };
        let (vk_hash, leaf) = (record.vk_hash.clone(), record.leaf.clone());
        let accepted = state.verifier.submit(key, proof, signals, record).await?;
        let status = if accepted.duplicate {
            StatusCode::OK
        } else {
            StatusCode::ACCEPTED
        };
        let body = Submitted {
            id: accepted.id,
            status: accepted.epoch_state.proof_status(),
            epoch: accepted.epoch,
            vk_hash,
            leaf,
        };
        Ok::<_, ApiError>((status, Json(body)).into_response())
    }
    .await;
    // Rejections after verification are counted by the verifier.
    result.inspect_err(|e| {
        if e.code() != "invalid_proof" {
            state.metrics.rejected(e.code());
        }
    })
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| ApiError::bad_request("malformed_id", format!("`{id}` is not an id")))
}

/// `GET /v1/proofs/{id}`: status, epoch, leaf, and once sealed its index, path and root; once
/// anchored the transaction and block.
#[utoipa::path(get, path = "/v1/proofs/{id}", tag = "proofs",
    params(("id" = i64, Path, description = "The proof's id")),
    responses(
        (status = 200, description = "The proof", body = ProofView),
        (status = 400, description = "Not an id", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such proof", body = crate::openapi::ErrorDoc),
    ))]
pub(crate) async fn get_proof(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProofView>, ApiError> {
    let id = parse_id(&id)?;
    let view = state
        .store
        .proof(id)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    view.map(Json)
        .ok_or_else(|| ApiError::not_found("unknown_proof", format!("no proof with id {id}")))
}

/// `GET /v1/epochs`: the most recent epochs, newest first.
#[utoipa::path(get, path = "/v1/epochs", tag = "epochs",
    responses((status = 200, description = "The latest 100 epochs", body = EpochList)))]
pub(crate) async fn get_epochs(State(state): State<AppState>) -> Result<Json<EpochList>, ApiError> {
    let epochs = state
        .store
        .epochs(EPOCH_LIST_LIMIT)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(EpochList { epochs }))
}

/// `GET /v1/epochs/{id}`: the epoch and every state it went through.
#[utoipa::path(get, path = "/v1/epochs/{id}", tag = "epochs",
    params(("id" = i64, Path, description = "The epoch's id")),
    responses(
        (status = 200, description = "The epoch", body = EpochDetail),
        (status = 400, description = "Not an id", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such epoch", body = crate::openapi::ErrorDoc),
    ))]
pub(crate) async fn get_epoch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<EpochDetail>, ApiError> {
    let id = parse_id(&id)?;
    let view = state
        .store
        .epoch_detail(id)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    view.map(Json)
        .ok_or_else(|| ApiError::not_found("unknown_epoch", format!("no epoch with id {id}")))
}

/// `GET /healthz`: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// `GET /readyz`: the database answers and the verifier runs.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Database or verifier down", body = crate::openapi::ErrorDoc),
    ))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| ApiError::unavailable(format!("database: {e}")))?;
    if !state.verifier.is_running() {
        return Err(ApiError::unavailable("the verifier has stopped"));
    }
    Ok(Json(Health { status: "ready" }))
}

/// `GET /metrics`: Prometheus text.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format 0.0.4",
               content_type = "text/plain", body = String)))]
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state
            .metrics
            .render(state.verifier.depth(), state.verifier.capacity()),
    )
}

/// `GET /openapi.json`: this API's OpenAPI 3.1 description.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub(crate) async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
}

async fn not_found() -> ApiError {
    ApiError::not_found("no_route", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}
