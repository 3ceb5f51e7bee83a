//! Emulated BN254 Fq over Fr: limbs of 64 bits with proven bounds, and lazy linear arithmetic.
//!
//! An [`FqVar`] is limbs `x₀ … x_{n−1}` (native Fr values) standing for the integer
//! `X = Σ xᵢ·2^(64i)`, which is congruent modulo p to the Fq element it represents. `X` need not
//! be below p, and after additions a limb may exceed 64 bits: every limb carries a proven
//! inclusive upper bound (`bounds`), and every limb is a non-negative integer below its bound.
//! The bounds are below 2²⁵¹, so a limb's Fr value is that integer (no wrap-around modulo r).
//!
//! Additions, subtractions (by a padding multiple of p that keeps limbs non-negative) and
//! scaling by small constants cost nothing; products and equalities are identities checked by
//! [`super::identity`], which states the bound analysis.

use ark_bn254::{Fq, Fr};
use ark_ff::{PrimeField, Zero};
use ark_relations::gr1cs::SynthesisError;
use num_bigint::{BigInt, BigUint, Sign};

use super::ctx::Ctx;
use super::num::Num;
use super::range::fr_to_big;

/// Limb width.
pub const LIMB_BITS: u32 = 64;
/// Number of limbs of a reduced value.
pub const LIMBS: usize = 4;
/// Largest allowed bound of any limb or of any coefficient of a checked identity: 2²⁵¹ < r/2.
pub(crate) const COEFF_LIMIT_BITS: u64 = 251;

/// p, the modulus of Fq.
pub(crate) fn fq_modulus() -> BigUint {
    Fq::MODULUS.into()
}

/// The 64-bit limbs of `x`, exactly `n` of them (the top limb keeps everything above).
pub(crate) fn to_limbs(x: &BigUint, n: usize) -> Vec<BigUint> {
    let mask = (BigUint::from(1u8) << LIMB_BITS) - 1u8;
    (0..n)
        .map(|i| {
            let shifted = x >> (LIMB_BITS as usize * i);
            if i + 1 == n { shifted } else { shifted & &mask }
        })
        .collect()
}

/// `Σ xᵢ·2^(64i)`: the integer that limbs (or limb bounds) stand for.
pub(crate) fn compose(limbs: &[BigUint]) -> BigUint {
    limbs
        .iter()
        .enumerate()
        .fold(BigUint::zero(), |acc, (i, x)| {
            acc + (x << (LIMB_BITS as usize * i))
        })
}

/// The same for signed coefficients.
pub(crate) fn compose_signed(limbs: &[BigInt]) -> BigInt {
    limbs
        .iter()
        .enumerate()
        .fold(BigInt::zero(), |acc, (i, x)| {
            acc + (x << (LIMB_BITS as usize * i))
        })
}

pub(crate) fn fr_of(x: &BigUint) -> Fr {
    Fr::from(x.clone())
}

pub(crate) fn fr_of_signed(x: &BigInt) -> Fr {
    let (sign, mag) = x.clone().into_parts();
    let v = Fr::from(mag);
    if sign == Sign::Minus { -v } else { v }
}

/// An emulated Fq element; see the module documentation.
#[derive(Clone, Debug)]
pub struct FqVar {
    limbs: Vec<Num>,
    /// Inclusive upper bound of each limb.
    bounds: Vec<BigUint>,
}

impl FqVar {
    /// Allocates `value` as a witness in canonical form: four range-checked 64-bit limbs.
    pub fn witness(ctx: &Ctx, value: Option<Fq>) -> Result<Self, SynthesisError> {
        Self::witness_integer(ctx, value.map(|v| v.into_bigint().into()).as_ref(), 256)
    }

    /// Allocates a non-negative integer below `2^bits` as range-checked 64-bit limbs (the top
    /// one narrower). Hints of the identities are allocated this way.
    pub(crate) fn witness_integer(
        ctx: &Ctx,
        value: Option<&BigUint>,
        bits: u32,
    ) -> Result<Self, SynthesisError> {
        let n = (bits.div_ceil(LIMB_BITS) as usize).max(1);
        let parts = value.map(|v| to_limbs(v, n));
        let mut limbs = Vec::with_capacity(n);
        let mut bounds = Vec::with_capacity(n);
        for i in 0..n {
            let width = (bits - LIMB_BITS * i as u32).min(LIMB_BITS);
            limbs.push(ctx.alloc_bounded(parts.as_ref().map(|p| &p[i]), width)?);
            bounds.push((BigUint::from(1u8) << width) - 1u8);
        }
        Ok(Self { limbs, bounds })
    }

    /// A constant (no constraints).
    pub fn constant(value: Fq) -> Self {
        Self::constant_integer(&value.into_bigint().into())
    }

    /// A non-negative integer constant as 64-bit limbs, as many as it needs (at least four).
    pub(crate) fn constant_integer(x: &BigUint) -> Self {
        let n = (x.bits().div_ceil(u64::from(LIMB_BITS)) as usize).max(LIMBS);
        let limbs = to_limbs(x, n);
        Self {
            limbs: limbs.iter().map(|l| Num::constant(fr_of(l))).collect(),
            bounds: limbs,
        }
    }

    /// Zero.
    pub fn zero() -> Self {
        Self {
            limbs: vec![Num::zero()],
            bounds: vec![BigUint::zero()],
        }
    }

    /// The limbs (native values).
    pub fn limbs(&self) -> &[Num] {
        &self.limbs
    }

    /// The inclusive upper bounds of the limbs.
    pub fn bounds(&self) -> &[BigUint] {
        &self.bounds
    }

    /// Whether no limb involves a variable.
    pub fn is_constant(&self) -> bool {
        self.limbs.iter().all(Num::is_constant)
    }

    /// Whether this is the constant zero.
    pub fn is_zero_constant(&self) -> bool {
        self.bounds.iter().all(Zero::is_zero)
    }

    /// The limbs' integer values, when the witness is known.
    pub(crate) fn limb_values(&self) -> Option<Vec<BigUint>> {
        self.limbs.iter().map(|l| l.value.map(fr_to_big)).collect()
    }

    /// The integer the limbs stand for, when the witness is known.
    pub fn integer(&self) -> Option<BigUint> {
        self.limb_values().map(|v| compose(&v))
    }

    /// The Fq element, when the witness is known.
    pub fn value(&self) -> Option<Fq> {
        self.integer().map(Fq::from)
    }

    /// The largest integer the limbs can stand for.
    pub fn max_integer(&self) -> BigUint {
        compose(&self.bounds)
    }

    /// `self + other` (no constraints; limb bounds add up).
    pub fn add(&self, other: &FqVar) -> FqVar {
        let n = self.limbs.len().max(other.limbs.len());
        let zero = Num::zero();
        let big0 = BigUint::zero();
        FqVar {
            limbs: (0..n)
                .map(|i| {
                    self.limbs
                        .get(i)
                        .unwrap_or(&zero)
                        .add(other.limbs.get(i).unwrap_or(&zero))
                })
                .collect(),
            bounds: (0..n)
                .map(|i| self.bounds.get(i).unwrap_or(&big0) + other.bounds.get(i).unwrap_or(&big0))
                .collect(),
        }
    }

    /// A multiple of p written as limbs `dᵢ ≥ need[i]`, so `X + D − Y` has non-negative limbs
    /// when `Y`'s limbs are at most `need`.
    fn padding(need: &[BigUint]) -> Vec<BigUint> {
        let p = fq_modulus();
        let s = compose(need);
        let m = (&s + &p - 1u8) / &p;
        let rest = m * &p - &s;
        let digits = to_limbs(&rest, need.len());
        need.iter().zip(digits).map(|(x, d)| x + d).collect()
    }

    /// `self − other` (no constraints): `self + D − other` for a padding multiple `D` of p.
    pub fn sub(&self, other: &FqVar) -> FqVar {
        let n = self.limbs.len().max(other.limbs.len()).max(LIMBS);
        let need: Vec<BigUint> = (0..n)
            .map(|i| other.bounds.get(i).cloned().unwrap_or_default())
            .collect();
        let pad = Self::padding(&need);
        let zero = Num::zero();
        FqVar {
            limbs: (0..n)
                .map(|i| {
                    self.limbs
                        .get(i)
                        .unwrap_or(&zero)
                        .add(&Num::constant(fr_of(&pad[i])))
                        .sub(other.limbs.get(i).unwrap_or(&zero))
                })
                .collect(),
            bounds: (0..n)
                .map(|i| self.bounds.get(i).cloned().unwrap_or_default() + &pad[i])
                .collect(),
        }
    }

    /// `k · self` for a small constant `k` (no constraints; limb bounds scale by `k`).
    pub fn scale(&self, k: u64) -> FqVar {
        if k == 0 {
            return FqVar::zero();
        }
        FqVar {
            limbs: self.limbs.iter().map(|l| l.scale(Fr::from(k))).collect(),
            bounds: self.bounds.iter().map(|b| b * k).collect(),
        }
    }

    /// `−self`.
    pub fn neg(&self) -> FqVar {
        FqVar::zero().sub(self)
    }

    /// One of three constants chosen by bits `b₁, b₂` (boolean, not both one — the caller
    /// enforces it): `c₀ + b₁(c₁ − c₀) + b₂(c₂ − c₀)` limb by limb, linear in the bits (no
    /// constraints). Its limbs equal the chosen constant's, so the bounds are the largest.
    pub fn select_of_three(b1: &Num, b2: &Num, c0: &FqVar, c1: &FqVar, c2: &FqVar) -> FqVar {
        let n = c0.limbs.len().max(c1.limbs.len()).max(c2.limbs.len());
        let zero = Num::zero();
        let big0 = BigUint::zero();
        let limb = |x: &FqVar, i: usize| x.limbs.get(i).unwrap_or(&zero).value.unwrap_or_default();
        let bound = |x: &FqVar, i: usize| x.bounds.get(i).unwrap_or(&big0).clone();
        let mut limbs = Vec::with_capacity(n);
        let mut bounds = Vec::with_capacity(n);
        for i in 0..n {
            let (v0, v1, v2) = (limb(c0, i), limb(c1, i), limb(c2, i));
            limbs.push(
                Num::constant(v0)
                    .add(&b1.scale(v1 - v0))
                    .add(&b2.scale(v2 - v0)),
            );
            bounds.push(bound(c0, i).max(bound(c1, i)).max(bound(c2, i)));
        }
        FqVar { limbs, bounds }
    }

    /// Selects `a` when `bit` is 1 and `b` when it is 0: one constraint per limb. `bit` must be
    /// boolean (the caller enforces it); the bounds are the larger of the two.
    pub fn select(ctx: &Ctx, bit: &Num, a: &FqVar, b: &FqVar) -> Result<FqVar, SynthesisError> {
        let n = a.limbs.len().max(b.limbs.len());
        let zero = Num::zero();
        let big0 = BigUint::zero();
        let mut limbs = Vec::with_capacity(n);
        let mut bounds = Vec::with_capacity(n);
        for i in 0..n {
            let (x, y) = (
                a.limbs.get(i).unwrap_or(&zero),
                b.limbs.get(i).unwrap_or(&zero),
            );
            // out = y + bit·(x − y)
            let diff = x.sub(y);
            let out = if diff.is_constant() && diff.value.is_some_and(|d| d.is_zero()) {
                y.clone()
            } else {
                let prod = bit.mul(ctx.cs(), &diff)?;
                y.add(&prod)
            };
            limbs.push(out);
            let (bx, by) = (
                a.bounds.get(i).unwrap_or(&big0),
                b.bounds.get(i).unwrap_or(&big0),
            );
            bounds.push(bx.max(by).clone());
        }
        Ok(FqVar { limbs, bounds })
    }
}
