//! The real device: one CUDA context (device 0) through cudarc's driver API, two non-blocking
//! streams, and the kernel programs compiled by NVRTC for the device's architecture the first
//! time one of their kernels is launched (then cached for the process, and as device code on
//! disk, keyed by the source, the options and the NVRTC version).
//!
//! cudarc's own cross-stream bookkeeping (an event per buffer access) is switched off: the
//! drivers order their work explicitly, so no call here waits for the device unless it says so.

use std::collections::HashMap;
use std::ffi::c_void;
use std::panic::Location;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::result::{self, DriverError};
use cudarc::driver::sys::{self, CUdevice_attribute};
use cudarc::driver::{CudaContext, CudaEvent, CudaFunction, CudaModule, CudaStream};
use cudarc::nvrtc::Ptx;

use super::gpu::{DevPtr, Shape, Stream};
use super::nvrtc;
use super::sources::Program;
use crate::{BackendKind, KernelError};

/// A recorded CUDA event.
pub(crate) struct CudaEventHandle(CudaEvent);

/// An open GPU.
pub(crate) struct CudaDevice {
    ctx: Arc<CudaContext>,
    compute: Arc<CudaStream>,
    copy: Arc<CudaStream>,
    pub(crate) sm_count: u32,
    name: String,
    arch: String,
    memory: usize,
    modules: [OnceLock<Result<Arc<CudaModule>, KernelError>>; Program::ALL.len()],
    functions: Mutex<HashMap<&'static str, CudaFunction>>,
}

fn unavailable(reason: String) -> KernelError {
    KernelError::Unavailable {
        backend: BackendKind::Cuda,
        reason,
    }
}

/// A driver error as a value naming the call and the caller's place.
#[track_caller]
fn check<T>(call: &str, r: Result<T, DriverError>) -> Result<T, KernelError> {
    let place = Location::caller();
    r.map_err(|e| KernelError::Device {
        backend: BackendKind::Cuda,
        message: format!("{call}@{}:{}: {e:?}", place.file(), place.line()),
    })
}

impl CudaDevice {
    /// Opens device 0, or says why there is none: no driver library, no NVRTC, no device.
    pub(crate) fn open() -> Result<Self, KernelError> {
        // cudarc panics on the first driver call if libcuda cannot be loaded; ask first.
        // SAFETY: only tries to open the library.
        if !unsafe { sys::is_culib_present() } {
            return Err(unavailable(
                "no NVIDIA driver: libcuda.so could not be loaded".to_owned(),
            ));
        }
        if let Some(reason) = nvrtc::nvrtc_missing() {
            return Err(unavailable(reason));
        }
        result::init().map_err(|e| unavailable(format!("cuInit failed: {e:?}")))?;
        let count = CudaContext::device_count()
            .map_err(|e| unavailable(format!("cuDeviceGetCount failed: {e:?}")))?;
        if count < 1 {
            return Err(unavailable(
                "the NVIDIA driver reports no CUDA device".to_owned(),
            ));
        }
        let ctx = CudaContext::new(0)
            .map_err(|e| unavailable(format!("cannot open CUDA device 0: {e:?}")))?;
        // SAFETY: every buffer is used in stream order or behind explicit events (see gpu.rs).
        unsafe { ctx.disable_event_tracking() };
        let compute = check("cuStreamCreate", ctx.new_stream())?;
        let copy = check("cuStreamCreate", ctx.new_stream())?;
        let sm = check(
            "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)",
            ctx.attribute(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
        )?;
        let (major, minor) = check("cuDeviceComputeCapability", ctx.compute_capability())?;
        let name = check("cuDeviceGetName", ctx.name())?;
        let memory = check("cuDeviceTotalMem", ctx.total_mem())?;
        Ok(Self {
            ctx,
            compute,
            copy,
            sm_count: u32::try_from(sm).unwrap_or(1).max(1),
            name,
            arch: format!("sm_{major}{minor}"),
            memory,
            modules: Default::default(),
            functions: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "{} ({}, {} SMs, {} MiB)",
            self.name,
            self.arch,
            self.sm_count,
            self.memory >> 20
        )
    }

    fn stream(&self, stream: Stream) -> &CudaStream {
        match stream {
            Stream::Compute => &self.compute,
            Stream::Copy => &self.copy,
        }
    }

    #[track_caller]
    pub(crate) fn bind(&self) -> Result<(), KernelError> {
        check("cuCtxSetCurrent", self.ctx.bind_to_thread())
    }

    #[track_caller]
    pub(crate) fn alloc(&self, bytes: usize) -> Result<DevPtr, KernelError> {
        // SAFETY: the stream is live; the memory is only used in stream order after this.
        check(&format!("cuMemAllocAsync({bytes} bytes)"), unsafe {
            result::malloc_async(self.compute.cu_stream(), bytes.max(1))
        })
    }

    pub(crate) fn free(&self, ptr: DevPtr) {
        // SAFETY: `ptr` came from `alloc`; the free is ordered after all earlier compute work,
        // and copy-stream work on it is always joined into the compute stream first.
        if let Err(e) = unsafe { result::free_async(ptr, self.compute.cu_stream()) } {
            tracing::warn!("cuMemFreeAsync failed: {e:?}");
        }
    }

    #[track_caller]
    pub(crate) fn zero(
        &self,
        ptr: DevPtr,
        bytes: usize,
        stream: Stream,
    ) -> Result<(), KernelError> {
        // SAFETY: `ptr` holds at least `bytes` bytes (callers pass their buffer's size).
        check("cuMemsetD8Async", unsafe {
            result::memset_d8_async(ptr, 0, bytes, self.stream(stream).cu_stream())
        })
    }

    #[track_caller]
    pub(crate) fn upload(
        &self,
        dst: DevPtr,
        src: &[u8],
        stream: Stream,
    ) -> Result<(), KernelError> {
        // SAFETY: `dst` holds at least `src.len()` bytes; pageable sources are staged before
        // the call returns, pinned ones are kept alive by the caller until an event after it.
        check(&format!("cuMemcpyHtoDAsync({} bytes)", src.len()), unsafe {
            result::memcpy_htod_async(dst, src, self.stream(stream).cu_stream())
        })
    }

    #[track_caller]
    pub(crate) fn download(
        &self,
        dst: &mut [u8],
        src: DevPtr,
        stream: Stream,
    ) -> Result<(), KernelError> {
        let s = self.stream(stream);
        // SAFETY: `src` holds at least `dst.len()` bytes; the stream is synchronised before
        // `dst` is used.
        check(&format!("cuMemcpyDtoHAsync({} bytes)", dst.len()), unsafe {
            result::memcpy_dtoh_async(dst, src, s.cu_stream())
        })?;
        check("cuStreamSynchronize", s.synchronize())
    }

    #[track_caller]
    pub(crate) fn download_async(
        &self,
        dst: &mut [u8],
        src: DevPtr,
        stream: Stream,
    ) -> Result<(), KernelError> {
        // SAFETY: `src` holds at least `dst.len()` bytes; `dst` is pinned memory the caller
        // leaves alone until an event after this copy has happened.
        check(&format!("cuMemcpyDtoHAsync({} bytes)", dst.len()), unsafe {
            result::memcpy_dtoh_async(dst, src, self.stream(stream).cu_stream())
        })
    }

    #[track_caller]
    pub(crate) fn launch(
        &self,
        kernel: &'static str,
        shape: Shape,
        params: &[u8],
        stream: Stream,
    ) -> Result<(), KernelError> {
        let function = self.function(kernel)?;
        let mut args = [params.as_ptr() as *mut c_void];
        // SAFETY: `params` is the kernel's parameter struct (same layout as the C++ struct,
        // checked by the emulation tests), and every pointer in it is live device memory.
        check(
            &format!(
                "cuLaunchKernel({kernel}, grid {:?}, block {})",
                shape.grid, shape.block
            ),
            unsafe {
                result::launch_kernel(
                    function.cu_function(),
                    shape.grid,
                    (shape.block, 1, 1),
                    0,
                    self.stream(stream).cu_stream(),
                    &mut args,
                )
            },
        )
    }

    #[track_caller]
    pub(crate) fn record(&self, stream: Stream) -> Result<CudaEventHandle, KernelError> {
        let event = check(
            "cuEventCreate",
            self.ctx
                .new_event(Some(sys::CUevent_flags::CU_EVENT_DEFAULT)),
        )?;
        check("cuEventRecord", event.record(self.stream(stream)))?;
        Ok(CudaEventHandle(event))
    }

    #[track_caller]
    pub(crate) fn wait(&self, stream: Stream, event: &CudaEventHandle) -> Result<(), KernelError> {
        check("cuStreamWaitEvent", self.stream(stream).wait(&event.0))
    }

    #[track_caller]
    pub(crate) fn sync_event(&self, event: &CudaEventHandle) -> Result<(), KernelError> {
        check("cuEventSynchronize", event.0.synchronize())
    }

    #[track_caller]
    pub(crate) fn sync(&self, stream: Stream) -> Result<(), KernelError> {
        check("cuStreamSynchronize", self.stream(stream).synchronize())
    }

    #[track_caller]
    pub(crate) fn elapsed_ms(
        &self,
        start: &CudaEventHandle,
        end: &CudaEventHandle,
    ) -> Result<f32, KernelError> {
        check("cuEventElapsedTime", start.0.elapsed_ms(&end.0))
    }

    #[track_caller]
    pub(crate) fn alloc_pinned(&self, bytes: usize) -> Result<*mut u8, KernelError> {
        // SAFETY: plain page-locked allocation; freed by `free_pinned`.
        check(&format!("cuMemHostAlloc({bytes} bytes)"), unsafe {
            result::malloc_host(bytes.max(1), 0)
        })
        .map(|p| p.cast::<u8>())
    }

    pub(crate) fn free_pinned(&self, ptr: *mut u8) {
        // Pinned buffers are dropped only after the copies that read them were waited for.
        // SAFETY: `ptr` came from `alloc_pinned`.
        if let Err(e) = unsafe { result::free_host(ptr.cast()) } {
            tracing::warn!("cuMemFreeHost failed: {e:?}");
        }
    }

    /// The kernel `name`, compiling and loading its program on first use.
    #[track_caller]
    fn function(&self, name: &'static str) -> Result<CudaFunction, KernelError> {
        let mut functions = self
            .functions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(f) = functions.get(name) {
            return Ok(f.clone());
        }
        let program = Program::ALL
            .into_iter()
            .find(|p| p.kernels().contains(&name))
            .ok_or_else(|| KernelError::Device {
                backend: BackendKind::Cuda,
                message: format!("no program defines kernel {name}"),
            })?;
        let module = self.module(program)?;
        let f = check(
            &format!("cuModuleGetFunction({name})"),
            module.load_function(name),
        )?;
        functions.insert(name, f.clone());
        Ok(f)
    }

    /// Compiles (or reads from the disk cache) and loads every program, in parallel, so that
    /// the first kernel calls do not wait for the compiler.
    pub(crate) fn load_all(&self) -> Result<(), KernelError> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = Program::ALL
                .into_iter()
                .map(|p| scope.spawn(move || self.module(p).map(|_| ())))
                .collect();
            handles.into_iter().try_for_each(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(KernelError::Device {
                        backend: BackendKind::Cuda,
                        message: "a kernel compilation thread panicked".into(),
                    })
                })
            })
        })
    }

    fn module(&self, program: Program) -> Result<Arc<CudaModule>, KernelError> {
        let slot = &self.modules[program as usize];
        slot.get_or_init(|| {
            let started = std::time::Instant::now();
            let cubin = cached_cubin(program, &self.arch)?;
            self.bind()?;
            let module = check(
                &format!("cuModuleLoadData({}.cu, {})", program.name(), self.arch),
                self.ctx.load_module(Ptx::from_binary(cubin)),
            )?;
            tracing::debug!(
                program = program.name(),
                ms = started.elapsed().as_millis() as u64,
                "CUDA program loaded"
            );
            Ok(module)
        })
        .clone()
    }
}

/// Where compiled device code is kept between runs: `$SHEAF_CUDA_CACHE`, else
/// `$XDG_CACHE_HOME/sheaf/cuda`, else `~/.cache/sheaf/cuda`; `SHEAF_CUDA_CACHE=off` disables it.
fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("SHEAF_CUDA_CACHE") {
        Some(v) if v == "off" => None,
        Some(v) => Some(PathBuf::from(v)),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|base| base.join("sheaf").join("cuda")),
    }
}

/// The device code of `program` for `arch`: from the disk cache, or compiled by NVRTC (and
/// stored there; cache failures only cost a recompilation).
fn cached_cubin(program: Program, arch: &str) -> Result<Vec<u8>, KernelError> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let version = nvrtc::nvrtc_version()?;
    let mut hasher = DefaultHasher::new();
    (program.source(), program.defines(), arch, version).hash(&mut hasher);
    let file = cache_dir().map(|d| {
        d.join(format!(
            "{}-{arch}-{:016x}.cubin",
            program.name(),
            hasher.finish()
        ))
    });
    if let Some(path) = &file
        && let Ok(bytes) = std::fs::read(path)
        && !bytes.is_empty()
    {
        return Ok(bytes);
    }
    let started = std::time::Instant::now();
    let compiled = nvrtc::compile(program, arch)?;
    tracing::info!(
        program = program.name(),
        arch,
        seconds = started.elapsed().as_secs_f32(),
        "compiled CUDA kernels with NVRTC"
    );
    if let Some(path) = &file {
        let stored = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let tmp = path.with_extension(format!("tmp{}", std::process::id()));
                std::fs::write(&tmp, &compiled.cubin)?;
                std::fs::rename(&tmp, path)
            });
        if let Err(e) = stored {
            tracing::debug!("cannot store compiled kernels in {}: {e}", path.display());
        }
    }
    Ok(compiled.cubin)
}
