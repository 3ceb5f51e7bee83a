//! Field arithmetic for the CPU hot loops: BN254 Fq, Fr and Fq2 in the same Montgomery form as
//! arkworks (so conversion is a copy), with every operation `#[inline(always)]`.
//!
//! Why not arkworks' own field types: their multiplication goes through an `#[inline]` (not
//! `always`) trait method that the compiler leaves out of line, which costs a call per product
//! and keeps it out of loops compiled for BMI2 + ADX, where `mulx` shortens the product chain.
//! Profiles of the MSM showed half of all time inside that call.

mod fq2;
mod mont;

pub(crate) use fq2::Fq2;
pub(crate) use mont::{Fq, Fr, as_mont_slice};

/// The operations the MSM and NTT loops need, implemented for [`mont::Mont`] and [`Fq2`].
pub(crate) trait FieldOps: Copy + PartialEq + Send + Sync + 'static {
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// `self + other`.
    fn add(&self, other: &Self) -> Self;
    /// `self - other`.
    fn sub(&self, other: &Self) -> Self;
    /// `-self`.
    fn neg(&self) -> Self;
    /// `2·self`.
    fn double(&self) -> Self;
    /// `self · other`.
    fn mul(&self, other: &Self) -> Self;
    /// `self²`.
    fn square(&self) -> Self;
    /// Whether `self` is zero.
    fn is_zero(&self) -> bool;
    /// `1/self`, or `None` for zero.
    fn inverse(&self) -> Option<Self>;
    /// `self · other` in a lazily reduced form: inputs and output may be any representative in
    /// `[0, 2p)` (see `Mont::mul_lazy`). Canonical by default.
    #[inline(always)]
    fn mul_lazy(&self, other: &Self) -> Self {
        self.mul(other)
    }
    /// `self - other` for lazily reduced inputs and output. Canonical by default.
    #[inline(always)]
    fn sub_lazy(&self, other: &Self) -> Self {
        self.sub(other)
    }
    /// The canonical form of a lazily reduced value.
    #[inline(always)]
    fn reduce_once(&self) -> Self {
        *self
    }
}

#[cfg(test)]
mod tests;
