//! Pippenger's bucket method (Pippenger 1976; Bernstein et al., "Faster batch forgery
//! identification", 2012) with signed-digit windows and batch-affine buckets.
//!
//! Each scalar is cut into `c`-bit signed digits; window `w` sorts the bases into `2^(c-1)`
//! buckets by digit magnitude (negating for negative digits), sums each bucket with batched
//! affine additions ([`batch_affine`]), reduces the buckets to `Σ (b + 1)·B_b`, and the windows
//! are combined by Horner's rule with `c` doublings between them. Windows are independent, so
//! they are the unit of parallel work.

mod batch_affine;
mod curve;
mod digits;
mod window;
mod xyzz;

use ark_ec::short_weierstrass::{Affine, Bucket, Projective};
use ark_ec::{AdditiveGroup, AffineRepr};
use ark_ff::PrimeField;
use rayon::prelude::*;
use xyzz::Xyzz;

use crate::cpu::SyncPtr;
use crate::cpu::field::FieldOps;
use batch_affine::{BucketSet, Xy};
pub(crate) use curve::MsmCurve;
use digits::{signed_digits, window_count};

/// Below this many terms, a sum of double-and-add products is faster than setting up buckets.
const DIRECT_BELOW: usize = 8;

/// Computes `Σ scalars[i] · bases[i]` over the common prefix of the two slices.
pub(crate) fn pippenger<P: MsmCurve>(
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
) -> Projective<P> {
    let n = bases.len().min(scalars.len());
    let (bases, scalars) = (&bases[..n], &scalars[..n]);
    if n < DIRECT_BELOW {
        return bases
            .iter()
            .zip(scalars)
            .map(|(b, s)| b.mul_bigint(s.into_bigint()))
            .sum();
    }

    let num_bits = P::ScalarField::MODULUS_BIT_SIZE as usize;
    let plan = window::plan(n, num_bits, rayon::current_num_threads());
    let windows = window_count(num_bits, plan.c);
    let digits = digit_columns(scalars, plan.c, windows);

    let window_sums: Vec<Bucket<P>> = (0..windows)
        .into_par_iter()
        .map(|w| window_sum(bases, &digits[w * n..(w + 1) * n], plan).to_ark::<P>())
        .collect();

    // Horner: Σ_w S_w · 2^(c·w), from the top window down.
    let mut acc = Projective::<P>::ZERO;
    for sum in window_sums.iter().rev() {
        for _ in 0..plan.c {
            acc.double_in_place();
        }
        acc += sum;
    }
    acc
}

/// Signed digits of every scalar, stored window-major: `out[w·n + i]` is digit `w` of scalar `i`,
/// so each window task streams one contiguous column.
fn digit_columns<F: PrimeField>(scalars: &[F], c: usize, windows: usize) -> Vec<i32> {
    let n = scalars.len();
    let mut columns = vec![0i32; windows * n];
    // Scalar-major scratch per chunk, then scattered into the columns; chunks keep the scratch
    // in L1 and give rayon enough pieces to balance.
    const CHUNK: usize = 1 << 12;
    let column_ptr = SyncPtr(columns.as_mut_ptr());
    scalars
        .par_chunks(CHUNK)
        .enumerate()
        .for_each(|(chunk, part)| {
            let mut scratch = vec![0i32; windows];
            for (j, s) in part.iter().enumerate() {
                let i = chunk * CHUNK + j;
                signed_digits(s.into_bigint().as_ref(), c, &mut scratch);
                for (w, d) in scratch.iter().enumerate() {
                    // SAFETY: `i < n` and `w < windows`, so the index is in bounds, and each `i`
                    // belongs to exactly one chunk, so no two tasks write the same element.
                    unsafe { *column_ptr.get().add(w * n + i) = *d };
                }
            }
        });
    columns
}

/// Bucket accumulation and reduction for one window, compiled for BMI2 + ADX where the CPU has
/// them (`mulx` lets the compiler schedule the 64×64-bit products of the Montgomery
/// multiplication without juggling flags).
fn window_sum<P: MsmCurve>(bases: &[Affine<P>], digits: &[i32], plan: window::Plan) -> Xyzz<P::F> {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_bmi2_adx() {
        // SAFETY: the CPU supports the features this function was compiled for.
        return unsafe { window_sum_bmi2_adx(bases, digits, plan) };
    }
    window_sum_portable(bases, digits, plan)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi2,adx")]
fn window_sum_bmi2_adx<P: MsmCurve>(
    bases: &[Affine<P>],
    digits: &[i32],
    plan: window::Plan,
) -> Xyzz<P::F> {
    window_sum_portable(bases, digits, plan)
}

#[inline(always)]
fn window_sum_portable<P: MsmCurve>(
    bases: &[Affine<P>],
    digits: &[i32],
    plan: window::Plan,
) -> Xyzz<P::F> {
    let mut buckets = BucketSet::<P>::new(1 << (plan.c - 1), plan.batch_size);
    for (base, &d) in bases.iter().zip(digits) {
        if d == 0 || base.is_zero() {
            continue;
        }
        let (x, y) = P::coordinates(base);
        let y = if d > 0 { y } else { y.neg() };
        buckets.add(d.unsigned_abs() as usize - 1, Xy { x, y });
    }
    buckets.finish()
}
