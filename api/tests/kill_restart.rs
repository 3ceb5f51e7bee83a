//! Crash safety of `sheaf serve`: the real binary is killed with SIGKILL while proofs are being
//! submitted, then restarted on the same data directory. Every acknowledged proof must still be
//! there with the same epoch and leaf, no proof may be counted twice, sealed epochs keep valid
//! Merkle paths, and the service goes on accepting and sealing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sheaf_aggregator::verify_path;
use sheaf_api::hex32::parse_hex32;

const CIRCUITS: [&str; 4] = ["multiplier", "cubic", "chain", "poly_eval"];
const PER_EPOCH: u64 = 4;

fn fixture(circuit: &str, file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aggregator/testdata/snarkjs")
        .join(circuit)
        .join(file);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// One HTTP/1.1 request with `Connection: close`; `None` when the server is unreachable or the
/// connection breaks (the server was killed).
fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Option<(u16, Value)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8(response).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// The running binary; killed (SIGKILL) and reaped when dropped, so a failing test leaves no
/// server behind.
struct Server(Child);

impl Server {
    fn sigkill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.sigkill();
    }
}

fn start(data: &Path, addr: SocketAddr) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_sheaf"))
        .args([
            "serve",
            "--settlement",
            "none",
            "--listen",
            &addr.to_string(),
            "--data-dir",
        ])
        .arg(data)
        .args([
            "--epoch-seconds",
            "3600",
            "--epoch-max-proofs",
            &PER_EPOCH.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some((200, _)) = http(addr, "GET", "/healthz", None) {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("sheaf serve did not come up on {addr}");
}

fn submission(vk_hash: &str, circuit: &str, i: usize) -> Value {
    json!({
        "vk_hash": vk_hash,
        "proof": fixture(circuit, &format!("proof_{i}.json")),
        "public_signals": fixture(circuit, &format!("public_{i}.json")),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ack {
    epoch: i64,
    leaf: String,
}

#[test]
fn sigkill_during_submissions_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_port();
    let mut server = start(dir.path(), addr);

    let mut keys = BTreeMap::new();
    for c in CIRCUITS {
        let (status, body) = http(
            addr,
            "POST",
            "/v1/vks",
            Some(&fixture(c, "verification_key.json")),
        )
        .unwrap();
        assert!(status == 200 || status == 201, "{status} {body}");
        keys.insert(c, body["vk_hash"].as_str().unwrap().to_owned());
    }
    let acks: Arc<Mutex<BTreeMap<i64, Ack>>> = Arc::default();
    let record = |acks: &Mutex<BTreeMap<i64, Ack>>, body: &Value| {
        let ack = Ack {
            epoch: body["epoch"].as_i64().unwrap(),
            leaf: body["leaf"].as_str().unwrap().to_owned(),
        };
        acks.lock()
            .unwrap()
            .insert(body["id"].as_i64().unwrap(), ack);
    };
    // Six proofs one by one: epoch 1 seals at four, epoch 2 holds two.
    for i in 0..6 {
        let (status, body) = http(
            addr,
            "POST",
            "/v1/proofs",
            Some(&submission(&keys["multiplier"], "multiplier", i)),
        )
        .unwrap();
        assert_eq!(status, 202, "{body}");
        record(&acks, &body);
    }
    // Then four concurrent submitters, killed with SIGKILL once a few more are acknowledged.
    let workers: Vec<_> = CIRCUITS
        .iter()
        .map(|&c| {
            let (acks, vk_hash) = (Arc::clone(&acks), keys[c].clone());
            std::thread::spawn(move || {
                let start = if c == "multiplier" { 6 } else { 0 };
                for i in start..12 {
                    match http(
                        addr,
                        "POST",
                        "/v1/proofs",
                        Some(&submission(&vk_hash, c, i)),
                    ) {
                        Some((202, body)) => record(&acks, &body),
                        Some((status, body)) => panic!("{c} {i}: {status} {body}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    while acks.lock().unwrap().len() < 12 {
        std::thread::sleep(Duration::from_millis(1));
    }
    server.sigkill();
    for w in workers {
        w.join().unwrap();
    }
    let acks = acks.lock().unwrap().clone();
    assert!(acks.len() >= 12);

    let mut server = start(dir.path(), addr);
    // Every acknowledged proof is there, unchanged.
    let max_id = *acks.keys().max().unwrap() + 64;
    let mut by_epoch: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
    for id in 1..=max_id {
        match http(addr, "GET", &format!("/v1/proofs/{id}"), None).unwrap() {
            (200, body) => by_epoch
                .entry(body["epoch"].as_i64().unwrap())
                .or_default()
                .push(body),
            (404, _) => assert!(!acks.contains_key(&id), "acknowledged proof {id} lost"),
            (status, body) => panic!("proof {id}: {status} {body}"),
        }
    }
    for (id, ack) in &acks {
        let (_, body) = http(addr, "GET", &format!("/v1/proofs/{id}"), None).unwrap();
        assert_eq!(body["epoch"].as_i64(), Some(ack.epoch), "proof {id}");
        assert_eq!(body["leaf"].as_str(), Some(ack.leaf.as_str()), "proof {id}");
    }
    // Epoch counts match their proofs, no leaf twice, sealed epochs have valid paths.
    let mut open = 0;
    for (epoch, proofs) in &by_epoch {
        let (status, e) = http(addr, "GET", &format!("/v1/epochs/{epoch}"), None).unwrap();
        assert_eq!(status, 200);
        assert_eq!(
            e["proof_count"].as_u64(),
            Some(proofs.len() as u64),
            "epoch {epoch}"
        );
        let leaves: BTreeSet<&str> = proofs.iter().map(|p| p["leaf"].as_str().unwrap()).collect();
        assert_eq!(
            leaves.len(),
            proofs.len(),
            "a statement counted twice in epoch {epoch}"
        );
        match e["state"].as_str().unwrap() {
            "open" => open += 1,
            "sealed" => {
                assert_eq!(proofs.len() as u64, PER_EPOCH);
                let root = parse_hex32(e["root"].as_str().unwrap()).unwrap();
                let mut indices = BTreeSet::new();
                for p in proofs {
                    let leaf = parse_hex32(p["leaf"].as_str().unwrap()).unwrap();
                    let index = p["leaf_index"].as_u64().unwrap();
                    let path: Vec<_> = p["merkle_path"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| parse_hex32(h.as_str().unwrap()).unwrap())
                        .collect();
                    assert!(verify_path(&root, &leaf, index, &path), "epoch {epoch}");
                    indices.insert(index);
                }
                assert_eq!(indices, (0..PER_EPOCH).collect());
            }
            other => panic!("epoch {epoch} is {other}"),
        }
    }
    assert!(open <= 1);
    let stored: usize = by_epoch.values().map(Vec::len).sum();
    println!(
        "{} acknowledged before SIGKILL, {stored} stored after restart, {} epochs",
        acks.len(),
        by_epoch.len()
    );
    // The service goes on: a fresh statement is accepted and epochs keep sealing.
    let (status, body) = http(
        addr,
        "POST",
        "/v1/proofs",
        Some(&submission(&keys["poly_eval"], "poly_eval", 11)),
    )
    .unwrap();
    assert!(status == 202 || status == 200, "{status} {body}");
    server.sigkill();
}
