//! Token buckets in memory, one per public key and one per client address: each replica limits
//! what reaches it.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Keys tracked at most; the idlest are forgotten first.
const MAX_KEYS: usize = 100_000;

/// Limits requests per key.
pub struct RateLimiter {
    /// Requests a key may make at once.
    burst: f64,
    /// Requests a key earns back per second.
    per_second: f64,
    /// Buckets by a keyed hash of their key: an entry is 32 bytes, with no string of its own, so
    /// a full table is 4 MiB. The hash's key is drawn at start, so no sender can choose
    /// addresses that share a bucket with another's.
    buckets: Mutex<HashMap<u64, (f64, Instant)>>,
    hasher: RandomState,
}

impl RateLimiter {
    /// A store's pixel sends a batch every few seconds per visitor, so a key's bucket holds
    /// thousands of visitors at once; it guards the backend from one store's flood.
    pub fn per_key() -> Self {
        Self::new(2_000.0, 1_000.0)
    }

    /// One address (a visitor, or an office or mobile network behind one) gets a small share
    /// of its store's bucket, so that one sender cannot empty it for every shopper.
    pub fn per_client() -> Self {
        Self::new(60.0, 20.0)
    }

    /// `burst` requests at once, then `per_second`.
    pub fn new(burst: f64, per_second: f64) -> Self {
        Self { burst, per_second, buckets: Mutex::default(), hasher: RandomState::new() }
    }

    /// Takes one request from `key`'s bucket at `now`; how long to wait when it is empty.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let (burst, per_second) = (self.burst, self.per_second);
        let key = self.hasher.hash_one(key);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(&key) {
            // Full buckets tell nothing; drop them.
            buckets.retain(|_, (tokens, seen)| {
                *tokens < burst - 1.0 && now.duration_since(*seen) < Duration::from_secs(2)
            });
            // Removal leaves markers in the table's slots; new keys took the room past them until
            // the table doubled (to 12 MiB when keys were strings), and a soak's memory stepped up
            // by 8 MiB (docs/benchmarks.md, "Soak"). Rebuilt for what is left, it grows back to
            // the bound and no further.
            buckets.shrink_to_fit();
        }
        let (tokens, seen) = buckets.entry(key).or_insert((burst, now));
        let refilled = (*tokens + now.saturating_duration_since(*seen).as_secs_f64() * per_second).min(burst);
        *seen = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate() {
        let limiter = RateLimiter::new(200.0, 100.0);
        let start = Instant::now();
        for _ in 0..200 {
            assert!(limiter.take("pk_a", start).is_ok());
        }
        let wait = limiter.take("pk_a", start).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(10), "{wait:?}");
        assert!(limiter.take("pk_b", start).is_ok(), "keys are limited apart");
        assert!(limiter.take("pk_a", start + Duration::from_millis(100)).is_ok(), "earned back");
    }

    #[test]
    fn a_stream_of_new_addresses_never_grows_the_table_past_its_bound() {
        let limiter = RateLimiter::per_client();
        let start = Instant::now();
        // 850 new visitors a second for eight minutes, as in the soak: the table fills and is
        // emptied four times. Emptied without a rebuild, it doubled before the 300,000th.
        for visitor in 0..400_000_u64 {
            let now = start + Duration::from_micros(visitor * 1_000_000 / 850);
            assert!(limiter.take(&format!("203.0.113.7:{visitor}"), now).is_ok());
        }
        let buckets = limiter.buckets.lock().unwrap();
        assert!(buckets.len() <= MAX_KEYS);
        assert!(buckets.capacity() < 2 * MAX_KEYS, "room for {} keys", buckets.capacity());
    }
}
