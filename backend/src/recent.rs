//! Answers read from the database lately, trusted for a short while: the storefront's paths
//! (the pixel's key, its plan allowance, whether Meta forwarding is on) would otherwise read the
//! same rows for every request. Each answer expires after its time to live, and the map holds at
//! most a fixed number of them, so a flood of new keys costs reads, never memory.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// More stores than one deployment serves: a cache by shop that reaches it reads again instead
/// of keeping more.
pub const MAX_SHOPS: usize = 100_000;

/// Values by key, each remembered for `ttl` after it was read.
pub struct Recent<K, V> {
    ttl: Duration,
    capacity: usize,
    answers: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K: Eq + Hash, V: Copy> Recent<K, V> {
    /// Remembers each answer for `ttl`, and at most `capacity` answers at once.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { ttl, capacity, answers: Mutex::default() }
    }

    /// The answer for `key`, if it was read less than `ttl` ago.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        answers.get(key).filter(|(_, read)| read.elapsed() < self.ttl).map(|(value, _)| *value)
    }

    /// Remembers `value` for `key` from now. When the map is full, expired answers make room;
    /// when none has expired, the new answer is not kept (it is read again next time).
    pub fn remember(&self, key: K, value: V) {
        let now = Instant::now();
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        if answers.len() >= self.capacity && !answers.contains_key(&key) {
            answers.retain(|_, (_, read)| now.duration_since(*read) < self.ttl);
            // Rebuilt for what is left: removal alone leaves markers that let the table double.
            answers.shrink_to_fit();
        }
        if answers.len() < self.capacity || answers.contains_key(&key) {
            answers.insert(key, (value, now));
        }
    }

    /// Forgets the answer for `key`: it changed here, so the next read goes to the database.
    pub fn forget<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.answers.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_trusted_until_its_time_to_live_ends() {
        let recent = Recent::new(Duration::from_secs(60), 10);
        recent.remember("shop", true);
        assert_eq!(recent.get("shop"), Some(true));
        assert_eq!(recent.get("other"), None);

        let expired = Recent::new(Duration::ZERO, 10);
        expired.remember("shop", true);
        assert_eq!(expired.get("shop"), None);
    }

    #[test]
    fn a_forgotten_answer_is_read_again() {
        let recent = Recent::new(Duration::from_secs(60), 10);
        recent.remember("shop", 1);
        recent.forget("shop");
        assert_eq!(recent.get("shop"), None);
    }

    #[test]
    fn a_full_map_keeps_what_it_holds_and_updates_known_keys() {
        let recent = Recent::new(Duration::from_secs(60), 2);
        recent.remember("a", 1);
        recent.remember("b", 2);
        recent.remember("c", 3);
        assert_eq!((recent.get("a"), recent.get("b"), recent.get("c")), (Some(1), Some(2), None));
        recent.remember("a", 10);
        assert_eq!(recent.get("a"), Some(10));
    }

    #[test]
    fn a_full_map_makes_room_from_expired_answers() {
        let recent = Recent::new(Duration::ZERO, 2);
        recent.remember("a", 1);
        recent.remember("b", 2);
        recent.remember("c", 3);
        assert_eq!(recent.answers.lock().unwrap().len(), 1);
        assert!(recent.answers.lock().unwrap().contains_key("c"));
    }
}
