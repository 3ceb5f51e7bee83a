//! R1CS gadgets over BN254's scalar field Fr for verifying BN254 Groth16 proofs inside a BN254
//! circuit (the recursion of `shared/DESIGN.md`, "The epoch proof"). BN254's base field Fq is
//! larger than Fr, so it is emulated with limbs.
//!
//! - [`num`]: a native value with its linear combination, and range checks.
//! - [`fq`]: emulated Fq with lazy reduction and hinted multiplication; the bound analysis that
//!   keeps every identity free of wrap-around modulo r is documented there.
//!
//! Range checks are bit decompositions for now (one constraint per bit); they are collected
//! behind [`num::enforce_bits`] so a lookup argument can replace them without touching callers.

pub mod fq;
pub mod num;

pub use fq::FqVar;
pub use num::{Num, enforce_bits};
