//! The in-circuit pairing check `Π e(Pᵢ, Qᵢ) = 1`: one multi-Miller loop of the optimal ate
//! pairing in affine coordinates with hinted slopes, and the residue witness of [`native`]
//! instead of a final exponentiation.
//!
//! # The loop
//!
//! Each step squares the accumulator, doubles every `Tᵢ` (and adds `±Qᵢ` on non-zero digits of
//! `6x + 2`), and multiplies in the lines `ℓ(P)/y_P = 1 + A·w + B·w³` (BN254's twist is of D
//! type; dividing by `y_P ∈ Fq` changes nothing after the final exponentiation, so it changes
//! nothing in the residue check either). Two lines are multiplied together first as sparse
//! elements (three Fq2 products), then into the accumulator. The accumulator starts at `c⁻¹`
//! and is multiplied by `c⁻¹` or `c` on the digits `+1` and `−1`, so after the loop it holds
//! `f·c^(−(6x+2))`; the check is then `acc·ωˢ·c^(p²) = c^p·c^(p³)`.
//!
//! # Which points the loop may trust
//!
//! For `Q` in G2 (prime order r) the points `Tᵢ = [k]Q` of the loop never meet `±Q`
//! (`k < 2⁶⁶ ≪ r`), so the incomplete formulas are exact. A pair whose `Q` is not known to be in
//! G2 (a proof's `B`) is run with every addition proven distinct ([`AffineVar::add_distinct`])
//! and then checked for membership with the loop's own points: on BN254,
//! `[6x+2]Q + ψ(Q) − ψ²(Q) + ψ³(Q) = O` holds exactly for `Q ∈ G2`, because that endomorphism is
//! `(6x+2−6x²p) + (−6x(6x²+3x+1))ψ`, whose norm is prime to the twist's cofactor `2p − r`
//! (tested natively in [`native`]). The G1 points must be on the curve (the caller checks);
//! G1 has prime order, so that suffices.

use ark_bn254::{Config as BnParams, Fq2, Fq12, G1Affine, G2Affine};
use ark_ec::bn::BnConfig;
use ark_ff::{Field, One};
use ark_relations::gr1cs::SynthesisError;

use super::ctx::Ctx;
use super::curve::{G1Var, G2Var};
use super::ext::{Fq2Var, Fq12Var, single};
use super::fq::FqVar;
use super::identity::{Linear, Product};
use super::native;
use super::num::Num;

/// One pair of the product, and whether `q` must be proven to be in G2.
#[derive(Clone, Debug)]
pub struct Pair {
    /// The G1 point (on the curve: the caller checks).
    pub p: G1Var,
    /// The twist point (on the curve: the caller checks).
    pub q: G2Var,
    /// Prove `q ∈ G2` (for points the prover chose).
    pub check_subgroup: bool,
}

/// A normalised line `1 + A·w + B·w³`.
struct Line {
    a: Fq2Var,
    b: Fq2Var,
}

/// Per-pair state of the loop.
struct PairState {
    x_over_y: FqVar,
    y_inv: FqVar,
    q: G2Var,
    t: G2Var,
    checked: bool,
}

/// `ψ(Q) = (conj(x)·γₓ, conj(y)·γ_y)`: two Fq2 products by constants.
pub fn psi(ctx: &Ctx, q: &G2Var) -> Result<G2Var, SynthesisError> {
    let gx = Fq2Var::constant(BnParams::TWIST_MUL_BY_Q_X);
    let gy = Fq2Var::constant(BnParams::TWIST_MUL_BY_Q_Y);
    let (cx, cy) = (q.x.conjugate(), q.y.conjugate());
    Ok(G2Var {
        x: Fq2Var::sum(ctx, &[Product::new(1, vec![cx.coords(), gx.coords()])], &[])?,
        y: Fq2Var::sum(ctx, &[Product::new(1, vec![cy.coords(), gy.coords()])], &[])?,
    })
}

fn line(ctx: &Ctx, state: &PairState, lambda: &Fq2Var, t: &G2Var) -> Result<Line, SynthesisError> {
    // A = −λ·(x_P/y_P), B = λ·x_T·(1/y_P) − y_T·(1/y_P)
    let a = Fq2Var::sum(
        ctx,
        &[Product::new(
            -1,
            vec![lambda.coords(), single(&state.x_over_y)],
        )],
        &[],
    )?;
    let b = Fq2Var::sum(
        ctx,
        &[
            Product::new(1, vec![lambda.coords(), t.x.coords(), single(&state.y_inv)]),
            Product::new(-1, vec![t.y.coords(), single(&state.y_inv)]),
        ],
        &[],
    )?;
    Ok(Line { a, b })
}

/// The Fq12 element of one line or of the product of two lines:
/// `(1 + A₁w + B₁w³)(1 + A₂w + B₂w³) = (1 + ξB₁B₂) + (A₁+A₂)w + A₁A₂w² + (B₁+B₂)w³ + (A₁B₂+A₂B₁)w⁴`.
fn line_product(ctx: &Ctx, l1: &Line, l2: Option<&Line>) -> Result<Fq12Var, SynthesisError> {
    let one = Fq2Var::constant(Fq2::one());
    let Some(l2) = l2 else {
        return Ok(Fq12Var::from_fq2_coeffs(&[
            Some(one),
            Some(l1.a.clone()),
            None,
            Some(l1.b.clone()),
            None,
            None,
        ]));
    };
    let c0 = Fq2Var::sum(
        ctx,
        &[Product {
            multiplier: vec![9, 1],
            factors: vec![l1.b.coords(), l2.b.coords()],
        }],
        &[Linear {
            coeff: 1,
            value: one.coords(),
        }],
    )?;
    let c2 = l1.a.mul(ctx, &l2.a)?;
    let c4 = Fq2Var::sum(
        ctx,
        &[
            Product::new(1, vec![l1.a.coords(), l2.b.coords()]),
            Product::new(1, vec![l2.a.coords(), l1.b.coords()]),
        ],
        &[],
    )?;
    Ok(Fq12Var::from_fq2_coeffs(&[
        Some(c0),
        Some(l1.a.add(&l2.a)),
        Some(c2),
        Some(l1.b.add(&l2.b)),
        Some(c4),
        None,
    ]))
}

fn multiply_lines(ctx: &Ctx, f: Fq12Var, lines: &[Line]) -> Result<Fq12Var, SynthesisError> {
    let mut f = f;
    for chunk in lines.chunks(2) {
        let l = line_product(ctx, &chunk[0], chunk.get(1))?;
        f = f.mul(ctx, &l)?;
    }
    Ok(f)
}

/// What the parts of a pairing check cost, in constraints (see [`Ctx::cost`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairingCosts {
    /// The residue witness `c`, its inverse and the choice of `ωˢ`.
    pub residue: usize,
    /// The Miller loop, lines and G2 membership checks included.
    pub miller_loop: usize,
    /// The check that replaces the final exponentiation (three Frobenius maps, three products).
    pub final_check: usize,
}

/// Enforces `Π e(pᵢ, qᵢ) = 1`, reporting what its parts cost.
pub fn assert_pairing_product_is_one(
    ctx: &Ctx,
    pairs: &[Pair],
) -> Result<PairingCosts, SynthesisError> {
    let start = ctx.cost();
    // The residue witness, from the native mirror of the loop.
    let native_pairs: Option<Vec<(G1Affine, G2Affine)>> = pairs
        .iter()
        .map(|pair| Some((pair.p.value()?, pair.q.value()?)))
        .collect();
    let witness = native_pairs.map(|np| {
        native::miller_loop(&np)
            .and_then(native::residue_witness)
            .unwrap_or((Fq12::one(), 0))
    });
    let c = Fq12Var::witness(ctx, witness.map(|w| w.0))?;
    let c_inv = Fq12Var::witness(ctx, witness.map(|w| w.0.inverse().unwrap_or_default()))?;
    Fq12Var::assert_sum_zero(
        ctx,
        &[Product::new(1, vec![c.coords(), c_inv.coords()])],
        &[Linear {
            coeff: -1,
            value: Fq12Var::one().coords(),
        }],
    )?;
    let s = witness.map(|w| w.1);
    let selected = select_root_of_unity(ctx, s)?;

    let residue = ctx.cost() - start;
    let start = ctx.cost();
    let one = FqVar::constant(ark_bn254::Fq::one());
    let mut states = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let y_inv = one.div(ctx, &pair.p.y.coords()[0])?;
        let x_over_y = pair.p.x.coords()[0].mul(ctx, &y_inv)?;
        states.push(PairState {
            x_over_y,
            y_inv,
            q: pair.q.clone(),
            t: pair.q.clone(),
            checked: pair.check_subgroup,
        });
    }

    let mut f = c_inv.clone();
    let digits = BnParams::ATE_LOOP_COUNT;
    for i in (0..digits.len() - 1).rev() {
        f = f.square(ctx)?;
        let mut lines = Vec::with_capacity(2 * states.len());
        for st in &mut states {
            let (next, lambda) = st.t.double(ctx)?;
            lines.push(line(ctx, st, &lambda, &st.t)?);
            st.t = next;
        }
        let digit = digits[i];
        if digit != 0 {
            for st in &mut states {
                let q = if digit > 0 { st.q.clone() } else { st.q.neg() };
                let (next, lambda) = if st.checked {
                    st.t.add_distinct(ctx, &q)?
                } else {
                    st.t.add(ctx, &q)?
                };
                lines.push(line(ctx, st, &lambda, &st.t)?);
                st.t = next;
            }
        }
        f = multiply_lines(ctx, f, &lines)?;
        if digit > 0 {
            f = f.mul(ctx, &c_inv)?;
        } else if digit < 0 {
            f = f.mul(ctx, &c)?;
        }
    }
    // The two lines through ψ(Q) and −ψ²(Q).
    let mut lines = Vec::with_capacity(2 * states.len());
    for st in &mut states {
        let q1 = psi(ctx, &st.q)?;
        let q2 = psi(ctx, &q1)?.neg();
        let (t1, lambda) = if st.checked {
            st.t.add_distinct(ctx, &q1)?
        } else {
            st.t.add(ctx, &q1)?
        };
        lines.push(line(ctx, st, &lambda, &st.t)?);
        if st.checked {
            // [6x+2]Q + ψ(Q) − ψ²(Q) = −ψ³(Q) proves Q ∈ G2.
            let (t2, lambda) = t1.add_distinct(ctx, &q2)?;
            lines.push(line(ctx, st, &lambda, &t1)?);
            let q3 = psi(ctx, &q2.neg())?;
            t2.assert_equal(ctx, &q3.neg())?;
        } else {
            let lambda = t1.chord_slope(ctx, &q2)?;
            lines.push(line(ctx, st, &lambda, &t1)?);
        }
        st.t = t1;
    }
    let acc = multiply_lines(ctx, f, &lines)?;

    let miller_loop = ctx.cost() - start;
    let start = ctx.cost();
    // acc·ωˢ·c^(p²) = c^p·c^(p³)
    let c_p = c.frobenius(ctx, 1)?;
    let c_p2 = c.frobenius(ctx, 2)?;
    let c_p3 = c.frobenius(ctx, 3)?;
    let left = acc.mul(ctx, &selected)?;
    Fq12Var::assert_sum_zero(
        ctx,
        &[
            Product::new(1, vec![left.coords(), c_p2.coords()]),
            Product::new(-1, vec![c_p.coords(), c_p3.coords()]),
        ],
        &[],
    )?;
    Ok(PairingCosts {
        residue,
        miller_loop,
        final_check: ctx.cost() - start,
    })
}

/// `ωˢ` for a witness `s ∈ {0, 1, 2}` given by two bits `b₁ b₂` with `b₁·b₂ = 0`: each limb is
/// `1 + b₁(ω − 1) + b₂(ω² − 1)`, a linear combination of the bits, equal to one of the three
/// constants' limbs (so its bound is theirs).
fn select_root_of_unity(ctx: &Ctx, s: Option<u8>) -> Result<Fq12Var, SynthesisError> {
    let cs = ctx.cs();
    let b1 = Num::witness(cs, s.map(|s| ark_bn254::Fr::from(u8::from(s == 1))))?;
    let b2 = Num::witness(cs, s.map(|s| ark_bn254::Fr::from(u8::from(s == 2))))?;
    b1.enforce_boolean(cs)?;
    b2.enforce_boolean(cs)?;
    let both = b1.mul(cs, &b2)?;
    both.enforce_equal(cs, &Num::zero())?;
    let omega = native::root_of_unity_27();
    let options = [
        Fq12Var::one(),
        Fq12Var::constant(omega),
        Fq12Var::constant(omega.square()),
    ];
    let coords = (0..12)
        .map(|k| {
            let [c0, c1, c2] = [&options[0], &options[1], &options[2]].map(|o| &o.coords()[k]);
            FqVar::select_of_three(&b1, &b2, c0, c1, c2)
        })
        .collect();
    Ok(Fq12Var::from_coords(coords))
}
