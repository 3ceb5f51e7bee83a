//! The built `sheaf` binary against the committed snarkjs fixtures
//! (`aggregator/testdata/snarkjs/`, made by `ci/fixtures.sh`): a valid proof exits 0 with
//! "valid", a false statement exits 1 with "invalid", and unreadable, oversized or malformed
//! files exit 2 naming the file and the reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sheaf_aggregator::snarkjs::MAX_JSON_BYTES;

/// The fixtures of one circuit.
fn fixture(circuit: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../aggregator/testdata/snarkjs")
        .join(circuit)
        .join(file)
}

/// A fresh folder for one test's files, under Cargo's scratch folder for integration tests.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sheaf-cli")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies `circuit`'s key, proof 0 and its public signals into `dir` as
/// `verification_key.json`, `proof.json` and `public.json`.
fn copy_fixture(circuit: &str, dir: &Path) {
    for (from, to) in [
        ("verification_key.json", "verification_key.json"),
        ("proof_0.json", "proof.json"),
        ("public_0.json", "public.json"),
    ] {
        fs::copy(fixture(circuit, from), dir.join(to)).unwrap();
    }
}

/// Runs `sheaf verify` in `dir` with relative file names, so messages name them as given.
fn verify_in(dir: &Path, vk: &str, proof: &str, public: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sheaf"))
        .current_dir(dir)
        .args(["verify", "--vk", vk, "--proof", proof, "--public", public])
        .output()
        .unwrap()
}

fn verify(dir: &Path) -> Output {
    verify_in(dir, "verification_key.json", "proof.json", "public.json")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}
fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Edits a JSON file in place.
fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

#[test]
fn valid_proofs_exit_0() {
    for circuit in ["multiplier", "chain", "poly_eval"] {
        let dir = scratch(&format!("valid-{circuit}"));
        copy_fixture(circuit, &dir);
        let out = verify(&dir);
        assert_eq!(out.status.code(), Some(0), "{circuit}: {}", stderr(&out));
        assert_eq!(stdout(&out), "valid\n");
        assert_eq!(stderr(&out), "");
    }
    // Absolute paths straight into the committed fixtures work as well.
    let out = Command::new(env!("CARGO_BIN_EXE_sheaf"))
        .arg("verify")
        .arg("--vk")
        .arg(fixture("chain", "verification_key.json"))
        .arg("--proof")
        .arg(fixture("chain", "proof_3.json"))
        .arg("--public")
        .arg(fixture("chain", "public_3.json"))
        .output()
        .unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out)),
        (Some(0), "valid\n".into())
    );
}

#[test]
fn false_statements_exit_1() {
    let dir = scratch("invalid");
    copy_fixture("chain", &dir);
    // The public step k (the last signal) plus one: well-formed, but not what was proved.
    edit_json(&dir.join("public.json"), |v| {
        let k: u64 = v[2].as_str().unwrap().parse().unwrap();
        v[2] = (k + 1).to_string().into();
    });
    let out = verify(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "invalid\n");

    // A valid proof of another circuit with the same number of public signals.
    let dir = scratch("other-circuit");
    copy_fixture("cubic", &dir);
    fs::copy(
        fixture("multiplier", "verification_key.json"),
        dir.join("verification_key.json"),
    )
    .unwrap();
    let out = verify(&dir);
    assert_eq!(
        (out.status.code(), stdout(&out)),
        (Some(1), "invalid\n".into())
    );
}

/// A change made to one file's JSON.
type Edit = fn(&mut serde_json::Value);

#[test]
fn malformed_files_exit_2_with_the_reason() {
    let cases: [(&str, Edit, &str); 5] = [
        (
            "proof.json",
            |v| v["pi_a"][1] = "1".into(),
            "proof.json: pi_a: point is not on the curve\n",
        ),
        (
            "proof.json",
            |v| v["protocol"] = "plonk".into(),
            "proof.json: unsupported protocol `plonk` (expected \"groth16\")\n",
        ),
        (
            "verification_key.json",
            |v| v["IC"].as_array_mut().unwrap().truncate(1),
            "verification_key.json: nPublic is 3 but IC has 1 points (expected nPublic + 1, nPublic ≤ 1024)\n",
        ),
        (
            "public.json",
            |v| v.as_array_mut().unwrap().push("0".into()),
            "public.json: expected 3 public signals, found 4\n",
        ),
        (
            "public.json",
            |v| v[0] = "0x1".into(),
            "public.json: public_signals[0]: `0x1` is not a canonical decimal number\n",
        ),
    ];
    for (i, (file, edit, message)) in cases.into_iter().enumerate() {
        let dir = scratch(&format!("malformed-{i}"));
        copy_fixture("chain", &dir);
        edit_json(&dir.join(file), edit);
        let out = verify(&dir);
        assert_eq!(out.status.code(), Some(2), "{message}");
        assert_eq!(stderr(&out), message);
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn unreadable_and_oversized_files_exit_2() {
    let dir = scratch("unreadable");
    copy_fixture("multiplier", &dir);
    let out = verify_in(&dir, "verification_key.json", "missing.json", "public.json");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("missing.json: "), "{err}");
    assert!(err.contains("os error"), "{err}");

    // A folder cannot be read as a file.
    fs::create_dir(dir.join("folder.json")).unwrap();
    let out = verify_in(&dir, "folder.json", "proof.json", "public.json");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("folder.json: "),
        "{}",
        stderr(&out)
    );

    // One byte over the limit (valid JSON padded with spaces) is refused by its size.
    let mut big = fs::read(dir.join("proof.json")).unwrap();
    big.resize(MAX_JSON_BYTES + 1, b' ');
    fs::write(dir.join("proof.json"), big).unwrap();
    let out = verify(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "proof.json: input is {} bytes, more than the {MAX_JSON_BYTES} accepted\n",
            MAX_JSON_BYTES + 1
        )
    );
}

#[test]
fn version_and_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_sheaf"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        format!("sheaf {}\n", env!("CARGO_PKG_VERSION"))
    );
    // A missing argument is a usage error (clap's exit status 2).
    let out = Command::new(env!("CARGO_BIN_EXE_sheaf"))
        .args(["verify", "--vk", "vk.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--proof"), "{}", stderr(&out));
}
