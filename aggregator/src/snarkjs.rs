//! snarkjs `verification_key.json`, `proof.json` and `public.json`, parsed strictly into BN254
//! types, and written back in the layout snarkjs writes.
//!
//! snarkjs writes points in projective form with decimal strings: G1 as `[x, y, "1"]`, G2 as
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (the same order as arkworks' `Fq2::new(c0, c1)`).
//! The identity cannot be written with a third coordinate of 1, so it is rejected too.

use ark_bn254::{Bn254, Fq, Fq2, Fq6, Fq12, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ec::pairing::Pairing;
use ark_ec::short_weierstrass::Affine;
use ark_ff::PrimeField;
use serde::{Deserialize, Serialize};

use crate::FormatError;
use crate::decimal::parse_field;
use crate::subgroup::InSubgroup;

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
    checked_point(field, p)
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
    checked_point(field, p)
}

/// `p` if it is on the curve, in the prime-order subgroup and not the identity.
pub(crate) fn checked_point<P: InSubgroup>(
    field: &str,
    p: Affine<P>,
) -> Result<Affine<P>, FormatError> {
    // arkworks represents the identity as (0, 0), which `is_on_curve` accepts; as affine
    // coordinates (0, 0) is off the curve (b ≠ 0 on BN254 and its twist), so it is refused here.
    if p.is_zero() || !p.is_on_curve() {
        return Err(FormatError::NotOnCurve {
            field: field.to_owned(),
        });
    }
    if !P::in_subgroup(&p) {
        return Err(FormatError::NotInSubgroup {
            field: field.to_owned(),
        });
    }
    Ok(p)
}

// Emission. snarkjs writes `JSON.stringify`-style output indented by one space, with the keys in
// the order below, every number a decimal string except `nPublic`.

impl VerifyingKey {
    /// The key as snarkjs writes `verification_key.json`, including `vk_alphabeta_12`
    /// (`e(α, β)`, which costs one pairing).
    pub fn to_snarkjs_json(&self) -> String {
        let alpha_beta = Bn254::pairing(self.alpha_g1, self.beta_g2).0;
        to_json(&SnarkjsVerifyingKey {
            protocol: "groth16",
            curve: "bn128",
            n_public: self.n_public(),
            alpha: g1_strings(&self.alpha_g1),
            beta: g2_strings(&self.beta_g2),
            gamma: g2_strings(&self.gamma_g2),
            delta: g2_strings(&self.delta_g2),
            alpha_beta: fq12_strings(&alpha_beta),
            ic: self.ic.iter().map(g1_strings).collect(),
        })
    }
}

impl Proof {
    /// The proof as snarkjs writes `proof.json`.
    pub fn to_snarkjs_json(&self) -> String {
        to_json(&SnarkjsProof {
            a: g1_strings(&self.a),
            b: g2_strings(&self.b),
            c: g1_strings(&self.c),
            protocol: "groth16",
            curve: "bn128",
        })
    }
}

/// Public signals as snarkjs writes `public.json`: a list of decimal strings.
pub fn public_signals_to_json(signals: &[Fr]) -> String {
    to_json(&signals.iter().map(decimal).collect::<Vec<_>>())
}

#[derive(Serialize)]
struct SnarkjsVerifyingKey {
    protocol: &'static str,
    curve: &'static str,
    #[serde(rename = "nPublic")]
    n_public: usize,
    #[serde(rename = "vk_alpha_1")]
    alpha: [String; 3],
    #[serde(rename = "vk_beta_2")]
    beta: [[String; 2]; 3],
    #[serde(rename = "vk_gamma_2")]
    gamma: [[String; 2]; 3],
    #[serde(rename = "vk_delta_2")]
    delta: [[String; 2]; 3],
    #[serde(rename = "vk_alphabeta_12")]
    alpha_beta: [[[String; 2]; 3]; 2],
    #[serde(rename = "IC")]
    ic: Vec<[String; 3]>,
}

#[derive(Serialize)]
struct SnarkjsProof {
    #[serde(rename = "pi_a")]
    a: [String; 3],
    #[serde(rename = "pi_b")]
    b: [[String; 2]; 3],
    #[serde(rename = "pi_c")]
    c: [String; 3],
    protocol: &'static str,
    curve: &'static str,
}

#[allow(
    clippy::expect_used,
    reason = "serializing structs of strings and integers into memory cannot fail"
)]
fn to_json<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .expect("in-memory JSON serialization");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn decimal<F: PrimeField>(x: &F) -> String {
    x.into_bigint().to_string()
}

/// `[x, y, "1"]`. The identity, which has no affine coordinates, is written as snarkjs writes
/// it: `["0", "1", "0"]`.
fn g1_strings(p: &G1Affine) -> [String; 3] {
    match p.xy() {
        Some((x, y)) => [decimal(&x), decimal(&y), "1".into()],
        None => ["0".into(), "1".into(), "0".into()],
    }
}

/// `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`; the identity as `[["0", "0"], ["1", "0"], ["0", "0"]]`.
fn g2_strings(p: &G2Affine) -> [[String; 2]; 3] {
    let fq2 = |c: &Fq2| [decimal(&c.c0), decimal(&c.c1)];
    match p.xy() {
        Some((x, y)) => [fq2(&x), fq2(&y), ["1".into(), "0".into()]],
        None => [
            ["0".into(), "0".into()],
            ["1".into(), "0".into()],
            ["0".into(), "0".into()],
        ],
    }
}

/// snarkjs' `Gt.toObject`: `[c0, c1]` of `Fq6`s, each `[c0, c1, c2]` of `Fq2`s, each `[c0, c1]`
/// (the same tower as arkworks: `Fq2 = Fq[u]/(u² + 1)`, `Fq6 = Fq2[v]/(v³ − (9 + u))`,
/// `Fq12 = Fq6[w]/(w² − v)`).
fn fq12_strings(x: &Fq12) -> [[[String; 2]; 3]; 2] {
    let fq2 = |c: &Fq2| [decimal(&c.c0), decimal(&c.c1)];
    let fq6 = |c: &Fq6| [fq2(&c.c0), fq2(&c.c1), fq2(&c.c2)];
    [fq6(&x.c0), fq6(&x.c1)]
}
