//! A committing circuit of any size for tests and benchmarks: a LogUp table lookup (Haböck,
//! eprint 2022/1530) whose challenge comes from the BSB22 commitment.
//!
//! Private values `f₀ … f_{n−1}`, each claimed to lie in the table `{0, …, T − 1}`, and
//! multiplicities `m₀ … m_{T−1}` are committed; then, with the challenge `c`,
//!
//! ```text
//! (c − fᵢ)·invᵢ = 1      for each i          (n constraints)
//! (c − j)·qⱼ = mⱼ        for each table entry (T constraints)
//! Σ invᵢ = Σ qⱼ                               (1 constraint)
//! ```
//!
//! which holds for a random `c` only if every `fᵢ` is in the table (with `n < r`). Public inputs,
//! in order: `total = Σ fᵢ` (allocated before the commitment, one constraint), the challenge,
//! and `out`, the end of a chain of `padding` uncommitted squaring steps
//! `xₖ₊₁ = (xₖ + 1)·xₖ` that sizes the circuit. With the blinding wire, the circuit has
//! `n + T + padding + 3` constraints and commits `n + T + 1` variables.

use ark_bn254::Fr;
use ark_ff::{Field, One, PrimeField};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use sha2::{Digest, Sha256};

use crate::gadgets::challenge::{Commit, CommitCircuit};

/// The lookup circuit; see the module documentation.
#[derive(Clone, Debug)]
pub struct TableLookup {
    values: Vec<Fr>,
    table_size: usize,
    multiplicities: Vec<Fr>,
    padding: usize,
    start: Fr,
    claimed_total: Option<Fr>,
}

impl TableLookup {
    /// `n` values drawn from `seed` in a table of `table_size ≥ 1` entries, and `padding ≥ 1`
    /// squaring steps.
    pub fn new(n: usize, table_size: usize, padding: usize, seed: u64) -> Self {
        let table_size = table_size.max(1);
        let values = (0..n)
            .map(|i| {
                let x = u64::from_le_bytes(
                    derive(seed, "value", i)[..8].try_into().unwrap_or_default(),
                );
                Fr::from(x % table_size as u64)
            })
            .collect();
        let mut lookup = Self::with_values(values, table_size);
        lookup.padding = padding.max(1);
        lookup.start = Fr::from_le_bytes_mod_order(&derive(seed, "start", 0));
        lookup
    }

    /// The given values (in the table or not) in a table of `table_size` entries, one padding
    /// step; multiplicities count the values that are in the table.
    pub fn with_values(values: Vec<Fr>, table_size: usize) -> Self {
        let table_size = table_size.max(1);
        let mut counts = vec![0u64; table_size];
        for v in &values {
            let big = v.into_bigint();
            if big.0[1..].iter().all(|&l| l == 0) && (big.0[0] as usize) < table_size {
                counts[big.0[0] as usize] += 1;
            }
        }
        Self {
            values,
            table_size,
            multiplicities: counts.into_iter().map(Fr::from).collect(),
            padding: 1,
            start: Fr::from(3u64),
            claimed_total: None,
        }
    }

    /// The same circuit with other multiplicities (`table_size` of them).
    pub fn with_multiplicities(mut self, multiplicities: Vec<Fr>) -> Self {
        self.multiplicities = multiplicities;
        self
    }

    /// The same circuit claiming `total` as the sum of the values.
    pub fn claiming_total(mut self, total: Fr) -> Self {
        self.claimed_total = Some(total);
        self
    }

    /// The values.
    pub fn values(&self) -> &[Fr] {
        &self.values
    }

    /// The multiplicities.
    pub fn multiplicities(&self) -> &[Fr] {
        &self.multiplicities
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.values.len() + self.table_size + self.padding + 3
    }

    /// Number of committed variables, the blinding wire included.
    pub fn num_committed(&self) -> usize {
        self.values.len() + self.table_size + 1
    }

    /// The statement: the public inputs without the challenge, `[total, out]`.
    pub fn statement(&self) -> Vec<Fr> {
        let total = self
            .claimed_total
            .unwrap_or_else(|| self.values.iter().sum());
        vec![total, self.out()]
    }

    /// Where the challenge sits in the full public inputs.
    pub const CHALLENGE_INDEX: usize = 1;

    fn out(&self) -> Fr {
        let mut x = self.start;
        for _ in 0..self.padding {
            x *= x + Fr::one();
        }
        x
    }
}

fn derive(seed: u64, label: &str, i: usize) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"sheaf.table_lookup")
        .chain_update(label.as_bytes())
        .chain_update(seed.to_le_bytes())
        .chain_update((i as u64).to_le_bytes())
        .finalize()
        .into()
}

impl CommitCircuit for TableLookup {
    fn generate_constraints(
        self,
        cs: ConstraintSystemRef<Fr>,
        commit: &dyn Commit,
    ) -> Result<(), SynthesisError> {
        if self.multiplicities.len() != self.table_size {
            return Err(SynthesisError::Unsatisfiable);
        }
        let one = || LinearCombination::from(Variable::One);
        let statement = self.statement();
        let total = cs.new_input_variable(|| Ok(statement[0]))?;
        let f: Vec<Variable> = self
            .values
            .iter()
            .map(|v| cs.new_witness_variable(|| Ok(*v)))
            .collect::<Result<_, _>>()?;
        let m: Vec<Variable> = self
            .multiplicities
            .iter()
            .map(|v| cs.new_witness_variable(|| Ok(*v)))
            .collect::<Result<_, _>>()?;
        let sum_f = f.iter().fold(LinearCombination::zero(), |acc, v| acc + *v);
        cs.enforce_r1cs_constraint(|| sum_f, one, || LinearCombination::from(total))?;

        let committed: Vec<Variable> = f.iter().chain(&m).copied().collect();
        let c = commit.commit(&cs, &committed)?;

        // In setup mode there are no values; the closures below are not evaluated then.
        let inverse = |x: Option<Fr>| -> Result<Fr, SynthesisError> {
            x.ok_or(SynthesisError::AssignmentMissing)?
                .inverse()
                .ok_or(SynthesisError::DivisionByZero)
        };
        let mut balance = LinearCombination::zero();
        for (var, value) in f.iter().zip(&self.values) {
            let diff = c.value.map(|c| c - value);
            let inv = cs.new_witness_variable(|| inverse(diff))?;
            cs.enforce_r1cs_constraint(
                || c.lc.clone() - *var,
                || LinearCombination::from(inv),
                one,
            )?;
            balance += (Fr::one(), inv);
        }
        for (j, (var, mult)) in m.iter().zip(&self.multiplicities).enumerate() {
            let entry = Fr::from(j as u64);
            let diff = c.value.map(|c| c - entry);
            let q = cs.new_witness_variable(|| Ok(inverse(diff)? * mult))?;
            cs.enforce_r1cs_constraint(
                || c.lc.clone() - (entry, Variable::One),
                || LinearCombination::from(q),
                || LinearCombination::from(*var),
            )?;
            balance += (-Fr::one(), q);
        }
        cs.enforce_r1cs_constraint(|| balance, one, LinearCombination::zero)?;

        let mut x_val = self.start;
        let mut x = cs.new_witness_variable(|| Ok(x_val))?;
        for step in 0..self.padding {
            let next_val = (x_val + Fr::one()) * x_val;
            let next = if step + 1 == self.padding {
                cs.new_input_variable(|| Ok(next_val))?
            } else {
                cs.new_witness_variable(|| Ok(next_val))?
            };
            cs.enforce_r1cs_constraint(
                || LinearCombination::from(x) + Variable::One,
                || LinearCombination::from(x),
                || LinearCombination::from(next),
            )?;
            x = next;
            x_val = next_val;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplicities_count_the_values_in_the_table() {
        let values = [0u64, 3, 3, 7, 9].map(Fr::from).to_vec();
        let lookup = TableLookup::with_values(values, 8);
        let expected = [1u64, 0, 0, 2, 0, 0, 0, 1].map(Fr::from).to_vec();
        assert_eq!(lookup.multiplicities(), expected.as_slice());
    }
}
