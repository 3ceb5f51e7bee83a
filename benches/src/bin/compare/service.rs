//! `compare service`: the whole submission path of `sheaf serve` under load, over loopback HTTP,
//! against the bare cost of verifying the same proofs one by one with ark-groth16.
//!
//! - `rate=R`: an open-loop generator sends R submissions per second for `--seconds`, each at
//!   its scheduled time over one of `--connections` keep-alive connections; latency counts
//!   from the scheduled time (so a generator or service that falls behind shows it, instead of
//!   hiding it by sending less).
//! - `max`: `--connections` closed-loop clients send as fast as answers come back.
//! - `peer`: ark-groth16 `verify_with_processed_vk` on all cores over the same proofs, once
//!   each: what checking them costs with no HTTP, batching or storage; the ratio is ours
//!   accepted/s over the peer's verified/s.
//! - `backlog=N` (with `--backlog N`): N submissions as fast as possible, then the process's
//!   resident memory before and after (the proofs are in the database, not in memory).
//!
//! Every submission is a distinct valid proof: the committed snarkjs fixtures (4 circuits × 12
//! statements) re-randomised as B' = B + k·δ, C' = C + k·A, which verifies for the same
//! statement since e(A, kδ) = e(kA, δ). The service runs in this process on its own runtime
//! with a temporary SQLite database (or `--database-url`), settlement `none`, rate limits off.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use bytes::Bytes;
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rayon::prelude::*;
use serde::Serialize;
use sheaf_aggregator::{Proof, VerifyingKey, public_signals_from_json, public_signals_to_json};
use sheaf_api::serve::{Running, ServeArgs, Service};

use crate::{Failure, Reporter, round4};

const CIRCUITS: [&str; 4] = ["multiplier", "cubic", "chain", "poly_eval"];
const FIXTURES_PER_CIRCUIT: usize = 12;
const PEER: &str = "ark-groth16";

#[derive(Args, Debug)]
pub(crate) struct ServiceArgs {
    /// Print one JSON object per case on stdout; headers and progress go to stderr.
    #[arg(long)]
    json: bool,
    /// Offered rates (submissions per second) of the open-loop cases.
    #[arg(long, value_delimiter = ',', default_values_t = [1000u32, 3000])]
    rates: Vec<u32>,
    /// Seconds each open-loop case runs.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Seconds of the closed-loop `max` case (0: skip it).
    #[arg(long, default_value_t = 10.0)]
    max_seconds: f64,
    /// Keep-alive connections of the generator.
    #[arg(long, default_value_t = 256)]
    connections: usize,
    /// Submissions of the backlog case (0: skip it).
    #[arg(long, default_value_t = 0)]
    backlog: usize,
    /// PostgreSQL URL for the service's store instead of a temporary SQLite database.
    #[arg(long)]
    database_url: Option<String>,
    /// The service's batch window in milliseconds.
    #[arg(long, default_value_t = 2)]
    batch_window_ms: u64,
    /// The service's largest batch.
    #[arg(long, default_value_t = 256)]
    max_batch: u64,
}

/// One finished load case.
#[derive(Serialize, Debug, Default)]
struct LoadReport {
    bench: String,
    offered_per_s: Option<f64>,
    seconds: f64,
    sent: usize,
    accepted: usize,
    accepted_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Fraction of submissions sent within 1 ms of their scheduled time (open loop).
    on_time: Option<f64>,
    errors: BTreeMap<String, usize>,
    peer: &'static str,
    peer_verified_per_s: f64,
    ratio: f64,
}

/// The backlog case.
#[derive(Serialize, Debug)]
struct BacklogReport {
    bench: String,
    accepted: usize,
    accepted_per_s: f64,
    rss_mib_before: f64,
    rss_mib_after: f64,
    rss_mib_peak: f64,
    database_mib: Option<f64>,
    epochs_sealed: i64,
}

/// A fixture key with its registered hash.
struct Key {
    vk: VerifyingKey,
    hash: String,
}

/// The submissions: distinct valid proofs, as request bodies, plus the same proofs for the peer.
struct Workload {
    bodies: Vec<Bytes>,
    peer: Vec<(usize, ark_groth16::Proof<Bn254>, Vec<Fr>)>,
    keys: Vec<Key>,
}

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../aggregator/testdata/snarkjs")
}

fn read(circuit: &str, file: &str) -> Result<Vec<u8>, Failure> {
    let path = fixtures_dir().join(circuit).join(file);
    std::fs::read(&path).map_err(|e| Failure::Peer(format!("{}: {e}", path.display())))
}

fn bad(e: impl std::fmt::Display) -> Failure {
    Failure::Mismatch(e.to_string())
}

impl Workload {
    /// `count` distinct valid submissions, cycling through the fixtures.
    fn new(count: usize) -> Result<Self, Failure> {
        let mut keys = Vec::new();
        let mut bases = Vec::new();
        for (c, circuit) in CIRCUITS.iter().enumerate() {
            let vk = VerifyingKey::from_snarkjs_json(&read(circuit, "verification_key.json")?)
                .map_err(bad)?;
            for i in 0..FIXTURES_PER_CIRCUIT {
                let proof = Proof::from_snarkjs_json(&read(circuit, &format!("proof_{i}.json"))?)
                    .map_err(bad)?;
                let signals = public_signals_from_json(
                    &read(circuit, &format!("public_{i}.json"))?,
                    vk.n_public(),
                )
                .map_err(bad)?;
                bases.push((c, proof, signals));
            }
            keys.push(Key {
                hash: format!("0x{}", hex_encode(&vk.vk_hash())),
                vk,
            });
        }
        let per_base = count.div_ceil(bases.len());
        // Proof k of a base: B + k·δ, C + k·A, k = 1, 2, … (k = 0 would repeat the fixture).
        let derived: Vec<Vec<(usize, Proof, Vec<Fr>)>> = bases
            .par_iter()
            .map(|(c, proof, signals)| {
                let delta = G2Projective::from(keys[*c].vk.delta_g2);
                let a = G1Projective::from(proof.a);
                let mut b = G2Projective::from(proof.b);
                let mut cc = G1Projective::from(proof.c);
                let mut bs = Vec::with_capacity(per_base);
                let mut cs = Vec::with_capacity(per_base);
                for _ in 0..per_base {
                    b += delta;
                    cc += a;
                    bs.push(b);
                    cs.push(cc);
                }
                let bs = G2Projective::normalize_batch(&bs);
                let cs = G1Projective::normalize_batch(&cs);
                bs.into_iter()
                    .zip(cs)
                    .map(|(b, c2)| {
                        let p = Proof {
                            a: proof.a,
                            b,
                            c: c2,
                        };
                        (*c, p, signals.clone())
                    })
                    .collect()
            })
            .collect();
        // Interleave the bases so consecutive submissions use different keys and statements.
        let mut proofs = Vec::with_capacity(count);
        'fill: for k in 0..per_base {
            for base in &derived {
                if proofs.len() == count {
                    break 'fill;
                }
                proofs.push(base[k].clone());
            }
        }
        let bodies = proofs
            .par_iter()
            .map(|(c, p, s)| {
                Bytes::from(format!(
                    "{{\"vk_hash\":\"{}\",\"proof\":{},\"public_signals\":{}}}",
                    keys[*c].hash,
                    p.to_snarkjs_json(),
                    public_signals_to_json(s)
                ))
            })
            .collect();
        let peer = proofs
            .into_iter()
            .map(|(c, p, s)| (c, (&p).into(), s))
            .collect();
        Ok(Self { bodies, peer, keys })
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// ark-groth16 verifying every proof of the workload once on all cores: proofs per second.
fn peer_rate(w: &Workload, limit: usize) -> Result<f64, Failure> {
    let pvks: Vec<_> = w
        .keys
        .iter()
        .map(|k| ark_groth16::prepare_verifying_key(&(&k.vk).into()))
        .collect();
    let n = w.peer.len().min(limit);
    let started = Instant::now();
    let ok = w.peer[..n]
        .par_iter()
        .map(|(c, p, s)| Groth16::<Bn254>::verify_with_processed_vk(&pvks[*c], s, p))
        .filter(|r| matches!(r, Ok(true)))
        .count();
    let took = started.elapsed().as_secs_f64();
    if ok != n {
        return Err(Failure::Peer(format!(
            "{PEER} rejects {} valid proofs",
            n - ok
        )));
    }
    Ok(n as f64 / took)
}

/// One keep-alive HTTP/1.1 connection.
async fn connect(
    addr: SocketAddr,
) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

/// Sends one submission; its HTTP status (0 when the connection failed).
async fn post(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    body: Bytes,
) -> u16 {
    let request = hyper::Request::post(format!("http://{addr}/v1/proofs"))
        .header("content-type", "application/json")
        .header("host", addr.to_string())
        .body(Full::new(body));
    let Ok(request) = request else { return 0 };
    if sender.ready().await.is_err() {
        return 0;
    }
    match sender.send_request(request).await {
        Ok(response) => {
            let status = response.status().as_u16();
            let _ = response.into_body().collect().await;
            status
        }
        Err(_) => 0,
    }
}

/// Outcome of one load case: per-submission (latency ms, status, late ms).
struct Samples {
    results: Vec<(f64, u16, f64)>,
    elapsed: f64,
}

/// Sends `bodies` over `connections` connections: at `rate` per second from the start
/// (open loop), or as fast as answers come (`rate` = None).
async fn load(
    addr: SocketAddr,
    bodies: Arc<Vec<Bytes>>,
    connections: usize,
    rate: Option<f64>,
) -> Result<Samples, Failure> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let mut sender = connect(addr).await.map_err(Failure::Peer)?;
        let (bodies, next) = (Arc::clone(&bodies), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let scheduled = match rate {
                    Some(r) => start + Duration::from_secs_f64(i as f64 / r),
                    None => tokio::time::Instant::now(),
                };
                tokio::time::sleep_until(scheduled).await;
                let sent = tokio::time::Instant::now();
                let status = post(&mut sender, addr, body.clone()).await;
                if status == 0 {
                    // Reconnect once; a second failure ends this connection.
                    match connect(addr).await {
                        Ok(s) => sender = s,
                        Err(_) => {
                            out.push((0.0, 0, 0.0));
                            break;
                        }
                    }
                }
                let latency = scheduled.elapsed().as_secs_f64() * 1e3;
                let late = (sent - scheduled).as_secs_f64() * 1e3;
                out.push((latency, status, late));
            }
            out
        }));
    }
    let mut results = Vec::with_capacity(bodies.len());
    for t in tasks {
        results.extend(t.await.map_err(|e| Failure::Peer(e.to_string()))?);
    }
    Ok(Samples {
        results,
        elapsed: start.elapsed().as_secs_f64(),
    })
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn summarise(bench: String, rate: Option<f64>, s: &Samples, peer: f64) -> LoadReport {
    let mut latencies: Vec<f64> = s.results.iter().map(|r| r.0).collect();
    latencies.sort_by(f64::total_cmp);
    let accepted = s.results.iter().filter(|r| r.1 == 202).count();
    let mut errors = BTreeMap::new();
    for r in s.results.iter().filter(|r| r.1 != 202) {
        *errors.entry(r.1.to_string()).or_default() += 1;
    }
    let accepted_per_s = accepted as f64 / s.elapsed;
    LoadReport {
        bench,
        offered_per_s: rate,
        seconds: round4(s.elapsed),
        sent: s.results.len(),
        accepted,
        accepted_per_s: round4(accepted_per_s),
        p50_ms: round4(percentile(&latencies, 0.5)),
        p99_ms: round4(percentile(&latencies, 0.99)),
        max_ms: round4(latencies.last().copied().unwrap_or(0.0)),
        on_time: rate.map(|_| {
            let on_time = s.results.iter().filter(|r| r.2 <= 1.0).count();
            round4(on_time as f64 / s.results.len().max(1) as f64)
        }),
        errors,
        peer: PEER,
        peer_verified_per_s: round4(peer),
        ratio: round4(accepted_per_s / peer),
    }
}

fn table_row(r: &LoadReport) -> String {
    let errors = if r.errors.is_empty() {
        "-".to_owned()
    } else {
        r.errors
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "{:<14} {:>9} {:>7} {:>8} {:>11.1} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>9.0} {:>6.3}  {}",
        r.bench,
        r.offered_per_s
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.0}")),
        r.sent,
        r.accepted,
        r.accepted_per_s,
        r.p50_ms,
        r.p99_ms,
        r.max_ms,
        r.on_time
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.3}")),
        r.peer_verified_per_s,
        r.ratio,
        errors
    )
}

/// Resident and peak resident memory of this process, MiB.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub(crate) fn run(args: &ServiceArgs) -> Result<(), Failure> {
    let reporter = Reporter { json: args.json };
    reporter.note(
        "# compare service: sheaf serve (HTTP on loopback, batched verification, \
                   durable store) vs ark-groth16 single verification of the same proofs",
    )?;
    reporter.machine_header()?;
    let load_avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    reporter.note(&format!(
        "# load average before the run: {}",
        load_avg
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    ))?;
    let per_rate: Vec<usize> = args
        .rates
        .iter()
        .map(|&r| (f64::from(r) * args.seconds).ceil() as usize)
        .collect();
    // The closed-loop case gets as many proofs as 5,000/s would need.
    let max_count = (5000.0 * args.max_seconds).ceil() as usize;
    let total = per_rate.iter().sum::<usize>() + max_count + args.backlog;
    reporter.progress(&format!(
        "# making {total} distinct valid submissions from the fixtures"
    ));
    let (workload, made) = crate::timed(|| Workload::new(total.max(1)));
    let workload = workload?;
    reporter.progress(&format!("# made in {:.1} s", made / 1e3));
    let peer = peer_rate(&workload, 4_000)?;

    let data = tempfile::tempdir().map_err(Failure::Io)?;
    let mut serve = ServeArgs::with_data_dir(data.path());
    // The HTTP path under load; anchoring is measured by `compare gas`.
    serve.settlement = sheaf_api::settlement::SettlementMode::None;
    serve.listen = ([127, 0, 0, 1], 0).into();
    serve.database_url = args.database_url.clone();
    serve.rate_limit = 0.0;
    serve.batch_window_ms = args.batch_window_ms;
    serve.max_batch = args.max_batch;
    reporter.note(&format!(
        "# service: {} store, batch window {} ms, max batch {}, queue {}, epochs of {}; \
         generator: {} connections; latency from each submission's scheduled time",
        if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite (temporary)"
        },
        serve.batch_window_ms,
        serve.max_batch,
        serve.queue_capacity,
        serve.epoch_max_proofs,
        args.connections
    ))?;
    // The service on its own runtime (two workers, like `sheaf serve` on two cores); the
    // generator on a single-threaded one.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Failure::Io)?;
    let running = server_rt
        .block_on(async {
            let service = Service::start(&serve).await?;
            Running::spawn(&serve, service).await
        })
        .map_err(|e| Failure::Peer(format!("starting the service: {e:#}")))?;
    let addr = running.addr;
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Failure::Io)?;
    client_rt.block_on(async {
        for k in &workload.keys {
            let mut c = connect(addr).await.map_err(Failure::Peer)?;
            let request = hyper::Request::post(format!("http://{addr}/v1/vks"))
                .header("host", addr.to_string())
                .body(Full::new(Bytes::from(k.vk.to_snarkjs_json())))
                .map_err(|e| Failure::Peer(e.to_string()))?;
            let status = c
                .send_request(request)
                .await
                .map_err(|e| Failure::Peer(e.to_string()))?
                .status();
            if !status.is_success() {
                return Err(Failure::Peer(format!("registering a key: {status}")));
            }
        }
        Ok::<_, Failure>(())
    })?;
    reporter.note(&format!(
        "{:<14} {:>9} {:>7} {:>8} {:>11} {:>8} {:>8} {:>8} {:>7} {:>9} {:>6}  errors",
        "bench",
        "offered/s",
        "sent",
        "accepted",
        "accepted/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "on time",
        "peer /s",
        "ratio"
    ))?;
    let mut offset = 0;
    let mut next_slice = |n: usize| {
        let slice = Arc::new(workload.bodies[offset..offset + n].to_vec());
        offset += n;
        slice
    };
    for (&rate, &n) in args.rates.iter().zip(&per_rate) {
        let bodies = next_slice(n);
        let s = client_rt.block_on(load(addr, bodies, args.connections, Some(f64::from(rate))))?;
        let r = summarise(format!("rate={rate}"), Some(f64::from(rate)), &s, peer);
        reporter.case(&r, &table_row(&r))?;
    }
    if max_count > 0 && args.max_seconds > 0.0 {
        let connections = args.connections.min(64);
        let bodies = next_slice(max_count);
        let s = client_rt.block_on(load(addr, bodies, connections, None))?;
        let r = summarise(format!("max (c={connections})"), None, &s, peer);
        reporter.case(&r, &table_row(&r))?;
    }
    if args.backlog > 0 {
        let bodies = next_slice(args.backlog);
        let (before, _) = memory_mib();
        let s = client_rt.block_on(load(addr, bodies, args.connections.min(64), None))?;
        let (after, peak) = memory_mib();
        let summary = summarise(String::new(), None, &s, peer);
        let db = std::fs::metadata(data.path().join(sheaf_api::store::SQLITE_FILE))
            .ok()
            .map(|m| round4(m.len() as f64 / (1 << 20) as f64));
        let epochs = server_rt
            .block_on(async {
                let store =
                    sheaf_api::store::Store::open(args.database_url.as_deref(), data.path())
                        .await?;
                let n = store.epochs(1).await?.first().map_or(0, |e| e.id);
                store.close().await;
                Ok::<_, sheaf_api::store::StoreError>(n)
            })
            .map_err(|e| Failure::Peer(e.to_string()))?;
        let r = BacklogReport {
            bench: format!("backlog={}", args.backlog),
            accepted: summary.accepted,
            accepted_per_s: summary.accepted_per_s,
            rss_mib_before: round4(before),
            rss_mib_after: round4(after),
            rss_mib_peak: round4(peak),
            database_mib: db,
            epochs_sealed: epochs,
        };
        let row = format!(
            "{:<14} accepted {} ({:.0}/s); resident memory {:.0} MiB before, {:.0} MiB after \
             (peak {:.0} MiB); database {} MiB; {} epochs",
            r.bench,
            r.accepted,
            r.accepted_per_s,
            r.rss_mib_before,
            r.rss_mib_after,
            r.rss_mib_peak,
            r.database_mib
                .map_or_else(|| "-".to_owned(), |m| format!("{m:.0}")),
            r.epochs_sealed
        );
        reporter.case(&r, &row)?;
    }
    server_rt
        .block_on(running.stop())
        .map_err(|e| Failure::Peer(format!("stopping the service: {e:#}")))?;
    Ok(())
}
