//! The 384-byte EVM encoding of committed proofs and its strict decoder.

use super::*;

#[test]
fn evm_encoding_round_trips_and_malformed_bytes_are_refused() {
    let circuit = small();
    let f = fixture(&circuit, 27);
    let proof = f
        .prover
        .prove_committed(&cpu(), circuit.clone(), &mut rng(28))
        .unwrap();
    let bytes = proof.evm_encoding();
    assert_eq!(bytes.len(), COMMITTED_PROOF_BYTES);
    let decoded = CommittedProof::from_evm_bytes(&bytes).unwrap();
    assert_eq!(decoded, proof);
    assert!(f.pvk.verify(&decoded, &circuit.statement()).unwrap());

    for len in [0, 383, 385, 256] {
        let mut b = bytes.clone();
        b.resize(len, 0);
        assert!(matches!(
            CommittedProof::from_evm_bytes(&b),
            Err(FormatError::ByteLength { expected: 384, found, .. }) if found == len
        ));
    }
    // Word 8 is D.x; words 10, 11 are π.
    let p_bytes = {
        let mut w = [0u8; 32];
        w.copy_from_slice(
            &hex::decode("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47")
                .unwrap(),
        );
        w
    };
    let mut b = bytes.clone();
    b[8 * 32..9 * 32].copy_from_slice(&p_bytes);
    assert_eq!(
        CommittedProof::from_evm_bytes(&b),
        Err(FormatError::NotReduced {
            field: "D.x".into(),
            modulus: "p"
        })
    );
    let mut b = bytes.clone();
    b[9 * 32 + 31] ^= 1;
    assert_eq!(
        CommittedProof::from_evm_bytes(&b),
        Err(FormatError::NotOnCurve { field: "D".into() })
    );
    let mut b = bytes.clone();
    b[10 * 32..12 * 32].fill(0);
    assert_eq!(
        CommittedProof::from_evm_bytes(&b),
        Err(FormatError::NotOnCurve {
            field: "pok".into()
        })
    );
    // B on the twist but outside the prime-order subgroup.
    let mut x = ark_bn254::Fq2::new(Fq::from(1u64), Fq::from(1u64));
    let off = loop {
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, true)
            && !p.is_in_correct_subgroup_assuming_on_curve()
        {
            break p;
        }
        x.c0 += Fq::one();
    };
    let mut bad = proof.clone();
    bad.proof.b = off;
    assert_eq!(
        CommittedProof::from_evm_bytes(&bad.evm_encoding()),
        Err(FormatError::NotInSubgroup { field: "B".into() })
    );
}
