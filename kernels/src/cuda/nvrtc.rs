//! Run-time compilation of the kernel programs with NVRTC, loaded dynamically (cudarc's
//! `dynamic-loading`): `libnvrtc.so.13` must be on the library path at run time, not at build
//! time. The compiler's log carries ptxas' resource report (`--ptxas-options=-v`): registers,
//! stack frame and spills per kernel.

use std::ffi::{CStr, CString, c_char};

use cudarc::nvrtc::sys;

use super::sources::Program;
use crate::{BackendKind, KernelError};

/// The output of one compilation.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Which program.
    pub program: Program,
    /// The target architecture, e.g. `sm_90`.
    pub arch: String,
    /// PTX text (NUL-terminated, as NVRTC returns it).
    pub ptx: Vec<u8>,
    /// Device code for `arch`.
    pub cubin: Vec<u8>,
    /// The compiler's messages, including the ptxas resource report.
    pub log: String,
}

/// Why NVRTC cannot be used here, or `None` when `libnvrtc` loads.
pub fn nvrtc_missing() -> Option<String> {
    // SAFETY: only tries to open the library with libloading; nothing is called.
    if unsafe { sys::is_culib_present() } {
        None
    } else {
        Some(
            "libnvrtc (NVRTC, CUDA 13) was not found on the library path (LD_LIBRARY_PATH); \
             install the CUDA toolkit or the nvidia-cuda-nvrtc wheel"
                .to_owned(),
        )
    }
}

/// The NVRTC version as (major, minor).
pub fn nvrtc_version() -> Result<(i32, i32), KernelError> {
    if let Some(reason) = nvrtc_missing() {
        return Err(unavailable(reason));
    }
    let (mut major, mut minor) = (0, 0);
    // SAFETY: the library is present; the pointers are valid for writes.
    let result = unsafe { sys::nvrtcVersion(&mut major, &mut minor) };
    check(result, "nvrtcVersion")?;
    Ok((major, minor))
}

fn unavailable(reason: String) -> KernelError {
    KernelError::Unavailable {
        backend: BackendKind::Cuda,
        reason,
    }
}

fn check(result: sys::nvrtcResult, call: &str) -> Result<(), KernelError> {
    if result == sys::nvrtcResult::NVRTC_SUCCESS {
        return Ok(());
    }
    // SAFETY: nvrtcGetErrorString returns a static NUL-terminated string for any result.
    let text = unsafe { CStr::from_ptr(sys::nvrtcGetErrorString(result)) }
        .to_string_lossy()
        .into_owned();
    Err(KernelError::Device {
        backend: BackendKind::Cuda,
        message: format!("{call}: {result:?} ({text})"),
    })
}

/// An NVRTC program, destroyed on drop.
struct Prog(sys::nvrtcProgram);

impl Drop for Prog {
    fn drop(&mut self) {
        // SAFETY: created by nvrtcCreateProgram and destroyed once.
        let _ = unsafe { sys::nvrtcDestroyProgram(&mut self.0) };
    }
}

/// Compiles `program` for `arch` (`sm_90` for Hopper), returning PTX, device code and the log.
/// A compile error is a `Device` error whose message holds the compiler's log.
pub fn compile(program: Program, arch: &str) -> Result<Compiled, KernelError> {
    if let Some(reason) = nvrtc_missing() {
        return Err(unavailable(reason));
    }
    let device_err = |message: String| KernelError::Device {
        backend: BackendKind::Cuda,
        message,
    };
    let source = CString::new(program.source())
        .map_err(|_| device_err(format!("{}: source holds a NUL byte", program.name())))?;
    let name = CString::new(format!("{}.cu", program.name()))
        .map_err(|_| device_err("program name holds a NUL byte".into()))?;
    let mut options: Vec<String> = vec![
        format!("--gpu-architecture={arch}"),
        "--std=c++17".into(),
        "--ptxas-options=-v".into(),
    ];
    options.extend(program.defines().iter().map(|d| (*d).to_owned()));
    let options: Vec<CString> = options
        .into_iter()
        .map(CString::new)
        .collect::<Result<_, _>>()
        .map_err(|_| device_err("an NVRTC option holds a NUL byte".into()))?;
    let option_ptrs: Vec<*const c_char> = options.iter().map(|o| o.as_ptr()).collect();

    let mut raw = std::ptr::null_mut();
    // SAFETY: valid NUL-terminated strings that outlive the call; no headers.
    let created = unsafe {
        sys::nvrtcCreateProgram(
            &mut raw,
            source.as_ptr(),
            name.as_ptr(),
            0,
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    check(created, "nvrtcCreateProgram")?;
    let prog = Prog(raw);
    let count = i32::try_from(option_ptrs.len()).unwrap_or(i32::MAX);
    // SAFETY: `prog` is a live program and the option pointers outlive the call.
    let compiled = unsafe { sys::nvrtcCompileProgram(prog.0, count, option_ptrs.as_ptr()) };
    let log = program_log(&prog)?;
    if compiled != sys::nvrtcResult::NVRTC_SUCCESS {
        return Err(device_err(format!(
            "nvrtcCompileProgram({}.cu for {arch}) failed: {compiled:?}\n{log}",
            program.name()
        )));
    }
    let ptx = read_output(&prog, sys::nvrtcGetPTXSize, sys::nvrtcGetPTX, "PTX")?;
    let cubin = read_output(&prog, sys::nvrtcGetCUBINSize, sys::nvrtcGetCUBIN, "CUBIN")?;
    Ok(Compiled {
        program,
        arch: arch.to_owned(),
        ptx,
        cubin,
        log,
    })
}

fn program_log(prog: &Prog) -> Result<String, KernelError> {
    let mut size = 0usize;
    // SAFETY: live program, valid out pointer.
    check(
        unsafe { sys::nvrtcGetProgramLogSize(prog.0, &mut size) },
        "nvrtcGetProgramLogSize",
    )?;
    let mut buf = vec![0u8; size.max(1)];
    // SAFETY: the buffer holds `size` bytes, as NVRTC asked for.
    check(
        unsafe { sys::nvrtcGetProgramLog(prog.0, buf.as_mut_ptr().cast()) },
        "nvrtcGetProgramLog",
    )?;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

type SizeFn = unsafe fn(sys::nvrtcProgram, *mut usize) -> sys::nvrtcResult;
type ReadFn = unsafe fn(sys::nvrtcProgram, *mut c_char) -> sys::nvrtcResult;

fn read_output(
    prog: &Prog,
    size_fn: SizeFn,
    read_fn: ReadFn,
    what: &str,
) -> Result<Vec<u8>, KernelError> {
    let mut size = 0usize;
    // SAFETY: live, compiled program; valid out pointer.
    check(
        unsafe { size_fn(prog.0, &mut size) },
        &format!("nvrtcGet{what}Size"),
    )?;
    let mut buf = vec![0u8; size];
    // SAFETY: the buffer holds `size` bytes, as NVRTC asked for.
    check(
        unsafe { read_fn(prog.0, buf.as_mut_ptr().cast()) },
        &format!("nvrtcGet{what}"),
    )?;
    Ok(buf)
}

/// One kernel's resources as ptxas reported them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelResources {
    /// The kernel's name.
    pub name: String,
    /// Registers per thread.
    pub registers: u32,
    /// Stack bytes per thread (the whole call tree's, where ptxas reports it).
    pub stack_bytes: u32,
    /// Bytes of spill stores per thread.
    pub spill_stores: u32,
    /// Bytes of spill loads per thread.
    pub spill_loads: u32,
    /// Static shared memory per block.
    pub shared_bytes: u32,
}

/// The per-kernel resource lines of a ptxas `-v` report (as found in [`Compiled::log`]).
pub fn parse_resources(log: &str) -> Vec<KernelResources> {
    let mut out: Vec<KernelResources> = Vec::new();
    let number_before = |line: &str, unit: &str| -> Option<u32> {
        let end = line.find(unit)?;
        line[..end].split_whitespace().last()?.parse().ok()
    };
    // ptxas reports an entry's called functions inside the entry's section; their stack and
    // spills count for the entry (the worst one is kept).
    for line in log.lines() {
        if let Some(rest) = line.split("Compiling entry function '").nth(1) {
            let name = rest.split('\'').next().unwrap_or_default().to_owned();
            out.push(KernelResources {
                name,
                ..KernelResources::default()
            });
        } else if let Some(k) = out.last_mut() {
            if line.contains("bytes stack frame") {
                // The entry's own block, or a function it calls: keep the worst.
                k.stack_bytes = k
                    .stack_bytes
                    .max(number_before(line, "bytes stack frame").unwrap_or(0));
                k.spill_stores = k
                    .spill_stores
                    .max(number_before(line, "bytes spill stores").unwrap_or(0));
                k.spill_loads = k
                    .spill_loads
                    .max(number_before(line, "bytes spill loads").unwrap_or(0));
            } else if line.contains("registers") {
                k.registers = number_before(line, "registers").unwrap_or(0);
                k.shared_bytes = number_before(line, "bytes smem").unwrap_or(0);
                // With called functions, ptxas adds the stack of the whole call tree.
                if let Some(total) = number_before(line, "bytes cumulative stack size") {
                    k.stack_bytes = k.stack_bytes.max(total);
                }
            }
        }
    }
    out
}
