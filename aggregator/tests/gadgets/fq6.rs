// Emulated Fq6 against arkworks' native Fq6, false equalities, and tampered shared product
// evaluations.

use ark_bn254::{Fq2, Fq6, Fr};
use ark_ff::{One, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::{extract, new_cs};
use sheaf_aggregator::gadgets::Fq6Var;

#[test]
fn operations_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let mut xs = vec![Fq6::zero(), Fq6::one(), -Fq6::one()];
    xs.extend((0..6).map(|_| Fq6::rand(&mut rng)));
    let v = Fq6::new(Fq2::zero(), Fq2::one(), Fq2::zero());
    for (i, &x) in xs.iter().enumerate() {
        let y = xs[(i * 4 + 1) % xs.len()];
        let cs = new_cs();
        let a = Fq6Var::witness(&cs, Some(x)).unwrap();
        let b = Fq6Var::witness(&cs, Some(y)).unwrap();
        assert_eq!(a.add(&b).value(), Some(x + y));
        assert_eq!(a.sub(&b).value(), Some(x - y));
        assert_eq!(a.neg().value(), Some(-x));
        assert_eq!(a.mul_by_v().value(), Some(x * v));
        let prod = a.mul(&cs, &b).unwrap();
        assert_eq!(prod.value(), Some(x * y), "case {i}");
        // Lazy operands.
        let lazy = a.sub(&b).mul_by_v().mul(&cs, &a.add(&b)).unwrap();
        assert_eq!(lazy.value(), Some((x - y) * v * (x + y)));
        prod.enforce_equal(&cs, &Fq6Var::constant(x * y)).unwrap();
        let (r1cs, z) = extract(&cs);
        assert!(r1cs.evaluate(&z).is_ok(), "case {i}");
    }
}

#[test]
fn false_products_and_tampered_evaluations_are_unsatisfied() {
    let mut rng = ChaCha20Rng::seed_from_u64(22);
    let (x, y) = (Fq6::rand(&mut rng), Fq6::rand(&mut rng));
    let cs = new_cs();
    let a = Fq6Var::witness(&cs, Some(x)).unwrap();
    let b = Fq6Var::witness(&cs, Some(y)).unwrap();
    let before = cs.num_witness_variables();
    a.mul(&cs, &b)
        .unwrap()
        .enforce_equal(&cs, &Fq6Var::constant(x * y))
        .unwrap();
    let (r1cs, z) = extract(&cs);
    assert!(r1cs.evaluate(&z).is_ok());
    // Every witness the product introduced (pair evaluations, remainders, quotients, carries,
    // bits), changed by one, breaks the system.
    let first = cs.num_instance_variables() + before;
    for i in first..z.len() {
        let mut bad = z.clone();
        bad[i] += Fr::one();
        assert!(r1cs.evaluate(&bad).is_err(), "witness {i} + 1 accepted");
    }
    // A false claimed product.
    let cs = new_cs();
    let a = Fq6Var::witness(&cs, Some(x)).unwrap();
    let b = Fq6Var::witness(&cs, Some(y)).unwrap();
    a.mul(&cs, &b)
        .unwrap()
        .enforce_equal(&cs, &Fq6Var::constant(x * y + Fq6::one()))
        .unwrap();
    let (r1cs, z) = extract(&cs);
    assert!(r1cs.evaluate(&z).is_err());
}

#[test]
fn constraint_count() {
    let cs = new_cs();
    let a = Fq6Var::witness(&cs, Some(Fq6::one())).unwrap();
    let b = Fq6Var::witness(&cs, Some(Fq6::one())).unwrap();
    let before = cs.num_constraints();
    let _ = a.mul(&cs, &b).unwrap();
    let mul = cs.num_constraints() - before;
    println!("Fq6 mul: {mul} constraints");
    // Six reductions over shared evaluations: below six Fq2 products (Karatsuba).
    assert!(mul < 6 * 2168, "{mul}");
}
