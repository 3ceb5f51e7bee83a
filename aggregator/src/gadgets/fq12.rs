//! Emulated Fq12 = Fq6(w) with w² = v, the pairing's target field, as twelve Fq coordinates.
//!
//! Coordinates are ordered as arkworks nests them (`c0.c0.c0, c0.c0.c1, c0.c1.c0, …, c1.c2.c1`,
//! index `6·i₁₂ + 2·i₆ + i₂`). A product computes each output coordinate as one reduced sum of
//! the 144 coordinate products `aᵢbⱼ` with the small integer coefficients of the basis
//! multiplication table, which is read off arkworks' own Fq12 arithmetic (so it cannot drift
//! from the native tower) and shared through a [`ProductTable`].

use std::sync::OnceLock;

use ark_bn254::{Fq, Fq2, Fq6, Fq12, Fr};
use ark_ff::{One, PrimeField, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use num_bigint::BigUint;

use super::fq::{FqVar, ProductTable, Term};

/// Number of Fq coordinates.
pub const DEGREE: usize = 12;

/// An emulated Fq12 element.
#[derive(Clone, Debug)]
pub struct Fq12Var {
    /// The coordinates over Fq, in arkworks' nesting order.
    pub coords: Vec<FqVar>,
}

fn to_coords(x: &Fq12) -> [Fq; DEGREE] {
    let fq6 = |c: &Fq6| [c.c0.c0, c.c0.c1, c.c1.c0, c.c1.c1, c.c2.c0, c.c2.c1];
    let (lo, hi) = (fq6(&x.c0), fq6(&x.c1));
    std::array::from_fn(|i| if i < 6 { lo[i] } else { hi[i - 6] })
}

fn from_coords(c: &[Fq]) -> Fq12 {
    let fq6 = |c: &[Fq]| {
        Fq6::new(
            Fq2::new(c[0], c[1]),
            Fq2::new(c[2], c[3]),
            Fq2::new(c[4], c[5]),
        )
    };
    Fq12::new(fq6(&c[..6]), fq6(&c[6..]))
}

/// A small signed integer from its Fq image, if it is one (|x| < 2³²).
fn small(x: Fq) -> Option<i64> {
    let p: BigUint = Fq::MODULUS.into();
    let v: BigUint = x.into_bigint().into();
    let bound = BigUint::from(1u64 << 32);
    if v < bound {
        i64::try_from(v).ok()
    } else if &p - &v < bound {
        i64::try_from(&p - &v).ok().map(|m| -m)
    } else {
        None
    }
}

/// `table[i][j]` lists `(k, m)`: the basis product `eᵢ·eⱼ` has coordinate `m` at `k`.
type MulTable = Vec<Vec<Vec<(usize, i64)>>>;

fn multiplication_table() -> &'static MulTable {
    static TABLE: OnceLock<MulTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let basis = |i: usize| {
            let mut c = [Fq::zero(); DEGREE];
            c[i] = Fq::one();
            from_coords(&c)
        };
        (0..DEGREE)
            .map(|i| {
                (0..DEGREE)
                    .map(|j| {
                        to_coords(&(basis(i) * basis(j)))
                            .iter()
                            .enumerate()
                            .filter(|(_, x)| !x.is_zero())
                            // BN254's tower constants are 1 and 9 + u: every entry is small.
                            .map(|(k, x)| (k, small(*x).unwrap_or(0)))
                            .collect()
                    })
                    .collect()
            })
            .collect()
    })
}

impl Fq12Var {
    /// Allocates `value` as a witness.
    pub fn witness(
        cs: &ConstraintSystemRef<Fr>,
        value: Option<Fq12>,
    ) -> Result<Self, SynthesisError> {
        let coords = value.map(|v| to_coords(&v));
        Ok(Self {
            coords: (0..DEGREE)
                .map(|i| FqVar::witness(cs, coords.map(|c| c[i])))
                .collect::<Result<_, _>>()?,
        })
    }

    /// A constant.
    pub fn constant(value: Fq12) -> Self {
        Self {
            coords: to_coords(&value)
                .iter()
                .map(|c| FqVar::constant(*c))
                .collect(),
        }
    }

    /// The value, when the witness is known.
    pub fn value(&self) -> Option<Fq12> {
        let c: Option<Vec<Fq>> = self.coords.iter().map(FqVar::value).collect();
        c.map(|c| from_coords(&c))
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        Self {
            coords: self
                .coords
                .iter()
                .zip(&other.coords)
                .map(|(a, b)| a.add(b))
                .collect(),
        }
    }

    /// `self − other`.
    pub fn sub(&self, other: &Self) -> Self {
        Self {
            coords: self
                .coords
                .iter()
                .zip(&other.coords)
                .map(|(a, b)| a.sub(b))
                .collect(),
        }
    }

    /// `self · other`: twelve reductions over 144 shared pair evaluations.
    pub fn mul(&self, cs: &ConstraintSystemRef<Fr>, other: &Self) -> Result<Self, SynthesisError> {
        let table = multiplication_table();
        let mut terms: Vec<Vec<Term<'_>>> = vec![Vec::new(); DEGREE];
        for (i, a) in self.coords.iter().enumerate() {
            for (j, b) in other.coords.iter().enumerate() {
                for &(k, m) in &table[i][j] {
                    if m == 0 {
                        return Err(SynthesisError::Unsatisfiable);
                    }
                    terms[k].push((a, b, m));
                }
            }
        }
        let mut products = ProductTable::new();
        Ok(Self {
            coords: terms
                .iter()
                .map(|t| FqVar::linear_combination_of_products(cs, t, Some(&mut products)))
                .collect::<Result<_, _>>()?,
        })
    }

    /// `self²`.
    pub fn square(&self, cs: &ConstraintSystemRef<Fr>) -> Result<Self, SynthesisError> {
        self.mul(cs, self)
    }

    /// Enforces `self = other`.
    pub fn enforce_equal(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        other: &Self,
    ) -> Result<(), SynthesisError> {
        for (x, y) in self.coords.iter().zip(&other.coords) {
            x.enforce_equal(cs, y)?;
        }
        Ok(())
    }
}
