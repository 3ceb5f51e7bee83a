//! `sheaf demo`: the whole path on one machine. It starts a service in this process on a free
//! loopback port with a temporary data directory, makes an (INSECURE) development setup for a
//! small circuit (a chain of squarings, [`MulChain`]), proves fresh statements with our prover,
//! submits them over HTTP, waits for their epoch to seal (and, in a settlement mode that
//! anchors, to be anchored), checks every proof's Merkle path and prints what happened.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use sheaf_aggregator::prover::{MulChain, Prover, R1cs, dev_setup};
use sheaf_aggregator::{public_signals_to_json, verify_path};
use sheaf_kernels::Backend;
use tokio::task::JoinSet;

use crate::cli::{EXIT_ERROR, EXIT_VALID};
use crate::client::Client;
use crate::hex32::parse_hex32;
use crate::serve::{Running, ServeArgs, Service};
use crate::settlement::SettlementMode;

/// Submissions in flight at once.
const CONCURRENCY: usize = 8;
/// Gas of one snarkjs Groth16 verifier call with ℓ public signals: 207,550 + 6,781·ℓ
/// (`shared/ANCHORS.md`, measured in revm).
const VERIFIER_GAS_BASE: u64 = 207_550;
const VERIFIER_GAS_PER_SIGNAL: u64 = 6_781;

/// Options of `sheaf demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Proofs to make and submit (they fill one epoch).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub proofs: u64,
    /// Constraints of the demo circuit.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub constraints: u64,
    /// Public signals of each statement.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=32))]
    pub public_signals: u64,
    /// Settlement mode of the service.
    #[arg(long, value_enum, default_value_t = SettlementMode::Batch)]
    pub settlement: SettlementMode,
    /// Keep the data directory (its path is printed) instead of deleting it.
    #[arg(long)]
    pub keep_data: bool,
}

/// Runs the demo; exit 0 when every proof was accepted and its path checks.
pub fn demo(args: &DemoArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(err, "sheaf demo: {e}");
            return EXIT_ERROR;
        }
    };
    match runtime.block_on(run(args, out, err)) {
        Ok(()) => EXIT_VALID,
        Err(e) => {
            let _ = writeln!(err, "sheaf demo: {e:#}");
            EXIT_ERROR
        }
    }
}

fn bar(len: u64, prefix: &'static str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{prefix:>10} [{bar:40}] {pos}/{len} {elapsed_precise}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(prefix);
    bar
}

async fn run(args: &DemoArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let n = usize::try_from(args.proofs)?;
    let (k, l) = (
        usize::try_from(args.constraints)?,
        usize::try_from(args.public_signals)?,
    );
    let dir = tempfile::Builder::new().prefix("sheaf-demo-").tempdir()?;
    let mut serve = ServeArgs::with_data_dir(dir.path());
    serve.listen = ([127, 0, 0, 1], 0).into();
    serve.epoch_max_proofs = args.proofs;
    serve.epoch_seconds = 3600;
    serve.settlement = args.settlement;
    serve.rate_limit = 0.0;
    let running = Running::spawn(&serve, Service::start(&serve).await?).await?;
    let server = format!("http://{}", running.addr);
    writeln!(
        err,
        "service: {server} (settlement {}), data in {}",
        args.settlement.name(),
        dir.path().display()
    )?;

    writeln!(
        err,
        "setup: INSECURE development keys for a {k}-constraint circuit with {l} public signals \
         (whoever knows the setup randomness can forge proofs; for demonstration only)"
    )?;
    let started = Instant::now();
    let prover = tokio::task::spawn_blocking(move || {
        let r1cs = R1cs::from_circuit(MulChain::new(k, l, 0))?;
        let pk = dev_setup(&r1cs, &mut rand::thread_rng())?;
        Prover::new(pk, r1cs)
    })
    .await??;
    let prover = Arc::new(prover);
    let vk_json = prover.verifying_key().to_snarkjs_json();
    writeln!(
        err,
        "setup done in {:.2} s",
        started.elapsed().as_secs_f64()
    )?;

    // Fresh statements every run: the circuit's start value comes from the seed.
    let seed_base: u64 = rand::random::<u64>() >> 1;
    let proving = bar(args.proofs, "proving");
    let started = Instant::now();
    let bodies = {
        let (prover, proving) = (Arc::clone(&prover), proving.clone());
        tokio::task::spawn_blocking(move || {
            let backend = Backend::detect();
            let mut rng = rand::thread_rng();
            (0..n as u64)
                .map(|i| {
                    let circuit = MulChain::new(k, l, seed_base + i);
                    let signals = circuit.public_inputs();
                    let proof = prover.prove(&backend, circuit, &mut rng)?;
                    proving.inc(1);
                    Ok(proof_body(
                        &proof.to_snarkjs_json(),
                        &public_signals_to_json(&signals),
                    ))
                })
                .collect::<anyhow::Result<Vec<Bytes>>>()
        })
        .await??
    };
    proving.finish_and_clear();
    writeln!(
        err,
        "proved {n} statements in {:.2} s",
        started.elapsed().as_secs_f64()
    )?;

    let client = Client::new(&server, None)?;
    let (_, registered) = client.post("/v1/vks", Bytes::from(vk_json)).await?;
    let vk_hash = registered["vk_hash"]
        .as_str()
        .context("no vk_hash in the answer")?
        .to_owned();
    let submitting = bar(args.proofs, "submitting");
    let started = Instant::now();
    let mut answers = vec![Value::Null; n];
    let mut tasks = JoinSet::new();
    for (i, body) in bodies.into_iter().enumerate() {
        if tasks.len() >= CONCURRENCY
            && let Some(done) = tasks.join_next().await
        {
            let (j, answer) = done?;
            answers[j] = answer?;
            submitting.inc(1);
        }
        let (client, vk_hash) = (client.clone(), vk_hash.clone());
        tasks.spawn(async move {
            let body = with_key(&body, &vk_hash);
            (i, client.post("/v1/proofs", body).await.map(|(_, v)| v))
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (j, answer) = done?;
        answers[j] = answer?;
        submitting.inc(1);
    }
    submitting.finish_and_clear();
    writeln!(
        err,
        "submitted {n} proofs in {:.2} s ({:.0}/s), all verified and stored",
        started.elapsed().as_secs_f64(),
        n as f64 / started.elapsed().as_secs_f64()
    )?;

    let epoch = answers[0]["epoch"]
        .as_i64()
        .context("no epoch in the answer")?;
    let view = wait_for_epoch(&client, epoch, args.settlement, err).await?;
    let root = view["root"]
        .as_str()
        .context("sealed epoch without a root")?;
    writeln!(
        out,
        "epoch {epoch}: {}, {} proofs, root {root}",
        view["state"].as_str().unwrap_or("?"),
        view["proof_count"]
    )?;
    let root = parse_hex32(root).context("root is not 0x-hex")?;
    writeln!(
        out,
        "{:>8}  {:>10}  {:<66}  inclusion",
        "id", "leaf_index", "leaf"
    )?;
    let mut all_included = true;
    answers.sort_by_key(|a| a["id"].as_i64());
    for answer in &answers {
        let id = answer["id"].as_i64().context("no id in an answer")?;
        let (_, p) = client.get(&format!("/v1/proofs/{id}")).await?;
        let leaf = p["leaf"].as_str().and_then(parse_hex32);
        let index = p["leaf_index"].as_u64();
        let path: Option<Vec<_>> = p["merkle_path"].as_array().map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().and_then(parse_hex32))
                .collect()
        });
        let included = match (leaf, index, path) {
            (Some(leaf), Some(index), Some(path)) => verify_path(&root, &leaf, index, &path),
            _ => false,
        };
        all_included &= included;
        writeln!(
            out,
            "{id:>8}  {:>10}  {:<66}  {}",
            index.map_or_else(|| "-".to_owned(), |i| i.to_string()),
            p["leaf"].as_str().unwrap_or("?"),
            if included { "ok" } else { "FAILED" }
        )?;
    }
    print_settlement(out, &view, n, l)?;
    running.stop().await?;
    if args.keep_data {
        let kept = dir.keep();
        writeln!(err, "data kept in {}", kept.display())?;
    }
    anyhow::ensure!(
        all_included,
        "a Merkle path did not lead to the epoch's root"
    );
    Ok(())
}

/// A submission body without its key (added by [`with_key`] once the key is registered).
fn proof_body(proof_json: &str, signals_json: &str) -> Bytes {
    Bytes::from(format!(
        "{{\"proof\":{proof_json},\"public_signals\":{signals_json}}}"
    ))
}

fn with_key(body: &Bytes, vk_hash: &str) -> Bytes {
    let mut value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    value["vk_hash"] = json!(vk_hash);
    Bytes::from(value.to_string())
}

/// Polls the epoch until it is sealed, or, when `mode` anchors, until it is anchored or has
/// failed; reports each state it sees.
async fn wait_for_epoch(
    client: &Client,
    epoch: i64,
    mode: SettlementMode,
    err: &mut dyn Write,
) -> anyhow::Result<Value> {
    let anchors = mode.anchors();
    let deadline = Instant::now() + Duration::from_secs(if anchors { 900 } else { 60 });
    let mut last = String::new();
    loop {
        let (_, view) = client.get(&format!("/v1/epochs/{epoch}")).await?;
        let state = view["state"].as_str().unwrap_or_default().to_owned();
        if state != last {
            writeln!(err, "epoch {epoch}: {state}")?;
            last.clone_from(&state);
        }
        let done = match state.as_str() {
            "open" => false,
            "sealed" | "settling" => !anchors,
            _ => true,
        };
        if done {
            return Ok(view);
        }
        anyhow::ensure!(Instant::now() < deadline, "epoch {epoch} is still {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Prints how the epoch was settled on the base layer. This is where a settlement mode's
/// results appear: the anchoring transaction, its block, and gas per proof against verifying
/// each proof on its own.
fn print_settlement(
    out: &mut dyn Write,
    epoch: &Value,
    proofs: usize,
    public_signals: usize,
) -> std::io::Result<()> {
    let individual = VERIFIER_GAS_BASE + VERIFIER_GAS_PER_SIGNAL * public_signals as u64;
    match epoch["state"].as_str() {
        Some("anchored") => {
            let gas = epoch["gas_used"].as_u64().unwrap_or(0);
            let per_proof = gas / proofs.max(1) as u64;
            writeln!(
                out,
                "anchored by {}: tx {}, block {}, gas {gas}",
                epoch["settlement"].as_str().unwrap_or("?"),
                epoch["tx_hash"].as_str().unwrap_or("?"),
                epoch["block"]
            )?;
            writeln!(
                out,
                "gas per proof: {per_proof} (+ each rollup's verifyInclusion call) vs {individual} \
                 to verify each proof on its own ({:.1}x)",
                individual as f64 / per_proof.max(1) as f64
            )
        }
        Some("failed") => writeln!(
            out,
            "settlement failed after {} attempts: {}",
            epoch["attempts"],
            epoch["failure"].as_str().unwrap_or("?")
        ),
        _ => writeln!(
            out,
            "settlement: none (epochs stop at sealed). With a base-layer settlement mode \
             (--settlement) the anchoring transaction, its block and the gas per proof \
             (against {individual} to verify each proof on its own) are printed here."
        ),
    }
}
