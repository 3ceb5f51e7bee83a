//! The conformance suite for the CPU backend (never skipped).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;

use sheaf_kernels::{Backend, BackendKind};

conformance::conformance_suite!(cpu, || Backend::new(BackendKind::Cpu));
