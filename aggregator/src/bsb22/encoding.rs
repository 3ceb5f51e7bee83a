//! The EVM encodings of a committed proof and of a commitment verifying key (layouts in the
//! module docs of [`crate::bsb22`]), and the strict decoder of the proof.

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ff::{BigInt, PrimeField};

use super::{CommitmentVerifyingKey, CommittedProof};
use crate::snarkjs::checked_point;
use crate::statement::{push_g1, push_g2};
use crate::{FormatError, Proof};

/// Bytes in an encoded committed proof: `A(64) ‖ B(128) ‖ C(64) ‖ D(64) ‖ π(64)`.
pub const COMMITTED_PROOF_BYTES: usize = 384;
/// Bytes in an encoded commitment verifying key: `challengeIndex(32) ‖ G(128) ‖ σG(128)`.
pub const COMMITMENT_VK_BYTES: usize = 288;

impl CommittedProof {
    /// The 384-byte EVM encoding.
    pub fn evm_encoding(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(COMMITTED_PROOF_BYTES);
        push_g1(&mut out, &self.proof.a);
        push_g2(&mut out, &self.proof.b);
        push_g1(&mut out, &self.proof.c);
        push_g1(&mut out, &self.commitment);
        push_g1(&mut out, &self.pok);
        out
    }

    /// Decodes [`Self::evm_encoding`], refusing a wrong length, coordinates not below p, points
    /// off the curve or outside the subgroup, and the identity (`(0, 0)`) for every point.
    pub fn from_evm_bytes(bytes: &[u8]) -> Result<Self, FormatError> {
        if bytes.len() != COMMITTED_PROOF_BYTES {
            return Err(FormatError::ByteLength {
                field: "committed proof".into(),
                expected: COMMITTED_PROOF_BYTES,
                found: bytes.len(),
            });
        }
        let words: Vec<&[u8]> = bytes.chunks_exact(32).collect();
        let g1 = |field: &str, at: usize| -> Result<G1Affine, FormatError> {
            let x = fq(&format!("{field}.x"), words[at])?;
            let y = fq(&format!("{field}.y"), words[at + 1])?;
            checked_point(field, G1Affine::new_unchecked(x, y))
        };
        let g2 = |field: &str, at: usize| -> Result<G2Affine, FormatError> {
            let c = |i: usize, name: &str| fq(&format!("{field}.{name}"), words[at + i]);
            let x = Fq2::new(c(1, "x.c0")?, c(0, "x.c1")?);
            let y = Fq2::new(c(3, "y.c0")?, c(2, "y.c1")?);
            checked_point(field, G2Affine::new_unchecked(x, y))
        };
        Ok(Self {
            proof: Proof {
                a: g1("A", 0)?,
                b: g2("B", 2)?,
                c: g1("C", 6)?,
            },
            commitment: g1("D", 8)?,
            pok: g1("pok", 10)?,
        })
    }
}

impl CommitmentVerifyingKey {
    /// The 288-byte EVM encoding.
    pub fn evm_encoding(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(COMMITMENT_VK_BYTES);
        let mut index = [0u8; 32];
        index[24..].copy_from_slice(&(self.challenge_index as u64).to_be_bytes());
        out.extend_from_slice(&index);
        push_g2(&mut out, &self.g);
        push_g2(&mut out, &self.sigma_g);
        out
    }
}

/// A base-field element from a 32-byte big-endian word, refused unless below p.
fn fq(field: &str, word: &[u8]) -> Result<Fq, FormatError> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let start = 32 - 8 * (i + 1);
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&word[start..start + 8]);
        *limb = u64::from_be_bytes(bytes);
    }
    Fq::from_bigint(BigInt::new(limbs)).ok_or_else(|| FormatError::NotReduced {
        field: field.to_owned(),
        modulus: "p",
    })
}
