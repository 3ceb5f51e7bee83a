//! The client commands against the real binary: `sheaf serve` (JSON logs, SIGTERM) on a free
//! port, `sheaf submit` (id, refusals, bad files, unreachable service), `sheaf status`,
//! `sheaf inclusion verify` (from a status document, from flags, with the statement, tampered),
//! and `sheaf demo` end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn fixture(circuit: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../aggregator/testdata/snarkjs")
        .join(circuit)
        .join(file)
}

fn sheaf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sheaf"))
        .args(args)
        .output()
        .unwrap()
}

fn sheaf_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sheaf"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// `sheaf serve --log-format json` in a temporary directory; stopped with SIGTERM by the test,
/// or SIGKILL when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let addr = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_sheaf"))
            .args([
                "serve",
                "--log-format",
                "json",
                "--epoch-max-proofs",
                "2",
                "--settlement",
                "none",
            ])
            .args(["--listen", &addr.to_string(), "--data-dir"])
            .arg(dir.path())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !healthy(addr) {
            assert!(Instant::now() < deadline, "sheaf serve did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            addr,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGTERM, then the exit status and every log line.
    fn terminate(mut self) -> (bool, Vec<Value>) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let stderr = self.child.stderr.take().unwrap();
        let lines: Vec<Value> = BufReader::new(stderr)
            .lines()
            .map(|l| {
                let l = l.unwrap();
                serde_json::from_str(&l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))
            })
            .collect();
        let status = self.child.wait().unwrap();
        (status.success(), lines)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn submit(server: &str, circuit: &str, i: usize) -> Output {
    let vk = fixture(circuit, "verification_key.json");
    let proof = fixture(circuit, &format!("proof_{i}.json"));
    let public = fixture(circuit, &format!("public_{i}.json"));
    let args = [
        "submit",
        "--server",
        server,
        "--vk",
        vk.to_str().unwrap(),
        "--proof",
        proof.to_str().unwrap(),
        "--public",
        public.to_str().unwrap(),
    ];
    sheaf(&args)
}

#[test]
fn submit_status_and_inclusion_against_a_running_service() {
    let server = Server::start();
    let url = server.url();

    let first = submit(&url, "cubic", 0);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let id: u64 = text(&first.stdout).trim().parse().unwrap();
    assert!(
        text(&first.stderr).contains("accepted: epoch 1"),
        "{}",
        text(&first.stderr)
    );
    let again = submit(&url, "cubic", 0);
    assert_eq!(text(&again.stdout).trim(), id.to_string());
    assert!(text(&again.stderr).contains("already accepted"));

    // A false statement: refused by the service (exit 1) with its code.
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("public.json");
    std::fs::copy(fixture("cubic", "public_1.json"), &wrong).unwrap();
    let out = sheaf(&[
        "submit",
        "--server",
        &url,
        "--vk",
        fixture("cubic", "verification_key.json").to_str().unwrap(),
        "--proof",
        fixture("cubic", "proof_0.json").to_str().unwrap(),
        "--public",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("422 invalid_proof"),
        "{}",
        text(&out.stderr)
    );
    // A malformed file is named and never sent (exit 2).
    let broken = dir.path().join("proof.json");
    std::fs::write(&broken, "{\"pi_a\": 1}").unwrap();
    let out = sheaf(&[
        "submit",
        "--server",
        &url,
        "--vk",
        fixture("cubic", "verification_key.json").to_str().unwrap(),
        "--proof",
        broken.to_str().unwrap(),
        "--public",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("proof.json"),
        "{}",
        text(&out.stderr)
    );

    // Status while the epoch is open, then sealed by a second proof.
    let out = sheaf(&["status", "--server", &url, &id.to_string()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with(&format!("proof {id}: verified")),
        "{}",
        text(&out.stdout)
    );
    let out = sheaf(&["status", "--server", &url, "999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("404 unknown_proof"));
    assert_eq!(submit(&url, "chain", 3).status.code(), Some(0));
    let out = sheaf(&["status", "--server", &url, "--json", &id.to_string()]);
    let status_json = out.stdout.clone();
    let view: Value = serde_json::from_slice(&status_json).unwrap();
    assert_eq!(view["status"], "sealed");
    let human = text(&sheaf(&["status", "--server", &url, &id.to_string()]).stdout);
    assert!(human.contains("merkle_path 1 siblings"), "{human}");

    // Inclusion from the status document, with the statement recomputed from the files.
    let vk = fixture("cubic", "verification_key.json");
    let public = fixture("cubic", "public_0.json");
    let out = sheaf_stdin(
        &[
            "inclusion",
            "verify",
            "--status",
            "-",
            "--vk",
            vk.to_str().unwrap(),
            "--public",
            public.to_str().unwrap(),
        ],
        &status_json,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("included: leaf"));
    // Another statement's signals: its leaf is not the one the status names.
    let other = fixture("cubic", "public_1.json");
    let out = sheaf_stdin(
        &[
            "inclusion",
            "verify",
            "--status",
            "-",
            "--vk",
            vk.to_str().unwrap(),
            "--public",
            other.to_str().unwrap(),
        ],
        &status_json,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    // The same check from flags; then a wrong index and a tampered sibling.
    let path: Vec<&str> = view["merkle_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let (root, leaf) = (
        view["root"].as_str().unwrap(),
        view["leaf"].as_str().unwrap(),
    );
    let index = view["leaf_index"].to_string();
    let flags = |index: &str, path: &str| {
        sheaf(&[
            "inclusion",
            "verify",
            "--root",
            root,
            "--leaf",
            leaf,
            "--index",
            index,
            "--path",
            path,
        ])
    };
    assert_eq!(flags(&index, &path.join(",")).status.code(), Some(0));
    let flipped = (1 - view["leaf_index"].as_u64().unwrap()).to_string();
    let out = flags(&flipped, &path.join(","));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("not included"));
    let mut tampered = path[0].to_owned();
    tampered.replace_range(65..66, if tampered.ends_with('0') { "1" } else { "0" });
    assert_eq!(flags(&index, &tampered).status.code(), Some(1));
    let out = flags(&index, "0x12");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("path: `0x12`"));
    let out = sheaf(&["inclusion", "verify", "--leaf", leaf]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no root"));

    // SIGTERM: a clean stop, every log line JSON.
    let (clean, logs) = server.terminate();
    assert!(clean, "{logs:?}");
    let messages: Vec<&str> = logs
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str())
        .collect();
    for m in [
        "service started",
        "sheaf serving",
        "epoch sealed",
        "shut down",
    ] {
        assert!(messages.contains(&m), "{m} in {messages:?}");
    }
    assert!(
        logs.iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string())
    );

    // Nobody listening: exit 2.
    let out = submit(&url, "cubic", 1);
    assert_eq!(out.status.code(), Some(2));
    let out = sheaf(&["status", "--server", "https://example.org", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("https is not supported"));
}

#[test]
fn the_demo_proves_submits_and_anchors() {
    let out = sheaf(&[
        "demo",
        "--proofs",
        "5",
        "--constraints",
        "16",
        "--public-signals",
        "3",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("INSECURE"), "{stderr}");
    assert!(stderr.contains("proved 5 statements"), "{stderr}");
    assert!(stderr.contains("submitted 5 proofs"), "{stderr}");
    // The default settlement: anchored on the embedded chain.
    assert!(
        stdout.contains("epoch 1: anchored, 5 proofs, root 0x"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with("  ok")).count(),
        5,
        "{stdout}"
    );
    assert!(stdout.contains("anchored by batch: tx 0x"), "{stdout}");
    assert!(stdout.contains("gas per proof: "), "{stdout}");
    assert!(
        stdout.contains("227893"),
        "gas of verifying each proof alone at ℓ = 3: {stdout}"
    );

    let out = sheaf(&[
        "demo",
        "--proofs",
        "2",
        "--constraints",
        "16",
        "--settlement",
        "none",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("epoch 1: sealed, 2 proofs, root 0x"),
        "{stdout}"
    );
    assert!(stdout.contains("settlement: none"), "{stdout}");
}
