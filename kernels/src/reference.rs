//! Naive O(n²) references, shipped in the library so every backend's tests (and users' tests)
//! can compare against something too simple to be wrong.

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::FftField;

use crate::KernelError;
use crate::ntt::{NttDirection, check_ntt_len};

/// `Σ scalars[i] · bases[i]` by one double-and-add per term. Lengths must match.
pub fn naive_msm<G: CurveGroup>(
    bases: &[G::Affine],
    scalars: &[G::ScalarField],
) -> Result<G, KernelError> {
    if bases.len() != scalars.len() {
        return Err(KernelError::LengthMismatch {
            bases: bases.len(),
            scalars: scalars.len(),
        });
    }
    Ok(bases
        .iter()
        .zip(scalars)
        .map(|(b, s)| b.mul_bigint(ark_ff::PrimeField::into_bigint(*s)))
        .sum())
}

/// The transform of [`crate::Ntt`] by its definition: `out[i] = Σ_j a[j]·x_i^j` with
/// `x_i = g·ω^i` (`g = 1` without a coset), and the inverse by solving for the coefficients.
pub fn naive_ntt<F: FftField>(
    values: &[F],
    direction: NttDirection,
    coset_shift: Option<F>,
) -> Result<Vec<F>, KernelError> {
    let n = values.len();
    let log_n = check_ntt_len::<F>(n)?;
    // After the length check the root and 1/n exist; a field too small for them is a size error.
    let too_large = || KernelError::NttTooLarge {
        log_n,
        max_log_n: crate::max_log_ntt::<F>(),
    };
    let shift = coset_shift.unwrap_or(F::one());
    if shift.is_zero() {
        return Err(KernelError::ZeroCosetShift);
    }
    let omega = F::get_root_of_unity(n as u64).ok_or_else(too_large)?;
    let n_inv = F::from(n as u64).inverse().ok_or_else(too_large)?;
    let shift_inv = shift.inverse().ok_or(KernelError::ZeroCosetShift)?;
    let mut out = vec![F::zero(); n];
    match direction {
        NttDirection::Forward => {
            // Evaluate at x_i = g·ω^i by Horner's rule.
            let mut x = shift;
            for o in out.iter_mut() {
                *o = values.iter().rev().fold(F::zero(), |acc, a| acc * x + a);
                x *= omega;
            }
        }
        NttDirection::Inverse => {
            // a[j] = g^{-j}/n · Σ_i v[i]·ω^{-ij}.
            let omega_inv = omega.inverse().ok_or_else(too_large)?;
            let mut w = F::one();
            let mut g_pow = n_inv;
            for o in out.iter_mut() {
                *o = values.iter().rev().fold(F::zero(), |acc, v| acc * w + v) * g_pow;
                w *= omega_inv;
                g_pow *= shift_inv;
            }
        }
    }
    Ok(out)
}
