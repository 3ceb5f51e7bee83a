//! snarkjs `verification_key.json` and `public.json`, parsed strictly into BN254 types.
//!
//! snarkjs writes points in projective form with decimal strings: G1 as `[x, y, "1"]`, G2 as
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (the same order as arkworks' `Fq2::new(c0, c1)`).
//! The identity cannot be written with a third coordinate of 1, so it is rejected too.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use serde::Deserialize;

use crate::FormatError;
use crate::decimal::parse_field;

/// Largest JSON document accepted for a key or a list of public signals.
pub const MAX_JSON_BYTES: usize = 1 << 20;
/// Largest number of public signals a key may declare.
pub const MAX_PUBLIC_SIGNALS: usize = 1024;

/// A Groth16 verifying key over BN254, every point checked on the curve and in its subgroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyingKey {
    /// `α` in G1.
    pub alpha_g1: G1Affine,
    /// `β` in G2.
    pub beta_g2: G2Affine,
    /// `γ` in G2.
    pub gamma_g2: G2Affine,
    /// `δ` in G2.
    pub delta_g2: G2Affine,
    /// `IC[0..=nPublic]` in G1: the public-input commitment bases.
    pub ic: Vec<G1Affine>,
}

impl VerifyingKey {
    /// Number of public signals this key expects.
    pub fn n_public(&self) -> usize {
        self.ic.len() - 1
    }

    /// Parses a snarkjs `verification_key.json`.
    pub fn from_snarkjs_json(json: &[u8]) -> Result<Self, FormatError> {
        let raw: RawVerifyingKey = decode(json)?;
        check_header(raw.protocol, Some(raw.curve))?;
        let ic_len = raw.ic.len();
        let count_error = || FormatError::PublicCount {
            n_public: raw.n_public,
            ic: ic_len,
            max: MAX_PUBLIC_SIGNALS,
        };
        let n_public = usize::try_from(raw.n_public).map_err(|_| count_error())?;
        if n_public > MAX_PUBLIC_SIGNALS || ic_len != n_public + 1 {
            return Err(count_error());
        }
        Ok(Self {
            alpha_g1: g1("vk_alpha_1", &raw.alpha)?,
            beta_g2: g2("vk_beta_2", &raw.beta)?,
            gamma_g2: g2("vk_gamma_2", &raw.gamma)?,
            delta_g2: g2("vk_delta_2", &raw.delta)?,
            ic: raw
                .ic
                .iter()
                .enumerate()
                .map(|(i, p)| g1(&format!("IC[{i}]"), p))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A Groth16 proof over BN254: `A`, `C` in G1 and `B` in G2, each checked on the curve and in
/// its subgroup, none the identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// `A` (`pi_a`).
    pub a: G1Affine,
    /// `B` (`pi_b`).
    pub b: G2Affine,
    /// `C` (`pi_c`).
    pub c: G1Affine,
}

impl Proof {
    /// Parses a snarkjs `proof.json`.
    pub fn from_snarkjs_json(json: &[u8]) -> Result<Self, FormatError> {
        let raw: RawProof = decode(json)?;
        check_header(raw.protocol, raw.curve)?;
        Ok(Self {
            a: g1("pi_a", &raw.a)?,
            b: g2("pi_b", &raw.b)?,
            c: g1("pi_c", &raw.c)?,
        })
    }
}

#[derive(Deserialize)]
struct RawProof {
    protocol: String,
    curve: Option<String>,
    #[serde(rename = "pi_a")]
    a: Vec<String>,
    #[serde(rename = "pi_b")]
    b: Vec<Vec<String>>,
    #[serde(rename = "pi_c")]
    c: Vec<String>,
}

/// Parses a snarkjs `public.json` (a list of decimal strings below r) for a key expecting
/// `n_public` signals.
pub fn public_signals_from_json(json: &[u8], n_public: usize) -> Result<Vec<Fr>, FormatError> {
    let raw: Vec<String> = decode(json)?;
    parse_public_signals(&raw, n_public)
}

/// Parses public signals given as decimal strings, checking their number first.
pub fn parse_public_signals<S: AsRef<str>>(
    raw: &[S],
    n_public: usize,
) -> Result<Vec<Fr>, FormatError> {
    if raw.len() != n_public {
        return Err(FormatError::SignalCount {
            expected: n_public,
            found: raw.len(),
        });
    }
    raw.iter()
        .enumerate()
        .map(|(i, s)| parse_field::<Fr>(s.as_ref(), &format!("public_signals[{i}]"), "r"))
        .collect()
}

/// Decodes a JSON document of at most [`MAX_JSON_BYTES`].
fn decode<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, FormatError> {
    if json.len() > MAX_JSON_BYTES {
        return Err(FormatError::TooLarge {
            len: json.len(),
            max: MAX_JSON_BYTES,
        });
    }
    serde_json::from_slice(json).map_err(|e| FormatError::Json(e.to_string()))
}

/// Checks `protocol` (must be `groth16`) and `curve` (`bn128` or `bn254`, where present).
fn check_header(protocol: String, curve: Option<String>) -> Result<(), FormatError> {
    if protocol != "groth16" {
        return Err(FormatError::Protocol(protocol));
    }
    match curve {
        Some(c) if c != "bn128" && c != "bn254" => Err(FormatError::Curve(c)),
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
struct RawVerifyingKey {
    protocol: String,
    curve: String,
    #[serde(rename = "nPublic")]
    n_public: u64,
    #[serde(rename = "vk_alpha_1")]
    alpha: Vec<String>,
    #[serde(rename = "vk_beta_2")]
    beta: Vec<Vec<String>>,
    #[serde(rename = "vk_gamma_2")]
    gamma: Vec<Vec<String>>,
    #[serde(rename = "vk_delta_2")]
    delta: Vec<Vec<String>>,
    #[serde(rename = "IC")]
    ic: Vec<Vec<String>>,
}

fn arity<T>(field: &str, items: &[T], expected: usize) -> Result<(), FormatError> {
    if items.len() != expected {
        return Err(FormatError::Arity {
            field: field.to_owned(),
            expected,
            found: items.len(),
        });
    }
    Ok(())
}

fn fq(field: &str, text: &str) -> Result<Fq, FormatError> {
    parse_field::<Fq>(text, field, "p")
}

/// A G1 point from `[x, y, "1"]`, on the curve (G1 has cofactor 1, so also in the group).
pub(crate) fn g1(field: &str, raw: &[String]) -> Result<G1Affine, FormatError> {
    arity(field, raw, 3)?;
    if raw[2] != "1" {
        return Err(FormatError::NotAffine {
            field: field.to_owned(),
        });
    }
    let p = G1Affine::new_unchecked(
        fq(&format!("{field}.x"), &raw[0])?,
        fq(&format!("{field}.y"), &raw[1])?,
    );
    if !p.is_on_curve() {
        return Err(FormatError::NotOnCurve {
            field: field.to_owned(),
        });
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(FormatError::NotInSubgroup {
            field: field.to_owned(),
        });
    }
    Ok(p)
}

/// A G2 point from `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`, on the twist and in the
/// prime-order subgroup (the twist has a large cofactor, so the check matters).
pub(crate) fn g2(field: &str, raw: &[Vec<String>]) -> Result<G2Affine, FormatError> {
    arity(field, raw, 3)?;
    for (i, c) in raw.iter().enumerate() {
        arity(&format!("{field}[{i}]"), c, 2)?;
    }
    if raw[2][0] != "1" || raw[2][1] != "0" {
        return Err(FormatError::NotAffine {
            field: field.to_owned(),
        });
    }
    let coord = |i: usize, name: &str| -> Result<Fq2, FormatError> {
        Ok(Fq2::new(
            fq(&format!("{field}.{name}.c0"), &raw[i][0])?,
            fq(&format!("{field}.{name}.c1"), &raw[i][1])?,
        ))
    };
    let p = G2Affine::new_unchecked(coord(0, "x")?, coord(1, "y")?);
    if !p.is_on_curve() {
        return Err(FormatError::NotOnCurve {
            field: field.to_owned(),
        });
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() || p.is_zero() {
        return Err(FormatError::NotInSubgroup {
            field: field.to_owned(),
        });
    }
    Ok(p)
}
