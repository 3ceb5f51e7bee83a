// Emulated Fq12 against arkworks' native Fq12 (the pairing's target field): products,
// squares, lazy operands, false claims and tampered witnesses.

use ark_bn254::{Fq12, Fr};
use ark_ff::{Field, One, UniformRand, Zero};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::{extract, new_cs};
use sheaf_aggregator::gadgets::Fq12Var;

#[test]
fn products_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    let mut xs = vec![Fq12::zero(), Fq12::one(), -Fq12::one()];
    xs.extend((0..3).map(|_| Fq12::rand(&mut rng)));
    for (i, &x) in xs.iter().enumerate() {
        let y = xs[(i + 3) % xs.len()];
        let cs = new_cs();
        let a = Fq12Var::witness(&cs, Some(x)).unwrap();
        let b = Fq12Var::witness(&cs, Some(y)).unwrap();
        assert_eq!(a.add(&b).value(), Some(x + y));
        assert_eq!(a.sub(&b).value(), Some(x - y));
        let prod = a.mul(&cs, &b).unwrap();
        assert_eq!(prod.value(), Some(x * y), "case {i}");
        assert_eq!(a.square(&cs).unwrap().value(), Some(x.square()));
        let lazy = a.sub(&b).mul(&cs, &a.add(&b)).unwrap();
        assert_eq!(lazy.value(), Some((x - y) * (x + y)));
        prod.enforce_equal(&cs, &Fq12Var::constant(x * y)).unwrap();
        let (r1cs, z) = extract(&cs);
        assert!(r1cs.evaluate(&z).is_ok(), "case {i}");
    }
}

#[test]
fn false_products_and_tampered_witnesses_are_unsatisfied() {
    let mut rng = ChaCha20Rng::seed_from_u64(32);
    let (x, y) = (Fq12::rand(&mut rng), Fq12::rand(&mut rng));
    let cs = new_cs();
    let a = Fq12Var::witness(&cs, Some(x)).unwrap();
    let b = Fq12Var::witness(&cs, Some(y)).unwrap();
    let before = cs.num_witness_variables();
    a.mul(&cs, &b)
        .unwrap()
        .enforce_equal(&cs, &Fq12Var::constant(x * y))
        .unwrap();
    let (r1cs, z) = extract(&cs);
    assert!(r1cs.evaluate(&z).is_ok());
    // A spread sample of the product's witnesses (pair evaluations, remainders, quotients,
    // carries, bits), each changed by one.
    let first = cs.num_instance_variables() + before;
    for i in (first..z.len()).step_by(7) {
        let mut bad = z.clone();
        bad[i] += Fr::one();
        assert!(r1cs.evaluate(&bad).is_err(), "witness {i} + 1 accepted");
    }
    let cs = new_cs();
    let a = Fq12Var::witness(&cs, Some(x)).unwrap();
    let b = Fq12Var::witness(&cs, Some(y)).unwrap();
    let mut wrong = x * y;
    wrong.c1.c2.c1 += ark_bn254::Fq::one();
    a.mul(&cs, &b)
        .unwrap()
        .enforce_equal(&cs, &Fq12Var::constant(wrong))
        .unwrap();
    let (r1cs, z) = extract(&cs);
    assert!(r1cs.evaluate(&z).is_err());
}

#[test]
fn constraint_count() {
    let cs = new_cs();
    let a = Fq12Var::witness(&cs, Some(Fq12::one())).unwrap();
    let b = Fq12Var::witness(&cs, Some(Fq12::one())).unwrap();
    let before = cs.num_constraints();
    let _ = a.mul(&cs, &b).unwrap();
    let mul = cs.num_constraints() - before;
    println!("Fq12 mul: {mul} constraints");
    // Below Karatsuba over Fq6 (three Fq6 products).
    assert!(mul < 3 * 7196, "{mul}");
}
