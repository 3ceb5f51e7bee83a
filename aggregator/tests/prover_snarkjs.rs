//! Proofs from our prover, exported as snarkjs JSON, checked by snarkjs itself
//! (`snarkjs groth16 verify`, from `ci/js`, installed by `npm ci` there).
//!
//! Without Node or the installed snarkjs the test prints `SKIP <reason>`;
//! `SHEAF_REQUIRE_SNARKJS=1` (set by `ci/test.sh`) turns that skip into a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use ark_ff::One;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::prover::{MulChain, Prover, R1cs, dev_setup};
use sheaf_aggregator::snarkjs::public_signals_to_json;
use sheaf_kernels::{Backend, BackendKind};

fn snarkjs_cli() -> Result<PathBuf, String> {
    let cli =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/js/node_modules/snarkjs/build/cli.cjs");
    if !cli.exists() {
        return Err(format!(
            "{} is missing (run `npm ci` in ci/js)",
            cli.display()
        ));
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(cli),
        _ => Err("node is not installed".into()),
    }
}

/// Runs `snarkjs groth16 verify` and returns whether it printed `OK!` with exit code 0.
fn snarkjs_verifies(cli: &Path, dir: &Path, vk: &str, proof: &str, public: &str) -> bool {
    std::fs::write(dir.join("vk.json"), vk).unwrap();
    std::fs::write(dir.join("proof.json"), proof).unwrap();
    std::fs::write(dir.join("public.json"), public).unwrap();
    let out = Command::new("node")
        .arg(cli)
        .args(["groth16", "verify", "vk.json", "public.json", "proof.json"])
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    out.status.success() && stdout.contains("OK!")
}

#[test]
fn snarkjs_accepts_our_proofs_and_rejects_wrong_statements() {
    let cli = match snarkjs_cli() {
        Ok(cli) => cli,
        Err(reason) => {
            assert!(
                std::env::var("SHEAF_REQUIRE_SNARKJS").as_deref() != Ok("1"),
                "snarkjs is required (SHEAF_REQUIRE_SNARKJS=1) but unavailable: {reason}"
            );
            println!("SKIP snarkjs check: {reason}");
            return;
        }
    };
    let dir = std::env::temp_dir().join(format!("sheaf-snarkjs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let backend = Backend::new(BackendKind::Cpu).unwrap();
    for (steps, num_public) in [(500, 1), (1000, 3), (250, 8)] {
        let circuit = MulChain::new(steps, num_public, steps as u64);
        let r1cs = R1cs::from_circuit(circuit.clone()).unwrap();
        let pk = dev_setup(&r1cs, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
        let prover = Prover::new(pk, r1cs).unwrap();
        let inputs = circuit.public_inputs();
        let proof = prover
            .prove(&backend, circuit, &mut ChaCha20Rng::seed_from_u64(2))
            .unwrap();
        let vk = prover.verifying_key().to_snarkjs_json();
        let proof = proof.to_snarkjs_json();
        assert!(
            snarkjs_verifies(&cli, &dir, &vk, &proof, &public_signals_to_json(&inputs)),
            "snarkjs rejects our proof ({steps} steps, {num_public} public)"
        );
        let mut wrong = inputs.clone();
        wrong[0] += ark_bn254::Fr::one();
        assert!(
            !snarkjs_verifies(&cli, &dir, &vk, &proof, &public_signals_to_json(&wrong)),
            "snarkjs accepts our proof for a wrong statement"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
