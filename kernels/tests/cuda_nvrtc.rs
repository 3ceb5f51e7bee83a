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

#[test]
fn ptxas_report_is_parsed() {
    let log = "ptxas info    : 0 bytes gmem\n\
        ptxas info    : Compiling entry function 'msm_reduce_g2' for 'sm_90'\n\
        ptxas info    : Function properties for msm_reduce_g2\n\
        ptxas         .     816 bytes stack frame, 24 bytes spill stores, 16 bytes spill loads\n\
        ptxas info    : Used 255 registers, used 0 barriers, 1088 bytes cumulative stack size\n\
        ptxas info    : Compiling entry function 'ntt_pass' for 'sm_90'\n\
        ptxas info    : Function properties for ntt_pass\n\
        ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n\
        ptxas info    : Used 48 registers, used 1 barriers, 49152 bytes smem\n";
    let r = sheaf_kernels::cuda::parse_resources(log);
    assert_eq!(r.len(), 2);
    assert_eq!(
        (
            r[0].name.as_str(),
            r[0].registers,
            r[0].stack_bytes,
            r[0].spill_stores,
            r[0].spill_loads
        ),
        ("msm_reduce_g2", 255, 1088, 24, 16)
    );
    assert_eq!(
        (r[1].name.as_str(), r[1].registers, r[1].shared_bytes),
        ("ntt_pass", 48, 49152)
    );
}

#[test]
fn ntt_passes_cover_every_stage() {
    use sheaf_kernels::cuda::ntt_passes;
    assert_eq!(ntt_passes(26, 10), vec![(0, 9), (9, 9), (18, 8)]);
    assert_eq!(ntt_passes(20, 10), vec![(0, 10), (10, 10)]);
    assert_eq!(ntt_passes(1, 10), vec![(0, 1)]);
    for log_n in 1..=28 {
        for cap in 1..=10 {
            let p = ntt_passes(log_n, cap);
            let mut next = 0;
            for &(first, stages) in &p {
                assert_eq!(first, next, "2^{log_n}, cap {cap}: {p:?}");
                assert!((1..=cap).contains(&stages), "2^{log_n}, cap {cap}: {p:?}");
                next += stages;
            }
            assert_eq!(next, log_n, "2^{log_n}, cap {cap}: {p:?}");
        }
    }
}

#[test]
fn msm_plans_cover_the_scalar_and_end_with_one_sum_per_bucket() {
    use sheaf_kernels::cuda::{MsmPlan, Tuning};
    let mut last_c = 0;
    for log_n in 0..=26u32 {
        let n = 1usize << log_n;
        let plan = MsmPlan::new(n, 132, &Tuning::default()).unwrap();
        assert!(plan.windows * plan.c > 254, "{plan:?}");
        assert_eq!(plan.buckets, (1 << (plan.c - 1)) + 1);
        assert!(plan.c >= last_c, "c shrinks at 2^{log_n}: {plan:?}");
        last_c = plan.c;
        // After the rounds, no bucket of at most n entries has more than one partial sum.
        let capacity: u64 = plan.rounds.iter().map(|&s| u64::from(s)).product();
        assert!(capacity >= n as u64, "{plan:?}");
    }
    let p20 = MsmPlan::new(1 << 20, 132, &Tuning::default()).unwrap();
    assert!((13..=17).contains(&p20.c), "{p20:?}");
}
