//! Cases that involve the whole backend rather than one kernel.

use ark_bn254::{Fr, G1Projective, G2Projective, g1, g2};
use ark_ff::FftField;

use super::Kernels;
use super::data::{TestCurve, random_scalars, seed_msg};
use super::{msm, ntt};

/// One backend shared by four threads, each running G1 and G2 MSMs and NTTs (plain and coset) in
/// a different order, three times over: every result must equal arkworks'.
pub fn concurrent_calls<B: Kernels>(b: &B) {
    let seed = 0x5eaf_0c00_0001;
    let ctx = seed_msg(seed);
    let g1_bases = <g1::Config as TestCurve>::points(4096);
    let g1_scalars = random_scalars(seed, 4096);
    let g2_bases = <g2::Config as TestCurve>::points(512);
    let g2_scalars = random_scalars(seed ^ 2, 512);
    let g1_want = msm::checked(b, g1_bases, &g1_scalars, &ctx);
    let g2_want = msm::checked(b, g2_bases, &g2_scalars, &ctx);
    let ntt_input = ntt::random_vec(seed ^ 3, 1 << 12);
    let ntt_want = ntt::arkworks(&ntt_input, ntt::Op::Forward);
    let coset_input = ntt::random_vec(seed ^ 4, 1 << 10);
    let coset_op = ntt::Op::CosetInverse(Fr::GENERATOR);
    let coset_want = ntt::arkworks(&coset_input, coset_op);

    std::thread::scope(|scope| {
        for thread in 0..4usize {
            let (ctx, g1_scalars, g2_scalars) = (&ctx, &g1_scalars, &g2_scalars);
            let (ntt_input, ntt_want, coset_input, coset_want) =
                (&ntt_input, &ntt_want, &coset_input, &coset_want);
            scope.spawn(move || {
                for round in 0..3 {
                    for job in 0..4 {
                        match (job + thread + round) % 4 {
                            0 => {
                                let got: G1Projective =
                                    b.msm(g1_bases, g1_scalars).unwrap_or_else(|e| {
                                        panic!("thread {thread}: G1 MSM error {e}")
                                    });
                                assert!(
                                    got == g1_want,
                                    "thread {thread} round {round}: G1 MSM differs ({ctx})"
                                );
                            }
                            1 => {
                                let got: G2Projective =
                                    b.msm(g2_bases, g2_scalars).unwrap_or_else(|e| {
                                        panic!("thread {thread}: G2 MSM error {e}")
                                    });
                                assert!(
                                    got == g2_want,
                                    "thread {thread} round {round}: G2 MSM differs ({ctx})"
                                );
                            }
                            2 => {
                                let got = ntt::transformed(b, ntt_input, ntt::Op::Forward, ctx);
                                ntt::assert_same(
                                    &got,
                                    ntt_want,
                                    &format!("thread {thread} round {round}: NTT 2^12 ({ctx})"),
                                );
                            }
                            _ => {
                                let got = ntt::transformed(b, coset_input, coset_op, ctx);
                                ntt::assert_same(
                                    &got,
                                    coset_want,
                                    &format!(
                                        "thread {thread} round {round}: coset iNTT 2^10 ({ctx})"
                                    ),
                                );
                            }
                        }
                    }
                }
            });
        }
    });
}
