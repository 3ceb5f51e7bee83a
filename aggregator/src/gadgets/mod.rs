//! R1CS gadgets over BN254's scalar field Fr for verifying BN254 Groth16 proofs inside a BN254
//! circuit (the recursion of `shared/DESIGN.md`, "The epoch proof"). BN254's base field Fq is
//! larger than Fr, so it is emulated with limbs.
//!
//! - [`challenge`]: the [`Commit`] trait through which a circuit draws a challenge after
//!   committing to witness values (for lookup arguments).
//! - [`num`]: a native value with its linear combination, and range checks.
//! - [`fq`]: emulated Fq with lazy reduction and hinted multiplication; the bound analysis that
//!   keeps every identity free of wrap-around modulo r is documented there.
//! - [`fq2`]: Fq2 = Fq(u) with u² = −1, one reduction per output coordinate.
//! - [`fq6`]: Fq6 = Fq2(v) with v³ = 9 + u, one reduction per output Fq coordinate over shared
//!   pair evaluations.
//! - [`fq12`]: Fq12 = Fq6(w) with w² = v as twelve Fq coordinates, the same way, its
//!   multiplication table read off arkworks.
//!
//! Where the constraints go: with bit-decomposition range checks a reduction costs about 1,070
//! constraints, of which only `D + 1 ≈ 8` check the product identity. So the towers reduce each
//! output coordinate once (signed sums of products, see [`FqVar::sum_of_products`]), and the
//! plan for Fq6 and Fq12 is to share the evaluations `aᵢ(t)·bⱼ(t)` of all coordinate pairs
//! across the output coordinates (36 pairs for Fq6, 144 for Fq12, `D + 1` constraints each)
//! rather than multiply Fq2 elements one by one.
//!
//! Range checks are bit decompositions for now (one constraint per bit); they are collected
//! behind [`num::enforce_bits`] so a lookup argument can replace them without touching callers.

pub mod challenge;
pub mod fq;
pub mod fq12;
pub mod fq2;
pub mod fq6;
pub mod num;

pub use challenge::Commit;
pub use fq::{FqVar, ProductTable, Term};
pub use fq2::Fq2Var;
pub use fq6::Fq6Var;
pub use fq12::Fq12Var;
pub use num::{Num, enforce_bits};
