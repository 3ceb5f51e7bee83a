//! Emulated Fq6 = Fq2(v) with v³ = ξ = 9 + u, BN254's middle tower level, on top of
//! [`Fq2Var`].
//!
//! A product expands every output Fq coordinate into a sum of Fq products with small integer
//! coefficients (the non-residue contributes 9 and ±1) and reduces each coordinate once. The 36
//! coordinate-pair evaluations `aᵢ(t)·bⱼ(t)` are shared through a [`ProductTable`], so a product
//! costs six reductions plus 36 pairs times the evaluation points.

use ark_bn254::{Fq6, Fr};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::fq::{FqVar, ProductTable, Term};
use super::fq2::Fq2Var;

/// An emulated Fq6 element `c0 + c1·v + c2·v²`.
#[derive(Clone, Debug)]
pub struct Fq6Var {
    /// The coefficients of 1, v and v².
    pub c: [Fq2Var; 3],
}

/// The terms of the Fq2 product `x·y·m` split by output coordinate, for `m = 1` or `m = ξ`.
fn fq2_product_terms<'a>(x: &'a Fq2Var, y: &'a Fq2Var, by_xi: bool) -> [Vec<Term<'a>>; 2] {
    // x·y = (x0y0 − x1y1) + (x0y1 + x1y0)u; ξ·(re + im·u) = (9re − im) + (re + 9im)u.
    let (x0, x1, y0, y1) = (&x.c0, &x.c1, &y.c0, &y.c1);
    if by_xi {
        [
            vec![(x0, y0, 9), (x1, y1, -9), (x0, y1, -1), (x1, y0, -1)],
            vec![(x0, y0, 1), (x1, y1, -1), (x0, y1, 9), (x1, y0, 9)],
        ]
    } else {
        [
            vec![(x0, y0, 1), (x1, y1, -1)],
            vec![(x0, y1, 1), (x1, y0, 1)],
        ]
    }
}

impl Fq6Var {
    /// Allocates `value` as a witness.
    pub fn witness(
        cs: &ConstraintSystemRef<Fr>,
        value: Option<Fq6>,
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            c: [
                Fq2Var::witness(cs, value.map(|v| v.c0))?,
                Fq2Var::witness(cs, value.map(|v| v.c1))?,
                Fq2Var::witness(cs, value.map(|v| v.c2))?,
            ],
        })
    }

    /// A constant.
    pub fn constant(value: Fq6) -> Self {
        Self {
            c: [
                Fq2Var::constant(value.c0),
                Fq2Var::constant(value.c1),
                Fq2Var::constant(value.c2),
            ],
        }
    }

    /// The value, when the witness is known.
    pub fn value(&self) -> Option<Fq6> {
        Some(Fq6::new(
            self.c[0].value()?,
            self.c[1].value()?,
            self.c[2].value()?,
        ))
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        Self {
            c: std::array::from_fn(|i| self.c[i].add(&other.c[i])),
        }
    }

    /// `self − other`.
    pub fn sub(&self, other: &Self) -> Self {
        Self {
            c: std::array::from_fn(|i| self.c[i].sub(&other.c[i])),
        }
    }

    /// `−self`.
    pub fn neg(&self) -> Self {
        Self {
            c: std::array::from_fn(|i| self.c[i].neg()),
        }
    }

    /// `self · v` (no constraints): `(ξ·c2, c0, c1)`.
    pub fn mul_by_v(&self) -> Self {
        Self {
            c: [
                self.c[2].mul_by_nonresidue(),
                self.c[0].clone(),
                self.c[1].clone(),
            ],
        }
    }

    /// `self · other`: six reductions over 36 shared pair evaluations.
    pub fn mul(&self, cs: &ConstraintSystemRef<Fr>, other: &Self) -> Result<Self, SynthesisError> {
        let (a, b) = (&self.c, &other.c);
        // c0 = a0b0 + ξ(a1b2 + a2b1), c1 = a0b1 + a1b0 + ξ·a2b2, c2 = a0b2 + a1b1 + a2b0.
        let layout: [&[(usize, usize, bool)]; 3] = [
            &[(0, 0, false), (1, 2, true), (2, 1, true)],
            &[(0, 1, false), (1, 0, false), (2, 2, true)],
            &[(0, 2, false), (1, 1, false), (2, 0, false)],
        ];
        let mut table = ProductTable::new();
        let mut out = Vec::with_capacity(3);
        for products in layout {
            let mut re: Vec<Term<'_>> = Vec::new();
            let mut im: Vec<Term<'_>> = Vec::new();
            for &(i, j, by_xi) in products {
                let [r, m] = fq2_product_terms(&a[i], &b[j], by_xi);
                re.extend(r);
                im.extend(m);
            }
            out.push(Fq2Var {
                c0: FqVar::linear_combination_of_products(cs, &re, Some(&mut table))?,
                c1: FqVar::linear_combination_of_products(cs, &im, Some(&mut table))?,
            });
        }
        let [c0, c1, c2]: [Fq2Var; 3] =
            out.try_into().map_err(|_| SynthesisError::Unsatisfiable)?;
        Ok(Self { c: [c0, c1, c2] })
    }

    /// Enforces `self = other`.
    pub fn enforce_equal(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        other: &Self,
    ) -> Result<(), SynthesisError> {
        for (x, y) in self.c.iter().zip(&other.c) {
            x.enforce_equal(cs, y)?;
        }
        Ok(())
    }
}
