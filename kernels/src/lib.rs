//! sheaf-kernels: multi-scalar multiplication over BN254 G1 and G2 and the number-theoretic
//! transform over BN254 Fr, behind one pair of traits ([`Msm`], [`Ntt`]) with interchangeable
//! backends. The kernels know nothing about proofs; they take and return arkworks types and
//! convert to a device layout inside a backend.
//!
//! ```
//! use ark_bn254::{Fr, G1Affine, G1Projective};
//! use ark_ec::AffineRepr;
//! use sheaf_kernels::{Backend, BackendKind, Msm, Ntt};
//!
//! let backend = Backend::new(BackendKind::Cpu)?;
//! let g = G1Affine::generator();
//! let sum: G1Projective = backend.msm(&[g, g], &[Fr::from(2u64), Fr::from(3u64)])?;
//! assert_eq!(sum, g * Fr::from(5u64));
//!
//! let mut values = vec![Fr::from(1u64); 8];
//! backend.ntt(&mut values)?;
//! backend.intt(&mut values)?;
//! assert_eq!(values, vec![Fr::from(1u64); 8]);
//! # Ok::<(), sheaf_kernels::KernelError>(())
//! ```

pub mod backend;
pub mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;
mod error;
pub mod msm;
pub mod ntt;
pub mod reference;

pub use backend::{Backend, BackendKind};
pub use cpu::CpuBackend;
#[cfg(feature = "cuda")]
pub use cuda::CudaBackend;
pub use error::KernelError;
pub use msm::Msm;
pub use ntt::{MAX_LOG_NTT, Ntt, NttDirection, check_ntt_len, max_log_ntt};
