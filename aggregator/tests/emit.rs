//! snarkjs emission: keys, proofs and public signals written by `to_snarkjs_json` parse back to
//! the same values, have snarkjs' layout, and a key written by snarkjs itself (including its
//! `vk_alphabeta_12`) is reproduced exactly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ff::{Field, PrimeField};
use ark_groth16::Groth16;
use ark_snark::SNARK;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use sheaf_aggregator::{
    PreparedVerifyingKey, Proof, VerifyingKey, public_signals_from_json, public_signals_to_json,
};

mod common;
use common::Squares;

/// A `verification_key.json` as written by snarkjs for a circuit with two public signals
/// (the widely shared Hermez-ceremony `α`, `β`).
const SNARKJS_VK: &str = r#"{
 "protocol": "groth16",
 "curve": "bn128",
 "nPublic": 2,
 "vk_alpha_1": [
  "20491192805390485299153009773594534940189261866228447918068658471970481763042",
  "9383485363053290200918347156157836566562967994039712273449902621266178545958",
  "1"
 ],
 "vk_beta_2": [
  [
   "6375614351688725206403948262868962793625744043794305715222011528459656738731",
   "4252822878758300859123897981450591353533073413197771768651442665752259397132"
  ],
  [
   "10505242626370262277552901082094356697409835680220590971873171140371331206856",
   "21847035105528745403288232691147584728191162732299865338377159692350059136679"
  ],
  [
   "1",
   "0"
  ]
 ],
 "vk_gamma_2": [
  [
   "10857046999023057135944570762232829481370756359578518086990519993285655852781",
   "11559732032986387107991004021392285783925812861821192530917403151452391805634"
  ],
  [
   "8495653923123431417604973247489272438418190587263600148770280649306958101930",
   "4082367875863433681332203403145435568316851327593401208105741076214120093531"
  ],
  [
   "1",
   "0"
  ]
 ],
 "vk_delta_2": [
  [
   "17608963753378099486245458723771923191425930747139112370610976690633207576600",
   "502327822159726970000387749281741394036053489703183429816461629884219340919"
  ],
  [
   "6381936594791359602770991568909069629025254801614368938598939969718914424925",
   "11353215306399907187438531994284586041711480912639561106259508619293648058580"
  ],
  [
   "1",
   "0"
  ]
 ],
 "vk_alphabeta_12": [
  [
   [
    "2029413683389138792403550203267699914886160938906632433982220835551125967885",
    "21072700047562757817161031222997517981543347628379360635925549008442030252106"
   ],
   [
    "5940354580057074848093997050200682056184807770593307860589430076672439820312",
    "12156638873931618554171829126792193045421052652279363021382169897324752428276"
   ],
   [
    "7898200236362823042373859371574133993780991612861777490112507062703164551277",
    "7074218545237549455313236346927434013100842096812539264420499035217050630853"
   ]
  ],
  [
   [
    "7077479683546002997211712695946002074877511277312570035766170199895071832130",
    "10093483419865920389913245021038182291233451549023025229112148274109565435465"
   ],
   [
    "4595479056700221319381530156280926371456704509942304414423590385166031118820",
    "19831328484489333784475432780421641293929726139240675179672856274388269393268"
   ],
   [
    "11934129596455521040620786944827826205713621633706285934057045369193958244500",
    "8037395052364110730298837004334506829870972346962140206007064471173334027475"
   ]
  ]
 ],
 "IC": [
  [
   "14197337208806770545889220037358805071954256513497618666763526856238699710862",
   "9453653003318842103590170162898346038399530062335296624636426850906339758932",
   "1"
  ],
  [
   "7374419710074923783649892211890616707963750737341310197238451007583332192797",
   "4777866817750211338926228749453665894287783251391950411282042253958828314422",
   "1"
  ],
  [
   "5944135141027406582923479745934505228510427791131178445052716386361609615767",
   "12206970540198405095222264634510513580619878699676273073206648968392358034589",
   "1"
  ]
 ]
}"#;

#[test]
fn snarkjs_key_is_reproduced() {
    let vk = VerifyingKey::from_snarkjs_json(SNARKJS_VK.as_bytes()).unwrap();
    let ours = vk.to_snarkjs_json();
    let a: Value = serde_json::from_str(&ours).unwrap();
    let b: Value = serde_json::from_str(SNARKJS_VK).unwrap();
    assert_eq!(a["vk_alphabeta_12"], b["vk_alphabeta_12"]);
    assert_eq!(a, b);
    assert_eq!(ours, SNARKJS_VK);
}

/// Honest ark-groth16 proofs with their public signals.
type ArkProofs = Vec<(ark_groth16::Proof<Bn254>, Vec<Fr>)>;

/// An ark-groth16 key with `n_public` signals, and two honest proofs with their signals.
fn ark_fixture(n_public: usize, seed: u64) -> (ark_groth16::VerifyingKey<Bn254>, ArkProofs) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let template = Squares {
        w: Fr::ONE,
        n_public,
    };
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(template, &mut rng).unwrap();
    let proofs = (0..2)
        .map(|_| {
            let c = Squares {
                w: Fr::from(rng.r#gen::<u64>()),
                n_public,
            };
            let p = Groth16::<Bn254>::prove(&pk, c.clone(), &mut rng).unwrap();
            (p, c.publics())
        })
        .collect();
    (vk, proofs)
}

fn dec<F: PrimeField>(x: &F) -> String {
    x.into_bigint().to_string()
}

/// snarkjs' G1 and G2 layouts, written independently of the code under test.
fn g1_json(p: &G1Affine) -> Value {
    json!([dec(&p.x), dec(&p.y), "1"])
}

fn g2_json(p: &G2Affine) -> Value {
    json!([
        [dec(&p.x.c0), dec(&p.x.c1)],
        [dec(&p.y.c0), dec(&p.y.c1)],
        ["1", "0"]
    ])
}

#[test]
fn keys_round_trip() {
    for (n_public, seed) in [(0, 1), (1, 2), (4, 3)] {
        let (ark_vk, _) = ark_fixture(n_public, seed);
        let vk = VerifyingKey::from(&ark_vk);
        let text = vk.to_snarkjs_json();
        assert_eq!(
            VerifyingKey::from_snarkjs_json(text.as_bytes()).unwrap(),
            vk
        );
        // The layout, field by field.
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["protocol"], "groth16");
        assert_eq!(v["curve"], "bn128");
        assert_eq!(v["nPublic"], json!(n_public));
        assert_eq!(v["vk_alpha_1"], g1_json(&ark_vk.alpha_g1));
        assert_eq!(v["vk_beta_2"], g2_json(&ark_vk.beta_g2));
        assert_eq!(v["vk_gamma_2"], g2_json(&ark_vk.gamma_g2));
        assert_eq!(v["vk_delta_2"], g2_json(&ark_vk.delta_g2));
        let ic: Vec<Value> = ark_vk.gamma_abc_g1.iter().map(g1_json).collect();
        assert_eq!(v["IC"], json!(ic));
        let ab = Bn254::pairing(ark_vk.alpha_g1, ark_vk.beta_g2).0;
        let fq6 = |c: &ark_bn254::Fq6| {
            json!([
                [dec(&c.c0.c0), dec(&c.c0.c1)],
                [dec(&c.c1.c0), dec(&c.c1.c1)],
                [dec(&c.c2.c0), dec(&c.c2.c1)]
            ])
        };
        assert_eq!(v["vk_alphabeta_12"], json!([fq6(&ab.c0), fq6(&ab.c1)]));
        assert_eq!(v.as_object().unwrap().len(), 9);
        let order = [
            "protocol",
            "curve",
            "nPublic",
            "vk_alpha_1",
            "vk_beta_2",
            "vk_gamma_2",
            "vk_delta_2",
            "vk_alphabeta_12",
            "IC",
        ];
        assert_eq!(key_order(&text), order);
    }
}

/// The top-level keys of a JSON object in the order the text lists them (snarkjs' files are
/// indented by one space, so top-level keys are the lines starting with ` "`).
fn key_order(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix(" \""))
        .filter_map(|l| l.split('"').next())
        .collect()
}

#[test]
fn proofs_and_signals_round_trip_and_verify() {
    for (n_public, seed) in [(1, 4), (4, 5)] {
        let (ark_vk, proofs) = ark_fixture(n_public, seed);
        let vk = VerifyingKey::from(&ark_vk);
        // Everything goes through the emitted JSON.
        let pvk = PreparedVerifyingKey::new(
            VerifyingKey::from_snarkjs_json(vk.to_snarkjs_json().as_bytes()).unwrap(),
        );
        for (p, signals) in &proofs {
            let proof = Proof {
                a: p.a,
                b: p.b,
                c: p.c,
            };
            let text = proof.to_snarkjs_json();
            let parsed = Proof::from_snarkjs_json(text.as_bytes()).unwrap();
            assert_eq!(parsed, proof);
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                v,
                json!({
                    "pi_a": g1_json(&p.a), "pi_b": g2_json(&p.b), "pi_c": g1_json(&p.c),
                    "protocol": "groth16", "curve": "bn128",
                })
            );
            assert_eq!(
                key_order(&text),
                ["pi_a", "pi_b", "pi_c", "protocol", "curve"]
            );
            let public = public_signals_to_json(signals);
            let parsed_signals = public_signals_from_json(public.as_bytes(), n_public).unwrap();
            assert_eq!(&parsed_signals, signals);
            assert!(pvk.verify(&parsed, &parsed_signals).unwrap());
        }
    }
}

#[test]
fn public_signals_layout() {
    let signals = [Fr::from(0u64), Fr::ONE, -Fr::ONE, Fr::from(u64::MAX)];
    let text = public_signals_to_json(&signals);
    let expected = format!(
        "[\n \"0\",\n \"1\",\n \"{}\",\n \"18446744073709551615\"\n]",
        dec(&-Fr::ONE)
    );
    assert_eq!(text, expected);
    assert_eq!(
        public_signals_from_json(text.as_bytes(), 4).unwrap(),
        signals
    );
    assert_eq!(public_signals_to_json(&[]), "[]");
}
