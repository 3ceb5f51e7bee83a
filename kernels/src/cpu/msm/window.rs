//! Choosing the window width `c` and the affine batch size for an MSM of `n` terms.
//!
//! The cost model counts field multiplications on the critical path. A window costs `n`
//! batch-affine additions (≈ 6M each: 5M + 1S, plus one inversion, ≈ 250M, shared by the whole
//! batch) and a reduction of `2^(c-1)` buckets at two XYZZ additions each (≈ 24M per bucket). Windows run in parallel, so
//! the time is the number of rounds, `ceil(windows / threads)`, times one window's cost: with two
//! threads an odd number of windows wastes half a round, which the model sees and avoids.

/// Field multiplications per batch-affine bucket addition (5M + 1S and bookkeeping).
const ADD_COST: usize = 7;
/// One field inversion, in multiplications (arkworks' binary extended Euclid).
const INV_COST: usize = 250;
/// Field multiplications per bucket in the running-sum reduction (a mixed and a full addition).
const REDUCE_COST: usize = 24;
/// Widest window considered: `2^15` G1 buckets (2 MiB) already spill the per-core L2 cache.
const MAX_C: usize = 16;

/// The parameters of one MSM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Window width in bits.
    pub(crate) c: usize,
    /// Additions per simultaneous inversion.
    pub(crate) batch_size: usize,
}

/// Picks the window width that minimises the modelled time for `n` terms of `num_bits`-bit
/// scalars on `threads` threads.
pub(crate) fn plan(n: usize, num_bits: usize, threads: usize) -> Plan {
    let threads = threads.max(1);
    let c = (2..=MAX_C)
        .min_by_key(|&c| {
            let windows = super::window_count(num_bits, c);
            let rounds = windows.div_ceil(threads);
            let batch = batch_size(c).min(n);
            // Scaled by the batch size so the amortised inversion stays an integer.
            rounds * (n * (ADD_COST * batch + INV_COST) + (1usize << (c - 1)) * REDUCE_COST * batch)
                / batch
        })
        .unwrap_or(MAX_C);
    Plan {
        c,
        batch_size: batch_size(c),
    }
}

/// Additions per simultaneous inversion for `c`-bit windows. Larger batches amortise the
/// inversion better; smaller ones collide less often with a bucket that is already scheduled
/// (a collision only defers the point to the next batch). A quarter of the bucket count keeps
/// collisions to about one point in eight.
fn batch_size(c: usize) -> usize {
    ((1usize << (c - 1)) / 4).clamp(16, 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_grows_with_size_and_stays_in_range() {
        let mut last = 0;
        for log_n in 3..=26 {
            let p = plan(1 << log_n, 254, 2);
            assert!((2..=MAX_C).contains(&p.c));
            assert!(
                p.c >= last,
                "c must not shrink as n grows (2^{log_n}: {p:?})"
            );
            assert!(p.batch_size >= 16 && p.batch_size <= 1024);
            last = p.c;
        }
    }
}
