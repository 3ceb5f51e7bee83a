//! The CPU emulator device: the kernel sources compiled by a host C++ compiler into a shared
//! library (see `kernels/cuda/emulate/emulate.hpp`), device memory as host memory, every call
//! synchronous. It exists for the emulation tests, which run the drivers' real launch sequence
//! and the real kernel code on machines without a GPU.

use std::alloc::Layout;
use std::collections::HashMap;
use std::ffi::{CString, c_char};
use std::path::Path;
use std::sync::Mutex;

use super::gpu::{DevPtr, Shape};
use crate::{BackendKind, KernelError};

type LaunchFn = unsafe extern "C" fn(
    *const c_char,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    *const u8,
    usize,
    *mut c_char,
    usize,
) -> i32;

/// A loaded emulator library.
pub(crate) struct EmuDevice {
    launch: LaunchFn,
    allocations: Mutex<HashMap<DevPtr, Layout>>,
    // Keeps the code behind `launch` loaded; dropped last.
    _library: libloading::Library,
}

fn emu_error(message: String) -> KernelError {
    KernelError::Device {
        backend: BackendKind::Cuda,
        message: format!("emulator: {message}"),
    }
}

impl EmuDevice {
    /// Loads the emulator library at `path` (built from [`super::emulator_source`]).
    pub(crate) fn load(path: &Path) -> Result<Self, KernelError> {
        // SAFETY: the library is our own emulator, whose initialisers only register kernels.
        let library = unsafe { libloading::Library::new(path) }
            .map_err(|e| emu_error(format!("cannot load {}: {e}", path.display())))?;
        // SAFETY: the symbol has the signature of `sheaf_emu_launch` in emulate.hpp.
        let launch: LaunchFn = unsafe {
            *library
                .get::<LaunchFn>(b"sheaf_emu_launch\0")
                .map_err(|e| emu_error(format!("no sheaf_emu_launch in {}: {e}", path.display())))?
        };
        Ok(Self {
            launch,
            allocations: Mutex::new(HashMap::new()),
            _library: library,
        })
    }

    fn allocations(&self) -> std::sync::MutexGuard<'_, HashMap<DevPtr, Layout>> {
        self.allocations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn alloc(&self, bytes: usize) -> Result<DevPtr, KernelError> {
        let layout = Layout::from_size_align(bytes.max(1), 256)
            .map_err(|e| emu_error(format!("allocation of {bytes} bytes: {e}")))?;
        // SAFETY: non-zero size. Fresh memory is zeroed (real device memory is not; the
        // drivers never rely on either).
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        if ptr.is_null() {
            return Err(emu_error(format!("out of memory allocating {bytes} bytes")));
        }
        let addr = ptr as DevPtr;
        self.allocations().insert(addr, layout);
        Ok(addr)
    }

    pub(crate) fn free(&self, ptr: DevPtr) {
        if let Some(layout) = self.allocations().remove(&ptr) {
            // SAFETY: allocated by `alloc` with this layout, freed once.
            unsafe { std::alloc::dealloc(ptr as *mut u8, layout) };
        }
    }

    /// Checks that `[ptr, ptr + bytes)` lies inside one allocation: the emulator's stand-in
    /// for the device's memory protection on copies.
    fn check_range(&self, ptr: DevPtr, bytes: usize, what: &str) -> Result<(), KernelError> {
        let ok = self.allocations().iter().any(|(&base, layout)| {
            ptr >= base && ptr + bytes as u64 <= base + layout.size() as u64
        });
        if ok {
            Ok(())
        } else {
            Err(emu_error(format!(
                "{what} of {bytes} bytes at {ptr:#x} is outside every allocation"
            )))
        }
    }

    pub(crate) fn zero(&self, ptr: DevPtr, bytes: usize) -> Result<(), KernelError> {
        self.check_range(ptr, bytes, "memset")?;
        // SAFETY: inside one live allocation (checked above).
        unsafe { std::ptr::write_bytes(ptr as *mut u8, 0, bytes) };
        Ok(())
    }

    pub(crate) fn upload(&self, dst: DevPtr, src: &[u8]) -> Result<(), KernelError> {
        self.check_range(dst, src.len(), "upload")?;
        // SAFETY: inside one live allocation (checked above), disjoint from `src`.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), dst as *mut u8, src.len()) };
        Ok(())
    }

    pub(crate) fn download(&self, dst: &mut [u8], src: DevPtr) -> Result<(), KernelError> {
        self.check_range(src, dst.len(), "download")?;
        // SAFETY: inside one live allocation (checked above), disjoint from `dst`.
        unsafe { std::ptr::copy_nonoverlapping(src as *const u8, dst.as_mut_ptr(), dst.len()) };
        Ok(())
    }

    pub(crate) fn launch(
        &self,
        kernel: &'static str,
        shape: Shape,
        params: &[u8],
    ) -> Result<(), KernelError> {
        let name = CString::new(kernel).map_err(|_| emu_error("kernel name with NUL".into()))?;
        let mut message = vec![0 as c_char; 512];
        let (gx, gy, gz) = shape.grid;
        // SAFETY: `launch` is the emulator's entry point; the parameter bytes are the kernel's
        // struct (its size is checked on the C++ side) and its pointers are live allocations.
        let status = unsafe {
            (self.launch)(
                name.as_ptr(),
                gx,
                gy,
                gz,
                shape.block,
                1,
                1,
                params.as_ptr(),
                params.len(),
                message.as_mut_ptr(),
                message.len(),
            )
        };
        if status != 0 {
            let bytes: Vec<u8> = message
                .iter()
                .take_while(|&&c| c != 0)
                .map(|&c| c as u8)
                .collect();
            return Err(emu_error(format!(
                "launch of {kernel} failed: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        Ok(())
    }
}
