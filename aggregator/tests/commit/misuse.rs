//! The `HashCommit` stand-in, and circuits that misuse `commit`.

use super::*;

#[test]
fn the_hash_commit_stand_in_checks_satisfiability_with_the_real_constraint_count() {
    let good = small();
    let cs = ConstraintSystem::new_ref();
    WithHashCommit(good.clone())
        .generate_constraints(cs.clone())
        .unwrap();
    assert!(cs.is_satisfied().unwrap());
    let r1cs = R1cs::from_commit_circuit(good.clone()).unwrap();
    assert_eq!(cs.num_constraints(), r1cs.num_constraints());
    assert_eq!(cs.num_instance_variables(), r1cs.num_instance);
    assert_eq!(cs.num_witness_variables(), r1cs.num_witness);

    let bad = TableLookup::with_values([1u64, 9].map(Fr::from).to_vec(), 8);
    let cs = ConstraintSystem::new_ref();
    WithHashCommit(bad)
        .generate_constraints(cs.clone())
        .unwrap();
    assert!(
        !cs.is_satisfied().unwrap(),
        "a value outside the table passed"
    );
}

/// A circuit that misuses `commit` in one of several ways.
#[derive(Clone, Copy, Debug)]
enum Misuse {
    Twice,
    Instance,
    One,
    Duplicate,
    Never,
    /// Commits `[a, b]` at setup and `[b, a]` when proving.
    Reordered,
}

impl CommitCircuit for Misuse {
    fn generate_constraints(
        self,
        cs: ConstraintSystemRef<Fr>,
        commit: &dyn Commit,
    ) -> Result<(), SynthesisError> {
        let x = cs.new_input_variable(|| Ok(Fr::from(6u64)))?;
        let a = cs.new_witness_variable(|| Ok(Fr::from(2u64)))?;
        let b = cs.new_witness_variable(|| Ok(Fr::from(3u64)))?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(a),
            || LinearCombination::from(b),
            || LinearCombination::from(x),
        )?;
        let c = match self {
            Misuse::Twice => {
                commit.commit(&cs, &[a])?;
                commit.commit(&cs, &[b])?
            }
            Misuse::Instance => commit.commit(&cs, &[a, x])?,
            Misuse::One => commit.commit(&cs, &[Variable::One])?,
            Misuse::Duplicate => commit.commit(&cs, &[a, b, a])?,
            Misuse::Never => return Ok(()),
            Misuse::Reordered if cs.is_in_setup_mode() => commit.commit(&cs, &[a, b])?,
            Misuse::Reordered => commit.commit(&cs, &[b, a])?,
        };
        cs.enforce_r1cs_constraint(
            || c.lc.clone(),
            || LinearCombination::from(a),
            || c.lc.clone() * Fr::from(2u64),
        )?;
        Ok(())
    }
}

#[test]
fn misused_commitments_are_refused_with_the_reason() {
    let cases = [
        (Misuse::Twice, CommitError::SecondCommit),
        (
            Misuse::Instance,
            CommitError::NotWitness {
                position: 1,
                found: "Instance(1)".into(),
            },
        ),
        (
            Misuse::One,
            CommitError::NotWitness {
                position: 0,
                found: "One".into(),
            },
        ),
        (
            Misuse::Duplicate,
            CommitError::Duplicate {
                witness: 0,
                first: 0,
                second: 2,
            },
        ),
        (Misuse::Never, CommitError::NoCommit),
    ];
    for (circuit, expected) in cases {
        match R1cs::from_commit_circuit(circuit) {
            Err(ProverError::Commit(e)) => assert_eq!(e, expected, "{circuit:?}"),
            other => panic!("{circuit:?}: {other:?}"),
        }
        // The stand-in refuses the same way.
        let cs = ConstraintSystem::new_ref();
        let commit = HashCommit::new();
        let result = circuit.generate_constraints(cs, &commit);
        match circuit {
            Misuse::Never => assert!(result.is_ok() && !commit.called()),
            _ => {
                assert!(result.is_err(), "{circuit:?}");
                assert_eq!(commit.error(), Some(expected), "{circuit:?}");
            }
        }
    }
    // Committing differently when proving than at setup.
    let r1cs = R1cs::from_commit_circuit(Misuse::Reordered).unwrap();
    let pk = dev_setup(&r1cs, &mut rng(30)).unwrap();
    let prover = Prover::new(pk, r1cs).unwrap();
    assert!(matches!(
        prover.prove_committed(&cpu(), Misuse::Reordered, &mut rng(31)),
        Err(ProverError::Commit(CommitError::LayoutMismatch(_)))
    ));
}
