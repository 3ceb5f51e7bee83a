//! `P₀ + Σ sᵢ·Pᵢ` in G1 for native scalars `sᵢ` (the public-input combination of a Groth16
//! verification): Straus's joint double-and-add over the scalars' bits, groups of up to four
//! points sharing one table of subset sums, with the incomplete formulas of [`super::curve`].
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
//! (The last addition, `Σ sᵢPᵢ + C` plus `P₀ − C`, meets it only when the result is the
//! identity, which again needs a relation between the `Pᵢ` of an honestly generated key.)
//!
//! Scalars are decomposed into 254 bits without a canonicity check: a decomposition of
//! `s + r` instead of `s` gives the same point, since G1 has order r.

use std::sync::OnceLock;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::{AdditiveGroup, BigInteger, Field, One, PrimeField, Zero};
use ark_relations::gr1cs::SynthesisError;
use sha2::{Digest, Sha256};

use super::ctx::Ctx;
use super::curve::G1Var;
use super::num::{LcSum, Num, enforce_zero};

/// Scalar bits.
const BITS: usize = Fr::MODULUS_BIT_SIZE as usize;

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

/// The bits of `s` as boolean witnesses, with `Σ bⱼ·2ʲ = s` enforced.
pub fn to_bits(ctx: &Ctx, s: &Num) -> Result<Vec<Num>, SynthesisError> {
    let cs = ctx.cs();
    let bits = s.value.map(|v| v.into_bigint().to_bits_le());
    let mut out = Vec::with_capacity(BITS);
    let mut sum = LcSum::new();
    let mut power = Fr::one();
    for j in 0..BITS {
        let b = Num::witness(cs, bits.as_ref().map(|b| Fr::from(b[j])))?;
        b.enforce_boolean(cs)?;
        sum.add(power, &b.lc);
        power.double_in_place();
        out.push(b);
    }
    if ctx.builds_constraints() {
        sum.add(-Fr::one(), &s.lc);
        let lc = sum.finish();
        enforce_zero(cs, || lc)?;
    }
    Ok(out)
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
    let bits: Vec<Vec<Num>> = scalars
        .iter()
        .map(|s| to_bits(ctx, s))
        .collect::<Result<_, _>>()?;
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
    for j in (0..BITS).rev() {
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
    let two_n = Fr::from(2u8).pow([BITS as u64]);
    let c = (start * two_n + offsets * (two_n - Fr::one())).into_affine();
    let (shift, _) = p0.add(ctx, &G1Var::constant(-c)?)?;
    let (out, _) = acc.add(ctx, &shift)?;
    Ok(out)
}
