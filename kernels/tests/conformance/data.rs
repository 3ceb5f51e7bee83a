//! Inputs shared by the cases: seeded generators, cached random points, special scalars, and the
//! sizes the suite runs at in this build profile.

use std::sync::OnceLock;

use ark_bn254::{Fr, g1, g2};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, One, PrimeField, UniformRand, Zero};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

/// True in release builds (`cargo test --release`), which run the large sizes.
pub const RELEASE: bool = !cfg!(debug_assertions);

/// Largest MSM compared with the naive reference (one double-and-add per term).
pub const NAIVE_MAX_MSM: usize = 64;

/// Largest NTT (log2) compared with the naive O(n^2) reference.
pub const NAIVE_MAX_LOG_NTT: u32 = 8;

/// log2 of the largest NTT the suite runs: 2^16 in debug builds, 2^20 in release.
pub const MAX_LOG_NTT_TESTED: u32 = if RELEASE { 20 } else { 16 };

/// NTT sizes (log2) for the comparisons with arkworks: every size up to 2^12, then a few large
/// ones (odd and even, since mixed-radix and cache-blocked kernels treat them differently).
pub fn ntt_log_sizes() -> Vec<u32> {
    (0..=12)
        .chain([13, 14, 16, 17, 18, 20])
        .filter(|&k| k <= MAX_LOG_NTT_TESTED)
        .collect()
}

/// Seed of the cached random bases (the per-test seeds are given at each call site).
pub const POINTS_SEED: u64 = 0x5eaf_0000_0000_b45e;

/// A ChaCha20 generator; the seed goes into every assertion message built from its output.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// `n` uniformly random scalars from `seed`.
pub fn random_scalars(seed: u64, n: usize) -> Vec<Fr> {
    let mut rng = rng(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

/// A uniformly random non-zero field element.
pub fn random_nonzero(rng: &mut impl Rng) -> Fr {
    loop {
        let x = Fr::rand(rng);
        if !x.is_zero() {
            return x;
        }
    }
}

/// A curve the MSM cases run on, with what the suite needs to know about it.
pub trait TestCurve: SWCurveConfig<ScalarField = Fr> + GLVConfig {
    /// Name for messages.
    const NAME: &'static str;
    /// log2 of the largest MSM the suite runs on this curve in this build profile.
    const MAX_LOG_MSM: u32;
    /// The "medium" size used by most special-input cases (4096; 1024 for G2 in debug builds,
    /// where the arkworks reference is compiled at opt-level 1 and G2 is ~4x slower than G1).
    const MEDIUM: usize;
    /// The cache behind [`TestCurve::points`].
    fn point_cache() -> &'static OnceLock<Vec<Affine<Self>>>;

    /// The first `n` of `2^MAX_LOG_MSM` distinct random points, generated once per test binary.
    fn points(n: usize) -> &'static [Affine<Self>] {
        let all = Self::point_cache().get_or_init(|| {
            generate_points::<Self>(
                POINTS_SEED ^ u64::from(Self::NAME.as_bytes()[1]),
                1 << Self::MAX_LOG_MSM,
            )
        });
        assert!(
            n <= all.len(),
            "{} points: asked for {n}, the cache holds {}",
            Self::NAME,
            all.len()
        );
        &all[..n]
    }

    /// A point drawn at random from the first 2^12 cached points (a scalar multiplication per
    /// point would dominate the run time of the small cases in debug builds).
    fn random_point(rng: &mut impl Rng) -> Affine<Self> {
        let pool = Self::points(1 << 12);
        pool[rng.gen_range(0..pool.len())]
    }

    /// `n` distinct cached points starting at a random offset below 2^12.
    fn random_run(rng: &mut impl Rng, n: usize) -> &'static [Affine<Self>] {
        let start = rng.gen_range(0..=(1usize << 12).saturating_sub(n));
        &Self::points(start + n)[start..]
    }
}

impl TestCurve for g1::Config {
    const NAME: &'static str = "G1";
    const MAX_LOG_MSM: u32 = if RELEASE { 20 } else { 16 };
    const MEDIUM: usize = 4096;
    fn point_cache() -> &'static OnceLock<Vec<Affine<Self>>> {
        static CACHE: OnceLock<Vec<ark_bn254::G1Affine>> = OnceLock::new();
        &CACHE
    }
}

impl TestCurve for g2::Config {
    const NAME: &'static str = "G2";
    const MAX_LOG_MSM: u32 = if RELEASE { 18 } else { 14 };
    const MEDIUM: usize = if RELEASE { 4096 } else { 1024 };
    fn point_cache() -> &'static OnceLock<Vec<Affine<Self>>> {
        static CACHE: OnceLock<Vec<ark_bn254::G2Affine>> = OnceLock::new();
        &CACHE
    }
}

/// `n` distinct random points. Scalar multiplication is the slow part, so only `2·⌈√n⌉` points
/// `L_a`, `R_b` are made by multiplying the generator with random scalars; point `i` is
/// `L_{i mod s} + R_{i div s}`. These are pairwise distinct unless a discrete-log relation between
/// the random seeds holds, which happens with negligible probability.
pub fn generate_points<P: SWCurveConfig<ScalarField = Fr>>(seed: u64, n: usize) -> Vec<Affine<P>> {
    let side = (1..).find(|s: &usize| s * s >= n).unwrap_or(1).max(1);
    let ks = random_scalars(seed, 2 * side);
    let g = Affine::<P>::generator();
    let seeds: Vec<Projective<P>> = ks.par_iter().map(|k| g * k).collect();
    let seeds = Projective::normalize_batch(&seeds);
    let (left, right) = seeds.split_at(side);
    let sums: Vec<Projective<P>> = (0..n)
        .into_par_iter()
        .map(|i| left[i % side] + right[i / side])
        .collect();
    Projective::normalize_batch(&sums)
}

/// The scalar with little-endian 64-bit limbs `limbs`, reduced modulo r.
pub fn fr_from_limbs(limbs: [u64; 4]) -> Fr {
    let mut bytes = [0u8; 32];
    for (chunk, limb) in bytes.chunks_exact_mut(8).zip(limbs) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    Fr::from_le_bytes_mod_order(&bytes)
}

/// `2^k` in Fr.
pub fn pow2(k: u32) -> Fr {
    Fr::from(2u64).pow([u64::from(k)])
}

/// The scalar whose `c`-bit windows, from the least significant, are `digit(w)`, for all windows
/// lying entirely below bit `top`. With `top <= 253` the value is below r and is not reduced.
pub fn windowed(c: u32, top: u32, digit: impl Fn(u32) -> u64) -> Fr {
    let mut limbs = [0u64; 4];
    let mut w = 0;
    while (w + 1) * c <= top {
        let d = digit(w) & ((1u64 << c) - 1);
        for bit in 0..c {
            if d >> bit & 1 == 1 {
                let pos = w * c + bit;
                limbs[(pos / 64) as usize] |= 1u64 << (pos % 64);
            }
        }
        w += 1;
    }
    fr_from_limbs(limbs)
}

/// Scalars whose signed-digit window decomposition hits every edge: each window at its maximum
/// `2^c - 1`, at `2^(c-1)` (the digit that becomes negative and carries), one below and one above
/// it, alternating extremes and zeros, for window widths `c` in 2..=20, with the pattern running
/// to bit 252 (no reduction), to 253, and over the full 256 bits (reduced mod r).
pub fn window_extreme_scalars() -> Vec<Fr> {
    let mut v = Vec::new();
    for c in 2..=20u32 {
        let max = (1u64 << c) - 1;
        let half = 1u64 << (c - 1);
        let patterns: [&dyn Fn(u32) -> u64; 8] = [
            &|_| max,
            &|_| half,
            &|_| half - 1,
            &|_| half + 1,
            &|w| if w % 2 == 0 { max } else { 0 },
            &|w| if w % 2 == 0 { 0 } else { half },
            &|w| if w % 2 == 0 { half } else { half - 1 },
            &|w| if w % 3 == 0 { max } else { half },
        ];
        for pattern in patterns {
            for top in [252, 253, 256] {
                v.push(windowed(c, top, pattern));
            }
        }
    }
    dedup(v)
}

/// Hand-picked scalars: 0, ±small, every power of two 2^k and 2^k - 1, r-1, r-2, ..., r-2^k,
/// (r±1)/2, the GLV eigenvalue λ of the curve and its neighbours, all-ones bit strings, and the
/// window-digit extremes of [`window_extreme_scalars`].
pub fn special_scalars<C: GLVConfig<ScalarField = Fr>>() -> Vec<Fr> {
    let one = Fr::one();
    let mut v = Vec::new();
    for k in 0..=20u64 {
        v.push(Fr::from(k));
        v.push(-Fr::from(k));
    }
    for k in [
        255u64,
        256,
        1023,
        1024,
        65535,
        65536,
        u64::from(u32::MAX),
        u64::MAX,
    ] {
        v.push(Fr::from(k));
        v.push(-Fr::from(k));
    }
    for k in 0..254 {
        let p = pow2(k);
        v.extend([p, p - one, -p]);
    }
    let half = Fr::from(2u64).inverse().unwrap_or_else(Fr::zero);
    // As integers, 1/2 is (r+1)/2 and -1/2 is (r-1)/2: the midpoint where signed scalars flip.
    for d in 0..=3u64 {
        v.extend([
            half + Fr::from(d),
            half - Fr::from(d),
            -half + Fr::from(d),
            -half - Fr::from(d),
        ]);
    }
    let lambda = C::LAMBDA;
    for d in 0..=2u64 {
        v.extend([
            lambda + Fr::from(d),
            lambda - Fr::from(d),
            -lambda + Fr::from(d),
            -lambda - Fr::from(d),
        ]);
    }
    v.push(lambda * lambda);
    // Largest values with 64, 128, 192 bits, and the largest that fits under r's bit length.
    for bits in [64u32, 128, 192, 252, 253] {
        v.push(pow2(bits) - one);
    }
    // r - 7 computed on the modulus' limbs (the value -7 again, built the other way round).
    let mut r_minus = Fr::MODULUS;
    r_minus.sub_with_borrow(&ark_ff::BigInt::from(7u64));
    v.push(fr_from_limbs(r_minus.0));
    v.extend(window_extreme_scalars());
    dedup(v)
}

/// Sorts and removes duplicates.
pub fn dedup(mut v: Vec<Fr>) -> Vec<Fr> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Formats a seed for assertion messages.
pub fn seed_msg(seed: u64) -> String {
    format!("seed {seed:#018x}")
}
