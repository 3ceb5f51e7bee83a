//! Every CUDA kernel program compiles with NVRTC for sm_90 (Hopper), with no GPU needed, and
//! fits the launch limits it is used with; prints ptxas' registers, stack and spills per
//! kernel. Without NVRTC on the library path the test prints `SKIP <reason>`, unless
//! `SHEAF_REQUIRE_CUDA_TOOLS=1` (set by `ci/test.sh`, which installs NVRTC), when it fails.

#![cfg(feature = "cuda")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sheaf_kernels::cuda::{Program, compile, nvrtc_missing, nvrtc_version, parse_resources};

/// The largest block each kernel is launched with (the drivers' constants).
fn max_block(kernel: &str) -> u32 {
    match kernel {
        "scan_blocks" => 1024,
        "ntt_pass" => 512,
        _ => 256,
    }
}

#[test]
fn every_program_compiles_for_sm_90() {
    if let Some(reason) = nvrtc_missing() {
        let required = std::env::var("SHEAF_REQUIRE_CUDA_TOOLS").is_ok_and(|v| v.trim() == "1");
        assert!(
            !required,
            "SHEAF_REQUIRE_CUDA_TOOLS=1 but NVRTC is unavailable: {reason}"
        );
        eprintln!("SKIP NVRTC unavailable: {reason}");
        return;
    }
    let (major, minor) = nvrtc_version().expect("NVRTC version");
    eprintln!("NVRTC {major}.{minor}");
    // The programs compile in parallel; ptxas is the slow part (seconds for the curve code).
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = Program::ALL
            .into_iter()
            .map(|p| s.spawn(move || (p, compile(p, "sm_90"))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut table = vec![format!(
        "{:<26} {:>5} {:>6} {:>7} {:>7} {:>6}",
        "kernel", "regs", "stack", "spill_st", "spill_ld", "smem"
    )];
    let mut problems = Vec::new();
    for (program, result) in results {
        let compiled = result.unwrap_or_else(|e| panic!("{}: {e}", program.name()));
        let ptx = String::from_utf8_lossy(&compiled.ptx);
        assert!(
            ptx.contains(".target sm_90"),
            "{}: PTX is not for sm_90",
            program.name()
        );
        assert!(
            !compiled.cubin.is_empty(),
            "{}: no device code",
            program.name()
        );
        for kernel in program.kernels() {
            assert!(
                ptx.contains(&format!(".entry {kernel}(")),
                "{}: kernel {kernel} missing from the PTX",
                program.name()
            );
        }
        // No compiler warnings: any line other than ptxas' report is one.
        for line in compiled.log.lines() {
            let l = line.trim();
            if !l.is_empty() && !l.starts_with("ptxas") {
                problems.push(format!("{}: compiler says: {l}", program.name()));
            }
        }
        let resources = parse_resources(&compiled.log);
        for kernel in program.kernels() {
            let r = resources
                .iter()
                .find(|r| r.name == *kernel)
                .unwrap_or_else(|| panic!("no ptxas report for {kernel}"));
            table.push(format!(
                "{:<26} {:>5} {:>6} {:>7} {:>7} {:>6}",
                r.name, r.registers, r.stack_bytes, r.spill_stores, r.spill_loads, r.shared_bytes
            ));
            // A launch fails if the block needs more registers than a multiprocessor has.
            let block = max_block(kernel);
            if r.registers * block > 65536 {
                problems.push(format!(
                    "{kernel}: {} registers × {block} threads exceeds the 64K registers of an SM",
                    r.registers
                ));
            }
            if r.shared_bytes > 48 * 1024 {
                problems.push(format!(
                    "{kernel}: {} bytes of static shared memory",
                    r.shared_bytes
                ));
            }
        }
    }
    eprintln!("{}", table.join("\n"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
