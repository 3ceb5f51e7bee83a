//! The product identities behind every emulated operation: `Σ ±(products) ≡ r (mod p)`, checked
//! over the integers with hinted quotients and carries.
//!
//! # Elements as polynomials
//!
//! An element of a tower `Fq[Y]/(M(Y))` (Fq itself, Fq2, Fq12; see [`super::poly`]) has `d`
//! coordinates, each an [`FqVar`] with limbs, so it is an integer polynomial `A(T, Y)` with
//! `A(2⁶⁴, Y)` congruent to the element. A product of factors is the integer polynomial
//! `P = A·B(·C)`, multiplied by a small integer polynomial `μ(Y)` (such as `9 + u`) and reduced
//! modulo `M(Y)` with integer arithmetic, which gives for each output coordinate `k` an integer
//! polynomial `Pₖ(T)` with `Pₖ(2⁶⁴) ≡` coordinate `k` of the product.
//!
//! # How a product costs few constraints
//!
//! The coefficients of `P` are not computed limb by limb. The circuit evaluates `P` on a grid
//! of points `(tₐ, y_b)`, one witness and one constraint per point (two for three factors):
//! factor evaluations are linear in the limbs, so `Z_ab = A(tₐ, y_b)·B(tₐ, y_b)` is one rank-1
//! constraint. A grid of `(deg_T P + 1)·(deg_Y P + 1)` points determines `P` (interpolation is
//! unique), so every coefficient of every `Pₖ` is a fixed linear combination of the `Z_ab`: a
//! dense Fq12 product takes `7·23 = 161` evaluations instead of `144·7` coordinate products.
//! Products with at most one non-constant factor are linear and need no evaluation at all.
//!
//! # The identity, and why it cannot wrap around
//!
//! For each output coordinate the circuit allocates the remainder `r` (four range-checked 64-bit
//! limbs, so `r < 2²⁵⁶`; reduced modulo p but not necessarily below p) and the quotient `q`
//! (range-checked limbs), and forms the coefficients of
//!
//! `Eₖ(T) = Pₖ(T) + linear terms + pad(T) − r(T) − q(T)·p(T)`,
//!
//! where `pad` is a constant multiple of p that makes the honest integer `Eₖ(2⁶⁴) + q·p`
//! non-negative. Every coefficient `eₘ` is a linear combination of witnesses equal to the
//! integer coefficient modulo r. The claim `Eₖ(2⁶⁴) = 0` over the integers is then checked by a
//! chain of carries over pairs of coefficients: with `gⱼ = e₂ⱼ + 2⁶⁴·e₂ⱼ₊₁`,
//!
//! `g₀ = 2¹²⁸·c₀,  gⱼ + cⱼ₋₁ = 2¹²⁸·cⱼ,  g_last + c_last−1 = 0`,
//!
//! each a linear constraint, with every carry `cⱼ` range-checked (shifted by a constant to make
//! it non-negative). Each equation holds modulo r; from the proven bounds of the limbs, of `q`,
//! `r` and of the carries' enforced ranges, [`check`] computes a bound on the absolute value of
//! each side and refuses (an error, not a silent wrap) unless it is below 2²⁵¹ < r/2. So each
//! equation holds over the integers, they telescope to `Σ gⱼ·2¹²⁸ʲ = Eₖ(2⁶⁴) = 0`, and
//! `Pₖ(2⁶⁴) + linear + pad = q·p + r`: the remainder is the product modulo p. A zero check is
//! the same identity with `r = 0`.
//!
//! The coefficients' linear combinations are built only when constraints are recorded; during
//! witness-only proving just the witnesses are computed.

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_relations::gr1cs::{LinearCombination, SynthesisError, Variable};
use num_bigint::{BigInt, BigUint};
use num_integer::Integer;

use super::ctx::Ctx;
use super::fq::{
    COEFF_LIMIT_BITS, FqVar, LIMB_BITS, LIMBS, compose, compose_signed, fq_modulus, fr_of,
    fr_of_signed, to_limbs,
};
use super::num::{LcSum, Num, enforce_zero};
use super::poly::{MAX_POINTS, Tower, inverse_vandermonde, point};

/// A product `μ(Y)·F₁·F₂(·F₃)` of one to three tower elements (slices of coordinates; missing
/// coordinates are zero) and a small integer polynomial `μ`.
#[derive(Clone, Debug)]
pub struct Product<'a> {
    /// `μ`'s coefficients, lowest power first (`[1]` for a plain product, `[-1]` to subtract).
    pub multiplier: Vec<i64>,
    /// The factors.
    pub factors: Vec<&'a [FqVar]>,
}

impl<'a> Product<'a> {
    /// `k · a · b`.
    pub fn new(k: i64, factors: Vec<&'a [FqVar]>) -> Self {
        Self {
            multiplier: vec![k],
            factors,
        }
    }
}

/// A linear term `k · x`.
#[derive(Clone, Copy, Debug)]
pub struct Linear<'a> {
    /// The coefficient.
    pub coeff: i64,
    /// The element.
    pub value: &'a [FqVar],
}

/// What an identity establishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Allocate and return `r ≡ Σ (mod p)` per coordinate.
    Reduce,
    /// Enforce `Σ ≡ 0 (mod p)` per coordinate.
    Zero,
}

/// Returns `r ≡ Σ products + Σ linear (mod p)`, coordinate by coordinate, as canonical-width
/// limbs (`r < 2²⁵⁶`).
pub fn reduce(
    ctx: &Ctx,
    tower: &Tower,
    products: &[Product<'_>],
    linear: &[Linear<'_>],
) -> Result<Vec<FqVar>, SynthesisError> {
    check(ctx, tower, products, linear, Target::Reduce)?.ok_or(SynthesisError::Unsatisfiable)
}

/// Enforces `Σ products + Σ linear ≡ 0 (mod p)` coordinate by coordinate.
pub fn assert_zero(
    ctx: &Ctx,
    tower: &Tower,
    products: &[Product<'_>],
    linear: &[Linear<'_>],
) -> Result<(), SynthesisError> {
    check(ctx, tower, products, linear, Target::Zero).map(|_| ())
}

/// A 2-D integer array indexed `[Y power][T power]`.
type Grid<T> = Vec<Vec<T>>;

/// Per output coordinate and T power: the value, and bounds of the positive and negative parts.
struct Accumulator {
    values: Option<Grid<BigInt>>,
    pos: Grid<BigUint>,
    neg: Grid<BigUint>,
    lcs: Option<Vec<Vec<LcSum>>>,
}

impl Accumulator {
    fn new(d: usize, with_lcs: bool) -> Self {
        Self {
            values: Some(vec![Vec::new(); d]),
            pos: vec![Vec::new(); d],
            neg: vec![Vec::new(); d],
            lcs: with_lcs.then(|| (0..d).map(|_| Vec::new()).collect()),
        }
    }

    fn grow(&mut self, k: usize, len: usize) {
        if self.pos[k].len() < len {
            self.pos[k].resize(len, BigUint::zero());
            self.neg[k].resize(len, BigUint::zero());
            if let Some(v) = &mut self.values {
                v[k].resize(len, BigInt::zero());
            }
            if let Some(l) = &mut self.lcs {
                l[k].resize_with(len, LcSum::new);
            }
        }
    }

    /// Adds `c · x` (x a non-negative integer with bound `b`) at `[k][i]`.
    fn add_int(&mut self, k: usize, i: usize, c: i128, x: Option<&BigUint>, b: &BigUint) {
        if c == 0 {
            return;
        }
        self.grow(k, i + 1);
        let mag = BigUint::from(c.unsigned_abs());
        if c > 0 {
            self.pos[k][i] += &mag * b;
        } else {
            self.neg[k][i] += &mag * b;
        }
        match (&mut self.values, x) {
            (Some(v), Some(x)) => v[k][i] += BigInt::from(c) * BigInt::from(x.clone()),
            (Some(_), None) => self.values = None,
            _ => {}
        }
    }

    fn add_lc(&mut self, k: usize, i: usize, c: Fr, lc: &LinearCombination<Fr>) {
        self.grow(k, i + 1);
        if let Some(l) = &mut self.lcs {
            l[k][i].add(c, lc);
        }
    }
}

/// Non-zero coordinates' extent of one factor: (Y degree, T degree).
fn shape(f: &[FqVar]) -> Option<(usize, usize)> {
    let nonzero: Vec<usize> = (0..f.len()).filter(|&k| !f[k].is_zero_constant()).collect();
    let y = *nonzero.last()?;
    let t = nonzero
        .iter()
        .map(|&k| f[k].limbs().len() - 1)
        .max()
        .unwrap_or(0);
    Some((y, t))
}

/// A factor as integer arrays `[k][i]`: bounds, and values when known.
fn factor_grid(f: &[FqVar]) -> (Grid<BigUint>, Option<Grid<BigUint>>) {
    let bounds = f.iter().map(|c| c.bounds().to_vec()).collect();
    let values = f.iter().map(FqVar::limb_values).collect();
    (bounds, values)
}

fn convolve(a: &Grid<BigUint>, b: &Grid<BigUint>) -> Grid<BigUint> {
    let ta = a.iter().map(Vec::len).max().unwrap_or(0);
    let tb = b.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = vec![vec![BigUint::zero(); (ta + tb).saturating_sub(1)]; a.len() + b.len() - 1];
    for (k1, row1) in a.iter().enumerate() {
        for (i1, x) in row1.iter().enumerate() {
            if x.is_zero() {
                continue;
            }
            for (k2, row2) in b.iter().enumerate() {
                for (i2, y) in row2.iter().enumerate() {
                    if !y.is_zero() {
                        out[k1 + k2][i1 + i2] += x * y;
                    }
                }
            }
        }
    }
    out
}

fn limit_ok(x: &BigUint) -> bool {
    x.bits() <= COEFF_LIMIT_BITS
}

/// Evaluates a factor at `(t, y)`: its value, and its linear combination when asked for.
fn evaluate(
    f: &[FqVar],
    t_pows: &[Fr],
    y_pows: &[Fr],
    with_lc: bool,
) -> (Option<Fr>, Option<LinearCombination<Fr>>) {
    let mut value = Some(Fr::zero());
    let mut lc = with_lc.then(LcSum::new);
    for (k, c) in f.iter().enumerate() {
        if c.is_zero_constant() {
            continue;
        }
        for (i, limb) in c.limbs().iter().enumerate() {
            let w = y_pows[k] * t_pows[i];
            value = value.zip(limb.value).map(|(v, l)| v + w * l);
            if let Some(s) = &mut lc {
                s.add(w, &limb.lc);
            }
        }
    }
    (value, lc.map(LcSum::finish))
}

fn powers(x: Fr, n: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(n);
    let mut p = Fr::one();
    for _ in 0..n {
        out.push(p);
        p *= x;
    }
    out
}

/// The combined coefficient of a product term: `Σⱼ μⱼ · reduce[k + j][k_out]`.
fn reduced_multiplier(tower: &Tower, mult: &[i64], k: usize, k_out: usize) -> i128 {
    mult.iter()
        .enumerate()
        .map(|(j, &m)| i128::from(m) * i128::from(tower.reduction(k + j)[k_out]))
        .sum()
}

fn check(
    ctx: &Ctx,
    tower: &Tower,
    products: &[Product<'_>],
    linear: &[Linear<'_>],
    target: Target,
) -> Result<Option<Vec<FqVar>>, SynthesisError> {
    let d = tower.degree;
    let with_lcs = ctx.builds_constraints();
    let mut acc = Accumulator::new(d, with_lcs);
    let mut evaluations = 0usize;

    for x in products
        .iter()
        .flat_map(|p| p.factors.iter().copied())
        .chain(linear.iter().map(|l| l.value))
    {
        if x.len() > d || x.iter().any(|c| c.bounds().iter().any(|b| !limit_ok(b))) {
            return Err(SynthesisError::Unsatisfiable);
        }
    }

    for product in products {
        if product.factors.is_empty() || product.factors.len() > 3 {
            return Err(SynthesisError::Unsatisfiable);
        }
        let shapes: Option<Vec<(usize, usize)>> =
            product.factors.iter().map(|f| shape(f)).collect();
        let Some(shapes) = shapes else {
            continue; // a zero factor
        };
        // Integer values and bounds of the unreduced product polynomial.
        let mut grids = product.factors.iter().map(|f| factor_grid(f));
        let Some((mut bound, mut value)) = grids.next() else {
            continue;
        };
        for (b, v) in grids {
            bound = convolve(&bound, &b);
            value = value.zip(v).map(|(x, y)| convolve(&x, &y));
        }
        let y_deg: usize = shapes.iter().map(|s| s.0).sum();
        if y_deg + product.multiplier.len() > tower.max_power() {
            return Err(SynthesisError::Unsatisfiable);
        }
        for (k, row) in bound.iter().enumerate() {
            for (i, b) in row.iter().enumerate() {
                for k_out in 0..d {
                    let c = reduced_multiplier(tower, &product.multiplier, k, k_out);
                    let x = value.as_ref().map(|v| &v[k][i]);
                    acc.add_int(k_out, i, c, x, b);
                }
            }
        }
        if !with_lcs && product.factors.iter().filter(|f| !is_constant(f)).count() < 2 {
            continue;
        }
        let variable: Vec<usize> = (0..product.factors.len())
            .filter(|&j| !is_constant(product.factors[j]))
            .collect();
        if variable.len() < 2 {
            // Linear in the witness: the coefficients directly, from the constant factors'
            // integer coefficients and the variable factor's limbs.
            linear_product(tower, product, &variable, &mut acc)?;
            continue;
        }
        let t_deg: usize = shapes.iter().map(|s| s.1).sum();
        let (n_t, n_y) = (t_deg + 1, y_deg + 1);
        if n_t > MAX_POINTS || n_y > MAX_POINTS {
            return Err(SynthesisError::Unsatisfiable);
        }
        let inv_t = inverse_vandermonde(n_t);
        let inv_y = inverse_vandermonde(n_y);
        // y_weight[k_out][b] = Σ_k reduced_multiplier(k, k_out) · inv_y[k][b].
        let y_weight: Vec<Vec<Fr>> = (0..d)
            .map(|k_out| {
                (0..n_y)
                    .map(|b| {
                        (0..n_y)
                            .map(|k| {
                                let c = reduced_multiplier(tower, &product.multiplier, k, k_out);
                                fr_of_signed(&BigInt::from(c)) * inv_y[k][b]
                            })
                            .sum()
                    })
                    .collect()
            })
            .collect();
        for a in 0..n_t {
            let t_pows = powers(point(a), n_t);
            #[allow(clippy::needless_range_loop)]
            for b in 0..n_y {
                let y_pows = powers(point(b), n_y);
                let mut scale = Fr::one();
                let mut evals = Vec::with_capacity(3);
                for (j, f) in product.factors.iter().enumerate() {
                    let (v, lc) = evaluate(f, &t_pows, &y_pows, with_lcs && variable.contains(&j));
                    if variable.contains(&j) {
                        evals.push((v, lc));
                    } else {
                        scale *= v.unwrap_or_default();
                    }
                }
                let z = chain_products(ctx, scale, evals)?;
                evaluations += variable.len() - 1;
                if with_lcs {
                    for k_out in 0..d {
                        let wy = y_weight[k_out][b];
                        if wy.is_zero() {
                            continue;
                        }
                        for (i, row) in inv_t.iter().enumerate() {
                            acc.add_lc(k_out, i, row[a] * wy, &z.lc);
                        }
                    }
                }
            }
        }
    }

    for term in linear {
        for (k, c) in term.value.iter().enumerate() {
            let values = c.limb_values();
            for (i, (limb, b)) in c.limbs().iter().zip(c.bounds()).enumerate() {
                let x = values.as_ref().map(|v| &v[i]);
                acc.add_int(k, i, i128::from(term.coeff), x, b);
                acc.add_lc(k, i, Fr::from(term.coeff), &limb.lc);
            }
        }
    }

    ctx.count_identity(target == Target::Reduce, evaluations);
    let p = fq_modulus();
    let p_limbs = to_limbs(&p, LIMBS);
    let mut out = Vec::with_capacity(d);
    for k in 0..d {
        let result = coordinate(ctx, &mut acc, k, &p, &p_limbs, target)?;
        if let Some(r) = result {
            out.push(r);
        }
    }
    Ok((target == Target::Reduce).then_some(out))
}

fn is_constant(f: &[FqVar]) -> bool {
    f.iter().all(FqVar::is_constant)
}

/// `Z = scale · Π evals` as a witness: one constraint for two factors, two for three.
fn chain_products(
    ctx: &Ctx,
    scale: Fr,
    evals: Vec<(Option<Fr>, Option<LinearCombination<Fr>>)>,
) -> Result<Num, SynthesisError> {
    let cs = ctx.cs();
    let mut iter = evals.into_iter();
    let (Some((v0, lc0)), Some((v1, lc1))) = (iter.next(), iter.next()) else {
        return Err(SynthesisError::Unsatisfiable);
    };
    let third = iter.next();
    // First product: scale·F₁·F₂ (scale folded into F₁), or F₁·F₂ when a third factor follows.
    let first_scale = if third.is_none() { scale } else { Fr::one() };
    let w_value = v0.zip(v1).map(|(a, b)| first_scale * a * b);
    let w = Num::witness(cs, w_value)?;
    cs.enforce_r1cs_constraint(
        || lc0.unwrap_or_default() * first_scale,
        || lc1.unwrap_or_default(),
        || w.lc.clone(),
    )?;
    let Some((v2, lc2)) = third else {
        return Ok(w);
    };
    let z = Num::witness(cs, w.value.zip(v2).map(|(a, b)| scale * a * b))?;
    cs.enforce_r1cs_constraint(
        || w.lc.clone() * scale,
        || lc2.unwrap_or_default(),
        || z.lc.clone(),
    )?;
    Ok(z)
}

/// The coefficients of a product with at most one non-constant factor, added to `acc`'s linear
/// combinations directly.
fn linear_product(
    tower: &Tower,
    product: &Product<'_>,
    variable: &[usize],
    acc: &mut Accumulator,
) -> Result<(), SynthesisError> {
    let mut constant: Option<Grid<BigUint>> = None;
    for (j, f) in product.factors.iter().enumerate() {
        if variable.contains(&j) {
            continue;
        }
        let (_, values) = factor_grid(f);
        let values = values.ok_or(SynthesisError::AssignmentMissing)?;
        constant = Some(match constant {
            None => values,
            Some(c) => convolve(&c, &values),
        });
    }
    let constant = constant.unwrap_or_else(|| vec![vec![BigUint::one()]]);
    let d = tower.degree;
    match variable.first() {
        None => {
            for (k, row) in constant.iter().enumerate() {
                for (i, x) in row.iter().enumerate() {
                    for k_out in 0..d {
                        let c = reduced_multiplier(tower, &product.multiplier, k, k_out);
                        if c != 0 {
                            let v = fr_of_signed(&(BigInt::from(c) * BigInt::from(x.clone())));
                            acc.add_lc(k_out, i, v, &LinearCombination::from(Variable::One));
                        }
                    }
                }
            }
        }
        Some(&j) => {
            let var = product.factors[j];
            for (k1, row) in constant.iter().enumerate() {
                for (i1, x) in row.iter().enumerate() {
                    if x.is_zero() {
                        continue;
                    }
                    let xf = fr_of(x);
                    for (k2, c) in var.iter().enumerate() {
                        if c.is_zero_constant() {
                            continue;
                        }
                        for (i2, limb) in c.limbs().iter().enumerate() {
                            for k_out in 0..d {
                                let m =
                                    reduced_multiplier(tower, &product.multiplier, k1 + k2, k_out);
                                if m != 0 {
                                    let w = xf * fr_of_signed(&BigInt::from(m));
                                    acc.add_lc(k_out, i1 + i2, w, &limb.lc);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The hints, the identity polynomial and the carry chain of output coordinate `k`.
fn coordinate(
    ctx: &Ctx,
    acc: &mut Accumulator,
    k: usize,
    p: &BigUint,
    p_limbs: &[BigUint],
    target: Target,
) -> Result<Option<FqVar>, SynthesisError> {
    // A multiple of p above every negative contribution keeps the honest total non-negative.
    let neg_total = compose(&acc.neg[k]);
    let pad = if neg_total.is_zero() {
        BigUint::zero()
    } else {
        neg_total.div_ceil(p) * p
    };
    let pad_limbs = to_limbs(
        &pad,
        (pad.bits().div_ceil(u64::from(LIMB_BITS)) as usize).max(1),
    );
    let total = acc
        .values
        .as_ref()
        .map(|v| compose_signed(&v[k]) + BigInt::from(pad.clone()));
    let (r_value, q_value) = match total {
        None => (None, None),
        Some(t) => {
            let pi = BigInt::from(p.clone());
            let r = match target {
                Target::Reduce => t.mod_floor(&pi),
                Target::Zero => BigInt::zero(),
            };
            let q = (&t - &r).div_floor(&pi);
            (r.to_biguint(), Some(q.to_biguint().unwrap_or_default()))
        }
    };
    let q_max = (compose(&acc.pos[k]) + &pad) / p;
    let q_bits = q_max.bits().max(1) as u32;
    let r = match target {
        Target::Reduce => Some(FqVar::witness_integer(ctx, r_value.as_ref(), 256)?),
        Target::Zero => None,
    };
    let q = FqVar::witness_integer(ctx, q_value.as_ref(), q_bits)?;

    // E = P + linear + pad − r − q·p: bounds, values and linear combinations per T power.
    let degree = [
        acc.pos[k].len(),
        pad_limbs.len(),
        LIMBS,
        q.limbs().len() + LIMBS - 1,
    ]
    .into_iter()
    .max()
    .unwrap_or(LIMBS);
    acc.grow(k, degree);
    let mut bounds: Vec<BigUint> = (0..degree)
        .map(|i| &acc.pos[k][i] + &acc.neg[k][i])
        .collect();
    let mut values: Option<Vec<BigInt>> = acc.values.as_ref().map(|v| v[k].clone());
    let mut lcs: Option<Vec<LcSum>> = acc.lcs.as_mut().map(|l| std::mem::take(&mut l[k]));
    let mut add =
        |i: usize, c: i64, x: Option<BigUint>, b: &BigUint, lc: &LinearCombination<Fr>| {
            let mag = BigUint::from(c.unsigned_abs());
            bounds[i] += &mag * b;
            if let (Some(v), Some(x)) = (&mut values, x) {
                v[i] += BigInt::from(c) * BigInt::from(x);
            }
            if let Some(l) = &mut lcs {
                l[i].add(Fr::from(c), lc);
            }
        };
    let one = LinearCombination::from(Variable::One);
    for (i, limb) in pad_limbs.iter().enumerate() {
        if !limb.is_zero() {
            add(i, 1, Some(limb.clone()), limb, &(one.clone() * fr_of(limb)));
        }
    }
    if let Some(r) = &r {
        let rv = r.limb_values();
        for (i, (limb, b)) in r.limbs().iter().zip(r.bounds()).enumerate() {
            add(i, -1, rv.as_ref().map(|v| v[i].clone()), b, &limb.lc);
        }
    }
    let qv = q.limb_values();
    for (i, (limb, b)) in q.limbs().iter().zip(q.bounds()).enumerate() {
        for (j, pj) in p_limbs.iter().enumerate() {
            let x = qv.as_ref().map(|v| &v[i] * pj);
            let lc = limb.lc.clone() * fr_of(pj);
            // −q_i·p_j at T^(i+j), as one term with coefficient −1 on (p_j·q_i).
            add(i + j, -1, x, &(b * pj), &lc);
        }
    }
    carry_chain(
        ctx,
        &bounds,
        values.as_deref(),
        lcs.map(|l| l.into_iter().map(LcSum::finish).collect()),
    )?;
    Ok(r)
}

/// Enforces `Σ eₘ·2^(64m) = 0` over the integers by a carry chain (see the module
/// documentation): over pairs of coefficients when their bounds allow, else coefficient by
/// coefficient; refuses if any equation's bound reaches 2²⁵¹.
fn carry_chain(
    ctx: &Ctx,
    bounds: &[BigUint],
    values: Option<&[BigInt]>,
    lcs: Option<Vec<LinearCombination<Fr>>>,
) -> Result<(), SynthesisError> {
    for width in [2usize, 1] {
        if let Some(plan) = ChainPlan::new(bounds, width) {
            return plan.enforce(ctx, values, lcs);
        }
    }
    Err(SynthesisError::Unsatisfiable)
}

/// A carry chain over groups of `width` coefficients: `gⱼ = Σ_{s<width} e_{width·j+s}·2^(64s)`,
/// with carries `cⱼ` and `gⱼ + cⱼ₋₁ = 2^(64·width)·cⱼ`.
struct ChainPlan {
    width: usize,
    /// Bound of each group.
    groups: Vec<BigUint>,
    /// Per carry: offset (honest bound) and enforced bound.
    carries: Vec<(BigUint, BigUint, u32)>,
}

impl ChainPlan {
    fn shift(&self) -> usize {
        self.width * LIMB_BITS as usize
    }

    /// The plan, or `None` if some equation could reach 2²⁵¹.
    fn new(bounds: &[BigUint], width: usize) -> Option<Self> {
        let n = bounds.len().div_ceil(width);
        let groups: Vec<BigUint> = (0..n)
            .map(|j| {
                (0..width)
                    .filter_map(|s| {
                        bounds
                            .get(width * j + s)
                            .map(|b| b << (LIMB_BITS as usize * s))
                    })
                    .sum()
            })
            .collect();
        let shift = width * LIMB_BITS as usize;
        let mut carries = Vec::with_capacity(n);
        let mut prev = BigUint::zero();
        for g in groups.iter().take(n.saturating_sub(1)) {
            let offset = ((g + &prev) >> shift) + 1u8;
            let bits = (&offset * 2u8).bits() as u32;
            let top = (BigUint::one() << bits) - 1u8 - &offset;
            let enforced = (&offset).max(&top).clone();
            prev = offset.clone();
            carries.push((offset, enforced, bits));
        }
        for (j, g) in groups.iter().enumerate() {
            let mut total = g.clone();
            if j > 0 {
                total += &carries[j - 1].1;
            }
            if j + 1 < n {
                total += &carries[j].1 << shift;
            }
            if !limit_ok(&total) {
                return None;
            }
        }
        Some(Self {
            width,
            groups,
            carries,
        })
    }

    fn enforce(
        &self,
        ctx: &Ctx,
        values: Option<&[BigInt]>,
        lcs: Option<Vec<LinearCombination<Fr>>>,
    ) -> Result<(), SynthesisError> {
        let cs = ctx.cs();
        let n = self.groups.len();
        let shift = self.shift();
        let group_values: Option<Vec<BigInt>> = values.map(|v| {
            (0..n)
                .map(|j| {
                    (0..self.width)
                        .filter_map(|s| {
                            v.get(self.width * j + s)
                                .map(|x| x << (LIMB_BITS as usize * s))
                        })
                        .sum()
                })
                .collect()
        });
        let group_lcs: Option<Vec<LinearCombination<Fr>>> = lcs.map(|l| {
            (0..n)
                .map(|j| {
                    let mut s = LcSum::new();
                    for k in 0..self.width {
                        if let Some(x) = l.get(self.width * j + k) {
                            s.add(fr_of(&(BigUint::one() << (LIMB_BITS as usize * k))), x);
                        }
                    }
                    s.finish()
                })
                .collect()
        });
        let mut witnesses = Vec::with_capacity(self.carries.len());
        let mut prev = BigInt::zero();
        for (j, (offset, _, bits)) in self.carries.iter().enumerate() {
            let shifted = group_values.as_ref().map(|g| {
                let c = (&g[j] + &prev).div_floor(&(BigInt::one() << shift));
                prev = c.clone();
                (c + BigInt::from(offset.clone()))
                    .to_biguint()
                    .unwrap_or_default()
            });
            witnesses.push(ctx.alloc_bounded(shifted.as_ref(), *bits)?);
        }
        let Some(group_lcs) = group_lcs else {
            return Ok(());
        };
        let base = fr_of(&(BigUint::one() << shift));
        for j in 0..n {
            enforce_zero(cs, || {
                let mut s = LcSum::new();
                s.add(Fr::one(), &group_lcs[j]);
                if j > 0 {
                    s.add(Fr::one(), &witnesses[j - 1].lc);
                    s.add_constant(-fr_of(&self.carries[j - 1].0));
                }
                if j + 1 < n {
                    s.add(-base, &witnesses[j].lc);
                    s.add_constant(base * fr_of(&self.carries[j].0));
                }
                s.finish()
            })?;
        }
        Ok(())
    }
}
