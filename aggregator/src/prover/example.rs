//! A circuit of any size for benchmarks and tests: a chain of squarings with public offsets.
//!
//! With public inputs `p₀ … p_{ℓ−2}` and `out`, and a private start `x₀`, step `i` enforces
//! `(xᵢ + p_{i mod (ℓ−1)}) · xᵢ = xᵢ₊₁` (the last step's right side is `out`). Every step is one
//! constraint with a fresh witness variable, so the key's queries are dense and every scalar is a
//! full-width field element: the prover's worst case per constraint.

use ark_bn254::Fr;
use ark_ff::{One, PrimeField};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use sha2::{Digest, Sha256};

/// The squaring chain; see the module documentation.
#[derive(Clone, Debug)]
pub struct MulChain {
    steps: usize,
    offsets: Vec<Fr>,
    start: Fr,
    claimed_out: Option<Fr>,
    public_offsets: bool,
}

impl MulChain {
    /// A chain of `steps ≥ 1` constraints with `num_public ≥ 1` public inputs, its values derived
    /// from `seed`.
    pub fn new(steps: usize, num_public: usize, seed: u64) -> Self {
        let derive = |label: &str, i: usize| {
            let digest = Sha256::new()
                .chain_update(label.as_bytes())
                .chain_update(seed.to_le_bytes())
                .chain_update((i as u64).to_le_bytes())
                .finalize();
            Fr::from_le_bytes_mod_order(&digest)
        };
        let offsets = if num_public > 1 {
            (0..num_public - 1).map(|i| derive("offset", i)).collect()
        } else {
            vec![Fr::one()]
        };
        Self {
            steps: steps.max(1),
            offsets,
            start: derive("start", 0),
            claimed_out: None,
            public_offsets: num_public > 1,
        }
    }

    /// The same chain claiming `out` as its result (a false statement unless `out` is the real
    /// result).
    pub fn claiming(mut self, out: Fr) -> Self {
        self.claimed_out = Some(out);
        self
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.steps
    }

    /// The chain's real result.
    pub fn output(&self) -> Fr {
        let mut x = self.start;
        for i in 0..self.steps {
            x = (x + self.offsets[i % self.offsets.len()]) * x;
        }
        x
    }

    /// The public inputs in allocation order: the offsets (when `num_public > 1`), then `out`.
    pub fn public_inputs(&self) -> Vec<Fr> {
        let mut inputs = if self.public_offsets {
            self.offsets.clone()
        } else {
            Vec::new()
        };
        inputs.push(self.claimed_out.unwrap_or_else(|| self.output()));
        inputs
    }
}

impl ConstraintSynthesizer<Fr> for MulChain {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let offsets: Vec<LinearCombination<Fr>> = if self.public_offsets {
            self.offsets
                .iter()
                .map(|p| {
                    cs.new_input_variable(|| Ok(*p))
                        .map(LinearCombination::from)
                })
                .collect::<Result<_, _>>()?
        } else {
            vec![LinearCombination::from((self.offsets[0], Variable::One))]
        };
        let real_out = self.output();
        let out = cs.new_input_variable(|| Ok(self.claimed_out.unwrap_or(real_out)))?;
        let mut x_val = self.start;
        let mut x = cs.new_witness_variable(|| Ok(x_val))?;
        for i in 0..self.steps {
            let offset = &offsets[i % offsets.len()];
            let next_val = (x_val + self.offsets[i % self.offsets.len()]) * x_val;
            let next = if i + 1 == self.steps {
                out
            } else {
                cs.new_witness_variable(|| Ok(next_val))?
            };
            cs.enforce_r1cs_constraint(
                || offset.clone() + x,
                || LinearCombination::from(x),
                || LinearCombination::from(next),
            )?;
            x = next;
            x_val = next_val;
        }
        Ok(())
    }
}
