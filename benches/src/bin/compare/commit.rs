//! `compare groth16 --only commit`: what the BSB22 commitment costs the prover. Ours is the
//! committed proof of the `TableLookup` circuit with 2^(k−1) committed wires in a domain of
//! exactly 2^k; the "peer" is our plain prover on the same constraints (the circuit run through
//! `WithHashCommit`, the challenge an ordinary public input), so the ratio isolates the
//! commitment: the `D` and `π` MSMs over the committed wires, the hashing, and the committed
//! wires' terms leaving `C`'s witness MSM.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::gadgets::challenge::WithHashCommit;
use sheaf_aggregator::prover::{HashCommit, Prover, R1cs, TableLookup, dev_setup};
use sheaf_aggregator::{PreparedCommittedVerifyingKey, PreparedVerifyingKey};
use sheaf_benches::alternate_ms_batched;
use sheaf_kernels::Backend;

use crate::groth16::{Groth16Args, ours_err, report};
use crate::{Failure, Reporter, default_runs, timed};

const PLAIN: &str = "plain groth16";

/// The commitment case at 2^`log` constraints.
pub(crate) fn commit_case(
    args: &Groth16Args,
    backend: &Backend,
    reporter: &Reporter,
    log: u32,
) -> Result<(), Failure> {
    let domain = 1usize << log;
    let table = 256.min(domain / 4);
    let committed = domain / 2; // values + multiplicities + the blinding wire
    let n = committed - 1 - table;
    // Constraints n + table + padding + 3 and 4 instance variables fill the domain exactly.
    let padding = domain - 4 - (n + table + 3);
    let circuit = TableLookup::new(n, table, padding, args.seed());
    let statement = circuit.statement();
    let plain_inputs = {
        let committed: Vec<_> = circuit
            .values()
            .iter()
            .chain(circuit.multiplicities())
            .copied()
            .collect();
        let mut inputs = statement.clone();
        inputs.insert(
            TableLookup::CHALLENGE_INDEX,
            HashCommit::challenge_for(&committed),
        );
        inputs
    };

    let (setup, setup_ms) = timed(|| -> Result<_, Failure> {
        let mut rng = ChaCha20Rng::seed_from_u64(args.seed());
        let r1cs = R1cs::from_commit_circuit(circuit.clone()).map_err(ours_err)?;
        let pk = dev_setup(&r1cs, &mut rng).map_err(ours_err)?;
        let committed = Prover::new(pk, r1cs).map_err(ours_err)?;
        let r1cs = R1cs::from_circuit(WithHashCommit(circuit.clone())).map_err(ours_err)?;
        let pk = dev_setup(&r1cs, &mut rng).map_err(ours_err)?;
        let plain = Prover::new(pk, r1cs).map_err(ours_err)?;
        Ok((committed, plain))
    });
    let (committed_prover, plain_prover) = setup?;
    if committed_prover.r1cs().domain_size() != domain
        || plain_prover.r1cs().num_constraints() != committed_prover.r1cs().num_constraints()
    {
        return Err(Failure::Mismatch(format!(
            "the commit case at 2^{log} does not fill its domain"
        )));
    }
    reporter.progress(&format!(
        "# commit 2^{log}: ours = committed proof, peer = {PLAIN} on the same constraints; {} \
         constraints, {committed} committed wires, setups in {:.1} s",
        committed_prover.r1cs().num_constraints(),
        setup_ms / 1e3
    ));
    let key = committed_prover
        .committed_verifying_key()
        .ok_or_else(|| Failure::Mismatch("no committed verifying key".into()))?;
    let pvk = PreparedCommittedVerifyingKey::new(key.clone());
    let plain_pvk = PreparedVerifyingKey::new(plain_prover.verifying_key().clone());

    let mut rng = ChaCha20Rng::seed_from_u64(args.seed() ^ 0xC0_44_17);
    let (proof, ours_ms) =
        timed(|| committed_prover.prove_committed_timed(backend, circuit.clone(), &mut rng));
    let (proof, phases) = proof.map_err(ours_err)?;
    if pvk.verify(&proof, &statement) != Ok(true) {
        return Err(Failure::Mismatch(format!(
            "the committed proof at 2^{log} does not verify"
        )));
    }
    let (plain, plain_ms) =
        timed(|| plain_prover.prove(backend, WithHashCommit(circuit.clone()), &mut rng));
    let plain = plain.map_err(ours_err)?;
    if plain_pvk.verify(&plain, &plain_inputs) != Ok(true) {
        return Err(Failure::Mismatch(format!(
            "the plain proof at 2^{log} does not verify"
        )));
    }
    reporter.progress(&format!(
        "# committed by phase: witness {:.0} ms, constraints {:.0} ms, NTT {:.0} ms, MSM G1 {:.0} \
         ms, MSM G2 {:.0} ms, commitment (D and π) {:.0} ms",
        phases.witness.as_secs_f64() * 1e3,
        phases.constraints.as_secs_f64() * 1e3,
        phases.ntt.as_secs_f64() * 1e3,
        phases.msm_g1.as_secs_f64() * 1e3,
        phases.msm_g2.as_secs_f64() * 1e3,
        phases.commitment.as_secs_f64() * 1e3,
    ));
    let runs = args
        .runs()
        .unwrap_or_else(|| default_runs(ours_ms.max(plain_ms)));
    let mut rng_ours = rng.clone();
    let mut rng_plain = rng.clone();
    let timing = alternate_ms_batched(
        runs as usize,
        0,
        || circuit.clone(),
        |c| {
            committed_prover
                .prove_committed(backend, c, &mut rng_ours)
                .map_err(ours_err)
        },
        |c| {
            plain_prover
                .prove(backend, WithHashCommit(c), &mut rng_plain)
                .map_err(ours_err)
        },
    )?;
    reporter.progress(&format!(
        "# commitment overhead at 2^{log}: {:+.1}%",
        (timing.ours_ms / timing.peer_ms - 1.0) * 100.0
    ));
    report(
        reporter,
        format!("prove_commit 2^{log} c=2^{}", log - 1),
        backend,
        &timing,
        None,
        runs,
        PLAIN,
    )
}
