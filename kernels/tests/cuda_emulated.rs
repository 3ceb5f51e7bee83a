//! The CUDA backend's drivers and kernels on the CPU emulator: the kernel sources are compiled
//! by the host C++ compiler (`c++`, or `$CXX`) against `kernels/cuda/emulate/emulate.hpp`, and
//! the real launch sequence runs on them — carry chains instruction by instruction, barriers
//! as real thread barriers — and every result is compared with arkworks. This is how the
//! kernels are checked on machines without a GPU; the GPU itself runs the conformance suite
//! (`tests/cuda.rs`, through `ci/gpu.sh`).
//!
//! Without a C++20 compiler the tests print `SKIP <reason>`, unless
//! `SHEAF_REQUIRE_CUDA_TOOLS=1` (set by `ci/test.sh`), when they fail.

#![cfg(feature = "cuda")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code, unused_imports, unused_macros)]
mod conformance;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use ark_bn254::{Fr, G1Projective, G2Projective, g1, g2};
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{FftField, One, Zero};
use sheaf_kernels::cuda::{CudaBackend, Tuning, emulator_source};
use sheaf_kernels::{KernelError, Msm, NttDirection};

use conformance::data::{TestCurve, random_scalars, rng};
use conformance::ntt::{Op, arkworks, assert_same, random_vec};

/// The emulated backend, built once per test process; `None` (after printing SKIP) when no
/// C++ compiler is available and the tools are not required.
fn emulator() -> Option<&'static CudaBackend> {
    static BACKEND: OnceLock<Result<CudaBackend, String>> = OnceLock::new();
    let built = BACKEND.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sheaf-cuda-emulator");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let source = dir.join(format!("emulator-{}.cpp", std::process::id()));
        let library = dir.join(format!("libsheaf_emulator-{}.so", std::process::id()));
        std::fs::write(&source, emulator_source()).map_err(|e| e.to_string())?;
        let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".to_owned());
        let out = Command::new(&cxx)
            .args([
                "-std=c++20",
                "-O2",
                "-shared",
                "-fPIC",
                "-pthread",
                "-w",
                "-o",
            ])
            .arg(&library)
            .arg(&source)
            .output()
            .map_err(|e| format!("cannot run the C++ compiler `{cxx}`: {e}"))?;
        if !out.status.success() {
            // The compiler ran and rejected the sources: always a failure.
            panic!(
                "the emulator does not compile with {cxx}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        CudaBackend::emulated(&library).map_err(|e| e.to_string())
    });
    match built {
        Ok(b) => Some(b),
        Err(reason) => {
            let required = std::env::var("SHEAF_REQUIRE_CUDA_TOOLS").is_ok_and(|v| v.trim() == "1");
            assert!(
                !required,
                "SHEAF_REQUIRE_CUDA_TOOLS=1 but the emulator cannot be built: {reason}"
            );
            eprintln!("SKIP CUDA emulator unavailable: {reason}");
            None
        }
    }
}

fn arkworks_msm<C: TestCurve>(bases: &[Affine<C>], scalars: &[Fr]) -> Projective<C> {
    <Projective<C> as VariableBaseMSM>::msm(bases, scalars).unwrap()
}

fn check_msm<C: TestCurve>(b: &CudaBackend, bases: &[Affine<C>], scalars: &[Fr], what: &str)
where
    CudaBackend: Msm<Projective<C>>,
{
    let got = b
        .msm(bases, scalars)
        .unwrap_or_else(|e| panic!("{} {what}: {e}", C::NAME));
    let want = arkworks_msm(bases, scalars);
    assert!(
        got == want,
        "{} MSM n={} ({what}, tuning {:?}): {} != arkworks {}",
        C::NAME,
        bases.len(),
        b.tuning(),
        got.into_affine(),
        want.into_affine()
    );
}

/// Random scalars and the usual edge sizes.
fn random_sizes<C: TestCurve>(b: &CudaBackend)
where
    CudaBackend: Msm<Projective<C>>,
{
    for n in [0usize, 1, 2, 3, 7, 31, 32, 33, 64, 100, 257, 1000] {
        let scalars = random_scalars(0x5eaf_e000 + n as u64, n);
        check_msm(b, C::points(n), &scalars, &format!("random, n={n}"));
    }
}

/// Inputs that stress the sort and the rounds: every scalar equal (one bucket per window
/// holds everything), 0/1 scalars, ±1, repeated and cancelling bases, identity bases.
fn skewed<C: TestCurve>(b: &CudaBackend, n: usize)
where
    CudaBackend: Msm<Projective<C>>,
{
    let pts = C::points(n);
    let s = random_scalars(0x5eaf_e100, 1)[0];
    check_msm(b, pts, &vec![s; n], "all scalars equal");
    check_msm(b, pts, &vec![Fr::one(); n], "all scalars 1");
    check_msm(b, pts, &vec![-Fr::one(); n], "all scalars -1");
    let bits: Vec<Fr> = (0..n).map(|i| Fr::from((i % 3 == 0) as u64)).collect();
    check_msm(b, pts, &bits, "0/1 scalars");
    let repeated = vec![pts[0]; n];
    check_msm(
        b,
        &repeated,
        &random_scalars(0x5eaf_e101, n),
        "one base repeated",
    );
    let mut cancelling: Vec<Affine<C>> = Vec::new();
    let mut cs = Vec::new();
    for (i, p) in pts.iter().enumerate().take(n / 2) {
        cancelling.extend([*p, -*p]);
        let k = Fr::from(i as u64 + 7);
        cs.extend([k, k]);
    }
    check_msm(b, &cancelling, &cs, "cancelling pairs");
    let mut with_identity = pts.to_vec();
    for p in with_identity.iter_mut().step_by(3) {
        *p = Affine::<C>::identity();
    }
    check_msm(
        b,
        &with_identity,
        &random_scalars(0x5eaf_e102, n),
        "every third base the identity",
    );
    check_msm(b, pts, &vec![Fr::zero(); n], "all scalars zero");
}

/// Plans far from the defaults: tiny windows with two-entry segments (many rounds) and
/// reduction chunks of 2 (many levels), a 12-bit window over a few terms (almost every bucket
/// empty; 16 bits is covered by `msm_g1_window_digit_extremes`, and would cost over a minute
/// here for the reduction of 2^15 buckets per window), and long segments.
fn tunings() -> Vec<Tuning> {
    let mut out = vec![Tuning::default()];
    for c in [2, 3, 5, 9] {
        out.push(Tuning {
            window_bits: Some(c),
            first_segment: Some(2),
            segment: 2,
            reduce_chunk: 2,
            ..Tuning::default()
        });
    }
    out.push(Tuning {
        window_bits: Some(12),
        ..Tuning::default()
    });
    out.push(Tuning {
        window_bits: Some(7),
        first_segment: Some(64),
        segment: 32,
        reduce_chunk: 16,
        ..Tuning::default()
    });
    out
}

#[test]
fn msm_g1_random_sizes() {
    let Some(b) = emulator() else { return };
    random_sizes::<g1::Config>(b);
}

#[test]
fn msm_g2_random_sizes() {
    let Some(b) = emulator() else { return };
    random_sizes::<g2::Config>(b);
}

#[test]
fn msm_g1_skewed_inputs_under_every_plan() {
    let Some(b) = emulator() else { return };
    for tuning in tunings() {
        skewed::<g1::Config>(&b.with_tuning(tuning), 40);
    }
}

#[test]
fn msm_g2_skewed_inputs_under_every_plan() {
    let Some(b) = emulator() else { return };
    for tuning in tunings().into_iter().step_by(2) {
        skewed::<g2::Config>(&b.with_tuning(tuning), 24);
    }
}

/// The conformance suite's window-edge scalars (every digit at 2^(c-1), 2^c - 1, ... for
/// c = 2..=20) against distinct bases, under the default plan and forced window widths.
#[test]
fn msm_g1_window_digit_extremes() {
    let Some(b) = emulator() else { return };
    let patterns = conformance::data::window_extreme_scalars();
    let pts = <g1::Config as TestCurve>::points(patterns.len());
    let near_r: Vec<Fr> = (1..=patterns.len() as u64).map(|k| -Fr::from(k)).collect();
    for c in [None, Some(4), Some(12), Some(16)] {
        let t = b.with_tuning(Tuning {
            window_bits: c,
            ..Tuning::default()
        });
        check_msm(&t, pts, &patterns, &format!("window patterns, c = {c:?}"));
        check_msm(
            &t,
            pts,
            &near_r,
            &format!("scalars r-1, r-2, ..., c = {c:?}"),
        );
    }
}

/// On G1: the collisions exercise the digit, sort and bucket logic, which G2 shares except for
/// the accumulation, whose doubling and cancelling cases G2 meets in
/// `msm_g2_skewed_inputs_under_every_plan` (on G2 this case takes three times as long).
#[test]
fn msm_colliding_digits() {
    let Some(b) = emulator() else { return };
    conformance::cases::msm_colliding_digit_pairs::<g1::Config, _>(b);
}

#[test]
fn msm_g1_random_4096_with_random_plans() {
    let Some(b) = emulator() else { return };
    let n = 4096;
    let scalars = random_scalars(0x5eaf_e200, n);
    let pts = <g1::Config as TestCurve>::points(n);
    for c in [8, 11, 13] {
        let t = Tuning {
            window_bits: Some(c),
            ..Tuning::default()
        };
        check_msm(&b.with_tuning(t), pts, &scalars, &format!("c = {c}"));
    }
}

#[test]
fn prepared_bases_serve_many_calls() {
    let Some(b) = emulator() else { return };
    let pts = <g1::Config as TestCurve>::points(300);
    let prepared = b.prepare_bases(pts).unwrap();
    assert_eq!(prepared.len(), 300);
    for (k, n) in [300usize, 1, 299, 64, 0].into_iter().enumerate() {
        let scalars = random_scalars(0x5eaf_e300 + k as u64, n);
        let got: G1Projective = b.msm_prepared(&prepared, &scalars).unwrap();
        assert_eq!(
            got,
            arkworks_msm(&pts[..n], &scalars),
            "prefix of {n} bases"
        );
    }
    let too_many = random_scalars(1, 301);
    assert!(matches!(
        b.msm_prepared(&prepared, &too_many),
        Err(KernelError::LengthMismatch {
            bases: 300,
            scalars: 301
        })
    ));
    let g2_pts = <g2::Config as TestCurve>::points(20);
    let g2_prepared = b.prepare_bases(g2_pts).unwrap();
    let scalars = random_scalars(9, 20);
    let (sum, times) = b.time_msm_resident(&g2_prepared, &scalars, 2).unwrap();
    let want: G2Projective = arkworks_msm(g2_pts, &scalars);
    assert_eq!(sum, want);
    assert_eq!(times.len(), 2);
}

fn check_ntt(b: &CudaBackend, log_n: u32, op: Op) {
    let input = random_vec(0x5eaf_e400 + u64::from(log_n), 1 << log_n);
    let mut got = input.clone();
    conformance::ntt::apply(b, &mut got, op).unwrap();
    let want = arkworks(&input, op);
    assert_same(
        &got,
        &want,
        &format!("2^{log_n} {op:?} (tuning {:?})", b.tuning()),
    );
}

#[test]
fn ntt_every_size_and_direction() {
    let Some(b) = emulator() else { return };
    let g = Fr::GENERATOR;
    let shift = Fr::from(0x1234_5678u64);
    for log_n in 0..=11 {
        for op in [
            Op::Forward,
            Op::Inverse,
            Op::CosetForward(g),
            Op::CosetInverse(shift),
        ] {
            check_ntt(b, log_n, op);
        }
    }
}

#[test]
fn ntt_many_passes() {
    let Some(b) = emulator() else { return };
    for max in [1, 2, 3, 4] {
        let t = b.with_tuning(Tuning {
            ntt_max_pass_log: max,
            ..Tuning::default()
        });
        for log_n in [1, 2, 5, 7, 9, 10] {
            check_ntt(&t, log_n, Op::Forward);
            check_ntt(&t, log_n, Op::CosetInverse(Fr::GENERATOR));
        }
    }
}

#[test]
fn ntt_batches_and_timing() {
    let Some(b) = emulator() else { return };
    for (log_n, batch) in [(4u32, 5usize), (9, 3), (0, 4)] {
        let n = 1usize << log_n;
        let input = random_vec(0x5eaf_e500 + u64::from(log_n), n * batch);
        for op in [Op::Forward, Op::CosetInverse(Fr::GENERATOR)] {
            let (direction, shift) = match op {
                Op::Forward => (NttDirection::Forward, None),
                Op::CosetInverse(g) => (NttDirection::Inverse, Some(g)),
                _ => unreachable!(),
            };
            let mut got = input.clone();
            b.ntt_batch(&mut got, n, direction, shift).unwrap();
            for k in 0..batch {
                let want = arkworks(&input[k * n..(k + 1) * n], op);
                assert_same(
                    &got[k * n..(k + 1) * n],
                    &want,
                    &format!("batch {k} of 2^{log_n} {op:?}"),
                );
            }
        }
    }
    let mut odd = random_vec(7, 24);
    assert!(matches!(
        b.ntt_batch(&mut odd, 16, NttDirection::Forward, None),
        Err(KernelError::NotPowerOfTwo { .. })
    ));
    let times = b
        .time_ntt_resident(&random_vec(8, 1 << 8), 1, NttDirection::Forward, None, 3)
        .unwrap();
    assert_eq!(times.len(), 3);
    let _ = rng(0);
}
