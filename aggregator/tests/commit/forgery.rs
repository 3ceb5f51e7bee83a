//! Dishonest provers: a challenge chosen before committing, and a public input moved into
//! `D`, built with an independent Groth16 computation that skips the prover's checks.

use super::*;

/// A [`Commit`] under the test's control: commits honestly to the values with the key's
/// bases, then shifts `D` by `shift` and allocates `challenge` (or the hash of the shifted `D`).
pub(crate) struct ForgingCommit {
    bases: Vec<G1Affine>,
    blinding: Fr,
    shift: G1Projective,
    challenge: Option<Fr>,
    /// `(honest D, shifted D)`.
    out: RefCell<Option<(G1Affine, G1Affine)>>,
}

impl ForgingCommit {
    pub(crate) fn new(pk: &ProvingKey) -> Self {
        Self {
            bases: pk.commitment.as_ref().unwrap().bases.clone(),
            blinding: Fr::from(77u64),
            shift: G1Projective::zero(),
            challenge: None,
            out: RefCell::new(None),
        }
    }
}

impl Commit for ForgingCommit {
    fn commit(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        vars: &[Variable],
    ) -> Result<Num, SynthesisError> {
        let mut values: Vec<Fr> = vars
            .iter()
            .map(|v| cs.assigned_value(*v).unwrap())
            .collect();
        let _blinding = allocate_blinding(cs, Some(self.blinding))?;
        values.push(self.blinding);
        let honest = G1Projective::msm(&self.bases, &values).unwrap();
        let shifted = (honest + self.shift).into_affine();
        let c = self
            .challenge
            .unwrap_or_else(|| commitment_challenge(&shifted));
        let var = cs.new_input_variable(|| Ok(c))?;
        *self.out.borrow_mut() = Some((honest.into_affine(), shifted));
        Ok(Num {
            lc: LinearCombination::from(var),
            value: Some(c),
        })
    }
}

/// Groth16's `A`, `B`, `C` for any satisfying `z` under `pk`, computed here independently of
/// the prover and without its challenge check: what a dishonest prover can always do.
fn groth16_unchecked(pk: &ProvingKey, r1cs: &R1cs, z: &[Fr], seed: u64) -> Proof {
    let mut rng = rng(seed);
    let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    let h = quotient(&cpu(), r1cs.evaluate(z).unwrap()).unwrap();
    let msm = |bases: &[G1Affine], scalars: &[Fr]| G1Projective::msm(bases, scalars).unwrap();
    let a = pk.vk.alpha_g1 + msm(&pk.a_query, z) + pk.delta_g1 * r;
    let b2 = pk.vk.beta_g2.into_group()
        + <ark_bn254::G2Projective as VariableBaseMSM>::msm(&pk.b_g2_query, z).unwrap()
        + pk.vk.delta_g2 * s;
    let b1 = pk.beta_g1 + msm(&pk.b_g1_query, z) + pk.delta_g1 * s;
    let c = a * s + b1 * r - pk.delta_g1 * (r * s)
        + msm(&pk.l_query, &z[r1cs.num_instance..])
        + msm(&pk.h_query, &h);
    Proof {
        a: a.into_affine(),
        b: b2.into_affine(),
        c: c.into_affine(),
    }
}

#[test]
fn the_prover_accepts_an_honest_assignment_and_refuses_a_wrong_challenge() {
    let circuit = small();
    let f = fixture(&circuit, 17);
    let honest = ForgingCommit::new(&f.pk);
    let z = synthesize_assignment_with(circuit.clone(), &honest).unwrap();
    let proof = f
        .prover
        .prove_committed_assignment(&cpu(), &z, &mut rng(1))
        .unwrap();
    assert_eq!(proof.commitment, honest.out.borrow().unwrap().0);
    assert!(f.pvk.verify(&proof, &circuit.statement()).unwrap());
    let mut bad = z.clone();
    let ch = f.r1cs.commitment.as_ref().unwrap().challenge;
    bad[ch] += Fr::one();
    assert!(matches!(
        f.prover.prove_committed_assignment(&cpu(), &bad, &mut rng(1)),
        Err(ProverError::WrongChallenge { variable }) if variable == ch
    ));
}

/// Multiplicities that make a lookup of `values` balance at `c`, whatever the values: the
/// cheat available to a prover who knows the challenge before committing.
fn cheating_multiplicities(values: &[Fr], table: usize, c: Fr) -> Vec<Fr> {
    let lhs: Fr = values.iter().map(|f| (c - f).inverse().unwrap()).sum();
    let mut m = vec![Fr::zero(); table];
    m[0] = c * lhs; // (c − 0)·Σ 1/(c − fᵢ): the other entries get multiplicity 0
    m
}

#[test]
fn a_challenge_chosen_by_the_prover_is_rejected() {
    // 9 is not in the table {0, …, 7}. Knowing the challenge in advance, a prover balances the
    // LogUp sum anyway; the verifier recomputes the challenge from D, so the proof fails.
    let values: Vec<Fr> = [1u64, 2, 9, 4].map(Fr::from).to_vec();
    let shape = TableLookup::with_values(values.clone(), 8);
    let f = fixture(&shape, 19);
    let chosen = Fr::from(123_456_789u64);
    let cheat = TableLookup::with_values(values, 8).with_multiplicities(cheating_multiplicities(
        shape.values(),
        8,
        chosen,
    ));
    let statement = cheat.statement();

    // The honest prover derives the real challenge, at which the sum does not balance.
    assert!(matches!(
        f.prover
            .prove_committed(&cpu(), cheat.clone(), &mut rng(20)),
        Err(ProverError::Unsatisfied { .. })
    ));

    let mut commit = ForgingCommit::new(&f.pk);
    commit.challenge = Some(chosen);
    let z = synthesize_assignment_with(cheat, &commit).unwrap();
    f.r1cs
        .evaluate(&z)
        .expect("the cheat satisfies every constraint at the chosen challenge");
    assert!(matches!(
        f.prover.prove_committed_assignment(&cpu(), &z, &mut rng(1)),
        Err(ProverError::WrongChallenge { .. })
    ));
    let sigma_sum = {
        let ck = f.pk.commitment.as_ref().unwrap();
        let committed: Vec<Fr> = f
            .r1cs
            .commitment
            .as_ref()
            .unwrap()
            .committed
            .iter()
            .map(|&j| z[j])
            .collect();
        G1Projective::msm(&ck.sigma_bases, &committed)
            .unwrap()
            .into_affine()
    };
    let (d, _) = commit.out.borrow().unwrap();
    let forged = CommittedProof {
        proof: groth16_unchecked(&f.pk, &f.r1cs, &z, 21),
        commitment: d,
        pok: sigma_sum,
    };
    // With the prover's challenge the Groth16 equation would hold …
    let mut inputs = statement.clone();
    inputs.insert(TableLookup::CHALLENGE_INDEX, chosen);
    let vk = &f.pk.vk;
    let vk_x = vk.ic[0] + G1Projective::msm(&vk.ic[1..], &inputs).unwrap() + d;
    let lhs = Bn254::pairing(forged.proof.a, forged.proof.b);
    let rhs = Bn254::pairing(vk.alpha_g1, vk.beta_g2)
        + Bn254::pairing(vk_x, vk.gamma_g2)
        + Bn254::pairing(forged.proof.c, vk.delta_g2);
    assert_eq!(
        lhs, rhs,
        "the forgery is a real Groth16 proof at the chosen challenge"
    );
    // … but the verifier derives the challenge from D.
    assert_eq!(
        parts(&f, &forged, &statement),
        CommittedCheck {
            groth16: false,
            pok: true
        }
    );
    assert!(!f.pvk.verify(&forged, &statement).unwrap());
}

#[test]
fn moving_a_public_input_into_d_needs_the_proof_of_knowledge_secret() {
    // Without the proof of knowledge, D could carry (x − x')·IC_total: a proof of the true
    // total x would verify for any claimed x'. The forger computes everything it can; the
    // Groth16 equation holds, the proof of knowledge does not, and only σ would repair it.
    let circuit = small();
    let f = fixture(&circuit, 23);
    let true_total = circuit.statement()[0];
    let claimed = true_total + Fr::from(1000u64);
    let ic_total = f.pk.vk.ic[1];
    let mut commit = ForgingCommit::new(&f.pk);
    commit.shift = ic_total * (true_total - claimed);
    let z = synthesize_assignment_with(circuit.clone(), &commit).unwrap();
    let (honest_d, shifted_d) = commit.out.borrow().unwrap();
    assert_ne!(honest_d, shifted_d);
    let ck = f.pk.commitment.as_ref().unwrap();
    let committed: Vec<Fr> = f
        .r1cs
        .commitment
        .as_ref()
        .unwrap()
        .committed
        .iter()
        .map(|&j| z[j])
        .collect();
    let best_pok = G1Projective::msm(&ck.sigma_bases, &committed)
        .unwrap()
        .into_affine();
    let mut forged = CommittedProof {
        proof: groth16_unchecked(&f.pk, &f.r1cs, &z, 24),
        commitment: shifted_d,
        pok: best_pok,
    };
    let claim = vec![claimed, circuit.statement()[1]];
    assert_eq!(
        parts(&f, &forged, &claim),
        CommittedCheck {
            groth16: true,
            pok: false
        },
        "the Groth16 equation alone accepts the moved public input"
    );
    assert!(!f.pvk.verify(&forged, &claim).unwrap());
    // σ·IC_total is not in the key; with the toxic σ the forgery goes through.
    forged.pok = (best_pok + ic_total * ((true_total - claimed) * f.waste.sigma)).into_affine();
    assert!(
        f.pvk.verify(&forged, &claim).unwrap(),
        "σ completes the forgery"
    );
}
