//! The CPU NTT: one decimation-in-frequency kernel ([`dif`]) serves both directions, since the
//! inverse DFT is the DFT with `ω^(-1)` followed by a `1/n` scaling. Each transform is
//! `[scale by g^j] → DIF → bit-reversal → [scale by n^(-1)·g^(-j)]`.

mod bit_reverse;
mod dif;
mod twiddles;

use ark_ff::Field;
use rayon::prelude::*;

use crate::NttDirection;
use crate::cpu::field::{FieldOps, Fr, as_mont_slice};
pub(crate) use twiddles::TwiddleCache;

/// Points per in-cache block: 2^14 Fr elements are 512 KiB, half of one core's L2 cache, which
/// leaves room for the block's twiddles.
pub(crate) const BLOCK: usize = 1 << 14;

/// Transforms `values` (a power-of-two length, already validated) in place.
pub(crate) fn transform(
    cache: &TwiddleCache,
    values: &mut [ark_bn254::Fr],
    direction: NttDirection,
    coset_shift: Option<ark_bn254::Fr>,
) {
    let n = values.len();
    if n <= 1 {
        // One point: every transform, coset or not, is the identity.
        return;
    }
    let log_n = n.trailing_zeros();
    let a = as_mont_slice(values);
    if let (NttDirection::Forward, Some(g)) = (direction, coset_shift) {
        scale_by_powers(a, Fr::ONE, Fr::from_ark(&g));
    }
    let tables = cache.get(log_n, direction);
    dif::dif(a, &tables);
    bit_reverse::bit_reverse(a);
    if direction == NttDirection::Inverse {
        let n_inv = Fr::from_ark(&ark_bn254::Fr::from(n as u64).inverse().unwrap_or_default());
        let g_inv = coset_shift.map_or(Fr::ONE, |g| Fr::from_ark(&g.inverse().unwrap_or_default()));
        scale_by_powers(a, n_inv, g_inv);
    }
}

/// `a[j] *= c · x^j` (with `x = 1`, a plain scaling by `c`).
pub(super) fn scale_by_powers(a: &mut [Fr], c: Fr, x: Fr) {
    const CHUNK: usize = 1 << 12;
    let x_ark = x.to_ark();
    let scale = |k: usize, chunk: &mut [Fr]| {
        let mut p = c.mul(&Fr::from_ark(&x_ark.pow([(k * CHUNK) as u64])));
        for v in chunk {
            *v = v.mul(&p);
            p = p.mul(&x);
        }
    };
    if a.len() <= CHUNK {
        scale(0, a);
    } else {
        a.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(k, chunk)| scale(k, chunk));
    }
}
