//! The CUDA backend: MSM over BN254 G1 and G2 and the NTT over BN254 Fr on an NVIDIA GPU,
//! through cudarc's driver API with the kernels (`kernels/cuda/*.cu`) compiled at run time by
//! NVRTC for the device's architecture (sm_90 on Hopper) and cached per process and on disk.
//!
//! The build needs no CUDA toolkit: the driver (`libcuda.so`) and NVRTC (`libnvrtc.so.13`) are
//! loaded when a backend is opened, and [`CudaBackend::new`] returns
//! [`KernelError::Unavailable`] (never a panic) when either library or a device is missing.
//!
//! - MSM: Pippenger with signed-digit windows sized from the input and the device, a counting
//!   sort of the digits on the GPU, XYZZ bucket sums in load-balanced rounds and a parallel
//!   bucket reduction (see `kernels/cuda/msm_sort.cu`). [`PreparedBases`] keeps bases resident
//!   on the device across calls, as a prover multiplies the same key bases for every proof.
//! - NTT: multi-pass radix-2 with many stages per pass in shared memory, windowed twiddle
//!   tables, coset and inverse scalings fused into the first and last kernels, and batches
//!   streamed in slabs that overlap copies with compute (see `kernels/cuda/ntt.cu`).
//!
//! Device errors are values naming the failing call and the place it was made, e.g.
//! `cuLaunchKernel(ntt_pass, …)@kernels/src/cuda/ntt.rs:301: DriverError(…)`.

mod driver;
mod emulator;
mod gpu;
mod layout;
mod msm;
mod ntt;
mod nvrtc;
mod scan;
mod sources;
mod staging;
mod tuning;

use std::marker::PhantomData;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use ark_bn254::Fr;
use ark_ec::AffineRepr;
use ark_ec::short_weierstrass::{Affine, Projective};
use rayon::prelude::*;

use crate::{BackendKind, KernelError, Msm, Ntt, NttDirection};
use gpu::{DevPtr, Gpu, Stream};
pub use layout::CudaCurve;
pub use msm::MsmPlan;
pub use ntt::passes as ntt_passes;
pub use nvrtc::{
    Compiled, KernelResources, compile, nvrtc_missing, nvrtc_version, parse_resources,
};
pub use sources::{Program, emulator_source};
use staging::Staging;
pub use tuning::Tuning;

/// One device and everything kept on it, shared by every backend value that uses it.
struct DeviceState {
    gpu: Gpu,
    /// Serialises calls: each call owns the streams, the staging buffers and the tables while
    /// it queues work and until it has its results.
    inner: Mutex<Inner>,
}

struct Inner {
    staging: Option<Staging>,
    tables: ntt::TableCache,
}

impl DeviceState {
    fn new(gpu: Gpu) -> Self {
        Self {
            gpu,
            inner: Mutex::new(Inner {
                staging: None,
                tables: ntt::TableCache::default(),
            }),
        }
    }

    /// Locks the device for one call and binds it to this thread.
    fn lock(&self) -> Result<MutexGuard<'_, Inner>, KernelError> {
        let guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.gpu.bind()?;
        Ok(guard)
    }
}

impl Inner {
    fn staging(&mut self, gpu: &Gpu) -> Result<&mut Staging, KernelError> {
        if self.staging.is_none() {
            self.staging = Some(Staging::new(gpu)?);
        }
        self.staging.as_mut().ok_or_else(|| KernelError::Device {
            backend: BackendKind::Cuda,
            message: "staging buffers missing".into(),
        })
    }
}

impl Drop for DeviceState {
    fn drop(&mut self) {
        let inner = self
            .inner
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.gpu.bind().is_ok() {
            inner.tables.release(&self.gpu);
            if let Some(staging) = inner.staging.take() {
                staging.release(&self.gpu);
            }
            if let Err(e) = self.gpu.sync(Stream::Compute) {
                tracing::warn!("closing the CUDA device: {e}");
            }
        }
    }
}

/// The process's GPU, opened once (a driver context is per process anyway).
fn shared_device() -> Result<Arc<DeviceState>, KernelError> {
    static DEVICE: OnceLock<Result<Arc<DeviceState>, KernelError>> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            let device = driver::CudaDevice::open()?;
            tracing::info!(device = %device.describe(), "CUDA device opened");
            Ok(Arc::new(DeviceState::new(Gpu::Cuda(device))))
        })
        .clone()
}

/// MSM and NTT on an NVIDIA GPU. Cheap to clone and share between threads; calls from several
/// threads take turns on the device.
#[derive(Clone)]
pub struct CudaBackend {
    device: Arc<DeviceState>,
    tuning: Tuning,
}

impl std::fmt::Debug for CudaBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CudaBackend")
            .field("device", &self.device.gpu.describe())
            .field("tuning", &self.tuning)
            .finish()
    }
}

impl CudaBackend {
    /// Opens the first CUDA device, or says why there is none (no driver, no NVRTC, no GPU).
    pub fn new() -> Result<Self, KernelError> {
        Ok(Self {
            device: shared_device()?,
            tuning: Tuning::default(),
        })
    }

    /// A backend on the CPU emulator library at `library` (built from [`emulator_source`] by a
    /// host C++20 compiler): the same drivers and kernel code, run on the CPU. For tests.
    #[doc(hidden)]
    pub fn emulated(library: &Path) -> Result<Self, KernelError> {
        let device = emulator::EmuDevice::load(library)?;
        Ok(Self {
            device: Arc::new(DeviceState::new(Gpu::Emulated(device))),
            tuning: Tuning::default(),
        })
    }

    /// The same device with other tuning knobs.
    pub fn with_tuning(&self, tuning: Tuning) -> Self {
        Self {
            device: self.device.clone(),
            tuning,
        }
    }

    /// The tuning in use.
    pub fn tuning(&self) -> &Tuning {
        &self.tuning
    }

    /// The device's name, architecture, multiprocessors and memory.
    pub fn device_name(&self) -> String {
        self.device.gpu.describe()
    }

    /// Compiles (or loads from the disk cache) every kernel program now, in parallel, instead
    /// of at each program's first use. A no-op on the emulator.
    pub fn warm_up(&self) -> Result<(), KernelError> {
        let _inner = self.device.lock()?;
        match &self.device.gpu {
            Gpu::Cuda(d) => d.load_all(),
            Gpu::Emulated(_) => Ok(()),
        }
    }

    /// The plan an MSM of `n` terms would run with.
    pub fn msm_plan(&self, n: usize) -> Result<MsmPlan, KernelError> {
        MsmPlan::new(n, self.device.gpu.sm_count(), &self.tuning)
    }

    /// Uploads `bases` to the device once, for any number of [`CudaBackend::msm_prepared`]
    /// calls. Identity points are allowed.
    pub fn prepare_bases<C: CudaCurve>(
        &self,
        bases: &[Affine<C>],
    ) -> Result<PreparedBases<C>, KernelError> {
        let mut inner = self.device.lock()?;
        let gpu = &self.device.gpu;
        let n = bases.len();
        // x then y, WORDS words each.
        let point_words = 2 * C::WORDS;
        let points = gpu.alloc_raw((n * point_words * 4).max(4))?;
        let mask_words = n.div_ceil(32).max(1);
        let mask = match gpu.alloc_raw(mask_words * 4) {
            Ok(m) => m,
            Err(e) => {
                gpu.free_raw(points);
                return Err(e);
            }
        };
        let prepared = PreparedBases {
            device: self.device.clone(),
            points,
            mask,
            len: n,
            _curve: PhantomData,
        };
        // Convert a staging buffer's worth of points at a time while the previous one copies.
        let per_chunk = staging::STAGING_BYTES / (point_words * 4);
        let mut mask_bits = vec![0u32; mask_words];
        let staging = inner.staging(gpu)?;
        let mut host = vec![0u32; per_chunk.min(n.max(1)) * point_words];
        for (k, chunk) in bases.chunks(per_chunk.max(1)).enumerate() {
            let out = &mut host[..chunk.len() * point_words];
            out.par_chunks_mut(point_words)
                .zip(chunk.par_iter())
                .for_each(|(dst, p)| {
                    if p.is_zero() {
                        dst.fill(0);
                    } else {
                        C::write_affine(p, dst);
                    }
                });
            for (i, p) in chunk.iter().enumerate() {
                if p.is_zero() {
                    let idx = k * per_chunk + i;
                    mask_bits[idx / 32] |= 1 << (idx % 32);
                }
            }
            let offset = (k * per_chunk * point_words * 4) as u64;
            staging.upload(
                gpu,
                points + offset,
                layout::words_to_bytes(out),
                4,
                |_, _, event| gpu.wait(Stream::Compute, event),
            )?;
        }
        gpu.upload(mask, layout::words_to_bytes(&mask_bits), Stream::Compute)?;
        // The bases must be complete before the host memory behind the pageable mask copy goes.
        gpu.sync(Stream::Compute)?;
        drop(inner);
        Ok(prepared)
    }

    /// `Σ scalars[i]·bases[i]` over the first `scalars.len()` prepared bases.
    pub fn msm_prepared<C: CudaCurve>(
        &self,
        bases: &PreparedBases<C>,
        scalars: &[Fr],
    ) -> Result<Projective<C>, KernelError> {
        self.check_same_device(bases)?;
        if scalars.len() > bases.len {
            return Err(KernelError::LengthMismatch {
                bases: bases.len,
                scalars: scalars.len(),
            });
        }
        if scalars.is_empty() {
            return Ok(Projective::<C>::default());
        }
        let mut inner = self.device.lock()?;
        let gpu = &self.device.gpu;
        let plan = MsmPlan::new(scalars.len(), gpu.sm_count(), &self.tuning)?;
        let staging = inner.staging(gpu)?;
        let (sum, _) = msm::msm::<C>(
            gpu,
            &bases.device_bases(),
            msm::Scalars::Host(scalars, staging),
            &plan,
            false,
        )?;
        Ok(sum)
    }

    /// Times the MSM kernels with the scalars already on the device: uploads `scalars` once,
    /// runs the MSM `runs` times and returns each run's device time in milliseconds (CUDA
    /// events around the kernels, up to the window sums being ready) and the result.
    pub fn time_msm_resident<C: CudaCurve>(
        &self,
        bases: &PreparedBases<C>,
        scalars: &[Fr],
        runs: usize,
    ) -> Result<(Projective<C>, Vec<f32>), KernelError> {
        self.check_same_device(bases)?;
        if scalars.len() > bases.len || scalars.is_empty() {
            return Err(KernelError::LengthMismatch {
                bases: bases.len,
                scalars: scalars.len(),
            });
        }
        let _inner = self.device.lock()?;
        let gpu = &self.device.gpu;
        let plan = MsmPlan::new(scalars.len(), gpu.sm_count(), &self.tuning)?;
        let dev = gpu.alloc(scalars.len() * 32)?;
        gpu.upload(dev.ptr(), layout::fr_bytes(scalars), Stream::Compute)?;
        let mut times = Vec::with_capacity(runs);
        let mut result = Projective::<C>::default();
        for _ in 0..runs.max(1) {
            let (sum, ms) = msm::msm::<C>(
                gpu,
                &bases.device_bases(),
                msm::Scalars::Device(dev.ptr(), scalars.len()),
                &plan,
                true,
            )?;
            result = sum;
            times.extend(ms);
        }
        Ok((result, times))
    }

    /// Transforms consecutive vectors of `len` points (`values.len()` a multiple of `len`) in
    /// place, like [`Ntt::ntt_in_place`] on each, streaming them through the device.
    pub fn ntt_batch(
        &self,
        values: &mut [Fr],
        len: usize,
        direction: NttDirection,
        coset_shift: Option<Fr>,
    ) -> Result<(), KernelError> {
        let log_n = crate::check_ntt_len::<Fr>(len)?;
        if !values.len().is_multiple_of(len) {
            return Err(KernelError::NotPowerOfTwo { len: values.len() });
        }
        if coset_shift.is_some_and(|g| ark_ff::Zero::is_zero(&g)) {
            return Err(KernelError::ZeroCosetShift);
        }
        self.ntt_job(values, log_n, direction, coset_shift)
    }

    fn ntt_job(
        &self,
        values: &mut [Fr],
        log_n: u32,
        direction: NttDirection,
        coset: Option<Fr>,
    ) -> Result<(), KernelError> {
        if log_n == 0 || values.is_empty() {
            return Ok(());
        }
        let mut inner = self.device.lock()?;
        let gpu = &self.device.gpu;
        let job = ntt::Job {
            log_n,
            direction,
            coset,
            max_pass_log: self.tuning.ntt_max_pass_log,
        };
        let Inner { staging, tables } = &mut *inner;
        if staging.is_none() {
            *staging = Some(Staging::new(gpu)?);
        }
        let staging = staging.as_mut().ok_or_else(|| KernelError::Device {
            backend: BackendKind::Cuda,
            message: "staging buffers missing".into(),
        })?;
        ntt::transform(gpu, tables, staging, values, &job)
    }

    /// Times the NTT kernels on `batch` resident vectors of `2^log_n` random-looking points:
    /// returns each run's device time in milliseconds (CUDA events around the kernels).
    pub fn time_ntt_resident(
        &self,
        values: &[Fr],
        batch: usize,
        direction: NttDirection,
        coset_shift: Option<Fr>,
        runs: usize,
    ) -> Result<Vec<f32>, KernelError> {
        let len = values.len() / batch.max(1);
        let log_n = crate::check_ntt_len::<Fr>(len)?;
        let mut inner = self.device.lock()?;
        let gpu = &self.device.gpu;
        let data = gpu.alloc(values.len() * 32)?;
        let out = gpu.alloc(values.len() * 32)?;
        gpu.upload(data.ptr(), layout::fr_bytes(values), Stream::Compute)?;
        let job = ntt::Job {
            log_n,
            direction,
            coset: coset_shift,
            max_pass_log: self.tuning.ntt_max_pass_log,
        };
        let batch = u32::try_from(batch)
            .ok()
            .filter(|&b| b <= 65535)
            .ok_or_else(|| gpu::too_large(format!("a batch of {batch} vectors")))?;
        ntt::time_resident(
            gpu,
            &mut inner.tables,
            data.ptr(),
            out.ptr(),
            batch,
            &job,
            runs,
        )
    }

    fn check_same_device<C: CudaCurve>(&self, bases: &PreparedBases<C>) -> Result<(), KernelError> {
        if Arc::ptr_eq(&self.device, &bases.device) {
            Ok(())
        } else {
            Err(KernelError::Device {
                backend: BackendKind::Cuda,
                message: "prepared bases belong to another device".into(),
            })
        }
    }
}

/// Bases resident on the device (see [`CudaBackend::prepare_bases`]); freed when dropped.
pub struct PreparedBases<C: CudaCurve> {
    device: Arc<DeviceState>,
    points: DevPtr,
    mask: DevPtr,
    len: usize,
    _curve: PhantomData<fn() -> C>,
}

impl<C: CudaCurve> PreparedBases<C> {
    /// Number of bases.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn device_bases(&self) -> msm::DeviceBases {
        msm::DeviceBases {
            points: self.points,
            mask: self.mask,
            len: self.len,
        }
    }
}

impl<C: CudaCurve> std::fmt::Debug for PreparedBases<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PreparedBases<{}>({} points)", C::NAME, self.len)
    }
}

impl<C: CudaCurve> Drop for PreparedBases<C> {
    fn drop(&mut self) {
        if let Ok(_inner) = self.device.lock() {
            self.device.gpu.free_raw(self.points);
            self.device.gpu.free_raw(self.mask);
        }
    }
}

impl<C: CudaCurve> Msm<Projective<C>> for CudaBackend {
    fn msm_unchecked(
        &self,
        bases: &[Affine<C>],
        scalars: &[Fr],
    ) -> Result<Projective<C>, KernelError> {
        let n = bases.len().min(scalars.len());
        if n == 0 {
            return Ok(Projective::<C>::default());
        }
        let prepared = self.prepare_bases(&bases[..n])?;
        self.msm_prepared(&prepared, &scalars[..n])
    }
}

impl Ntt<Fr> for CudaBackend {
    fn ntt_unchecked(
        &self,
        values: &mut [Fr],
        direction: NttDirection,
        coset_shift: Option<Fr>,
    ) -> Result<(), KernelError> {
        let log_n = values.len().trailing_zeros();
        self.ntt_job(values, log_n, direction, coset_shift)
    }
}
