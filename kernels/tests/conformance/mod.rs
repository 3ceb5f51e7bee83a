//! Backend conformance suite: every kernel backend is checked against arkworks and against the
//! naive references in `sheaf_kernels::reference`, with the same inputs, by one macro call:
//!
//! ```ignore
//! mod conformance;
//! conformance::conformance_suite!(cpu, || Backend::new(BackendKind::Cpu));
//! ```
//!
//! The first argument names the generated module (test names read `cpu::ntt_roundtrips`,
//! `cpu::g1::msm_repeated_bases`, ...); the second is an expression, evaluated once per test,
//! that opens the backend: anything callable as `FnOnce() -> Result<B, KernelError>` where `B`
//! implements [`Kernels`]. Paths in it resolve as they do where the macro is called.
//!
//! A constructor that returns `Err(KernelError::Unavailable { .. })` makes every test print
//! `SKIP <reason>` to stderr and pass, unless `SHEAF_REQUIRE_GPU=1` is set, in which case each
//! test fails with the reason. Any other error, and `Unavailable` for the CPU backend, fails.
//!
//! Sizes follow the build profile: debug builds run MSMs up to 2^16 (G1) / 2^14 (G2) and NTTs up
//! to 2^16; release builds go to 2^20 / 2^18 / 2^20. Every random input comes from a seeded
//! ChaCha20 generator whose seed is printed by the failing assertion.

pub mod data;
pub mod misc;
pub mod msm;
pub mod ntt;
pub mod props;

use ark_bn254::{Fr, G1Projective, G2Projective};
use sheaf_kernels::{BackendKind, KernelError, Msm, Ntt};

/// Everything a backend must provide to be run through the suite: MSM over BN254 G1 and G2 and
/// the NTT over BN254 Fr, callable from several threads at once.
pub trait Kernels: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + Sync {}

impl<T: Msm<G1Projective> + Msm<G2Projective> + Ntt<Fr> + Sync> Kernels for T {}

/// The environment variable that turns an unavailable backend from a skip into a failure.
pub const REQUIRE_GPU_VAR: &str = "SHEAF_REQUIRE_GPU";

/// Opens the backend under test, or decides that the test is skipped (`None`).
///
/// # Panics
/// On any error other than `Unavailable`, on `Unavailable` for the CPU backend (which must
/// always run), and on `Unavailable` when `SHEAF_REQUIRE_GPU=1`.
pub fn acquire<B>(ctor: impl FnOnce() -> Result<B, KernelError>) -> Option<B> {
    match ctor() {
        Ok(backend) => Some(backend),
        Err(KernelError::Unavailable { backend, reason }) => {
            assert!(
                backend != BackendKind::Cpu,
                "the CPU backend must always be available, but it reported: {reason}"
            );
            let required = std::env::var(REQUIRE_GPU_VAR).is_ok_and(|v| v.trim() == "1");
            assert!(
                !required,
                "backend `{backend}` is unavailable but {REQUIRE_GPU_VAR}=1 requires it: {reason}"
            );
            eprintln!("SKIP backend `{backend}` unavailable: {reason}");
            None
        }
        Err(other) => panic!("opening the backend failed with an unexpected error: {other}"),
    }
}

/// All case functions, by the names the macro turns into tests.
pub mod cases {
    pub use super::misc::*;
    pub use super::msm::*;
    pub use super::ntt::*;
    pub use super::props::*;
}

/// Expands to a module `$name` holding the whole suite for the backend opened by `$ctor`.
macro_rules! conformance_suite {
    ($name:ident, $ctor:expr $(,)?) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            /// Opens the backend for one test; `None` means the test is skipped.
            fn backend() -> ::core::option::Option<impl $crate::conformance::Kernels> {
                $crate::conformance::acquire($ctor)
            }

            $crate::conformance::__suite_tests! {
                // Run once for G1 (in `$name::g1`) and once for G2 (in `$name::g2`).
                curve: [
                    msm_random_small_sizes,
                    msm_random_large_sizes,
                    msm_all_sizes_up_to_64_vs_naive,
                    msm_identity_bases,
                    msm_all_identity_bases,
                    msm_zero_scalars,
                    msm_unit_scalars,
                    msm_small_scalars,
                    msm_scalars_near_modulus,
                    msm_special_scalars_single_term,
                    msm_special_scalars_batched,
                    msm_window_digit_extremes,
                    msm_repeated_bases,
                    msm_cancelling_bases,
                    msm_colliding_digit_pairs,
                    msm_mixed_adversarial,
                    msm_length_mismatch,
                    msm_unchecked_truncates,
                    msm_repeatable,
                    prop_msm_linearity,
                ],
                plain: [
                    ntt_forward_vs_arkworks,
                    ntt_inverse_vs_arkworks,
                    ntt_coset_forward_vs_arkworks,
                    ntt_coset_inverse_vs_arkworks,
                    ntt_all_directions_vs_naive,
                    ntt_roundtrips,
                    ntt_special_vectors,
                    ntt_coset_shift_identities,
                    ntt_in_place_matches_wrappers,
                    ntt_interleaved_sizes_and_shifts,
                    ntt_subslice_leaves_neighbours,
                    ntt_rejects_bad_lengths,
                    ntt_rejects_zero_shift,
                    prop_ntt_roundtrip,
                    concurrent_calls,
                ],
            }
        }
    };
}

/// Implementation detail of [`conformance_suite`]: one `#[test]` per case.
macro_rules! __suite_tests {
    (curve: [$($c:ident),* $(,)?], plain: [$($p:ident),* $(,)?] $(,)?) => {
        $(
            #[test]
            fn $p() {
                if let ::core::option::Option::Some(b) = backend() {
                    $crate::conformance::cases::$p(&b);
                }
            }
        )*

        mod g1 {
            $(
                #[test]
                fn $c() {
                    if let ::core::option::Option::Some(b) = super::backend() {
                        $crate::conformance::cases::$c::<::ark_bn254::g1::Config, _>(&b);
                    }
                }
            )*
        }

        mod g2 {
            $(
                #[test]
                fn $c() {
                    if let ::core::option::Option::Some(b) = super::backend() {
                        $crate::conformance::cases::$c::<::ark_bn254::g2::Config, _>(&b);
                    }
                }
            )*
        }
    };
}

pub(crate) use __suite_tests;
pub(crate) use conformance_suite;
