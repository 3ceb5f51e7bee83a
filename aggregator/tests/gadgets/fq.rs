// Emulated Fq against arkworks' native Fq: random operations, lazy chains, edge values, and
// soundness: false equalities and tampered multiplication hints leave the system unsatisfied.

use ark_bn254::{Fq, Fr};
use ark_ff::{One, UniformRand, Zero};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisMode};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::{extract, new_cs, satisfied};
use sheaf_aggregator::gadgets::FqVar;
use sheaf_aggregator::prover::ProverError;

fn edge_values() -> Vec<Fq> {
    let half = ark_ff::Field::inverse(&Fq::from(2u8)).unwrap();
    vec![Fq::zero(), Fq::one(), -Fq::one(), half, -Fq::from(2u8)]
}

#[test]
fn operations_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut values: Vec<Fq> = edge_values();
    values.extend((0..20).map(|_| Fq::rand(&mut rng)));
    for (i, &x) in values.iter().enumerate() {
        let y = values[(i * 7 + 3) % values.len()];
        let cs = new_cs();
        let a = FqVar::witness(&cs, Some(x)).unwrap();
        let b = FqVar::witness(&cs, Some(y)).unwrap();
        assert_eq!(a.add(&b).value(), Some(x + y));
        assert_eq!(a.sub(&b).value(), Some(x - y));
        assert_eq!(a.neg().value(), Some(-x));
        let prod = a.mul(&cs, &b).unwrap();
        assert_eq!(prod.value(), Some(x * y));
        assert_eq!(a.square(&cs).unwrap().value(), Some(x * x));
        prod.enforce_equal(&cs, &FqVar::constant(x * y)).unwrap();
        a.sub(&b)
            .enforce_equal(&cs, &FqVar::constant(x - y))
            .unwrap();
        assert!(satisfied(&cs), "case {i}");
    }
}

#[test]
fn lazy_chains_match_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for round in 0..10 {
        let xs: Vec<Fq> = (0..6).map(|_| Fq::rand(&mut rng)).collect();
        let cs = new_cs();
        let v: Vec<FqVar> = xs
            .iter()
            .map(|x| FqVar::witness(&cs, Some(*x)).unwrap())
            .collect();
        // ((x0 + x1 − x2) · (x3 − x4 − x5 + x0)) · (x1 + x1 + x1 + x1)
        let left = v[0].add(&v[1]).sub(&v[2]);
        let right = v[3].sub(&v[4]).sub(&v[5]).add(&v[0]);
        let four = v[1].add(&v[1]).add(&v[1]).add(&v[1]);
        let out = left.mul(&cs, &right).unwrap().mul(&cs, &four).unwrap();
        let expected =
            (xs[0] + xs[1] - xs[2]) * (xs[3] - xs[4] - xs[5] + xs[0]) * (xs[1] * Fq::from(4u8));
        assert_eq!(out.value(), Some(expected));
        out.enforce_equal(&cs, &FqVar::constant(expected)).unwrap();
        assert!(satisfied(&cs), "round {round}");
    }
}

#[test]
fn false_equalities_are_unsatisfied() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for _ in 0..10 {
        let (x, y) = (Fq::rand(&mut rng), Fq::rand(&mut rng));
        let cs = new_cs();
        let a = FqVar::witness(&cs, Some(x)).unwrap();
        let b = FqVar::witness(&cs, Some(y)).unwrap();
        let prod = a.mul(&cs, &b).unwrap();
        // The hints of enforce_equal are computed from a false claim: no witness satisfies it.
        prod.enforce_equal(&cs, &FqVar::constant(x * y + Fq::one()))
            .unwrap();
        assert!(!satisfied(&cs));
    }
}

/// Index in `z` of a limb that is a single witness variable.
fn var_index(cs: &ConstraintSystemRef<Fr>, limb: &sheaf_aggregator::gadgets::Num) -> usize {
    let (_, var) = limb.lc.0.first().copied().unwrap();
    var.get_variable_index(cs.num_instance_variables()).unwrap()
}

#[test]
fn tampered_product_hints_are_unsatisfied() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let (x, y) = (Fq::rand(&mut rng), Fq::rand(&mut rng));
    let cs = new_cs();
    let a = FqVar::witness(&cs, Some(x)).unwrap();
    let b = FqVar::witness(&cs, Some(y)).unwrap();
    let r = a.mul(&cs, &b).unwrap();
    let r_idx: Vec<usize> = r.limbs().iter().map(|l| var_index(&cs, l)).collect();
    let (r1cs, z) = extract(&cs);
    assert!(r1cs.evaluate(&z).is_ok());
    let unsatisfied = |z: &[Fr]| matches!(r1cs.evaluate(z), Err(ProverError::Unsatisfied { .. }));
    // A wrong remainder limb.
    for &i in &r_idx {
        let mut bad = z.clone();
        bad[i] += Fr::one();
        assert!(unsatisfied(&bad), "remainder limb {i} + 1 accepted");
    }
    // The same integer with an out-of-range limb (r₀ + 2⁶⁴, r₁ − 1): only the range check can
    // refuse it, since the product identity still holds at every point once the first carry
    // absorbs it; the limb's bit decomposition cannot represent it.
    let mut bad = z.clone();
    bad[r_idx[0]] += Fr::from(u64::MAX) + Fr::one();
    bad[r_idx[1]] -= Fr::one();
    assert!(unsatisfied(&bad));
    // Every other witness changed by one (quotient, carries, bits) breaks some constraint.
    let first_hint = r_idx[0];
    for i in first_hint..z.len() {
        let mut bad = z.clone();
        bad[i] += Fr::one();
        assert!(unsatisfied(&bad), "witness {i} + 1 accepted");
    }
}

#[test]
fn constraint_counts() {
    let cs = new_cs();
    let a = FqVar::witness(&cs, Some(Fq::from(3u8))).unwrap();
    let b = FqVar::witness(&cs, Some(Fq::from(5u8))).unwrap();
    let before = cs.num_constraints();
    let _ = a.mul(&cs, &b).unwrap();
    let per_mul = cs.num_constraints() - before;
    println!("constraints: witness {}, mul {per_mul}", before / 2);
    // Range checks dominate: 4 remainder and ≥ 4 quotient limbs of 65 constraints each.
    assert!(per_mul > 8 * 65 && per_mul < 2000, "{per_mul}");
}

#[test]
fn setup_mode_needs_no_values() {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let a = FqVar::witness(&cs, None).unwrap();
    let b = FqVar::witness(&cs, None).unwrap();
    let r = a.mul(&cs, &b).unwrap();
    r.enforce_equal(&cs, &a).unwrap();
    assert!(cs.num_constraints() > 0);
}

#[test]
fn products_that_could_wrap_modulo_r_are_refused() {
    let cs = new_cs();
    let mut x = FqVar::witness(&cs, Some(Fq::from(7u8))).unwrap();
    let y = FqVar::witness(&cs, Some(Fq::from(9u8))).unwrap();
    // 60 doublings leave limbs below 2^124: fine.
    for _ in 0..60 {
        x = x.add(&x);
    }
    assert!(x.mul(&cs, &y).is_ok());
    // 120 more push the limb products past the soundness bound: refused, not wrapped.
    for _ in 0..120 {
        x = x.add(&x);
    }
    assert!(matches!(
        x.mul(&cs, &y),
        Err(ark_relations::gr1cs::SynthesisError::Unsatisfiable)
    ));
}

#[test]
fn signed_sums_of_products_match_arkworks_and_refuse_tampering() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for round in 0..8 {
        let xs: Vec<Fq> = (0..4).map(|_| Fq::rand(&mut rng)).collect();
        let cs = new_cs();
        let v: Vec<FqVar> = xs
            .iter()
            .map(|x| FqVar::witness(&cs, Some(*x)).unwrap())
            .collect();
        // Fq2's product: c0 = a0·b0 − a1·b1, c1 = a0·b1 + a1·b0; and an all-negative sum.
        let c0 =
            FqVar::sum_of_products(&cs, &[(&v[0], &v[2], false), (&v[1], &v[3], true)]).unwrap();
        let c1 =
            FqVar::sum_of_products(&cs, &[(&v[0], &v[3], false), (&v[1], &v[2], false)]).unwrap();
        let c2 =
            FqVar::sum_of_products(&cs, &[(&v[0], &v[1], true), (&v[2], &v[3], true)]).unwrap();
        assert_eq!(
            c0.value(),
            Some(xs[0] * xs[2] - xs[1] * xs[3]),
            "round {round}"
        );
        assert_eq!(c1.value(), Some(xs[0] * xs[3] + xs[1] * xs[2]));
        assert_eq!(c2.value(), Some(-(xs[0] * xs[1]) - xs[2] * xs[3]));
        let first_hint = var_index(&cs, &c0.limbs()[0]);
        let (r1cs, z) = extract(&cs);
        assert!(r1cs.evaluate(&z).is_ok(), "round {round}");
        if round == 0 {
            for i in first_hint..z.len() {
                let mut bad = z.clone();
                bad[i] += Fr::one();
                assert!(r1cs.evaluate(&bad).is_err(), "witness {i} + 1 accepted");
            }
        }
    }
}
