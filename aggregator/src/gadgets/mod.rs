//! R1CS gadgets over BN254's scalar field Fr for verifying BN254 Groth16 proofs inside a BN254
//! circuit (the recursion of `shared/DESIGN.md`, "The epoch proof"). BN254's base field Fq is
//! larger than Fr, so it is emulated with limbs.
//!
//! - [`ctx`]: the synthesis context: constraint system, range checks, cost counters.
//! - [`range`]: range checks by bit decomposition or by a LogUp lookup argument whose
//!   challenge comes from a commitment to the checked values ([`challenge`]).
//! - [`num`]: a native value with its linear combination.
//! - [`fq`]: emulated Fq: limbs with proven bounds, lazy linear arithmetic.
//! - [`poly`], [`identity`]: how every product is checked — evaluations on a grid, hinted
//!   remainder and quotient, and a carry chain whose bound analysis rules out wrap-around.
//! - [`ext`]: Fq2 and Fq12 elements (and Fq products) on top of the identities; [`fq12`]: the
//!   direct basis of Fq12 and its Frobenius maps.
//! - [`curve`]: affine G1 and G2 points with hinted slopes.
//! - [`msm`]: the public-input combination `IC₀ + Σ sᵢ·ICᵢ`; [`groth16`]: the verifier.
//! - [`pairing`]: the multi-Miller loop with a residue witness instead of the final
//!   exponentiation; [`native`]: the same loop natively, and the witness.
//!
//! Where the constraints go: a reduced Fq value costs its remainder (16 lookups of 16 bits),
//! its quotient (about 17) and three carries (about 15), plus one constraint per evaluation
//! point of the products that feed it. So operations reduce each output coordinate once, and
//! tower products share one polynomial product over all coordinates.

pub mod challenge;
pub mod ctx;
pub mod curve;
pub mod ext;
pub mod fq;
pub mod fq12;
pub mod groth16;
pub mod identity;
pub mod msm;
pub mod native;
pub mod num;
pub mod pairing;
pub mod poly;
pub mod range;

pub use challenge::Commit;
pub use ctx::{Ctx, IdentityStats};
pub use curve::{AffineVar, CurveField, G1Var, G2Var};
pub use ext::{ExtVar, Fq1Var, Fq2Field, Fq2Var, Fq12Field, Fq12Var, FqField, TowerField, single};
pub use fq::FqVar;
pub use groth16::{
    CircuitStats, ProofVar, VerifierCircuit, VerifyCosts, VerifyOptions, VerifyingKeyVar,
};
pub use identity::{Linear, Product};
pub use num::{LcSum, Num, enforce_zero};
pub use pairing::{Pair, PairingCosts, assert_pairing_product_is_one};
pub use range::{DEFAULT_CHUNK_BITS, RangeChecks, RangeMode, RangeStats};
