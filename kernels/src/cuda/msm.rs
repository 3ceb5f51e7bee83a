//! The MSM driver: plans the windows and rounds, and launches the pipeline of
//! `kernels/cuda/msm_sort.cu` and `msm_sum.cu` (digits and counting sort, bucket sums in
//! rounds of segments, bucket reduction in levels) on one stream, with the scalar upload
//! overlapping the digit kernel chunk by chunk. The only host wait is the download of the
//! window sums, which are combined on the CPU (Horner: `c` doublings per window).

use ark_bn254::Fr;
use ark_ec::AdditiveGroup;
use ark_ec::short_weierstrass::Projective;
use ark_ff::PrimeField;

use super::gpu::{DevBuf, DevPtr, Event, Gpu, Params, Shape, Stream, too_large};
use super::layout::{CudaCurve, bytes_to_words, xyzz_to_projective};
use super::scan::exclusive_scan;
use super::staging::Staging;
use super::tuning::Tuning;
use crate::KernelError;

/// Threads per block of the MSM kernels.
const BLOCK: u32 = 256;
/// Scalar bits (BN254 Fr).
const SCALAR_BITS: u32 = Fr::MODULUS_BIT_SIZE;

/// The shape of one MSM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsmPlan {
    /// Terms.
    pub n: u32,
    /// Window width in bits.
    pub c: u32,
    /// Windows: `254 / c + 1`.
    pub windows: u32,
    /// Buckets per window: `2^(c-1) + 1` (bucket `b` holds digit magnitude `b`).
    pub buckets: u32,
    /// Segment size of each accumulation round; the last round leaves one sum per bucket.
    pub rounds: Vec<u32>,
    /// Chunk length of the bucket reduction levels (a power of two).
    pub reduce_chunk: u32,
}

impl MsmPlan {
    /// Bucket groups over all windows.
    pub fn groups(&self) -> u32 {
        self.windows * self.buckets
    }

    /// The plan for `n` terms on a device with `sm_count` multiprocessors.
    ///
    /// Window width: the c in 4..=18 that minimises `windows · (n + 4·2^(c-1))`, the mixed
    /// additions of the bucket sums plus the reduction's ≈ 3 full additions (≈ 4 mixed ones)
    /// per bucket; this lands near 15–16 for 2^20–2^24 terms.
    ///
    /// Segments: the first round gives each thread `S₁` entries, chosen so the round launches
    /// about 8 threads per core slot of the device (`sm_count · 2048` resident threads) but
    /// never fewer than 4 or more than 64 entries; later rounds sum 16 partial sums a thread.
    pub fn new(n: usize, sm_count: u32, tuning: &Tuning) -> Result<Self, KernelError> {
        let n32 = u32::try_from(n).map_err(|_| too_large(format!("{n} MSM terms")))?;
        let c = match tuning.window_bits {
            Some(c) => c.clamp(2, 24),
            None => (4..=18u32)
                .min_by_key(|&c| {
                    let windows = u64::from(SCALAR_BITS / c + 1);
                    windows * (n as u64 + 4 * (1u64 << (c - 1)))
                })
                .unwrap_or(16),
        };
        let windows = SCALAR_BITS / c + 1;
        let buckets = (1u32 << (c - 1)) + 1;
        // Digit and entry indices are u32: windows · n must fit (n up to 2^27 or so).
        if u64::from(windows) * n as u64 >= u64::from(u32::MAX >> 1) {
            return Err(too_large(format!("{n} terms × {windows} windows")));
        }
        let first = tuning.first_segment.unwrap_or_else(|| {
            let entries = u64::from(windows) * n as u64;
            let slots = u64::from(sm_count.max(1)) * 2048 * 8;
            (entries / slots.max(1)).clamp(4, 64).next_power_of_two() as u32
        });
        let next = tuning.segment.max(2);
        let mut rounds = Vec::new();
        let mut bound = n as u64; // the most entries (then partial sums) one bucket can hold
        let mut seg = first.max(1);
        loop {
            rounds.push(seg);
            bound = bound.div_ceil(u64::from(seg));
            if bound <= 1 {
                break;
            }
            seg = next;
        }
        Ok(Self {
            n: n32,
            c,
            windows,
            buckets,
            rounds,
            reduce_chunk: tuning.reduce_chunk.max(2).next_power_of_two(),
        })
    }
}

/// Bases on the device: affine points, and a bit mask of the identities.
pub(crate) struct DeviceBases {
    pub(crate) points: DevPtr,
    pub(crate) mask: DevPtr,
    pub(crate) len: usize,
}

/// Where the scalars come from.
pub(crate) enum Scalars<'a> {
    /// Host memory: uploaded through the staging buffers while the digit kernel runs on the
    /// chunks already there.
    Host(&'a [Fr], &'a mut Staging),
    /// Already on the device (timing runs).
    Device(DevPtr, usize),
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DigitsParams {
    scalars: u64,
    identity_mask: u64,
    digits: u64,
    counts: u64,
    n: u32,
    first: u32,
    count: u32,
    c: u32,
    windows: u32,
    buckets: u32,
}
// SAFETY: repr(C), four u64 then six u32: no padding.
unsafe impl Params for DigitsParams {}

#[repr(C)]
#[derive(Clone, Copy)]
struct ScatterParams {
    digits: u64,
    offsets: u64,
    cursors: u64,
    sorted: u64,
    n: u32,
    windows: u32,
    buckets: u32,
    pad: u32,
}
// SAFETY: repr(C), four u64 then four u32: no padding.
unsafe impl Params for ScatterParams {}

#[repr(C)]
#[derive(Clone, Copy)]
struct SegmentsParams {
    counts: u64,
    segments: u64,
    groups: u32,
    seg_size: u32,
}
// SAFETY: repr(C), two u64 then two u32: no padding.
unsafe impl Params for SegmentsParams {}

#[repr(C)]
#[derive(Clone, Copy)]
struct AccumulateParams {
    bases: u64,
    sorted: u64,
    points: u64,
    counts: u64,
    in_offsets: u64,
    seg_offsets: u64,
    out: u64,
    groups: u32,
    seg_size: u32,
    max_segments: u32,
    dense_out: u32,
}
// SAFETY: repr(C), seven u64 then four u32: no padding.
unsafe impl Params for AccumulateParams {}

#[repr(C)]
#[derive(Clone, Copy)]
struct ReduceParams {
    a_in: u64,
    c_in: u64,
    a_out: u64,
    c_out: u64,
    windows: u32,
    m_in: u32,
    m_out: u32,
    chunk: u32,
    doublings: u32,
    pad: u32,
}
// SAFETY: repr(C), four u64 then six u32: no padding.
unsafe impl Params for ReduceParams {}

/// Bytes of one XYZZ point of curve `C` on the device.
fn xyzz_bytes<C: CudaCurve>() -> usize {
    16 * C::WORDS
}

/// Runs the MSM of the first `n` bases against the scalars and returns the result, and the
/// device time between the first and the last kernel when `timed` is set.
pub(crate) fn msm<C: CudaCurve>(
    gpu: &Gpu,
    bases: &DeviceBases,
    scalars: Scalars<'_>,
    plan: &MsmPlan,
    timed: bool,
) -> Result<(Projective<C>, Option<f32>), KernelError> {
    let n = plan.n as usize;
    if n == 0 {
        return Ok((Projective::<C>::ZERO, None));
    }
    if n > bases.len {
        return Err(KernelError::LengthMismatch {
            bases: bases.len,
            scalars: n,
        });
    }
    let w = plan.windows as usize;
    let groups = plan.groups() as usize;
    let start = if timed {
        Some(gpu.record(Stream::Compute)?)
    } else {
        None
    };

    // 1. Digits and bucket counts.
    let counts = gpu.alloc((groups + 1) * 4)?;
    gpu.zero(counts.ptr(), counts.bytes(), Stream::Compute)?;
    let digits = gpu.alloc(w * n * 4)?;
    let mut owned_scalars: Option<DevBuf<'_>> = None;
    let digit_params = |scalars_ptr: u64, first: usize, count: usize| DigitsParams {
        scalars: scalars_ptr,
        identity_mask: bases.mask,
        digits: digits.ptr(),
        counts: counts.ptr(),
        n: plan.n,
        first: first as u32,
        count: count as u32,
        c: plan.c,
        windows: plan.windows,
        buckets: plan.buckets,
    };
    match scalars {
        Scalars::Host(values, staging) => {
            let buf = gpu.alloc(n * 32)?;
            let dst = buf.ptr();
            owned_scalars = Some(buf);
            let bytes = super::layout::fr_bytes(&values[..n]);
            staging.upload(gpu, dst, bytes, 32, |offset, len, event: &Event| {
                gpu.wait(Stream::Compute, event)?;
                let (first, count) = (offset / 32, len / 32);
                gpu.launch(
                    "msm_digits",
                    Shape::linear(count as u64, BLOCK)?,
                    &digit_params(dst, first, count),
                    Stream::Compute,
                )
            })?;
        }
        Scalars::Device(ptr, len) => {
            if len < n {
                return Err(KernelError::LengthMismatch {
                    bases: n,
                    scalars: len,
                });
            }
            gpu.launch(
                "msm_digits",
                Shape::linear(n as u64, BLOCK)?,
                &digit_params(ptr, 0, n),
                Stream::Compute,
            )?;
        }
    }

    // 2. Bucket offsets; 3. the counting sort's scatter.
    let offsets = gpu.alloc((groups + 1) * 4)?;
    exclusive_scan(gpu, counts.ptr(), offsets.ptr(), groups as u32 + 1)?;
    let cursors = gpu.alloc(groups * 4)?;
    gpu.zero(cursors.ptr(), cursors.bytes(), Stream::Compute)?;
    let sorted = gpu.alloc(w * n * 4)?;
    gpu.launch(
        "msm_scatter",
        Shape::linear(w as u64 * n as u64, BLOCK)?,
        &ScatterParams {
            digits: digits.ptr(),
            offsets: offsets.ptr(),
            cursors: cursors.ptr(),
            sorted: sorted.ptr(),
            n: plan.n,
            windows: plan.windows,
            buckets: plan.buckets,
            pad: 0,
        },
        Stream::Compute,
    )?;
    drop(digits);
    drop(cursors);

    // 4. Bucket sums in rounds; the last writes the dense bucket array.
    let point_bytes = xyzz_bytes::<C>();
    let buckets = gpu.alloc(groups * point_bytes)?;
    gpu.zero(buckets.ptr(), buckets.bytes(), Stream::Compute)?;
    let mut counts = counts;
    let mut offsets = offsets;
    let mut partials: Option<DevBuf<'_>> = None;
    let mut total_in = w as u64 * n as u64;
    for (r, &seg) in plan.rounds.iter().enumerate() {
        let last = r + 1 == plan.rounds.len();
        let segments = gpu.alloc((groups + 1) * 4)?;
        gpu.launch(
            "msm_segments",
            Shape::linear(groups as u64 + 1, BLOCK)?,
            &SegmentsParams {
                counts: counts.ptr(),
                segments: segments.ptr(),
                groups: groups as u32,
                seg_size: seg,
            },
            Stream::Compute,
        )?;
        let seg_offsets = gpu.alloc((groups + 1) * 4)?;
        exclusive_scan(gpu, segments.ptr(), seg_offsets.ptr(), groups as u32 + 1)?;
        let max_segments = (total_in / u64::from(seg) + total_in.min(groups as u64)).min(total_in);
        let max_segments32 = u32::try_from(max_segments)
            .map_err(|_| too_large(format!("{max_segments} segments")))?;
        let out = if last {
            None
        } else {
            Some(gpu.alloc(max_segments as usize * point_bytes)?)
        };
        let params = AccumulateParams {
            bases: bases.points,
            sorted: sorted.ptr(),
            points: partials.as_ref().map_or(0, |b| b.ptr()),
            counts: counts.ptr(),
            in_offsets: offsets.ptr(),
            seg_offsets: seg_offsets.ptr(),
            out: out.as_ref().map_or(buckets.ptr(), |b| b.ptr()),
            groups: groups as u32,
            seg_size: seg,
            max_segments: max_segments32,
            dense_out: u32::from(last),
        };
        let kernel = if r == 0 {
            C::ACCUMULATE_AFFINE
        } else {
            C::ACCUMULATE_XYZZ
        };
        gpu.launch(
            kernel,
            Shape::linear(max_segments.max(1), BLOCK)?,
            &params,
            Stream::Compute,
        )?;
        counts = segments;
        offsets = seg_offsets;
        partials = out;
        total_in = max_segments;
    }
    drop(partials);
    drop(sorted);
    drop(counts);
    drop(offsets);

    // 5. Bucket reduction in levels, down to one value per window.
    let chunk = plan.reduce_chunk;
    let mut m_in = plan.buckets;
    let mut a_in = buckets;
    let mut c_in: Option<DevBuf<'_>> = None;
    let mut level = 0u32;
    while m_in > 1 {
        let m_out = m_in.div_ceil(chunk);
        let a_out = gpu.alloc(w * m_out as usize * point_bytes)?;
        let c_out = gpu.alloc(w * m_out as usize * point_bytes)?;
        gpu.launch(
            C::REDUCE,
            Shape::linear(u64::from(plan.windows) * u64::from(m_out), BLOCK)?,
            &ReduceParams {
                a_in: a_in.ptr(),
                c_in: c_in.as_ref().map_or(0, |b| b.ptr()),
                a_out: a_out.ptr(),
                c_out: c_out.ptr(),
                windows: plan.windows,
                m_in,
                m_out,
                chunk,
                doublings: level * chunk.trailing_zeros(),
                pad: 0,
            },
            Stream::Compute,
        )?;
        a_in = a_out;
        c_in = Some(c_out);
        m_in = m_out;
        level += 1;
    }
    let window_sums = c_in.ok_or_else(|| KernelError::Device {
        backend: crate::BackendKind::Cuda,
        message: "MSM plan with fewer than two buckets".into(),
    })?;
    let end = if timed {
        Some(gpu.record(Stream::Compute)?)
    } else {
        None
    };

    // 6. Window sums to the host; Horner's rule.
    let mut bytes = vec![0u8; w * point_bytes];
    gpu.download(&mut bytes, window_sums.ptr(), Stream::Compute)?;
    let device_ms = match (&start, &end) {
        (Some(s), Some(e)) => Some(gpu.elapsed_ms(s, e)?),
        _ => None,
    };
    drop(a_in);
    drop(window_sums);
    drop(owned_scalars);
    let words = bytes_to_words(&bytes);
    let per_point = 4 * C::WORDS;
    let mut acc = Projective::<C>::ZERO;
    for k in (0..w).rev() {
        for _ in 0..plan.c {
            acc.double_in_place();
        }
        acc += xyzz_to_projective::<C>(&words[k * per_point..(k + 1) * per_point]);
    }
    Ok((acc, device_ms))
}
