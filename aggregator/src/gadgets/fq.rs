//! Emulated BN254 Fq over Fr: four 64-bit limbs, lazy reduction, hinted multiplication.
//!
//! # Representation
//!
//! An [`FqVar`] is limbs `x₀ … x₃` (native Fr values) standing for the integer
//! `X = Σ xᵢ·2^(64i)`, which is congruent modulo p to the Fq element it represents. It is not
//! necessarily below p, and after additions its limbs may exceed 64 bits: every limb carries a
//! proven upper bound (`bounds`), and all limbs are non-negative integers below those bounds.
//!
//! # Multiplication and equality: the identity and why it cannot wrap around
//!
//! `mul` takes as hints the remainder `R = A·B mod p` (four 64-bit limbs, range-checked, so
//! `R < 2^256`; it is reduced modulo p, not necessarily below p), the quotient
//! `Q = (A·B − R)/p` (64-bit limbs, range-checked) and carries. With limb polynomials
//! `a(T) = Σ aᵢTⁱ` and so on, the integers satisfy `A·B = Q·p + R` iff the polynomial
//!
//! `E(T) = a(T)·b(T) − q(T)·p(T) − r(T)`
//!
//! vanishes at `T = 2⁶⁴`, i.e. `E(T) = (T − 2⁶⁴)·c(T)` for integer carries `cₘ`. The circuit
//! checks this polynomial identity at `D + 1` points `T = 0, 1, …, D` (`D` the degree of `E`):
//! one constraint each, `a(t)·b(t) = q(t)p(t) + r(t) + (t − 2⁶⁴)(c'(t) − O)`, where the carries
//! are shifted by a constant `O = 2^k` so that `c'ₘ = cₘ + O` is range-checked as a
//! non-negative `k + 1`-bit number.
//!
//! Soundness: both sides are polynomials of degree ≤ D agreeing at D + 1 points modulo r, so
//! every coefficient of their difference is ≡ 0 mod r. Each coefficient, as an integer, is at
//! most `Σ aᵢbⱼ + Σ qᵢpⱼ + rₘ + 2⁶⁴|cₘ| + |cₘ₋₁|` in absolute value; [`FqVar::mul`] computes
//! this bound from the limb bounds and refuses (error) unless it is below 2²⁵¹ < r/2, so each
//! coefficient is exactly 0 over the integers, the identity holds over the integer polynomials, and evaluating at
//! 2⁶⁴ gives `A·B = Q·p + R` over the integers. Hence `R ≡ A·B (mod p)`. With inputs whose
//! limbs are at most 2⁶⁸ the bound is about 2¹⁴¹, far from the limit; additions beyond that
//! must be reduced first (multiply by one), which `mul` reports instead of silently wrapping.
//!
//! Equality `A ≡ B (mod p)` is the same identity without a product: `A + Pad − B = Q·p` with a
//! padding multiple of p that keeps every limb non-negative.

use ark_bn254::{Fq, Fr};
use ark_ff::{PrimeField, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use num_bigint::{BigInt, BigUint, Sign};

use super::num::{Num, enforce_bits};

/// Limb width.
pub const LIMB_BITS: u32 = 64;
/// Number of limbs of a reduced value.
pub const LIMBS: usize = 4;
/// Largest allowed absolute value of any coefficient of a checked identity: 2²⁵¹ < r/2.
const COEFF_LIMIT_BITS: u64 = 251;

fn fq_modulus() -> BigUint {
    Fq::MODULUS.into()
}

fn to_limbs(x: &BigUint, n: usize) -> Vec<BigUint> {
    let mask = (BigUint::from(1u8) << LIMB_BITS) - 1u8;
    (0..n)
        .map(|i| (x >> (LIMB_BITS as usize * i)) & &mask)
        .collect()
}

/// `Σ xᵢ·2^(64i)`: the integer that limbs (or limb bounds) stand for.
fn compose(limbs: &[BigUint]) -> BigUint {
    limbs
        .iter()
        .enumerate()
        .fold(BigUint::zero(), |acc, (i, x)| {
            acc + (x << (LIMB_BITS as usize * i))
        })
}

fn fr_of(x: &BigUint) -> Fr {
    Fr::from(x.clone())
}

fn fr_of_signed(x: &BigInt) -> Fr {
    let (sign, mag) = x.clone().into_parts();
    let v = Fr::from(mag);
    if sign == Sign::Minus { -v } else { v }
}

fn big_of(x: Fr) -> BigUint {
    x.into_bigint().into()
}

/// An emulated Fq element; see the module documentation.
#[derive(Clone, Debug)]
pub struct FqVar {
    limbs: Vec<Num>,
    /// Inclusive upper bound of each limb.
    bounds: Vec<BigUint>,
}

impl FqVar {
    /// Allocates `value` as a witness in canonical form (limbs of 64 bits, range-checked):
    /// `4·65` constraints.
    pub fn witness(
        cs: &ConstraintSystemRef<Fr>,
        value: Option<Fq>,
    ) -> Result<Self, SynthesisError> {
        let limbs = value.map(|v| to_limbs(&v.into_bigint().into(), LIMBS));
        Self::witness_limbs(cs, limbs, LIMBS)
    }

    fn witness_limbs(
        cs: &ConstraintSystemRef<Fr>,
        limbs: Option<Vec<BigUint>>,
        n: usize,
    ) -> Result<Self, SynthesisError> {
        let max = (BigUint::from(1u8) << LIMB_BITS) - 1u8;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let num = Num::witness(cs, limbs.as_ref().map(|l| fr_of(&l[i])))?;
            enforce_bits(cs, &num, LIMB_BITS)?;
            out.push(num);
        }
        Ok(Self {
            limbs: out,
            bounds: vec![max; n],
        })
    }

    /// A constant (no constraints).
    pub fn constant(value: Fq) -> Self {
        let limbs = to_limbs(&value.into_bigint().into(), LIMBS);
        Self {
            limbs: limbs.iter().map(|l| Num::constant(fr_of(l))).collect(),
            bounds: limbs,
        }
    }

    /// The integer the limbs stand for, when the witness is known.
    pub fn integer(&self) -> Option<BigUint> {
        self.limbs
            .iter()
            .enumerate()
            .try_fold(BigUint::zero(), |acc, (i, l)| {
                l.value
                    .map(|v| acc + (big_of(v) << (LIMB_BITS as usize * i)))
            })
    }

    /// The Fq element, when the witness is known.
    pub fn value(&self) -> Option<Fq> {
        self.integer().map(Fq::from)
    }

    /// The limbs (native values).
    pub fn limbs(&self) -> &[Num] {
        &self.limbs
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

    /// A multiple of p written as limbs `dᵢ` with `dᵢ ≥ need[i]` (so `X + D − Y` has
    /// non-negative limbs when `Y`'s limbs are below `need`).
    fn padding(need: &[BigUint]) -> Vec<BigUint> {
        let p = fq_modulus();
        let s = compose(need);
        let m = (&s + &p - 1u8) / &p;
        let rest = m * &p - &s;
        let n = need.len();
        let mut digits = to_limbs(&rest, n);
        // The top limb takes everything above.
        digits[n - 1] = &rest >> (LIMB_BITS as usize * (n - 1));
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
                        .add_scaled(-Fr::from(1u8), other.limbs.get(i).unwrap_or(&zero))
                })
                .collect(),
            bounds: (0..n)
                .map(|i| self.bounds.get(i).cloned().unwrap_or_default() + &pad[i])
                .collect(),
        }
    }

    /// `k · self` for a small constant `k` (no constraints; limb bounds scale by `k`).
    pub fn scale(&self, k: u64) -> FqVar {
        FqVar {
            limbs: self.limbs.iter().map(|l| l.scale(Fr::from(k))).collect(),
            bounds: self.bounds.iter().map(|b| b * k).collect(),
        }
    }

    /// `−self`.
    pub fn neg(&self) -> FqVar {
        FqVar::constant(Fq::zero()).sub(self)
    }

    /// `self · other`, reduced to four 64-bit limbs.
    pub fn mul(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        other: &FqVar,
    ) -> Result<FqVar, SynthesisError> {
        FqVar::sum_of_products(cs, &[(self, other, false)])
    }

    /// `Σ ±aₖ·bₖ` (`true` subtracts the product), reduced once: one quotient, one remainder and
    /// one set of carries for the whole sum, so `a₀b₀ − a₁b₁` costs little more than one
    /// product. Each product beyond the first adds one constraint per evaluation point.
    pub fn sum_of_products(
        cs: &ConstraintSystemRef<Fr>,
        terms: &[(&FqVar, &FqVar, bool)],
    ) -> Result<FqVar, SynthesisError> {
        let terms: Vec<Term<'_>> = terms
            .iter()
            .map(|&(a, b, negative)| (a, b, if negative { -1 } else { 1 }))
            .collect();
        FqVar::linear_combination_of_products(cs, &terms, None)
    }

    /// `Σ kₜ·aₜ·bₜ` for small integer coefficients `kₜ`, reduced once. With a
    /// [`ProductTable`], the evaluations `aₜ(t)·bₜ(t)` are taken from (and added to) the table,
    /// so several sums over the same operand pairs (the coordinates of a tower product) pay for
    /// each pair's evaluations once.
    pub fn linear_combination_of_products(
        cs: &ConstraintSystemRef<Fr>,
        terms: &[Term<'_>],
        table: Option<&mut ProductTable>,
    ) -> Result<FqVar, SynthesisError> {
        if terms.is_empty() {
            return Ok(FqVar::constant(Fq::zero()));
        }
        // A multiple of p above every subtracted product keeps the sum non-negative.
        let neg_max = terms
            .iter()
            .filter(|t| t.2 < 0)
            .fold(BigUint::zero(), |acc, (a, b, k)| {
                acc + a.max_integer() * b.max_integer() * k.unsigned_abs()
            });
        let pad = (!neg_max.is_zero()).then(|| {
            let p = fq_modulus();
            FqVar::constant_integer(&((&neg_max + &p - 1u8) / &p * &p))
        });
        let value = (|| {
            let mut e = BigInt::from(pad.as_ref().map_or(Some(BigUint::zero()), FqVar::integer)?);
            for (a, b, k) in terms {
                e += BigInt::from(a.integer()? * b.integer()?) * *k;
            }
            e.to_biguint()
        })();
        let r_value = value.as_ref().map(|x| x % fq_modulus());
        let r = Self::witness_limbs(cs, r_value.as_ref().map(|r| to_limbs(r, LIMBS)), LIMBS)?;
        check_identity(cs, terms, pad.as_ref(), Some(&r), table)?;
        Ok(r)
    }

    /// The largest integer the limbs can stand for.
    fn max_integer(&self) -> BigUint {
        compose(&self.bounds)
    }

    /// A non-negative integer constant as 64-bit limbs, as many as it needs (at least four).
    fn constant_integer(x: &BigUint) -> FqVar {
        let n = (x.bits().div_ceil(u64::from(LIMB_BITS)) as usize).max(LIMBS);
        let limbs = to_limbs(x, n);
        FqVar {
            limbs: limbs.iter().map(|l| Num::constant(fr_of(l))).collect(),
            bounds: limbs,
        }
    }

    /// `self²`.
    pub fn square(&self, cs: &ConstraintSystemRef<Fr>) -> Result<FqVar, SynthesisError> {
        self.mul(cs, self)
    }

    /// Enforces `self ≡ other (mod p)`.
    pub fn enforce_equal(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        other: &FqVar,
    ) -> Result<(), SynthesisError> {
        check_identity(cs, &[], Some(&self.sub(other)), None, None)
    }
}

/// One term `k·a·b` of a sum of products.
pub type Term<'a> = (&'a FqVar, &'a FqVar, i64);

/// A witness for `a(t)·b(t)` with its constraint.
fn product_evaluation(
    cs: &ConstraintSystemRef<Fr>,
    a: &FqVar,
    b: &FqVar,
    t: u64,
) -> Result<Num, SynthesisError> {
    let value = eval_value(&a.limbs, t)
        .zip(eval_value(&b.limbs, t))
        .map(|(x, y)| x * y);
    let w = Num::witness(cs, value)?;
    cs.enforce_r1cs_constraint(
        || eval_lc(&a.limbs, t),
        || eval_lc(&b.limbs, t),
        || w.lc.clone(),
    )?;
    Ok(w)
}

/// Evaluations `a(t)·b(t)` shared by several sums of products over the same operands, keyed by
/// the operands' addresses: build one table per tower operation, while its operands are
/// borrowed and cannot move.
#[derive(Debug, Default)]
pub struct ProductTable {
    entries: std::collections::HashMap<(usize, usize, u64), Num>,
}

impl ProductTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn evaluation(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        a: &FqVar,
        b: &FqVar,
        t: u64,
    ) -> Result<Num, SynthesisError> {
        let key = (a as *const FqVar as usize, b as *const FqVar as usize, t);
        if let Some(w) = self.entries.get(&key) {
            return Ok(w.clone());
        }
        let w = product_evaluation(cs, a, b, t)?;
        self.entries.insert(key, w.clone());
        Ok(w)
    }
}

/// Bounds on the integer coefficients of a limb polynomial product.
fn product_bounds(a: &[BigUint], b: &[BigUint]) -> Vec<BigUint> {
    let mut out = vec![BigUint::zero(); a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

fn eval_lc(limbs: &[Num], t: u64) -> LinearCombination<Fr> {
    let mut lc = LinearCombination::zero();
    let mut power = Fr::from(1u8);
    for l in limbs {
        lc = &lc + (power, &l.lc);
        power *= Fr::from(t);
    }
    lc
}

fn eval_value(limbs: &[Num], t: u64) -> Option<Fr> {
    let mut acc = Fr::zero();
    let mut power = Fr::from(1u8);
    for l in limbs {
        acc += power * l.value?;
        power *= Fr::from(t);
    }
    Some(acc)
}

fn eval_const(coeffs: &[BigUint], t: u64) -> Fr {
    let mut acc = Fr::zero();
    let mut power = Fr::from(1u8);
    for c in coeffs {
        acc += power * fr_of(c);
        power *= Fr::from(t);
    }
    acc
}

fn bits(x: &BigUint) -> u64 {
    x.bits()
}

/// Enforces `Σ ±aₖ·bₖ + l − r ≡ 0 (mod p)` (`l`, `r` optional) by the identity of the module
/// documentation, allocating the quotient and the carries. The honest integer must be
/// non-negative (callers pad subtracted products with a multiple of p).
fn check_identity(
    cs: &ConstraintSystemRef<Fr>,
    products: &[Term<'_>],
    linear: Option<&FqVar>,
    r: Option<&FqVar>,
    mut table: Option<&mut ProductTable>,
) -> Result<(), SynthesisError> {
    // Every limb must stand for one integer: its bound far below r.
    let operands = products
        .iter()
        .flat_map(|(a, b, _)| [*a, *b])
        .chain(linear)
        .chain(r);
    for x in operands {
        if x.bounds.iter().any(|b| b.bits() > COEFF_LIMIT_BITS) {
            return Err(SynthesisError::Unsatisfiable);
        }
    }
    let p = fq_modulus();
    let p_limbs = to_limbs(&p, LIMBS);
    // Upper bounds of the positive and negative parts of E's coefficients (before −q·p).
    let mut pos: Vec<BigUint> = Vec::new();
    let mut neg_products: Vec<BigUint> = Vec::new();
    for (a, b, k) in products {
        let bounds = product_bounds(&a.bounds, &b.bounds);
        let target = if *k < 0 { &mut neg_products } else { &mut pos };
        if target.len() < bounds.len() {
            target.resize(bounds.len(), BigUint::zero());
        }
        for (t, x) in target.iter_mut().zip(bounds) {
            *t += x * k.unsigned_abs();
        }
    }
    if let Some(l) = linear {
        if pos.len() < l.bounds.len() {
            pos.resize(l.bounds.len(), BigUint::zero());
        }
        for (i, b) in l.bounds.iter().enumerate() {
            pos[i] += b;
        }
    }
    let e_max = compose(&pos);
    // The quotient: enough 64-bit limbs for e_max / p.
    let q_max = &e_max / &p;
    let q_limbs = (bits(&q_max).div_ceil(u64::from(LIMB_BITS)) as usize).max(1);
    let q_bounds = vec![(BigUint::from(1u8) << LIMB_BITS) - 1u8; q_limbs];
    let qp = product_bounds(&q_bounds, &p_limbs);
    let degree = pos.len().max(qp.len()).max(neg_products.len()).max(LIMBS) - 1;
    let mut neg = qp;
    neg.resize(degree + 1, BigUint::zero());
    pos.resize(degree + 1, BigUint::zero());
    for (n, x) in neg.iter_mut().zip(&neg_products) {
        *n += x;
    }
    if let Some(r) = r {
        for (i, b) in r.bounds.iter().enumerate() {
            neg[i] += b;
        }
    }
    // Carry bounds: |c_m| ≤ (|c_{m−1}| + max(pos_m, neg_m)) / 2^64 + 1.
    let mut carry_max = Vec::with_capacity(degree);
    let mut prev = BigUint::zero();
    for m in 0..degree {
        let e = (&pos[m]).max(&neg[m]);
        prev = ((&prev + e) >> LIMB_BITS) + 1u8;
        carry_max.push(prev.clone());
    }
    let carry_bits = carry_max.iter().map(bits).max().unwrap_or(0);
    let offset = BigUint::from(1u8) << carry_bits;
    // The soundness bound of the module documentation, with the carries at the edge of their
    // enforced range (|cₘ| ≤ 2^carry_bits), not at their honest values.
    for m in 0..=degree {
        let c_here = if m < degree {
            &offset << LIMB_BITS
        } else {
            BigUint::zero()
        };
        let c_prev = if m > 0 {
            offset.clone()
        } else {
            BigUint::zero()
        };
        let total = &pos[m] + &neg[m] + c_here + c_prev;
        if total.bits() > COEFF_LIMIT_BITS {
            return Err(SynthesisError::Unsatisfiable);
        }
    }

    // Hints: q and the shifted carries.
    let values = (|| {
        let mut e = BigInt::zero();
        for (a, b, k) in products {
            e += BigInt::from(a.integer()? * b.integer()?) * *k;
        }
        if let Some(l) = linear {
            e += BigInt::from(l.integer()?);
        }
        if let Some(rem) = r {
            e -= BigInt::from(rem.integer()?);
        }
        Some(e)
    })();
    let q_value = values.as_ref().map(|e| {
        let q = e / BigInt::from(p.clone());
        q.to_biguint().unwrap_or_default()
    });
    let q = FqVar::witness_limbs(cs, q_value.as_ref().map(|q| to_limbs(q, q_limbs)), q_limbs)?;
    // Carries from the coefficients of E − q·p.
    let carries: Option<Vec<BigInt>> = (|| {
        let mut coeffs = vec![BigInt::zero(); degree + 1];
        for (a, b, k) in products {
            for (i, x) in a.limbs.iter().enumerate() {
                for (j, y) in b.limbs.iter().enumerate() {
                    coeffs[i + j] += BigInt::from(big_of(x.value?) * big_of(y.value?)) * *k;
                }
            }
        }
        if let Some(l) = linear {
            for (i, x) in l.limbs.iter().enumerate() {
                coeffs[i] += BigInt::from(big_of(x.value?));
            }
        }
        if let Some(rem) = r {
            for (i, x) in rem.limbs.iter().enumerate() {
                coeffs[i] -= BigInt::from(big_of(x.value?));
            }
        }
        for (i, x) in q.limbs.iter().enumerate() {
            for (j, y) in p_limbs.iter().enumerate() {
                coeffs[i + j] -= BigInt::from(big_of(x.value?) * y);
            }
        }
        // E(T) = (T − 2^64)·c(T): c₀ = −e₀/2^64, cₘ = (cₘ₋₁ − eₘ)/2^64.
        let base = BigInt::from(1u8) << LIMB_BITS;
        let mut out = Vec::with_capacity(degree);
        let mut prev = BigInt::zero();
        for e in coeffs.iter().take(degree) {
            prev = (&prev - e) / &base;
            out.push(prev.clone());
        }
        Some(out)
    })();
    let offset_int = BigInt::from(offset.clone());
    let mut c_shifted = Vec::with_capacity(degree);
    for m in 0..degree {
        let v = carries
            .as_ref()
            .map(|c| fr_of_signed(&(&c[m] + &offset_int)));
        let num = Num::witness(cs, v)?;
        enforce_bits(cs, &num, carry_bits as u32 + 1)?;
        c_shifted.push(num);
    }

    // The identity at T = 0, 1, …, degree.
    let two64 = fr_of(&(BigUint::from(1u8) << LIMB_BITS));
    let offset_fr = fr_of(&offset);
    for t in 0..=degree as u64 {
        let tf = Fr::from(t);
        let offset_at_t = offset_fr * eval_const(&vec![BigUint::from(1u8); degree], t);
        let mut rhs = eval_lc(&q.limbs, t) * eval_const(&p_limbs, t);
        if let Some(rem) = r {
            rhs = &rhs + &eval_lc(&rem.limbs, t);
        }
        let carry = eval_lc(&c_shifted, t) - (offset_at_t, Variable::One);
        rhs = &rhs + (tf - two64, &carry);
        if let Some(l) = linear {
            rhs = &rhs - &eval_lc(&l.limbs, t);
        }
        // Σ kₜ·aₜ(t)·bₜ(t) = rhs. From a table every product is a shared witness; otherwise
        // the first product is this constraint's multiplication and the others become
        // witnesses (one constraint each).
        if let Some(table) = table.as_deref_mut() {
            for (a, b, k) in products {
                let w = table.evaluation(cs, a, b, t)?;
                rhs = &rhs - (Fr::from(*k), &w.lc);
            }
            cs.enforce_r1cs_constraint(
                || rhs,
                || LinearCombination::from(Variable::One),
                LinearCombination::zero,
            )?;
            continue;
        }
        let Some(((a0, b0, k0), rest)) = products.split_first() else {
            cs.enforce_r1cs_constraint(
                || rhs,
                || LinearCombination::from(Variable::One),
                LinearCombination::zero,
            )?;
            continue;
        };
        for (a, b, k) in rest {
            let w = product_evaluation(cs, a, b, t)?;
            rhs = &rhs - (Fr::from(*k), &w.lc);
        }
        cs.enforce_r1cs_constraint(
            || eval_lc(&a0.limbs, t) * Fr::from(*k0),
            || eval_lc(&b0.limbs, t),
            || rhs,
        )?;
    }
    Ok(())
}
