//! Counters, gauges and histograms for `GET /metrics`, written by hand in the Prometheus text
//! exposition format (version 0.0.4): a few atomics and small locked bucket arrays need no
//! registry. Histograms have fixed bucket bounds chosen for what they measure.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::epochs::EpochState;

/// Bounds (seconds) for request and verification latencies: 0.5 ms to 10 s.
const LATENCY_BOUNDS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];
/// Bounds for batch sizes (proofs per verified batch).
const BATCH_BOUNDS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
];
/// Bounds (seconds) for the time an epoch spends in one state: 10 ms to a day.
const EPOCH_BOUNDS: &[f64] = &[
    0.01, 0.1, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0,
];

/// A histogram with fixed upper bounds (each bucket counts observations ≤ its bound).
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    state: Mutex<HistogramState>,
}

#[derive(Debug, Clone, Default)]
struct HistogramState {
    /// Per bucket (not cumulative), plus one for values above every bound.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            state: Mutex::new(HistogramState {
                counts: vec![0; bounds.len() + 1],
                sum: 0.0,
                count: 0,
            }),
        }
    }

    /// Records one value.
    pub fn observe(&self, value: f64) {
        let bucket = self
            .bounds
            .iter()
            .position(|&b| value <= b)
            .unwrap_or(self.bounds.len());
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.counts[bucket] += 1;
        s.sum += value;
        s.count += 1;
    }

    /// Number of observations so far.
    pub fn count(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).count
    }

    /// Writes the `_bucket`, `_sum` and `_count` lines, with `labels` (`key="value",…` or
    /// empty) on each.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, n) in self.bounds.iter().zip(&s.counts) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", s.count);
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", s.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", s.count);
    }
}

/// The epoch states whose durations are measured, in the order they are rendered.
const TIMED_STATES: [EpochState; 4] = [
    EpochState::Open,
    EpochState::Sealed,
    EpochState::Settling,
    EpochState::Failed,
];

/// The service's metrics. Shared behind an `Arc`.
#[derive(Debug)]
pub struct Metrics {
    accepted: AtomicU64,
    duplicates: AtomicU64,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    submission_seconds: Histogram,
    verify_batch_seconds: Histogram,
    batch_size: Histogram,
    store_seconds: Histogram,
    epoch_state_seconds: [Histogram; 4],
    epochs_entered: Mutex<BTreeMap<&'static str, u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            accepted: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            rejected: Mutex::default(),
            submission_seconds: Histogram::new(LATENCY_BOUNDS),
            verify_batch_seconds: Histogram::new(LATENCY_BOUNDS),
            batch_size: Histogram::new(BATCH_BOUNDS),
            store_seconds: Histogram::new(LATENCY_BOUNDS),
            epoch_state_seconds: std::array::from_fn(|_| Histogram::new(EPOCH_BOUNDS)),
            epochs_entered: Mutex::default(),
        }
    }
}

impl Metrics {
    /// A proof was stored (`duplicate`: it had been already), `waited` after it was queued.
    pub fn accepted(&self, duplicate: bool, waited: Duration) {
        let counter = if duplicate {
            &self.duplicates
        } else {
            &self.accepted
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.submission_seconds.observe(waited.as_secs_f64());
    }

    /// A submission was refused with this error code.
    pub fn rejected(&self, code: &'static str) {
        let mut map = self.rejected.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(code).or_default() += 1;
    }

    /// A batch of `items` was verified in `took`.
    pub fn batch(&self, items: usize, took: Duration) {
        self.batch_size.observe(items as f64);
        self.verify_batch_seconds.observe(took.as_secs_f64());
    }

    /// A verified batch was stored in `took`.
    pub fn stored(&self, took: Duration) {
        self.store_seconds.observe(took.as_secs_f64());
    }

    /// An epoch entered `state`.
    pub fn epoch_entered(&self, state: EpochState) {
        let mut map = self
            .epochs_entered
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *map.entry(state.as_str()).or_default() += 1;
    }

    /// An epoch left `state` after `millis` milliseconds in it.
    pub fn epoch_left(&self, state: EpochState, millis: i64) {
        if let Some(i) = TIMED_STATES.iter().position(|&s| s == state) {
            self.epoch_state_seconds[i].observe(millis.max(0) as f64 / 1e3);
        }
    }

    /// Submissions accepted as new so far.
    pub fn accepted_count(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// The exposition text, with the verification queue's current depth and capacity.
    pub fn render(&self, queue_depth: usize, queue_capacity: usize) -> String {
        let mut out = String::new();
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        head(
            &mut out,
            "sheaf_submissions_accepted_total",
            "counter",
            "Proofs verified and stored as new.",
        );
        let _ = writeln!(
            out,
            "sheaf_submissions_accepted_total {}",
            self.accepted.load(Ordering::Relaxed)
        );
        head(
            &mut out,
            "sheaf_submissions_duplicate_total",
            "counter",
            "Submissions answered with the id of a proof already in the open epoch.",
        );
        let _ = writeln!(
            out,
            "sheaf_submissions_duplicate_total {}",
            self.duplicates.load(Ordering::Relaxed)
        );
        head(
            &mut out,
            "sheaf_submissions_rejected_total",
            "counter",
            "Requests refused, by error code.",
        );
        for (code, n) in self
            .rejected
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "sheaf_submissions_rejected_total{{code=\"{code}\"}} {n}"
            );
        }
        let histograms: [(&str, &str, &Histogram); 4] = [
            (
                "sheaf_submission_seconds",
                "Time from queueing a submission to answering it (verified and stored).",
                &self.submission_seconds,
            ),
            (
                "sheaf_verify_batch_seconds",
                "Time to verify one batch.",
                &self.verify_batch_seconds,
            ),
            (
                "sheaf_verify_batch_size",
                "Submissions per verified batch.",
                &self.batch_size,
            ),
            (
                "sheaf_store_batch_seconds",
                "Time to store one verified batch (one transaction).",
                &self.store_seconds,
            ),
        ];
        for (name, help, h) in histograms {
            head(&mut out, name, "histogram", help);
            h.render(&mut out, name, "");
        }
        head(
            &mut out,
            "sheaf_verify_queue_depth",
            "gauge",
            "Submissions waiting for verification.",
        );
        let _ = writeln!(out, "sheaf_verify_queue_depth {queue_depth}");
        head(
            &mut out,
            "sheaf_verify_queue_capacity",
            "gauge",
            "Submissions that may wait before the service answers 503.",
        );
        let _ = writeln!(out, "sheaf_verify_queue_capacity {queue_capacity}");
        head(
            &mut out,
            "sheaf_epoch_state_seconds",
            "histogram",
            "Time epochs spent in a state before leaving it.",
        );
        for (state, h) in TIMED_STATES.iter().zip(&self.epoch_state_seconds) {
            h.render(
                &mut out,
                "sheaf_epoch_state_seconds",
                &format!("state=\"{}\"", state.as_str()),
            );
        }
        head(
            &mut out,
            "sheaf_epoch_transitions_total",
            "counter",
            "Epochs that entered a state (a retried settlement enters settling again).",
        );
        for (state, n) in self
            .epochs_entered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "sheaf_epoch_transitions_total{{state=\"{state}\"}} {n}"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let h = Histogram::new(&[1.0, 2.0]);
        for v in [0.5, 1.0, 1.5, 7.0] {
            h.observe(v);
        }
        let mut out = String::new();
        h.render(&mut out, "x", "k=\"v\"");
        assert_eq!(
            out,
            "x_bucket{k=\"v\",le=\"1\"} 2\nx_bucket{k=\"v\",le=\"2\"} 3\n\
             x_bucket{k=\"v\",le=\"+Inf\"} 4\nx_sum{k=\"v\"} 10\nx_count{k=\"v\"} 4\n"
        );
        let mut plain = String::new();
        h.render(&mut plain, "y", "");
        assert!(plain.starts_with("y_bucket{le=\"1\"} 2\n"), "{plain}");
        assert!(plain.ends_with("y_sum 10\ny_count 4\n"), "{plain}");
    }
}
