//! The CPU backend: Pippenger MSM with batch-affine buckets and a cache-blocked radix-2 NTT,
//! both parallel over the rayon thread pool.

mod field;
mod msm;
mod ntt;

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective, g1, g2};
use ark_ec::short_weierstrass::Projective;

use crate::{KernelError, Msm, Ntt, NttDirection};

/// A raw pointer that may cross into rayon tasks that write disjoint elements.
pub(crate) struct SyncPtr<T>(pub(crate) *mut T);
impl<T> Clone for SyncPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SyncPtr<T> {}
// SAFETY: every use writes disjoint elements, as argued where it is used.
unsafe impl<T: Send> Send for SyncPtr<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for SyncPtr<T> {}
impl<T> SyncPtr<T> {
    /// The pointer (a method, so closures capture the whole `SyncPtr`, not its field).
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}

/// Whether the CPU has BMI2 and ADX (`mulx`, `adcx`, `adox`); hot loops are compiled twice and
/// pick the faster copy at run time, so one binary runs on every x86-64 CPU.
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_bmi2_adx() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx")
    })
}

/// Multi-threaded CPU kernels (rayon's global pool). Cheap to create; it caches NTT twiddle
/// tables per size, so keep one around when transforming repeatedly.
#[derive(Debug, Default)]
pub struct CpuBackend {
    twiddles: ntt::TwiddleCache,
}

impl CpuBackend {
    /// A CPU backend with an empty twiddle cache.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Msm<Projective<g1::Config>> for CpuBackend {
    fn msm_unchecked(
        &self,
        bases: &[G1Affine],
        scalars: &[Fr],
    ) -> Result<G1Projective, KernelError> {
        Ok(msm::pippenger(bases, scalars))
    }
}

impl Msm<Projective<g2::Config>> for CpuBackend {
    fn msm_unchecked(
        &self,
        bases: &[G2Affine],
        scalars: &[Fr],
    ) -> Result<G2Projective, KernelError> {
        Ok(msm::pippenger(bases, scalars))
    }
}

impl Ntt<Fr> for CpuBackend {
    fn ntt_unchecked(
        &self,
        values: &mut [Fr],
        direction: NttDirection,
        coset_shift: Option<Fr>,
    ) -> Result<(), KernelError> {
        ntt::transform(&self.twiddles, values, direction, coset_shift);
        Ok(())
    }
}
