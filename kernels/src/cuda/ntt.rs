//! The NTT driver: twiddle tables (built on the host, cached on the device), the plan of
//! shared-memory passes, and batched transforms whose slabs stream through the device with
//! the upload of the next slab and the download of the last one overlapping the kernels.
//! The kernels and their index arithmetic are described in `kernels/cuda/ntt.cu`.
//!
//! A transform is `[coset scaling fused into the first pass] → DIF passes → bit-reversal with
//! the inverse's n^(-1)·g^(-j) scaling fused in`, the same conventions as arkworks'
//! `Radix2EvaluationDomain` (see [`crate::ntt`]).

use std::collections::HashMap;

use ark_bn254::Fr;
use ark_ff::{FftField, Field, One};

use super::gpu::{DevBuf, DevPtr, Event, Gpu, Params, Shape, Stream, too_large};
use super::layout::{fr_bytes, fr_bytes_mut};
use super::staging::Staging;
use crate::{KernelError, NttDirection};

/// Most stages per pass (NTT_MAX_LOG in ntt.cu): 2^10 points per block in shared memory.
pub(crate) const MAX_PASS_LOG: u32 = 10;
/// Threads per block of `ntt_finish`.
const FINISH_BLOCK: u32 = 256;
/// Elements per slab of a batched transform (128 MiB).
const SLAB_ELEMENTS: usize = 1 << 22;

/// `[1, x, x², …]` (`len` powers).
fn powers(x: Fr, len: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(len);
    let mut p = Fr::one();
    for _ in 0..len {
        out.push(p);
        p *= x;
    }
    out
}

/// A two-level table of powers of `x` for exponents below `2^bits`: `lo[e mod 2^split]` and
/// `hi[e >> split]`, `split = ceil(bits / 2)`, scaled by `c` in `lo`.
fn windowed(x: Fr, bits: u32, c: Fr) -> (Vec<Fr>, Vec<Fr>, u32) {
    let split = bits.div_ceil(2);
    let lo: Vec<Fr> = powers(x, 1 << split).into_iter().map(|p| p * c).collect();
    let hi = powers(x.pow([1u64 << split]), 1 << (bits - split));
    (lo, hi, split)
}

/// The n-th root of unity used in `direction` (inverted for the inverse transform).
fn root(log_n: u32, direction: NttDirection) -> Fr {
    let w = Fr::get_root_of_unity(1u64 << log_n).unwrap_or(Fr::ONE);
    match direction {
        NttDirection::Forward => w,
        NttDirection::Inverse => w.inverse().unwrap_or(Fr::ONE),
    }
}

/// The stage roots of ntt.cu: `ω_{2^(t+1)}^x` for `x < 2^t` at element `2^t - 1`.
fn stage_roots(direction: NttDirection) -> Vec<Fr> {
    let mut out = Vec::with_capacity(1 << MAX_PASS_LOG);
    for t in 0..MAX_PASS_LOG {
        out.extend(powers(root(t + 1, direction), 1 << t));
    }
    out
}

/// Device tables for one size and direction.
pub(crate) struct Tables {
    stage_roots: DevPtr,
    tw_lo: DevPtr,
    tw_hi: DevPtr,
    tw_split: u32,
}

/// Tables by (log n, direction), kept for the device's lifetime; coset tables by shift.
#[derive(Default)]
pub(crate) struct TableCache {
    tables: HashMap<(u32, bool), Tables>,
    roots: HashMap<bool, DevPtr>,
    scales: HashMap<([u64; 4], u32, bool), Tables>,
    owned: Vec<DevPtr>,
}

impl TableCache {
    fn upload(&mut self, gpu: &Gpu, values: &[Fr]) -> Result<DevPtr, KernelError> {
        let ptr = gpu.alloc_raw(values.len().max(1) * 32)?;
        self.owned.push(ptr);
        gpu.upload(ptr, fr_bytes(values), Stream::Compute)?;
        Ok(ptr)
    }

    /// Frees every table.
    pub(crate) fn release(&mut self, gpu: &Gpu) {
        for ptr in self.owned.drain(..) {
            gpu.free_raw(ptr);
        }
        self.tables.clear();
        self.roots.clear();
        self.scales.clear();
    }

    fn twiddles(
        &mut self,
        gpu: &Gpu,
        log_n: u32,
        direction: NttDirection,
    ) -> Result<&Tables, KernelError> {
        let forward = direction == NttDirection::Forward;
        if !self.roots.contains_key(&forward) {
            let ptr = self.upload(gpu, &stage_roots(direction))?;
            self.roots.insert(forward, ptr);
        }
        let roots = self.roots[&forward];
        if !self.tables.contains_key(&(log_n, forward)) {
            // Exponents of the group twiddles are below 2^(log_n - 1).
            let (lo, hi, split) =
                windowed(root(log_n, direction), log_n.saturating_sub(1), Fr::ONE);
            let t = Tables {
                stage_roots: roots,
                tw_lo: self.upload(gpu, &lo)?,
                tw_hi: self.upload(gpu, &hi)?,
                tw_split: split,
            };
            self.tables.insert((log_n, forward), t);
        }
        Ok(&self.tables[&(log_n, forward)])
    }

    /// Powers `c·g^j` for `j < n` as a windowed table (`stage_roots` unused). At most 16
    /// shifts are kept; the prover reuses one or two.
    fn scales(
        &mut self,
        gpu: &Gpu,
        log_n: u32,
        g: Fr,
        c: Fr,
        inverse: bool,
    ) -> Result<(DevPtr, DevPtr, u32), KernelError> {
        let key = (ark_ff::PrimeField::into_bigint(g).0, log_n, inverse);
        if !self.scales.contains_key(&key) {
            if self.scales.len() >= 16 {
                // Forgetting is enough: the memory stays owned until the device closes.
                self.scales.clear();
            }
            let (lo, hi, split) = windowed(g, log_n, c);
            let t = Tables {
                stage_roots: 0,
                tw_lo: self.upload(gpu, &lo)?,
                tw_hi: self.upload(gpu, &hi)?,
                tw_split: split,
            };
            self.scales.insert(key, t);
        }
        let t = &self.scales[&key];
        Ok((t.tw_lo, t.tw_hi, t.tw_split))
    }
}

#[repr(C)]
#[derive(Clone, Copy)]
struct PassParams {
    data: u64,
    stage_roots: u64,
    tw_lo: u64,
    tw_hi: u64,
    coset_lo: u64,
    coset_hi: u64,
    batch_stride: u64,
    log_n: u32,
    first_stage: u32,
    stages: u32,
    tw_split: u32,
    coset_split: u32,
    coset: u32,
}
// SAFETY: repr(C), seven u64 then six u32: no padding.
unsafe impl Params for PassParams {}

#[repr(C)]
#[derive(Clone, Copy)]
struct FinishParams {
    input: u64,
    output: u64,
    scale_lo: u64,
    scale_hi: u64,
    batch_stride: u64,
    log_n: u32,
    scale: u32,
    scale_split: u32,
    pad: u32,
}
// SAFETY: repr(C), five u64 then four u32: no padding.
unsafe impl Params for FinishParams {}

/// The passes of a transform of `2^log_n` points: (first stage, stages) each, as even as the
/// cap `max_pass_log` allows (2^26 at 10: 9 + 9 + 8).
pub fn passes(log_n: u32, max_pass_log: u32) -> Vec<(u32, u32)> {
    let cap = max_pass_log.clamp(1, MAX_PASS_LOG);
    let count = log_n.div_ceil(cap).max(1);
    let (base, extra) = (log_n / count, log_n % count);
    let mut out = Vec::new();
    let mut first = 0;
    for k in 0..count {
        let stages = base + u32::from(k < extra);
        if stages > 0 {
            out.push((first, stages));
        }
        first += stages;
    }
    out
}

/// What a transform does besides the plain DFT.
#[derive(Clone, Copy)]
pub(crate) struct Job {
    pub(crate) log_n: u32,
    pub(crate) direction: NttDirection,
    pub(crate) coset: Option<Fr>,
    pub(crate) max_pass_log: u32,
}

/// The device pointers of the scaling tables a job needs, resolved once.
struct Resolved {
    twiddles: (DevPtr, DevPtr, DevPtr, u32),
    coset: Option<(DevPtr, DevPtr, u32)>,
    finish_scale: Option<(DevPtr, DevPtr, u32)>,
}

fn resolve(gpu: &Gpu, cache: &mut TableCache, job: &Job) -> Result<Resolved, KernelError> {
    let t = cache.twiddles(gpu, job.log_n, job.direction)?;
    let twiddles = (t.stage_roots, t.tw_lo, t.tw_hi, t.tw_split);
    let n_inv = Fr::from(1u64 << job.log_n).inverse().unwrap_or(Fr::ONE);
    let (coset, finish_scale) = match (job.direction, job.coset) {
        (NttDirection::Forward, None) => (None, None),
        (NttDirection::Forward, Some(g)) => {
            (Some(cache.scales(gpu, job.log_n, g, Fr::ONE, false)?), None)
        }
        (NttDirection::Inverse, shift) => {
            let g_inv = shift.map_or(Fr::ONE, |g| g.inverse().unwrap_or(Fr::ONE));
            (
                None,
                Some(cache.scales(gpu, job.log_n, g_inv, n_inv, true)?),
            )
        }
    };
    Ok(Resolved {
        twiddles,
        coset,
        finish_scale,
    })
}

/// Queues the transform of `batch` vectors of `2^log_n` points at `data` (consecutive) on the
/// compute stream; the natural-order results land at `out`. `data` is overwritten.
fn enqueue(
    gpu: &Gpu,
    r: &Resolved,
    job: &Job,
    data: DevPtr,
    out: DevPtr,
    batch: u32,
) -> Result<(), KernelError> {
    let n = 1u64 << job.log_n;
    let (roots, tw_lo, tw_hi, tw_split) = r.twiddles;
    for (first, stages) in passes(job.log_n, job.max_pass_log) {
        let groups =
            u32::try_from(n >> stages).map_err(|_| too_large(format!("2^{} points", job.log_n)))?;
        let (coset_lo, coset_hi, coset_split) = r.coset.filter(|_| first == 0).unwrap_or((0, 0, 0));
        gpu.launch(
            "ntt_pass",
            Shape {
                grid: (groups, batch, 1),
                block: 1 << (stages - 1),
            },
            &PassParams {
                data,
                stage_roots: roots,
                tw_lo,
                tw_hi,
                coset_lo,
                coset_hi,
                batch_stride: n,
                log_n: job.log_n,
                first_stage: first,
                stages,
                tw_split,
                coset_split,
                coset: u32::from(first == 0 && r.coset.is_some()),
            },
            Stream::Compute,
        )?;
    }
    let (scale_lo, scale_hi, scale_split) = r.finish_scale.unwrap_or((0, 0, 0));
    let blocks = u32::try_from(n.div_ceil(u64::from(FINISH_BLOCK)))
        .map_err(|_| too_large(format!("2^{} points", job.log_n)))?;
    gpu.launch(
        "ntt_finish",
        Shape {
            grid: (blocks, batch, 1),
            block: FINISH_BLOCK,
        },
        &FinishParams {
            input: data,
            output: out,
            scale_lo,
            scale_hi,
            batch_stride: n,
            log_n: job.log_n,
            scale: u32::from(r.finish_scale.is_some()),
            scale_split,
            pad: 0,
        },
        Stream::Compute,
    )
}

/// Transforms `values` in place: consecutive vectors of `2^job.log_n` points (a batch of
/// `values.len() >> log_n`), streamed through the device in slabs.
pub(crate) fn transform(
    gpu: &Gpu,
    cache: &mut TableCache,
    staging: &mut Staging,
    values: &mut [Fr],
    job: &Job,
) -> Result<(), KernelError> {
    let n = 1usize << job.log_n;
    if job.log_n == 0 || values.is_empty() {
        // One point: every transform (coset or not, either direction) is the identity.
        return Ok(());
    }
    let r = resolve(gpu, cache, job)?;
    // A slab's vectors are the grid's y dimension, at most 65535.
    let per_slab = (SLAB_ELEMENTS / n).clamp(1, 65535);
    let slabs: Vec<&mut [Fr]> = values.chunks_mut(per_slab * n).collect();
    let slab_bytes = per_slab * n * 32;
    let count = slabs.len();
    let pairs = count.min(2);
    let inputs: Vec<DevBuf<'_>> = (0..pairs)
        .map(|_| gpu.alloc(slab_bytes))
        .collect::<Result<_, _>>()?;
    let outputs: Vec<DevBuf<'_>> = (0..pairs)
        .map(|_| gpu.alloc(slab_bytes))
        .collect::<Result<_, _>>()?;
    let mut computed: [Option<Event>; 2] = [None, None];
    let queue = |k: usize,
                 slab: &[Fr],
                 staging: &mut Staging,
                 computed: &mut [Option<Event>; 2]|
     -> Result<(), KernelError> {
        let slot = k % 2;
        if let Some(event) = &computed[slot] {
            // The input buffer is free once the kernels of slab k-2 are done with it.
            gpu.wait(Stream::Copy, event)?;
        }
        staging.upload(
            gpu,
            inputs[slot].ptr(),
            fr_bytes(slab),
            32,
            |_, _, event| gpu.wait(Stream::Compute, event),
        )?;
        let batch = u32::try_from(slab.len() / n).map_err(|_| too_large("batch".into()))?;
        enqueue(gpu, &r, job, inputs[slot].ptr(), outputs[slot].ptr(), batch)?;
        computed[slot] = Some(gpu.record(Stream::Compute)?);
        Ok(())
    };

    // Slab k+1 is uploaded and its kernels queued before slab k is downloaded, so the copy
    // engine moves both while the kernels run.
    let mut slabs = slabs;
    queue(0, &slabs[0][..], staging, &mut computed)?;
    for k in 0..count {
        if k + 1 < count {
            queue(k + 1, &slabs[k + 1][..], staging, &mut computed)?;
        }
        let slot = k % 2;
        let done = computed[slot].take().ok_or_else(|| KernelError::Device {
            backend: crate::BackendKind::Cuda,
            message: "NTT slab queued without an event".into(),
        })?;
        staging.download(
            gpu,
            fr_bytes_mut(&mut slabs[k][..]),
            outputs[slot].ptr(),
            &done,
        )?;
        // The download waited for the kernels of slab k, so its buffers are free again.
    }
    Ok(())
}

/// Transforms `batch` vectors already on the device at `data` into `out`, `runs` times,
/// returning the device time of each run (CUDA events around the kernels). `data` is
/// overwritten by each run, so runs after the first transform earlier outputs; timing does
/// not depend on the values.
pub(crate) fn time_resident(
    gpu: &Gpu,
    cache: &mut TableCache,
    data: DevPtr,
    out: DevPtr,
    batch: u32,
    job: &Job,
    runs: usize,
) -> Result<Vec<f32>, KernelError> {
    let r = resolve(gpu, cache, job)?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = gpu.record(Stream::Compute)?;
        enqueue(gpu, &r, job, data, out, batch)?;
        let end = gpu.record(Stream::Compute)?;
        times.push(gpu.elapsed_ms(&start, &end)?);
    }
    Ok(times)
}
