//! A small HTTP/1.1 client for the sheaf API, used by `sheaf submit`, `sheaf status` and
//! `sheaf demo`: JSON in and out, the service's `{code, message}` errors as values, a timeout
//! per request. It speaks plain `http://` only; put a TLS-terminating proxy in front of the
//! service for remote clients and run the CLI beside it, or use any HTTPS client.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// Longest a request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest answer read.
const MAX_ANSWER_BYTES: usize = 16 << 20;

/// Why a request did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server URL is not one this client can use.
    #[error("server URL: {0}")]
    Url(String),
    /// The connection failed or timed out.
    #[error("{0}")]
    Transport(String),
    /// The service answered with an error.
    #[error("{status} {code}: {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The service's error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The answer is not what the service sends.
    #[error("unexpected answer: {0}")]
    Answer(String),
}

/// A client for one sheaf server.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    api_key: Option<String>,
    inner: HyperClient<HttpConnector, Full<Bytes>>,
}

impl Client {
    /// A client for `server` (`http://host:port`, with or without a trailing `/`), sending
    /// `api_key` as a bearer token when given.
    pub fn new(server: &str, api_key: Option<String>) -> Result<Self, ClientError> {
        let base = server.trim_end_matches('/');
        if base.starts_with("https://") {
            return Err(ClientError::Url(format!(
                "`{server}`: https is not supported by this client; use http:// (e.g. on the \
                 service's host) or an HTTPS client"
            )));
        }
        let rest = base
            .strip_prefix("http://")
            .ok_or_else(|| ClientError::Url(format!("`{server}` does not start with http://")))?;
        if rest.is_empty() || rest.contains('/') || rest.contains(['?', '#', ' ']) {
            return Err(ClientError::Url(format!(
                "`{server}`: expected http://host[:port]"
            )));
        }
        base.parse::<hyper::Uri>()
            .map_err(|e| ClientError::Url(format!("`{server}`: {e}")))?;
        let inner = HyperClient::builder(TokioExecutor::new()).build_http();
        Ok(Self {
            base: base.to_owned(),
            api_key,
            inner,
        })
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET path`; the JSON answer of a 2xx, an error otherwise.
    pub async fn get(&self, path: &str) -> Result<(u16, Value), ClientError> {
        self.send("GET", path, None).await
    }

    /// `POST path` with a JSON body; the JSON answer of a 2xx, an error otherwise.
    pub async fn post(&self, path: &str, body: Bytes) -> Result<(u16, Value), ClientError> {
        self.send("POST", path, Some(body)).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<(u16, Value), ClientError> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        if let Some(key) = &self.api_key {
            request = request.header(AUTHORIZATION, format!("Bearer {key}"));
        }
        let request = request
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| ClientError::Url(e.to_string()))?;
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(|e| ClientError::Transport(format!("{} {path}: {e}", self.base)))?;
            let status = response.status().as_u16();
            let limited = http_body_util::Limited::new(response.into_body(), MAX_ANSWER_BYTES);
            let bytes = limited
                .collect()
                .await
                .map_err(|e| ClientError::Transport(format!("reading the answer: {e}")))?
                .to_bytes();
            Ok::<_, ClientError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| {
                ClientError::Transport(format!(
                    "{method} {path}: no answer within {} s",
                    REQUEST_TIMEOUT.as_secs()
                ))
            })??;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ClientError::Answer(format!("{status} with a body that is not JSON: {e}"))
        })?;
        if (200..300).contains(&status) {
            return Ok((status, value));
        }
        let field = |k: &str| value[k].as_str().unwrap_or_default().to_owned();
        Err(ClientError::Refused {
            status,
            code: field("code"),
            message: field("message"),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn server_urls() {
        assert!(Client::new("http://127.0.0.1:8080", None).is_ok());
        assert_eq!(
            Client::new("http://localhost:8080/", None).unwrap().base(),
            "http://localhost:8080"
        );
        for bad in [
            "https://x",
            "127.0.0.1:8080",
            "http://",
            "http://a/b",
            "ftp://a",
        ] {
            assert!(
                matches!(Client::new(bad, None), Err(ClientError::Url(_))),
                "{bad}"
            );
        }
    }
}
