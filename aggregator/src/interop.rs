//! Conversions between sheaf's Groth16 types and ark-groth16's over BN254 (same curve types,
//! same field layout), so arkworks users can hand keys and proofs over and take ours back.
//!
//! Converting into sheaf's types does not validate: a key or proof that came from outside should
//! go through the snarkjs parsers, which check every point.

use ark_bn254::Bn254;

use crate::prover::ProvingKey;
use crate::{Proof, VerifyingKey};

impl From<&ark_groth16::VerifyingKey<Bn254>> for VerifyingKey {
    fn from(vk: &ark_groth16::VerifyingKey<Bn254>) -> Self {
        Self {
            alpha_g1: vk.alpha_g1,
            beta_g2: vk.beta_g2,
            gamma_g2: vk.gamma_g2,
            delta_g2: vk.delta_g2,
            ic: vk.gamma_abc_g1.clone(),
        }
    }
}

impl From<&VerifyingKey> for ark_groth16::VerifyingKey<Bn254> {
    fn from(vk: &VerifyingKey) -> Self {
        Self {
            alpha_g1: vk.alpha_g1,
            beta_g2: vk.beta_g2,
            gamma_g2: vk.gamma_g2,
            delta_g2: vk.delta_g2,
            gamma_abc_g1: vk.ic.clone(),
        }
    }
}

impl From<&ark_groth16::Proof<Bn254>> for Proof {
    fn from(p: &ark_groth16::Proof<Bn254>) -> Self {
        Self {
            a: p.a,
            b: p.b,
            c: p.c,
        }
    }
}

impl From<&Proof> for ark_groth16::Proof<Bn254> {
    fn from(p: &Proof) -> Self {
        Self {
            a: p.a,
            b: p.b,
            c: p.c,
        }
    }
}

impl From<&ark_groth16::ProvingKey<Bn254>> for ProvingKey {
    fn from(pk: &ark_groth16::ProvingKey<Bn254>) -> Self {
        Self {
            vk: (&pk.vk).into(),
            beta_g1: pk.beta_g1,
            delta_g1: pk.delta_g1,
            a_query: pk.a_query.clone(),
            b_g1_query: pk.b_g1_query.clone(),
            b_g2_query: pk.b_g2_query.clone(),
            h_query: pk.h_query.clone(),
            l_query: pk.l_query.clone(),
            commitment: None,
        }
    }
}

/// ark-groth16 has no commitment extension: a key with a [`ProvingKey::commitment`] converts
/// without it, and ark-groth16's proofs under that key do not verify (the committed wires'
/// terms are missing from its `l_query`).
impl From<&ProvingKey> for ark_groth16::ProvingKey<Bn254> {
    fn from(pk: &ProvingKey) -> Self {
        Self {
            vk: (&pk.vk).into(),
            beta_g1: pk.beta_g1,
            delta_g1: pk.delta_g1,
            a_query: pk.a_query.clone(),
            b_g1_query: pk.b_g1_query.clone(),
            b_g2_query: pk.b_g2_query.clone(),
            h_query: pk.h_query.clone(),
            l_query: pk.l_query.clone(),
        }
    }
}
