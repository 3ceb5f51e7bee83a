//! The witness map: from `A·z`, `B·z`, `C·z` on the domain to the coefficients of
//! `H(X) = (A(X)·B(X) − C(X))/Z(X)`, with every transform on a sheaf-kernels backend.
//!
//! Seven transforms of the domain size: three inverse NTTs to coefficients, three coset NTTs to
//! evaluations on `g·⟨ω⟩` (where `Z` is the non-zero constant `gⁿ − 1`), one inverse coset NTT.

use ark_bn254::Fr;
use ark_ff::{FftField, Field, One};
use rayon::prelude::*;
use sheaf_kernels::Ntt;

use super::ProverError;

/// Returns the `n − 1` coefficients of `H` from the three evaluation vectors of length `n`.
pub fn quotient<K: Ntt<Fr> + ?Sized>(
    backend: &K,
    evals: [Vec<Fr>; 3],
) -> Result<Vec<Fr>, ProverError> {
    let [mut a, mut b, mut c] = evals;
    let n = a.len();
    let shift = Fr::GENERATOR;
    for v in [&mut a, &mut b, &mut c] {
        backend.intt(v)?;
        backend.coset_ntt(v, shift)?;
    }
    let z_inv = (shift.pow([n as u64]) - Fr::one())
        .inverse()
        .ok_or_else(|| ProverError::Shape("the coset shift lies in the domain".into()))?;
    a.par_iter_mut()
        .zip(b.par_iter())
        .zip(c.par_iter())
        .for_each(|((a, b), c)| *a = (*a * b - c) * z_inv);
    drop((b, c));
    backend.coset_intt(&mut a, shift)?;
    // deg(A·B − C) ≤ 2n − 2, so deg H ≤ n − 2: the top coefficient vanishes whenever every
    // constraint holds, which `R1cs::evaluate` has checked.
    if a.pop().is_some_and(|top| top != Fr::from(0u64)) {
        return Err(ProverError::Shape(
            "the quotient has degree n − 1: the evaluations do not satisfy the constraints".into(),
        ));
    }
    Ok(a)
}
