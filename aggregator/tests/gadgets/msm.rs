// The public-input combination P₀ + Σ sᵢ·Pᵢ against arkworks, with zero, one, −1 and random
// scalars, and its GLV hints pinned.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::{One, UniformRand, Zero};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::gadgets::msm::linear_combination;
use sheaf_aggregator::gadgets::{G1Var, Num, RangeMode};

use super::{finish, new_ctx};

fn run(p0: G1Affine, points: &[G1Affine], scalars: &[Fr]) -> (Option<G1Affine>, bool) {
    let ctx = new_ctx(RangeMode::Lookup { chunk_bits: 8 });
    let p0v = G1Var::witness(&ctx, Some(p0)).unwrap();
    let pv: Vec<G1Var> = points
        .iter()
        .map(|p| G1Var::witness(&ctx, Some(*p)).unwrap())
        .collect();
    let sv: Vec<Num> = scalars
        .iter()
        .map(|s| Num::witness(ctx.cs(), Some(*s)).unwrap())
        .collect();
    let out = linear_combination(&ctx, &p0v, &pv, &sv).unwrap();
    (out.value(), finish(&ctx).satisfied())
}

#[test]
fn public_input_combinations_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(41);
    let p0 = G1Affine::rand(&mut rng);
    let points: Vec<G1Affine> = (0..5).map(|_| G1Affine::rand(&mut rng)).collect();
    let cases: Vec<Vec<Fr>> = vec![
        vec![Fr::zero()],
        vec![Fr::one()],
        vec![-Fr::one()],
        vec![Fr::rand(&mut rng), Fr::zero()],
        vec![
            Fr::rand(&mut rng),
            -Fr::one(),
            Fr::from(2u8),
            Fr::rand(&mut rng),
            Fr::rand(&mut rng),
        ],
    ];
    for scalars in cases {
        let pts = &points[..scalars.len()];
        let expected = (G1Projective::from(p0)
            + pts
                .iter()
                .zip(&scalars)
                .map(|(p, s)| *p * s)
                .sum::<G1Projective>())
        .into_affine();
        let (value, ok) = run(p0, pts, &scalars);
        assert_eq!(value, Some(expected), "{scalars:?}");
        assert!(ok, "{scalars:?}");
    }
    assert!(p0.is_on_curve());
}

/// The GLV halves, their signs and bits, the selections and every slope are pinned: a sample
/// of single-witness changes, each refused.
#[test]
fn public_input_combination_hints_are_pinned() {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let ctx = new_ctx(RangeMode::Lookup { chunk_bits: 8 });
    let p0 = G1Var::witness(&ctx, Some(G1Affine::rand(&mut rng))).unwrap();
    let p = G1Var::witness(&ctx, Some(G1Affine::rand(&mut rng))).unwrap();
    let start = ctx.cs().num_witness_variables();
    let s = Num::witness(ctx.cs(), Some(-Fr::rand(&mut rng))).unwrap();
    let _ = linear_combination(&ctx, &p0, &[p], &[s]).unwrap();
    let built = finish(&ctx);
    assert!(built.satisfied());
    // The scalar, the first 2·(128 + 1) split witnesses (bits and signs), then a sample.
    let first = built.num_instance + start;
    let sample = (0..200).map(|_| rng.gen_range(first..built.z.len()));
    for i in (first..first + 260).chain(sample) {
        let bumped = built.z[i] + Fr::one();
        assert!(!built.satisfied_with(&[(i, bumped)]), "witness {i} is free");
    }
}
