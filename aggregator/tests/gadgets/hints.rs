// Every hint is pinned: in each gadget, changing any single witness (a slope, a coordinate, a
// quotient, an inverse, a bit, a chunk, a lookup inverse) leaves the system unsatisfied. Small
// gadgets are checked witness by witness; the pairing check, with 1.3 million witnesses, on a
// seeded random sample that covers every kind of hint it allocates.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::{AdditiveGroup, One, UniformRand};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::gadgets::{
    Ctx, Fq2Var, FqVar, G1Var, G2Var, Num, Pair, RangeMode, assert_pairing_product_is_one,
};

use super::{Built, finish, new_ctx};

const MODE: RangeMode = RangeMode::Lookup { chunk_bits: 8 };

/// Asserts the built system is satisfied and that bumping each witness in `indices` is not.
fn assert_pinned(built: &Built, indices: impl Iterator<Item = usize>, what: &str) {
    if let Err(e) = built.r1cs.evaluate(&built.z) {
        panic!("{what}: honest witness refused: {e}");
    }
    for i in indices {
        let bumped = built.z[i] + Fr::one();
        assert!(
            !built.satisfied_with(&[(i, bumped)]),
            "{what}: witness {i} is free"
        );
    }
}

fn all(built: &Built) -> std::ops::Range<usize> {
    built.num_instance..built.z.len()
}

fn g1_points(rng: &mut ChaCha20Rng) -> (G1Affine, G1Affine) {
    (G1Affine::rand(rng), G1Affine::rand(rng))
}

#[test]
fn g1_slopes_and_coordinates_are_pinned() {
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    let (p, q) = g1_points(&mut rng);
    type Gadget = fn(&Ctx, &G1Var, &G1Var);
    let gadgets: [(&str, Gadget); 5] = [
        ("on curve", |ctx, a, _| a.assert_on_curve(ctx).unwrap()),
        ("double", |ctx, a, _| drop(a.double(ctx).unwrap())),
        ("add", |ctx, a, b| drop(a.add(ctx, b).unwrap())),
        ("add distinct", |ctx, a, b| {
            drop(a.add_distinct(ctx, b).unwrap())
        }),
        ("double and add", |ctx, a, b| {
            drop(a.double_and_add(ctx, b).unwrap())
        }),
    ];
    for (name, gadget) in gadgets {
        let ctx = new_ctx(MODE);
        let a = G1Var::witness(&ctx, Some(p)).unwrap();
        let b = G1Var::witness(&ctx, Some(q)).unwrap();
        gadget(&ctx, &a, &b);
        let built = finish(&ctx);
        assert_pinned(&built, all(&built), name);
    }
    // The values are right, too.
    let ctx = new_ctx(MODE);
    let a = G1Var::witness(&ctx, Some(p)).unwrap();
    let b = G1Var::witness(&ctx, Some(q)).unwrap();
    assert_eq!(
        a.double(&ctx).unwrap().0.value(),
        Some((p + p).into_affine())
    );
    assert_eq!(
        a.add(&ctx, &b).unwrap().0.value(),
        Some((p + q).into_affine())
    );
    let twice_plus = (G1Projective::from(p).double() + q).into_affine();
    assert_eq!(
        a.double_and_add(&ctx, &b).unwrap().value(),
        Some(twice_plus)
    );
    assert!(finish(&ctx).satisfied());
}

#[test]
fn g2_slopes_divisions_and_selections_are_pinned() {
    let mut rng = ChaCha20Rng::seed_from_u64(32);
    let (p, q) = (G2Affine::rand(&mut rng), G2Affine::rand(&mut rng));
    let ctx = new_ctx(MODE);
    let a = G2Var::witness(&ctx, Some(p)).unwrap();
    let b = G2Var::witness(&ctx, Some(q)).unwrap();
    a.assert_on_curve(&ctx).unwrap();
    let (d, _) = a.double(&ctx).unwrap();
    let (s, _) = d.add_distinct(&ctx, &b).unwrap();
    assert_eq!(
        s.value(),
        Some((G2Projective::from(p).double() + q).into_affine())
    );
    let built = finish(&ctx);
    assert_pinned(&built, all(&built), "G2 double, distinct add");

    let ctx = new_ctx(MODE);
    let x = Fq2Var::witness(&ctx, Some(Fq2::rand(&mut rng))).unwrap();
    let y = Fq2Var::witness(&ctx, Some(Fq2::rand(&mut rng))).unwrap();
    let _ = x.div(&ctx, &y).unwrap();
    let k = FqVar::witness(&ctx, Some(Fq::rand(&mut rng))).unwrap();
    let _ = FqVar::constant(Fq::one()).div(&ctx, &k).unwrap();
    let bit = Num::witness(ctx.cs(), Some(Fr::one())).unwrap();
    bit.enforce_boolean(ctx.cs()).unwrap();
    let a = G2Var::witness(&ctx, Some(p)).unwrap();
    let b = G2Var::witness(&ctx, Some(q)).unwrap();
    assert_eq!(G2Var::select(&ctx, &bit, &a, &b).unwrap().value(), Some(p));
    let built = finish(&ctx);
    assert_pinned(&built, all(&built), "divisions and selection");
}

/// The pairing check of two cancelling pairs (the proof's B checked for G2 membership): the
/// residue witness, its inverse, the choice of ωˢ, every slope, line coefficient, accumulator
/// and the final check's products, sampled.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "runs in optimized builds (ci/test.sh, profile ci)"
)]
fn pairing_hints_are_pinned() {
    let mut rng = ChaCha20Rng::seed_from_u64(33);
    let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    let g = G1Projective::generator();
    let h = G2Projective::generator();
    let ctx = new_ctx(RangeMode::Lookup { chunk_bits: 16 });
    let pairs = [
        ((g * a).into_affine(), (h * b).into_affine(), true),
        ((-(g * (a * b))).into_affine(), h.into_affine(), false),
    ];
    let vars: Vec<Pair> = pairs
        .iter()
        .map(|(p, q, check)| Pair {
            p: G1Var::witness(&ctx, Some(*p)).unwrap(),
            q: G2Var::witness(&ctx, Some(*q)).unwrap(),
            check_subgroup: *check,
        })
        .collect();
    let first_hint = ctx.cs().num_witness_variables();
    assert_pairing_product_is_one(&ctx, &vars).unwrap();
    let built = finish(&ctx);
    // The first 2·12·(4·4) = 384 + 12·16 witnesses are the chunks of c and c⁻¹, then the two bits
    // of s: all of them, then a random sample of everything after.
    let start = built.num_instance + first_hint;
    let leading = start..start + 2 * 12 * 16 + 2;
    let sample: Vec<usize> = (0..150)
        .map(|_| rng.gen_range(start..built.z.len()))
        .collect();
    assert_pinned(&built, leading.chain(sample), "pairing check");
}
