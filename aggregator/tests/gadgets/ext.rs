// Emulated Fq2 and Fq12 against arkworks: products, squares, sums with multipliers, Frobenius
// maps, divisions, and false claims unsatisfied.

use ark_bn254::{Fq, Fq2, Fq12};
use ark_ff::{Field, One, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::gadgets::{Fq2Var, Fq12Var, FqVar, Linear, Product, RangeMode};

use super::{finish, modes, new_ctx};

fn fq2_values(rng: &mut ChaCha20Rng) -> Vec<Fq2> {
    let mut v = vec![
        Fq2::zero(),
        Fq2::one(),
        -Fq2::one(),
        Fq2::new(Fq::zero(), Fq::one()),
        Fq2::new(-Fq::one(), -Fq::one()),
    ];
    v.extend((0..6).map(|_| Fq2::rand(rng)));
    v
}

#[test]
fn fq2_matches_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let xs = fq2_values(&mut rng);
    let xi = Fq2::new(Fq::from(9u8), Fq::one());
    for mode in modes() {
        for (i, &x) in xs.iter().enumerate() {
            let y = xs[(i * 5 + 2) % xs.len()];
            let k = Fq::rand(&mut rng);
            let ctx = new_ctx(mode);
            let a = Fq2Var::witness(&ctx, Some(x)).unwrap();
            let b = Fq2Var::witness(&ctx, Some(y)).unwrap();
            let kv = FqVar::witness(&ctx, Some(k)).unwrap();
            assert_eq!(a.add(&b).value(), Some(x + y));
            assert_eq!(a.sub(&b).value(), Some(x - y));
            assert_eq!(a.neg().value(), Some(-x));
            assert_eq!(a.conjugate().value(), Some(Fq2::new(x.c0, -x.c1)));
            assert_eq!(a.mul_by_nonresidue().value(), Some(x * xi));
            assert_eq!(a.mul(&ctx, &b).unwrap().value(), Some(x * y));
            assert_eq!(a.square(&ctx).unwrap().value(), Some(x * x));
            assert_eq!(
                a.mul_by_fq(&ctx, &kv).unwrap().value(),
                Some(x * Fq2::new(k, Fq::zero()))
            );
            // ξ·a·b − 2·b·b·a + a, one reduction per coordinate.
            let s = Fq2Var::sum(
                &ctx,
                &[
                    Product {
                        multiplier: vec![9, 1],
                        factors: vec![a.coords(), b.coords()],
                    },
                    Product::new(-2, vec![b.coords(), b.coords(), a.coords()]),
                ],
                &[Linear {
                    coeff: 1,
                    value: a.coords(),
                }],
            )
            .unwrap();
            assert_eq!(s.value(), Some(xi * x * y - Fq2::from(2u8) * y * y * x + x));
            if !y.is_zero() {
                assert_eq!(a.div(&ctx, &b).unwrap().value(), Some(x / y));
            }
            assert!(finish(&ctx).satisfied(), "{mode:?} case {i}");
        }
    }
}

#[test]
fn fq12_matches_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    for mode in modes() {
        for round in 0..3 {
            let (x, y) = (Fq12::rand(&mut rng), Fq12::rand(&mut rng));
            let ctx = new_ctx(mode);
            let a = Fq12Var::witness(&ctx, Some(x)).unwrap();
            let b = Fq12Var::witness(&ctx, Some(y)).unwrap();
            assert_eq!(a.value(), Some(x));
            assert_eq!(a.add(&b).value(), Some(x + y));
            assert_eq!(a.sub(&b).value(), Some(x - y));
            let prod = a.mul(&ctx, &b).unwrap();
            assert_eq!(prod.value(), Some(x * y));
            let sq = prod.square(&ctx).unwrap();
            assert_eq!(sq.value(), Some((x * y).square()));
            for power in 1..=3 {
                let mut expected = x;
                expected.frobenius_map_in_place(power);
                assert_eq!(a.frobenius(&ctx, power).unwrap().value(), Some(expected));
            }
            let inv = Fq12Var::one().div(&ctx, &a).unwrap();
            assert_eq!(inv.value(), x.inverse());
            sq.assert_equal(&ctx, &Fq12Var::constant((x * y).square()))
                .unwrap();
            assert!(finish(&ctx).satisfied(), "{mode:?} round {round}");
        }
    }
}

#[test]
fn false_tower_claims_are_unsatisfied() {
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    for mode in modes() {
        let (x, y) = (Fq12::rand(&mut rng), Fq12::rand(&mut rng));
        let ctx = new_ctx(mode);
        let a = Fq12Var::witness(&ctx, Some(x)).unwrap();
        let b = Fq12Var::witness(&ctx, Some(y)).unwrap();
        let prod = a.mul(&ctx, &b).unwrap();
        let mut wrong = x * y;
        wrong.c1.c2.c1 += Fq::one();
        prod.assert_equal(&ctx, &Fq12Var::constant(wrong)).unwrap();
        assert!(!finish(&ctx).satisfied());

        // Zero has no inverse: the division's identity cannot hold.
        let ctx = new_ctx(mode);
        let z = Fq2Var::witness(&ctx, Some(Fq2::zero())).unwrap();
        z.assert_nonzero(&ctx).unwrap();
        assert!(!finish(&ctx).satisfied());
    }
}

/// What tower products cost with 16-bit lookups (printed for `--nocapture`, bounded).
#[test]
fn costs() {
    let ctx = new_ctx(RangeMode::Lookup { chunk_bits: 16 });
    let cost = |f: &dyn Fn()| {
        let (c, l) = (ctx.cs().num_constraints(), ctx.range_stats().lookups);
        f();
        ctx.cs().num_constraints() - c + ctx.range_stats().lookups - l
    };
    let a2 = Fq2Var::witness(&ctx, Some(Fq2::from(3u8))).unwrap();
    let b2 = Fq2Var::witness(&ctx, Some(Fq2::from(5u8))).unwrap();
    let a12 = Fq12Var::witness(&ctx, Some(Fq12::from(3u8))).unwrap();
    let b12 = Fq12Var::witness(&ctx, Some(Fq12::from(5u8))).unwrap();
    let fq2 = cost(&|| {
        a2.mul(&ctx, &b2).unwrap();
    });
    let fq12 = cost(&|| {
        a12.mul(&ctx, &b12).unwrap();
    });
    let frob = cost(&|| {
        a12.frobenius(&ctx, 1).unwrap();
    });
    println!("Fq2 product {fq2}, Fq12 product {fq12}, Fq12 Frobenius {frob} constraints");
    assert!(fq2 < 200, "Fq2 product: {fq2}");
    assert!(fq12 < 1100, "Fq12 product: {fq12}");
}
