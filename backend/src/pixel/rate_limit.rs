//! A token bucket per public key, in memory: each replica limits what reaches it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Requests a key may make in a burst: a store's pixel sends a batch every few seconds per
/// visitor, so this is hundreds of visitors at once.
const BURST: f64 = 200.0;
/// Requests a key earns back per second.
const PER_SECOND: f64 = 100.0;
/// Keys tracked at most; the idlest are forgotten first.
const MAX_KEYS: usize = 100_000;

/// Limits requests per key.
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// Takes one request from `key`'s bucket at `now`; how long to wait when it is empty.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            // Full buckets tell nothing; drop them.
            buckets.retain(|_, (tokens, seen)| {
                *tokens < BURST - 1.0 && now.duration_since(*seen) < Duration::from_secs(2)
            });
        }
        let (tokens, seen) = buckets.entry(key.to_owned()).or_insert((BURST, now));
        let refilled = (*tokens + now.saturating_duration_since(*seen).as_secs_f64() * PER_SECOND).min(BURST);
        *seen = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / PER_SECOND))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..200 {
            assert!(limiter.take("pk_a", start).is_ok());
        }
        let wait = limiter.take("pk_a", start).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(10), "{wait:?}");
        assert!(limiter.take("pk_b", start).is_ok(), "keys are limited apart");
        assert!(limiter.take("pk_a", start + Duration::from_millis(100)).is_ok(), "earned back");
    }
}
