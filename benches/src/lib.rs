//! Shared input generation and timing helpers for sheaf's criterion benches and the `compare`
//! runner, so both measure the kernels on exactly the same inputs.
//!
//! Every generator is deterministic in its `seed` and independent of the number of threads,
//! and the output of size `2^a` is a prefix of the output of size `2^b` for `a <= b` (the
//! runner generates the largest size once and slices it). Random field elements are drawn in
//! parallel, 4096 at a time, each batch from its own ChaCha20 stream chosen by `(seed, kind,
//! batch)`, so scalars, bases and NTT inputs drawn with the same seed are independent.
//!
//! # How the MSM bases are built
//!
//! Uniform independent points `s·G` cost about 20 group additions each even with a fixed-base
//! table, i.e. several seconds for `2^20` G1 points on two cores. Instead, three tables
//! `T_0, T_1, T_2` of 4096 uniform points `s·G` (`G` the standard generator) are computed with
//! arkworks' fixed-base windowed multiplication, and base `j` is `T_0[a] + T_1[b] + T_2[c]`
//! where `(a, b, c)` is an injective, scattered function of `j`. Each base then costs two
//! additions plus its share of a batch inversion (`CurveGroup::normalize_batch`, in parallel
//! chunks): about a second for `2^20` G1 points on two cores. The bases are distinct, in the
//! prime-order group and not the identity except with probability about `2^(2·log_n − 254)`.
//! Because only a sparse subset of the `2^36` possible triples is used, linear relations with
//! small coefficients between bases (such as `B_1 + B_2 = B_3 + B_4`) are rare — a few hundred
//! among `2^20` bases, each of which matters only if its four bases share an MSM bucket — so
//! bucket-based MSMs practically never meet equal or opposite partial sums because of them,
//! unlike with bases built on a full grid (`S_i + D_j` for all `i, j`) or as running sums.
//!
//! ```
//! use sheaf_benches::{random_g1_bases, random_scalars};
//!
//! let bases = random_g1_bases(4, 7);
//! let scalars = random_scalars(4, 7);
//! assert_eq!((bases.len(), scalars.len()), (16, 16));
//! assert_eq!(&random_g1_bases(6, 7)[..16], &bases[..]);
//! ```

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Instant;

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, ScalarMul};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

/// Seed used by the runner and the criterion benches unless told otherwise.
pub const DEFAULT_SEED: u64 = 0x5EAF_BE7C;

/// Elements drawn from one ChaCha20 stream before moving to the next; the unit of parallelism
/// of the generators.
const CHUNK: usize = 1 << 12;

/// What a stream of random values is used for; mixed into the stream number so that inputs of
/// different kinds drawn with the same seed are independent.
#[derive(Clone, Copy)]
#[repr(u64)]
enum Kind {
    Scalars = 1,
    G1Bases = 2,
    G2Bases = 3,
    NttInput = 4,
}

/// `n` uniformly random field elements of the given kind, generated in parallel in
/// [`CHUNK`]-sized pieces, each from its own ChaCha20 stream.
fn random_fr(n: usize, seed: u64, kind: Kind) -> Vec<Fr> {
    let mut out = vec![Fr::from(0u64); n];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, values)| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            // 2^48 chunks per kind: far more than any size the kernels accept.
            rng.set_stream(((kind as u64) << 48) | chunk as u64);
            for v in values.iter_mut() {
                *v = Fr::rand(&mut rng);
            }
        });
    out
}

/// log2 of the size of each of the three tables of random points that the bases are sums of.
const TABLE_LOG: u32 = 12;

/// Maps a base index to its three table indices, injectively: a fixed bijection of
/// `[0, 2^(3·TABLE_LOG))` (multiplications by odd constants and xor-shifts, each invertible
/// modulo a power of two) split into three `TABLE_LOG`-bit fields. Consecutive indices land
/// far apart, so the triples of a prefix are scattered over the whole cube.
fn table_indices(index: usize) -> [usize; 3] {
    const BITS: u32 = 3 * TABLE_LOG;
    const MASK: u64 = (1 << BITS) - 1;
    let mut x = index as u64 & MASK;
    x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & MASK;
    x ^= x >> (BITS / 2);
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) & MASK;
    x ^= x >> (BITS / 3);
    let field = |i: u32| ((x >> (i * TABLE_LOG)) & ((1 << TABLE_LOG) - 1)) as usize;
    [field(0), field(1), field(2)]
}

/// `2^log_n` random points of the prime-order group, as sums of three points from seeded
/// tables of `2^TABLE_LOG` uniform multiples of the generator (see the crate docs).
fn random_points<P>(log_n: u32, seed: u64, kind: Kind) -> Vec<Affine<P>>
where
    P: SWCurveConfig<ScalarField = Fr>,
{
    const NORMALIZE_CHUNK: usize = 1 << 14;
    let n = 1usize << log_n;
    let table_len = 1usize << TABLE_LOG;
    let table = Projective::<P>::generator().batch_mul(&random_fr(3 * table_len, seed, kind));
    let mut bases = vec![Affine::<P>::identity(); n];
    bases
        .par_chunks_mut(NORMALIZE_CHUNK)
        .enumerate()
        .for_each(|(chunk, out)| {
            let start = chunk * NORMALIZE_CHUNK;
            let sums: Vec<Projective<P>> = (start..start + out.len())
                .map(|j| {
                    let [a, b, c] = table_indices(j);
                    table[a].into_group() + table[table_len + b] + table[2 * table_len + c]
                })
                .collect();
            out.copy_from_slice(&Projective::normalize_batch(&sums));
        });
    bases
}

/// `2^log_n` uniformly random scalars for an MSM, deterministic in `seed`.
pub fn random_scalars(log_n: u32, seed: u64) -> Vec<Fr> {
    random_fr(1 << log_n, seed, Kind::Scalars)
}

/// `2^log_n` random, distinct BN254 G1 points in affine form (MSM bases), deterministic in
/// `seed` (see the crate docs for how they are built).
pub fn random_g1_bases(log_n: u32, seed: u64) -> Vec<G1Affine> {
    random_points::<ark_bn254::g1::Config>(log_n, seed, Kind::G1Bases)
}

/// `2^log_n` random, distinct BN254 G2 points in affine form (MSM bases), deterministic in
/// `seed`, built like [`random_g1_bases`] (about three times the cost per point).
pub fn random_g2_bases(log_n: u32, seed: u64) -> Vec<G2Affine> {
    random_points::<ark_bn254::g2::Config>(log_n, seed, Kind::G2Bases)
}

/// `2^log_n` uniformly random field elements to transform with an NTT, deterministic in `seed`
/// and independent of [`random_scalars`] drawn with the same seed.
pub fn random_ntt_input(log_n: u32, seed: u64) -> Vec<Fr> {
    random_fr(1 << log_n, seed, Kind::NttInput)
}

/// The median of `samples` (the mean of the two middle values for an even count); `NaN` for
/// an empty slice.
pub fn median(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// Runs `setup` (untimed) and then `routine` on its result (timed) once; returns the elapsed
/// milliseconds. The routine's output is dropped after the clock stops.
fn time_once_ms<I, O, E>(
    setup: &mut impl FnMut() -> I,
    routine: &mut impl FnMut(I) -> Result<O, E>,
) -> Result<f64, E> {
    let input = setup();
    let start = Instant::now();
    let output = black_box(routine(black_box(input)));
    let elapsed = start.elapsed();
    output.map(drop)?;
    Ok(elapsed.as_secs_f64() * 1e3)
}

/// Times `f` over `runs` runs (at least one) and returns the median in milliseconds. Nothing is
/// run as a warm-up; call `f` once beforehand if that matters. Whatever `f` returns is dropped
/// after the clock stops.
pub fn median_ms<O>(runs: usize, mut f: impl FnMut() -> O) -> f64 {
    let result = median_ms_batched(runs, || (), |()| Ok::<_, Infallible>(f()));
    match result {
        Ok(ms) => ms,
        Err(never) => match never {},
    }
}

/// Like [`median_ms`] for a routine that consumes a fresh input per run: `setup` builds that
/// input (for an in-place NTT, a clone of the original) outside the timed region. Stops at the
/// first error the routine returns.
pub fn median_ms_batched<I, O, E>(
    runs: usize,
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> Result<O, E>,
) -> Result<f64, E> {
    let mut samples = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        samples.push(time_once_ms(&mut setup, &mut routine)?);
    }
    Ok(median(&samples))
}

/// Medians (in milliseconds) of two implementations of the same operation, timed alternately so
/// that both see the same machine conditions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairTiming {
    /// Median of our implementation.
    pub ours_ms: f64,
    /// Median of the peer implementation.
    pub peer_ms: f64,
}

impl PairTiming {
    /// How many times faster ours is: `peer_ms / ours_ms`.
    pub fn ratio(&self) -> f64 {
        self.peer_ms / self.ours_ms
    }
}

/// Times `ours` and `peer` alternately (`warmup` untimed rounds of ours then peer, then `runs`
/// timed rounds of ours, peer, ours, peer, …; `runs` is at least one) and returns both medians.
/// Whatever the closures return is dropped after the clock stops.
pub fn alternate_ms<A, B>(
    runs: usize,
    warmup: usize,
    mut ours: impl FnMut() -> A,
    mut peer: impl FnMut() -> B,
) -> PairTiming {
    let result = alternate_ms_batched(
        runs,
        warmup,
        || (),
        |()| Ok::<_, Infallible>(ours()),
        |()| Ok::<_, Infallible>(peer()),
    );
    match result {
        Ok(timing) => timing,
        Err(never) => match never {},
    }
}

/// Like [`alternate_ms`] for routines that consume an input: before every run of either
/// routine, `setup` builds a fresh input outside the timed region, so each run starts from the
/// same data (for in-place transforms, `setup` clones the original vector). Stops at the first
/// error either routine returns.
pub fn alternate_ms_batched<I, A, B, E>(
    runs: usize,
    warmup: usize,
    mut setup: impl FnMut() -> I,
    mut ours: impl FnMut(I) -> Result<A, E>,
    mut peer: impl FnMut(I) -> Result<B, E>,
) -> Result<PairTiming, E> {
    for _ in 0..warmup {
        time_once_ms(&mut setup, &mut ours)?;
        time_once_ms(&mut setup, &mut peer)?;
    }
    let runs = runs.max(1);
    let mut ours_samples = Vec::with_capacity(runs);
    let mut peer_samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        ours_samples.push(time_once_ms(&mut setup, &mut ours)?);
        peer_samples.push(time_once_ms(&mut setup, &mut peer)?);
    }
    Ok(PairTiming {
        ours_ms: median(&ours_samples),
        peer_ms: median(&peer_samples),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::G1Projective;
    use std::collections::HashSet;

    #[test]
    fn generators_are_deterministic_and_prefix_stable() {
        assert_eq!(random_scalars(5, 1), random_scalars(5, 1));
        assert_ne!(random_scalars(5, 1), random_scalars(5, 2));
        assert_ne!(random_scalars(5, 1), random_ntt_input(5, 1));
        let big = random_scalars(13, 3);
        assert_eq!(&big[..1 << 11], &random_scalars(11, 3)[..]);
        assert_eq!(&random_g1_bases(8, 3)[..64], &random_g1_bases(6, 3)[..]);
    }

    #[test]
    fn bases_are_distinct_group_elements() {
        let g1 = random_g1_bases(10, 9);
        assert_eq!(g1.len(), 1024);
        assert!(
            g1.iter()
                .all(|p| p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve())
        );
        assert!(g1.iter().all(|p| !p.is_zero()));
        let distinct: HashSet<_> = g1.iter().map(|p| p.x).collect();
        assert_eq!(distinct.len(), g1.len());

        let g2 = random_g2_bases(6, 9);
        assert!(
            g2.iter()
                .all(|p| p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve())
        );
        assert!(g2.iter().all(|p| !p.is_zero()));
        let distinct: HashSet<_> = g2.iter().map(|p| p.x).collect();
        assert_eq!(distinct.len(), g2.len());
    }

    #[test]
    fn bases_are_the_claimed_sums_of_table_points() {
        let logs = random_fr(3 << TABLE_LOG, 4, Kind::G1Bases);
        let bases = random_g1_bases(3, 4);
        let g = G1Projective::generator();
        for (j, p) in bases.iter().enumerate() {
            let [a, b, c] = table_indices(j);
            let s = logs[a] + logs[(1 << TABLE_LOG) + b] + logs[(2 << TABLE_LOG) + c];
            assert_eq!((g * s).into_affine(), *p);
        }
        assert_eq!(random_g1_bases(0, 4), bases[..1]);
    }

    #[test]
    fn table_indices_are_injective() {
        let triples: HashSet<_> = (0..1 << 16).map(table_indices).collect();
        assert_eq!(triples.len(), 1 << 16);
        assert!(triples.iter().flatten().all(|&i| i < 1 << TABLE_LOG));
    }

    #[test]
    fn median_handles_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn alternating_timer_alternates_and_sets_up_every_run() {
        let log = std::cell::RefCell::new(Vec::new());
        let timing = alternate_ms_batched(
            2,
            1,
            || log.borrow_mut().push('s'),
            |()| {
                log.borrow_mut().push('o');
                Ok::<_, ()>(())
            },
            |()| {
                log.borrow_mut().push('p');
                Ok::<_, ()>(())
            },
        );
        assert!(timing.is_ok());
        assert_eq!(log.into_inner().iter().collect::<String>(), "sospsospsosp");
        let failed = alternate_ms_batched(3, 0, || (), |()| Err::<(), _>("no"), |()| Ok(()));
        assert_eq!(failed, Err("no"));
        assert!(median_ms(3, || ()) >= 0.0);
    }
}
