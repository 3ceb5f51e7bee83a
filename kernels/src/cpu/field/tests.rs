//! The fast field types against arkworks on random and edge-case inputs.
#![allow(clippy::unwrap_used)]

use ark_ff::{AdditiveGroup, Field, UniformRand, Zero};
use rand::SeedableRng;

use super::{FieldOps, Fq, Fq2, Fr};

fn edge_cases<F: Field>() -> Vec<F> {
    vec![
        F::ZERO,
        F::ONE,
        -F::ONE,
        F::ONE.double(),
        -F::ONE.double(),
        F::from(2u64).pow([200]),
    ]
}

macro_rules! prime_field_matches_arkworks {
    ($name:ident, $fast:ty, $ark:ty) => {
        #[test]
        fn $name() {
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
            let mut xs: Vec<$ark> = edge_cases();
            xs.extend((0..300).map(|_| <$ark>::rand(&mut rng)));
            for a in &xs {
                for b in xs.iter().step_by(7) {
                    let (fa, fb) = (<$fast>::from_ark(a), <$fast>::from_ark(b));
                    assert_eq!(fa.add(&fb).to_ark(), *a + b);
                    assert_eq!(fa.sub(&fb).to_ark(), *a - b);
                    assert_eq!(fa.mul(&fb).to_ark(), *a * b);
                }
                let fa = <$fast>::from_ark(a);
                assert_eq!(fa.neg().to_ark(), -*a);
                assert_eq!(fa.double().to_ark(), a.double());
                assert_eq!(fa.square().to_ark(), a.square());
                assert_eq!(fa.is_zero(), a.is_zero());
                assert_eq!(fa.inverse().map(|x| x.to_ark()), a.inverse());
            }
            assert_eq!(<$fast>::ONE.to_ark(), <$ark>::ONE);
        }
    };
}

prime_field_matches_arkworks!(fq_matches_arkworks, Fq, ark_bn254::Fq);
prime_field_matches_arkworks!(fr_matches_arkworks, Fr, ark_bn254::Fr);

#[test]
fn fq2_matches_arkworks() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
    let mut xs: Vec<ark_bn254::Fq2> = edge_cases();
    xs.push(ark_bn254::Fq2::new(ark_bn254::Fq::ZERO, ark_bn254::Fq::ONE));
    xs.extend((0..200).map(|_| ark_bn254::Fq2::rand(&mut rng)));
    for a in &xs {
        for b in xs.iter().step_by(5) {
            let (fa, fb) = (Fq2::from_ark(a), Fq2::from_ark(b));
            assert_eq!(fa.add(&fb).to_ark(), *a + b);
            assert_eq!(fa.sub(&fb).to_ark(), *a - b);
            assert_eq!(fa.mul(&fb).to_ark(), *a * b);
        }
        let fa = Fq2::from_ark(a);
        assert_eq!(fa.neg().to_ark(), -*a);
        assert_eq!(fa.double().to_ark(), a.double());
        assert_eq!(fa.square().to_ark(), a.square());
        assert_eq!(fa.inverse().map(|x| x.to_ark()), a.inverse());
    }
}

/// Not a test of correctness: `cargo test --release -p sheaf-kernels --lib mul_throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn mul_throughput() {
    use std::time::Instant;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let a = ark_bn254::Fq::rand(&mut rng);
    let b = ark_bn254::Fq::rand(&mut rng);
    let n = 20_000_000;
    let t = Instant::now();
    let mut x = a;
    for _ in 0..n {
        x *= b;
    }
    let ark = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    let t = Instant::now();
    let (mut y, fb) = (Fq::from_ark(&a), Fq::from_ark(&b));
    for _ in 0..n {
        y = y.mul(&fb);
    }
    let ours = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "bmi2,adx")]
    fn chain(mut y: Fq, fb: Fq, n: usize) -> Fq {
        for _ in 0..n {
            y = y.mul(&fb);
        }
        y
    }
    let t = Instant::now();
    let z = unsafe { chain(Fq::from_ark(&a), fb, n) };
    let ours_adx = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    assert_eq!(x, y.to_ark());
    assert_eq!(x, z.to_ark());
    println!(
        "Fq mul latency: arkworks {ark:.2} ns, ours {ours:.2} ns, ours+bmi2/adx {ours_adx:.2} ns"
    );
    // Throughput: eight independent chains.
    let t = Instant::now();
    let mut xs = [a; 8];
    for _ in 0..n / 8 {
        for x in xs.iter_mut() {
            *x *= b;
        }
    }
    let ark_tp = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    let t = Instant::now();
    let mut ys = [Fq::from_ark(&a); 8];
    for _ in 0..n / 8 {
        for y in ys.iter_mut() {
            *y = y.mul(&fb);
        }
    }
    let ours_tp = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    let t = Instant::now();
    let mut zs = [Fq::from_ark(&a); 8];
    for _ in 0..n / 8 {
        for z in zs.iter_mut() {
            *z = Fq::from_raw(z.mul_portable_unreduced(&fb)).reduce_once();
        }
    }
    let portable_tp = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    assert_eq!(xs[3], ys[3].to_ark());
    assert_eq!(xs[3], zs[3].to_ark());
    println!(
        "Fq mul throughput: arkworks {ark_tp:.2} ns, ours {ours_tp:.2} ns, portable {portable_tp:.2} ns"
    );
}

/// The portable multiplication (used on CPUs without BMI2/ADX) and the lazily reduced
/// operations, on inputs anywhere in `[0, 2p)`: results must agree with arkworks mod p and stay
/// below 2p.
#[test]
fn portable_and_lazy_arithmetic_match_arkworks() {
    use super::mont::FrParams;
    use super::mont::{Mont, MontParams};
    let p = <FrParams as MontParams>::MODULUS;
    // x + p (as limbs), a representative of x in [p, 2p).
    let plus_p = |x: &Fr| {
        let (a, mut c, mut out) = (x.to_ark().0.0, 0u128, [0u64; 4]);
        for i in 0..4 {
            let s = a[i] as u128 + p[i] as u128 + c;
            out[i] = s as u64;
            c = s >> 64;
        }
        Mont::<FrParams>::from_raw(out)
    };
    let below_2p = |x: &Fr| {
        let l = x.to_ark().0.0;
        let two_p_top = (p[3] << 1) | (p[2] >> 63);
        l[3] < two_p_top
    };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
    let mut xs: Vec<ark_bn254::Fr> = edge_cases();
    xs.extend((0..200).map(|_| ark_bn254::Fr::rand(&mut rng)));
    for a in &xs {
        for b in xs.iter().step_by(9) {
            let (fa, fb) = (Fr::from_ark(a), Fr::from_ark(b));
            let portable = Fr::from_raw(fa.mul_portable_unreduced(&fb)).reduce_once();
            assert_eq!(portable.to_ark(), *a * b);
            for (x, y) in [
                (fa, fb),
                (plus_p(&fa), fb),
                (fa, plus_p(&fb)),
                (plus_p(&fa), plus_p(&fb)),
            ] {
                for (lazy, want) in [
                    (x.mul_lazy(&y), *a * b),
                    (x.add_lazy(&y), *a + b),
                    (x.sub_lazy(&y), *a - b),
                ] {
                    assert!(below_2p(&lazy), "lazy result not below 2p");
                    assert_eq!(lazy.reduce_once().to_ark(), want);
                }
            }
        }
    }
}
