//! The conformance suite for the CUDA backend. Without the `cuda` feature, a driver, NVRTC or
//! a GPU every test prints `SKIP <reason>`; with `SHEAF_REQUIRE_GPU=1` (set by `ci/gpu.sh`)
//! each of them fails instead.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;

use sheaf_kernels::{Backend, BackendKind};

conformance::conformance_suite!(cuda, || Backend::new(BackendKind::Cuda));
