//! Property tests (bounded: at most 64 terms / 2^6 points, 32 cases each), run with a fixed
//! proptest RNG so a failure reproduces; proptest shrinks a failing input before reporting it.

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, PrimeField, Zero};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sheaf_kernels::reference::{naive_msm, naive_ntt};
use sheaf_kernels::{Msm, Ntt, NttDirection};

use super::data::{NAIVE_MAX_MSM, TestCurve};

/// A runner with 32 cases, no failure files, and a deterministic RNG.
fn runner() -> TestRunner {
    let mut config = Config::with_cases(32);
    config.failure_persistence = None;
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// Scalars biased towards the edges: 0, ±1, small, near r, and uniform.
fn scalar() -> impl Strategy<Value = Fr> + Clone {
    prop_oneof![
        1 => Just(Fr::zero()),
        1 => Just(Fr::one()),
        1 => Just(-Fr::one()),
        2 => any::<u16>().prop_map(Fr::from),
        2 => any::<u64>().prop_map(|k| -Fr::from(k)),
        6 => any::<[u8; 32]>().prop_map(|b| Fr::from_le_bytes_mod_order(&b)),
    ]
}

/// Bases from a pool of 8 random points, their negations, and the identity, so repeats and
/// cancellations are common.
fn base<C: TestCurve>() -> impl Strategy<Value = Affine<C>> + Clone {
    const POOL: usize = 8;
    (0..=2 * POOL).prop_map(|i| {
        let pool = C::points(POOL);
        match i {
            i if i < POOL => pool[i],
            i if i < 2 * POOL => -pool[i - POOL],
            _ => Affine::<C>::zero(),
        }
    })
}

/// For up to 64 terms: `msm(B, a)` equals the naive reference; `msm(B, α·a + β·b) =
/// α·msm(B, a) + β·msm(B, b)`; and splitting the input in two and adding the halves' MSMs gives
/// the same result.
pub fn prop_msm_linearity<C: TestCurve, B: Msm<Projective<C>>>(b: &B) {
    let strategy = (1..=NAIVE_MAX_MSM).prop_flat_map(|n| {
        (
            proptest::collection::vec(base::<C>(), n),
            proptest::collection::vec(scalar(), n),
            proptest::collection::vec(scalar(), n),
            scalar(),
            scalar(),
            0..=n,
        )
    });
    let result = runner().run(&strategy, |(bases, a, c, alpha, beta, split)| {
        let msm = |s: &[Fr], bs: &[Affine<C>]| {
            b.msm(bs, s).map_err(|e| TestCaseError::fail(e.to_string()))
        };
        let ma = msm(&a, &bases)?;
        let naive = naive_msm::<Projective<C>>(&bases, &a)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            ma.into_affine(),
            naive.into_affine(),
            "{} msm vs naive",
            C::NAME
        );
        let mc = msm(&c, &bases)?;
        let combined: Vec<Fr> = a
            .iter()
            .zip(&c)
            .map(|(x, y)| alpha * x + beta * y)
            .collect();
        let lhs = msm(&combined, &bases)?;
        prop_assert_eq!(
            lhs.into_affine(),
            (ma * alpha + mc * beta).into_affine(),
            "{} linearity",
            C::NAME
        );
        let halves = msm(&a[..split], &bases[..split])? + msm(&a[split..], &bases[split..])?;
        prop_assert_eq!(
            halves.into_affine(),
            ma.into_affine(),
            "{} split at {}",
            C::NAME,
            split
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{} MSM property failed: {e}", C::NAME);
    }
}

/// For sizes up to 2^6 and any non-zero shift: `intt(ntt(x)) = x`, `coset_intt(coset_ntt(x)) = x`,
/// and the forward transforms equal the naive reference.
pub fn prop_ntt_roundtrip<B: Ntt<Fr>>(b: &B) {
    let strategy = (0..=6u32).prop_flat_map(|log_n| {
        (
            proptest::collection::vec(scalar(), 1usize << log_n),
            scalar().prop_filter("non-zero shift", |g| !g.is_zero()),
        )
    });
    let result = runner().run(&strategy, |(input, g)| {
        let fail = |e: sheaf_kernels::KernelError| TestCaseError::fail(e.to_string());
        let mut v = input.clone();
        b.ntt(&mut v).map_err(fail)?;
        let naive = naive_ntt(&input, NttDirection::Forward, None).map_err(fail)?;
        prop_assert_eq!(&v, &naive, "ntt vs naive");
        b.intt(&mut v).map_err(fail)?;
        prop_assert_eq!(&v, &input, "intt(ntt(x))");
        let mut v = input.clone();
        b.coset_ntt(&mut v, g).map_err(fail)?;
        let naive = naive_ntt(&input, NttDirection::Forward, Some(g)).map_err(fail)?;
        prop_assert_eq!(&v, &naive, "coset_ntt vs naive");
        b.coset_intt(&mut v, g).map_err(fail)?;
        prop_assert_eq!(&v, &input, "coset_intt(coset_ntt(x))");
        Ok(())
    });
    if let Err(e) = result {
        panic!("NTT property failed: {e}");
    }
}
