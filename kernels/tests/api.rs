//! Backend-independent API checks: backend names and selection, NTT length validation, and a
//! sanity check of the naive references the conformance suite trusts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{FftField, One, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_kernels::reference::{naive_msm, naive_ntt};
use sheaf_kernels::{
    Backend, BackendKind, KernelError, MAX_LOG_NTT, NttDirection, check_ntt_len, max_log_ntt,
};

#[test]
fn backend_kind_parses_names() {
    for (name, kind) in [
        ("cpu", BackendKind::Cpu),
        ("CUDA", BackendKind::Cuda),
        ("wgpu", BackendKind::Wgpu),
        ("Cpu", BackendKind::Cpu),
        ("cuda", BackendKind::Cuda),
        ("WGPU", BackendKind::Wgpu),
        (" cpu ", BackendKind::Cpu),
    ] {
        assert_eq!(name.parse::<BackendKind>(), Ok(kind), "parsing {name:?}");
    }
    for kind in BackendKind::PREFERENCE {
        assert_eq!(
            kind.name().parse::<BackendKind>(),
            Ok(kind),
            "name round trip"
        );
        assert_eq!(kind.to_string(), kind.name(), "Display is the name");
    }
    for name in ["gpu9", "", "cpu0", "opencl"] {
        assert_eq!(
            name.parse::<BackendKind>(),
            Err(KernelError::UnknownBackend {
                name: name.to_owned()
            }),
            "parsing {name:?}"
        );
    }
}

#[test]
fn backend_from_name() {
    assert_eq!(
        Backend::from_name("gpu9").err(),
        Some(KernelError::UnknownBackend {
            name: "gpu9".to_owned()
        })
    );
    let cpu = Backend::from_name("cpu").expect("the CPU backend always opens");
    assert_eq!(cpu.kind(), BackendKind::Cpu);
    let cpu = Backend::from_name("CPU").expect("names are case-insensitive");
    assert_eq!(cpu.kind(), BackendKind::Cpu);
}

/// CUDA and wgpu either open (on a machine and build that has them) or report `Unavailable`
/// naming themselves, never another error.
#[test]
fn gpu_backends_open_or_are_unavailable() {
    for kind in [BackendKind::Cuda, BackendKind::Wgpu] {
        match Backend::new(kind) {
            Ok(backend) => assert_eq!(
                backend.kind(),
                kind,
                "Backend::new({kind}) opened another kind"
            ),
            Err(KernelError::Unavailable { backend, reason }) => {
                assert_eq!(backend, kind, "Unavailable names the wrong backend");
                assert!(
                    !reason.trim().is_empty(),
                    "Unavailable for {kind} gives no reason"
                );
            }
            Err(other) => panic!("Backend::new({kind}) returned an unexpected error: {other}"),
        }
    }
}

#[test]
fn cpu_backend_always_opens() {
    let backend = Backend::new(BackendKind::Cpu).expect("the CPU backend always opens");
    assert_eq!(backend.kind(), BackendKind::Cpu);
}

/// `detect` returns a backend that `Backend::new` can open, and prefers CUDA, then wgpu, then
/// the CPU: no kind earlier in the preference order may be available.
#[test]
fn detect_picks_the_best_available() {
    let kind = Backend::detect().kind();
    assert!(BackendKind::PREFERENCE.contains(&kind), "detected {kind:?}");
    assert!(
        Backend::new(kind).is_ok(),
        "detect picked {kind}, which does not open"
    );
    for better in BackendKind::PREFERENCE.iter().take_while(|k| **k != kind) {
        assert!(
            Backend::new(*better).is_err(),
            "detect picked {kind} although {better}, which it prefers, is available"
        );
    }
}

#[test]
fn ntt_length_validation() {
    assert_eq!(MAX_LOG_NTT, 28);
    assert_eq!(max_log_ntt::<Fr>(), 28, "BN254 Fr has two-adicity 28");
    assert_eq!(check_ntt_len::<Fr>(1 << 28), Ok(28));
    assert_eq!(
        check_ntt_len::<Fr>(1 << 29),
        Err(KernelError::NttTooLarge {
            log_n: 29,
            max_log_n: 28
        })
    );
    assert_eq!(
        check_ntt_len::<Fr>(1 << 40),
        Err(KernelError::NttTooLarge {
            log_n: 40,
            max_log_n: 28
        })
    );
    assert_eq!(check_ntt_len::<Fr>(1), Ok(0));
    assert_eq!(check_ntt_len::<Fr>(2), Ok(1));
    assert_eq!(check_ntt_len::<Fr>(1 << 20), Ok(20));
    for len in [0, 3, 6, 1000, (1 << 28) + 1, (1 << 29) - 1, usize::MAX] {
        assert_eq!(
            check_ntt_len::<Fr>(len),
            Err(KernelError::NotPowerOfTwo { len }),
            "length {len}"
        );
    }
}

/// The naive references agree with hand-computed values and with arkworks, so the suite's
/// oracle is trustworthy on its own.
#[test]
fn naive_references_are_sane() {
    let g = G1Affine::generator();
    let sum: G1Projective =
        naive_msm::<G1Projective>(&[g, g], &[Fr::from(2u64), Fr::from(3u64)]).unwrap();
    assert_eq!(sum, g * Fr::from(5u64));
    assert_eq!(
        naive_msm::<G1Projective>(&[g], &[]),
        Err(KernelError::LengthMismatch {
            bases: 1,
            scalars: 0
        })
    );
    assert!(naive_msm::<G1Projective>(&[], &[]).unwrap().is_zero());

    // [1, 2] -> [1 + 2, 1 - 2]; inverse back.
    let two = naive_ntt(&[Fr::one(), Fr::from(2u64)], NttDirection::Forward, None).unwrap();
    assert_eq!(two, vec![Fr::from(3u64), -Fr::one()]);
    let back = naive_ntt(&two, NttDirection::Inverse, None).unwrap();
    assert_eq!(back, vec![Fr::one(), Fr::from(2u64)]);
    assert_eq!(
        naive_ntt(&[Fr::one(); 3], NttDirection::Forward, None),
        Err(KernelError::NotPowerOfTwo { len: 3 })
    );
    assert_eq!(
        naive_ntt(&[Fr::one(); 4], NttDirection::Forward, Some(Fr::zero())),
        Err(KernelError::ZeroCosetShift)
    );

    let mut rng = ChaCha20Rng::seed_from_u64(0x5eaf_a910);
    for n in [1usize, 2, 8, 64] {
        let g1: Vec<G1Affine> = (0..n).map(|_| G1Affine::rand(&mut rng)).collect();
        let g2: Vec<G2Affine> = (0..n).map(|_| G2Affine::rand(&mut rng)).collect();
        let s: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        assert_eq!(
            naive_msm::<G1Projective>(&g1, &s).unwrap(),
            G1Projective::msm(&g1, &s).unwrap()
        );
        assert_eq!(
            naive_msm::<G2Projective>(&g2, &s).unwrap(),
            G2Projective::msm(&g2, &s).unwrap()
        );
        assert!(
            naive_msm::<G1Projective>(&g1, &s)
                .unwrap()
                .into_affine()
                .is_on_curve()
        );

        let values: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let domain = Radix2EvaluationDomain::<Fr>::new(n).unwrap();
        let coset = domain.get_coset(Fr::GENERATOR).unwrap();
        assert_eq!(
            naive_ntt(&values, NttDirection::Forward, None).unwrap(),
            domain.fft(&values)
        );
        assert_eq!(
            naive_ntt(&values, NttDirection::Inverse, None).unwrap(),
            domain.ifft(&values)
        );
        assert_eq!(
            naive_ntt(&values, NttDirection::Forward, Some(Fr::GENERATOR)).unwrap(),
            coset.fft(&values)
        );
        assert_eq!(
            naive_ntt(&values, NttDirection::Inverse, Some(Fr::GENERATOR)).unwrap(),
            coset.ifft(&values)
        );
    }
}
