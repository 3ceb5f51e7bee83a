//! Extended Jacobian ("XYZZ") points for curves with `a = 0`: `(X, Y, ZZ, ZZZ)` stands for the
//! affine point `(X/ZZ, Y/ZZZ)` with `ZZ³ = ZZZ²`, and `ZZ = 0` for the identity. Formulas from
//! the Explicit-Formulas Database (`madd-2008-s`, `add-2008-s`, `dbl-2008-s-1`, `mdbl-2008-s-1`):
//! a mixed addition costs 8M + 2S, a full one 12M + 2S, with no inversions. Used for bucket
//! reduction, where additions form a chain and cannot be batched.

use ark_ec::short_weierstrass::Bucket;

use super::curve::MsmCurve;
use crate::cpu::field::FieldOps;

/// A point in XYZZ coordinates over the fast field `F`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Xyzz<F> {
    x: F,
    y: F,
    zz: F,
    zzz: F,
}

impl<F: FieldOps> Xyzz<F> {
    /// The identity.
    pub(super) const ZERO: Self = Self {
        x: F::ONE,
        y: F::ONE,
        zz: F::ZERO,
        zzz: F::ZERO,
    };

    /// Whether this is the identity.
    #[inline(always)]
    pub(super) fn is_zero(&self) -> bool {
        self.zz.is_zero()
    }

    /// `self += (x2, y2)` for an affine point that is not the identity.
    #[inline(always)]
    pub(super) fn add_affine(&mut self, x2: &F, y2: &F) {
        if self.is_zero() {
            *self = Self {
                x: *x2,
                y: *y2,
                zz: F::ONE,
                zzz: F::ONE,
            };
            return;
        }
        let u2 = x2.mul(&self.zz);
        let s2 = y2.mul(&self.zzz);
        let p = u2.sub(&self.x);
        let r = s2.sub(&self.y);
        if p.is_zero() {
            if r.is_zero() {
                *self = Self::double_affine(x2, y2);
            } else {
                *self = Self::ZERO;
            }
            return;
        }
        let pp = p.square();
        let ppp = p.mul(&pp);
        let q = self.x.mul(&pp);
        let x3 = r.square().sub(&ppp).sub(&q.double());
        let y3 = r.mul(&q.sub(&x3)).sub(&self.y.mul(&ppp));
        self.zz = self.zz.mul(&pp);
        self.zzz = self.zzz.mul(&ppp);
        self.x = x3;
        self.y = y3;
    }

    /// `self += other`.
    #[inline(always)]
    pub(super) fn add(&mut self, other: &Self) {
        if other.is_zero() {
            return;
        }
        if self.is_zero() {
            *self = *other;
            return;
        }
        let u1 = self.x.mul(&other.zz);
        let u2 = other.x.mul(&self.zz);
        let s1 = self.y.mul(&other.zzz);
        let s2 = other.y.mul(&self.zzz);
        let p = u2.sub(&u1);
        let r = s2.sub(&s1);
        if p.is_zero() {
            if r.is_zero() {
                self.double_in_place();
            } else {
                *self = Self::ZERO;
            }
            return;
        }
        let pp = p.square();
        let ppp = p.mul(&pp);
        let q = u1.mul(&pp);
        let x3 = r.square().sub(&ppp).sub(&q.double());
        let y3 = r.mul(&q.sub(&x3)).sub(&s1.mul(&ppp));
        self.zz = self.zz.mul(&other.zz).mul(&pp);
        self.zzz = self.zzz.mul(&other.zzz).mul(&ppp);
        self.x = x3;
        self.y = y3;
    }

    /// `self = 2·self`.
    #[inline(always)]
    pub(super) fn double_in_place(&mut self) {
        if self.is_zero() {
            return;
        }
        let u = self.y.double();
        let v = u.square();
        let w = u.mul(&v);
        let s = self.x.mul(&v);
        let x_sq = self.x.square();
        let m = x_sq.double().add(&x_sq);
        let x3 = m.square().sub(&s.double());
        let y3 = m.mul(&s.sub(&x3)).sub(&w.mul(&self.y));
        self.zz = v.mul(&self.zz);
        self.zzz = w.mul(&self.zzz);
        self.x = x3;
        self.y = y3;
    }

    /// `2·(x, y)` for an affine point.
    #[inline(always)]
    fn double_affine(x: &F, y: &F) -> Self {
        let u = y.double();
        let v = u.square();
        let w = u.mul(&v);
        let s = x.mul(&v);
        let x_sq = x.square();
        let m = x_sq.double().add(&x_sq);
        let x3 = m.square().sub(&s.double());
        let y3 = m.mul(&s.sub(&x3)).sub(&w.mul(y));
        Self {
            x: x3,
            y: y3,
            zz: v,
            zzz: w,
        }
    }
}

impl<F: FieldOps> Xyzz<F> {
    /// The same point as arkworks' XYZZ `Bucket` (identical coordinates).
    pub(super) fn to_ark<P: MsmCurve<F = F>>(self) -> Bucket<P> {
        if self.is_zero() {
            return Bucket::ZERO;
        }
        Bucket {
            x: P::base_to_ark(self.x),
            y: P::base_to_ark(self.y),
            zz: P::base_to_ark(self.zz),
            zzz: P::base_to_ark(self.zzz),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ark_bn254::{G1Affine, G1Projective, G2Affine, G2Projective};
    use ark_ec::short_weierstrass::{Affine, Projective};
    use ark_ec::{AdditiveGroup, CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    fn check<P: MsmCurve>(points: &[Affine<P>]) {
        let to_proj = |p: Xyzz<P::F>| Projective::<P>::from(p.to_ark::<P>());
        for a in points {
            for b in points {
                let (ax, ay) = P::coordinates(a);
                let (bx, by) = P::coordinates(b);
                // Mixed addition, including a + a (doubling) and a + (-a) (identity).
                let mut s = Xyzz::ZERO;
                s.add_affine(&ax, &ay);
                s.add_affine(&bx, &by);
                assert_eq!(to_proj(s), *a + *b);
                let mut t = Xyzz::ZERO;
                t.add_affine(&ax, &ay);
                t.add_affine(&bx, &by.neg());
                assert_eq!(to_proj(t), *a - *b);
                // Full addition of two non-trivial XYZZ points (Z ≠ 1) and doubling.
                let mut u = s;
                u.add(&t);
                assert_eq!(to_proj(u), (*a + *b) + (*a - *b));
                let mut d = s;
                d.double_in_place();
                assert_eq!(to_proj(d), (*a + *b).double());
                let mut e = s;
                e.add(&s);
                assert_eq!(to_proj(e), (*a + *b).double());
                let mut z = s;
                z.add(&Xyzz::ZERO);
                assert_eq!(to_proj(z), *a + *b);
            }
        }
    }

    #[test]
    fn xyzz_matches_arkworks_g1_and_g2() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let g1: Vec<G1Affine> = (0..12)
            .map(|_| (G1Projective::generator() * ark_bn254::Fr::rand(&mut rng)).into_affine())
            .collect();
        check(&g1);
        let g2: Vec<G2Affine> = (0..6)
            .map(|_| (G2Projective::generator() * ark_bn254::Fr::rand(&mut rng)).into_affine())
            .collect();
        check(&g2);
    }
}
