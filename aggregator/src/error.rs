//! Why an input was rejected. Every variant names the field it concerns, so an HTTP caller can
//! be told exactly what to fix.

/// A rejected input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The body is larger than the accepted maximum.
    #[error("input is {len} bytes, more than the {max} accepted")]
    TooLarge {
        /// Size of the input.
        len: usize,
        /// Largest accepted size.
        max: usize,
    },
    /// The body is not JSON of the expected shape.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// `protocol` is not `groth16`.
    #[error("unsupported protocol `{0}` (expected \"groth16\")")]
    Protocol(String),
    /// `curve` is not `bn128`/`bn254`.
    #[error("unsupported curve `{0}` (expected \"bn128\" or \"bn254\")")]
    Curve(String),
    /// A number is not a canonical decimal string (digits only, no sign, no leading zeros).
    #[error("{field}: `{value}` is not a canonical decimal number")]
    NotDecimal {
        /// The field holding the number.
        field: String,
        /// The rejected text (truncated).
        value: String,
    },
    /// A number is not below the modulus of its field.
    #[error("{field}: value is not below the {modulus} modulus")]
    NotReduced {
        /// The field holding the number.
        field: String,
        /// `p` (base field) or `r` (scalar field).
        modulus: &'static str,
    },
    /// A point or coordinate list has the wrong number of entries.
    #[error("{field}: expected {expected} entries, found {found}")]
    Arity {
        /// The field holding the list.
        field: String,
        /// Entries expected.
        expected: usize,
        /// Entries found.
        found: usize,
    },
    /// The projective third coordinate is not 1 (`"1"`, or `["1", "0"]` in G2).
    #[error("{field}: third projective coordinate must be 1")]
    NotAffine {
        /// The point.
        field: String,
    },
    /// A point is not on the curve.
    #[error("{field}: point is not on the curve")]
    NotOnCurve {
        /// The point.
        field: String,
    },
    /// A point is on the curve but outside the prime-order subgroup.
    #[error("{field}: point is not in the prime-order subgroup")]
    NotInSubgroup {
        /// The point.
        field: String,
    },
    /// `nPublic` and the number of `IC` points disagree, or exceed the limit.
    #[error("nPublic is {n_public} but IC has {ic} points (expected nPublic + 1, nPublic ≤ {max})")]
    PublicCount {
        /// Declared `nPublic`.
        n_public: u64,
        /// Number of IC points.
        ic: usize,
        /// Largest accepted `nPublic`.
        max: usize,
    },
    /// A byte encoding has the wrong length.
    #[error("{field}: expected {expected} bytes, found {found}")]
    ByteLength {
        /// What was being decoded.
        field: String,
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// A commitment key puts its challenge outside the key's public inputs.
    #[error("the commitment challenge index {index} is not below nPublic = {n_public}")]
    ChallengeIndex {
        /// The challenge's position among the public inputs.
        index: usize,
        /// `nPublic` of the key.
        n_public: usize,
    },
    /// The number of public signals differs from the key's `nPublic`.
    #[error("expected {expected} public signals, found {found}")]
    SignalCount {
        /// `nPublic` of the key.
        expected: usize,
        /// Signals given.
        found: usize,
    },
}
