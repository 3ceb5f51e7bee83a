//! The device layer under the MSM and NTT drivers: memory, copies, kernel launches, streams and
//! events, on a real GPU through the CUDA driver API ([`super::driver`]) or on the CPU
//! emulator ([`super::emulator`]), which runs the same kernel sources compiled for the host.
//! The drivers are written once against this layer, so the emulation tests run their real
//! launch sequence.
//!
//! Every call is asynchronous on a GPU unless it says otherwise; work on one [`Stream`] runs in
//! order, and the two streams meet only through [`Event`]s. Errors name the failing call and
//! where it was made.

use super::driver::{CudaDevice, CudaEventHandle};
use super::emulator::EmuDevice;
use crate::KernelError;

/// A device address.
pub(crate) type DevPtr = u64;

/// The two streams of a device: kernels run on `Compute`, bulk host copies on `Copy`, so that
/// a copy overlaps the kernels of an earlier chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    Compute,
    Copy,
}

/// A point in a stream's work.
pub(crate) enum Event {
    Cuda(CudaEventHandle),
    /// The emulator runs everything at once; its events only carry a time.
    Emulated(std::time::Instant),
}

/// A device: a GPU or the CPU emulator.
// One value per process (or per emulation test), never moved around: the size is irrelevant.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Gpu {
    Cuda(CudaDevice),
    Emulated(EmuDevice),
}

/// Grid and block shape of a launch: `grid` blocks of `block` threads (1-D blocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) grid: (u32, u32, u32),
    pub(crate) block: u32,
}

impl Shape {
    /// Enough blocks of `block` threads for `threads` threads (at least one block).
    pub(crate) fn linear(threads: u64, block: u32) -> Result<Self, KernelError> {
        let blocks = threads.div_ceil(u64::from(block)).max(1);
        let blocks = u32::try_from(blocks)
            .ok()
            .filter(|&b| b < (1 << 31))
            .ok_or_else(|| too_large(format!("{threads} threads")))?;
        Ok(Self {
            grid: (blocks, 1, 1),
            block,
        })
    }
}

/// The error for a problem that does not fit the device's limits.
pub(crate) fn too_large(what: String) -> KernelError {
    KernelError::Device {
        backend: crate::BackendKind::Cuda,
        message: format!("input too large for the CUDA kernels: {what}"),
    }
}

/// A kernel parameter struct: `#[repr(C)]`, plain data, the same fields in the same order as
/// the C++ struct of the kernel it is passed to.
///
/// # Safety
/// The type must be `#[repr(C)]` with no padding bytes and only integer fields.
pub(crate) unsafe trait Params: Copy {
    /// The struct's bytes.
    fn bytes(&self) -> &[u8] {
        // SAFETY: plain data without padding (the trait's contract), so every byte is initialised.
        unsafe { std::slice::from_raw_parts((self as *const Self).cast::<u8>(), size_of::<Self>()) }
    }
}

impl Gpu {
    /// Multiprocessors (the emulator reports 1).
    pub(crate) fn sm_count(&self) -> u32 {
        match self {
            Gpu::Cuda(d) => d.sm_count,
            Gpu::Emulated(_) => 1,
        }
    }

    /// A human-readable name.
    pub(crate) fn describe(&self) -> String {
        match self {
            Gpu::Cuda(d) => d.describe(),
            Gpu::Emulated(_) => "CPU emulator".to_owned(),
        }
    }

    /// Makes this device current on the calling thread (a no-op for the emulator).
    pub(crate) fn bind(&self) -> Result<(), KernelError> {
        match self {
            Gpu::Cuda(d) => d.bind(),
            Gpu::Emulated(_) => Ok(()),
        }
    }

    /// `bytes` of device memory, ordered on the compute stream; freed when the buffer drops.
    pub(crate) fn alloc(&self, bytes: usize) -> Result<DevBuf<'_>, KernelError> {
        let ptr = match self {
            Gpu::Cuda(d) => d.alloc(bytes)?,
            Gpu::Emulated(d) => d.alloc(bytes)?,
        };
        Ok(DevBuf {
            gpu: self,
            ptr,
            bytes,
        })
    }

    /// Releases memory from [`Gpu::alloc_raw`] (stream-ordered on the compute stream).
    pub(crate) fn free_raw(&self, ptr: DevPtr) {
        match self {
            Gpu::Cuda(d) => d.free(ptr),
            Gpu::Emulated(d) => d.free(ptr),
        }
    }

    /// Memory that outlives a call (prepared bases); release with [`Gpu::free_raw`].
    pub(crate) fn alloc_raw(&self, bytes: usize) -> Result<DevPtr, KernelError> {
        match self {
            Gpu::Cuda(d) => d.alloc(bytes),
            Gpu::Emulated(d) => d.alloc(bytes),
        }
    }

    /// Sets `bytes` bytes at `ptr` to zero.
    pub(crate) fn zero(
        &self,
        ptr: DevPtr,
        bytes: usize,
        stream: Stream,
    ) -> Result<(), KernelError> {
        match self {
            Gpu::Cuda(d) => d.zero(ptr, bytes, stream),
            Gpu::Emulated(d) => d.zero(ptr, bytes),
        }
    }

    /// Copies `src` to `dst`. The source may be reused once this returns (pageable host
    /// memory is staged by the driver; pinned memory must be kept until an event after it).
    pub(crate) fn upload(
        &self,
        dst: DevPtr,
        src: &[u8],
        stream: Stream,
    ) -> Result<(), KernelError> {
        match self {
            Gpu::Cuda(d) => d.upload(dst, src, stream),
            Gpu::Emulated(d) => d.upload(dst, src),
        }
    }

    /// Copies device memory at `src` into `dst` and waits for the copy (the one host wait of
    /// a call: its results).
    pub(crate) fn download(
        &self,
        dst: &mut [u8],
        src: DevPtr,
        stream: Stream,
    ) -> Result<(), KernelError> {
        match self {
            Gpu::Cuda(d) => d.download(dst, src, stream),
            Gpu::Emulated(d) => d.download(dst, src),
        }
    }

    /// Queues a copy of device memory at `src` into `dst` on `stream` without waiting: `dst`
    /// must be pinned memory that stays untouched until an event after the copy has happened.
    pub(crate) fn download_async(
        &self,
        dst: &mut [u8],
        src: DevPtr,
        stream: Stream,
    ) -> Result<(), KernelError> {
        match self {
            Gpu::Cuda(d) => d.download_async(dst, src, stream),
            Gpu::Emulated(d) => d.download(dst, src),
        }
    }

    /// Launches `kernel` with one parameter struct.
    pub(crate) fn launch<P: Params>(
        &self,
        kernel: &'static str,
        shape: Shape,
        params: &P,
        stream: Stream,
    ) -> Result<(), KernelError> {
        match self {
            Gpu::Cuda(d) => d.launch(kernel, shape, params.bytes(), stream),
            Gpu::Emulated(d) => d.launch(kernel, shape, params.bytes()),
        }
    }

    /// An event after the work queued so far on `stream`.
    pub(crate) fn record(&self, stream: Stream) -> Result<Event, KernelError> {
        match self {
            Gpu::Cuda(d) => d.record(stream).map(Event::Cuda),
            Gpu::Emulated(_) => Ok(Event::Emulated(std::time::Instant::now())),
        }
    }

    /// Makes `stream` wait for `event` (no host wait).
    pub(crate) fn wait(&self, stream: Stream, event: &Event) -> Result<(), KernelError> {
        match (self, event) {
            (Gpu::Cuda(d), Event::Cuda(e)) => d.wait(stream, e),
            _ => Ok(()),
        }
    }

    /// Blocks the host until `event` has happened.
    pub(crate) fn sync_event(&self, event: &Event) -> Result<(), KernelError> {
        match (self, event) {
            (Gpu::Cuda(d), Event::Cuda(e)) => d.sync_event(e),
            _ => Ok(()),
        }
    }

    /// Blocks the host until `stream` is idle.
    pub(crate) fn sync(&self, stream: Stream) -> Result<(), KernelError> {
        match self {
            Gpu::Cuda(d) => d.sync(stream),
            Gpu::Emulated(_) => Ok(()),
        }
    }

    /// Milliseconds of device time between two events on the same stream (waits for `end`).
    pub(crate) fn elapsed_ms(&self, start: &Event, end: &Event) -> Result<f32, KernelError> {
        match (self, start, end) {
            (Gpu::Cuda(d), Event::Cuda(s), Event::Cuda(e)) => d.elapsed_ms(s, e),
            (_, Event::Emulated(s), Event::Emulated(e)) => {
                Ok(e.duration_since(*s).as_secs_f32() * 1e3)
            }
            _ => Err(KernelError::Device {
                backend: crate::BackendKind::Cuda,
                message: "elapsed_ms: events from different devices".into(),
            }),
        }
    }

    /// A page-locked host buffer of `bytes` (plain memory on the emulator), for copies that
    /// overlap with kernels. Release it with [`Gpu::free_pinned`].
    pub(crate) fn pinned(&self, bytes: usize) -> Result<PinnedBuf, KernelError> {
        match self {
            Gpu::Cuda(d) => Ok(PinnedBuf {
                ptr: d.alloc_pinned(bytes)?,
                bytes,
                owned: None,
            }),
            Gpu::Emulated(_) => {
                let mut owned = vec![0u64; bytes.div_ceil(8)];
                Ok(PinnedBuf {
                    ptr: owned.as_mut_ptr().cast::<u8>(),
                    bytes,
                    owned: Some(owned),
                })
            }
        }
    }

    /// Releases a buffer from [`Gpu::pinned`]; no copy may still read or write it.
    pub(crate) fn free_pinned(&self, buf: PinnedBuf) {
        if buf.owned.is_none()
            && let Gpu::Cuda(d) = self
        {
            d.free_pinned(buf.ptr);
        }
    }
}

/// Device memory that is freed (stream-ordered) when dropped.
pub(crate) struct DevBuf<'a> {
    gpu: &'a Gpu,
    ptr: DevPtr,
    bytes: usize,
}

impl DevBuf<'_> {
    /// The device address.
    pub(crate) fn ptr(&self) -> DevPtr {
        self.ptr
    }

    /// The size in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for DevBuf<'_> {
    fn drop(&mut self) {
        self.gpu.free_raw(self.ptr);
    }
}

/// Page-locked host memory (see [`Gpu::pinned`]).
pub(crate) struct PinnedBuf {
    ptr: *mut u8,
    bytes: usize,
    /// The emulator's buffer (u64 words, so 8-byte aligned).
    owned: Option<Vec<u64>>,
}

// SAFETY: the buffer is plain memory owned by this value; it is only touched by the thread
// that holds the device lock.
unsafe impl Send for PinnedBuf {}
// SAFETY: as above.
unsafe impl Sync for PinnedBuf {}

impl PinnedBuf {
    /// The buffer's bytes.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` points to `bytes` bytes owned by this buffer, borrowed mutably here.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.bytes) }
    }

    /// The buffer's bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        // SAFETY: as above, shared.
        unsafe { std::slice::from_raw_parts(self.ptr, self.bytes) }
    }
}
