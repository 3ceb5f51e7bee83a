//! NTT cases over BN254 Fr: the backend's transforms must equal arkworks' `Radix2EvaluationDomain`
//! (`fft`, `ifft`, and both on `get_coset(shift)`), the naive reference up to 2^8, and closed forms.

use ark_bn254::Fr;
use ark_ff::{FftField, Field, One, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::Rng;
use sheaf_kernels::reference::naive_ntt;
use sheaf_kernels::{KernelError, Ntt, NttDirection};

use super::data::{
    MAX_LOG_NTT_TESTED, NAIVE_MAX_LOG_NTT, ntt_log_sizes, random_nonzero, rng, seed_msg,
};

/// One of the four transforms.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// `ntt`.
    Forward,
    /// `intt`.
    Inverse,
    /// `coset_ntt` with this shift.
    CosetForward(Fr),
    /// `coset_intt` with this shift.
    CosetInverse(Fr),
}

impl Op {
    fn direction(self) -> NttDirection {
        match self {
            Op::Forward | Op::CosetForward(_) => NttDirection::Forward,
            Op::Inverse | Op::CosetInverse(_) => NttDirection::Inverse,
        }
    }

    fn shift(self) -> Option<Fr> {
        match self {
            Op::Forward | Op::Inverse => None,
            Op::CosetForward(g) | Op::CosetInverse(g) => Some(g),
        }
    }

    /// The transform that undoes this one.
    fn inverse(self) -> Op {
        match self {
            Op::Forward => Op::Inverse,
            Op::Inverse => Op::Forward,
            Op::CosetForward(g) => Op::CosetInverse(g),
            Op::CosetInverse(g) => Op::CosetForward(g),
        }
    }
}

/// Runs `op` on the backend through the trait's named wrappers (`ntt`, `intt`, `coset_ntt`,
/// `coset_intt`).
pub fn apply<B: Ntt<Fr>>(b: &B, values: &mut [Fr], op: Op) -> Result<(), KernelError> {
    match op {
        Op::Forward => b.ntt(values),
        Op::Inverse => b.intt(values),
        Op::CosetForward(g) => b.coset_ntt(values, g),
        Op::CosetInverse(g) => b.coset_intt(values, g),
    }
}

/// `op` applied by the backend to a copy of `input`; panics with `ctx` on an error.
pub fn transformed<B: Ntt<Fr>>(b: &B, input: &[Fr], op: Op, ctx: &str) -> Vec<Fr> {
    let mut out = input.to_vec();
    apply(b, &mut out, op).unwrap_or_else(|e| {
        panic!(
            "NTT {op:?} n={} ({ctx}): backend returned an error: {e}",
            input.len()
        )
    });
    out
}

/// arkworks' result for `op` on `input` (whose length is a power of two).
pub fn arkworks(input: &[Fr], op: Op) -> Vec<Fr> {
    let domain = Radix2EvaluationDomain::<Fr>::new(input.len())
        .unwrap_or_else(|| panic!("test bug: no arkworks domain of size {}", input.len()));
    assert_eq!(domain.size(), input.len(), "test bug: arkworks domain size");
    let domain = match op.shift() {
        None => domain,
        Some(g) => domain
            .get_coset(g)
            .unwrap_or_else(|| panic!("test bug: no coset with shift {g}")),
    };
    match op.direction() {
        NttDirection::Forward => domain.fft(input),
        NttDirection::Inverse => domain.ifft(input),
    }
}

/// Asserts `got == want`, naming the first differing index.
pub fn assert_same(got: &[Fr], want: &[Fr], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    if let Some(i) = got.iter().zip(want).position(|(a, b)| a != b) {
        let count = got.iter().zip(want).filter(|(a, b)| a != b).count();
        panic!(
            "{what}: {count} of {} entries differ; first at index {i}: got {}, expected {}",
            got.len(),
            got[i],
            want[i]
        );
    }
}

/// Runs `op` on the backend and compares with arkworks, and with the naive reference when
/// `n <= 2^NAIVE_MAX_LOG_NTT`. Returns the backend's output.
pub fn check<B: Ntt<Fr>>(b: &B, input: &[Fr], op: Op, ctx: &str) -> Vec<Fr> {
    let n = input.len();
    let got = transformed(b, input, op, ctx);
    assert_same(
        &got,
        &arkworks(input, op),
        &format!("NTT {op:?} n={n} ({ctx}) vs arkworks"),
    );
    if n <= 1 << NAIVE_MAX_LOG_NTT {
        let naive = naive_ntt(input, op.direction(), op.shift())
            .unwrap_or_else(|e| panic!("test bug: naive_ntt failed: {e}"));
        assert_same(
            &got,
            &naive,
            &format!("NTT {op:?} n={n} ({ctx}) vs naive reference"),
        );
    }
    got
}

/// `n` random field elements from `seed`.
pub fn random_vec(seed: u64, n: usize) -> Vec<Fr> {
    let mut r = rng(seed);
    (0..n).map(|_| Fr::rand(&mut r)).collect()
}

/// The coset shifts the suite uses: the field's multiplicative generator (what a Groth16 prover
/// uses) and a random non-zero element.
pub fn shifts(seed: u64) -> [Fr; 2] {
    [Fr::GENERATOR, random_nonzero(&mut rng(seed))]
}

fn check_all_sizes<B: Ntt<Fr>>(b: &B, tag: u64, make_op: impl Fn(u64) -> Vec<Op>) {
    for log_n in ntt_log_sizes() {
        let seed = 0x5eaf_0700_0000 + (tag << 8) + u64::from(log_n);
        let input = random_vec(seed, 1 << log_n);
        for op in make_op(seed) {
            check(b, &input, op, &seed_msg(seed));
        }
    }
}

/// `ntt` against `Radix2EvaluationDomain::fft` at 2^0..=2^12 and a few larger sizes up to 2^16
/// (debug) or 2^20 (release).
pub fn ntt_forward_vs_arkworks<B: Ntt<Fr>>(b: &B) {
    check_all_sizes(b, 1, |_| vec![Op::Forward]);
}

/// `intt` against `Radix2EvaluationDomain::ifft`, same sizes.
pub fn ntt_inverse_vs_arkworks<B: Ntt<Fr>>(b: &B) {
    check_all_sizes(b, 2, |_| vec![Op::Inverse]);
}

/// `coset_ntt` against `fft` on `get_coset(shift)`, shifts `Fr::GENERATOR` and a random one.
pub fn ntt_coset_forward_vs_arkworks<B: Ntt<Fr>>(b: &B) {
    check_all_sizes(b, 3, |seed| shifts(seed).map(Op::CosetForward).to_vec());
}

/// `coset_intt` against `ifft` on `get_coset(shift)`, same shifts.
pub fn ntt_coset_inverse_vs_arkworks<B: Ntt<Fr>>(b: &B) {
    check_all_sizes(b, 4, |seed| shifts(seed).map(Op::CosetInverse).to_vec());
}

/// All four transforms (cosets with the generator, a random shift, 1 and -1) at every size up to
/// 2^8 against the naive reference (and arkworks), on random input and on input with zeros.
pub fn ntt_all_directions_vs_naive<B: Ntt<Fr>>(b: &B) {
    for log_n in 0..=NAIVE_MAX_LOG_NTT {
        let seed = 0x5eaf_0710_0000 + u64::from(log_n);
        let n = 1usize << log_n;
        let random = random_vec(seed, n);
        let mut r = rng(seed ^ 1);
        let sparse: Vec<Fr> = (0..n)
            .map(|_| {
                if r.gen_bool(0.7) {
                    Fr::zero()
                } else {
                    Fr::rand(&mut r)
                }
            })
            .collect();
        let [g, s] = shifts(seed);
        let ops = [
            Op::Forward,
            Op::Inverse,
            Op::CosetForward(g),
            Op::CosetInverse(g),
            Op::CosetForward(s),
            Op::CosetInverse(s),
            Op::CosetForward(Fr::one()),
            Op::CosetInverse(-Fr::one()),
        ];
        for op in ops {
            check(b, &random, op, &seed_msg(seed));
            check(b, &sparse, op, &format!("70% zeros, {}", seed_msg(seed)));
        }
    }
}

/// `intt(ntt(x)) = x`, `ntt(intt(x)) = x`, and the same for coset transforms with both shifts, at
/// every size the arkworks comparisons use.
pub fn ntt_roundtrips<B: Ntt<Fr>>(b: &B) {
    for log_n in ntt_log_sizes() {
        let seed = 0x5eaf_0720_0000 + u64::from(log_n);
        let input = random_vec(seed, 1 << log_n);
        let [g, s] = shifts(seed);
        for op in [
            Op::Forward,
            Op::Inverse,
            Op::CosetForward(g),
            Op::CosetInverse(g),
            Op::CosetForward(s),
            Op::CosetInverse(s),
        ] {
            let ctx = seed_msg(seed);
            let there = transformed(b, &input, op, &ctx);
            let back = transformed(b, &there, op.inverse(), &ctx);
            assert_same(
                &back,
                &input,
                &format!(
                    "round trip {op:?} then {:?}, n=2^{log_n} ({ctx})",
                    op.inverse()
                ),
            );
        }
    }
}

/// Sizes (log2) for the closed-form and identity checks.
fn structured_log_sizes() -> Vec<u32> {
    (0..=10)
        .chain([12, 14, 16])
        .filter(|&k| k <= MAX_LOG_NTT_TESTED)
        .collect()
}

/// Special vectors with known transforms: all zeros, a single 1 at index 0 and at the last index,
/// and all ones, through all four transforms (cosets with both shifts), checked against the
/// closed form and arkworks.
pub fn ntt_special_vectors<B: Ntt<Fr>>(b: &B) {
    for log_n in structured_log_sizes() {
        let n = 1usize << log_n;
        let nf = Fr::from(n as u64);
        let n_inv = nf.inverse().unwrap_or_else(Fr::zero);
        let omega = Fr::get_root_of_unity(n as u64).unwrap_or_else(Fr::zero);
        let omega_inv = omega.inverse().unwrap_or_else(Fr::zero);
        let seed = 0x5eaf_0730_0000 + u64::from(log_n);
        let zeros = vec![Fr::zero(); n];
        let ones = vec![Fr::one(); n];
        let mut first = zeros.clone();
        first[0] = Fr::one();
        let mut last = zeros.clone();
        last[n - 1] = Fr::one();
        let powers = |x: Fr, scale: Fr| -> Vec<Fr> {
            let mut acc = scale;
            (0..n)
                .map(|_| {
                    let v = acc;
                    acc *= x;
                    v
                })
                .collect()
        };

        let mut cases: Vec<(&str, &[Fr], Op, Vec<Fr>)> = vec![
            ("zeros", &zeros, Op::Forward, zeros.clone()),
            ("zeros", &zeros, Op::Inverse, zeros.clone()),
            // The constant polynomial 1 evaluates to 1 everywhere.
            ("1 at index 0", &first, Op::Forward, ones.clone()),
            // Interpolating a delta at ω^0: a_j = ω^0/n.
            ("1 at index 0", &first, Op::Inverse, vec![n_inv; n]),
            // x^(n-1) at ω^i is ω^(-i).
            (
                "1 at last index",
                &last,
                Op::Forward,
                powers(omega_inv, Fr::one()),
            ),
            // a_j = ω^(-(n-1)j)/n = ω^j/n.
            ("1 at last index", &last, Op::Inverse, powers(omega, n_inv)),
            // Σ_j ω^(ij) = n if i = 0 else 0.
            ("all ones", &ones, Op::Forward, {
                let mut v = zeros.clone();
                v[0] = nf;
                v
            }),
            ("all ones", &ones, Op::Inverse, first.clone()),
        ];
        for g in shifts(seed) {
            let g_inv = g.inverse().unwrap_or_else(Fr::zero);
            let g_pow_last = g.pow([n as u64 - 1]);
            cases.extend([
                ("zeros", &zeros[..], Op::CosetForward(g), zeros.clone()),
                ("zeros", &zeros[..], Op::CosetInverse(g), zeros.clone()),
                (
                    "1 at index 0",
                    &first[..],
                    Op::CosetForward(g),
                    ones.clone(),
                ),
                // a_j = g^(-j)/n.
                (
                    "1 at index 0",
                    &first[..],
                    Op::CosetInverse(g),
                    powers(g_inv, n_inv),
                ),
                // (gω^i)^(n-1) = g^(n-1)·ω^(-i).
                (
                    "1 at last index",
                    &last[..],
                    Op::CosetForward(g),
                    powers(omega_inv, g_pow_last),
                ),
                // a_j = g^(-j)·ω^j/n.
                (
                    "1 at last index",
                    &last[..],
                    Op::CosetInverse(g),
                    powers(g_inv * omega, n_inv),
                ),
                // The polynomial that is 1 on the coset is the constant 1.
                ("all ones", &ones[..], Op::CosetInverse(g), first.clone()),
            ]);
            // Σ_j x^j = (x^n - 1)/(x - 1) at x = gω^i (g is not a root of unity here).
            let xs = powers(omega, g);
            if xs.iter().all(|x| !x.is_one()) {
                let gn_minus_1 = g.pow([n as u64]) - Fr::one();
                let expected: Vec<Fr> = xs
                    .iter()
                    .map(|x| gn_minus_1 * (*x - Fr::one()).inverse().unwrap_or_else(Fr::zero))
                    .collect();
                cases.push(("all ones", &ones[..], Op::CosetForward(g), expected));
            }
        }
        for (name, input, op, expected) in cases {
            let ctx = format!("{name}, {}", seed_msg(seed));
            let got = check(b, input, op, &ctx);
            assert_same(
                &got,
                &expected,
                &format!("NTT {op:?} n={n} ({ctx}) vs closed form"),
            );
        }
    }
}

/// Identities that need no reference: a coset with shift 1 is the plain transform; a coset with
/// shift ω (or -1 = ω^(n/2)) is the plain transform rotated by 1 (or n/2); a coset transform is
/// the plain one applied to `a_j·g^j`.
pub fn ntt_coset_shift_identities<B: Ntt<Fr>>(b: &B) {
    for log_n in structured_log_sizes() {
        let n = 1usize << log_n;
        let seed = 0x5eaf_0740_0000 + u64::from(log_n);
        let ctx = seed_msg(seed);
        let input = random_vec(seed, n);
        let plain = transformed(b, &input, Op::Forward, &ctx);
        let plain_inv = transformed(b, &input, Op::Inverse, &ctx);
        assert_same(
            &transformed(b, &input, Op::CosetForward(Fr::one()), &ctx),
            &plain,
            &format!("coset_ntt shift 1 vs ntt, n={n} ({ctx})"),
        );
        assert_same(
            &transformed(b, &input, Op::CosetInverse(Fr::one()), &ctx),
            &plain_inv,
            &format!("coset_intt shift 1 vs intt, n={n} ({ctx})"),
        );

        let omega = Fr::get_root_of_unity(n as u64).unwrap_or_else(Fr::zero);
        let mut rotated = plain.clone();
        rotated.rotate_left(1 % n);
        assert_same(
            &transformed(b, &input, Op::CosetForward(omega), &ctx),
            &rotated,
            &format!("coset_ntt shift ω vs rotated ntt, n={n} ({ctx})"),
        );
        assert_same(
            &transformed(b, &rotated, Op::CosetInverse(omega), &ctx),
            &input,
            &format!("coset_intt shift ω of rotated ntt, n={n} ({ctx})"),
        );
        if n >= 2 {
            let mut half = plain.clone();
            half.rotate_left(n / 2);
            assert_same(
                &transformed(b, &input, Op::CosetForward(-Fr::one()), &ctx),
                &half,
                &format!("coset_ntt shift -1 vs ntt rotated by n/2, n={n} ({ctx})"),
            );
        }

        for g in shifts(seed) {
            let mut scaled = input.clone();
            let mut gj = Fr::one();
            for a in scaled.iter_mut() {
                *a *= gj;
                gj *= g;
            }
            let via_plain = transformed(b, &scaled, Op::Forward, &ctx);
            assert_same(
                &transformed(b, &input, Op::CosetForward(g), &ctx),
                &via_plain,
                &format!("coset_ntt(a, g) vs ntt(a_j g^j), n={n} ({ctx})"),
            );
            assert_same(
                &transformed(b, &via_plain, Op::CosetInverse(g), &ctx),
                &input,
                &format!("coset_intt of ntt(a_j g^j), n={n} ({ctx})"),
            );
        }
    }
}

/// `ntt_in_place(values, direction, shift)` gives what the named wrappers give.
pub fn ntt_in_place_matches_wrappers<B: Ntt<Fr>>(b: &B) {
    for log_n in [0u32, 1, 3, 10] {
        let seed = 0x5eaf_0750_0000 + u64::from(log_n);
        let input = random_vec(seed, 1 << log_n);
        let [g, s] = shifts(seed);
        for op in [
            Op::Forward,
            Op::Inverse,
            Op::CosetForward(g),
            Op::CosetInverse(s),
        ] {
            let mut via_in_place = input.clone();
            b.ntt_in_place(&mut via_in_place, op.direction(), op.shift())
                .unwrap_or_else(|e| panic!("ntt_in_place {op:?} n=2^{log_n}: error {e}"));
            let via_wrapper = check(b, &input, op, &seed_msg(seed));
            assert_same(
                &via_in_place,
                &via_wrapper,
                &format!(
                    "ntt_in_place vs wrapper for {op:?}, n=2^{log_n} ({})",
                    seed_msg(seed)
                ),
            );
        }
    }
}

/// One backend used for many sizes, directions and shifts in a row, including the same size with
/// different shifts back to back: catches per-size caches (twiddles, coset powers) keyed wrongly.
pub fn ntt_interleaved_sizes_and_shifts<B: Ntt<Fr>>(b: &B) {
    let seed = 0x5eaf_0760_0001;
    let mut r = rng(seed);
    let s1 = random_nonzero(&mut r);
    let s2 = random_nonzero(&mut r);
    let g = Fr::GENERATOR;
    let steps = [
        (10, Op::Forward),
        (3, Op::Forward),
        (10, Op::Inverse),
        (10, Op::Forward),
        (1, Op::CosetForward(g)),
        (10, Op::CosetForward(g)),
        (10, Op::CosetForward(s1)),
        (10, Op::CosetInverse(s1)),
        (10, Op::CosetInverse(g)),
        (10, Op::CosetForward(s2)),
        (4, Op::Forward),
        (0, Op::Inverse),
        (12, Op::CosetForward(s2)),
        (11, Op::CosetForward(s2)),
        (12, Op::CosetInverse(s2)),
        (12, Op::Inverse),
        (10, Op::Forward),
        (3, Op::CosetInverse(g)),
        (3, Op::Inverse),
    ];
    for (i, (log_n, op)) in steps.into_iter().enumerate() {
        let input: Vec<Fr> = (0..1usize << log_n).map(|_| Fr::rand(&mut r)).collect();
        check(
            b,
            &input,
            op,
            &format!("step {i} of the interleaved sequence, {}", seed_msg(seed)),
        );
    }
}

/// Transforming a sub-slice of a larger buffer changes only that sub-slice.
pub fn ntt_subslice_leaves_neighbours<B: Ntt<Fr>>(b: &B) {
    for log_n in [0u32, 2, 5, 10] {
        for offset in [1, 3] {
            let n = 1usize << log_n;
            let seed = 0x5eaf_0770_0000 + (u64::from(log_n) << 4) + offset as u64;
            let ctx = seed_msg(seed);
            let buffer = random_vec(seed, offset + n + 5);
            let [g, s] = shifts(seed);
            for op in [
                Op::Forward,
                Op::Inverse,
                Op::CosetForward(g),
                Op::CosetInverse(s),
            ] {
                let mut buf = buffer.clone();
                apply(b, &mut buf[offset..offset + n], op)
                    .unwrap_or_else(|e| panic!("NTT {op:?} on a sub-slice n={n}: error {e}"));
                assert_same(
                    &buf[..offset],
                    &buffer[..offset],
                    &format!("{op:?} n={n}: elements before the slice ({ctx})"),
                );
                assert_same(
                    &buf[offset + n..],
                    &buffer[offset + n..],
                    &format!("{op:?} n={n}: elements after the slice ({ctx})"),
                );
                assert_same(
                    &buf[offset..offset + n],
                    &arkworks(&buffer[offset..offset + n], op),
                    &format!("{op:?} n={n} on a sub-slice ({ctx})"),
                );
            }
        }
    }
}

/// Lengths that are not powers of two (zero included) are rejected with `NotPowerOfTwo { len }`
/// by every entry point, and the input is left as it was.
pub fn ntt_rejects_bad_lengths<B: Ntt<Fr>>(b: &B) {
    let seed = 0x5eaf_0780_0001;
    let [g, _] = shifts(seed);
    for len in [0, 3, 5, 6, 7, 12, 100, 1000, 1025, 3 << 10] {
        let input = random_vec(seed, len);
        let expected = Err(KernelError::NotPowerOfTwo { len });
        for op in [
            Op::Forward,
            Op::Inverse,
            Op::CosetForward(g),
            Op::CosetInverse(g),
        ] {
            let mut values = input.clone();
            assert_eq!(
                apply(b, &mut values, op),
                expected,
                "{op:?} of length {len}"
            );
            assert_same(
                &values,
                &input,
                &format!("{op:?} of length {len} changed its input"),
            );
            let mut values = input.clone();
            assert_eq!(
                b.ntt_in_place(&mut values, op.direction(), op.shift()),
                expected,
                "ntt_in_place {op:?} of length {len}"
            );
            assert_same(
                &values,
                &input,
                &format!("ntt_in_place {op:?} of length {len} changed its input"),
            );
        }
    }
}

/// A zero coset shift is rejected with `ZeroCosetShift`, and the input is left as it was.
pub fn ntt_rejects_zero_shift<B: Ntt<Fr>>(b: &B) {
    for log_n in [0u32, 1, 3, 10] {
        let seed = 0x5eaf_0790_0000 + u64::from(log_n);
        let input = random_vec(seed, 1 << log_n);
        let expected = Err(KernelError::ZeroCosetShift);
        for op in [Op::CosetForward(Fr::zero()), Op::CosetInverse(Fr::zero())] {
            let mut values = input.clone();
            assert_eq!(apply(b, &mut values, op), expected, "{op:?}, n=2^{log_n}");
            assert_same(
                &values,
                &input,
                &format!("{op:?}, n=2^{log_n} changed its input"),
            );
            let mut values = input.clone();
            assert_eq!(
                b.ntt_in_place(&mut values, op.direction(), op.shift()),
                expected,
                "ntt_in_place {op:?}, n=2^{log_n}"
            );
            assert_same(
                &values,
                &input,
                &format!("ntt_in_place {op:?}, n=2^{log_n} changed its input"),
            );
        }
    }
}
