// Multi-scalar multiplication Σ s_i·B_i over BN254 G1 and G2: Pippenger's bucket method with
// signed-digit windows, the buckets filled by a counting sort on the GPU.
//
// Pipeline (the Rust driver in src/cuda/msm.rs launches it; every step stays on the device;
// this file holds steps 1, 3 and the segment counts, msm_sum.cu steps 4 and 5):
//  1. msm_digits: one thread per scalar. The scalar leaves Montgomery form, is cut into c-bit
//     signed digits (|d| <= 2^(c-1)), and digit w of scalar i is written to digits[w·n + i] as
//     |d| | sign << 31 (0 for a zero digit or an identity base); bucket counts grow by atomicAdd.
//  2. scan_* (scan.cu): exclusive prefix sums of the counts give each bucket's first entry.
//  3. msm_scatter: one thread per (window, scalar) places its entry in its bucket's range of
//     `sorted` (order inside a bucket is arbitrary; sums do not depend on it).
//  4. msm_accumulate_*: bucket sums in rounds. A group (bucket) of k entries is cut into
//     segments of at most S entries; one thread adds one segment in XYZZ coordinates and writes
//     a partial sum, so a huge bucket (all scalars equal, or the 0/1 scalars of a witness) is
//     spread over many threads. The partials of each group are summed the same way in the next
//     round, until each bucket has one sum, which the last round writes to a dense array.
//  5. msm_reduce_*: Σ_b b·B_b per window in levels. Level ℓ splits the m entries of each window
//     into chunks of L; one thread per chunk computes the chunk's plain sum and its weighted sum
//     by a running sum (see reduce_level), so every level has m/L-way parallelism.
//  6. The driver combines the window sums by Horner's rule on the CPU (c doublings a window).
//
// Thread mapping: 1-D grids of 256-thread blocks, one thread per scalar (1), per entry (3), per
// segment (4) or per chunk (5); no shared memory, no barriers.

struct MsmDigitsParams {
    const u32* scalars;        // n scalars, 8 words each, Montgomery form (arkworks' Fr words)
    const u32* identity_mask;  // bit i % 32 of word i / 32: base i is the identity
    u32* digits;               // windows × n packed digits
    u32* counts;               // windows × buckets entry counts (zeroed by the driver)
    u32 n;                     // terms (the stride of a digit column)
    u32 first;                 // first term handled by this launch
    u32 count;                 // terms handled by this launch
    u32 c;                     // window width in bits (2..=24)
    u32 windows;               // number of windows: 254 / c + 1
    u32 buckets;               // buckets per window: 2^(c-1) + 1 (bucket b holds |d| = b)
};

SHEAF_KERNEL(msm_digits, MsmDigitsParams) {
    const u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= p.count) return;
    const u32 i = p.first + t;
    const bool identity = ((p.identity_mask[i >> 5] >> (i & 31u)) & 1u) != 0;
    // The canonical scalar, with a zero word above it so a window may read past the top.
    u32 s[9];
    {
        const Fr v = from_montgomery(fp_load<FrParams>(p.scalars + (u64)i * 8));
#pragma unroll
        for (int k = 0; k < 8; k++) s[k] = v.l[k];
        s[8] = 0;
    }
    const u32 full = 1u << p.c;
    const u32 mask = full - 1u;
    const u32 half = 1u << (p.c - 1u);
    u32 carry = 0;
    for (u32 w = 0; w < p.windows; w++) {
        // (windows - 1)·c <= 254, so the word index is at most 7 and word + 1 at most 8.
        const u32 bit = w * p.c;
        const u32 word = bit >> 5;
        const u32 shift = bit & 31u;
        u32 bits = s[word] >> shift;
        if (shift != 0) bits |= s[word + 1] << (32u - shift);
        const u32 v = (bits & mask) + carry;
        u32 out = 0;
        if (v >= half && w + 1 < p.windows) {
            // Digit v - 2^c in [-2^(c-1), 0]; the 2^c carries into the next window.
            const u32 magnitude = full - v;
            if (magnitude != 0) out = magnitude | 0x80000000u;
            carry = 1;
        } else {
            // The top window is not recentred: its digit is at most 2^(c-1).
            out = v;
            carry = 0;
        }
        if (identity) out = 0;
        if (out != 0) atomicAdd(&p.counts[w * p.buckets + (out & 0x7fffffffu)], 1u);
        p.digits[(u64)w * p.n + i] = out;
    }
}

struct MsmScatterParams {
    const u32* digits;   // windows × n packed digits
    const u32* offsets;  // first entry of each (window, bucket) group, windows × buckets + 1
    u32* cursors;        // entries placed so far per group (zeroed by the driver)
    u32* sorted;         // entries: base index | sign << 31, grouped by (window, bucket)
    u32 n;
    u32 windows;
    u32 buckets;
    u32 pad;
};

SHEAF_KERNEL(msm_scatter, MsmScatterParams) {
    const u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (u64)p.n * p.windows) return;
    const u32 d = p.digits[idx];
    if (d == 0) return;
    const u32 w = (u32)(idx / p.n);
    const u32 i = (u32)(idx - (u64)w * p.n);
    const u32 g = w * p.buckets + (d & 0x7fffffffu);
    const u32 pos = p.offsets[g] + atomicAdd(&p.cursors[g], 1u);
    p.sorted[pos] = i | (d & 0x80000000u);
}

struct MsmSegmentsParams {
    const u32* counts;  // entries per group, groups + 1 words
    u32* segments;      // ceil(count / seg_size) per group, 0 at index groups
    u32 groups;
    u32 seg_size;
};

SHEAF_KERNEL(msm_segments, MsmSegmentsParams) {
    const u32 g = blockIdx.x * blockDim.x + threadIdx.x;
    if (g > p.groups) return;
    p.segments[g] = g < p.groups ? (p.counts[g] + p.seg_size - 1u) / p.seg_size : 0u;
}

