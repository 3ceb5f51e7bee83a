// Exclusive prefix sums of u32 arrays (the counting sort's bucket offsets and the MSM's segment
// offsets), Hillis–Steele within a block (Hillis and Steele, "Data parallel algorithms", 1986).
//
// Thread mapping: blocks of SCAN_THREADS threads; thread t of block b owns the SCAN_PER_THREAD
// consecutive elements from b·SCAN_BLOCK + t·SCAN_PER_THREAD. scan_blocks writes each element's
// prefix within its block and, when there is more than one block, each block's total; the
// driver scans the totals the same way (recursively) and scan_add adds them back.

#define SCAN_THREADS 1024u
#define SCAN_PER_THREAD 4u
#define SCAN_BLOCK (SCAN_THREADS * SCAN_PER_THREAD)

struct ScanParams {
    const u32* input;
    u32* output;      // out of place: the exclusive prefix sums
    u32* block_sums;  // one total per block, or null for a single block
    u32 len;
    u32 pad;
};

SHEAF_KERNEL_SYNC(scan_blocks, ScanParams) {
    __shared__ u32 sums[SCAN_THREADS];
    const u32 tid = threadIdx.x;
    const u64 base = (u64)blockIdx.x * SCAN_BLOCK + (u64)tid * SCAN_PER_THREAD;
    u32 vals[SCAN_PER_THREAD];
    u32 total = 0;
#pragma unroll
    for (u32 k = 0; k < SCAN_PER_THREAD; k++) {
        vals[k] = base + k < p.len ? p.input[base + k] : 0u;
        total += vals[k];
    }
    sums[tid] = total;
    __syncthreads();
    for (u32 offset = 1; offset < SCAN_THREADS; offset <<= 1) {
        const u32 left = tid >= offset ? sums[tid - offset] : 0u;
        __syncthreads();
        sums[tid] += left;
        __syncthreads();
    }
    u32 run = sums[tid] - total;
#pragma unroll
    for (u32 k = 0; k < SCAN_PER_THREAD; k++) {
        if (base + k < p.len) p.output[base + k] = run;
        run += vals[k];
    }
    if (tid == SCAN_THREADS - 1u && p.block_sums != 0) p.block_sums[blockIdx.x] = sums[tid];
}

struct ScanAddParams {
    u32* output;
    const u32* block_offsets;  // exclusive prefix sums of the block totals
    u32 len;
    u32 pad;
};

SHEAF_KERNEL(scan_add, ScanAddParams) {
    const u64 idx = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= p.len) return;
    p.output[idx] += p.block_offsets[idx / SCAN_BLOCK];
}
