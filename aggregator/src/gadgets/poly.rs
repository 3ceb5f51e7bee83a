//! The polynomial bookkeeping behind every emulated product: evaluation points and their
//! interpolation matrices over Fr, and the towers `Fq[Y]/(M(Y))` in which extension elements
//! are polynomials in `Y` (see [`super::identity`] for how they are used).

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{Field, One, Zero};

/// Most evaluation points any product uses (the largest grid axis).
pub const MAX_POINTS: usize = 48;

/// The `i`-th evaluation point: 0, 1, −1, 2, −2, … (any distinct values would do).
pub fn point(i: usize) -> Fr {
    let k = Fr::from(i.div_ceil(2) as u64);
    if i % 2 == 1 { k } else { -k }
}

/// `inverse_vandermonde(n)[m][a]`: the coefficient of `X^m` of a polynomial of degree below
/// `n` is `Σₐ M[m][a]·P(point(a))`.
pub fn inverse_vandermonde(n: usize) -> &'static [Vec<Fr>] {
    static TABLES: OnceLock<Vec<Vec<Vec<Fr>>>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| (0..=MAX_POINTS).map(lagrange_coefficients).collect());
    &tables[n.min(MAX_POINTS)]
}

/// Column `a` holds the coefficients of the Lagrange basis polynomial of point `a`.
fn lagrange_coefficients(n: usize) -> Vec<Vec<Fr>> {
    let xs: Vec<Fr> = (0..n).map(point).collect();
    let mut out = vec![vec![Fr::zero(); n]; n];
    for a in 0..n {
        // Π_{j≠a} (X − x_j) / (x_a − x_j), built coefficient by coefficient.
        let mut poly = vec![Fr::one()];
        let mut denom = Fr::one();
        for (j, &xj) in xs.iter().enumerate() {
            if j == a {
                continue;
            }
            let mut next = vec![Fr::zero(); poly.len() + 1];
            for (k, &c) in poly.iter().enumerate() {
                next[k + 1] += c;
                next[k] -= c * xj;
            }
            poly = next;
            denom *= xs[a] - xj;
        }
        let inv = denom.inverse().unwrap_or_default();
        for (m, c) in poly.into_iter().enumerate() {
            out[m][a] = c * inv;
        }
    }
    out
}

/// `Σ cᵢ·xⁱ`.
pub fn horner(coeffs: &[Fr], x: Fr) -> Fr {
    coeffs.iter().rev().fold(Fr::zero(), |acc, c| acc * x + c)
}

/// A field `Fq[Y]/(M(Y))` with a monic `M` of small integer coefficients, elements written in
/// the basis `1, Y, …, Y^(d−1)`.
#[derive(Debug)]
pub struct Tower {
    /// `d`, the degree of `M`.
    pub degree: usize,
    /// The name, for error messages.
    pub name: &'static str,
    /// `reduce[m][k]`: the coefficient of `Y^k` in `Y^m mod M(Y)`.
    reduce: Vec<Vec<i64>>,
}

/// Highest power of `Y` any product reaches (three factors of degree 11 and a multiplier).
const MAX_Y_POWER: usize = 40;

impl Tower {
    fn new(name: &'static str, degree: usize, low: &[(usize, i64)]) -> Self {
        // Y^d = −Σ m_k Y^k.
        let mut reduce: Vec<Vec<i64>> = Vec::with_capacity(MAX_Y_POWER + 1);
        for m in 0..=MAX_Y_POWER {
            let mut row = vec![0i64; degree];
            if m < degree {
                row[m] = 1;
            } else {
                // Y^m = Y · Y^(m−1).
                let prev = &reduce[m - 1];
                let top = prev[degree - 1];
                for k in (1..degree).rev() {
                    row[k] = prev[k - 1];
                }
                row[0] = 0;
                for &(k, c) in low {
                    row[k] -= c * top;
                }
            }
            reduce.push(row);
        }
        Self {
            degree,
            name,
            reduce,
        }
    }

    /// The coefficients of `Y^m mod M(Y)`.
    pub fn reduction(&self, m: usize) -> &[i64] {
        &self.reduce[m.min(MAX_Y_POWER)]
    }

    /// Highest supported power of `Y` in an unreduced product.
    pub fn max_power(&self) -> usize {
        MAX_Y_POWER
    }
}

/// BN254 Fq itself (`d = 1`).
pub fn fq() -> &'static Tower {
    static T: OnceLock<Tower> = OnceLock::new();
    T.get_or_init(|| Tower::new("Fq", 1, &[]))
}

/// Fq2 = Fq[u]/(u² + 1).
pub fn fq2() -> &'static Tower {
    static T: OnceLock<Tower> = OnceLock::new();
    T.get_or_init(|| Tower::new("Fq2", 2, &[(0, 1)]))
}

/// Fq12 = Fq[w]/(w¹² − 18w⁶ + 82), BN254's target field written over Fq directly: with
/// `u = w⁶ − 9` it is arkworks' tower `Fq2[v]/(v³ − (9 + u))[w]/(w² − v)`.
pub fn fq12() -> &'static Tower {
    static T: OnceLock<Tower> = OnceLock::new();
    T.get_or_init(|| Tower::new("Fq12", 12, &[(0, 82), (6, -18)]))
}
