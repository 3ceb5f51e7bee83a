// Number-theoretic transform over BN254 Fr: radix-2 decimation in frequency (Gentleman–Sande),
// natural order in, bit-reversed order out of the passes, then one gather into natural order.
//
// The log_n stages are split into passes of at most NTT_MAX_LOG stages (2^26 points: three
// passes). A pass that starts at stage s0 with P stages works on groups of 2^P points that
// differ only in index bits [low, low + P), low = log_n - s0 - P: point m of group (hi, lo) has
// index hi·2^(log_n - s0) + m·2^low + lo. One block of 2^(P-1) threads loads its group into
// shared memory (each thread two points), runs all P stages there, one butterfly per thread per
// stage, and writes the group back: each point crosses device memory once per pass.
//
// Twiddles. At stage s the butterfly on index i multiplies by ω_n^((i mod h)·2^s), h = 2^(log_n-1-s).
// Inside a group this is ω_{2^(t+1)}^(m mod 2^t) · ω_n^(lo·2^s) with t = log_n - 1 - s - low:
// the first factor comes from one small table for every size (stage_roots: the powers of the
// 2^(t+1)-th roots, t < NTT_MAX_LOG, 32 KiB), the second is one value per group and stage,
// g_s = g_{s0}^(2^(s - s0)), with g_{s0} read from a two-level (windowed) table of ω_n powers:
// ω_n^e = tw_lo[e mod 2^a] · tw_hi[e >> a]. Before each stage the block multiplies the 2^t
// stage roots by g_s into shared memory, so a butterfly costs one multiplication; groups with
// lo = 0 (every group of the last pass) skip that.
//
// Shared memory: the group as 8 word planes x[word][m] (consecutive threads hit consecutive
// banks) and the stage's twiddles, 32 + 16 KiB at 2^10 points.
//
// Batches: blockIdx.y selects the transform, batch_stride elements apart.

#define NTT_MAX_LOG 10u

struct NttPassParams {
    u32* data;                // batch × n elements, 8 words each, transformed in place
    const u32* stage_roots;   // ω_{2^(t+1)}^x for x < 2^t at element 2^t - 1, t < NTT_MAX_LOG
    const u32* tw_lo;         // ω_n^e for e < 2^tw_split
    const u32* tw_hi;         // ω_n^(e·2^tw_split)
    const u32* coset_lo;      // g^j for j < 2^coset_split (used when coset != 0)
    const u32* coset_hi;      // g^(j·2^coset_split)
    u64 batch_stride;         // elements between consecutive transforms
    u32 log_n;
    u32 first_stage;          // s0
    u32 stages;               // P (1..=NTT_MAX_LOG); blockDim.x = 2^(P-1)
    u32 tw_split;
    u32 coset_split;
    u32 coset;                // 1: multiply point i by g^i on load (first pass of a coset NTT)
};

DEVICE Fr fr_from_planes(u32 planes[8][1u << NTT_MAX_LOG], u32 m) {
    Fr v;
#pragma unroll
    for (int l = 0; l < 8; l++) v.l[l] = planes[l][m];
    return v;
}

DEVICE void fr_to_planes(u32 planes[8][1u << NTT_MAX_LOG], u32 m, const Fr& v) {
#pragma unroll
    for (int l = 0; l < 8; l++) planes[l][m] = v.l[l];
}

// x^e from a two-level table: lo[e mod 2^split] · hi[e >> split].
DEVICE Fr windowed_power(const u32* lo, const u32* hi, u32 split, u64 e) {
    const u64 mask = (1ull << split) - 1ull;
    return mul(fp_load<FrParams>(lo + (e & mask) * 8), fp_load<FrParams>(hi + (e >> split) * 8));
}

SHEAF_KERNEL_SYNC(ntt_pass, NttPassParams) {
    __shared__ u32 x[8][1u << NTT_MAX_LOG];
    __shared__ u32 tw[8][1u << (NTT_MAX_LOG - 1u)];
    const u32 tid = threadIdx.x;
    const u32 half = 1u << (p.stages - 1u);
    const u32 low = p.log_n - p.first_stage - p.stages;
    const u32 lo = blockIdx.x & ((1u << low) - 1u);
    const u64 hi = (u64)(blockIdx.x >> low);
    u32* data = p.data + (u64)blockIdx.y * p.batch_stride * 8u;

    for (u32 r = 0; r < 2; r++) {
        const u32 m = tid + r * half;
        const u64 i = (hi << (p.log_n - p.first_stage)) + ((u64)m << low) + lo;
        Fr v = fp_load<FrParams>(data + i * 8u);
        if (p.coset != 0) v = mul(v, windowed_power(p.coset_lo, p.coset_hi, p.coset_split, i));
        fr_to_planes(x, m, v);
    }

    const bool plain = lo == 0;
    Fr g = fp_one<FrParams>();
    if (!plain) g = windowed_power(p.tw_lo, p.tw_hi, p.tw_split, (u64)lo << p.first_stage);

    for (u32 st = 0; st < p.stages; st++) {
        const u32 t = p.stages - 1u - st;
        const u32 h = 1u << t;
        if (tid < h) {
            Fr w = fp_load<FrParams>(p.stage_roots + (u64)(h - 1u + tid) * 8u);
            if (!plain) w = mul(w, g);
#pragma unroll
            for (int l = 0; l < 8; l++) tw[l][tid] = w.l[l];
        }
        __syncthreads();
        const u32 j = tid & (h - 1u);
        const u32 m0 = ((tid >> t) << (t + 1u)) + j;
        const u32 m1 = m0 + h;
        const Fr u = fr_from_planes(x, m0);
        const Fr v = fr_from_planes(x, m1);
        Fr w;
#pragma unroll
        for (int l = 0; l < 8; l++) w.l[l] = tw[l][j];
        fr_to_planes(x, m0, add(u, v));
        fr_to_planes(x, m1, mul(sub(u, v), w));
        __syncthreads();
        if (!plain) g = sqr(g);
    }

    for (u32 r = 0; r < 2; r++) {
        const u32 m = tid + r * half;
        const u64 i = (hi << (p.log_n - p.first_stage)) + ((u64)m << low) + lo;
        fp_store(data + i * 8u, fr_from_planes(x, m));
    }
}

// The last step: output[j] = input[bitreverse(j)] · scale(j), one thread per output point,
// with scale(j) = scale_lo[j mod 2^split] · scale_hi[j >> split] when scale != 0 (the inverse
// transform's n^(-1)·g^(-j)).
struct NttFinishParams {
    const u32* input;
    u32* output;
    const u32* scale_lo;
    const u32* scale_hi;
    u64 batch_stride;
    u32 log_n;
    u32 scale;
    u32 scale_split;
    u32 pad;
};

SHEAF_KERNEL(ntt_finish, NttFinishParams) {
    const u32 j = blockIdx.x * blockDim.x + threadIdx.x;
    if ((u64)j >= (1ull << p.log_n)) return;
    const u64 offset = (u64)blockIdx.y * p.batch_stride * 8u;
    const u32 src = bit_reverse_bits(j, p.log_n);
    Fr v = fp_load<FrParams>(p.input + offset + (u64)src * 8u);
    if (p.scale != 0) v = mul(v, windowed_power(p.scale_lo, p.scale_hi, p.scale_split, j));
    fp_store(p.output + offset + (u64)j * 8u, v);
}
