//! Proofs made by third-party tools: the fixtures in `testdata/snarkjs/` come from circuits
//! compiled by circom2, with keys and proofs made (and checked) by snarkjs; `ci/fixtures.sh`
//! regenerates them. Every proof verifies as snarkjs wrote it. Then every kind of tampering is
//! rejected: a false but well-formed statement or proof gives `Ok(false)`, a malformed encoding
//! gives the specific `FormatError`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use ark_bn254::{Fq, Fq2, Fr, G2Affine};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ff::{BigInteger, Field, PrimeField};
use serde_json::{Value, json};
use sheaf_aggregator::decimal::parse_field;
use sheaf_aggregator::snarkjs::{MAX_JSON_BYTES, MAX_PUBLIC_SIGNALS};
use sheaf_aggregator::{
    FormatError, PreparedVerifyingKey, Proof, VerifyingKey, public_signals_from_json,
};

/// The fixtures must cover at least this many circuits, each with at least `MIN_PROOFS` proofs.
const MIN_CIRCUITS: usize = 3;
const MIN_PROOFS: usize = 10;

/// One proof with its public signals, as snarkjs wrote them.
struct Fixture {
    proof: Vec<u8>,
    public: Vec<u8>,
}

/// A circuit's key and proofs.
struct Circuit {
    name: String,
    vk: Vec<u8>,
    pvk: PreparedVerifyingKey,
    fixtures: Vec<Fixture>,
}

impl Circuit {
    fn n_public(&self) -> usize {
        self.pvk.key().n_public()
    }
    fn proof(&self, i: usize) -> Proof {
        Proof::from_snarkjs_json(&self.fixtures[i].proof)
            .unwrap_or_else(|e| panic!("{} proof_{i}: {e}", self.name))
    }
    fn signals(&self, i: usize) -> Vec<Fr> {
        public_signals_from_json(&self.fixtures[i].public, self.n_public())
            .unwrap_or_else(|e| panic!("{} public_{i}: {e}", self.name))
    }
    fn proof_json(&self, i: usize) -> Value {
        serde_json::from_slice(&self.fixtures[i].proof).unwrap()
    }
    fn public_json(&self, i: usize) -> Value {
        serde_json::from_slice(&self.fixtures[i].public).unwrap()
    }
    fn vk_json(&self) -> Value {
        serde_json::from_slice(&self.vk).unwrap()
    }
}

/// Every circuit directory under `testdata/snarkjs/`, sorted by name, loaded once.
fn circuits() -> &'static [Circuit] {
    static CIRCUITS: OnceLock<Vec<Circuit>> = OnceLock::new();
    CIRCUITS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/snarkjs");
        let mut dirs: Vec<_> = fs::read_dir(&root)
            .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_dir())
            .collect();
        dirs.sort();
        dirs.iter().map(|dir| load_circuit(dir)).collect()
    })
}

/// Reads `verification_key.json` and `proof_<i>.json` with `public_<i>.json` for i = 0, 1, …
/// (numbered without gaps: a missing partner or a gap fails the test).
fn load_circuit(dir: &Path) -> Circuit {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let read = |file: &str| {
        let path = dir.join(file);
        fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let vk = read("verification_key.json");
    let key = VerifyingKey::from_snarkjs_json(&vk)
        .unwrap_or_else(|e| panic!("{name}/verification_key.json: {e}"));
    let count = fs::read_dir(dir)
        .unwrap()
        .filter(|entry| {
            let file = entry.as_ref().unwrap().file_name();
            let file = file.to_string_lossy();
            file.starts_with("proof_") && file.ends_with(".json")
        })
        .count();
    let fixtures = (0..count)
        .map(|i| Fixture {
            proof: read(&format!("proof_{i}.json")),
            public: read(&format!("public_{i}.json")),
        })
        .collect();
    Circuit {
        name,
        vk,
        pvk: PreparedVerifyingKey::new(key),
        fixtures,
    }
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn fq(text: &Value) -> Fq {
    parse_field::<Fq>(text.as_str().unwrap(), "test", "p").unwrap()
}

fn dec<F: PrimeField>(x: F) -> Value {
    json!(x.into_bigint().to_string())
}

/// A point on the G2 twist `y² = x³ + b'` that is not in the prime-order subgroup: the twist's
/// cofactor is large, so the first x (of the form `i + u`) with a square right-hand side gives
/// one unless the cofactor is cleared.
fn g2_outside_subgroup() -> Value {
    let b = ark_bn254::g2::Config::COEFF_B;
    let p = (1u64..1000)
        .find_map(|i| {
            let x = Fq2::new(Fq::from(i), Fq::ONE);
            let y = (x.square() * x + b).sqrt()?;
            let p = G2Affine::new_unchecked(x, y);
            assert!(p.is_on_curve());
            (!p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
        })
        .expect("a point outside the subgroup among the first x");
    json!([
        [dec(p.x.c0), dec(p.x.c1)],
        [dec(p.y.c0), dec(p.y.c1)],
        ["1", "0"]
    ])
}

/// Pads a JSON document with trailing whitespace (still valid JSON) past the size limit.
fn oversized(v: &Value) -> Vec<u8> {
    let mut bytes = to_bytes(v);
    bytes.resize(MAX_JSON_BYTES + 1, b' ');
    bytes
}

/// Edited copies of one document, each with the error it must be rejected with.
struct Cases<'a> {
    base: &'a Value,
    list: Vec<(String, Value, FormatError)>,
}

impl<'a> Cases<'a> {
    fn new(base: &'a Value) -> Self {
        Self {
            base,
            list: Vec::new(),
        }
    }

    /// The base with the value at the JSON pointer `at` (`/pi_a/0`; `""` is the whole
    /// document) replaced by `new` must be rejected with `want`.
    fn set(&mut self, at: &str, new: Value, want: FormatError) -> &mut Self {
        let mut doc = self.base.clone();
        *doc.pointer_mut(at).unwrap_or_else(|| panic!("no {at}")) = new.clone();
        self.list.push((format!("{at} = {new}"), doc, want));
        self
    }

    /// Checks that `parse` rejects every case with exactly its error.
    fn check<T: std::fmt::Debug + PartialEq>(
        &self,
        what: &str,
        parse: impl Fn(&[u8]) -> Result<T, FormatError>,
    ) {
        for (label, doc, want) in &self.list {
            assert_eq!(parse(&to_bytes(doc)), Err(want.clone()), "{what}: {label}");
        }
    }
}

/// The coordinate at the JSON pointer `at` of `doc`, plus one (off the curve, still below p).
fn plus_one(doc: &Value, at: &str) -> Value {
    dec(fq(doc.pointer(at).unwrap()) + Fq::ONE)
}

/// The coordinate at `at` of `doc`, plus p (the same residue, not reduced).
fn plus_p(doc: &Value, at: &str) -> Value {
    let mut v = fq(doc.pointer(at).unwrap()).into_bigint();
    assert!(!v.add_with_carry(&Fq::MODULUS));
    json!(v.to_string())
}

/// The text at `at` of `doc`.
fn text(doc: &Value, at: &str) -> String {
    doc.pointer(at).unwrap().as_str().unwrap().to_owned()
}

fn not_on_curve(field: &str) -> FormatError {
    FormatError::NotOnCurve {
        field: field.into(),
    }
}
fn not_in_subgroup(field: &str) -> FormatError {
    FormatError::NotInSubgroup {
        field: field.into(),
    }
}
fn not_affine(field: &str) -> FormatError {
    FormatError::NotAffine {
        field: field.into(),
    }
}
fn not_reduced(field: &str, modulus: &'static str) -> FormatError {
    FormatError::NotReduced {
        field: field.into(),
        modulus,
    }
}
fn not_decimal(field: &str, value: &str) -> FormatError {
    FormatError::NotDecimal {
        field: field.into(),
        value: value.into(),
    }
}

/// Spellings of the number `x` that are not canonical decimals: hex, signs, spaces, leading
/// zeros, a fraction, an exponent, nothing.
fn non_canonical(x: &str) -> Vec<String> {
    let hex: String = parse_field::<Fq>(x, "x", "p")
        .unwrap()
        .into_bigint()
        .to_bytes_be()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut spellings = vec![format!("0x{hex}"), "1e3".into(), String::new()];
    for (before, after) in [
        ("-", ""),
        ("+", ""),
        (" ", ""),
        ("", " "),
        ("0", ""),
        ("", ".0"),
    ] {
        spellings.push(format!("{before}{x}{after}"));
    }
    spellings
}

/// The identity as snarkjs writes it: projective with a third coordinate of 0.
fn g1_identity() -> Value {
    json!(["0", "1", "0"])
}
fn g2_identity() -> Value {
    json!([["0", "0"], ["1", "0"], ["0", "0"]])
}

fn too_large() -> FormatError {
    FormatError::TooLarge {
        len: MAX_JSON_BYTES + 1,
        max: MAX_JSON_BYTES,
    }
}

#[test]
fn every_fixture_verifies() {
    let circuits = circuits();
    assert!(
        circuits.len() >= MIN_CIRCUITS,
        "{} circuits in testdata/snarkjs (run ci/fixtures.sh)",
        circuits.len()
    );
    let mut total = 0;
    for c in circuits {
        assert!(
            c.fixtures.len() >= MIN_PROOFS,
            "{}: {} proofs",
            c.name,
            c.fixtures.len()
        );
        for i in 0..c.fixtures.len() {
            assert_eq!(
                c.pvk.verify(&c.proof(i), &c.signals(i)),
                Ok(true),
                "{} proof_{i}",
                c.name
            );
            total += 1;
        }
    }
    // The fixtures span one, a few and many public signals.
    let counts: Vec<usize> = circuits.iter().map(Circuit::n_public).collect();
    assert!(counts.contains(&1) && counts.contains(&3), "{counts:?}");
    assert!(counts.iter().any(|&n| n >= 8), "{counts:?}");
    println!(
        "{total} snarkjs proofs over {} circuits verified",
        circuits.len()
    );
}

#[test]
fn false_statements_are_rejected() {
    for c in circuits() {
        for i in 0..c.fixtures.len() {
            let (proof, signals) = (c.proof(i), c.signals(i));
            for j in 0..signals.len() {
                let mut wrong = signals.clone();
                wrong[j] += Fr::ONE;
                assert_eq!(
                    c.pvk.verify(&proof, &wrong),
                    Ok(false),
                    "{} proof_{i}, signal {j} + 1",
                    c.name
                );
            }
            // Another proof's statement, unless it happens to be the same.
            let other = c.signals((i + 1) % c.fixtures.len());
            if other != signals {
                assert_eq!(c.pvk.verify(&proof, &other), Ok(false), "{}", c.name);
            }
        }
    }
}

#[test]
fn tampered_proofs_are_rejected() {
    for circuit in circuits() {
        let n = circuit.fixtures.len();
        for i in 0..n {
            let signals = circuit.signals(i);
            let proof = circuit.proof(i);
            let next = circuit.proof((i + 1) % n);
            assert_ne!(proof.c, next.c, "{}: two proofs share C", circuit.name);
            // −A, written as snarkjs would: pi_a's y replaced by p − y.
            let mut v = circuit.proof_json(i);
            v["pi_a"][1] = dec(-fq(&v["pi_a"][1]));
            let minus_a = Proof::from_snarkjs_json(&to_bytes(&v)).unwrap().a;
            let tampered = [
                ("C from another proof", proof.a, proof.b, next.c),
                ("B from another proof", proof.a, next.b, proof.c),
                ("A and C swapped", proof.c, proof.b, proof.a),
                ("-A", minus_a, proof.b, proof.c),
            ];
            for (what, a, b, c) in tampered {
                assert_eq!(
                    circuit.pvk.verify(&Proof { a, b, c }, &signals),
                    Ok(false),
                    "{} proof_{i}: {what}",
                    circuit.name
                );
            }
        }
    }
}

#[test]
fn proofs_under_another_key_are_rejected() {
    let circuits = circuits();
    let mut same_count_pairs = 0;
    for key in circuits {
        for other in circuits.iter().filter(|o| o.name != key.name) {
            for i in 0..other.fixtures.len() {
                let (proof, signals) = (other.proof(i), other.signals(i));
                // A valid proof of another circuit: Ok(false) when its statement has the
                // right shape, a count error otherwise.
                let want = if other.n_public() == key.n_public() {
                    Ok(false)
                } else {
                    Err(FormatError::SignalCount {
                        expected: key.n_public(),
                        found: other.n_public(),
                    })
                };
                let got = key.pvk.verify(&proof, &signals);
                assert_eq!(got, want, "{} proof_{i} under {}", other.name, key.name);
            }
            same_count_pairs += usize::from(other.n_public() == key.n_public());
        }
    }
    assert!(
        same_count_pairs > 0,
        "no two circuits with the same nPublic"
    );
}

#[test]
fn malformed_proofs_are_rejected() {
    let off_subgroup = g2_outside_subgroup();
    for c in circuits() {
        let base = c.proof_json(0);
        let mut cases = Cases::new(&base);
        // Points off the curve, outside the subgroup, not affine, at infinity.
        cases
            .set("/pi_a/1", plus_one(&base, "/pi_a/1"), not_on_curve("pi_a"))
            .set(
                "/pi_b/1/1",
                plus_one(&base, "/pi_b/1/1"),
                not_on_curve("pi_b"),
            )
            .set("/pi_c/0", plus_one(&base, "/pi_c/0"), not_on_curve("pi_c"))
            .set("/pi_b", off_subgroup.clone(), not_in_subgroup("pi_b"))
            .set("/pi_a/2", json!("2"), not_affine("pi_a"))
            .set("/pi_c/2", json!("0"), not_affine("pi_c"))
            .set("/pi_b/2", json!(["1", "1"]), not_affine("pi_b"))
            .set("/pi_b/2", json!(["0", "0"]), not_affine("pi_b"))
            .set("/pi_a", g1_identity(), not_affine("pi_a"))
            .set("/pi_b", g2_identity(), not_affine("pi_b"))
            .set("/pi_c", g1_identity(), not_affine("pi_c"));
        // Coordinates at or above p, including the same residue plus p.
        cases
            .set(
                "/pi_a/0",
                plus_p(&base, "/pi_a/0"),
                not_reduced("pi_a.x", "p"),
            )
            .set(
                "/pi_b/1/1",
                plus_p(&base, "/pi_b/1/1"),
                not_reduced("pi_b.y.c1", "p"),
            )
            .set(
                "/pi_c/1",
                json!(Fq::MODULUS.to_string()),
                not_reduced("pi_c.y", "p"),
            );
        // Numbers that are not canonical decimals.
        for bad in non_canonical(&text(&base, "/pi_a/0")) {
            cases.set("/pi_a/0", json!(bad), not_decimal("pi_a.x", &bad));
        }
        let padded = format!("00{}", text(&base, "/pi_b/0/0"));
        cases.set(
            "/pi_b/0/0",
            json!(padded),
            not_decimal("pi_b.x.c0", &padded),
        );
        // Header and shape.
        let a_xy = json!([base["pi_a"][0], base["pi_a"][1]]);
        let arity = FormatError::Arity {
            field: "pi_a".into(),
            expected: 3,
            found: 2,
        };
        cases
            .set(
                "/protocol",
                json!("plonk"),
                FormatError::Protocol("plonk".into()),
            )
            .set(
                "/curve",
                json!("bls12381"),
                FormatError::Curve("bls12381".into()),
            )
            .set("/pi_a", a_xy, arity);
        cases.check(&c.name, Proof::from_snarkjs_json);

        let mut no_c = base.clone();
        no_c.as_object_mut().unwrap().remove("pi_c");
        let mut number = base.clone();
        number["pi_a"][0] = json!(1);
        for doc in [no_c, number] {
            let got = Proof::from_snarkjs_json(&to_bytes(&doc));
            assert!(
                matches!(got, Err(FormatError::Json(_))),
                "{}: {got:?}",
                c.name
            );
        }
        assert_eq!(
            Proof::from_snarkjs_json(&oversized(&base)),
            Err(too_large())
        );
    }
}

#[test]
fn malformed_public_signals_are_rejected() {
    for c in circuits() {
        let base = c.public_json(0);
        let n = c.n_public();
        let parse = |json: &[u8]| public_signals_from_json(json, n);
        assert_eq!(parse(&to_bytes(&base)), Ok(c.signals(0)));
        let signals = base.as_array().unwrap();
        let mut surplus = signals.clone();
        surplus.push(json!("0"));
        let first = "public_signals[0]";
        let mut cases = Cases::new(&base);
        cases
            .set(
                "/0",
                json!(Fr::MODULUS.to_string()),
                not_reduced(first, "r"),
            )
            // p is a fine base-field value, but not below r.
            .set(
                "/0",
                json!(Fq::MODULUS.to_string()),
                not_reduced(first, "r"),
            )
            .set("/0", json!("9".repeat(78)), not_reduced(first, "r"))
            .set(
                "",
                json!(surplus),
                FormatError::SignalCount {
                    expected: n,
                    found: n + 1,
                },
            )
            .set(
                "",
                json!(signals[..n - 1]),
                FormatError::SignalCount {
                    expected: n,
                    found: n - 1,
                },
            );
        let last = format!("public_signals[{}]", n - 1);
        for bad in non_canonical(&text(&base, &format!("/{}", n - 1))) {
            cases.set(&format!("/{}", n - 1), json!(bad), not_decimal(&last, &bad));
        }
        cases.check(&c.name, parse);

        let got = parse(&to_bytes(&json!([1])));
        assert!(
            matches!(got, Err(FormatError::Json(_))),
            "{}: {got:?}",
            c.name
        );
        assert_eq!(parse(&oversized(&base)), Err(too_large()));
        // The verifier checks the count too (it would be wrong to ignore surplus signals).
        let mut surplus = c.signals(0);
        surplus.push(Fr::from(0u64));
        assert_eq!(
            c.pvk.verify(&c.proof(0), &surplus),
            Err(FormatError::SignalCount {
                expected: n,
                found: n + 1
            })
        );
    }
}

#[test]
fn malformed_keys_are_rejected() {
    let off_subgroup = g2_outside_subgroup();
    for c in circuits() {
        let base = c.vk_json();
        let n = c.n_public();
        let parse = VerifyingKey::from_snarkjs_json;
        assert_eq!(parse(&to_bytes(&base)).as_ref(), Ok(c.pvk.key()));
        let count = |n_public: usize, ic: usize| FormatError::PublicCount {
            n_public: n_public as u64,
            ic,
            max: MAX_PUBLIC_SIGNALS,
        };
        let ic = base["IC"].as_array().unwrap();
        let mut long = ic.clone();
        long.push(ic[0].clone());
        let signed = format!("+{}", base["IC"][n][0].as_str().unwrap());
        let mut cases = Cases::new(&base);
        // IC must hold nPublic + 1 points.
        cases
            .set("/IC", json!(ic[..n]), count(n, n))
            .set("/IC", json!(long), count(n, n + 2))
            .set("/nPublic", json!(n + 1), count(n + 1, n + 1))
            .set(
                "/protocol",
                json!("plonk"),
                FormatError::Protocol("plonk".into()),
            )
            .set(
                "/curve",
                json!("bls12381"),
                FormatError::Curve("bls12381".into()),
            )
            .set(
                "/vk_alpha_1/1",
                plus_one(&base, "/vk_alpha_1/1"),
                not_on_curve("vk_alpha_1"),
            )
            .set(
                "/vk_beta_2",
                off_subgroup.clone(),
                not_in_subgroup("vk_beta_2"),
            )
            .set("/vk_delta_2", g2_identity(), not_affine("vk_delta_2"))
            .set("/IC/0", g1_identity(), not_affine("IC[0]"))
            .set(
                "/vk_gamma_2/0/0",
                plus_p(&base, "/vk_gamma_2/0/0"),
                not_reduced("vk_gamma_2.x.c0", "p"),
            )
            .set(
                &format!("/IC/{n}/0"),
                json!(signed),
                not_decimal(&format!("IC[{n}].x"), &signed),
            );
        cases.check(&c.name, parse);
        assert_eq!(parse(&oversized(&base)), Err(too_large()));
    }
}

/// `(0, 0)` is not on the curve (`0 ≠ 0³ + b`), but arkworks 0.6 stores BN254's identity as
/// `(0, 0)` with no flag, so `new_unchecked(0, 0)` is the identity and `is_on_curve` accepts it.
/// Written as `["0", "0", "1"]` it must be rejected like the identity's other spellings.
#[test]
fn affine_zero_is_rejected() {
    let g1_zero = json!(["0", "0", "1"]);
    let g2_zero = json!([["0", "0"], ["0", "0"], ["1", "0"]]);
    for c in circuits() {
        let proof = c.proof_json(0);
        let mut cases = Cases::new(&proof);
        cases
            .set("/pi_a", g1_zero.clone(), not_on_curve("pi_a"))
            .set("/pi_b", g2_zero.clone(), not_on_curve("pi_b"))
            .set("/pi_c", g1_zero.clone(), not_on_curve("pi_c"));
        cases.check(&c.name, Proof::from_snarkjs_json);
        let vk = c.vk_json();
        let mut cases = Cases::new(&vk);
        cases
            .set("/vk_alpha_1", g1_zero.clone(), not_on_curve("vk_alpha_1"))
            .set("/IC/1", g1_zero.clone(), not_on_curve("IC[1]"));
        cases.check(&c.name, VerifyingKey::from_snarkjs_json);
    }
}
