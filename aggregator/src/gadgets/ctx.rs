//! The synthesis context every emulated gadget takes: the constraint system, the circuit's
//! range checks, and counters of what each kind of gadget costs.

use std::cell::RefCell;

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use num_bigint::BigUint;

use super::challenge::Commit;
use super::num::Num;
use super::range::{RangeChecks, RangeMode, RangeStats};

/// Counts of the product identities a circuit checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdentityStats {
    /// Identities that produced a reduced result.
    pub reductions: usize,
    /// Identities checked against zero.
    pub zero_checks: usize,
    /// Evaluation witnesses of products (one constraint each).
    pub evaluations: usize,
}

/// The context of one circuit's synthesis.
#[derive(Debug)]
pub struct Ctx {
    cs: ConstraintSystemRef<Fr>,
    range: RefCell<RangeChecks>,
    identities: RefCell<IdentityStats>,
}

impl Ctx {
    /// A context over `cs` with range checks in `mode`.
    pub fn new(cs: ConstraintSystemRef<Fr>, mode: RangeMode) -> Result<Self, SynthesisError> {
        Ok(Self {
            cs,
            range: RefCell::new(RangeChecks::new(mode)?),
            identities: RefCell::new(IdentityStats::default()),
        })
    }

    /// The constraint system.
    pub fn cs(&self) -> &ConstraintSystemRef<Fr> {
        &self.cs
    }

    /// Whether constraints are being recorded (setup, or a test system keeping its matrices);
    /// in witness-only proving they are not, and gadgets skip building linear combinations.
    pub fn builds_constraints(&self) -> bool {
        self.cs.should_construct_matrices()
    }

    /// Allocates a range-checked witness `0 ≤ x < 2^bits` (see [`RangeChecks::alloc`]).
    pub fn alloc_bounded(&self, value: Option<&BigUint>, bits: u32) -> Result<Num, SynthesisError> {
        self.range.borrow_mut().alloc(&self.cs, value, bits)
    }

    /// Enforces `0 ≤ x < 2^bits` for an existing value.
    pub fn range_check(&self, x: &Num, bits: u32) -> Result<(), SynthesisError> {
        self.range.borrow_mut().check(&self.cs, x, bits)
    }

    /// The range-check mode.
    pub fn range_mode(&self) -> RangeMode {
        self.range.borrow().mode()
    }

    /// Constraints so far, counting each pending lookup as the one constraint it will become:
    /// the difference around a gadget is what it costs. Meaningful only while constraints are
    /// recorded (setup, or a test system keeping its matrices).
    pub fn cost(&self) -> usize {
        self.cs.num_constraints() + self.range_stats().lookups
    }

    /// What the range checks have cost so far.
    pub fn range_stats(&self) -> RangeStats {
        self.range.borrow().stats()
    }

    /// The lookup queries so far (see [`RangeChecks::queries`]).
    pub fn range_queries(&self) -> Vec<(ark_relations::gr1cs::Variable, u8)> {
        self.range.borrow().queries().to_vec()
    }

    /// What the product identities have cost so far.
    pub fn identity_stats(&self) -> IdentityStats {
        *self.identities.borrow()
    }

    pub(crate) fn count_identity(&self, reduced: bool, evaluations: usize) {
        let mut s = self.identities.borrow_mut();
        if reduced {
            s.reductions += 1;
        } else {
            s.zero_checks += 1;
        }
        s.evaluations += evaluations;
    }

    /// Ends synthesis: emits the lookup argument of the range checks, with its challenge drawn
    /// through `commit`. Call it once, after the last gadget.
    pub fn finalize(&self, commit: &dyn Commit) -> Result<(), SynthesisError> {
        self.range.borrow_mut().finalize(&self.cs, commit)
    }
}
