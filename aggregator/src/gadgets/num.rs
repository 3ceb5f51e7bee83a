//! A native Fr value in a circuit: its linear combination and, when the circuit is synthesized
//! with a witness, its value. Linear operations cost no constraints.

use ark_bn254::Fr;
use ark_ff::{One, Zero};
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
        Ok(Self::from_var(var, value))
    }

    /// A new public input holding `value`.
    pub fn input(cs: &ConstraintSystemRef<Fr>, value: Option<Fr>) -> Result<Self, SynthesisError> {
        let var = cs.new_input_variable(|| value.ok_or(SynthesisError::AssignmentMissing))?;
        Ok(Self::from_var(var, value))
    }

    /// The variable `var` with its value.
    pub fn from_var(var: Variable, value: Option<Fr>) -> Self {
        Self {
            lc: LinearCombination::from(var),
            value,
        }
    }

    /// A constant.
    pub fn constant(c: Fr) -> Self {
        if c.is_zero() {
            return Self::zero();
        }
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

    /// Whether the linear combination involves no variable but the constant one.
    pub fn is_constant(&self) -> bool {
        self.lc.iter().all(|(_, v)| *v == Variable::One)
    }

    /// `self + other`.
    pub fn add(&self, other: &Num) -> Num {
        Num {
            lc: &self.lc + &other.lc,
            value: self.value.zip(other.value).map(|(a, b)| a + b),
        }
    }

    /// `self − other`.
    pub fn sub(&self, other: &Num) -> Num {
        self.add_scaled(-Fr::one(), other)
    }

    /// `k · self`.
    pub fn scale(&self, k: Fr) -> Num {
        if k.is_zero() {
            return Num::zero();
        }
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

    /// Enforces `self = other` (one linear constraint).
    pub fn enforce_equal(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        other: &Num,
    ) -> Result<(), SynthesisError> {
        enforce_zero(cs, || &self.lc - &other.lc)
    }

    /// Enforces `self ∈ {0, 1}` (one constraint).
    pub fn enforce_boolean(&self, cs: &ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        cs.enforce_r1cs_constraint(
            || self.lc.clone(),
            || LinearCombination::from(Variable::One) - &self.lc,
            LinearCombination::zero,
        )
    }

    /// `self · other` as a new witness (one constraint).
    pub fn mul(&self, cs: &ConstraintSystemRef<Fr>, other: &Num) -> Result<Num, SynthesisError> {
        let out = Num::witness(cs, self.value.zip(other.value).map(|(a, b)| a * b))?;
        cs.enforce_r1cs_constraint(|| self.lc.clone(), || other.lc.clone(), || out.lc.clone())?;
        Ok(out)
    }
}

/// Enforces that a linear combination vanishes (`lc · 1 = 0`); the closure runs only when the
/// constraint system keeps its matrices.
pub fn enforce_zero(
    cs: &ConstraintSystemRef<Fr>,
    lc: impl FnOnce() -> LinearCombination<Fr>,
) -> Result<(), SynthesisError> {
    cs.enforce_r1cs_constraint(
        lc,
        || LinearCombination::from(Variable::One),
        LinearCombination::zero,
    )
}

/// Accumulates `Σ kᵢ·lcᵢ` and merges equal variables once at the end, instead of merging on
/// every addition as `LinearCombination`'s operators do (quadratic for long sums).
#[derive(Debug, Default)]
pub struct LcSum {
    terms: Vec<(Fr, Variable)>,
}

impl LcSum {
    /// An empty sum.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `k · lc`.
    pub fn add(&mut self, k: Fr, lc: &LinearCombination<Fr>) {
        if k.is_zero() {
            return;
        }
        if k.is_one() {
            self.terms.extend(lc.iter().copied());
        } else {
            self.terms.extend(lc.iter().map(|(c, v)| (*c * k, *v)));
        }
    }

    /// Adds `k · var`.
    pub fn add_var(&mut self, k: Fr, var: Variable) {
        if !k.is_zero() {
            self.terms.push((k, var));
        }
    }

    /// Adds the constant `k`.
    pub fn add_constant(&mut self, k: Fr) {
        self.add_var(k, Variable::One);
    }

    /// The merged linear combination.
    pub fn finish(self) -> LinearCombination<Fr> {
        let mut lc = LinearCombination(self.terms);
        lc.compactify();
        lc.0.retain(|(c, _)| !c.is_zero());
        lc
    }
}
