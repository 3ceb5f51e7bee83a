//! The constraint system as the prover needs it: three sparse matrices in compressed-row form,
//! extracted once at setup, and a witness-only synthesis for each proof.
//!
//! Keeping the matrices lets each proof synthesize the circuit in ark-relations' witness-only
//! mode (no constraints or linear combinations stored, no inlining), which is most of the cost
//! of synthesis for large circuits.

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, Matrix, OptimizationGoal,
    R1CS_PREDICATE_LABEL, SynthesisError, SynthesisMode,
};
use rayon::prelude::*;

use super::ProverError;
use super::commit::{CommitmentLayout, RecordingCommit};
use crate::gadgets::challenge::{Commit, CommitCircuit, CommitError};

/// One sparse matrix in compressed-row form: row `i` holds the entries
/// `starts[i]..starts[i + 1]` of `cols` and `coeffs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparseMatrix {
    starts: Vec<u32>,
    cols: Vec<u32>,
    coeffs: Vec<Fr>,
}

impl SparseMatrix {
    fn from_rows(rows: &Matrix<Fr>, num_variables: usize) -> Result<Self, ProverError> {
        let total: usize = rows.iter().map(Vec::len).sum();
        let too_large = || ProverError::TooLarge {
            what: "constraint matrix entries",
            limit: u32::MAX as usize,
        };
        if total > u32::MAX as usize || num_variables > u32::MAX as usize {
            return Err(too_large());
        }
        let mut starts = Vec::with_capacity(rows.len() + 1);
        let mut cols = Vec::with_capacity(total);
        let mut coeffs = Vec::with_capacity(total);
        starts.push(0);
        for row in rows {
            for &(coeff, col) in row {
                if col >= num_variables {
                    return Err(ProverError::Shape(format!(
                        "matrix entry refers to variable {col} of {num_variables}"
                    )));
                }
                if coeff.is_zero() {
                    continue;
                }
                cols.push(col as u32);
                coeffs.push(coeff);
            }
            starts.push(cols.len() as u32);
        }
        Ok(Self {
            starts,
            cols,
            coeffs,
        })
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.starts.len() - 1
    }

    /// Number of non-zero entries.
    pub fn num_entries(&self) -> usize {
        self.cols.len()
    }

    /// The entries `(column, coefficient)` of row `i`.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, &Fr)> {
        let range = self.starts[i] as usize..self.starts[i + 1] as usize;
        self.cols[range.clone()]
            .iter()
            .map(|&c| c as usize)
            .zip(&self.coeffs[range])
    }

    /// `⟨row i, z⟩`.
    #[inline]
    fn dot(&self, i: usize, z: &[Fr]) -> Fr {
        let one = Fr::one();
        let mut acc = Fr::zero();
        for (col, coeff) in self.row(i) {
            if *coeff == one {
                acc += z[col];
            } else {
                acc += z[col] * coeff;
            }
        }
        acc
    }
}

/// A rank-1 constraint system `(A·z) ∘ (B·z) = C·z` with `z = (1, public inputs, witness)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1cs {
    /// Instance variables, counting the constant one.
    pub num_instance: usize,
    /// Witness variables.
    pub num_witness: usize,
    /// `A`, `B`, `C`, one row per constraint.
    pub a: SparseMatrix,
    /// See `a`.
    pub b: SparseMatrix,
    /// See `a`.
    pub c: SparseMatrix,
    /// Where the circuit's BSB22 commitment sits, for circuits that commit
    /// ([`Self::from_commit_circuit`]).
    pub commitment: Option<CommitmentLayout>,
}

impl R1cs {
    /// Synthesizes `circuit` in setup mode and extracts its matrices (linear combinations
    /// inlined, as ark-groth16 does).
    pub fn from_circuit<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Self, ProverError> {
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        circuit.generate_constraints(cs.clone())?;
        cs.finalize();
        Self::from_constraint_system(&cs)
    }

    /// Synthesizes a committing circuit in setup mode and extracts its matrices and where its
    /// commitment sits. The circuit must call `commit` exactly once.
    pub fn from_commit_circuit<C: CommitCircuit>(circuit: C) -> Result<Self, ProverError> {
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        let commit = RecordingCommit::default();
        let result = circuit.generate_constraints(cs.clone(), &commit);
        if let Some(e) = commit.take_error() {
            return Err(e.into());
        }
        result?;
        let (witness, challenge) = commit.recorded().ok_or(CommitError::NoCommit)?;
        cs.finalize();
        let mut r1cs = Self::from_constraint_system(&cs)?;
        let layout = CommitmentLayout {
            committed: witness.iter().map(|w| w + r1cs.num_instance).collect(),
            challenge,
        };
        layout.check(&r1cs)?;
        r1cs.commitment = Some(layout);
        Ok(r1cs)
    }

    /// Extracts the matrices of a finalized constraint system (with no commitment).
    pub fn from_constraint_system(cs: &ConstraintSystemRef<Fr>) -> Result<Self, ProverError> {
        let num_instance = cs.num_instance_variables();
        let num_witness = cs.num_witness_variables();
        let num_variables = num_instance + num_witness;
        let all = cs.to_matrices()?;
        for (label, matrices) in &all {
            if label != R1CS_PREDICATE_LABEL && matrices.iter().any(|m| !m.is_empty()) {
                return Err(ProverError::Shape(format!(
                    "the circuit uses the non-R1CS predicate `{label}`, which Groth16 cannot prove"
                )));
            }
        }
        let empty = Vec::new();
        let r1cs = all.get(R1CS_PREDICATE_LABEL).unwrap_or(&empty);
        let matrix = |k: usize| -> Result<SparseMatrix, ProverError> {
            match r1cs.get(k) {
                Some(rows) => SparseMatrix::from_rows(rows, num_variables),
                None => SparseMatrix::from_rows(&Vec::new(), num_variables),
            }
        };
        let (a, b, c) = (matrix(0)?, matrix(1)?, matrix(2)?);
        if a.num_rows() != b.num_rows() || a.num_rows() != c.num_rows() {
            return Err(ProverError::Shape("A, B and C differ in row count".into()));
        }
        Ok(Self {
            num_instance,
            num_witness,
            a,
            b,
            c,
            commitment: None,
        })
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.a.num_rows()
    }

    /// Number of variables, the constant one included.
    pub fn num_variables(&self) -> usize {
        self.num_instance + self.num_witness
    }

    /// Size of the evaluation domain: constraints plus one copy constraint per instance
    /// variable (which keeps the public-input polynomials independent), rounded up to a power
    /// of two.
    pub fn domain_size(&self) -> usize {
        (self.num_constraints() + self.num_instance).next_power_of_two()
    }

    /// Evaluates `A·z`, `B·z`, `C·z` into the first `num_constraints` entries of three vectors
    /// of length [`Self::domain_size`], appends the instance copy rows to `A·z`, and checks every
    /// constraint. The first unsatisfied constraint is reported.
    pub fn evaluate(&self, z: &[Fr]) -> Result<[Vec<Fr>; 3], ProverError> {
        if z.len() != self.num_variables() {
            return Err(ProverError::Shape(format!(
                "the assignment has {} variables, the constraint system {}",
                z.len(),
                self.num_variables()
            )));
        }
        let n = self.domain_size();
        let m = self.num_constraints();
        let mut az = vec![Fr::zero(); n];
        let mut bz = vec![Fr::zero(); n];
        let mut cz = vec![Fr::zero(); n];
        const ROWS: usize = 1 << 12;
        let unsatisfied = az[..m]
            .par_chunks_mut(ROWS)
            .zip(bz[..m].par_chunks_mut(ROWS))
            .zip(cz[..m].par_chunks_mut(ROWS))
            .enumerate()
            .filter_map(|(chunk, ((a, b), c))| {
                let base = chunk * ROWS;
                let mut first_bad = None;
                for k in 0..a.len() {
                    let row = base + k;
                    a[k] = self.a.dot(row, z);
                    b[k] = self.b.dot(row, z);
                    c[k] = self.c.dot(row, z);
                    if first_bad.is_none() && a[k] * b[k] != c[k] {
                        first_bad = Some(row);
                    }
                }
                first_bad
            })
            .min();
        if let Some(constraint) = unsatisfied {
            return Err(ProverError::Unsatisfied { constraint });
        }
        az[m..m + self.num_instance].copy_from_slice(&z[..self.num_instance]);
        Ok([az, bz, cz])
    }
}

/// Synthesizes `circuit` in witness-only mode and returns `z = (1, public inputs, witness)`.
pub fn synthesize_assignment<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
) -> Result<Vec<Fr>, ProverError> {
    synthesize_with(|cs| circuit.generate_constraints(cs))
}

/// Synthesizes a committing circuit in witness-only mode with `commit` as its challenge source
/// and returns `z`. The caller reads the detail of a refused commitment from its `commit`.
pub fn synthesize_assignment_with<C: CommitCircuit>(
    circuit: C,
    commit: &dyn Commit,
) -> Result<Vec<Fr>, ProverError> {
    synthesize_with(|cs| circuit.generate_constraints(cs, commit))
}

fn synthesize_with(
    generate: impl FnOnce(ConstraintSystemRef<Fr>) -> Result<(), SynthesisError>,
) -> Result<Vec<Fr>, ProverError> {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    generate(cs.clone())?;
    let cs = cs
        .borrow()
        .ok_or_else(|| ProverError::Shape("the constraint system is gone".into()))?;
    let instance = cs.instance_assignment()?;
    let witness = cs.witness_assignment()?;
    let mut z = Vec::with_capacity(instance.len() + witness.len());
    z.extend_from_slice(instance);
    z.extend_from_slice(witness);
    Ok(z)
}
