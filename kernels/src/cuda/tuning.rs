//! Knobs of the CUDA kernels, for benchmarks and tests; the defaults are derived from the
//! input size and the device (see [`super::msm::MsmPlan::new`] and [`super::ntt`]).

/// Overrides of the CUDA backend's choices. `Tuning::default()` is what the backend uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// MSM window width in bits (2..=24) instead of the cost model's choice.
    pub window_bits: Option<u32>,
    /// Entries per thread in the first bucket-sum round instead of the size-based choice.
    pub first_segment: Option<u32>,
    /// Partial sums per thread in the later bucket-sum rounds (at least 2).
    pub segment: u32,
    /// Chunk length of the bucket-reduction levels (a power of two, at least 2).
    pub reduce_chunk: u32,
    /// Most NTT stages per shared-memory pass (1..=10); smaller values give more passes.
    pub ntt_max_pass_log: u32,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            window_bits: None,
            first_segment: None,
            segment: 16,
            reduce_chunk: 8,
            ntt_max_pass_log: super::ntt::MAX_PASS_LOG,
        }
    }
}
