// Emulated Fq against arkworks' native Fq: random operations, lazy chains, edge values, and
// soundness: false equalities, and every single witness pinned by the constraints.

use ark_bn254::{Fq, Fr};
use ark_ff::{Field, One, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sheaf_aggregator::gadgets::{FqVar, Linear, Product, RangeMode, single};

use super::{finish, modes, new_ctx};

fn edge_values() -> Vec<Fq> {
    let half = Fq::from(2u8).inverse().unwrap();
    vec![Fq::zero(), Fq::one(), -Fq::one(), half, -Fq::from(2u8)]
}

#[test]
fn operations_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut values: Vec<Fq> = edge_values();
    values.extend((0..12).map(|_| Fq::rand(&mut rng)));
    for mode in modes() {
        for (i, &x) in values.iter().enumerate() {
            let y = values[(i * 7 + 3) % values.len()];
            let ctx = new_ctx(mode);
            let a = FqVar::witness(&ctx, Some(x)).unwrap();
            let b = FqVar::witness(&ctx, Some(y)).unwrap();
            assert_eq!(a.add(&b).value(), Some(x + y));
            assert_eq!(a.sub(&b).value(), Some(x - y));
            assert_eq!(a.neg().value(), Some(-x));
            let prod = a.mul(&ctx, &b).unwrap();
            assert_eq!(prod.value(), Some(x * y));
            assert_eq!(a.square(&ctx).unwrap().value(), Some(x * x));
            prod.assert_equal(&ctx, &FqVar::constant(x * y)).unwrap();
            a.sub(&b)
                .assert_equal(&ctx, &FqVar::constant(x - y))
                .unwrap();
            // x·y·x − 3·y² + 5x, reduced once.
            let expr = FqVar::sum(
                &ctx,
                &[
                    Product::new(1, vec![single(&a), single(&b), single(&a)]),
                    Product::new(-3, vec![single(&b), single(&b)]),
                ],
                &[Linear {
                    coeff: 5,
                    value: single(&a),
                }],
            )
            .unwrap();
            assert_eq!(
                expr.value(),
                Some(x * y * x - Fq::from(3u8) * y * y + Fq::from(5u8) * x)
            );
            if !y.is_zero() {
                assert_eq!(a.div(&ctx, &b).unwrap().value(), Some(x / y));
            }
            assert!(finish(&ctx).satisfied(), "{mode:?} case {i}");
        }
    }
}

#[test]
fn lazy_chains_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for mode in modes() {
        for round in 0..6 {
            let xs: Vec<Fq> = (0..6).map(|_| Fq::rand(&mut rng)).collect();
            let ctx = new_ctx(mode);
            let v: Vec<FqVar> = xs
                .iter()
                .map(|x| FqVar::witness(&ctx, Some(*x)).unwrap())
                .collect();
            // ((x0 + x1 − x2) · (x3 − x4 − x5 + x0)) · (x1 + x1 + x1 + x1)
            let left = v[0].add(&v[1]).sub(&v[2]);
            let right = v[3].sub(&v[4]).sub(&v[5]).add(&v[0]);
            let four = v[1].add(&v[1]).add(&v[1]).add(&v[1]);
            let out = left.mul(&ctx, &right).unwrap().mul(&ctx, &four).unwrap();
            let expected =
                (xs[0] + xs[1] - xs[2]) * (xs[3] - xs[4] - xs[5] + xs[0]) * (xs[1] * Fq::from(4u8));
            assert_eq!(out.value(), Some(expected));
            out.assert_equal(&ctx, &FqVar::constant(expected)).unwrap();
            assert!(finish(&ctx).satisfied(), "{mode:?} round {round}");
        }
    }
}

#[test]
fn false_equalities_are_unsatisfied() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for mode in modes() {
        for _ in 0..6 {
            let (x, y) = (Fq::rand(&mut rng), Fq::rand(&mut rng));
            let ctx = new_ctx(mode);
            let a = FqVar::witness(&ctx, Some(x)).unwrap();
            let b = FqVar::witness(&ctx, Some(y)).unwrap();
            let prod = a.mul(&ctx, &b).unwrap();
            // The hints of the check are computed from a false claim: no witness satisfies it.
            prod.assert_equal(&ctx, &FqVar::constant(x * y + Fq::one()))
                .unwrap();
            assert!(!finish(&ctx).satisfied());
            // Nor does a false zero sum.
            let ctx = new_ctx(mode);
            let a = FqVar::witness(&ctx, Some(x)).unwrap();
            FqVar::assert_sum_zero(&ctx, &[Product::new(1, vec![single(&a), single(&a)])], &[])
                .unwrap();
            assert!(!finish(&ctx).satisfied());
        }
    }
}

/// Every witness of a product is pinned: changing any single one leaves the system unsatisfied
/// (remainder, quotient, carries, evaluations, chunks, lookup inverses and multiplicities).
#[test]
fn no_witness_of_a_product_is_free() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    for mode in modes() {
        let ctx = new_ctx(mode);
        let a = FqVar::witness(&ctx, Some(Fq::rand(&mut rng))).unwrap();
        let b = FqVar::witness(&ctx, Some(Fq::rand(&mut rng))).unwrap();
        let _ = a.mul(&ctx, &b).unwrap();
        let built = finish(&ctx);
        assert!(built.satisfied());
        for i in built.num_instance..built.z.len() {
            let bumped = built.z[i] + Fr::one();
            assert!(
                !built.satisfied_with(&[(i, bumped)]),
                "{mode:?}: witness {i} is free"
            );
        }
    }
}

/// Values whose bounds could wrap around modulo r are refused, not silently checked.
#[test]
fn oversized_operands_are_refused() {
    let ctx = new_ctx(RangeMode::Bits);
    let a = FqVar::witness(&ctx, Some(Fq::from(3u8))).unwrap();
    let mut big = a.clone();
    for _ in 0..120 {
        big = big.add(&big);
    }
    assert!(big.mul(&ctx, &big).is_err());
    assert!(a.mul(&ctx, &a).is_ok());
}

/// What the basic operations cost, with the epoch circuit's 16-bit lookups (the table itself
/// is counted once per circuit and not here). Printed for `--nocapture`; bounded so a change
/// that makes products much more expensive is noticed.
#[test]
fn costs() {
    let mode = RangeMode::Lookup { chunk_bits: 16 };
    let ctx = new_ctx(mode);
    let a = FqVar::witness(&ctx, Some(Fq::from(7u8))).unwrap();
    let b = FqVar::witness(&ctx, Some(Fq::from(9u8))).unwrap();
    let cost = |f: &dyn Fn()| {
        let (c, l) = (ctx.cs().num_constraints(), ctx.range_stats().lookups);
        f();
        ctx.cs().num_constraints() - c + ctx.range_stats().lookups - l
    };
    let mul = cost(&|| {
        a.mul(&ctx, &b).unwrap();
    });
    let eq = cost(&|| a.assert_equal(&ctx, &b).unwrap());
    println!("Fq: product {mul} constraints, equality {eq}");
    assert!(mul < 80, "an Fq product costs {mul} constraints");
}
