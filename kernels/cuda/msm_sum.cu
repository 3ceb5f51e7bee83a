// MSM bucket sums and bucket reduction (steps 4 and 5 of the pipeline described in
// msm_sort.cu), generic over the curve: F = Fq for G1, Fq2 for G2.
//
// Thread mapping: 1-D grids of 256-thread blocks, one thread per segment (accumulate) or per
// chunk (reduce); no shared memory, no barriers.

struct MsmAccumulateParams {
    const u32* bases;        // affine bases (first round): x then y, 2·WORDS words each
    const u32* sorted;       // first round: entries grouped by bucket
    const u32* points;       // later rounds: XYZZ partial sums grouped by bucket
    const u32* counts;       // entries per group
    const u32* in_offsets;   // first entry of each group (groups + 1)
    const u32* seg_offsets;  // first output segment of each group (groups + 1)
    u32* out;                // one XYZZ partial sum per segment (or per group if dense_out)
    u32 groups;
    u32 seg_size;
    u32 max_segments;        // threads launched (an upper bound of the segments)
    u32 dense_out;           // 1 in the last round: write the sum of group g at index g
};

// The group g with seg_offsets[g] <= k < seg_offsets[g + 1], for k below the total.
DEVICE u32 find_group(const u32* offsets, u32 groups, u32 k) {
    u32 lo = 0;
    u32 hi = groups;
    while (hi - lo > 1u) {
        const u32 mid = (lo + hi) >> 1;
        if (offsets[mid] <= k) lo = mid;
        else hi = mid;
    }
    return lo;
}

// The entry range [begin, end) of the segment thread k sums, and its group; false if k is
// past the last segment.
DEVICE bool segment_of(const MsmAccumulateParams& p, u32 k, u32& g, u32& begin, u32& end) {
    if (k >= p.max_segments || k >= p.seg_offsets[p.groups]) return false;
    g = find_group(p.seg_offsets, p.groups, k);
    const u32 first = p.in_offsets[g];
    const u32 last = first + p.counts[g];
    begin = first + (k - p.seg_offsets[g]) * p.seg_size;
    end = begin + p.seg_size < last ? begin + p.seg_size : last;
    return true;
}

template <class F>
DEVICE void accumulate_affine(const MsmAccumulateParams& p) {
    const u32 w = FieldOf<F>::WORDS;
    const u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    u32 g, begin, end;
    if (!segment_of(p, k, g, begin, end)) return;
    Xyzz<F> acc = xyzz_zero<F>();
    for (u32 e = begin; e < end; e++) {
        const u32 entry = p.sorted[e];
        const Affine<F> b = affine_load<F>(p.bases + (u64)(entry & 0x7fffffffu) * 2u * w);
        const F y = (entry >> 31) != 0 ? neg(b.y) : b.y;
        acc = xyzz_add_affine(acc, b.x, y);
    }
    xyzz_store(p.out + (u64)(p.dense_out != 0 ? g : k) * 4u * w, acc);
}

template <class F>
DEVICE void accumulate_xyzz(const MsmAccumulateParams& p) {
    const u32 w = FieldOf<F>::WORDS;
    const u32 k = blockIdx.x * blockDim.x + threadIdx.x;
    u32 g, begin, end;
    if (!segment_of(p, k, g, begin, end)) return;
    Xyzz<F> acc = xyzz_zero<F>();
    for (u32 e = begin; e < end; e++) {
        acc = xyzz_add(acc, xyzz_load<F>(p.points + (u64)e * 4u * w));
    }
    xyzz_store(p.out + (u64)(p.dense_out != 0 ? g : k) * 4u * w, acc);
}


// One level of the bucket reduction. Each window holds m_in entries A_j and (after the first
// level) C_j standing for the value M·Σ_j j·A_j + Σ_j C_j, with M = 2^doublings. Thread (w, i)
// takes the chunk j = i·L + k, k < L, and writes
//   A'_i = Σ_k A_{iL+k}              (by a running sum from the top, k = L-1 down to 0)
//   C'_i = M·Σ_k k·A_{iL+k} + Σ_k C_{iL+k}   (Σ_k k·A_k is the sum of the running sums above k = 0)
// so that the value is M·L·Σ_i i·A'_i + Σ_i C'_i: the same form over ceil(m_in / L) entries.
// The first level reads the dense bucket sums (A_j = bucket j, no C); at one entry the value is
// C'_0, the window's Σ_b b·B_b.
struct MsmReduceParams {
    const u32* a_in;   // windows × m_in XYZZ points
    const u32* c_in;   // windows × m_in XYZZ points, or null on the first level
    u32* a_out;        // windows × m_out
    u32* c_out;        // windows × m_out
    u32 windows;
    u32 m_in;
    u32 m_out;         // ceil(m_in / chunk)
    u32 chunk;         // L
    u32 doublings;     // log2 M
    u32 pad;
};

template <class F>
DEVICE void reduce_level(const MsmReduceParams& p) {
    const u32 words = 4u * FieldOf<F>::WORDS;
    const u32 t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= p.windows * p.m_out) return;
    const u32 w = t / p.m_out;
    const u32 i = t - w * p.m_out;
    const u32* a = p.a_in + (u64)w * p.m_in * words;
    const u32 base = i * p.chunk;
    Xyzz<F> run = xyzz_zero<F>();
    Xyzz<F> acc = xyzz_zero<F>();
    for (u32 k = p.chunk - 1u; k >= 1u; k--) {
        if (base + k < p.m_in) run = xyzz_add(run, xyzz_load<F>(a + (u64)(base + k) * words));
        acc = xyzz_add(acc, run);
    }
    run = xyzz_add(run, xyzz_load<F>(a + (u64)base * words));
    for (u32 d = 0; d < p.doublings; d++) acc = xyzz_double(acc);
    if (p.c_in != 0) {
        const u32* c = p.c_in + (u64)w * p.m_in * words;
        for (u32 k = 0; k < p.chunk && base + k < p.m_in; k++) {
            acc = xyzz_add(acc, xyzz_load<F>(c + (u64)(base + k) * words));
        }
    }
    xyzz_store(p.a_out + (u64)t * words, run);
    xyzz_store(p.c_out + (u64)t * words, acc);
}

// The per-curve kernels. NVRTC compiles G1 and G2 as separate programs (SHEAF_CURVE_G1 or
// SHEAF_CURVE_G2), so an MSM over one curve never waits for the other's code; the emulator
// builds both.
#if defined(SHEAF_CURVE_G1) || defined(SHEAF_EMULATE)
SHEAF_KERNEL(msm_accumulate_affine_g1, MsmAccumulateParams) { accumulate_affine<Fq>(p); }
SHEAF_KERNEL(msm_accumulate_xyzz_g1, MsmAccumulateParams) { accumulate_xyzz<Fq>(p); }
SHEAF_KERNEL(msm_reduce_g1, MsmReduceParams) { reduce_level<Fq>(p); }
#endif
#if defined(SHEAF_CURVE_G2) || defined(SHEAF_EMULATE)
SHEAF_KERNEL(msm_accumulate_affine_g2, MsmAccumulateParams) { accumulate_affine<Fq2>(p); }
SHEAF_KERNEL(msm_accumulate_xyzz_g2, MsmAccumulateParams) { accumulate_xyzz<Fq2>(p); }
SHEAF_KERNEL(msm_reduce_g2, MsmReduceParams) { reduce_level<Fq2>(p); }
#endif
