//! Epochs: when one closes (age or size, whichever first), the persisted states it moves
//! through (`open → sealed → settling → anchored`, or `failed`), and the background task that
//! seals an open epoch once it is old enough. Sealing itself (the SHA-256 Merkle tree of
//! `shared/DESIGN.md` over the leaves in acceptance order) is one store transaction,
//! [`crate::store::Store::accept`] or [`crate::store::Store::seal_expired`]; what follows
//! `sealed` is [`crate::settlement`]'s.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::sync::Arc;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::metrics::Metrics;
use crate::store::{SealedInfo, Store};

/// When an epoch closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochPolicy {
    /// Age (from its first proof) at which an open epoch is sealed.
    pub max_age: Duration,
    /// Number of proofs at which it is sealed (at least 1).
    pub max_proofs: u64,
}

impl Default for EpochPolicy {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(60),
            max_proofs: 1024,
        }
    }
}

impl EpochPolicy {
    /// Whether an epoch opened at `opened_ms` is due to be sealed at `now_ms`.
    pub fn expired(&self, opened_ms: i64, now_ms: i64) -> bool {
        let age = i128::from(now_ms) - i128::from(opened_ms);
        age >= self.max_age.as_millis() as i128
    }
}

/// The persisted state of an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochState {
    /// Taking proofs.
    Open,
    /// Closed: root and paths known.
    Sealed,
    /// Being anchored on the base layer.
    Settling,
    /// Anchored.
    Anchored,
    /// Settlement failed (the reason is stored).
    Failed,
}

impl EpochState {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Sealed => "sealed",
            Self::Settling => "settling",
            Self::Anchored => "anchored",
            Self::Failed => "failed",
        }
    }

    /// The `status` of a proof in an epoch in this state: `verified` while it is open.
    pub fn proof_status(self) -> &'static str {
        match self {
            Self::Open => "verified",
            other => other.as_str(),
        }
    }
}

impl FromStr for EpochState {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "open" => Self::Open,
            "sealed" => Self::Sealed,
            "settling" => Self::Settling,
            "anchored" => Self::Anchored,
            "failed" => Self::Failed,
            _ => return Err(()),
        })
    }
}

/// Milliseconds since the Unix epoch (0 for a clock before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Records an epoch sealed by a write: the time it was open, the transition, and a wake-up for
/// the settlement worker.
pub fn note_sealed(metrics: &Metrics, wake: &Notify, sealed: &SealedInfo) {
    metrics.epoch_left(EpochState::Open, sealed.sealed_at_ms - sealed.opened_at_ms);
    metrics.epoch_entered(EpochState::Sealed);
    tracing::info!(
        epoch = sealed.epoch,
        proofs = sealed.proof_count,
        "epoch sealed"
    );
    wake.notify_one();
}

/// Starts the task that seals the open epoch once it is `policy.max_age` old, checking every
/// `period`. Abort it to stop it: a seal is one transaction, so an aborted one leaves nothing.
pub fn spawn_sealer(
    store: Store,
    policy: EpochPolicy,
    period: Duration,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match store.seal_expired(&policy, now_ms()).await {
                Ok(Some(sealed)) => note_sealed(&metrics, &wake, &sealed),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "sealing an expired epoch failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for s in [
            EpochState::Open,
            EpochState::Sealed,
            EpochState::Settling,
            EpochState::Anchored,
            EpochState::Failed,
        ] {
            assert_eq!(EpochState::from_str(s.as_str()), Ok(s));
        }
        assert_eq!(EpochState::from_str("closed"), Err(()));
        assert_eq!(EpochState::Open.proof_status(), "verified");
    }

    #[test]
    fn expiry_is_by_age() {
        let p = EpochPolicy {
            max_age: Duration::from_secs(2),
            max_proofs: 4,
        };
        assert!(!p.expired(1_000, 2_999));
        assert!(p.expired(1_000, 3_000));
    }
}
