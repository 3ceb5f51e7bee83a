//! The project's hashing vectors (`testdata/hashing.json`, a copy of `shared/vectors/`) and the
//! strict parser's rejections.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ark_bn254::{Fq2, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{Field, PrimeField};
use serde_json::{Value, json};
use sheaf_aggregator::{
    FormatError, MerkleTree, VerifyingKey, parse_public_signals, public_signals_from_json,
    public_signals_hash, statement_leaf, verify_path,
};

fn vectors() -> Value {
    serde_json::from_str(include_str!("../testdata/hashing.json")).unwrap()
}

fn h(s: &Value) -> [u8; 32] {
    hex::decode(s.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn key(v: &Value) -> VerifyingKey {
    VerifyingKey::from_snarkjs_json(v.to_string().as_bytes()).unwrap()
}

fn signals(v: &Value, n: usize) -> Vec<ark_bn254::Fr> {
    let raw: Vec<String> = serde_json::from_value(v.clone()).unwrap();
    parse_public_signals(&raw, n).unwrap()
}

#[test]
fn statements_match_vectors() {
    let v = vectors();
    for s in v["statements"].as_array().unwrap() {
        let vk = key(&s["verification_key"]);
        assert_eq!(
            hex::encode(vk.evm_encoding()),
            s["vk_encoding_hex"].as_str().unwrap()
        );
        assert_eq!(vk.vk_hash(), h(&s["vk_hash"]), "{}", s["name"]);
        let sig = signals(&s["public_signals"], vk.n_public());
        assert_eq!(public_signals_hash(&sig), h(&s["public_signals_hash"]));
        assert_eq!(statement_leaf(&vk.vk_hash(), &sig), h(&s["leaf"]));
    }
}

#[test]
fn tree_matches_vectors_and_rejects_tampering() {
    let v = vectors();
    let t = &v["tree"];
    let leaves: Vec<[u8; 32]> = t["leaves"].as_array().unwrap().iter().map(h).collect();
    // The third leaf is the statement the vectors describe.
    let third = &t["third_statement"];
    let named = v["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == third["vk"])
        .unwrap();
    let vk = key(&named["verification_key"]);
    let sig = signals(&third["public_signals"], vk.n_public());
    assert_eq!(statement_leaf(&vk.vk_hash(), &sig), leaves[2]);

    let tree = MerkleTree::new(&leaves).unwrap();
    let root = h(&t["root"]);
    assert_eq!(tree.root(), root);
    for p in t["paths"].as_array().unwrap() {
        let index = p["index"].as_u64().unwrap();
        let path: Vec<[u8; 32]> = p["siblings_bottom_up"]
            .as_array()
            .unwrap()
            .iter()
            .map(h)
            .collect();
        assert_eq!(tree.path(index as usize).unwrap(), path);
        let leaf = leaves[index as usize];
        assert!(verify_path(&root, &leaf, index, &path));
        // Wrong index, extra index bits, a flipped sibling bit, a wrong leaf, a short path.
        assert!(!verify_path(&root, &leaf, index ^ 1, &path));
        assert!(!verify_path(&root, &leaf, index | 4, &path));
        let mut bad = path.clone();
        bad[0][0] ^= 1;
        assert!(!verify_path(&root, &leaf, index, &bad));
        let mut bad_leaf = leaf;
        bad_leaf[31] ^= 0x80;
        assert!(!verify_path(&root, &bad_leaf, index, &path));
        assert!(!verify_path(&root, &leaf, index, &path[..1]));
    }
    assert!(tree.path(3).is_none(), "no path for a padding leaf");

    let single = &v["single"];
    let one = [h(&single["leaves"][0])];
    let tree = MerkleTree::new(&one).unwrap();
    assert_eq!(tree.root(), h(&single["root_of_one_leaf"]));
    assert_eq!(tree.path(0).unwrap(), Vec::<[u8; 32]>::new());
    assert!(verify_path(&tree.root(), &one[0], 0, &[]));
    assert!(!verify_path(&tree.root(), &one[0], 1, &[]));
    assert!(MerkleTree::new(&[]).is_none());
}

/// The multiplier key from the vectors, as JSON to tamper with.
fn base_key() -> Value {
    vectors()["statements"][0]["verification_key"].clone()
}

fn parse(v: &Value) -> Result<VerifyingKey, FormatError> {
    VerifyingKey::from_snarkjs_json(v.to_string().as_bytes())
}

/// A named tampering of a key and the error it must produce.
type Case = (
    &'static str,
    Box<dyn Fn(&mut Value)>,
    fn(&FormatError) -> bool,
);

#[test]
fn rejects_malformed_keys_with_specific_errors() {
    let p = ark_bn254::Fq::MODULUS.to_string();
    let cases: Vec<Case> = vec![
        (
            "protocol",
            Box::new(|k| k["protocol"] = json!("plonk")),
            |e| matches!(e, FormatError::Protocol(_)),
        ),
        ("curve", Box::new(|k| k["curve"] = json!("bls12381")), |e| {
            matches!(e, FormatError::Curve(_))
        }),
        (
            "hex",
            Box::new(|k| k["vk_alpha_1"][0] = json!("0x01")),
            |e| matches!(e, FormatError::NotDecimal { .. }),
        ),
        (
            "sign",
            Box::new(|k| k["vk_alpha_1"][1] = json!("-5")),
            |e| matches!(e, FormatError::NotDecimal { .. }),
        ),
        (
            "leading zero",
            Box::new(|k| {
                let x = k["vk_alpha_1"][0].as_str().unwrap().to_owned();
                k["vk_alpha_1"][0] = json!(format!("0{x}"));
            }),
            |e| matches!(e, FormatError::NotDecimal { .. }),
        ),
        (
            "coordinate = p",
            Box::new(move |k| k["vk_alpha_1"][0] = json!(p.clone())),
            |e| matches!(e, FormatError::NotReduced { modulus: "p", .. }),
        ),
        (
            "z != 1",
            Box::new(|k| k["vk_alpha_1"][2] = json!("2")),
            |e| matches!(e, FormatError::NotAffine { .. }),
        ),
        (
            "infinity",
            Box::new(|k| k["vk_alpha_1"] = json!(["0", "1", "0"])),
            |e| matches!(e, FormatError::NotAffine { .. }),
        ),
        (
            "G2 z",
            Box::new(|k| k["vk_beta_2"][2] = json!(["1", "1"])),
            |e| matches!(e, FormatError::NotAffine { .. }),
        ),
        (
            "off curve G1",
            Box::new(|k| k["IC"][1][1] = json!("7")),
            |e| matches!(e, FormatError::NotOnCurve { .. }),
        ),
        (
            "off curve G2",
            Box::new(|k| k["vk_delta_2"][1][0] = json!("7")),
            |e| matches!(e, FormatError::NotOnCurve { .. }),
        ),
        (
            "G1 arity",
            Box::new(|k| k["vk_alpha_1"] = json!(["1", "2"])),
            |e| matches!(e, FormatError::Arity { .. }),
        ),
        (
            "G2 arity",
            Box::new(|k| k["vk_gamma_2"][0] = json!(["1"])),
            |e| matches!(e, FormatError::Arity { .. }),
        ),
        (
            "nPublic vs IC",
            Box::new(|k| k["nPublic"] = json!(2)),
            |e| matches!(e, FormatError::PublicCount { .. }),
        ),
        ("IC missing", Box::new(|k| k["IC"] = json!([])), |e| {
            matches!(e, FormatError::PublicCount { .. })
        }),
        (
            "nPublic huge",
            Box::new(|k| k["nPublic"] = json!(u64::MAX)),
            |e| matches!(e, FormatError::PublicCount { .. }),
        ),
        (
            "not JSON shape",
            Box::new(|k| k["IC"] = json!("many")),
            |e| matches!(e, FormatError::Json(_)),
        ),
    ];
    assert!(parse(&base_key()).is_ok());
    for (name, tamper, expected) in cases {
        let mut k = base_key();
        tamper(&mut k);
        let err = parse(&k).expect_err(name);
        assert!(expected(&err), "{name}: got {err}");
    }
}

#[test]
fn rejects_g2_points_outside_the_subgroup() {
    // A point on the twist found from x = 1, 2, …; the twist's cofactor is huge, so such a
    // point is outside the order-r subgroup.
    let point = (1u64..)
        .find_map(|i| G2Affine::get_point_from_x_unchecked(Fq2::new(i.into(), 1u64.into()), false))
        .unwrap();
    assert!(point.is_on_curve() && !point.is_in_correct_subgroup_assuming_on_curve());
    let s = |x: &ark_bn254::Fq| x.into_bigint().to_string();
    let mut k = base_key();
    k["vk_beta_2"] = json!([
        [s(&point.x.c0), s(&point.x.c1)],
        [s(&point.y.c0), s(&point.y.c1)],
        ["1", "0"]
    ]);
    assert!(matches!(parse(&k), Err(FormatError::NotInSubgroup { .. })));
    assert!(!point.is_zero() && point.x != Fq2::ONE);
}

#[test]
fn rejects_bad_public_signals_and_oversized_input() {
    let r = ark_bn254::Fr::MODULUS.to_string();
    assert!(matches!(
        public_signals_from_json(b"[\"1\", \"2\"]", 1),
        Err(FormatError::SignalCount {
            expected: 1,
            found: 2
        })
    ));
    assert!(matches!(
        public_signals_from_json(b"[]", 1),
        Err(FormatError::SignalCount { .. })
    ));
    assert!(matches!(
        public_signals_from_json(format!("[\"{r}\"]").as_bytes(), 1),
        Err(FormatError::NotReduced { modulus: "r", .. })
    ));
    assert!(matches!(
        public_signals_from_json(b"[\"01\"]", 1),
        Err(FormatError::NotDecimal { .. })
    ));
    assert!(matches!(
        public_signals_from_json(b"[1]", 1),
        Err(FormatError::Json(_))
    ));
    assert_eq!(
        public_signals_from_json(b"[\"33\"]", 1).unwrap(),
        vec![ark_bn254::Fr::from(33u64)]
    );
    let big = vec![b' '; sheaf_aggregator::snarkjs::MAX_JSON_BYTES + 1];
    assert!(matches!(
        VerifyingKey::from_snarkjs_json(&big),
        Err(FormatError::TooLarge { .. })
    ));
    assert!(matches!(
        public_signals_from_json(&big, 1),
        Err(FormatError::TooLarge { .. })
    ));
}
