//! Strict parsing of the decimal strings snarkjs writes.
//!
//! arkworks' `Fp::from_str` reduces values at or above the modulus, accepts signs and leading
//! zeros, and is quadratic in the number of digits. Here a number must be `0` or a run of ASCII
//! digits without a leading zero, at most 78 digits long (enough for any 256-bit value; checked
//! before any arithmetic), and strictly below the field's modulus: every field element then has
//! exactly one accepted spelling.

use ark_ff::{BigInt, PrimeField};

use crate::FormatError;

/// Longest decimal accepted: 2^256 has 78 digits.
const MAX_DIGITS: usize = 78;

/// Parses a canonical decimal below the modulus of `F`. `field` names the value in errors and
/// `modulus` says which modulus it is (`"p"` or `"r"`).
pub fn parse_field<F: PrimeField<BigInt = BigInt<4>>>(
    text: &str,
    field: &str,
    modulus: &'static str,
) -> Result<F, FormatError> {
    let not_decimal = || FormatError::NotDecimal {
        field: field.to_owned(),
        value: text.chars().take(80).collect(),
    };
    let bytes = text.as_bytes();
    if bytes.is_empty()
        || bytes.len() > MAX_DIGITS
        || !bytes.iter().all(u8::is_ascii_digit)
        || (bytes.len() > 1 && bytes[0] == b'0')
    {
        return Err(not_decimal());
    }
    // Accumulate in five 64-bit limbs: 78 digits stay below 2^260.
    let mut limbs = [0u64; 5];
    for &b in bytes {
        let mut carry = u128::from(b - b'0');
        for limb in limbs.iter_mut() {
            let t = u128::from(*limb) * 10 + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
    }
    let not_reduced = || FormatError::NotReduced {
        field: field.to_owned(),
        modulus,
    };
    if limbs[4] != 0 {
        return Err(not_reduced());
    }
    // `from_bigint` returns `None` for values at or above the modulus (no silent reduction).
    F::from_bigint(BigInt([limbs[0], limbs[1], limbs[2], limbs[3]])).ok_or_else(not_reduced)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ark_bn254::{Fq, Fr};
    use ark_ff::{BigInteger, Field};

    fn fr(s: &str) -> Result<Fr, FormatError> {
        parse_field::<Fr>(s, "x", "r")
    }

    #[test]
    fn accepts_canonical_values() {
        assert_eq!(fr("0").unwrap(), Fr::from(0u64));
        assert_eq!(fr("33").unwrap(), Fr::from(33u64));
        let r_minus_1 = (-Fr::ONE).into_bigint().to_string();
        assert_eq!(fr(&r_minus_1).unwrap(), -Fr::ONE);
        let p_minus_1 = (-Fq::ONE).into_bigint().to_string();
        assert_eq!(parse_field::<Fq>(&p_minus_1, "x", "p").unwrap(), -Fq::ONE);
    }

    #[test]
    fn rejects_non_canonical_spellings() {
        for bad in [
            "", "-1", "+1", "01", "00", " 1", "1 ", "0x1", "1e3", "1.0", "١", "12a",
        ] {
            assert!(
                matches!(fr(bad), Err(FormatError::NotDecimal { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            fr(&"9".repeat(79)),
            Err(FormatError::NotDecimal { .. })
        ));
        // A 10 MB number is rejected by its length, before any arithmetic.
        assert!(matches!(
            fr(&"1".repeat(10_000_000)),
            Err(FormatError::NotDecimal { .. })
        ));
    }

    #[test]
    fn rejects_values_at_or_above_the_modulus() {
        let r = Fr::MODULUS;
        let mut r_plus_1 = r;
        r_plus_1.add_with_carry(&BigInt::from(1u64));
        for v in [
            r.to_string(),
            r_plus_1.to_string(),
            Fq::MODULUS.to_string(),
            "9".repeat(78),
        ] {
            assert!(
                matches!(fr(&v), Err(FormatError::NotReduced { modulus: "r", .. })),
                "{v}"
            );
        }
        // p is above r: fine for Fq only just below it.
        assert!(parse_field::<Fq>(&Fq::MODULUS.to_string(), "x", "p").is_err());
    }
}
