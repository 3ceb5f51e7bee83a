//! Backend selection: every implementation is always nameable; one that cannot run here is an
//! error value that says why, and [`Backend::detect`] picks the best one that can.

use std::fmt;
use std::str::FromStr;
use std::sync::Once;

use ark_bn254::{Fr, G1Projective, G2Projective, g1, g2};
use ark_ec::short_weierstrass::Projective;

use crate::cpu::CpuBackend;
use crate::{KernelError, Msm, Ntt, NttDirection};

/// The name of a kernel implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BackendKind {
    /// Multi-threaded CPU code (always available).
    Cpu,
    /// NVIDIA GPUs through CUDA.
    Cuda,
    /// Portable GPU compute through wgpu (Vulkan, Metal, DX12).
    Wgpu,
}

impl BackendKind {
    /// All kinds, in the order [`Backend::detect`] prefers them.
    pub const PREFERENCE: [BackendKind; 3] =
        [BackendKind::Cuda, BackendKind::Wgpu, BackendKind::Cpu];

    /// The lowercase name used on command lines and in reports.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Cpu => "cpu",
            BackendKind::Cuda => "cuda",
            BackendKind::Wgpu => "wgpu",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendKind {
    type Err = KernelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(BackendKind::Cpu),
            "cuda" => Ok(BackendKind::Cuda),
            "wgpu" => Ok(BackendKind::Wgpu),
            _ => Err(KernelError::UnknownBackend { name: s.to_owned() }),
        }
    }
}

/// A ready-to-use kernel implementation. Implements [`Msm`] for BN254 G1 and G2 and [`Ntt`] for
/// BN254 Fr by dispatching to the backend it holds.
#[derive(Debug)]
#[non_exhaustive]
pub enum Backend {
    /// The CPU backend.
    Cpu(CpuBackend),
    /// The CUDA backend (feature `cuda`).
    #[cfg(feature = "cuda")]
    Cuda(crate::cuda::CudaBackend),
}

impl Backend {
    /// Opens the backend of the given kind, or says why it cannot run here.
    pub fn new(kind: BackendKind) -> Result<Self, KernelError> {
        match kind {
            BackendKind::Cpu => Ok(Backend::Cpu(CpuBackend::new())),
            #[cfg(feature = "cuda")]
            BackendKind::Cuda => crate::cuda::CudaBackend::new().map(Backend::Cuda),
            #[allow(unreachable_patterns)]
            BackendKind::Cuda | BackendKind::Wgpu => Err(KernelError::Unavailable {
                backend: kind,
                reason: format!("this build of sheaf-kernels has no {kind} backend compiled in"),
            }),
        }
    }

    /// Opens the backend named `name` (`cpu`, `cuda` or `wgpu`).
    pub fn from_name(name: &str) -> Result<Self, KernelError> {
        Self::new(name.parse()?)
    }

    /// Picks the best backend that can run here (CUDA, then wgpu, then CPU) and logs the choice
    /// once per process.
    pub fn detect() -> Self {
        static LOGGED: Once = Once::new();
        let mut skipped = Vec::new();
        for kind in BackendKind::PREFERENCE {
            match Self::new(kind) {
                Ok(backend) => {
                    LOGGED.call_once(|| {
                        tracing::info!(backend = %kind, skipped = ?skipped, "kernel backend selected");
                    });
                    return backend;
                }
                Err(err) => skipped.push(err.to_string()),
            }
        }
        // The CPU backend cannot fail to open; this line is reached only if that ever changes.
        Backend::Cpu(CpuBackend::new())
    }

    /// Which implementation this is.
    pub fn kind(&self) -> BackendKind {
        match self {
            Backend::Cpu(_) => BackendKind::Cpu,
            #[cfg(feature = "cuda")]
            Backend::Cuda(_) => BackendKind::Cuda,
        }
    }
}

impl Msm<Projective<g1::Config>> for Backend {
    fn msm_unchecked(
        &self,
        bases: &[ark_bn254::G1Affine],
        scalars: &[Fr],
    ) -> Result<G1Projective, KernelError> {
        match self {
            Backend::Cpu(b) => b.msm_unchecked(bases, scalars),
            #[cfg(feature = "cuda")]
            Backend::Cuda(b) => b.msm_unchecked(bases, scalars),
        }
    }
}

impl Msm<Projective<g2::Config>> for Backend {
    fn msm_unchecked(
        &self,
        bases: &[ark_bn254::G2Affine],
        scalars: &[Fr],
    ) -> Result<G2Projective, KernelError> {
        match self {
            Backend::Cpu(b) => b.msm_unchecked(bases, scalars),
            #[cfg(feature = "cuda")]
            Backend::Cuda(b) => b.msm_unchecked(bases, scalars),
        }
    }
}

impl Ntt<Fr> for Backend {
    fn ntt_unchecked(
        &self,
        values: &mut [Fr],
        direction: NttDirection,
        coset_shift: Option<Fr>,
    ) -> Result<(), KernelError> {
        match self {
            Backend::Cpu(b) => b.ntt_unchecked(values, direction, coset_shift),
            #[cfg(feature = "cuda")]
            Backend::Cuda(b) => b.ntt_unchecked(values, direction, coset_shift),
        }
    }
}
