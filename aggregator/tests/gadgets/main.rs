//! The recursion gadgets (`sheaf_aggregator::gadgets`) against arkworks' native BN254 fields,
//! with soundness checks on tampered witnesses, under both range-check modes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ext;
mod fq;
mod hints;
mod msm;
mod pairing;
mod range;
mod verifier;

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::PrimeField;
use ark_relations::gr1cs::{
    ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisError, SynthesisMode,
    Variable,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sheaf_aggregator::gadgets::{Commit, Ctx, Num, RangeMode};
use sheaf_aggregator::prover::{R1cs, SparseMatrix};

/// A stand-in for the Groth16 commitment in constraint-level tests: the challenge is a hash of
/// the committed values. It is not a proof system, only a challenge fixed after the values.
pub struct HashChallenge;

impl Commit for HashChallenge {
    fn commit(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError> {
        let mut h = Sha256::new();
        let mut known = true;
        for v in vars {
            match cs.assigned_value(*v) {
                Some(x) => h.update(x.into_bigint().0.map(u64::to_le_bytes).concat()),
                None => known = false,
            }
        }
        let value = known.then(|| Fr::from_le_bytes_mod_order(&h.finalize()));
        Num::input(cs, value)
    }
}

/// The two range-check modes, the lookup one with a small table so tests stay fast.
pub fn modes() -> [RangeMode; 2] {
    [RangeMode::Bits, RangeMode::Lookup { chunk_bits: 8 }]
}

/// A context over a constraint system that keeps its matrices and evaluates every linear
/// combination.
pub fn new_ctx(mode: RangeMode) -> Ctx {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: true,
    });
    Ctx::new(cs, mode).unwrap()
}

/// A finished circuit: its matrices and its full assignment `z`.
pub struct Built {
    pub r1cs: R1cs,
    pub z: Vec<Fr>,
    pub num_instance: usize,
    /// For [`Self::satisfied_with`], built on first use: the constraints each variable
    /// appears in, and the constraints `z` itself leaves unsatisfied.
    index: OnceLock<ColumnIndex>,
}

/// The transpose of the constraint matrices' sparsity pattern, in compressed form: the rows
/// (constraints) that mention variable `v` are `rows[starts[v]..starts[v + 1]]`.
struct ColumnIndex {
    starts: Vec<usize>,
    rows: Vec<u32>,
    unsatisfied: Vec<usize>,
}

impl Built {
    /// Whether the assignment satisfies every constraint.
    pub fn satisfied(&self) -> bool {
        self.r1cs.evaluate(&self.z).is_ok()
    }

    /// The position of `var` in `z`.
    pub fn index(&self, var: Variable) -> usize {
        var.get_variable_index(self.num_instance).unwrap()
    }

    /// Whether the assignment with `z[i]` replaced satisfies every constraint. Only the
    /// constraints that mention a changed variable can change, so only those are evaluated
    /// (the others keep the outcome they have under `z`): the same answer as evaluating the
    /// whole system, in time proportional to the changed variables' constraints.
    pub fn satisfied_with(&self, changes: &[(usize, Fr)]) -> bool {
        let index = self.index.get_or_init(|| self.column_index());
        let mut touched: Vec<usize> = changes
            .iter()
            .flat_map(|&(v, _)| &index.rows[index.starts[v]..index.starts[v + 1]])
            .map(|&row| row as usize)
            .collect();
        touched.sort_unstable();
        touched.dedup();
        let value = |col: usize| {
            changes
                .iter()
                .rev()
                .find(|(v, _)| *v == col)
                .map_or(self.z[col], |(_, x)| *x)
        };
        index
            .unsatisfied
            .iter()
            .all(|row| touched.binary_search(row).is_ok())
            && touched.iter().all(|&row| self.row_holds(row, value))
    }

    /// Whether constraint `row` holds with variable `v` set to `value(v)`.
    fn row_holds(&self, row: usize, value: impl Fn(usize) -> Fr) -> bool {
        let dot = |m: &SparseMatrix| -> Fr { m.row(row).map(|(col, k)| value(col) * k).sum() };
        dot(&self.r1cs.a) * dot(&self.r1cs.b) == dot(&self.r1cs.c)
    }

    fn column_index(&self) -> ColumnIndex {
        let r = &self.r1cs;
        let n = r.num_variables();
        let m = r.num_constraints();
        let per_row: Vec<Vec<usize>> = (0..m)
            .into_par_iter()
            .map(|row| {
                let mut cols: Vec<usize> = [&r.a, &r.b, &r.c]
                    .iter()
                    .flat_map(|mat| mat.row(row).map(|(col, _)| col))
                    .collect();
                cols.sort_unstable();
                cols.dedup();
                cols
            })
            .collect();
        let mut starts = vec![0usize; n + 1];
        for cols in &per_row {
            for &c in cols {
                starts[c + 1] += 1;
            }
        }
        for v in 0..n {
            starts[v + 1] += starts[v];
        }
        let mut next = starts.clone();
        let mut rows = vec![0u32; starts[n]];
        for (row, cols) in per_row.iter().enumerate() {
            for &c in cols {
                rows[next[c]] = u32::try_from(row).unwrap();
                next[c] += 1;
            }
        }
        let unsatisfied = (0..m)
            .into_par_iter()
            .filter(|&row| !self.row_holds(row, |col| self.z[col]))
            .collect();
        ColumnIndex {
            starts,
            rows,
            unsatisfied,
        }
    }
}

/// Ends synthesis (lookup argument with [`HashChallenge`]) and extracts the system.
pub fn finish(ctx: &Ctx) -> Built {
    ctx.finalize(&HashChallenge).unwrap();
    let cs = ctx.cs();
    cs.finalize();
    let r1cs = R1cs::from_constraint_system(cs).unwrap();
    let z = [
        cs.instance_assignment().unwrap(),
        cs.witness_assignment().unwrap(),
    ]
    .concat();
    Built {
        num_instance: r1cs.num_instance,
        r1cs,
        z,
        index: OnceLock::new(),
    }
}
