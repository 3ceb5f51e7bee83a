//! Fq12 in the direct basis `1, w, …, w¹¹` with `w¹² = 18w⁶ − 82`: conversions to and from
//! arkworks' tower `((Fq2[v]/(v³ − ξ))[w]/(w² − v))`, ξ = 9 + u, and the Frobenius maps.
//!
//! With `v = w²` and `u = w⁶ − 9`, the tower coordinate `c_{i,j} = a + b·u` of `wⁱ·vʲ` (e =
//! i + 2j) contributes `a − 9b` to `wᵉ` and `b` to `wᵉ⁺⁶`, so the two bases are related by
//! small-integer matrices. The direct basis keeps a product a single polynomial product
//! (degree 22 in `w`, 23 evaluation points), which is what makes Fq12 products cheap.

use std::sync::OnceLock;

use ark_bn254::{Fq, Fq2, Fq6, Fq12};
use ark_ff::{Field, One, Zero};
use ark_relations::gr1cs::SynthesisError;

use super::ctx::Ctx;
use super::ext::{Fq2Var, Fq12Var};
use super::fq::FqVar;
use super::identity::Product;

/// Number of Fq coordinates.
pub const DEGREE: usize = 12;

/// The direct coordinates of an arkworks Fq12.
pub fn to_direct(x: &Fq12) -> [Fq; DEGREE] {
    let nine = Fq::from(9u8);
    let mut d = [Fq::zero(); DEGREE];
    for (i, half) in [x.c0, x.c1].iter().enumerate() {
        for (j, c) in [half.c0, half.c1, half.c2].iter().enumerate() {
            let e = i + 2 * j;
            d[e] = c.c0 - nine * c.c1;
            d[e + 6] = c.c1;
        }
    }
    d
}

/// The arkworks Fq12 with these direct coordinates.
pub fn from_direct(d: &[Fq]) -> Fq12 {
    let nine = Fq::from(9u8);
    let coeff = |e: usize| Fq2::new(d[e] + nine * d[e + 6], d[e + 6]);
    Fq12::new(
        Fq6::new(coeff(0), coeff(2), coeff(4)),
        Fq6::new(coeff(1), coeff(3), coeff(5)),
    )
}

/// `(w^k)^(p^power)` in direct coordinates, for `k < 12` and `power` in 1..=3.
fn frobenius_images(power: usize) -> &'static [[Fq; DEGREE]; DEGREE] {
    static TABLES: OnceLock<Vec<[[Fq; DEGREE]; DEGREE]>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        (0..=3)
            .map(|pw| {
                std::array::from_fn(|k| {
                    let mut basis = [Fq::zero(); DEGREE];
                    basis[k] = Fq::one();
                    let mut x = from_direct(&basis);
                    x.frobenius_map_in_place(pw);
                    to_direct(&x)
                })
            })
            .collect()
    });
    &tables[power.min(3)]
}

impl Fq12Var {
    /// One.
    pub fn one() -> Self {
        Self::constant(Fq12::one())
    }

    /// The element `Σₑ cₑ·wᵉ` for Fq2 coefficients `cₑ` (`e < 6`, `None` for zero), converted to
    /// the direct basis (no constraints).
    pub fn from_fq2_coeffs(coeffs: &[Option<Fq2Var>; 6]) -> Self {
        let mut d = vec![FqVar::zero(); DEGREE];
        for (e, c) in coeffs.iter().enumerate() {
            if let Some(c) = c {
                d[e] = c.c0().sub(&c.c1().scale(9));
                d[e + 6] = c.c1().clone();
            }
        }
        Self::from_coords(d)
    }

    /// `self^(p^power)` for `power` in 1..=3: a linear map with Fq constants, reduced once per
    /// coordinate (no evaluations).
    pub fn frobenius(&self, ctx: &Ctx, power: usize) -> Result<Self, SynthesisError> {
        let images = frobenius_images(power);
        let constants: Vec<Fq12Var> = images
            .iter()
            .map(|img| Fq12Var::from_coords(img.iter().map(|c| FqVar::constant(*c)).collect()))
            .collect();
        let products: Vec<Product<'_>> = self
            .coords()
            .iter()
            .zip(&constants)
            .filter(|(x, _)| !x.is_zero_constant())
            .map(|(x, c)| Product::new(1, vec![std::slice::from_ref(x), c.coords()]))
            .collect();
        Self::sum(ctx, &products, &[])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    #[test]
    fn direct_basis_round_trips_and_multiplies_like_arkworks() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        for _ in 0..20 {
            let (a, b) = (Fq12::rand(&mut rng), Fq12::rand(&mut rng));
            assert_eq!(from_direct(&to_direct(&a)), a);
            // Multiply the direct polynomials modulo w¹² − 18w⁶ + 82.
            let (x, y) = (to_direct(&a), to_direct(&b));
            let mut prod = [Fq::zero(); 23];
            for i in 0..12 {
                for j in 0..12 {
                    prod[i + j] += x[i] * y[j];
                }
            }
            for m in (12..23).rev() {
                let top = prod[m];
                prod[m - 6] += Fq::from(18u8) * top;
                prod[m - 12] -= Fq::from(82u8) * top;
                prod[m] = Fq::zero();
            }
            assert_eq!(from_direct(&prod[..12]), a * b);
        }
    }
}
