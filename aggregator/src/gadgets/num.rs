//! A native Fr value in a circuit: its linear combination and, when the circuit is synthesized
//! with a witness, its value. Linear operations cost no constraints.

use ark_bn254::Fr;
use ark_ff::{BigInteger, One, PrimeField, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

/// A linear combination of circuit variables with its value (`None` in setup mode).
#[derive(Clone, Debug)]
pub struct Num {
    /// The linear combination.
    pub lc: LinearCombination<Fr>,
    /// Its value, when known.
    pub value: Option<Fr>,
}

impl Num {
    /// A new witness variable holding `value`.
    pub fn witness(
        cs: &ConstraintSystemRef<Fr>,
        value: Option<Fr>,
    ) -> Result<Self, SynthesisError> {
        let var = cs.new_witness_variable(|| value.ok_or(SynthesisError::AssignmentMissing))?;
        Ok(Self {
            lc: LinearCombination::from(var),
            value,
        })
    }

    /// A constant.
    pub fn constant(c: Fr) -> Self {
        Self {
            lc: LinearCombination::from((c, Variable::One)),
            value: Some(c),
        }
    }

    /// The constant zero.
    pub fn zero() -> Self {
        Self {
            lc: LinearCombination::zero(),
            value: Some(Fr::zero()),
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Num) -> Num {
        Num {
            lc: &self.lc + &other.lc,
            value: self.value.zip(other.value).map(|(a, b)| a + b),
        }
    }

    /// `k · self`.
    pub fn scale(&self, k: Fr) -> Num {
        Num {
            lc: &self.lc * k,
            value: self.value.map(|v| v * k),
        }
    }

    /// `self + k · other`.
    pub fn add_scaled(&self, k: Fr, other: &Num) -> Num {
        Num {
            lc: &self.lc + (k, &other.lc),
            value: self.value.zip(other.value).map(|(a, b)| a + k * b),
        }
    }
}

/// Enforces `0 ≤ x < 2^bits` by decomposing `x` into `bits` boolean witnesses: `bits + 1`
/// constraints. `bits` must be below 253 so that the decomposition is unique modulo r.
pub fn enforce_bits(
    cs: &ConstraintSystemRef<Fr>,
    x: &Num,
    bits: u32,
) -> Result<(), SynthesisError> {
    if bits >= Fr::MODULUS_BIT_SIZE - 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let value_bits = x.value.map(|v| v.into_bigint().to_bits_le());
    let mut sum = LinearCombination::zero();
    let mut power = Fr::one();
    for i in 0..bits as usize {
        let bit = value_bits.as_ref().map(|b| Fr::from(b[i]));
        let b = cs.new_witness_variable(|| bit.ok_or(SynthesisError::AssignmentMissing))?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(b),
            || LinearCombination::from(Variable::One) - b,
            LinearCombination::zero,
        )?;
        sum += (power, b);
        power += power;
    }
    cs.enforce_r1cs_constraint(
        || sum,
        || LinearCombination::from(Variable::One),
        || x.lc.clone(),
    )
}
