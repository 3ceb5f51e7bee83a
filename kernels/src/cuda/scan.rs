//! Exclusive prefix sums of u32 arrays on the device (`kernels/cuda/scan.cu`): one pass of
//! block scans, the block totals scanned the same way (recursively), and one pass adding them.

use super::gpu::{DevPtr, Gpu, Params, Shape, Stream};
use crate::KernelError;

/// Threads of a `scan_blocks` block (SCAN_THREADS in scan.cu).
const SCAN_THREADS: u32 = 1024;
/// Elements per `scan_blocks` block (SCAN_BLOCK in scan.cu).
const SCAN_BLOCK: u32 = SCAN_THREADS * 4;

#[repr(C)]
#[derive(Clone, Copy)]
struct ScanParams {
    input: u64,
    output: u64,
    block_sums: u64,
    len: u32,
    pad: u32,
}
// SAFETY: repr(C), three u64 then two u32: no padding.
unsafe impl Params for ScanParams {}

#[repr(C)]
#[derive(Clone, Copy)]
struct ScanAddParams {
    output: u64,
    block_offsets: u64,
    len: u32,
    pad: u32,
}
// SAFETY: repr(C), two u64 then two u32: no padding.
unsafe impl Params for ScanAddParams {}

/// `output[i] = Σ_{j<i} input[i]` for `i < len`, on the compute stream (`input` and `output`
/// must not overlap).
pub(crate) fn exclusive_scan(
    gpu: &Gpu,
    input: DevPtr,
    output: DevPtr,
    len: u32,
) -> Result<(), KernelError> {
    let blocks = len.div_ceil(SCAN_BLOCK).max(1);
    let one_block = Shape {
        grid: (blocks, 1, 1),
        block: SCAN_THREADS,
    };
    if blocks == 1 {
        return gpu.launch(
            "scan_blocks",
            one_block,
            &ScanParams {
                input,
                output,
                block_sums: 0,
                len,
                pad: 0,
            },
            Stream::Compute,
        );
    }
    let sums = gpu.alloc(blocks as usize * 4)?;
    let sums_scanned = gpu.alloc(blocks as usize * 4)?;
    gpu.launch(
        "scan_blocks",
        one_block,
        &ScanParams {
            input,
            output,
            block_sums: sums.ptr(),
            len,
            pad: 0,
        },
        Stream::Compute,
    )?;
    exclusive_scan(gpu, sums.ptr(), sums_scanned.ptr(), blocks)?;
    gpu.launch(
        "scan_add",
        Shape::linear(u64::from(len), 256)?,
        &ScanAddParams {
            output,
            block_offsets: sums_scanned.ptr(),
            len,
            pad: 0,
        },
        Stream::Compute,
    )
}
