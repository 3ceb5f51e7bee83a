//! Affine points of BN254's G1 (over Fq) and of the twist carrying G2 (over Fq2), with
//! incomplete formulas whose slopes are hints: doubling, addition, the on-curve check.
//!
//! The formulas are incomplete: the identity has no affine form, and adding two points with
//! the same x-coordinate is not covered. Doubling is safe by itself: `2y·λ = 3x²` has no
//! solution when `y = 0` (both curves have `b ≠ 0`, so `(0, 0)` is not a point, and neither
//! group has points of order two). An addition of `T` and `Q` with `x_T = x_Q` is unsatisfiable
//! when `T = −Q`, but when `T = Q` any slope satisfies `λ·0 = 0`: callers either know that
//! cannot happen (and say why) or use [`AffineVar::add_distinct`], which proves `x_T ≠ x_Q`.

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, Zero};
use ark_relations::gr1cs::SynthesisError;

use super::ctx::Ctx;
use super::ext::{ExtVar, Fq2Field, FqField, TowerField};
use super::identity::{Linear, Product};

/// A curve over a field of the tower.
pub trait CurveField: TowerField {
    /// The arkworks affine point type.
    type Affine: AffineRepr + Copy;
    /// The constant `b` of `y² = x³ + b`.
    fn coeff_b() -> Self::Native;
    /// The coordinates, `None` for the identity.
    fn xy(p: &Self::Affine) -> Option<(Self::Native, Self::Native)>;
    /// The point with these coordinates (not checked).
    fn from_xy(x: Self::Native, y: Self::Native) -> Self::Affine;
}

impl CurveField for FqField {
    type Affine = G1Affine;
    fn coeff_b() -> Fq {
        Fq::from(3u8)
    }
    fn xy(p: &G1Affine) -> Option<(Fq, Fq)> {
        p.xy()
    }
    fn from_xy(x: Fq, y: Fq) -> G1Affine {
        G1Affine::new_unchecked(x, y)
    }
}

impl CurveField for Fq2Field {
    type Affine = G2Affine;
    fn coeff_b() -> Fq2 {
        <ark_bn254::g2::Config as ark_ec::short_weierstrass::SWCurveConfig>::COEFF_B
    }
    fn xy(p: &G2Affine) -> Option<(Fq2, Fq2)> {
        p.xy()
    }
    fn from_xy(x: Fq2, y: Fq2) -> G2Affine {
        G2Affine::new_unchecked(x, y)
    }
}

/// An affine point `(x, y)`.
#[derive(Clone, Debug)]
pub struct AffineVar<F: TowerField> {
    /// The x-coordinate.
    pub x: ExtVar<F>,
    /// The y-coordinate.
    pub y: ExtVar<F>,
}

/// A G1 point.
pub type G1Var = AffineVar<FqField>;
/// A point of the twist (G2 when in the subgroup).
pub type G2Var = AffineVar<Fq2Field>;

fn lin<F: TowerField>(coeff: i64, x: &ExtVar<F>) -> Linear<'_> {
    Linear {
        coeff,
        value: x.coords(),
    }
}

impl<F: CurveField> AffineVar<F>
where
    F::Native: Field,
{
    /// Allocates a point with canonical coordinates. The identity, which has no affine form, is
    /// allocated as `(0, 0)`, which fails [`Self::assert_on_curve`].
    pub fn witness(ctx: &Ctx, p: Option<F::Affine>) -> Result<Self, SynthesisError> {
        let xy = p.map(|p| F::xy(&p).unwrap_or((F::Native::zero(), F::Native::zero())));
        Ok(Self {
            x: ExtVar::witness(ctx, xy.map(|v| v.0))?,
            y: ExtVar::witness(ctx, xy.map(|v| v.1))?,
        })
    }

    /// A constant point (not the identity).
    pub fn constant(p: F::Affine) -> Result<Self, SynthesisError> {
        let (x, y) = F::xy(&p).ok_or(SynthesisError::Unsatisfiable)?;
        Ok(Self {
            x: ExtVar::constant(x),
            y: ExtVar::constant(y),
        })
    }

    /// The point, when the witness is known (not checked to be on the curve).
    pub fn value(&self) -> Option<F::Affine> {
        Some(F::from_xy(self.x.value()?, self.y.value()?))
    }

    /// `−self` (no constraints).
    pub fn neg(&self) -> Self {
        Self {
            x: self.x.clone(),
            y: self.y.neg(),
        }
    }

    /// Enforces `y² = x³ + b`.
    pub fn assert_on_curve(&self, ctx: &Ctx) -> Result<(), SynthesisError> {
        let b = ExtVar::<F>::constant(F::coeff_b());
        ExtVar::<F>::assert_sum_zero(
            ctx,
            &[
                Product::new(1, vec![self.y.coords(), self.y.coords()]),
                Product::new(-1, vec![self.x.coords(), self.x.coords(), self.x.coords()]),
            ],
            &[lin(-1, &b)],
        )
    }

    /// `2·self` and the tangent's slope `λ = 3x²/2y`.
    pub fn double(&self, ctx: &Ctx) -> Result<(Self, ExtVar<F>), SynthesisError> {
        let lambda_value = self.x.value().zip(self.y.value()).map(|(x, y)| {
            let three = F::Native::from(3u8);
            three * x * x * (y.double()).inverse().unwrap_or_default()
        });
        let lambda = ExtVar::<F>::witness(ctx, lambda_value)?;
        // 2·y·λ − 3·x² = 0
        ExtVar::<F>::assert_sum_zero(
            ctx,
            &[
                Product::new(2, vec![self.y.coords(), lambda.coords()]),
                Product::new(-3, vec![self.x.coords(), self.x.coords()]),
            ],
            &[],
        )?;
        let p = self.finish(ctx, &lambda, &self.x)?;
        Ok((p, lambda))
    }

    /// `self + other` for `x_self ≠ x_other` (see the module documentation for when the caller
    /// must prove that), and the chord's slope.
    pub fn add(&self, ctx: &Ctx, other: &Self) -> Result<(Self, ExtVar<F>), SynthesisError> {
        let lambda = self.chord_slope(ctx, other)?;
        let p = self.finish(ctx, &lambda, &other.x)?;
        Ok((p, lambda))
    }

    /// [`Self::add`] with `x_self ≠ x_other` proven (an inverse of the difference).
    pub fn add_distinct(
        &self,
        ctx: &Ctx,
        other: &Self,
    ) -> Result<(Self, ExtVar<F>), SynthesisError> {
        self.x.sub(&other.x).assert_nonzero(ctx)?;
        self.add(ctx, other)
    }

    /// The slope `λ` with `λ·(x₂ − x₁) = y₂ − y₁`.
    pub fn chord_slope(&self, ctx: &Ctx, other: &Self) -> Result<ExtVar<F>, SynthesisError> {
        let value = (|| {
            let (x1, y1, x2, y2) = (
                self.x.value()?,
                self.y.value()?,
                other.x.value()?,
                other.y.value()?,
            );
            Some((y2 - y1) * (x2 - x1).inverse().unwrap_or_default())
        })();
        let lambda = ExtVar::<F>::witness(ctx, value)?;
        ExtVar::<F>::assert_sum_zero(
            ctx,
            &[
                Product::new(1, vec![lambda.coords(), other.x.coords()]),
                Product::new(-1, vec![lambda.coords(), self.x.coords()]),
            ],
            &[lin(-1, &other.y), lin(1, &self.y)],
        )?;
        Ok(lambda)
    }

    /// The third point of the line of slope `λ` through `self` and a point with x-coordinate
    /// `x2`, negated: `x₃ = λ² − x₁ − x₂`, `y₃ = λ(x₁ − x₃) − y₁`.
    fn finish(
        &self,
        ctx: &Ctx,
        lambda: &ExtVar<F>,
        x2: &ExtVar<F>,
    ) -> Result<Self, SynthesisError> {
        let x3 = ExtVar::<F>::sum(
            ctx,
            &[Product::new(1, vec![lambda.coords(), lambda.coords()])],
            &[lin(-1, &self.x), lin(-1, x2)],
        )?;
        let y3 = ExtVar::<F>::sum(
            ctx,
            &[
                Product::new(1, vec![lambda.coords(), self.x.coords()]),
                Product::new(-1, vec![lambda.coords(), x3.coords()]),
            ],
            &[lin(-1, &self.y)],
        )?;
        Ok(Self { x: x3, y: y3 })
    }

    /// `2·self + other` in one go (the intermediate `self + other` is never completed):
    /// `x_self ≠ x_other` and `self + other ≠ ±self` are the caller's to guarantee.
    pub fn double_and_add(&self, ctx: &Ctx, other: &Self) -> Result<Self, SynthesisError> {
        let l1 = self.chord_slope(ctx, other)?;
        // x of self + other
        let x_r = ExtVar::<F>::sum(
            ctx,
            &[Product::new(1, vec![l1.coords(), l1.coords()])],
            &[lin(-1, &self.x), lin(-1, &other.x)],
        )?;
        // λ₂ = −λ₁ − 2y/(x_r − x): (λ₁ + λ₂)(x_r − x) + 2y = 0
        let l2_value = (|| {
            let (l1v, xr, x, y) = (l1.value()?, x_r.value()?, self.x.value()?, self.y.value()?);
            Some(-l1v - y.double() * (xr - x).inverse().unwrap_or_default())
        })();
        let l2 = ExtVar::<F>::witness(ctx, l2_value)?;
        ExtVar::<F>::assert_sum_zero(
            ctx,
            &[
                Product::new(1, vec![l1.coords(), x_r.coords()]),
                Product::new(-1, vec![l1.coords(), self.x.coords()]),
                Product::new(1, vec![l2.coords(), x_r.coords()]),
                Product::new(-1, vec![l2.coords(), self.x.coords()]),
            ],
            &[lin(2, &self.y)],
        )?;
        // The sum of (self + other) and self along λ₂.
        let x_s = ExtVar::<F>::sum(
            ctx,
            &[Product::new(1, vec![l2.coords(), l2.coords()])],
            &[lin(-1, &self.x), lin(-1, &x_r)],
        )?;
        let y_s = ExtVar::<F>::sum(
            ctx,
            &[
                Product::new(1, vec![l2.coords(), self.x.coords()]),
                Product::new(-1, vec![l2.coords(), x_s.coords()]),
            ],
            &[lin(-1, &self.y)],
        )?;
        Ok(Self { x: x_s, y: y_s })
    }

    /// Selects `a` when `bit` is 1, else `b` (one constraint per differing limb; `bit` must be
    /// boolean).
    pub fn select(
        ctx: &Ctx,
        bit: &super::num::Num,
        a: &Self,
        b: &Self,
    ) -> Result<Self, SynthesisError> {
        let pick = |u: &ExtVar<F>, v: &ExtVar<F>| -> Result<ExtVar<F>, SynthesisError> {
            let coords = u
                .coords()
                .iter()
                .zip(v.coords())
                .map(|(s, t)| super::fq::FqVar::select(ctx, bit, s, t))
                .collect::<Result<_, _>>()?;
            Ok(ExtVar::from_coords(coords))
        };
        Ok(Self {
            x: pick(&a.x, &b.x)?,
            y: pick(&a.y, &b.y)?,
        })
    }

    /// Enforces `self = other`.
    pub fn assert_equal(&self, ctx: &Ctx, other: &Self) -> Result<(), SynthesisError> {
        self.x.assert_equal(ctx, &other.x)?;
        self.y.assert_equal(ctx, &other.y)
    }
}
