//! Number-theoretic transform over a two-adic prime field: the trait every backend implements.
//!
//! Conventions match arkworks' `Radix2EvaluationDomain` so results can be compared directly:
//! the forward transform of coefficients `a` of length `n` is `â[i] = Σ_j a[j]·ω^(ij)` with `ω`
//! the field's canonical primitive `n`-th root of unity (`F::get_root_of_unity(n)`), inputs and
//! outputs in natural order. The inverse includes the `1/n` factor. A coset transform with shift
//! `g` evaluates at `g·ω^i` (coefficient `j` is scaled by `g^j` first); its inverse undoes that.

use ark_ff::FftField;

use crate::KernelError;

/// Largest transform the kernels accept, as log2 of the length (BN254 Fr has two-adicity 28).
pub const MAX_LOG_NTT: u32 = 28;

/// Which way a transform goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NttDirection {
    /// Coefficients to evaluations.
    Forward,
    /// Evaluations to coefficients (scaled by `1/n`).
    Inverse,
}

/// In-place NTT over `F`.
pub trait Ntt<F: FftField> {
    /// Transforms `values` in place. The caller guarantees that `values.len()` is a power of two
    /// no larger than `2^max_log_ntt::<F>()` and that `coset_shift`, if given, is non-zero.
    fn ntt_unchecked(
        &self,
        values: &mut [F],
        direction: NttDirection,
        coset_shift: Option<F>,
    ) -> Result<(), KernelError>;

    /// Validates the length (first) and the shift, then transforms `values` in place. On an
    /// error `values` is left untouched.
    fn ntt_in_place(
        &self,
        values: &mut [F],
        direction: NttDirection,
        coset_shift: Option<F>,
    ) -> Result<(), KernelError> {
        check_ntt_len::<F>(values.len())?;
        if coset_shift.is_some_and(|g| g.is_zero()) {
            return Err(KernelError::ZeroCosetShift);
        }
        self.ntt_unchecked(values, direction, coset_shift)
    }

    /// Forward transform, natural order in and out.
    fn ntt(&self, values: &mut [F]) -> Result<(), KernelError> {
        self.ntt_in_place(values, NttDirection::Forward, None)
    }

    /// Inverse transform, natural order in and out.
    fn intt(&self, values: &mut [F]) -> Result<(), KernelError> {
        self.ntt_in_place(values, NttDirection::Inverse, None)
    }

    /// Evaluates the polynomial with coefficients `values` on the coset `shift·⟨ω⟩`.
    fn coset_ntt(&self, values: &mut [F], shift: F) -> Result<(), KernelError> {
        self.ntt_in_place(values, NttDirection::Forward, Some(shift))
    }

    /// Interpolates evaluations on the coset `shift·⟨ω⟩` back to coefficients.
    fn coset_intt(&self, values: &mut [F], shift: F) -> Result<(), KernelError> {
        self.ntt_in_place(values, NttDirection::Inverse, Some(shift))
    }
}

/// log2 of the largest NTT accepted over `F`: the smaller of the field's two-adicity and
/// [`MAX_LOG_NTT`].
pub fn max_log_ntt<F: FftField>() -> u32 {
    F::TWO_ADICITY.min(MAX_LOG_NTT)
}

/// Checks that `len` is an accepted NTT length and returns its log2.
pub fn check_ntt_len<F: FftField>(len: usize) -> Result<u32, KernelError> {
    if !len.is_power_of_two() {
        return Err(KernelError::NotPowerOfTwo { len });
    }
    let log_n = len.trailing_zeros();
    let max_log_n = max_log_ntt::<F>();
    if log_n > max_log_n {
        return Err(KernelError::NttTooLarge { log_n, max_log_n });
    }
    Ok(log_n)
}
