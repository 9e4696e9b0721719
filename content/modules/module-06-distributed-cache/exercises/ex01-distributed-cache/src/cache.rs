//! One node's local store: bounded in bytes, least-recently-used eviction, optional per-entry TTL.
//!
//! Aim for O(1) `get`, `put` and `remove`. One classic layout: a slab (`Vec`) of entries threaded by a doubly
//! linked list of indices, most recently used at the head, plus a `HashMap` from key to slab index.

use std::collections::HashMap;
use std::time::Duration;

use crate::clock::{Clock, MonotonicClock};

/// Counters for observability. They only ever increase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// `get`s that returned a value.
    pub hits: u64,
    /// `get`s that found nothing (including expired entries).
    pub misses: u64,
    /// Entries removed to make room.
    pub evictions: u64,
    /// Entries removed because their TTL had passed.
    pub expirations: u64,
}

/// An LRU cache bounded by the total size of its keys and values.
#[derive(Debug)]
pub struct LruCache<C: Clock = MonotonicClock> {
    // Replace with your own fields; keep the clock.
    clock: C,
}

impl LruCache<MonotonicClock> {
    /// A cache holding at most `max_bytes` of keys plus values, on the real clock.
    pub fn new(max_bytes: usize) -> Self {
        LruCache::with_clock(max_bytes, MonotonicClock::new())
    }
}

impl<C: Clock> LruCache<C> {
    /// A cache holding at most `max_bytes` of keys plus values, reading time from `clock`.
    pub fn with_clock(max_bytes: usize, clock: C) -> Self {
        todo!("milestone 1")
    }

    /// The value of `key`, marking it most recently used. An expired entry is removed and counts as a miss.
    pub fn get(&mut self, key: &[u8]) -> Option<&[u8]> {
        todo!("milestone 1")
    }

    /// Stores `value` under `key`, replacing any previous value, with an optional time to live, and evicts
    /// least-recently-used entries until the cache fits its budget again.
    ///
    /// An entry larger than the whole budget is rejected: `put` returns `false` and removes any previous
    /// value of `key`, so the cache never serves a value older than the newest write it was given.
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>, ttl: Option<Duration>) -> bool {
        todo!("milestone 1")
    }

    /// Removes `key`. Returns whether a live entry was removed.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        todo!("milestone 1")
    }

    /// Removes every expired entry and returns how many there were. O(entries).
    pub fn purge_expired(&mut self) -> usize {
        todo!("milestone 1")
    }

    /// Number of entries stored (expired entries count until they are noticed or purged).
    pub fn len(&self) -> usize {
        todo!("milestone 1")
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total size of the stored keys and values.
    pub fn size_bytes(&self) -> usize {
        todo!("milestone 1")
    }

    /// The budget given at construction.
    pub fn capacity_bytes(&self) -> usize {
        todo!("milestone 1")
    }

    /// The counters so far.
    pub fn stats(&self) -> CacheStats {
        todo!("milestone 1")
    }
}
