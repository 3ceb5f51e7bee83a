//! Range checks: `0 ≤ x < 2^k` for every emulated limb, quotient and carry of the recursion
//! circuit, either by bit decomposition (one constraint per bit) or by a LogUp lookup into the
//! table `{0, …, 2^c − 1}` (Haböck, "Multivariate lookups based on logarithmic derivatives",
//! eprint 2022/1530), about one constraint per `c` bits.
//!
//! # The lookup argument
//!
//! A value of `k` bits is allocated as `⌈k/c⌉` chunk witnesses `xᵢ` with `x = Σ xᵢ·2^(c·i)`;
//! every chunk is a lookup query `fᵢ = xᵢ` (the top chunk of `w < c` bits is queried as
//! `xᵢ·2^(c−w)`, which lies in the table exactly when `xᵢ < 2^w`). At the end of synthesis the
//! prover supplies the multiplicities `mⱼ` (how often the table entry `j` was queried) and
//! commits to every chunk and every multiplicity through [`Commit`]; the challenge `α` is drawn
//! from that commitment. The circuit then enforces
//!
//! ```text
//! hᵢ·(α − fᵢ) = 1 for every query,  eⱼ·(α − j) = mⱼ for every table entry,  Σ hᵢ = Σ eⱼ,
//! ```
//!
//! i.e. `Σᵢ 1/(α − fᵢ) = Σⱼ mⱼ/(α − j)`. As rational functions of `α` the two sides are equal
//! only if every `fᵢ` is a table entry: a query value outside the table is a pole of the left
//! side that nothing on the right cancels (it would take `r` equal queries to cancel it modulo
//! the characteristic, and a circuit has far fewer). Since `fᵢ` and `mⱼ` are fixed before `α`
//! is known, a false query passes with probability at most `(queries + 2^c)/r` by the
//! Schwartz–Zippel lemma (about 2⁻²³³ for a million queries). The multiplicities need no range
//! check of their own.
//!
//! Cost: one constraint and two variables per query, plus `2^c` constraints for the table and
//! one for the sum, so the table pays for itself above a few thousand range checks.

use std::fmt;

use ark_bn254::Fr;
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use num_bigint::BigUint;

use super::challenge::Commit;
use super::num::{LcSum, Num, enforce_zero};

/// How range checks are enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeMode {
    /// One boolean witness per bit; no challenge needed. For small circuits and tests.
    Bits,
    /// LogUp lookups into `{0, …, 2^chunk_bits − 1}`; needs a [`Commit`] at the end.
    Lookup {
        /// Bits per table entry (at most [`MAX_CHUNK_BITS`]).
        chunk_bits: u32,
    },
}

/// Largest supported lookup table: `2^MAX_CHUNK_BITS` entries.
pub const MAX_CHUNK_BITS: u32 = 20;

/// The lookup table size the epoch circuit uses: 2^16 entries, which costs 65,536 constraints
/// and makes a 64-bit limb four lookups.
pub const DEFAULT_CHUNK_BITS: u32 = 16;

/// Counts of what the range checks cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RangeStats {
    /// Range-checked values allocated.
    pub values: usize,
    /// Bits covered by those checks.
    pub bits: usize,
    /// Lookup queries (zero in [`RangeMode::Bits`]).
    pub lookups: usize,
}

impl fmt::Display for RangeStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} values, {} bits, {} lookups",
            self.values, self.bits, self.lookups
        )
    }
}

/// The range checks of one circuit; see the module documentation.
#[derive(Debug)]
pub struct RangeChecks {
    mode: RangeMode,
    /// Lookup queries: the chunk variable, the shift of its query and the queried value.
    queries: Vec<(Variable, u8)>,
    query_values: Option<Vec<u32>>,
    stats: RangeStats,
    finalized: bool,
}

impl RangeChecks {
    /// Range checks enforced in `mode`. Errors for a lookup table above [`MAX_CHUNK_BITS`].
    pub fn new(mode: RangeMode) -> Result<Self, SynthesisError> {
        if let RangeMode::Lookup { chunk_bits } = mode
            && !(1..=MAX_CHUNK_BITS).contains(&chunk_bits)
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(Self {
            mode,
            queries: Vec::new(),
            query_values: Some(Vec::new()),
            stats: RangeStats::default(),
            finalized: false,
        })
    }

    /// The mode.
    pub fn mode(&self) -> RangeMode {
        self.mode
    }

    /// What has been checked so far.
    pub fn stats(&self) -> RangeStats {
        self.stats
    }

    /// The lookup queries so far: each chunk variable with the shift of its query (the queried
    /// value is `chunk·2^shift`). For audits and soundness tests.
    pub fn queries(&self) -> &[(Variable, u8)] {
        &self.queries
    }

    /// Allocates a witness `x` with `0 ≤ x < 2^bits` and returns it as a linear combination of
    /// its bits or chunks (no other variable stands for it). A value that does not fit is cut
    /// to its low `bits` bits; the caller's identity then fails, as it must.
    pub fn alloc(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        value: Option<&BigUint>,
        bits: u32,
    ) -> Result<Num, SynthesisError> {
        if self.finalized {
            return Err(SynthesisError::Unsatisfiable);
        }
        if bits >= Fr::MODULUS_BIT_SIZE - 1 {
            return Err(SynthesisError::Unsatisfiable);
        }
        self.stats.values += 1;
        self.stats.bits += bits as usize;
        if bits == 0 {
            return Ok(Num::zero());
        }
        let piece = match self.mode {
            RangeMode::Bits => 1,
            RangeMode::Lookup { chunk_bits } => chunk_bits,
        };
        let mut sum = LcSum::new();
        let mut power = Fr::one();
        let step = Fr::from(2u8).pow([u64::from(piece)]);
        let mut offset = 0u32;
        while offset < bits {
            let width = piece.min(bits - offset);
            let part = value.map(|v| {
                let mask = (BigUint::one() << width) - 1u8;
                ((v >> offset) & mask).iter_u32_digits().next().unwrap_or(0)
            });
            let var = cs.new_witness_variable(|| {
                part.map(|p| Fr::from(u64::from(p)))
                    .ok_or(SynthesisError::AssignmentMissing)
            })?;
            if piece == 1 {
                Num::from_var(var, None).enforce_boolean(cs)?;
            } else {
                let shift = (piece - width) as u8;
                self.queries.push((var, shift));
                match (&mut self.query_values, part) {
                    (Some(values), Some(p)) => values.push(p << shift),
                    _ => self.query_values = None,
                }
                self.stats.lookups += 1;
            }
            sum.add_var(power, var);
            power *= step;
            offset += width;
        }
        Ok(Num {
            lc: sum.finish(),
            value: value.map(|v| Fr::from(v.clone())),
        })
    }

    /// Enforces `0 ≤ x < 2^bits` for an existing value (one more linear constraint than
    /// [`Self::alloc`]).
    pub fn check(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        x: &Num,
        bits: u32,
    ) -> Result<(), SynthesisError> {
        let value = x.value.map(|v| BigUint::from(v.into_bigint()));
        let y = self.alloc(cs, value.as_ref(), bits)?;
        x.enforce_equal(cs, &y)
    }

    /// Emits the lookup argument (nothing in [`RangeMode::Bits`]): multiplicities, the commitment
    /// and its challenge, one constraint per query and per table entry, and the final sum.
    /// Must be called once, after every range check of the circuit.
    pub fn finalize(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        commit: &dyn Commit,
    ) -> Result<(), SynthesisError> {
        if self.finalized {
            return Err(SynthesisError::Unsatisfiable);
        }
        self.finalized = true;
        let RangeMode::Lookup { chunk_bits } = self.mode else {
            return Ok(());
        };
        if self.queries.is_empty() {
            return Ok(());
        }
        let table = 1usize << chunk_bits;
        let counts = self.query_values.as_ref().map(|values| {
            let mut m = vec![0u64; table];
            for &v in values {
                m[v as usize] += 1;
            }
            m
        });
        let mut multiplicities = Vec::with_capacity(table);
        for j in 0..table {
            let m = counts.as_ref().map(|c| Fr::from(c[j]));
            multiplicities.push(Num::witness(cs, m)?);
        }
        let mut committed: Vec<Variable> = self.queries.iter().map(|(v, _)| *v).collect();
        for m in &multiplicities {
            committed.extend(m.lc.iter().map(|(_, v)| *v));
        }
        let alpha = commit.commit(cs, &committed)?;

        // hᵢ = 1/(α − fᵢ), inverted in one batch.
        let mut h_values: Option<Vec<Fr>> = alpha
            .value
            .zip(self.query_values.as_ref())
            .map(|(a, fs)| fs.iter().map(|&f| a - Fr::from(u64::from(f))).collect());
        if let Some(h) = &mut h_values {
            if h.iter().any(Zero::is_zero) {
                return Err(SynthesisError::Unsatisfiable);
            }
            ark_ff::batch_inversion(h);
        }
        let mut total = LcSum::new();
        let one = LinearCombination::from(Variable::One);
        for (i, &(var, shift)) in self.queries.iter().enumerate() {
            let h = Num::witness(cs, h_values.as_ref().map(|h| h[i]))?;
            let scale = Fr::from(1u64 << shift);
            cs.enforce_r1cs_constraint(
                || h.lc.clone(),
                || alpha.lc.clone() - (scale, var),
                || one.clone(),
            )?;
            total.add(Fr::one(), &h.lc);
        }
        for (j, m) in multiplicities.iter().enumerate() {
            let e_value = alpha
                .value
                .zip(m.value)
                .and_then(|(a, m)| (a - Fr::from(j as u64)).inverse().map(|inv| inv * m));
            if alpha.value.is_some() && e_value.is_none() {
                return Err(SynthesisError::Unsatisfiable);
            }
            let e = Num::witness(cs, e_value)?;
            let j_fr = Fr::from(j as u64);
            cs.enforce_r1cs_constraint(
                || e.lc.clone(),
                || alpha.lc.clone() - (j_fr, Variable::One),
                || m.lc.clone(),
            )?;
            total.add(-Fr::one(), &e.lc);
        }
        enforce_zero(cs, || total.finish())
    }
}

/// `x` as a non-negative integer (its canonical representative).
pub(crate) fn fr_to_big(x: Fr) -> BigUint {
    BigUint::from_bytes_le(&x.into_bigint().to_bytes_le())
}
