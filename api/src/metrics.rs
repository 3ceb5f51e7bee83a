//! Counters for `GET /metrics`, written by hand in the Prometheus text exposition format
//! (version 0.0.4): a handful of atomics needs no registry.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The service's counters. Shared behind an `Arc`.
#[derive(Debug, Default)]
pub struct Metrics {
    accepted: AtomicU64,
    duplicates: AtomicU64,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    batches: AtomicU64,
    batch_items: AtomicU64,
    verify_micros: AtomicU64,
}

impl Metrics {
    /// A proof was stored (`duplicate`: it had been already).
    pub fn accepted(&self, duplicate: bool) {
        let counter = if duplicate {
            &self.duplicates
        } else {
            &self.accepted
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A submission was refused with this error code.
    pub fn rejected(&self, code: &'static str) {
        let mut map = self.rejected.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(code).or_default() += 1;
    }

    /// A batch of `items` was verified in `micros` microseconds.
    pub fn batch(&self, items: usize, micros: u64) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.batch_items.fetch_add(items as u64, Ordering::Relaxed);
        self.verify_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The exposition text, with the current queue depth as a gauge.
    pub fn render(&self, queue_depth: usize) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            "sheaf_submissions_accepted_total",
            "Proofs verified and stored.",
            self.accepted.load(Ordering::Relaxed),
        );
        counter(
            "sheaf_submissions_duplicate_total",
            "Submissions answered with the id of a proof already in the open epoch.",
            self.duplicates.load(Ordering::Relaxed),
        );
        counter(
            "sheaf_verify_batches_total",
            "Batches verified.",
            self.batches.load(Ordering::Relaxed),
        );
        counter(
            "sheaf_verify_batch_items_total",
            "Proofs verified in batches.",
            self.batch_items.load(Ordering::Relaxed),
        );
        let seconds = self.verify_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "# HELP sheaf_verify_seconds_total Time spent verifying batches.\n\
             # TYPE sheaf_verify_seconds_total counter\nsheaf_verify_seconds_total {seconds}"
        );
        let _ = writeln!(
            out,
            "# HELP sheaf_submissions_rejected_total Submissions refused, by error code.\n\
             # TYPE sheaf_submissions_rejected_total counter"
        );
        let rejected = self.rejected.lock().unwrap_or_else(|e| e.into_inner());
        for (code, n) in rejected.iter() {
            let _ = writeln!(
                out,
                "sheaf_submissions_rejected_total{{code=\"{code}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP sheaf_verify_queue_depth Submissions waiting for verification.\n\
             # TYPE sheaf_verify_queue_depth gauge\nsheaf_verify_queue_depth {queue_depth}"
        );
        out
    }
}
