//! Signed-digit window decomposition of scalars (the recoding of Pippenger's bucket method that
//! halves the number of buckets: a digit `d` and `-d` share bucket `|d| - 1`).

/// Number of `c`-bit windows needed for scalars of `num_bits` bits in signed-digit form.
///
/// Windows `0..w-1` hold digits in `[-2^(c-1), 2^(c-1))` with a carry into the next window; the
/// top window is not recentred. With `w = num_bits / c + 1`, the top window holds fewer than `c`
/// scalar bits, so its digit (carry included) is at most `2^(c-1)` and still has a bucket.
pub(crate) fn window_count(num_bits: usize, c: usize) -> usize {
    num_bits / c + 1
}

/// Writes the signed digits of `scalar` (little-endian `u64` limbs, less than `2^num_bits`)
/// into `out[0..window_count]`. Digit `i` weighs `2^(c·i)`.
pub(crate) fn signed_digits(scalar: &[u64], c: usize, out: &mut [i32]) {
    debug_assert!((1..=24).contains(&c));
    let windows = out.len();
    let half = 1u64 << (c - 1);
    let full = 1u64 << c;
    let mask = full - 1;
    let mut carry = 0u64;
    for (i, digit) in out.iter_mut().enumerate() {
        let bit = i * c;
        let limb = bit / 64;
        let shift = bit % 64;
        let mut bits = scalar.get(limb).map_or(0, |l| l >> shift);
        if shift + c > 64
            && let Some(next) = scalar.get(limb + 1)
        {
            bits |= next << (64 - shift);
        }
        let v = (bits & mask) + carry;
        if v >= half && i + 1 < windows {
            // v - 2^c is in [-2^(c-1), 0]; the 2^c moves up as a carry.
            *digit = v as i32 - full as i32;
            carry = 1;
        } else {
            *digit = v as i32;
            carry = 0;
        }
    }
    debug_assert_eq!(carry, 0);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::{BigInteger, Field, PrimeField, UniformRand};
    use rand::SeedableRng;

    /// Σ digits[i]·2^(c·i) in Fr: the group has order r, so equality mod r is what the MSM needs.
    fn recombine(digits: &[i32], c: usize) -> Fr {
        let radix = Fr::from(2u64).pow([c as u64]);
        digits
            .iter()
            .rev()
            .fold(Fr::from(0u64), |acc, d| acc * radix + Fr::from(*d as i64))
    }

    #[test]
    fn digits_recombine_to_the_scalar_and_stay_in_range() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut scalars: Vec<Fr> = (0..200).map(|_| Fr::rand(&mut rng)).collect();
        scalars.extend([
            -Fr::from(1u64),
            Fr::from(0u64),
            Fr::from(1u64),
            Fr::from(2u64).pow([253]) - Fr::from(1u64),
            Fr::from(2u64).pow([252]),
        ]);
        let num_bits = Fr::MODULUS_BIT_SIZE as usize;
        for c in 1..=20 {
            let w = window_count(num_bits, c);
            let mut digits = vec![0i32; w];
            for s in &scalars {
                let limbs = s.into_bigint();
                assert!(limbs.num_bits() as usize <= num_bits);
                signed_digits(limbs.as_ref(), c, &mut digits);
                assert_eq!(recombine(&digits, c), *s, "c = {c}");
                let half = 1i32 << (c - 1);
                for (i, d) in digits.iter().enumerate() {
                    assert!(
                        d.unsigned_abs() <= half as u32,
                        "c = {c}, window {i}, digit {d}"
                    );
                    if i + 1 < w {
                        assert!(*d < half, "only the top window may reach +2^(c-1)");
                    }
                }
            }
        }
    }
}
