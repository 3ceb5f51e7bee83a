//! Decimation-in-frequency radix-2/4 NTT (Gentleman–Sande butterflies): natural-order input,
//! bit-reversed output, in place.
//!
//! The traversal is depth-first (the "cache-oblivious" order of Frigo et al.): a sub-problem
//! larger than [`BLOCK`] does its outer stages as streaming passes over memory, two stages per
//! pass (radix 4, so each element is loaded and stored once per two stages), and then splits
//! into independent quarters (or halves) that run in parallel. A sub-problem of at most
//! [`BLOCK`] points fits in the per-core L2 cache and finishes all its remaining stages there.
//! Every butterfly stage is one field multiplication per pair; the twiddle `ω^0 = 1` of each
//! block and the whole last stage (`h = 1`) multiply by one, so they are skipped.
//!
//! Values stay lazily reduced in `[0, 2p)` through all stages (see `Mont::mul_lazy`), which
//! saves the final subtraction of every multiplication; the last stage makes them canonical.

use rayon::prelude::*;

use super::BLOCK;
use super::twiddles::Tables;
use crate::cpu::field::Fr;

/// Sub-problems shorter than this run their streaming passes on one thread.
const PARALLEL_PASS_MIN: usize = 1 << 12;
/// Transforms of at most this many points run on one thread from start to end.
const SERIAL_MAX: usize = 1 << 11;

/// Transforms `a` (natural order) into its DFT in bit-reversed order.
pub(super) fn dif(a: &mut [Fr], t: &Tables) {
    let n = a.len();
    // Leaves are L2-sized blocks, but small transforms still split into four leaves so that
    // every thread has work.
    let leaf = if n <= SERIAL_MAX {
        n
    } else {
        (n / 4).min(BLOCK)
    };
    dif_split(a, t, n, leaf);
}

/// One sub-problem of the transform of size `n_full`: streaming passes down to `leaf` points,
/// then the leaves in parallel.
fn dif_split(a: &mut [Fr], t: &Tables, n_full: usize, leaf: usize) {
    let m = a.len();
    if m <= leaf {
        dif_in_cache(a, t);
        return;
    }
    let stride = n_full / m;
    if m >= 4 * leaf {
        radix4_pass(a, t, stride);
        let q = m / 4;
        let (left, right) = a.split_at_mut(2 * q);
        let (a0, a1) = left.split_at_mut(q);
        let (a2, a3) = right.split_at_mut(q);
        rayon::join(
            || {
                rayon::join(
                    || dif_split(a0, t, n_full, leaf),
                    || dif_split(a1, t, n_full, leaf),
                )
            },
            || {
                rayon::join(
                    || dif_split(a2, t, n_full, leaf),
                    || dif_split(a3, t, n_full, leaf),
                )
            },
        );
    } else {
        radix2_pass(a, t, stride);
        let (lo, hi) = a.split_at_mut(m / 2);
        rayon::join(
            || dif_split(lo, t, n_full, leaf),
            || dif_split(hi, t, n_full, leaf),
        );
    }
}

/// The stages `h = m/2` and `h = m/4` of a sub-problem of size `m` in one pass.
///
/// For `j < q = m/4`, the four points `x_k = a[j + kq]` become
/// `y0 = x0 + x2`, `y2 = (x0 - x2)·ω_m^j`, `y1 = x1 + x3`, `y3 = (x1 - x3)·ω_m^(j+q)`, then
/// `a[j] = y0 + y1`, `a[j+q] = (y0 - y1)·ω_m^(2j)`, `a[j+2q] = y2 + y3`, `a[j+3q] = (y2 - y3)·ω_m^(2j)`.
/// `ω_m^k` is `top[k·stride]` with `stride = n_full/m`.
fn radix4_pass(a: &mut [Fr], t: &Tables, stride: usize) {
    let q = a.len() / 4;
    let (left, right) = a.split_at_mut(2 * q);
    let (a0, a1) = left.split_at_mut(q);
    let (a2, a3) = right.split_at_mut(q);
    let chunk = (q / (4 * rayon::current_num_threads())).clamp(64, 1 << 14);
    let body = |c0: &mut [Fr], c1: &mut [Fr], c2: &mut [Fr], c3: &mut [Fr], j0: usize| {
        for i in 0..c0.len() {
            let j = j0 + i;
            let (x0, x1, x2, x3) = (c0[i], c1[i], c2[i], c3[i]);
            let y0 = x0.add_lazy(&x2);
            let y2 = x0.sub_lazy(&x2).mul_lazy(&t.top[j * stride]);
            let y1 = x1.add_lazy(&x3);
            let y3 = x1.sub_lazy(&x3).mul_lazy(&t.top[(j + q) * stride]);
            let w = &t.top[2 * j * stride];
            c0[i] = y0.add_lazy(&y1);
            c1[i] = y0.sub_lazy(&y1).mul_lazy(w);
            c2[i] = y2.add_lazy(&y3);
            c3[i] = y2.sub_lazy(&y3).mul_lazy(w);
        }
    };
    if q * 4 >= PARALLEL_PASS_MIN {
        a0.par_chunks_mut(chunk)
            .zip(a1.par_chunks_mut(chunk))
            .zip(a2.par_chunks_mut(chunk))
            .zip(a3.par_chunks_mut(chunk))
            .enumerate()
            .for_each(|(k, (((c0, c1), c2), c3))| body(c0, c1, c2, c3, k * chunk));
    } else {
        body(a0, a1, a2, a3, 0);
    }
}

/// The stage `h = m/2` of a sub-problem of size `m`: `(u, v) → (u + v, (u - v)·ω_m^j)`.
fn radix2_pass(a: &mut [Fr], t: &Tables, stride: usize) {
    let h = a.len() / 2;
    let (lo, hi) = a.split_at_mut(h);
    let chunk = (h / (4 * rayon::current_num_threads())).clamp(64, 1 << 14);
    let body = |l: &mut [Fr], r: &mut [Fr], j0: usize| {
        for (i, (u, v)) in l.iter_mut().zip(r.iter_mut()).enumerate() {
            let (x, y) = (*u, *v);
            *u = x.add_lazy(&y);
            *v = x.sub_lazy(&y).mul_lazy(&t.top[(j0 + i) * stride]);
        }
    };
    if h * 2 >= PARALLEL_PASS_MIN {
        lo.par_chunks_mut(chunk)
            .zip(hi.par_chunks_mut(chunk))
            .enumerate()
            .for_each(|(k, (l, r))| body(l, r, k * chunk));
    } else {
        body(lo, hi, 0);
    }
}

/// All stages of a sub-problem that fits in cache, with contiguous per-stage twiddles. Stages
/// go two at a time (radix 4, each element loaded and stored once per two stages); the last two
/// stages, whose twiddles are only `1` and `ω_4`, are fused into one pass over groups of four.
fn dif_in_cache(a: &mut [Fr], t: &Tables) {
    let m = a.len();
    let mut h = m / 2;
    while h >= 8 {
        // Stages h and h/2 together: for each block of 2h and j < h/2, the four points
        // a[j], a[j + h/2], a[j + h], a[j + 3h/2].
        let (w_outer, w_inner) = (t.stage(h), t.stage(h / 2));
        let q = h / 2;
        for block in a.chunks_exact_mut(2 * h) {
            let (left, right) = block.split_at_mut(h);
            let (c0, c1) = left.split_at_mut(q);
            let (c2, c3) = right.split_at_mut(q);
            for j in 0..q {
                let (x0, x1, x2, x3) = (c0[j], c1[j], c2[j], c3[j]);
                let y0 = x0.add_lazy(&x2);
                let y2 = x0.sub_lazy(&x2).mul_lazy(&w_outer[j]);
                let y1 = x1.add_lazy(&x3);
                let y3 = x1.sub_lazy(&x3).mul_lazy(&w_outer[j + q]);
                let w = &w_inner[j];
                c0[j] = y0.add_lazy(&y1);
                c1[j] = y0.sub_lazy(&y1).mul_lazy(w);
                c2[j] = y2.add_lazy(&y3);
                c3[j] = y2.sub_lazy(&y3).mul_lazy(w);
            }
        }
        h /= 4;
    }
    if h == 4 {
        // One radix-2 stage left above the final pair.
        let w = t.stage(4);
        for block in a.chunks_exact_mut(8) {
            let (lo, hi) = block.split_at_mut(4);
            for j in 0..4 {
                let (x, y) = (lo[j], hi[j]);
                lo[j] = x.add_lazy(&y);
                hi[j] = x.sub_lazy(&y).mul_lazy(&w[j]);
            }
        }
        h = 2;
    }
    if h == 2 {
        // Stages h = 2 (twiddles 1, ω_4) and h = 1 (twiddle 1) on groups of four.
        let omega4 = t.stage(2)[1];
        for g in a.chunks_exact_mut(4) {
            let (x0, x1, x2, x3) = (g[0], g[1], g[2], g[3]);
            let y0 = x0.add_lazy(&x2);
            let y2 = x0.sub_lazy(&x2);
            let y1 = x1.add_lazy(&x3);
            let y3 = x1.sub_lazy(&x3).mul_lazy(&omega4);
            // The last stage: leave canonical values behind.
            g[0] = y0.add_lazy(&y1).reduce_once();
            g[1] = y0.sub_lazy(&y1).reduce_once();
            g[2] = y2.add_lazy(&y3).reduce_once();
            g[3] = y2.sub_lazy(&y3).reduce_once();
        }
    } else if h == 1 {
        for pair in a.chunks_exact_mut(2) {
            let (x, y) = (pair[0], pair[1]);
            // The last stage: leave canonical values behind.
            pair[0] = x.add_lazy(&y).reduce_once();
            pair[1] = x.sub_lazy(&y).reduce_once();
        }
    }
}
