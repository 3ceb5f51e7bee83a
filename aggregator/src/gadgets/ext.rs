//! Emulated tower elements `Fq[Y]/(M(Y))` — Fq2 and Fq12 — as coordinates over [`FqVar`], with
//! products and equalities through [`super::identity`], and the same operations on [`FqVar`]
//! itself (the tower of degree one).

use std::marker::PhantomData;

use ark_bn254::{Fq, Fq2, Fq12};
use ark_ff::{One, Zero};
use ark_relations::gr1cs::SynthesisError;

use super::ctx::Ctx;
use super::fq::FqVar;
use super::identity::{self, Linear, Product};
use super::poly::{self, Tower};

/// A field in the tower, with its native arkworks type.
pub trait TowerField: Clone + std::fmt::Debug {
    /// The arkworks type.
    type Native: Copy + PartialEq + std::fmt::Debug;
    /// The tower descriptor.
    fn tower() -> &'static Tower;
    /// The coordinates in the basis `1, Y, …`.
    fn to_coords(x: &Self::Native) -> Vec<Fq>;
    /// The element with these coordinates.
    fn from_coords(c: &[Fq]) -> Self::Native;
}

/// Marker for Fq itself, the tower of degree one.
#[derive(Clone, Copy, Debug)]
pub struct FqField;

impl TowerField for FqField {
    type Native = Fq;
    fn tower() -> &'static Tower {
        poly::fq()
    }
    fn to_coords(x: &Fq) -> Vec<Fq> {
        vec![*x]
    }
    fn from_coords(c: &[Fq]) -> Fq {
        c[0]
    }
}

/// Marker for Fq2 = Fq[u]/(u² + 1).
#[derive(Clone, Copy, Debug)]
pub struct Fq2Field;

impl TowerField for Fq2Field {
    type Native = Fq2;
    fn tower() -> &'static Tower {
        poly::fq2()
    }
    fn to_coords(x: &Fq2) -> Vec<Fq> {
        vec![x.c0, x.c1]
    }
    fn from_coords(c: &[Fq]) -> Fq2 {
        Fq2::new(c[0], c[1])
    }
}

/// Marker for Fq12 = Fq[w]/(w¹² − 18w⁶ + 82).
#[derive(Clone, Copy, Debug)]
pub struct Fq12Field;

impl TowerField for Fq12Field {
    type Native = Fq12;
    fn tower() -> &'static Tower {
        poly::fq12()
    }
    fn to_coords(x: &Fq12) -> Vec<Fq> {
        super::fq12::to_direct(x).to_vec()
    }
    fn from_coords(c: &[Fq]) -> Fq12 {
        super::fq12::from_direct(c)
    }
}

/// An emulated element of the tower `F`.
#[derive(Clone, Debug)]
pub struct ExtVar<F: TowerField> {
    coords: Vec<FqVar>,
    _field: PhantomData<F>,
}

/// Emulated Fq as a tower element of degree one (for code generic over the tower).
pub type Fq1Var = ExtVar<FqField>;
/// Emulated Fq2.
pub type Fq2Var = ExtVar<Fq2Field>;
/// Emulated Fq12 in the direct basis `1, w, …, w¹¹`.
pub type Fq12Var = ExtVar<Fq12Field>;

impl<F: TowerField> ExtVar<F> {
    /// The element with these coordinates (missing ones are zero).
    pub fn from_coords(mut coords: Vec<FqVar>) -> Self {
        coords.resize_with(F::tower().degree, FqVar::zero);
        Self {
            coords,
            _field: PhantomData,
        }
    }

    /// Allocates `value` with canonical, range-checked coordinates.
    pub fn witness(ctx: &Ctx, value: Option<F::Native>) -> Result<Self, SynthesisError> {
        let c = value.map(|v| F::to_coords(&v));
        let coords = (0..F::tower().degree)
            .map(|i| FqVar::witness(ctx, c.as_ref().map(|c| c[i])))
            .collect::<Result<_, _>>()?;
        Ok(Self::from_coords(coords))
    }

    /// A constant.
    pub fn constant(value: F::Native) -> Self {
        Self::from_coords(
            F::to_coords(&value)
                .into_iter()
                .map(FqVar::constant)
                .collect(),
        )
    }

    /// The coordinates.
    pub fn coords(&self) -> &[FqVar] {
        &self.coords
    }

    /// The value, when the witness is known.
    pub fn value(&self) -> Option<F::Native> {
        let c: Option<Vec<Fq>> = self.coords.iter().map(FqVar::value).collect();
        c.map(|c| F::from_coords(&c))
    }

    /// Whether every coordinate is constant.
    pub fn is_constant(&self) -> bool {
        self.coords.iter().all(FqVar::is_constant)
    }

    fn map2(&self, other: &Self, f: impl Fn(&FqVar, &FqVar) -> FqVar) -> Self {
        Self::from_coords(
            self.coords
                .iter()
                .zip(&other.coords)
                .map(|(a, b)| f(a, b))
                .collect(),
        )
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        self.map2(other, FqVar::add)
    }

    /// `self − other`.
    pub fn sub(&self, other: &Self) -> Self {
        self.map2(other, FqVar::sub)
    }

    /// `−self`.
    pub fn neg(&self) -> Self {
        Self::from_coords(self.coords.iter().map(FqVar::neg).collect())
    }

    /// `k · self` for a small constant.
    pub fn scale(&self, k: u64) -> Self {
        Self::from_coords(self.coords.iter().map(|c| c.scale(k)).collect())
    }

    /// `self · other`, reduced.
    pub fn mul(&self, ctx: &Ctx, other: &Self) -> Result<Self, SynthesisError> {
        Self::sum(
            ctx,
            &[Product::new(1, vec![&self.coords, &other.coords])],
            &[],
        )
    }

    /// `self²`, reduced.
    pub fn square(&self, ctx: &Ctx) -> Result<Self, SynthesisError> {
        self.mul(ctx, self)
    }

    /// Enforces `self = other`.
    pub fn assert_equal(&self, ctx: &Ctx, other: &Self) -> Result<(), SynthesisError> {
        identity::assert_zero(
            ctx,
            F::tower(),
            &[],
            &[
                Linear {
                    coeff: 1,
                    value: &self.coords,
                },
                Linear {
                    coeff: -1,
                    value: &other.coords,
                },
            ],
        )
    }

    /// `Σ products + Σ linear`, reduced.
    pub fn sum(
        ctx: &Ctx,
        products: &[Product<'_>],
        linear: &[Linear<'_>],
    ) -> Result<Self, SynthesisError> {
        identity::reduce(ctx, F::tower(), products, linear).map(Self::from_coords)
    }

    /// Enforces `Σ products + Σ linear = 0`.
    pub fn assert_sum_zero(
        ctx: &Ctx,
        products: &[Product<'_>],
        linear: &[Linear<'_>],
    ) -> Result<(), SynthesisError> {
        identity::assert_zero(ctx, F::tower(), products, linear)
    }

    /// Allocates `x = self / other` as a hint and enforces `x·other = self`: the quotient of a
    /// division, sound for a non-zero `other` (for `other = 0` no `x` satisfies it unless
    /// `self = 0`, and the caller must rule that case out).
    pub fn div(&self, ctx: &Ctx, other: &Self) -> Result<Self, SynthesisError>
    where
        F::Native: ark_ff::Field,
    {
        let value = self
            .value()
            .zip(other.value())
            .map(|(a, b)| a * ark_ff::Field::inverse(&b).unwrap_or_default());
        let x = Self::witness(ctx, value)?;
        Self::assert_sum_zero(
            ctx,
            &[Product::new(1, vec![&x.coords, &other.coords])],
            &[Linear {
                coeff: -1,
                value: &self.coords,
            }],
        )?;
        Ok(x)
    }

    /// Enforces `self ≠ 0` by exhibiting an inverse.
    pub fn assert_nonzero(&self, ctx: &Ctx) -> Result<(), SynthesisError>
    where
        F::Native: ark_ff::Field,
    {
        let one = Self::constant(F::from_coords(
            &(0..F::tower().degree)
                .map(|i| if i == 0 { Fq::one() } else { Fq::zero() })
                .collect::<Vec<_>>(),
        ));
        one.div(ctx, self).map(|_| ())
    }
}

impl Fq1Var {
    /// The element as a tower element of degree one.
    pub fn from_fq(x: FqVar) -> Self {
        Self::from_coords(vec![x])
    }

    /// The coordinate.
    pub fn fq(&self) -> &FqVar {
        &self.coords[0]
    }
}

impl Fq2Var {
    /// `c₀ + c₁·u`.
    pub fn new(c0: FqVar, c1: FqVar) -> Self {
        Self::from_coords(vec![c0, c1])
    }

    /// The coefficient of 1.
    pub fn c0(&self) -> &FqVar {
        &self.coords[0]
    }

    /// The coefficient of u.
    pub fn c1(&self) -> &FqVar {
        &self.coords[1]
    }

    /// The conjugate `c₀ − c₁·u` (the Frobenius map; no constraints).
    pub fn conjugate(&self) -> Self {
        Self::new(self.c0().clone(), self.c1().neg())
    }

    /// `self · (9 + u)` (no constraints).
    pub fn mul_by_nonresidue(&self) -> Self {
        let (a, b) = (self.c0(), self.c1());
        Self::new(a.scale(9).sub(b), b.scale(9).add(a))
    }

    /// `self · k` for an Fq element `k`, reduced.
    pub fn mul_by_fq(&self, ctx: &Ctx, k: &FqVar) -> Result<Self, SynthesisError> {
        Self::sum(
            ctx,
            &[Product::new(1, vec![&self.coords, std::slice::from_ref(k)])],
            &[],
        )
    }
}

impl FqVar {
    /// `self · other`, reduced.
    pub fn mul(&self, ctx: &Ctx, other: &FqVar) -> Result<FqVar, SynthesisError> {
        FqVar::sum(
            ctx,
            &[Product::new(
                1,
                vec![std::slice::from_ref(self), std::slice::from_ref(other)],
            )],
            &[],
        )
    }

    /// `self²`, reduced.
    pub fn square(&self, ctx: &Ctx) -> Result<FqVar, SynthesisError> {
        self.mul(ctx, self)
    }

    /// `self` reduced to four 64-bit limbs (one identity).
    pub fn reduced(&self, ctx: &Ctx) -> Result<FqVar, SynthesisError> {
        FqVar::sum(
            ctx,
            &[],
            &[Linear {
                coeff: 1,
                value: std::slice::from_ref(self),
            }],
        )
    }

    /// `Σ products + Σ linear` over Fq, reduced.
    pub fn sum(
        ctx: &Ctx,
        products: &[Product<'_>],
        linear: &[Linear<'_>],
    ) -> Result<FqVar, SynthesisError> {
        let mut out = identity::reduce(ctx, poly::fq(), products, linear)?;
        out.pop().ok_or(SynthesisError::Unsatisfiable)
    }

    /// Enforces `Σ products + Σ linear ≡ 0` over Fq.
    pub fn assert_sum_zero(
        ctx: &Ctx,
        products: &[Product<'_>],
        linear: &[Linear<'_>],
    ) -> Result<(), SynthesisError> {
        identity::assert_zero(ctx, poly::fq(), products, linear)
    }

    /// Enforces `self ≡ other (mod p)`.
    pub fn assert_equal(&self, ctx: &Ctx, other: &FqVar) -> Result<(), SynthesisError> {
        FqVar::assert_sum_zero(
            ctx,
            &[],
            &[
                Linear {
                    coeff: 1,
                    value: std::slice::from_ref(self),
                },
                Linear {
                    coeff: -1,
                    value: std::slice::from_ref(other),
                },
            ],
        )
    }

    /// Allocates `self / other` and enforces the product (see [`ExtVar::div`]).
    pub fn div(&self, ctx: &Ctx, other: &FqVar) -> Result<FqVar, SynthesisError> {
        let value = self
            .value()
            .zip(other.value())
            .map(|(a, b)| a * ark_ff::Field::inverse(&b).unwrap_or_default());
        let x = FqVar::witness(ctx, value)?;
        FqVar::assert_sum_zero(
            ctx,
            &[Product::new(
                1,
                vec![std::slice::from_ref(&x), std::slice::from_ref(other)],
            )],
            &[Linear {
                coeff: -1,
                value: std::slice::from_ref(self),
            }],
        )?;
        Ok(x)
    }
}

/// A one-coordinate slice view of an [`FqVar`], for building products.
pub fn single(x: &FqVar) -> &[FqVar] {
    std::slice::from_ref(x)
}
