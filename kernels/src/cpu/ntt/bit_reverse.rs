//! The bit-reversal permutation `a[i] ↔ a[rev(i)]`, in place and in parallel.

use rayon::prelude::*;

use crate::cpu::SyncPtr;

/// Swaps every element with the one at its bit-reversed index.
pub(super) fn bit_reverse<T: Send + Sync>(a: &mut [T]) {
    let n = a.len();
    if n <= 2 {
        return;
    }
    let shift = usize::BITS - n.trailing_zeros();
    if n <= 1 << 12 {
        for i in 0..n {
            let r = i.reverse_bits() >> shift;
            if i < r {
                a.swap(i, r);
            }
        }
        return;
    }
    let ptr = SyncPtr(a.as_mut_ptr());
    (0..n).into_par_iter().with_min_len(1 << 12).for_each(|i| {
        let r = i.reverse_bits() >> shift;
        if i < r {
            // SAFETY: `i, r < n`, and the pair {i, r} is swapped only by the task holding the
            // smaller index, so no element is touched by two tasks.
            unsafe { std::ptr::swap(ptr.get().add(i), ptr.get().add(r)) };
        }
    });
}
