//! Multi-scalar multiplication: the trait every backend implements.
//!
//! As in arkworks' `VariableBaseMSM`, there is one required unchecked method and a checked
//! default that validates lengths before calling it.

use ark_ec::CurveGroup;

use crate::KernelError;

/// `Σ scalars[i] · bases[i]` over a curve group `G`.
pub trait Msm<G: CurveGroup> {
    /// Computes the MSM without checking lengths: if they differ, the longer slice is cut to the
    /// length of the shorter one. Backends may still fail (a device error), never panic.
    fn msm_unchecked(
        &self,
        bases: &[G::Affine],
        scalars: &[G::ScalarField],
    ) -> Result<G, KernelError>;

    /// Computes the MSM, rejecting slices of different lengths.
    fn msm(&self, bases: &[G::Affine], scalars: &[G::ScalarField]) -> Result<G, KernelError> {
        if bases.len() != scalars.len() {
            return Err(KernelError::LengthMismatch {
                bases: bases.len(),
                scalars: scalars.len(),
            });
        }
        self.msm_unchecked(bases, scalars)
    }
}
