//! Emulated Fq2 = Fq(u) with u² = −1, the field of BN254's G2 coordinates, on top of [`FqVar`].
//!
//! A product costs two reductions, not three: each coordinate is one signed sum of products
//! reduced once (`c₀ = a₀b₀ − a₁b₁`, `c₁ = a₀b₁ + a₁b₀`), which costs fewer constraints than
//! Karatsuba's three separate products because range checks, not multiplications, dominate.

use ark_bn254::{Fq2, Fr};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::fq::FqVar;

/// An emulated Fq2 element `c0 + c1·u`.
#[derive(Clone, Debug)]
pub struct Fq2Var {
    /// The coefficient of 1.
    pub c0: FqVar,
    /// The coefficient of u.
    pub c1: FqVar,
}

impl Fq2Var {
    /// Allocates `value` as a witness (both coordinates canonical and range-checked).
    pub fn witness(
        cs: &ConstraintSystemRef<Fr>,
        value: Option<Fq2>,
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            c0: FqVar::witness(cs, value.map(|v| v.c0))?,
            c1: FqVar::witness(cs, value.map(|v| v.c1))?,
        })
    }

    /// A constant.
    pub fn constant(value: Fq2) -> Self {
        Self {
            c0: FqVar::constant(value.c0),
            c1: FqVar::constant(value.c1),
        }
    }

    /// The value, when the witness is known.
    pub fn value(&self) -> Option<Fq2> {
        Some(Fq2::new(self.c0.value()?, self.c1.value()?))
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        Self {
            c0: self.c0.add(&other.c0),
            c1: self.c1.add(&other.c1),
        }
    }

    /// `self − other`.
    pub fn sub(&self, other: &Self) -> Self {
        Self {
            c0: self.c0.sub(&other.c0),
            c1: self.c1.sub(&other.c1),
        }
    }

    /// `−self`.
    pub fn neg(&self) -> Self {
        Self {
            c0: self.c0.neg(),
            c1: self.c1.neg(),
        }
    }

    /// `k · self` for a small constant `k`.
    pub fn scale(&self, k: u64) -> Self {
        Self {
            c0: self.c0.scale(k),
            c1: self.c1.scale(k),
        }
    }

    /// `self · (9 + u)`, the non-residue of BN254's Fq6 (no constraints).
    pub fn mul_by_nonresidue(&self) -> Self {
        Self {
            c0: self.c0.scale(9).sub(&self.c1),
            c1: self.c1.scale(9).add(&self.c0),
        }
    }

    /// `self · other`: two reductions.
    pub fn mul(&self, cs: &ConstraintSystemRef<Fr>, other: &Self) -> Result<Self, SynthesisError> {
        Ok(Self {
            c0: FqVar::sum_of_products(
                cs,
                &[(&self.c0, &other.c0, false), (&self.c1, &other.c1, true)],
            )?,
            c1: FqVar::sum_of_products(
                cs,
                &[(&self.c0, &other.c1, false), (&self.c1, &other.c0, false)],
            )?,
        })
    }

    /// `self²`: `(c₀ + c₁)(c₀ − c₁) + 2c₀c₁·u`, two reductions of one product each.
    pub fn square(&self, cs: &ConstraintSystemRef<Fr>) -> Result<Self, SynthesisError> {
        Ok(Self {
            c0: self.c0.add(&self.c1).mul(cs, &self.c0.sub(&self.c1))?,
            c1: self.c0.scale(2).mul(cs, &self.c1)?,
        })
    }

    /// `self · k` for an Fq variable `k`: two reductions.
    pub fn mul_by_fq(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        k: &FqVar,
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            c0: self.c0.mul(cs, k)?,
            c1: self.c1.mul(cs, k)?,
        })
    }

    /// Enforces `self = other`.
    pub fn enforce_equal(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        other: &Self,
    ) -> Result<(), SynthesisError> {
        self.c0.enforce_equal(cs, &other.c0)?;
        self.c1.enforce_equal(cs, &other.c1)
    }
}
