//! The recursion gadgets (`sheaf_aggregator::gadgets`) against arkworks' native BN254 fields,
//! with soundness checks on tampered witnesses. Each module covers one field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fq;
mod fq12;
mod fq2;
mod fq6;

use ark_bn254::Fr;
use ark_relations::gr1cs::{
    ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisMode,
};
use sheaf_aggregator::prover::R1cs;

/// A constraint system that keeps its matrices and evaluates every linear combination.
fn new_cs() -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: true,
    });
    cs
}

/// The matrices and full assignment of a finished constraint system, for checks by our own
/// evaluator (which also works on tampered assignments).
fn extract(cs: &ConstraintSystemRef<Fr>) -> (R1cs, Vec<Fr>) {
    cs.finalize();
    let r1cs = R1cs::from_constraint_system(cs).unwrap();
    let z = [
        cs.instance_assignment().unwrap(),
        cs.witness_assignment().unwrap(),
    ]
    .concat();
    (r1cs, z)
}

/// Whether the finished constraint system is satisfied by its own assignment.
fn satisfied(cs: &ConstraintSystemRef<Fr>) -> bool {
    let (r1cs, z) = extract(cs);
    r1cs.evaluate(&z).is_ok()
}
