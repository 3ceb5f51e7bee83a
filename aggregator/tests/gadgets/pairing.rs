// The in-circuit pairing check against arkworks: products equal to one are accepted, others
// are not, and a twist point outside G2 is caught by the membership check.

use ark_bn254::{Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::gadgets::{G1Var, G2Var, Pair, RangeMode, assert_pairing_product_is_one};

use super::{finish, new_ctx};

fn check(pairs: &[(G1Affine, G2Affine, bool)], mode: RangeMode) -> (bool, usize) {
    let ctx = new_ctx(mode);
    let vars: Vec<Pair> = pairs
        .iter()
        .map(|(p, q, check_subgroup)| {
            let p = G1Var::witness(&ctx, Some(*p)).unwrap();
            let q = G2Var::witness(&ctx, Some(*q)).unwrap();
            p.assert_on_curve(&ctx).unwrap();
            q.assert_on_curve(&ctx).unwrap();
            Pair {
                p,
                q,
                check_subgroup: *check_subgroup,
            }
        })
        .collect();
    assert_pairing_product_is_one(&ctx, &vars).unwrap();
    let built = finish(&ctx);
    (built.satisfied(), built.r1cs.num_constraints())
}

fn cancelling_pairs(rng: &mut ChaCha20Rng) -> Vec<(G1Affine, G2Affine)> {
    let (a, b) = (Fr::rand(rng), Fr::rand(rng));
    let g = G1Projective::generator();
    let h = G2Projective::generator();
    vec![
        ((g * a).into_affine(), (h * b).into_affine()),
        ((-(g * (a * b))).into_affine(), h.into_affine()),
    ]
}

#[test]
fn pairing_products_equal_to_one_are_accepted_and_others_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let mode = RangeMode::Lookup { chunk_bits: 16 };
    let pairs = cancelling_pairs(&mut rng);
    let with = |flags: [bool; 2], ps: &[(G1Affine, G2Affine)]| -> Vec<(G1Affine, G2Affine, bool)> {
        ps.iter()
            .zip(flags)
            .map(|((p, q), f)| (*p, *q, f))
            .collect()
    };
    let (ok, constraints) = check(&with([true, false], &pairs), mode);
    println!("pairing check of 2 pairs (one G2 membership check): {constraints} constraints");
    assert!(ok);
    // Changing one G1 point breaks the product.
    let mut bad = pairs.clone();
    bad[0].0 = (bad[0].0 + G1Affine::generator()).into_affine();
    assert!(!check(&with([false, false], &bad), mode).0);
}

#[test]
fn a_twist_point_outside_g2_fails_the_membership_check() {
    // A point on the twist whose order is not r, paired so that nothing else fails first: the
    // product check alone cannot be satisfied either, but the point must be refused anyway.
    let b = ark_bn254::g2::Config::COEFF_B;
    let mut k = 1u64;
    let outside = loop {
        let x = Fq2::from(k);
        if let Some(y) = (x * x * x + b).sqrt() {
            let pt = G2Affine::new_unchecked(x, y);
            if !pt.is_in_correct_subgroup_assuming_on_curve() {
                break pt;
            }
        }
        k += 1;
    };
    let g = G1Affine::generator();
    let mode = RangeMode::Lookup { chunk_bits: 16 };
    assert!(!check(&[(g, outside, true), (-g, outside, true)], mode).0);
}
