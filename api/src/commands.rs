//! The client commands: `sheaf submit` (one proof to a service), `sheaf status` (a proof's
//! state) and `sheaf inclusion verify` (an offline Merkle path check, `shared/DESIGN.md`,
//! "Inner proofs": leaves, inner nodes, bottom-up paths).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use clap::Args;
use serde_json::{Value, json};
use sheaf_aggregator::snarkjs::MAX_JSON_BYTES;
use sheaf_aggregator::{
    Hash32, Proof, VerifyingKey, public_signals_from_json, statement_leaf, verify_path,
};

use crate::cli::{EXIT_ERROR, EXIT_INVALID, EXIT_VALID};
use crate::client::{Client, ClientError};
use crate::hex32::{parse_hex32, to_hex32};
use crate::input::{parse_file, read_capped};

/// Where the service is.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// The service's URL.
    #[arg(long, env = "SHEAF_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// API key, sent as `Authorization: Bearer KEY` (needed when the service has keys).
    #[arg(long, env = "SHEAF_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
}

/// Options of `sheaf submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The service.
    #[command(flatten)]
    pub server: ServerArgs,
    /// The verifying key (`verification_key.json`), sent with the proof.
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// The proof (`proof.json`).
    #[arg(long, value_name = "FILE")]
    pub proof: PathBuf,
    /// The public signals (`public.json`).
    #[arg(long, value_name = "FILE")]
    pub public: PathBuf,
    /// Print the service's whole answer as JSON instead of the id.
    #[arg(long)]
    pub json: bool,
}

/// Options of `sheaf status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The service.
    #[command(flatten)]
    pub server: ServerArgs,
    /// The proof's id, as `sheaf submit` printed it.
    pub id: u64,
    /// Print the service's answer as JSON (the input of `sheaf inclusion verify --status`).
    #[arg(long)]
    pub json: bool,
}

/// Options of `sheaf inclusion verify`: a status document, or the leaf, index and path given
/// one by one (which then override the document's).
#[derive(Debug, Args)]
pub struct InclusionArgs {
    /// A proof's status as JSON (`sheaf status --json`, `GET /v1/proofs/{id}`); `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub status: Option<PathBuf>,
    /// The root to check against (0x-hex), e.g. the one stored on the base layer; defaults to
    /// the status document's root.
    #[arg(long)]
    pub root: Option<String>,
    /// The statement leaf (0x-hex).
    #[arg(long)]
    pub leaf: Option<String>,
    /// The leaf's index.
    #[arg(long)]
    pub index: Option<u64>,
    /// The siblings bottom-up, comma-separated 0x-hex (empty for a one-leaf tree).
    #[arg(long, value_delimiter = ',')]
    pub path: Option<Vec<String>>,
    /// The verifying key: with --public the leaf is recomputed from the statement and must
    /// match.
    #[arg(long, value_name = "FILE", requires = "public")]
    pub vk: Option<PathBuf>,
    /// The public signals (`public.json`), with --vk.
    #[arg(long, value_name = "FILE", requires = "vk")]
    pub public: Option<PathBuf>,
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Reports a client error and returns the exit status for it: a refusal is 1, everything else
/// (unreachable service, bad URL) is 2.
fn client_failure(e: &ClientError, err: &mut dyn Write) -> u8 {
    let _ = writeln!(err, "{e}");
    match e {
        ClientError::Refused { .. } => EXIT_INVALID,
        _ => EXIT_ERROR,
    }
}

/// `sheaf submit`: checks the files with the strict parsers first (so a bad file is named
/// here), then sends them as they are.
pub fn submit(args: &SubmitArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let documents = (|| {
        let vk = parse_file(&args.vk, VerifyingKey::from_snarkjs_json)?;
        parse_file(&args.proof, Proof::from_snarkjs_json)?;
        parse_file(&args.public, |j| public_signals_from_json(j, vk.n_public()))?;
        let raw = |p: &Path| -> Result<Value, crate::input::InputError> {
            let bytes = read_capped(p, MAX_JSON_BYTES)?;
            // The parsers accepted it, so it is JSON.
            Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
        };
        Ok::<_, crate::input::InputError>(json!({
            "verification_key": raw(&args.vk)?,
            "proof": raw(&args.proof)?,
            "public_signals": raw(&args.public)?,
        }))
    })();
    let body = match documents {
        Ok(body) => Bytes::from(body.to_string()),
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return EXIT_ERROR;
        }
    };
    let client = match Client::new(&args.server.server, args.server.api_key.clone()) {
        Ok(c) => c,
        Err(e) => return client_failure(&e, err),
    };
    let answer = match runtime() {
        Ok(rt) => rt.block_on(client.post("/v1/proofs", body)),
        Err(e) => Err(ClientError::Transport(e.to_string())),
    };
    match answer {
        Ok((status, value)) => {
            if args.json {
                let _ = writeln!(out, "{value}");
            } else {
                let _ = writeln!(out, "{}", value["id"]);
                let what = if status == 200 {
                    "already accepted in the open epoch"
                } else {
                    "accepted"
                };
                let _ = writeln!(
                    err,
                    "{what}: epoch {}, leaf {}",
                    value["epoch"], value["leaf"]
                );
            }
            EXIT_VALID
        }
        Err(e) => client_failure(&e, err),
    }
}

/// `sheaf status`.
pub fn status(args: &StatusArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let client = match Client::new(&args.server.server, args.server.api_key.clone()) {
        Ok(c) => c,
        Err(e) => return client_failure(&e, err),
    };
    let answer = match runtime() {
        Ok(rt) => rt.block_on(client.get(&format!("/v1/proofs/{}", args.id))),
        Err(e) => Err(ClientError::Transport(e.to_string())),
    };
    let view = match answer {
        Ok((_, v)) => v,
        Err(e) => return client_failure(&e, err),
    };
    if args.json {
        let _ = writeln!(out, "{view}");
        return EXIT_VALID;
    }
    let _ = writeln!(out, "proof {}: {}", view["id"], text(&view["status"]));
    for field in [
        "epoch",
        "vk_hash",
        "leaf",
        "leaf_index",
        "root",
        "tx_hash",
        "block",
    ] {
        if !view[field].is_null() {
            let _ = writeln!(out, "  {field:<11} {}", text(&view[field]));
        }
    }
    if let Some(path) = view["merkle_path"].as_array() {
        let _ = writeln!(out, "  merkle_path {} siblings", path.len());
    }
    EXIT_VALID
}

/// A JSON value as plain text (strings without quotes).
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// Why `sheaf inclusion verify` cannot decide.
fn bad(err: &mut dyn Write, message: impl std::fmt::Display) -> u8 {
    let _ = writeln!(err, "{message}");
    EXIT_ERROR
}

/// `sheaf inclusion verify`.
pub fn inclusion_verify(args: &InclusionArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let doc = match &args.status {
        None => Value::Null,
        Some(path) => match read_status(path) {
            Ok(v) => v,
            Err(message) => return bad(err, message),
        },
    };
    let hash = |flag: Option<&String>, field: &str| -> Result<Option<Hash32>, String> {
        let (text, from) = match flag {
            Some(s) => (Some(s.as_str()), format!("--{field}")),
            None => (doc[field].as_str(), format!("status `{field}`")),
        };
        text.map(|t| {
            parse_hex32(t).ok_or_else(|| format!("{from}: `{t}` is not 0x and 64 hex digits"))
        })
        .transpose()
    };
    let decided = (|| -> Result<(Hash32, Hash32, u64, Vec<Hash32>), String> {
        let root = hash(args.root.as_ref(), "root")?
            .ok_or("no root: give --root or a sealed proof's --status")?;
        let mut leaf = hash(args.leaf.as_ref(), "leaf")?;
        if let (Some(vk), Some(public)) = (&args.vk, &args.public) {
            let key = parse_file(vk, VerifyingKey::from_snarkjs_json).map_err(|e| e.to_string())?;
            let signals = parse_file(public, |j| public_signals_from_json(j, key.n_public()))
                .map_err(|e| e.to_string())?;
            let vk_hash = key.vk_hash();
            if let Some(named) = doc["vk_hash"].as_str()
                && parse_hex32(named) != Some(vk_hash)
            {
                return Err(format!(
                    "the key's vk_hash is {}, the status names {named}",
                    to_hex32(&vk_hash)
                ));
            }
            let computed = statement_leaf(&vk_hash, &signals);
            if leaf.is_some_and(|l| l != computed) {
                return Err(format!(
                    "the statement's leaf is {}, not the leaf given",
                    to_hex32(&computed)
                ));
            }
            leaf = Some(computed);
        }
        let leaf = leaf.ok_or("no leaf: give --leaf, --vk with --public, or --status")?;
        let index = match args.index {
            Some(i) => i,
            None => doc["leaf_index"]
                .as_u64()
                .ok_or("no leaf index: give --index or a sealed proof's --status")?,
        };
        let path: Vec<String> = match &args.path {
            Some(p) => p.iter().filter(|s| !s.is_empty()).cloned().collect(),
            None => doc["merkle_path"]
                .as_array()
                .ok_or("no path: give --path or a sealed proof's --status")?
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
        };
        let path = path
            .iter()
            .map(|s| {
                parse_hex32(s).ok_or_else(|| format!("path: `{s}` is not 0x and 64 hex digits"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((root, leaf, index, path))
    })();
    let (root, leaf, index, path) = match decided {
        Ok(d) => d,
        Err(message) => return bad(err, message),
    };
    if verify_path(&root, &leaf, index, &path) {
        let _ = writeln!(
            out,
            "included: leaf {} at index {index} under root {}",
            to_hex32(&leaf),
            to_hex32(&root)
        );
        EXIT_VALID
    } else {
        let _ = writeln!(
            out,
            "not included: leaf {} at index {index} with {} siblings does not lead to root {}",
            to_hex32(&leaf),
            path.len(),
            to_hex32(&root)
        );
        EXIT_INVALID
    }
}

/// Reads a status document from a file or (for `-`) stdin, at most 1 MiB.
fn read_status(path: &Path) -> Result<Value, String> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_JSON_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("stdin: {e}"))?;
        if bytes.len() > MAX_JSON_BYTES {
            return Err(format!("stdin: more than {MAX_JSON_BYTES} bytes"));
        }
        bytes
    } else {
        read_capped(path, MAX_JSON_BYTES).map_err(|e| e.to_string())?
    };
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    if !value.is_object() {
        return Err(format!("{}: not a JSON object", path.display()));
    }
    Ok(value)
}
