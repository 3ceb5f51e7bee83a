//! Subgroup membership of points taken from outside, and the endomorphism `ψ` it uses.
//!
//! G1 of BN254 has cofactor 1, so a point on the curve is in the group. The twist carrying G2
//! has the cofactor `h = 2p − r`, which has the small factor 10,069, so a point of the twist
//! must be checked one by one (a random combination of several points would let a component of
//! order 10,069 cancel with probability 1/10,069).
//!
//! The check here is `[6x+2]Q + ψ(Q) − ψ²(Q) + ψ³(Q) = O`, with `ψ` the untwist-Frobenius-twist
//! endomorphism (`ψ² − tψ + p = 0` on the whole twist). On G2, `ψ` acts as multiplication by `p`
//! and `6x+2 + p − p² + p³ ≡ 0 (mod r)`, so every point of G2 passes. Conversely, reduced with
//! `ψ² = tψ − p` the endomorphism is `a + bψ`, whose degree `N = a² + abt + b²p` is divisible by
//! `r` once and is prime to `h` (the test below recomputes both facts), so its kernel on the
//! twist's points over `Fq2` (order `r·h`) is exactly G2. The scalar `6x+2` has 65 bits (the
//! optimal-ate loop count, 22 non-zero signed digits), against the 127-bit `6x²` of arkworks'
//! check `ψ(Q) = [6x²]Q`: about half the work.

use ark_bn254::{Config as BnParams, G2Affine, G2Projective};
use ark_ec::AffineRepr;
use ark_ec::bn::BnConfig;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{AdditiveGroup, Field, Zero};

/// The endomorphism `ψ` (untwist, Frobenius, twist) of an affine point of the twist.
pub fn psi(q: &G2Affine) -> G2Affine {
    match q.xy() {
        Some((x, y)) => G2Affine::new_unchecked(
            x.frobenius_map(1) * BnParams::TWIST_MUL_BY_Q_X,
            y.frobenius_map(1) * BnParams::TWIST_MUL_BY_Q_Y,
        ),
        None => *q,
    }
}

/// Whether `q`, a point of the twist (on the curve, which this does not check), is in G2.
pub fn g2_in_subgroup(q: &G2Affine) -> bool {
    if q.is_zero() {
        return true;
    }
    let minus_q = -*q;
    // `ATE_LOOP_COUNT` is `6x+2` in signed binary, least significant digit first.
    let mut acc = G2Projective::default();
    for &digit in <BnParams as BnConfig>::ATE_LOOP_COUNT.iter().rev() {
        acc.double_in_place();
        match digit {
            1 => acc += q,
            -1 => acc += minus_q,
            _ => {}
        }
    }
    let q1 = psi(q);
    let q2 = psi(&q1);
    let q3 = psi(&q2);
    acc += q1;
    acc -= q2;
    acc += q3;
    acc.is_zero()
}

/// Subgroup membership for the points the parsers accept, assuming the point is on the curve.
pub(crate) trait InSubgroup: SWCurveConfig {
    /// Whether `p` lies in the prime-order subgroup.
    fn in_subgroup(p: &Affine<Self>) -> bool;
}

impl InSubgroup for ark_bn254::g1::Config {
    fn in_subgroup(p: &Affine<Self>) -> bool {
        // Cofactor 1: arkworks' check is the constant `true`, kept in case that ever changes.
        p.is_in_correct_subgroup_assuming_on_curve()
    }
}

impl InSubgroup for ark_bn254::g2::Config {
    fn in_subgroup(p: &Affine<Self>) -> bool {
        g2_in_subgroup(p)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use ark_bn254::{Fq2, Fr};
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::{BigInteger, PrimeField};
    use ark_std::UniformRand;
    use num_bigint::BigUint;
    use num_integer::Integer;
    use rand::SeedableRng;

    /// Points of the twist, almost all outside G2: `x = k` for the first `x` with a square root.
    fn twist_points(count: usize) -> Vec<G2Affine> {
        let b = ark_bn254::g2::Config::COEFF_B;
        let mut out = Vec::new();
        let mut k = 1u64;
        while out.len() < count {
            let x = Fq2::new(k.into(), (k * 7 + 3).into());
            if let Some(y) = (x * x * x + b).sqrt() {
                out.push(G2Affine::new_unchecked(x, y));
            }
            k += 1;
        }
        out
    }

    #[test]
    fn agrees_with_arkworks_inside_and_outside_g2() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for _ in 0..16 {
            let q = G2Affine::rand(&mut rng);
            assert!(g2_in_subgroup(&q));
        }
        assert!(g2_in_subgroup(&G2Affine::zero()));
        assert!(g2_in_subgroup(&G2Affine::generator()));
        let mut outside = 0;
        for t in twist_points(24) {
            assert!(t.is_on_curve());
            let ark = t.is_in_correct_subgroup_assuming_on_curve();
            assert_eq!(g2_in_subgroup(&t), ark, "{t}");
            outside += usize::from(!ark);
            // A G2 point plus an outside point is outside.
            let mixed = (G2Projective::generator() * Fr::from(5u8) + t).into_affine();
            assert_eq!(g2_in_subgroup(&mixed), ark);
        }
        assert!(outside >= 20, "the sample should be mostly outside G2");
    }

    /// A point of order 10,069 (a factor of the cofactor): the component that a batched check
    /// could miss is caught on its own.
    #[test]
    fn catches_a_small_order_component() {
        let (p, r) = (
            BigUint::from_bytes_le(&ark_bn254::Fq::MODULUS.to_bytes_le()),
            BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le()),
        );
        let h: BigUint = BigUint::from(2u8) * &p - &r;
        let small = BigUint::from(10_069u32);
        assert!(h.is_multiple_of(&small));
        let cofactor_part = (&h / &small) * &r;
        for t in twist_points(8) {
            let s = G2Projective::from(t).mul_bigint(cofactor_part.to_u64_digits());
            if s.is_zero() {
                continue;
            }
            let s = s.into_affine();
            assert!(s.mul_bigint([10_069u64]).is_zero());
            assert!(!g2_in_subgroup(&s));
            assert!(!s.is_in_correct_subgroup_assuming_on_curve());
            return;
        }
        panic!("no point of order 10,069 found");
    }

    /// The two facts the module's argument rests on, recomputed from `x`.
    #[test]
    fn the_degree_is_divisible_by_r_once_and_prime_to_the_cofactor() {
        let x = BigUint::from(<BnParams as BnConfig>::X[0]);
        let p = BigUint::from_bytes_le(&ark_bn254::Fq::MODULUS.to_bytes_le());
        let r = BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le());
        let t: BigUint = BigUint::from(6u8) * &x * &x + 1u8;
        // Over the integers, with signs: elements a + bψ as (a, b); ψ² = tψ − p.
        use num_bigint::BigInt;
        let (p_i, t_i) = (BigInt::from(p.clone()), BigInt::from(t.clone()));
        let mul = |(a, b): (BigInt, BigInt), (c, d): (BigInt, BigInt)| {
            (&a * &c - &b * &d * &p_i, &a * &d + &b * &c + &b * &d * &t_i)
        };
        let s = (BigInt::from(0), BigInt::from(1));
        let s2 = mul(s.clone(), s.clone());
        let s3 = mul(s2.clone(), s);
        let a: BigInt = BigInt::from(6u8) * BigInt::from(x) + 2 - &s2.0 + &s3.0;
        let b: BigInt = BigInt::from(1) - &s2.1 + &s3.1;
        let n: BigInt = &a * &a + &a * &b * &t_i + &b * &b * &p_i;
        let n = n.to_biguint().unwrap();
        let h: BigUint = BigUint::from(2u8) * &p - &r;
        assert!(n.is_multiple_of(&r));
        assert!(!n.is_multiple_of(&(&r * &r)));
        assert_eq!(n.gcd(&h), BigUint::from(1u8));
        assert_eq!(r.gcd(&h), BigUint::from(1u8));
    }
}
