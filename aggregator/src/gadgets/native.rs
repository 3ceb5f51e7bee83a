//! The native side of the in-circuit pairing check: the Miller loop exactly as the circuit
//! computes it (affine lines normalised by `y_P`), and the residue witness that replaces the
//! final exponentiation (Novakovic and Eagen, "On Proving Pairings", eprint 2024/640, §4).
//!
//! # The residue witness
//!
//! With `h = (p¹² − 1)/r`, a Miller-loop output `f` belongs to a product of pairings equal to
//! one exactly when `f^h = 1`. For BN254, `λ = 6x + 2 + p − p² + p³ = 3·r·m′` with
//! `gcd(m′, h) = 1` and `h = 27·l`, `gcd(l, 3) = 1`. The prover supplies `c` and `s ∈ {0, 1, 2}`
//! with `c^λ = f·ωˢ`, `ω` a fixed primitive 27th root of unity; the circuit checks it as
//! `f·c^(−(6x+2))·ωˢ·c^(p²) = c^p·c^(p³)`, folding `c^(−(6x+2))` into the Miller loop's squarings.
//!
//! Soundness: from `c^λ = f·ωˢ`, `f^h = c^(λh)·ω^(−sh) = (c^(p¹²−1))^(3m′)·1 = 1`, since
//! `27 | h`. So the check implies the pairing product is one, whatever `c` and `s` are.
//! Completeness: if `f^h = 1`, then for the `s` that makes `f·ωˢ` a cube, `c` is found by an
//! `r`-th root, an `m′`-th root and a cube root ([`residue_witness`]).

use std::sync::OnceLock;

use ark_bn254::{Config as BnParams, Fq, Fq2, Fq6, Fq12, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ec::bn::BnConfig;
use ark_ff::{AdditiveGroup, Field, One, PrimeField, Zero};
use num_bigint::BigUint;
use num_integer::Integer;

fn p() -> BigUint {
    Fq::MODULUS.into()
}

fn r() -> BigUint {
    Fr::MODULUS.into()
}

fn pow(x: Fq12, e: &BigUint) -> Fq12 {
    x.pow(e.to_u64_digits())
}

/// BN254's parameter `x` (positive).
pub fn seed() -> u64 {
    BnParams::X[0]
}

/// The exponents of the residue computation.
struct Exponents {
    /// `(p¹² − 1)/3`.
    cube_test: BigUint,
    /// `r⁻¹ mod h`.
    r_inv: BigUint,
    /// `m′⁻¹ mod h`.
    m_inv: BigUint,
    /// `l·(l⁻¹ mod 27)` and `27·(27⁻¹ mod l)`: the projections on the 3-part and the rest.
    three_part: BigUint,
    rest_part: BigUint,
    /// `3⁻¹ mod l`.
    cube_root_rest: BigUint,
    /// `λ`.
    lambda: BigUint,
}

fn exponents() -> &'static Exponents {
    static E: OnceLock<Exponents> = OnceLock::new();
    E.get_or_init(|| {
        let (p, r) = (p(), r());
        let x = BigUint::from(seed());
        let order = p.pow(12) - 1u8;
        let h = &order / &r;
        let lambda = 6u8 * &x + 2u8 + &p + p.pow(3) - p.pow(2);
        let m_prime = &lambda / (3u8 * &r);
        let l = &h / 27u8;
        let l_mod_27 = &l % 27u8;
        let twenty_seven = BigUint::from(27u8);
        Exponents {
            cube_test: &order / 3u8,
            r_inv: r.modinv(&h).unwrap_or_default(),
            m_inv: m_prime.modinv(&h).unwrap_or_default(),
            three_part: &l * l_mod_27.modinv(&twenty_seven).unwrap_or_default(),
            rest_part: &twenty_seven * twenty_seven.modinv(&l).unwrap_or_default(),
            cube_root_rest: BigUint::from(3u8).modinv(&l).unwrap_or_default(),
            lambda,
        }
    })
}

/// `λ = 6x + 2 + p − p² + p³`.
pub fn lambda() -> &'static BigUint {
    &exponents().lambda
}

/// The fixed primitive 27th root of unity `ω` of the check: `g^((p¹²−1)/27)` for the first
/// non-cube `g` among `w + k`, `k = 0, 1, …`.
pub fn root_of_unity_27() -> Fq12 {
    static W: OnceLock<Fq12> = OnceLock::new();
    *W.get_or_init(|| {
        let order = p().pow(12) - 1u8;
        let w = Fq12::new(Fq6::zero(), Fq6::one());
        let mut k = 0u64;
        loop {
            let g = w + Fq12::from(k);
            if pow(g, &(&order / 3u8)) != Fq12::one() {
                return pow(g, &(&order / 27u8));
            }
            k += 1;
        }
    })
}

/// `c` and `s` with `c^λ = f·ωˢ`, or `None` when `f^h ≠ 1` (the pairing product is not one).
pub fn residue_witness(f: Fq12) -> Option<(Fq12, u8)> {
    let e = exponents();
    let omega = root_of_unity_27();
    let mut shifted = f;
    let mut s = 0u8;
    while pow(shifted, &e.cube_test) != Fq12::one() {
        if s == 2 {
            return None;
        }
        shifted *= omega;
        s += 1;
    }
    let x = pow(pow(shifted, &e.r_inv), &e.m_inv);
    // Cube roots of the 27-part (by search over the powers of ω) and of the rest.
    let u = pow(x, &e.three_part);
    let v = pow(x, &e.rest_part);
    let mut root_u = None;
    let mut power = Fq12::one();
    for j in 0..27u32 {
        if power == u {
            if j % 3 != 0 {
                return None;
            }
            root_u = Some(omega.pow([u64::from(j / 3)]));
            break;
        }
        power *= omega;
    }
    let c = root_u? * pow(v, &e.cube_root_rest);
    (pow(c, &e.lambda) == shifted).then_some((c, s))
}

/// The normalised line `1 + A·w + B·w³` through `T` with slope `λ`, at `P`:
/// `A = −λ·x_P/y_P`, `B = (λ·x_T − y_T)/y_P`.
pub fn line(lambda: Fq2, t: (Fq2, Fq2), x_over_y: Fq, y_inv: Fq) -> (Fq2, Fq2) {
    let a = -lambda * Fq2::new(x_over_y, Fq::zero());
    let b = (lambda * t.0 - t.1) * Fq2::new(y_inv, Fq::zero());
    (a, b)
}

/// The Fq12 element of a normalised line.
pub fn line_element(a: Fq2, b: Fq2) -> Fq12 {
    Fq12::new(
        Fq6::new(Fq2::one(), Fq2::zero(), Fq2::zero()),
        Fq6::new(a, b, Fq2::zero()),
    )
}

/// The endomorphism `ψ` (untwist, Frobenius, twist) on the twist's affine points.
pub fn psi(q: (Fq2, Fq2)) -> (Fq2, Fq2) {
    let image = crate::subgroup::psi(&G2Affine::new_unchecked(q.0, q.1));
    (image.x, image.y)
}

fn double(t: (Fq2, Fq2)) -> ((Fq2, Fq2), Fq2) {
    let lambda = t.0.square() * Fq2::from(3u8) * t.1.double().inverse().unwrap_or_default();
    (chord_end(t, lambda, t.0), lambda)
}

fn add(t: (Fq2, Fq2), q: (Fq2, Fq2)) -> ((Fq2, Fq2), Fq2) {
    let lambda = (q.1 - t.1) * (q.0 - t.0).inverse().unwrap_or_default();
    (chord_end(t, lambda, q.0), lambda)
}

fn chord_end(t: (Fq2, Fq2), lambda: Fq2, x2: Fq2) -> (Fq2, Fq2) {
    let x3 = lambda.square() - t.0 - x2;
    (x3, lambda * (t.0 - x3) - t.1)
}

/// The Miller loop of the optimal ate pairing over `pairs`, with the circuit's affine lines:
/// its final exponentiation equals arkworks' pairing product. Pairs with an identity point are
/// skipped (their pairing is one); `None` if `y_P = 0` somewhere (impossible on the curve).
pub fn miller_loop(pairs: &[(G1Affine, G2Affine)]) -> Option<Fq12> {
    // Per pair: (x_P/y_P, 1/y_P), Q and T.
    type State = ((Fq, Fq), (Fq2, Fq2), (Fq2, Fq2));
    let mut state: Vec<State> = Vec::new();
    for (p, q) in pairs {
        let (Some((xp, yp)), Some(qxy)) = (p.xy(), q.xy()) else {
            continue;
        };
        let y_inv = yp.inverse()?;
        state.push(((xp * y_inv, y_inv), qxy, qxy));
    }
    let mut f = Fq12::one();
    let digits = BnParams::ATE_LOOP_COUNT;
    for i in (0..digits.len() - 1).rev() {
        f.square_in_place();
        for (pp, q, t) in state.iter_mut() {
            let (next, lambda) = double(*t);
            let (a, b) = line(lambda, *t, pp.0, pp.1);
            f *= line_element(a, b);
            *t = next;
            let digit = digits[i];
            if digit != 0 {
                let qd = if digit > 0 { *q } else { (q.0, -q.1) };
                let (next, lambda) = add(*t, qd);
                let (a, b) = line(lambda, *t, pp.0, pp.1);
                f *= line_element(a, b);
                *t = next;
            }
        }
    }
    for (pp, q, t) in state.iter_mut() {
        let q1 = psi(*q);
        let q2 = psi(q1);
        let q2 = (q2.0, -q2.1);
        let (next, lambda) = add(*t, q1);
        let (a, b) = line(lambda, *t, pp.0, pp.1);
        f *= line_element(a, b);
        *t = next;
        let (_, lambda) = add(*t, q2);
        let (a, b) = line(lambda, *t, pp.0, pp.1);
        f *= line_element(a, b);
    }
    Some(f)
}

/// `h = (p¹² − 1)/r` test: whether `f` is the Miller loop of a pairing product equal to one.
pub fn is_one_after_final_exponentiation(f: Fq12) -> bool {
    let order = p().pow(12) - 1u8;
    let (h, rem) = order.div_rem(&r());
    rem.is_zero() && pow(f, &h).is_one()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use ark_bn254::{Bn254, G1Projective, G2Projective};
    use ark_ec::pairing::Pairing;
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn affine_miller_loop_agrees_with_arkworks_after_final_exponentiation() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        for n in 1..=3 {
            let pairs: Vec<(G1Affine, G2Affine)> = (0..n)
                .map(|_| (G1Affine::rand(&mut rng), G2Affine::rand(&mut rng)))
                .collect();
            let ours = miller_loop(&pairs).unwrap();
            let (ps, qs): (Vec<_>, Vec<_>) = pairs.iter().copied().unzip();
            let theirs = Bn254::multi_pairing(ps, qs);
            let ours =
                Bn254::final_exponentiation(ark_ec::pairing::MillerLoopOutput(ours)).unwrap();
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn residue_witness_exists_exactly_for_products_equal_to_one() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        assert_eq!(root_of_unity_27().pow([27u64]), Fq12::one());
        assert_ne!(root_of_unity_27().pow([9u64]), Fq12::one());
        for _ in 0..4 {
            // e(aG, bH)·e(−abG, H) = 1
            let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
            let g = G1Projective::generator();
            let hh = G2Projective::generator();
            let pairs = [
                ((g * a).into_affine(), (hh * b).into_affine()),
                ((-(g * (a * b))).into_affine(), hh.into_affine()),
            ];
            let f = miller_loop(&pairs).unwrap();
            assert!(is_one_after_final_exponentiation(f));
            let (c, s) = residue_witness(f).unwrap();
            let omega = root_of_unity_27();
            assert_eq!(pow(c, lambda()), f * omega.pow([u64::from(s)]));
            // A product that is not one has no witness.
            let bad = [pairs[0], (g.into_affine(), hh.into_affine())];
            let f = miller_loop(&bad).unwrap();
            assert!(!is_one_after_final_exponentiation(f));
            assert!(residue_witness(f).is_none());
        }
    }

    #[test]
    fn psi_acts_as_p_on_g2_and_satisfies_its_characteristic_polynomial() {
        use ark_ec::short_weierstrass::SWCurveConfig;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let q = G2Affine::rand(&mut rng);
        let (x, y) = psi(q.xy().unwrap());
        let p_mod_r = Fr::from(p());
        assert_eq!(G2Affine::new_unchecked(x, y), (q * p_mod_r).into_affine());
        // A point of the twist outside G2: ψ² − tψ + p = 0 still, and the Miller loop's
        // membership relation [6x+2]R + ψ(R) − ψ²(R) + ψ³(R) = 0 fails.
        let b = ark_bn254::g2::Config::COEFF_B;
        let mut k = 1u64;
        let outside = loop {
            let x = Fq2::from(k);
            if let Some(y) = (x * x * x + b).sqrt() {
                let pt = G2Affine::new_unchecked(x, y);
                if !pt.is_in_correct_subgroup_assuming_on_curve() {
                    break pt;
                }
            }
            k += 1;
        };
        let to = |xy: (Fq2, Fq2)| G2Projective::from(G2Affine::new_unchecked(xy.0, xy.1));
        let r1 = psi(outside.xy().unwrap());
        let r2 = psi(r1);
        let t = BigUint::from(6u8) * BigUint::from(seed()).pow(2) + 1u8;
        let char_poly = to(r2) - to(r1).mul_bigint(t.to_u64_digits())
            + G2Projective::from(outside).mul_bigint(p().to_u64_digits());
        assert!(char_poly.is_zero());
        let six_x_2 = 6 * u128::from(seed()) + 2;
        let relation = |pt: G2Affine| {
            let xy = pt.xy().unwrap();
            let (a, b2, c) = (psi(xy), psi(psi(xy)), psi(psi(psi(xy))));
            G2Projective::from(pt).mul_bigint([six_x_2 as u64, (six_x_2 >> 64) as u64]) + to(a)
                - to(b2)
                + to(c)
        };
        assert!(relation(q).is_zero());
        assert!(!relation(outside).is_zero());
    }
}
