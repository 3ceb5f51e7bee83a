//! Test circuits shared by the aggregator's integration tests (and its throughput example).
#![allow(dead_code)]

use ark_bn254::Fr;
use ark_ff::Field;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, Variable};
use ark_relations::lc;

/// Public `xⱼ = (w + j)²` for `j = 1..=n`, private `w`.
#[derive(Clone)]
pub struct Squares {
    pub w: Fr,
    pub n_public: usize,
}

impl Squares {
    pub fn publics(&self) -> Vec<Fr> {
        (1..=self.n_public as u64)
            .map(|j| (self.w + Fr::from(j)).square())
            .collect()
    }
}

impl ConstraintSynthesizer<Fr> for Squares {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let w = cs.new_witness_variable(|| Ok(self.w))?;
        for (j, x) in self.publics().into_iter().enumerate() {
            let x = cs.new_input_variable(|| Ok(x))?;
            let shifted = || lc![(Fr::ONE, w), (Fr::from(j as u64 + 1), Variable::One)];
            cs.enforce_r1cs_constraint(shifted, shifted, || lc![x])?;
        }
        if self.n_public == 0 {
            cs.enforce_r1cs_constraint(|| lc![w], || lc![Variable::One], || lc![w])?;
        }
        Ok(())
    }
}
