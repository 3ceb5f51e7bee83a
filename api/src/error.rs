//! The HTTP error type: a status, a stable machine-readable `code` and a message, answered as
//! JSON `{code, message}` (the axum `examples/error-handling` pattern). Internal failures are
//! logged in full and answered with a generic message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sheaf_aggregator::FormatError;

/// A request that could not be served, with the status and body it is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds for a `Retry-After` header (429, 503).
    retry_after: Option<u64>,
}

/// The JSON body of an error answer.
#[derive(Debug, Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same error with a `Retry-After` of `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// 401: an API key is required and was not given, or is not known.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 429: the client's token bucket is empty; a token is back in `wait`.
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("rate limit exceeded; retry in {:.3} s", wait.as_secs_f64()),
        )
        .retry_after(seconds.max(1))
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404: the id or key named by the request is unknown.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 413: the body is larger than `max` bytes.
    pub fn too_large(max: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("request body is larger than the {max} bytes accepted"),
        )
    }

    /// 422: well-formed, but the proof does not verify.
    pub fn invalid_proof() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_proof",
            "the proof does not verify against the key and public signals",
        )
    }

    /// 503: the pending-verification queue is full; the caller should retry later.
    pub fn queue_full() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "queue_full",
            "the verification queue is full; retry later",
        )
        .retry_after(1)
    }

    /// 503: the service is shutting down or a part of it has stopped.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: logs `error` and hides it from the caller.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }

    /// A rejected snarkjs document (`document` names it: `proof`, `public_signals`, …), with
    /// the parser's specific reason. An oversized document is 413, anything else 400.
    pub fn format(document: &str, error: &FormatError) -> Self {
        let code = match error {
            FormatError::TooLarge { .. } => "too_large",
            FormatError::Json(_) => "malformed_json",
            FormatError::Protocol(_) => "unsupported_protocol",
            FormatError::Curve(_) => "unsupported_curve",
            FormatError::NotDecimal { .. } => "not_decimal",
            FormatError::NotReduced { .. } => "not_reduced",
            FormatError::Arity { .. } => "wrong_arity",
            FormatError::NotAffine { .. } => "not_affine",
            FormatError::NotOnCurve { .. } => "not_on_curve",
            FormatError::NotInSubgroup { .. } => "not_in_subgroup",
            FormatError::PublicCount { .. } => "wrong_ic_count",
            FormatError::SignalCount { .. } => "wrong_signal_count",
            FormatError::ByteLength { .. } => "wrong_length",
            FormatError::ChallengeIndex { .. } => "bad_challenge_index",
        };
        let status = match error {
            FormatError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, code, format!("{document}: {error}"))
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code, e.g. `not_on_curve`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message for the caller.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
