// Emulated Fq2 against arkworks' native Fq2: every operation on random and edge values, and
// false equalities unsatisfied.

use ark_bn254::{Fq, Fq2};
use ark_ff::{Field, One, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::{new_cs, satisfied};
use sheaf_aggregator::gadgets::{Fq2Var, FqVar};

fn values(rng: &mut ChaCha20Rng) -> Vec<Fq2> {
    let mut v = vec![
        Fq2::zero(),
        Fq2::one(),
        -Fq2::one(),
        Fq2::new(Fq::zero(), Fq::one()),
        Fq2::new(-Fq::one(), -Fq::one()),
    ];
    v.extend((0..12).map(|_| Fq2::rand(rng)));
    v
}

#[test]
fn operations_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let xs = values(&mut rng);
    let nonresidue = Fq2::new(Fq::from(9u8), Fq::one());
    for (i, &x) in xs.iter().enumerate() {
        let y = xs[(i * 5 + 2) % xs.len()];
        let k = Fq::rand(&mut rng);
        let cs = new_cs();
        let a = Fq2Var::witness(&cs, Some(x)).unwrap();
        let b = Fq2Var::witness(&cs, Some(y)).unwrap();
        let kv = FqVar::witness(&cs, Some(k)).unwrap();
        assert_eq!(a.add(&b).value(), Some(x + y));
        assert_eq!(a.sub(&b).value(), Some(x - y));
        assert_eq!(a.neg().value(), Some(-x));
        assert_eq!(a.scale(3).value(), Some(x * Fq2::from(3u8)));
        assert_eq!(a.mul_by_nonresidue().value(), Some(x * nonresidue));
        let prod = a.mul(&cs, &b).unwrap();
        assert_eq!(prod.value(), Some(x * y), "case {i}");
        assert_eq!(a.square(&cs).unwrap().value(), Some(x.square()));
        let mut xk = x;
        xk.mul_assign_by_fp(&k);
        assert_eq!(a.mul_by_fq(&cs, &kv).unwrap().value(), Some(xk));
        // Lazy inputs: a product of sums and differences.
        let lazy = a.add(&b).mul(&cs, &a.sub(&b).mul_by_nonresidue()).unwrap();
        assert_eq!(lazy.value(), Some((x + y) * ((x - y) * nonresidue)));
        prod.enforce_equal(&cs, &Fq2Var::constant(x * y)).unwrap();
        assert!(satisfied(&cs), "case {i}");
    }
}

#[test]
fn false_equalities_are_unsatisfied() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    for _ in 0..6 {
        let (x, y) = (Fq2::rand(&mut rng), Fq2::rand(&mut rng));
        for wrong in [
            x * y + Fq2::one(),
            x * y + Fq2::new(Fq::zero(), Fq::one()),
            x * Fq2::new(y.c0, -y.c1),
        ] {
            if wrong == x * y {
                continue;
            }
            let cs = new_cs();
            let a = Fq2Var::witness(&cs, Some(x)).unwrap();
            let b = Fq2Var::witness(&cs, Some(y)).unwrap();
            a.mul(&cs, &b)
                .unwrap()
                .enforce_equal(&cs, &Fq2Var::constant(wrong))
                .unwrap();
            assert!(!satisfied(&cs));
        }
    }
}

#[test]
fn constraint_counts() {
    let cs = new_cs();
    let a = Fq2Var::witness(&cs, Some(Fq2::one())).unwrap();
    let b = Fq2Var::witness(&cs, Some(Fq2::one())).unwrap();
    let before = cs.num_constraints();
    let _ = a.mul(&cs, &b).unwrap();
    let mul = cs.num_constraints() - before;
    let before = cs.num_constraints();
    let _ = a.square(&cs).unwrap();
    let square = cs.num_constraints() - before;
    println!("Fq2 constraints: mul {mul}, square {square}");
    // Two reductions each, cheaper than Karatsuba's three.
    assert!(mul < 3 * 1069 && square < 3 * 1069, "{mul} {square}");
}
