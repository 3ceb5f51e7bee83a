//! Who may write, and how fast: optional API keys (`--api-keys-file`) and a token bucket per
//! client (Turner's token bucket, as in RFC 2697's single-rate meter): a client may send
//! `burst` requests at once and `rate` per second on average; the next request past that is
//! answered 429 with the seconds until a token is back. A client is its API key when keys are
//! configured, otherwise its IP address.
//!
//! The keys file has one key per line: `NAME TOKEN [RATE [BURST]]`, where `NAME` is what logs
//! and metrics call the client, `TOKEN` the secret it sends as `Authorization: Bearer TOKEN`
//! (at least 16 characters of `A–Z a–z 0–9 . _ ~ + / = -`), and `RATE`/`BURST` override
//! `--rate-limit`/`--rate-burst` for that key (`0` turns its limit off). Blank lines and lines
//! starting with `#` are ignored. Tokens are kept only as SHA-256 hashes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Shortest token the keys file may hold.
pub const MIN_TOKEN_LEN: usize = 16;
/// Clients tracked by IP address before idle ones are forgotten.
const MAX_TRACKED_CLIENTS: usize = 65_536;

/// A token bucket's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tokens added per second.
    pub per_second: f64,
    /// Most tokens held (requests allowed at once).
    pub burst: f64,
}

impl Rate {
    /// `per_second` with a burst of `burst` (at least 1); `None` when `per_second` is 0
    /// (no limit).
    pub fn new(per_second: f64, burst: f64) -> Option<Self> {
        (per_second > 0.0).then_some(Self {
            per_second,
            burst: burst.max(1.0),
        })
    }
}

/// Why the keys file was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// It could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A line is malformed.
    #[error("{path}:{line}: {reason}")]
    Line {
        /// The file.
        path: String,
        /// The line number (1-based).
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// One configured key.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    /// The client's name.
    pub name: String,
    /// Its own limit: `None` for the default, `Some(None)` for none.
    pub rate: Option<Option<Rate>>,
}

/// The configured API keys, by the SHA-256 of their tokens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiKeys {
    by_hash: HashMap<[u8; 32], ApiKey>,
}

impl ApiKeys {
    /// Reads a keys file (format in the module docs).
    pub fn load(path: &Path) -> Result<Self, KeysError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeysError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text).map_err(|(line, reason)| KeysError::Line {
            path: path.display().to_string(),
            line,
            reason,
        })
    }

    /// Parses the text of a keys file; an error gives the line number and the reason.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut keys = Self::default();
        let mut names = std::collections::HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (name, token) = match fields.as_slice() {
                [name, token, ..] if fields.len() <= 4 => (*name, *token),
                _ => {
                    return Err((line_no, "expected NAME TOKEN [RATE [BURST]]".to_owned()));
                }
            };
            if token.len() < MIN_TOKEN_LEN
                || !token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b))
            {
                return Err((
                    line_no,
                    format!(
                        "the token of `{name}` must be at least {MIN_TOKEN_LEN} characters of \
                         A-Z a-z 0-9 . _ ~ + / = -"
                    ),
                ));
            }
            let number = |s: &str, what: &str| {
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| (line_no, format!("{what} `{s}` is not a number ≥ 0")))
            };
            let rate = match fields.get(2) {
                None => None,
                Some(r) => {
                    let per_second = number(r, "rate")?;
                    let burst = match fields.get(3) {
                        Some(b) => number(b, "burst")?,
                        None => per_second,
                    };
                    Some(Rate::new(per_second, burst))
                }
            };
            if !names.insert(name.to_owned()) {
                return Err((line_no, format!("the name `{name}` is used twice")));
            }
            let entry = ApiKey {
                name: name.to_owned(),
                rate,
            };
            if keys.by_hash.insert(token_hash(token), entry).is_some() {
                return Err((line_no, format!("the token of `{name}` is used twice")));
            }
        }
        Ok(keys)
    }

    /// The key with this token.
    pub fn get(&self, token: &str) -> Option<&ApiKey> {
        self.by_hash.get(&token_hash(token))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Per-client token buckets.
#[derive(Debug)]
pub struct RateLimiter {
    default: Option<Rate>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Limits each client to `default` unless its key says otherwise (`None`: no limit).
    pub fn new(default: Option<Rate>) -> Self {
        Self {
            default,
            buckets: Mutex::default(),
        }
    }

    /// Takes a token from `client`'s bucket at `now`, or says how long until one is back.
    pub fn take(&self, client: &str, rate: Option<Rate>, now: Instant) -> Result<(), Duration> {
        let Some(rate) = rate else {
            return Ok(());
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS && !buckets.contains_key(client) {
            // Forget clients whose buckets have refilled: they lose nothing by it.
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * rate.per_second < rate.burst
            });
            if buckets.len() >= MAX_TRACKED_CLIENTS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(client.to_owned()).or_insert(Bucket {
            tokens: rate.burst,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * rate.per_second;
        bucket.tokens = (bucket.tokens + refill).min(rate.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / rate.per_second,
            ))
        }
    }
}

/// The access rules of a service: its keys (if any) and its rate limiter.
#[derive(Debug)]
pub struct Access {
    keys: Option<ApiKeys>,
    limiter: RateLimiter,
}

impl Access {
    /// Keys are required when `keys` is given; every client is limited to `default`.
    pub fn new(keys: Option<ApiKeys>, default: Option<Rate>) -> Self {
        Self {
            keys,
            limiter: RateLimiter::new(default),
        }
    }

    /// No keys, no limits.
    pub fn open() -> Self {
        Self::new(None, None)
    }

    /// Whether API keys are required.
    pub fn requires_keys(&self) -> bool {
        self.keys.is_some()
    }

    /// Admits a write request from `peer` with `headers`, or says why not (401, 429).
    pub fn admit(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Result<(), ApiError> {
        let (client, rate) = match &self.keys {
            Some(keys) => {
                let token = bearer(headers)?;
                let key = keys.get(token).ok_or_else(|| {
                    ApiError::unauthorized("unknown_api_key", "the API key is not known")
                })?;
                (
                    format!("key:{}", key.name),
                    key.rate.unwrap_or(self.limiter.default),
                )
            }
            None => {
                let client = peer.map_or_else(|| "local".to_owned(), |ip| format!("ip:{ip}"));
                (client, self.limiter.default)
            }
        };
        self.limiter
            .take(&client, rate, Instant::now())
            .map_err(ApiError::rate_limited)
    }
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let missing = || {
        ApiError::unauthorized(
            "missing_api_key",
            "this service requires an API key: send `Authorization: Bearer <key>`",
        )
    };
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(missing());
    }
    Ok(token.trim())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_keys_and_refuses_bad_lines() {
        let keys = ApiKeys::parse(
            "# rollups\nalpha aaaaaaaaaaaaaaaa\n\n  beta bbbbbbbbbbbbbbbb 5 10\ngamma cccccccccccccccc 0\n",
        )
        .unwrap();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys.get("aaaaaaaaaaaaaaaa").unwrap().rate, None);
        assert_eq!(
            keys.get("bbbbbbbbbbbbbbbb").unwrap().rate,
            Some(Rate::new(5.0, 10.0))
        );
        assert_eq!(keys.get("cccccccccccccccc").unwrap().rate, Some(None));
        assert!(keys.get("dddddddddddddddd").is_none());
        for (text, needle) in [
            ("alpha", "expected NAME TOKEN"),
            ("alpha short", "at least 16"),
            ("alpha aaaaaaaaaaaaaaa!", "at least 16"),
            ("alpha aaaaaaaaaaaaaaaa x", "rate `x`"),
            ("alpha aaaaaaaaaaaaaaaa -1", "rate `-1`"),
            ("alpha aaaaaaaaaaaaaaaa 1 2 3", "expected NAME TOKEN"),
            ("a aaaaaaaaaaaaaaaa\na bbbbbbbbbbbbbbbb", "used twice"),
            ("a aaaaaaaaaaaaaaaa\nb aaaaaaaaaaaaaaaa", "used twice"),
        ] {
            let (_, reason) = ApiKeys::parse(text).unwrap_err();
            assert!(reason.contains(needle), "{text}: {reason}");
        }
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let limiter = RateLimiter::new(None);
        let rate = Rate::new(10.0, 3.0);
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.take("c", rate, t0).unwrap();
        }
        let wait = limiter.take("c", rate, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        // Another client has its own bucket.
        limiter.take("d", rate, t0).unwrap();
        // 100 ms later one token is back, and only one.
        let t1 = t0 + Duration::from_millis(100);
        limiter.take("c", rate, t1).unwrap();
        assert!(limiter.take("c", rate, t1).is_err());
        // No rate, no limit.
        for _ in 0..100 {
            limiter.take("c", None, t1).unwrap();
        }
    }

    #[test]
    fn bearer_tokens() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h).unwrap_err().code(), "missing_api_key");
        h.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h).unwrap_err().code(), "missing_api_key");
        h.insert("authorization", "Bearer   tok ".parse().unwrap());
        assert_eq!(bearer(&h).unwrap(), "tok");
    }
}
