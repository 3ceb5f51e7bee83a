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

use ark_bn254::Fr;
use ark_ff::PrimeField;
use ark_relations::gr1cs::{
    ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisError, SynthesisMode,
    Variable,
};
use sha2::{Digest, Sha256};
use sheaf_aggregator::gadgets::{Commit, Ctx, Num, RangeMode};
use sheaf_aggregator::prover::R1cs;

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

    /// Whether the assignment with `z[i]` replaced satisfies every constraint.
    pub fn satisfied_with(&self, changes: &[(usize, Fr)]) -> bool {
        let mut z = self.z.clone();
        for &(i, v) in changes {
            z[i] = v;
        }
        self.r1cs.evaluate(&z).is_ok()
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
    }
}
