//! `P₀ + Σ sᵢ·Pᵢ` in G1 for native scalars `sᵢ` (the public-input combination of a Groth16
//! verification): each scalar split by the GLV endomorphism, then Straus's joint
//! double-and-add over the halves' bits, groups of up to four points sharing one table of
//! subset sums, with the incomplete formulas of [`super::curve`].
//!
//! # The GLV split
//!
//! BN254's G1 has the endomorphism `φ(x, y) = (β·x, y) = [λ](x, y)` with β a cube root of
//! unity in Fq. Each scalar is written `s = ±k₁ ± λ·k₂ (mod r)` with `k₁, k₂ < 2¹²⁸`
//! (Gallant–Lambert–Vanstone; arkworks' decomposition as the hint). The circuit checks that
//! identity natively (two constraints) and multiplies `±P` by `k₁` and `±φ(P)` by `k₂`: half the
//! doublings. Any `(k₁, k₂, signs)` that satisfies the identity gives the same point
//! `[±k₁ ± λk₂]P = [s]P`, so the hint needs no uniqueness.
//!
//! # Why the incomplete formulas are safe here
//!
//! The accumulator starts at a constant point `O₀` and every table entry of group `g` holds a
//! constant `O_g` besides the points it sums; after the loop the constant
//! `C = 2ⁿ·O₀ + (2ⁿ − 1)·Σ O_g` is removed and `P₀` added through `P₀ − C`. The offsets are
//! hashed to the curve (`sheaf.msm.offset`), so nobody knows a discrete-logarithm relation
//! between them and the `Pᵢ`. Every addition of the loop adds two points whose difference has a
//! non-zero coefficient on some offset, so two equal x-coordinates would reveal such a relation:
//! the formulas never meet their exceptional case unless someone solves a discrete logarithm.
//! The halves' points `±Pᵢ` and `±φ(Pᵢ) = ±[λ]Pᵢ` have a known relation among themselves, but
//! not with the offsets, which is what the argument needs.
//! (The last addition, `Σ sᵢPᵢ + C` plus `P₀ − C`, meets it only when the result is the
//! identity, which again needs a relation between the `Pᵢ` of an honestly generated key.)
//!
//! No canonicity check is needed anywhere: every representation of `s` modulo r gives the
//! same point, since G1 has order r.

use std::sync::OnceLock;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ff::{AdditiveGroup, BigInteger, Field, One, PrimeField, Zero};
use ark_relations::gr1cs::SynthesisError;
use sha2::{Digest, Sha256};

use super::ctx::Ctx;
use super::curve::G1Var;
use super::ext::Fq1Var;
use super::fq::FqVar;
use super::num::Num;

/// Bits of a scalar.
const BITS: usize = Fr::MODULUS_BIT_SIZE as usize;
/// Bits of a GLV half.
const HALF_BITS: usize = 128;

/// Points per table.
const GROUP: usize = 4;

/// The `i`-th offset point: the first `x = SHA-256("sheaf.msm.offset" ‖ i ‖ k) mod p` with
/// `x³ + 3` a square, with the smaller square root.
pub fn offset_point(i: u32) -> G1Affine {
    static CACHE: OnceLock<Vec<G1Affine>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| (0..16).map(hash_to_curve).collect());
    cache
        .get(i as usize)
        .copied()
        .unwrap_or_else(|| hash_to_curve(i))
}

fn hash_to_curve(i: u32) -> G1Affine {
    let mut k = 0u32;
    loop {
        let mut h = Sha256::new();
        h.update(b"sheaf.msm.offset");
        h.update(i.to_be_bytes());
        h.update(k.to_be_bytes());
        let x = Fq::from_be_bytes_mod_order(&h.finalize());
        if let Some(y) = (x * x * x + Fq::from(3u8)).sqrt() {
            let y = if y.into_bigint() <= (-y).into_bigint() {
                y
            } else {
                -y
            };
            return G1Affine::new_unchecked(x, y);
        }
        k += 1;
    }
}

/// The low `n` bits of `value` as boolean witnesses, and their sum `Σ bⱼ·2ʲ`.
fn bits_witness(ctx: &Ctx, value: Option<Fr>, n: usize) -> Result<(Vec<Num>, Num), SynthesisError> {
    let cs = ctx.cs();
    let bits = value.map(|v| v.into_bigint().to_bits_le());
    let mut out = Vec::with_capacity(n);
    let mut sum = Num::zero();
    let mut power = Fr::one();
    for j in 0..n {
        let b = Num::witness(cs, bits.as_ref().map(|b| Fr::from(b[j])))?;
        b.enforce_boolean(cs)?;
        sum = sum.add_scaled(power, &b);
        power.double_in_place();
        out.push(b);
    }
    Ok((out, sum))
}

/// The bits of `s` as boolean witnesses, with `Σ bⱼ·2ʲ = s` enforced.
pub fn to_bits(ctx: &Ctx, s: &Num) -> Result<Vec<Num>, SynthesisError> {
    let (bits, sum) = bits_witness(ctx, s.value, BITS)?;
    sum.enforce_equal(ctx.cs(), s)?;
    Ok(bits)
}

/// The GLV split of `s`: bits of `k₁` and `k₂` and the sign bits `n₁`, `n₂` (1 for minus), with
/// `s = (1 − 2n₁)·k₁ + λ·(1 − 2n₂)·k₂` enforced.
fn glv_split(ctx: &Ctx, s: &Num) -> Result<[(Vec<Num>, Num); 2], SynthesisError> {
    let cs = ctx.cs();
    let split = s
        .value
        .map(<ark_bn254::g1::Config as GLVConfig>::scalar_decomposition);
    if let Some(((_, k1), (_, k2))) = split
        && (k1.into_bigint().num_bits() as usize > HALF_BITS
            || k2.into_bigint().num_bits() as usize > HALF_BITS)
    {
        // arkworks' lattice keeps both halves near √r; a wider one cannot be represented.
        return Err(SynthesisError::Unsatisfiable);
    }
    let half = |i: usize| -> Result<(Vec<Num>, Num, Num), SynthesisError> {
        let part = split.map(|((s1, k1), (s2, k2))| if i == 0 { (s1, k1) } else { (s2, k2) });
        let (bits, k) = bits_witness(ctx, part.map(|p| p.1), HALF_BITS)?;
        let negative = Num::witness(cs, part.map(|p| Fr::from(!p.0)))?;
        negative.enforce_boolean(cs)?;
        Ok((bits, k, negative))
    };
    let (bits1, k1, n1) = half(0)?;
    let (bits2, k2, n2) = half(1)?;
    let t1 = n1.mul(cs, &k1)?;
    let t2 = n2.mul(cs, &k2)?;
    let lambda = <ark_bn254::g1::Config as GLVConfig>::LAMBDA;
    let two = Fr::from(2u8);
    let rebuilt = k1
        .add_scaled(-two, &t1)
        .add_scaled(lambda, &k2)
        .add_scaled(-two * lambda, &t2);
    rebuilt.enforce_equal(cs, s)?;
    Ok([(bits1, n1), (bits2, n2)])
}

/// `−p` when `negative` is 1, else `p` (four constraints).
fn conditional_negation(ctx: &Ctx, negative: &Num, p: &G1Var) -> Result<G1Var, SynthesisError> {
    G1Var::select(ctx, negative, &p.neg(), p)
}

/// `φ(p) = (β·x, y)`.
fn endomorphism(ctx: &Ctx, p: &G1Var) -> Result<G1Var, SynthesisError> {
    let beta = FqVar::constant(<ark_bn254::g1::Config as GLVConfig>::ENDO_COEFFS[0]);
    Ok(G1Var {
        x: Fq1Var::from_fq(p.x.fq().mul(ctx, &beta)?),
        y: p.y.clone(),
    })
}

/// Selects `table[index]` by the index's bits (least significant first): a tree of 2-way
/// selections.
fn select(ctx: &Ctx, table: &[G1Var], bits: &[&Num]) -> Result<G1Var, SynthesisError> {
    let mut level: Vec<G1Var> = table.to_vec();
    for bit in bits {
        let mut next = Vec::with_capacity(level.len() / 2);
        for pair in level.chunks(2) {
            next.push(G1Var::select(ctx, bit, &pair[1], &pair[0])?);
        }
        level = next;
    }
    level.pop().ok_or(SynthesisError::Unsatisfiable)
}

/// `p0 + Σ scalars[i]·points[i]`. The points must be on the curve (the caller checks).
pub fn linear_combination(
    ctx: &Ctx,
    p0: &G1Var,
    points: &[G1Var],
    scalars: &[Num],
) -> Result<G1Var, SynthesisError> {
    if points.len() != scalars.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    if points.is_empty() {
        return Ok(p0.clone());
    }
    // Every scalar split in two halves of 128 bits, on ±P and ±φ(P).
    let mut halves: Vec<G1Var> = Vec::with_capacity(2 * points.len());
    let mut bits: Vec<Vec<Num>> = Vec::with_capacity(2 * points.len());
    for (p, s) in points.iter().zip(scalars) {
        let [(b1, n1), (b2, n2)] = glv_split(ctx, s)?;
        halves.push(conditional_negation(ctx, &n1, p)?);
        halves.push(conditional_negation(ctx, &n2, &endomorphism(ctx, p)?)?);
        bits.push(b1);
        bits.push(b2);
    }
    let points = &halves[..];
    // Tables of subset sums, each with its offset.
    let mut tables = Vec::new();
    let mut offsets = G1Projective::zero();
    for (g, group) in points.chunks(GROUP).enumerate() {
        let off = offset_point(1 + g as u32);
        offsets += off;
        let mut table = vec![G1Var::constant(off)?];
        for (k, p) in group.iter().enumerate() {
            for s in 0..(1usize << k) {
                let (sum, _) = table[s].add(ctx, p)?;
                table.push(sum);
            }
        }
        tables.push(table);
    }
    let start = offset_point(0);
    let mut acc = G1Var::constant(start)?;
    for j in (0..HALF_BITS).rev() {
        for (g, table) in tables.iter().enumerate() {
            let index: Vec<&Num> = (g * GROUP..(g * GROUP + GROUP).min(points.len()))
                .map(|i| &bits[i][j])
                .collect();
            let entry = select(ctx, table, &index)?;
            acc = if g == 0 {
                acc.double_and_add(ctx, &entry)?
            } else {
                acc.add(ctx, &entry)?.0
            };
        }
    }
    // Remove C = 2ⁿ·O₀ + (2ⁿ − 1)·Σ O_g and add p0.
    let two_n = Fr::from(2u8).pow([HALF_BITS as u64]);
    let c = (start * two_n + offsets * (two_n - Fr::one())).into_affine();
    let (shift, _) = p0.add(ctx, &G1Var::constant(-c)?)?;
    let (out, _) = acc.add(ctx, &shift)?;
    Ok(out)
}
