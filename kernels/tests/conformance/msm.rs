//! MSM cases, generic over the curve (G1, G2): the backend's result must equal arkworks'
//! `VariableBaseMSM::msm` everywhere, the naive reference up to [`NAIVE_MAX_MSM`] terms, and a
//! closed form where the input has one.

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, PrimeField, UniformRand, Zero};
use rand::Rng;
use sheaf_kernels::reference::naive_msm;
use sheaf_kernels::{KernelError, Msm};

use super::data::{
    NAIVE_MAX_MSM, TestCurve, fr_from_limbs, pow2, random_scalars, rng, seed_msg, special_scalars,
    window_extreme_scalars,
};

/// Runs the checked MSM and compares it with arkworks, with the naive reference (and the
/// unchecked entry) when `n <= NAIVE_MAX_MSM`.
pub fn check<C: TestCurve, B: Msm<Projective<C>>>(
    b: &B,
    bases: &[Affine<C>],
    scalars: &[Fr],
    ctx: &str,
) {
    let _checked = checked(b, bases, scalars, ctx);
}

/// [`check`], returning the backend's result.
pub fn checked<C: TestCurve, B: Msm<Projective<C>>>(
    b: &B,
    bases: &[Affine<C>],
    scalars: &[Fr],
    ctx: &str,
) -> Projective<C> {
    let n = bases.len();
    assert_eq!(n, scalars.len(), "test bug: lengths differ ({ctx})");
    let got = b.msm(bases, scalars).unwrap_or_else(|e| {
        panic!(
            "{} MSM n={n} ({ctx}): backend returned an error: {e}",
            C::NAME
        )
    });
    let want = <Projective<C> as VariableBaseMSM>::msm(bases, scalars)
        .unwrap_or_else(|m| panic!("test bug: arkworks length mismatch {m} ({ctx})"));
    assert!(
        got == want,
        "{} MSM n={n} ({ctx}): backend differs from arkworks\n  backend:  {}\n  arkworks: {}",
        C::NAME,
        got.into_affine(),
        want.into_affine()
    );
    if n <= NAIVE_MAX_MSM {
        let naive = naive_msm::<Projective<C>>(bases, scalars)
            .unwrap_or_else(|e| panic!("test bug: naive_msm failed: {e} ({ctx})"));
        assert!(
            got == naive,
            "{} MSM n={n} ({ctx}): backend differs from the naive reference\n  backend: {}\n  naive:   {}",
            C::NAME,
            got.into_affine(),
            naive.into_affine()
        );
        let unchecked = b.msm_unchecked(bases, scalars).unwrap_or_else(|e| {
            panic!(
                "{} msm_unchecked n={n} ({ctx}): backend returned an error: {e}",
                C::NAME
            )
        });
        assert!(
            unchecked == got,
            "{} MSM n={n} ({ctx}): msm_unchecked differs from msm on equal lengths",
            C::NAME
        );
    }
    got
}

/// [`check`], plus equality with a value known in closed form.
pub fn check_expect<C: TestCurve, B: Msm<Projective<C>>>(
    b: &B,
    bases: &[Affine<C>],
    scalars: &[Fr],
    expected: Projective<C>,
    ctx: &str,
) {
    let got = checked(b, bases, scalars, ctx);
    assert!(
        got == expected,
        "{} MSM n={} ({ctx}): result differs from the closed form\n  got:      {}\n  expected: {}",
        C::NAME,
        bases.len(),
        got.into_affine(),
        expected.into_affine()
    );
}

/// A fresh vector of the first `n` cached random points.
fn bases<C: TestCurve>(n: usize) -> Vec<Affine<C>> {
    C::points(n).to_vec()
}

/// Sizes at or below 2^12: around every small power of two and the usual window/chunk edges.
const SMALL_SIZES: [usize; 36] = [
    0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256,
    257, 511, 512, 1000, 1023, 1024, 1025, 2047, 2048, 3000, 4095, 4096,
];

/// Random scalars and distinct random bases at the sizes in `SMALL_SIZES` (0, 1, 2, 31, 32, 33,
/// 1000, ... 4096).
pub fn msm_random_small_sizes<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    for n in SMALL_SIZES {
        let seed = 0x5eaf_1000_0000 + n as u64;
        let scalars = random_scalars(seed, n);
        check(b, C::points(n), &scalars, &seed_msg(seed));
    }
}

/// Random scalars and distinct random bases at 2^k for k from 13 to the profile's maximum (2^16
/// debug / 2^20 release for G1, 2^14 / 2^18 for G2), and at some sizes in between.
pub fn msm_random_large_sizes<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let max = 1usize << C::MAX_LOG_MSM;
    // The big inputs must be honest: distinct points, none the identity.
    let all = C::points(max);
    let distinct: std::collections::HashSet<&Affine<C>> = all.iter().collect();
    assert_eq!(
        distinct.len(),
        max,
        "{}: the cached random points repeat",
        C::NAME
    );
    assert!(
        !all.iter().any(|p| p.is_zero()),
        "{}: a cached point is the identity",
        C::NAME
    );
    let mut sizes: Vec<usize> = (13..=C::MAX_LOG_MSM).map(|k| 1 << k).collect();
    sizes.extend([6144, 10_000, (1 << 14) + 1, 50_000, 3 << 16, (max >> 1) + 1]);
    sizes.retain(|&n| n <= max);
    sizes.sort_unstable();
    sizes.dedup();
    for n in sizes {
        let seed = 0x5eaf_2000_0000 + n as u64;
        let scalars = random_scalars(seed, n);
        check(b, C::points(n), &scalars, &seed_msg(seed));
    }
}

/// Every size from 0 to 64, compared with the naive reference as well as arkworks.
pub fn msm_all_sizes_up_to_64_vs_naive<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    for n in 0..=NAIVE_MAX_MSM {
        let seed = 0x5eaf_3000_0000 + n as u64;
        let mut r = rng(seed);
        // Different points for every size, so small sizes do not all reuse the same prefix.
        let bases = C::random_run(&mut r, n);
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut r)).collect();
        check(b, bases, &scalars, &seed_msg(seed));
    }
}

/// Identity points among the bases: alone, at both ends, and scattered through random ones.
pub fn msm_identity_bases<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let zero = Affine::<C>::zero();
    let seed = 0x5eaf_4000_0001;
    let mut r = rng(seed);
    let s = Fr::rand(&mut r);
    check_expect(b, &[zero], &[s], Projective::zero(), "one identity base");
    check_expect(
        b,
        &[zero],
        &[-Fr::one()],
        Projective::zero(),
        "identity base, scalar -1",
    );
    let p = C::random_point(&mut r);
    check_expect(
        b,
        &[zero, p],
        &[s, s],
        p * s,
        &format!("[O, P], {}", seed_msg(seed)),
    );
    check_expect(
        b,
        &[p, zero],
        &[s, -s],
        p * s,
        &format!("[P, O], {}", seed_msg(seed)),
    );

    for n in [2, 3, 33, 64, 1000, C::MEDIUM] {
        let seed = 0x5eaf_4000_0000 + n as u64;
        let mut r = rng(seed);
        let mut bases = bases::<C>(n);
        for base in bases.iter_mut() {
            if r.gen_ratio(1, 8) {
                *base = zero;
            }
        }
        bases[0] = zero;
        bases[n - 1] = zero;
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut r)).collect();
        check(
            b,
            &bases,
            &scalars,
            &format!("1/8 identity bases, {}", seed_msg(seed)),
        );
        // Every other base the identity.
        let alternating: Vec<Affine<C>> = C::points(n)
            .iter()
            .enumerate()
            .map(|(i, p)| if i % 2 == 1 { zero } else { *p })
            .collect();
        check(
            b,
            &alternating,
            &scalars,
            &format!("odd bases identity, {}", seed_msg(seed)),
        );
    }
}

/// Every base the identity: the result is the identity whatever the scalars.
pub fn msm_all_identity_bases<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let specials = special_scalars::<C>();
    for n in [1, 2, 31, 32, 33, 1000, C::MEDIUM, 4 * C::MEDIUM] {
        let seed = 0x5eaf_5000_0000 + n as u64;
        let bases = vec![Affine::<C>::zero(); n];
        let scalars = random_scalars(seed, n);
        check_expect(
            b,
            &bases,
            &scalars,
            Projective::zero(),
            &format!("all identity, {}", seed_msg(seed)),
        );
    }
    let bases = vec![Affine::<C>::zero(); specials.len()];
    check_expect(
        b,
        &bases,
        &specials,
        Projective::zero(),
        "all identity, special scalars",
    );
}

/// Zero scalars: all of them (the result is the identity) and half of them among random ones.
pub fn msm_zero_scalars<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    for n in [1, 2, 33, 64, 1000, C::MEDIUM] {
        let zeros = vec![Fr::zero(); n];
        check_expect(
            b,
            C::points(n),
            &zeros,
            Projective::zero(),
            "all-zero scalars",
        );
        let seed = 0x5eaf_6000_0000 + n as u64;
        let mut r = rng(seed);
        let scalars: Vec<Fr> = (0..n)
            .map(|_| {
                if r.gen_bool(0.5) {
                    Fr::zero()
                } else {
                    Fr::rand(&mut r)
                }
            })
            .collect();
        check(
            b,
            C::points(n),
            &scalars,
            &format!("half zero scalars, {}", seed_msg(seed)),
        );
    }
}

/// Scalars 0, 1 and -1 (= r - 1): mixed at random, all 1 (the sum of the bases), all -1, and
/// alternating 1, -1.
pub fn msm_unit_scalars<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let one = Fr::one();
    let minus_one = -one;
    assert_eq!(minus_one, Fr::from(-1i64), "test bug: -1 is r - 1");
    for n in [1, 2, 3, 64, 1000, C::MEDIUM] {
        let seed = 0x5eaf_7000_0000 + n as u64;
        let mut r = rng(seed);
        let pts = C::points(n);
        let sum: Projective<C> = pts.iter().map(|p| p.into_group()).sum();
        check_expect(b, pts, &vec![one; n], sum, "all scalars 1");
        check_expect(b, pts, &vec![minus_one; n], -sum, "all scalars -1");
        let alternating: Vec<Fr> = (0..n)
            .map(|i| if i % 2 == 0 { one } else { minus_one })
            .collect();
        let expected: Projective<C> = pts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i % 2 == 0 {
                    p.into_group()
                } else {
                    -p.into_group()
                }
            })
            .sum();
        check_expect(b, pts, &alternating, expected, "alternating 1, -1");
        let mixed: Vec<Fr> = (0..n)
            .map(|_| [Fr::zero(), one, minus_one][r.gen_range(0..3)])
            .collect();
        check(
            b,
            pts,
            &mixed,
            &format!("random 0/1/-1, {}", seed_msg(seed)),
        );
    }
}

/// A random scalar below `2^bits`.
fn small_scalar(r: &mut impl Rng, bits: u32) -> Fr {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let lo = 64 * i as u32;
        if bits > lo {
            let keep = (bits - lo).min(64);
            *limb = if keep == 64 {
                r.r#gen()
            } else {
                r.gen_range(0..1u64 << keep)
            };
        }
    }
    fr_from_limbs(limbs)
}

/// Scalars that occupy only the low windows: below 2^1, 2^2, 2^8, 2^10, 2^15, 2^16 (one window
/// of most widths), 2^17, 2^32, 2^63, 2^64, 2^65, 2^128; positive, negated, and mixed.
pub fn msm_small_scalars<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    for bits in [1, 2, 8, 10, 15, 16, 17, 32, 63, 64, 65, 128] {
        for n in [64, 1000, C::MEDIUM] {
            let seed = 0x5eaf_8000_0000 + (u64::from(bits) << 16) + n as u64;
            let mut r = rng(seed);
            let scalars: Vec<Fr> = (0..n).map(|_| small_scalar(&mut r, bits)).collect();
            let pts = C::points(n);
            check(
                b,
                pts,
                &scalars,
                &format!("scalars < 2^{bits}, {}", seed_msg(seed)),
            );
            let negated: Vec<Fr> = scalars.iter().map(|s| -*s).collect();
            check(
                b,
                pts,
                &negated,
                &format!("scalars > r - 2^{bits}, {}", seed_msg(seed)),
            );
            let mixed: Vec<Fr> = scalars
                .iter()
                .map(|s| if r.gen_bool(0.5) { -*s } else { *s })
                .collect();
            check(
                b,
                pts,
                &mixed,
                &format!("scalars ±(< 2^{bits}), {}", seed_msg(seed)),
            );
        }
    }
}

/// Scalars just below r: r-1, r-2, ... consecutively, r - k for random k < 2^16 and < 2^64, and
/// random scalars with the top 64 bits of r-1.
pub fn msm_scalars_near_modulus<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    for n in [1, 2, 64, 1000, C::MEDIUM] {
        let pts = C::points(n);
        let consecutive: Vec<Fr> = (1..=n as u64).map(|k| -Fr::from(k)).collect();
        check(b, pts, &consecutive, "scalars r-1, r-2, ..., r-n");
        let seed = 0x5eaf_9000_0000 + n as u64;
        let mut r = rng(seed);
        let k16: Vec<Fr> = (0..n)
            .map(|_| -Fr::from(r.gen_range(1..=u64::from(u16::MAX))))
            .collect();
        check(
            b,
            pts,
            &k16,
            &format!("scalars r - k, k < 2^16, {}", seed_msg(seed)),
        );
        let k64: Vec<Fr> = (0..n).map(|_| -Fr::from(r.r#gen::<u64>())).collect();
        check(
            b,
            pts,
            &k64,
            &format!("scalars r - k, k < 2^64, {}", seed_msg(seed)),
        );
        let top = Fr::MODULUS.0[3];
        let high: Vec<Fr> = (0..n)
            .map(|_| fr_from_limbs([r.r#gen(), r.r#gen(), r.r#gen(), top]))
            .collect();
        check(
            b,
            pts,
            &high,
            &format!("scalars with r's top limb, {}", seed_msg(seed)),
        );
    }
}

/// Each special scalar (0, ±small, powers of two and neighbours, r-1, r-2^k, (r±1)/2, λ, window
/// extremes) as the only term against a random base (arkworks and naive), and as the first of
/// 32 terms (backends usually take a direct path for tiny inputs; 32 terms go through the
/// windowed algorithm) with the other 31 scalars zero or fixed random ones, against the closed
/// form `s·P + Σ t_i·Q_i` computed by plain scalar multiplication.
pub fn msm_special_scalars_single_term<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    const PAD: usize = 31;
    let seed = 0x5eaf_a000_0001;
    let mut r = rng(seed);
    let background = C::random_run(&mut r, PAD);
    let ts: Vec<Fr> = (0..PAD).map(|_| Fr::rand(&mut r)).collect();
    let background_sum: Projective<C> = background.iter().zip(&ts).map(|(q, t)| *q * t).sum();
    let mut bases = vec![Affine::<C>::zero(); PAD + 1];
    bases[1..].copy_from_slice(background);
    let mut padded = vec![Fr::zero(); PAD + 1];
    let mut zero_padded = vec![Fr::zero(); PAD + 1];
    padded[1..].copy_from_slice(&ts);
    for (i, s) in special_scalars::<C>().into_iter().enumerate() {
        let p = C::random_point(&mut r);
        let ctx = format!("special scalar #{i} = {s}, {}", seed_msg(seed));
        // One term is below NAIVE_MAX_MSM, so `check` also compares with the naive reference.
        check(b, &[p], &[s], &ctx);
        let ps = p * s;
        bases[0] = p;
        padded[0] = s;
        zero_padded[0] = s;
        for (scalars, expected, what) in [
            (&zero_padded, ps, "then 31 zero scalars"),
            (&padded, ps + background_sum, "then 31 random terms"),
        ] {
            let got = b.msm(&bases, scalars).unwrap_or_else(|e| {
                panic!(
                    "{} MSM ({ctx}, {what}): backend returned an error: {e}",
                    C::NAME
                )
            });
            assert!(
                got == expected,
                "{} MSM n={} ({ctx}, {what}): differs from the closed form",
                C::NAME,
                PAD + 1
            );
        }
    }
}

/// The special scalars together: with distinct bases, with one base repeated, in chunks of 64
/// (so the naive reference is used), and mixed into random scalars.
pub fn msm_special_scalars_batched<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let specials = special_scalars::<C>();
    let n = specials.len();
    check(
        b,
        C::points(n),
        &specials,
        "all special scalars, distinct bases",
    );
    for (k, chunk) in specials.chunks(NAIVE_MAX_MSM).enumerate() {
        let pts = &C::points(n)[k * NAIVE_MAX_MSM..][..chunk.len()];
        check(b, pts, chunk, &format!("special scalars chunk {k}"));
    }
    let seed = 0x5eaf_a000_0002;
    let mut r = rng(seed);
    let p = C::random_point(&mut r);
    let sum: Fr = specials.iter().sum();
    check_expect(
        b,
        &vec![p; n],
        &specials,
        p * sum,
        &format!("all special scalars, one base, {}", seed_msg(seed)),
    );
    for m in [1000, C::MEDIUM] {
        let scalars: Vec<Fr> = (0..m)
            .map(|_| {
                if r.gen_ratio(1, 3) {
                    specials[r.gen_range(0..n)]
                } else {
                    Fr::rand(&mut r)
                }
            })
            .collect();
        check(
            b,
            C::points(m),
            &scalars,
            &format!("special scalars mixed in, {}", seed_msg(seed)),
        );
    }
}

/// Scalars whose windows are all at the extremes (every window `2^c - 1`, `2^(c-1)`,
/// `2^(c-1) ± 1`, alternating with 0, for widths c = 2..=20): the same pattern for every term, so
/// each window puts all points in one bucket, and all patterns together.
pub fn msm_window_digit_extremes<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let patterns = window_extreme_scalars();
    let pts = C::points(256);
    for (i, s) in patterns.iter().enumerate() {
        let n = if i % 8 == 0 { 256 } else { 8 };
        check(
            b,
            &pts[..n],
            &vec![*s; n],
            &format!("every scalar = window pattern #{i} = {s}"),
        );
    }
    check(
        b,
        C::points(patterns.len()),
        &patterns,
        "all window patterns, distinct bases",
    );
    let seed = 0x5eaf_b000_0001;
    let mut r = rng(seed);
    let scalars: Vec<Fr> = (0..C::MEDIUM)
        .map(|_| {
            patterns[r.gen_range(0..patterns.len())]
                * if r.gen_bool(0.5) {
                    Fr::one()
                } else {
                    -Fr::one()
                }
        })
        .collect();
    check(
        b,
        C::points(C::MEDIUM),
        &scalars,
        &format!("±window patterns at random, {}", seed_msg(seed)),
    );
}

/// The same point many times (bucket collisions, P + P in batch-affine additions): with random
/// scalars (closed form `P·Σs`), equal scalars, scalars 1..=n (consecutive buckets, so running
/// sums meet equal values), three points cycling, each point twice in a row.
pub fn msm_repeated_bases<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    for n in [2, 3, 64, 65, 1000, C::MEDIUM, 4 * C::MEDIUM] {
        let seed = 0x5eaf_c000_0000 + n as u64;
        let mut r = rng(seed);
        let p = C::random_point(&mut r);
        let same = vec![p; n];
        let ctx = seed_msg(seed);

        let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut r)).collect();
        let total: Fr = scalars.iter().sum();
        check_expect(
            b,
            &same,
            &scalars,
            p * total,
            &format!("one base, random scalars, {ctx}"),
        );

        let s = Fr::rand(&mut r);
        check_expect(
            b,
            &same,
            &vec![s; n],
            p * (s * Fr::from(n as u64)),
            &format!("one base, equal scalars, {ctx}"),
        );
        check_expect(
            b,
            &same,
            &vec![Fr::one(); n],
            p * Fr::from(n as u64),
            "one base, scalars 1",
        );

        let counting: Vec<Fr> = (1..=n as u64).map(Fr::from).collect();
        let tri = Fr::from(n as u64 * (n as u64 + 1) / 2);
        check_expect(b, &same, &counting, p * tri, "one base, scalars 1..=n");

        let three = [
            C::random_point(&mut r),
            C::random_point(&mut r),
            C::random_point(&mut r),
        ];
        let cycling: Vec<Affine<C>> = (0..n).map(|i| three[i % 3]).collect();
        check(
            b,
            &cycling,
            &scalars,
            &format!("three bases cycling, {ctx}"),
        );

        let doubled: Vec<Affine<C>> = (0..n).map(|i| C::points(n)[i / 2]).collect();
        check(b, &doubled, &scalars, &format!("each base twice, {ctx}"));
        check(
            b,
            &doubled,
            &vec![s; n],
            &format!("each base twice, equal scalars, {ctx}"),
        );
    }
}

/// Bases and their negations (P + (-P) = O inside a bucket): [P, -P, P, P, -P, ...] with equal
/// scalars (closed form), pairs that cancel exactly, and pairs (R, R) with scalars (s, -s).
pub fn msm_cancelling_bases<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let seed = 0x5eaf_d000_0001;
    let mut r = rng(seed);
    let ctx = seed_msg(seed);
    let p = C::random_point(&mut r);
    let q = C::random_point(&mut r);
    let scalar_choices = [
        Fr::one(),
        -Fr::one(),
        Fr::from(2u64),
        pow2(15),
        pow2(16) - Fr::one(),
        Fr::rand(&mut r),
    ];

    // The pattern P, -P, P, P, -P repeated, every scalar s: the result is (#P - #(-P))·s·P.
    let pattern = [1i64, -1, 1, 1, -1];
    for n in [2, 5, 7, 64, 1000, C::MEDIUM] {
        let signs: Vec<i64> = (0..n).map(|i| pattern[i % pattern.len()]).collect();
        let bases: Vec<Affine<C>> = signs.iter().map(|&e| if e > 0 { p } else { -p }).collect();
        let count = Fr::from(signs.iter().sum::<i64>());
        for s in scalar_choices {
            check_expect(
                b,
                &bases,
                &vec![s; n],
                p * (count * s),
                &format!("P,-P,P,P,-P pattern, s = {s}, {ctx}"),
            );
        }
        // Random signs.
        let signs: Vec<bool> = (0..n).map(|_| r.gen_bool(0.5)).collect();
        let bases: Vec<Affine<C>> = signs.iter().map(|&e| if e { p } else { -p }).collect();
        let count = signs.iter().fold(Fr::zero(), |acc, &e| {
            if e { acc + Fr::one() } else { acc - Fr::one() }
        });
        let s = Fr::rand(&mut r);
        check_expect(
            b,
            &bases,
            &vec![s; n],
            p * (count * s),
            &format!("random ±P, equal scalars, {ctx}"),
        );
        // [P, -P] pairs: exactly the identity.
        let pairs: Vec<Affine<C>> = (0..n).map(|i| if i % 2 == 0 { p } else { -p }).collect();
        if n % 2 == 0 {
            check_expect(
                b,
                &pairs,
                &vec![s; n],
                Projective::zero(),
                &format!("[P,-P] pairs, {ctx}"),
            );
        }
        // P, Q, -P, -Q, P, P: equal scalars.
        let mix = [p, q, -p, -q, p, p];
        let bases: Vec<Affine<C>> = (0..n).map(|i| mix[i % mix.len()]).collect();
        check(
            b,
            &bases,
            &vec![s; n],
            &format!("P,Q,-P,-Q,P,P pattern, {ctx}"),
        );
    }

    // Distinct random bases, each followed by its negation with the same scalar, or by itself
    // with the negated scalar: both cancel to the identity; (-R, -s) after (R, s) doubles.
    for n in [2, 64, 1000, C::MEDIUM] {
        let seed = 0x5eaf_d000_0000 + n as u64;
        let pts = C::points(n / 2);
        let scalars = random_scalars(seed, n / 2);
        let mut neg_base = Vec::with_capacity(n);
        let mut neg_scalar = Vec::with_capacity(n);
        let mut both_neg = Vec::with_capacity(n);
        for (p, s) in pts.iter().zip(&scalars) {
            neg_base.extend([(*p, *s), (-*p, *s)]);
            neg_scalar.extend([(*p, *s), (*p, -*s)]);
            both_neg.extend([(*p, *s), (-*p, -*s)]);
        }
        let split =
            |v: Vec<(Affine<C>, Fr)>| -> (Vec<Affine<C>>, Vec<Fr>) { v.into_iter().unzip() };
        let (bs, ss) = split(neg_base);
        check_expect(
            b,
            &bs,
            &ss,
            Projective::zero(),
            &format!("(R,s),(-R,s) pairs, {}", seed_msg(seed)),
        );
        let (bs, ss) = split(neg_scalar);
        check_expect(
            b,
            &bs,
            &ss,
            Projective::zero(),
            &format!("(R,s),(R,-s) pairs, {}", seed_msg(seed)),
        );
        let (bs, ss) = split(both_neg);
        let expected: Projective<C> = pts
            .iter()
            .zip(&scalars)
            .map(|(p, s)| *p * s)
            .sum::<Projective<C>>()
            .double();
        check_expect(
            b,
            &bs,
            &ss,
            expected,
            &format!("(R,s),(-R,-s) pairs, {}", seed_msg(seed)),
        );
    }
}

/// Pairs of terms whose scalars agree in every window but one, for window widths 2..=20: the two
/// terms meet in the same bucket in all other windows, so with bases (P, P) a bucket adds P + P,
/// with (P, -P) it cancels, and scalars `a`, `a - 2^(cw)` put P in neighbouring buckets so running
/// sums meet equal values. Also triples (P, P, 2P) with equal scalars (2P + 2P).
pub fn msm_colliding_digit_pairs<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    for c in 2..=20u32 {
        let seed = 0x5eaf_e000_0000 + u64::from(c);
        let mut r = rng(seed);
        let windows = 253 / c;
        let mut all_bases = Vec::new();
        let mut all_scalars = Vec::new();
        for variant in 0..5 {
            let mut bases = Vec::new();
            let mut scalars = Vec::new();
            for _ in 0..16 {
                let p = C::random_point(&mut r);
                let a = Fr::rand(&mut r);
                let w = r.gen_range(0..windows);
                let shift = pow2(c * w);
                let t = Fr::from(r.gen_range(1..1u64 << c.min(16)));
                let (second_base, second_scalar) = match variant {
                    0 => (p, a + t * shift),
                    1 => (-p, a + t * shift),
                    2 => (p, a - shift),
                    3 => (p, a),
                    _ => (-p, a),
                };
                bases.extend([p, second_base]);
                scalars.extend([a, second_scalar]);
            }
            let ctx = format!(
                "window width {c}, pair variant {variant}, {}",
                seed_msg(seed)
            );
            check(b, &bases, &scalars, &ctx);
            all_bases.extend_from_slice(&bases);
            all_scalars.extend_from_slice(&scalars);
        }
        // Triples P, P, 2P with one scalar: the bucket holds 2P and then adds 2P.
        let mut bases = Vec::new();
        let mut scalars = Vec::new();
        for _ in 0..20 {
            let p = C::random_point(&mut r);
            let two_p = p.into_group().double().into_affine();
            let a = Fr::rand(&mut r);
            bases.extend([p, p, two_p]);
            scalars.extend([a, a, a]);
        }
        check(
            b,
            &bases,
            &scalars,
            &format!("window width {c}, (P,P,2P) triples, {}", seed_msg(seed)),
        );
        all_bases.extend_from_slice(&bases);
        all_scalars.extend_from_slice(&scalars);
        check(
            b,
            &all_bases,
            &all_scalars,
            &format!("window width {c}, all pair variants, {}", seed_msg(seed)),
        );
    }
}

/// Large random MSMs with every special input mixed in: identity bases, zero / ±1 / small /
/// near-r / special scalars, bases repeated from earlier terms, negated earlier bases with the same
/// scalar, earlier bases with negated scalars, and the generator.
pub fn msm_mixed_adversarial<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let n = 4 * C::MEDIUM;
    let specials = special_scalars::<C>();
    let pool = C::points(n);
    for seed in [0x5eaf_f000_0001u64, 0x5eaf_f000_0002, 0x5eaf_f000_0003] {
        let mut r = rng(seed);
        let mut bases: Vec<Affine<C>> = Vec::with_capacity(n);
        let mut scalars: Vec<Fr> = Vec::with_capacity(n);
        for i in 0..n {
            let (base, scalar) = match r.gen_range(0..20) {
                0 => (Affine::<C>::zero(), Fr::rand(&mut r)),
                1 => (pool[i], Fr::zero()),
                2 => (
                    pool[i],
                    if r.gen_bool(0.5) {
                        Fr::one()
                    } else {
                        -Fr::one()
                    },
                ),
                3 => (pool[i], small_scalar(&mut r, 16)),
                4 => (pool[i], -small_scalar(&mut r, 16)),
                5 | 6 => (pool[i], specials[r.gen_range(0..specials.len())]),
                7 if i > 0 => (bases[r.gen_range(0..i)], Fr::rand(&mut r)),
                8 if i > 0 => {
                    let j = r.gen_range(0..i);
                    (-bases[j], scalars[j])
                }
                9 if i > 0 => {
                    let j = r.gen_range(0..i);
                    (bases[j], -scalars[j])
                }
                10 if i > 0 => {
                    let j = r.gen_range(0..i);
                    (bases[j], scalars[j])
                }
                11 => (Affine::<C>::generator(), Fr::rand(&mut r)),
                _ => (pool[i], Fr::rand(&mut r)),
            };
            bases.push(base);
            scalars.push(scalar);
        }
        check(
            b,
            &bases,
            &scalars,
            &format!("adversarial mix, {}", seed_msg(seed)),
        );
        // The same input at a size below the naive threshold.
        check(
            b,
            &bases[..NAIVE_MAX_MSM],
            &scalars[..NAIVE_MAX_MSM],
            &format!("adversarial mix prefix, {}", seed_msg(seed)),
        );
    }
}

/// The checked entry rejects different lengths with `LengthMismatch { bases, scalars }`.
pub fn msm_length_mismatch<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let scalars = random_scalars(0x5eaf_0e00_0001, 1001);
    for (nb, ns) in [
        (0, 1),
        (1, 0),
        (1, 2),
        (3, 5),
        (5, 3),
        (64, 63),
        (1000, 1001),
        (1001, 1000),
    ] {
        let result = b.msm(C::points(nb), &scalars[..ns]);
        assert_eq!(
            result,
            Err(KernelError::LengthMismatch {
                bases: nb,
                scalars: ns
            }),
            "{} msm with {nb} bases and {ns} scalars",
            C::NAME
        );
    }
}

/// The unchecked entry cuts the longer slice to the shorter one's length.
pub fn msm_unchecked_truncates<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let seed = 0x5eaf_0e00_0002;
    let scalars = random_scalars(seed, 4097);
    for (nb, ns) in [
        (0, 5),
        (5, 0),
        (1, 2),
        (3, 5),
        (5, 3),
        (64, 100),
        (100, 64),
        (1000, 1001),
        (4097, 4000),
    ] {
        let bases = C::points(nb);
        let m = nb.min(ns);
        let got = b.msm_unchecked(bases, &scalars[..ns]).unwrap_or_else(|e| {
            panic!(
                "{} msm_unchecked with {nb} bases, {ns} scalars returned an error: {e}",
                C::NAME
            )
        });
        let want = <Projective<C> as VariableBaseMSM>::msm(&bases[..m], &scalars[..m])
            .unwrap_or_else(|_| panic!("test bug: truncated lengths differ"));
        assert!(
            got == want,
            "{} msm_unchecked with {nb} bases, {ns} scalars ({}) differs from arkworks on the first {m}",
            C::NAME,
            seed_msg(seed)
        );
        if m == 0 {
            assert!(
                got.is_zero(),
                "{} msm_unchecked of empty input is not the identity",
                C::NAME
            );
        }
    }
}

/// The same input gives the same result call after call, whatever was computed in between (no
/// state leaks between calls, e.g. buffers sized for an earlier input).
pub fn msm_repeatable<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let seed = 0x5eaf_0e00_0003;
    let m = C::MEDIUM;
    let scalars = random_scalars(seed, m);
    let big = checked(b, C::points(m), &scalars, &seed_msg(seed));
    for n in [1, m, 33, 0, m, 1000, m] {
        let got = checked(
            b,
            C::points(n),
            &scalars[..n],
            &format!("repeat, {}", seed_msg(seed)),
        );
        if n == m {
            assert!(
                got == big,
                "{} MSM n={m} ({}) changed between calls",
                C::NAME,
                seed_msg(seed)
            );
        }
    }
}
