//! Errors returned by kernel entry points. Bad input and absent devices are values, never panics.

use crate::backend::BackendKind;

/// Everything a kernel call can report instead of a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// The checked MSM entry was given slices of different lengths.
    #[error("MSM length mismatch: {bases} bases but {scalars} scalars")]
    LengthMismatch {
        /// Number of bases given.
        bases: usize,
        /// Number of scalars given.
        scalars: usize,
    },
    /// An NTT input whose length is not a power of two (zero included).
    #[error("NTT size {len} is not a power of two")]
    NotPowerOfTwo {
        /// Length of the rejected input.
        len: usize,
    },
    /// An NTT input larger than the field's two-adicity (or the kernels' cap) allows.
    #[error("NTT size 2^{log_n} exceeds the largest supported size 2^{max_log_n}")]
    NttTooLarge {
        /// log2 of the rejected length.
        log_n: u32,
        /// log2 of the largest length accepted.
        max_log_n: u32,
    },
    /// A coset NTT with shift zero: its evaluation points all collapse to zero.
    #[error("coset shift must be non-zero")]
    ZeroCosetShift,
    /// A backend name that is not one of `cpu`, `cuda`, `wgpu`.
    #[error("unknown backend `{name}` (expected one of: cpu, cuda, wgpu)")]
    UnknownBackend {
        /// The name that was asked for.
        name: String,
    },
    /// The backend exists in the API but cannot run here (feature off, no driver, no device).
    #[error("backend `{backend}` is unavailable: {reason}")]
    Unavailable {
        /// Which backend was asked for.
        backend: BackendKind,
        /// Why it cannot be used.
        reason: String,
    },
    /// A device call failed; `message` names the failing call and where it was made.
    #[error("backend `{backend}` failed: {message}")]
    Device {
        /// Which backend failed.
        backend: BackendKind,
        /// The failing call and its place.
        message: String,
    },
}
