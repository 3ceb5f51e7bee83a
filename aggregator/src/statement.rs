//! The canonical EVM encoding of a verifying key, `vk_hash`, and statement leaves, exactly as
//! `shared/DESIGN.md` ("Inner proofs") fixes them; `testdata/hashing.json` pins them.
//!
//! - Encoding: `alpha(64) ‖ beta(128) ‖ gamma(128) ‖ delta(128) ‖ nPublic(32) ‖ IC[i](64 each)`,
//!   32-byte big-endian words, G2 as `x.c1, x.c0, y.c1, y.c0` (the EVM precompile order).
//! - `vk_hash = SHA-256(encoding)`.
//! - `leaf = SHA-256(0x00 ‖ vk_hash ‖ SHA-256(public signals as 32-byte big-endian words))`.

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use sha2::{Digest, Sha256};

use crate::VerifyingKey;

/// A 32-byte SHA-256 digest.
pub type Hash32 = [u8; 32];

/// Domain tag of a statement leaf.
pub const LEAF_TAG: u8 = 0x00;

pub(crate) fn word<F: PrimeField>(x: &F) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

pub(crate) fn push_g1(out: &mut Vec<u8>, p: &G1Affine) {
    out.extend_from_slice(&word(&p.x));
    out.extend_from_slice(&word(&p.y));
}

pub(crate) fn push_g2(out: &mut Vec<u8>, p: &G2Affine) {
    for c in [&p.x.c1, &p.x.c0, &p.y.c1, &p.y.c0] {
        out.extend_from_slice(&word(c));
    }
}

impl VerifyingKey {
    /// The canonical EVM encoding of the key.
    pub fn evm_encoding(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 3 * 128 + 32 + 64 * self.ic.len());
        push_g1(&mut out, &self.alpha_g1);
        for p in [&self.beta_g2, &self.gamma_g2, &self.delta_g2] {
            push_g2(&mut out, p);
        }
        let mut n = [0u8; 32];
        n[24..].copy_from_slice(&(self.n_public() as u64).to_be_bytes());
        out.extend_from_slice(&n);
        for p in &self.ic {
            push_g1(&mut out, p);
        }
        out
    }

    /// `SHA-256` of [`VerifyingKey::evm_encoding`].
    pub fn vk_hash(&self) -> Hash32 {
        Sha256::digest(self.evm_encoding()).into()
    }
}

/// `SHA-256` of the public signals as 32-byte big-endian words.
pub fn public_signals_hash(signals: &[Fr]) -> Hash32 {
    let mut h = Sha256::new();
    for s in signals {
        h.update(word(s));
    }
    h.finalize().into()
}

/// The statement leaf of a proof's key hash and public signals.
pub fn statement_leaf(vk_hash: &Hash32, signals: &[Fr]) -> Hash32 {
    let mut h = Sha256::new();
    h.update([LEAF_TAG]);
    h.update(vk_hash);
    h.update(public_signals_hash(signals));
    h.finalize().into()
}
