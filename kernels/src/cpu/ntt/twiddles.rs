//! Twiddle tables for the DIF kernel, computed once per size and direction and cached.
//!
//! `top` holds `ω^j` for `j < n/2` (`ω` the `n`-th root, or its inverse): the outer, streaming
//! stages read it with a stride. The in-cache stages read per-stage tables instead, stage `h`
//! holding `ω_{2h}^j` for `j < h` contiguously at offset `h - 1`, so a block's twiddles are as
//! local as its data. Those cover `h ≤ BLOCK/2` only, about one block's worth of memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ark_ff::{FftField, Field};

use super::BLOCK;
use crate::NttDirection;
use crate::cpu::field::{FieldOps, Fr};

/// The tables for one size and direction.
#[derive(Debug)]
pub(crate) struct Tables {
    /// `ω^j`, `j < n/2`.
    pub(crate) top: Vec<Fr>,
    /// Concatenated per-stage tables for `h = 1, 2, 4, …, min(n, BLOCK)/2`.
    stages: Vec<Fr>,
}

impl Tables {
    fn new(log_n: u32, direction: NttDirection) -> Self {
        let n = 1usize << log_n;
        let root = ark_bn254::Fr::get_root_of_unity(n as u64).unwrap_or(ark_bn254::Fr::ONE);
        let root = match direction {
            NttDirection::Forward => root,
            NttDirection::Inverse => root.inverse().unwrap_or(ark_bn254::Fr::ONE),
        };
        let top = powers(Fr::from_ark(&root), n / 2);
        let max_h = n.min(BLOCK) / 2;
        let mut stages = Vec::with_capacity(max_h.saturating_mul(2));
        let mut h = 1;
        while h <= max_h {
            // ω_{2h} = ω^(n/2h).
            let stride = n / (2 * h);
            stages.extend((0..h).map(|j| top[j * stride]));
            h *= 2;
        }
        Self { top, stages }
    }

    /// `ω_{2h}^j` for `j < h`; `h` must be at most `min(n, BLOCK)/2`.
    #[inline(always)]
    pub(crate) fn stage(&self, h: usize) -> &[Fr] {
        &self.stages[h - 1..2 * h - 1]
    }
}

/// `[1, x, x², …, x^(len-1)]`, computed in parallel chunks that each start from a power.
pub(crate) fn powers(x: Fr, len: usize) -> Vec<Fr> {
    let mut out = vec![Fr::ONE; len];
    super::scale_by_powers(&mut out, Fr::ONE, x);
    out
}

/// Tables by `(log2 size, direction)`, shared by every transform on one backend.
#[derive(Debug, Default)]
pub(crate) struct TwiddleCache {
    tables: Mutex<HashMap<(u32, NttDirection), Arc<Tables>>>,
}

impl TwiddleCache {
    /// The tables for `2^log_n` points in `direction`, computed on first use.
    pub(crate) fn get(&self, log_n: u32, direction: NttDirection) -> Arc<Tables> {
        // A panic elsewhere while holding the lock leaves the map intact; keep using it.
        let mut map = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry((log_n, direction))
            .or_insert_with(|| Arc::new(Tables::new(log_n, direction)))
            .clone()
    }
}
