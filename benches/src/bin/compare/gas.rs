//! `compare gas`: what anchoring costs on the base layer, per proof, measured in revm.
//!
//! For every fixture circuit (`aggregator/testdata/snarkjs/`) and n proofs (default 1, 8, 64,
//! 256), on one in-process chain (Cancun rules, so a call's gas is execution plus standard
//! calldata pricing and nothing else):
//!
//! - baseline: the snarkjs-exported verifier of the circuit's key
//!   (`contracts/out/snarkjs/<circuit>.bin`), one `verifyProof` call per proof;
//! - `batch`: one `SheafAnchor.anchorBatch` transaction for all n proofs, its total gas divided
//!   by n, plus one `verifyInclusion` call (the mean over up to 16 leaves).
//!
//! A call's gas is the transaction's gas without the 21,000 base (the rollup makes it inside
//! its own transaction), as `shared/DESIGN.md` counts it; the epoch transaction is counted in
//! full. Proofs beyond the 12 committed per circuit are re-randomised copies
//! (`A' = t·A`, `B' = t⁻¹·B`), valid proofs of the same statements.

use std::path::PathBuf;

use alloy_primitives::keccak256;
use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::CurveGroup;
use ark_ff::{BigInteger, Field, PrimeField, UniformRand};
use clap::Args;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use sheaf_aggregator::{AnchorBatch, Proof, VerifyingKey, public_signals_from_json};
use sheaf_api::chain::contract::{self, anchor_batch_calldata, verify_inclusion_calldata};
use sheaf_api::chain::embedded::{EmbeddedChain, SpecId};
use sheaf_api::chain::{InclusionQuery, describe_revert};
use sheaf_benches::DEFAULT_SEED;

use crate::{Failure, Reporter};

/// Gas of a transaction's base, not counted for calls made inside a rollup's transaction.
const TX_BASE: u64 = 21_000;
/// `verifyInclusion` calls averaged per case.
const INCLUSION_SAMPLES: usize = 16;

#[derive(Args, Debug)]
pub(crate) struct GasArgs {
    /// Print one JSON object per case on stdout; headers and progress go to stderr.
    #[arg(long)]
    json: bool,

    /// Batch sizes.
    #[arg(long, value_delimiter = ',', default_values_t = [1u64, 8, 64, 256],
          value_parser = clap::value_parser!(u64).range(1..=4096))]
    sizes: Vec<u64>,

    /// Fixture circuits (comma-separated) [default: every circuit with fixtures].
    #[arg(long, value_delimiter = ',')]
    circuits: Vec<String>,

    /// Seed of the re-randomisation.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

#[derive(Serialize)]
struct CaseReport {
    mode: &'static str,
    circuit: String,
    n: usize,
    public_signals: usize,
    gas_per_proof: u64,
    baseline_gas_per_proof: u64,
    ratio: f64,
    anchor_tx_gas: u64,
    anchor_calldata_gas_per_proof: u64,
    inclusion_gas: u64,
    baseline_tx_gas: u64,
}

fn root_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: PathBuf) -> Result<Vec<u8>, Failure> {
    std::fs::read(&path).map_err(|e| Failure::Peer(format!("{}: {e}", path.display())))
}

struct Fixture {
    vk: VerifyingKey,
    proofs: Vec<(Proof, Vec<Fr>)>,
    verifier_code: Vec<u8>,
}

fn load(circuit: &str) -> Result<Fixture, Failure> {
    let dir = root_dir().join("aggregator/testdata/snarkjs").join(circuit);
    let bad = |what: String| Failure::Peer(format!("{circuit}: {what}"));
    let vk = VerifyingKey::from_snarkjs_json(&read(dir.join("verification_key.json"))?)
        .map_err(|e| bad(e.to_string()))?;
    let mut proofs = Vec::new();
    for i in 0.. {
        let p = dir.join(format!("proof_{i}.json"));
        if !p.exists() {
            break;
        }
        let proof = Proof::from_snarkjs_json(&read(p)?).map_err(|e| bad(e.to_string()))?;
        let signals =
            public_signals_from_json(&read(dir.join(format!("public_{i}.json")))?, vk.n_public())
                .map_err(|e| bad(e.to_string()))?;
        proofs.push((proof, signals));
    }
    if proofs.is_empty() {
        return Err(bad("no proofs".into()));
    }
    let bin = read(root_dir().join(format!("contracts/out/snarkjs/{circuit}.bin")))?;
    let verifier_code = hex::decode(String::from_utf8_lossy(&bin).trim())
        .map_err(|e| bad(format!("verifier bytecode: {e}")))?;
    Ok(Fixture {
        vk,
        proofs,
        verifier_code,
    })
}

/// `n` valid proofs: the fixtures, then re-randomised copies.
fn proofs(f: &Fixture, n: usize, rng: &mut ChaCha20Rng) -> Vec<(Proof, Vec<Fr>)> {
    (0..n)
        .map(|i| {
            let (p, s) = &f.proofs[i % f.proofs.len()];
            if i < f.proofs.len() {
                return (p.clone(), s.clone());
            }
            let t = Fr::rand(rng);
            let t_inv = t.inverse().unwrap_or(Fr::ONE);
            let a: G1Affine = (p.a * t).into_affine();
            let b: G2Affine = (p.b * t_inv).into_affine();
            (Proof { a, b, c: p.c }, s.clone())
        })
        .collect()
}

/// Standard calldata gas (EIP-2028): 16 a non-zero byte, 4 a zero byte.
fn calldata_gas(data: &[u8]) -> u64 {
    data.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum()
}

fn word(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

fn chain_error(e: sheaf_api::chain::ChainError) -> Failure {
    Failure::Peer(e.to_string())
}

pub(crate) fn run(args: &GasArgs) -> Result<(), Failure> {
    let report = Reporter { json: args.json };
    report.machine_header()?;
    report.note("# gas per proof on the base layer, revm (Cancun rules); calls without the 21,000 transaction base")?;
    report.note("# baseline: snarkjs Groth16 verifier, one verifyProof call per proof; batch: anchorBatch / n + one verifyInclusion")?;
    report.note("| circuit | ℓ | n | anchorBatch tx | share per proof | calldata per proof | verifyInclusion | batch per proof | snarkjs call | ratio |")?;
    report.note("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    let circuits: Vec<String> = if args.circuits.is_empty() {
        let dir = root_dir().join("aggregator/testdata/snarkjs");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| Failure::Peer(format!("{}: {e}", dir.display())))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("verification_key.json").exists())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    } else {
        args.circuits.clone()
    };
    let mut rng = ChaCha20Rng::seed_from_u64(args.seed);
    for circuit in &circuits {
        let fixture = load(circuit)?;
        let ell = fixture.vk.n_public();
        let selector = keccak256(format!(
            "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{ell}])"
        ));
        for n in args.sizes.iter().map(|&n| n as usize) {
            report.progress(&format!("{circuit}: n = {n}"));
            let chain = EmbeddedChain::ephemeral(SpecId::CANCUN).map_err(chain_error)?;
            let verifier = chain.deploy(&fixture.verifier_code).map_err(chain_error)?;
            let set = proofs(&fixture, n, &mut rng);

            // Baseline: one verifyProof call per proof.
            let mut baseline_total = 0u64;
            for (proof, signals) in &set {
                let mut data = selector[..4].to_vec();
                data.extend_from_slice(&proof.evm_encoding());
                for s in signals {
                    data.extend_from_slice(&word(s));
                }
                let out = chain.transact(verifier, &data).map_err(chain_error)?;
                let ok = out.receipt.success && out.output.len() == 32 && out.output[31] == 1;
                if !ok {
                    return Err(Failure::Mismatch(format!(
                        "{circuit}: the snarkjs verifier rejects a valid proof"
                    )));
                }
                baseline_total += out.receipt.gas_used;
            }
            let baseline_tx = baseline_total.div_ceil(n as u64);
            let baseline = baseline_tx - TX_BASE;

            // Batch mode.
            let batch = AnchorBatch::new(set.iter().map(|(p, s)| (&fixture.vk, p, s.as_slice())))
                .map_err(|e| Failure::Peer(e.to_string()))?;
            let calldata = anchor_batch_calldata(&batch);
            let out = chain
                .transact(chain.anchor_address(), &calldata)
                .map_err(chain_error)?;
            if !out.receipt.success {
                return Err(Failure::Mismatch(format!(
                    "{circuit}, n = {n}: anchorBatch reverted: {}",
                    describe_revert(&out.output)
                )));
            }
            let anchor_tx = out.receipt.gas_used;
            let tree = batch.tree();
            let vk_hash = fixture.vk.vk_hash();
            let step = n.div_ceil(INCLUSION_SAMPLES).max(1);
            let mut inclusion_total = 0u64;
            let mut samples = 0u64;
            for i in (0..n).step_by(step) {
                let q = InclusionQuery {
                    root: tree.root(),
                    vk_hash,
                    public_signals: set[i].1.iter().map(word).collect(),
                    path: tree.path(i).unwrap_or_default(),
                    index: i as u64,
                };
                let res = chain
                    .call(chain.anchor_address(), &verify_inclusion_calldata(&q))
                    .map_err(chain_error)?;
                let gas = res.receipt.gas_used;
                let ok = res
                    .into_output()
                    .ok()
                    .and_then(|o| contract::decode_verify_inclusion(&o).ok())
                    .unwrap_or(false);
                if !ok {
                    return Err(Failure::Mismatch(format!(
                        "{circuit}, n = {n}: verifyInclusion rejects leaf {i}"
                    )));
                }
                inclusion_total += gas - TX_BASE;
                samples += 1;
            }
            let inclusion = inclusion_total.div_ceil(samples);
            let share = anchor_tx.div_ceil(n as u64);
            let ours = share + inclusion;
            let ratio = baseline as f64 / ours as f64;
            let calldata_share = calldata_gas(&calldata).div_ceil(n as u64);
            let case = CaseReport {
                mode: "batch",
                circuit: circuit.clone(),
                n,
                public_signals: ell,
                gas_per_proof: ours,
                baseline_gas_per_proof: baseline,
                ratio: (ratio * 1000.0).round() / 1000.0,
                anchor_tx_gas: anchor_tx,
                anchor_calldata_gas_per_proof: calldata_share,
                inclusion_gas: inclusion,
                baseline_tx_gas: baseline_tx,
            };
            let row = format!(
                "| {circuit} | {ell} | {n} | {anchor_tx} | {share} | {calldata_share} | {inclusion} | {ours} | {baseline} | {ratio:.2} |"
            );
            report.case(&case, &row)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calldata_pricing() {
        assert_eq!(calldata_gas(&[0, 1, 0, 255]), 4 + 16 + 4 + 16);
    }
}
