//! A bounded, thread-safe cache of prepared verifying keys keyed by `vk_hash`, evicting the
//! least recently used key when full.
//!
//! Preparing a key costs a pairing and two G2 line tables (about a millisecond); the service
//! sees the same few keys again and again, so it prepares each once and shares it as an `Arc`.
//! One `Mutex` guards a `HashMap`; preparation runs outside the lock, so a slow miss never
//! blocks hits on other keys (two threads missing the same key at once may both prepare it;
//! the first to finish is kept). Eviction scans the map for the oldest entry: `O(capacity)`,
//! paid only on a miss, which costs far more anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::{Hash32, PreparedVerifyingKey, VerifyingKey};

/// Counters of a [`KeyCache`], for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found the key prepared.
    pub hits: u64,
    /// Lookups that had to prepare it.
    pub misses: u64,
    /// Keys dropped to make room.
    pub evictions: u64,
    /// Keys held now.
    pub entries: usize,
    /// Most keys held.
    pub capacity: usize,
}

/// Prepared verifying keys by `vk_hash`, at most `capacity` of them.
#[derive(Debug)]
pub struct KeyCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Hash32, Entry>,
    /// Logical clock: bumped on every lookup, stamped on the entry it touches.
    clock: u64,
    hits: u64,
    misses: u64,
    evictions: u64,
}

#[derive(Debug)]
struct Entry {
    key: Arc<PreparedVerifyingKey>,
    last_used: u64,
}

impl KeyCache {
    /// An empty cache holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::default(),
        }
    }

    /// The prepared form of `vk`, from the cache or prepared now (and cached).
    pub fn get_or_prepare(&self, vk: &VerifyingKey) -> Arc<PreparedVerifyingKey> {
        let vk_hash = vk.vk_hash();
        {
            let mut inner = self.lock();
            inner.clock += 1;
            let now = inner.clock;
            if let Some(entry) = inner.entries.get_mut(&vk_hash) {
                // Equal hashes mean equal keys unless SHA-256 collides; comparing is cheap.
                if entry.key.key() == vk {
                    entry.last_used = now;
                    let key = Arc::clone(&entry.key);
                    inner.hits += 1;
                    return key;
                }
            }
            inner.misses += 1;
        }
        let prepared = Arc::new(PreparedVerifyingKey::with_hash(vk.clone(), vk_hash));
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        if let Some(entry) = inner.entries.get_mut(&vk_hash) {
            // Another thread prepared it meanwhile: share that one.
            if entry.key.key() == vk {
                entry.last_used = now;
                return Arc::clone(&entry.key);
            }
            return prepared;
        }
        if inner.entries.len() >= self.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(h, _)| *h);
            if let Some(h) = oldest {
                inner.entries.remove(&h);
                inner.evictions += 1;
            }
        }
        let entry = Entry {
            key: Arc::clone(&prepared),
            last_used: now,
        };
        inner.entries.insert(vk_hash, entry);
        prepared
    }

    /// The prepared key with this `vk_hash`, if cached (counted as a hit or a miss).
    pub fn get(&self, vk_hash: &Hash32) -> Option<Arc<PreparedVerifyingKey>> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let found = inner.entries.get_mut(vk_hash).map(|entry| {
            entry.last_used = now;
            Arc::clone(&entry.key)
        });
        match found {
            Some(_) => inner.hits += 1,
            None => inner.misses += 1,
        }
        found
    }

    /// The counters and the current size.
    pub fn stats(&self) -> CacheStats {
        let inner = self.lock();
        CacheStats {
            hits: inner.hits,
            misses: inner.misses,
            evictions: inner.evictions,
            entries: inner.entries.len(),
            capacity: self.capacity,
        }
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Most keys held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The state; a panic while it was held cannot leave it inconsistent (every update is a
    /// single map operation or counter bump), so a poisoned lock is taken over.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ark_bn254::{G1Affine, G2Affine};
    use ark_std::UniformRand;
    use rand::SeedableRng;

    fn key(rng: &mut rand_chacha::ChaCha20Rng, n_public: usize) -> VerifyingKey {
        VerifyingKey {
            alpha_g1: G1Affine::rand(rng),
            beta_g2: G2Affine::rand(rng),
            gamma_g2: G2Affine::rand(rng),
            delta_g2: G2Affine::rand(rng),
            ic: (0..=n_public).map(|_| G1Affine::rand(rng)).collect(),
        }
    }

    #[test]
    fn hits_misses_and_lru_eviction() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let keys: Vec<VerifyingKey> = (0..3).map(|i| key(&mut rng, i)).collect();
        let cache = KeyCache::new(2);
        let a = cache.get_or_prepare(&keys[0]);
        let a2 = cache.get_or_prepare(&keys[0].clone());
        assert!(
            Arc::ptr_eq(&a, &a2),
            "an equal key is the same prepared key"
        );
        assert_eq!(a.vk_hash(), &keys[0].vk_hash());
        cache.get_or_prepare(&keys[1]);
        cache.get_or_prepare(&keys[0]); // keys[1] is now the least recently used
        cache.get_or_prepare(&keys[2]); // evicts keys[1]
        assert!(cache.get(&keys[1].vk_hash()).is_none());
        assert!(cache.get(&keys[0].vk_hash()).is_some());
        assert_eq!(
            cache.stats(),
            CacheStats {
                hits: 3,
                misses: 4,
                evictions: 1,
                entries: 2,
                capacity: 2
            }
        );
    }

    #[test]
    fn shared_across_threads() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let keys: Vec<VerifyingKey> = (0..4).map(|i| key(&mut rng, i)).collect();
        let cache = KeyCache::new(8);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for k in keys.iter().cycle().take(20) {
                        assert_eq!(cache.get_or_prepare(k).key(), k);
                    }
                });
            }
        });
        let stats = cache.stats();
        assert_eq!(stats.hits + stats.misses, 80);
        assert_eq!(stats.entries, 4);
        assert!(stats.misses >= 4);
    }
}
