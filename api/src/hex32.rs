//! 32-byte hashes as the API writes them: `0x` and 64 lowercase hex digits.

use sheaf_aggregator::Hash32;

/// `0x` followed by the 64 lowercase hex digits of `h`.
pub fn to_hex32(h: &Hash32) -> String {
    format!("0x{}", hex::encode(h))
}

/// Parses `0x` followed by exactly 64 hex digits (either case).
pub fn parse_hex32(s: &str) -> Option<Hash32> {
    let digits = s.strip_prefix("0x")?;
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(digits, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_other_shapes() {
        let h = [0xabu8; 32];
        let s = to_hex32(&h);
        assert_eq!(s.len(), 66);
        assert_eq!(parse_hex32(&s), Some(h));
        assert_eq!(
            parse_hex32(&s.to_uppercase().replacen("0X", "0x", 1)),
            Some(h)
        );
        assert_eq!(parse_hex32(&s[2..]), None);
        assert_eq!(parse_hex32(&s[..65]), None);
        assert_eq!(parse_hex32(&format!("{s}0")), None);
        assert_eq!(parse_hex32(&s.replace('a', "g")), None);
    }
}
