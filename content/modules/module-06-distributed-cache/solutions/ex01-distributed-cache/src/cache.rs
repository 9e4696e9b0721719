//! One node's local store: bounded in bytes, least-recently-used eviction, optional per-entry TTL.
//!
//! Entries live in a slab (`Vec<Slot>`) threaded by a doubly linked list of indices, most recently used at
//! the head; a `HashMap` maps keys to slab indices. Every operation is O(1) on average and no entry is ever
//! moved in memory after insertion.

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

const NIL: usize = usize::MAX;

#[derive(Debug)]
struct Slot {
    key: Vec<u8>,
    value: Vec<u8>,
    /// Absolute deadline in the clock's milliseconds; gone once `now >= expires_at`.
    expires_at: Option<u64>,
    prev: usize,
    next: usize,
}

impl Slot {
    fn size(&self) -> usize {
        self.key.len() + self.value.len()
    }
}

/// An LRU cache bounded by the total size of its keys and values.
#[derive(Debug)]
pub struct LruCache<C: Clock = MonotonicClock> {
    clock: C,
    max_bytes: usize,
    used_bytes: usize,
    map: HashMap<Vec<u8>, usize>,
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// Most recently used.
    head: usize,
    /// Least recently used: the next to be evicted.
    tail: usize,
    stats: CacheStats,
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
        LruCache {
            clock,
            max_bytes,
            used_bytes: 0,
            map: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            stats: CacheStats::default(),
        }
    }

    /// The value of `key`, marking it most recently used. An expired entry is removed and counts as a miss.
    pub fn get(&mut self, key: &[u8]) -> Option<&[u8]> {
        let Some(&index) = self.map.get(key) else {
            self.stats.misses += 1;
            return None;
        };
        if self.is_expired(index) {
            self.remove_slot(index);
            self.stats.expirations += 1;
            self.stats.misses += 1;
            return None;
        }
        self.stats.hits += 1;
        self.unlink(index);
        self.push_front(index);
        Some(&self.slots[index].value)
    }

    /// Stores `value` under `key`, replacing any previous value, with an optional time to live, and evicts
    /// least-recently-used entries until the cache fits its budget again.
    ///
    /// An entry larger than the whole budget is rejected: `put` returns `false` and removes any previous
    /// value of `key`, so the cache never serves a value older than the newest write it was given.
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>, ttl: Option<Duration>) -> bool {
        if let Some(&index) = self.map.get(&key) {
            self.remove_slot(index);
        }
        let size = key.len() + value.len();
        if size > self.max_bytes {
            return false;
        }
        let expires_at = ttl.map(|ttl| {
            let ttl = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
            self.clock.now_millis().saturating_add(ttl)
        });
        while self.used_bytes + size > self.max_bytes && self.tail != NIL {
            self.remove_slot(self.tail);
            self.stats.evictions += 1;
        }
        let slot = Slot {
            key: key.clone(),
            value,
            expires_at,
            prev: NIL,
            next: NIL,
        };
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index] = slot;
                index
            }
            None => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        self.map.insert(key, index);
        self.used_bytes += size;
        self.push_front(index);
        true
    }

    /// Removes `key`. Returns whether a live entry was removed.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        match self.map.get(key) {
            Some(&index) => {
                let live = !self.is_expired(index);
                self.remove_slot(index);
                if !live {
                    self.stats.expirations += 1;
                }
                live
            }
            None => false,
        }
    }

    /// Removes every expired entry and returns how many there were. O(entries).
    pub fn purge_expired(&mut self) -> usize {
        let expired: Vec<usize> = self
            .map
            .values()
            .copied()
            .filter(|&i| self.is_expired(i))
            .collect();
        for &index in &expired {
            self.remove_slot(index);
        }
        self.stats.expirations += expired.len() as u64;
        expired.len()
    }

    /// Number of entries stored (expired entries count until they are noticed or purged).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Total size of the stored keys and values.
    pub fn size_bytes(&self) -> usize {
        self.used_bytes
    }

    /// The budget given at construction.
    pub fn capacity_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The counters so far.
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    fn is_expired(&self, index: usize) -> bool {
        self.slots[index]
            .expires_at
            .is_some_and(|at| self.clock.now_millis() >= at)
    }

    /// Unlinks a slot, forgets its key and recycles it.
    fn remove_slot(&mut self, index: usize) {
        self.unlink(index);
        let slot = &mut self.slots[index];
        self.used_bytes -= slot.size();
        let key = std::mem::take(&mut slot.key);
        slot.value = Vec::new(); // release the memory now, not when the slot is reused
        self.map.remove(&key);
        self.free.push(index);
    }

    fn unlink(&mut self, index: usize) {
        let (prev, next) = (self.slots[index].prev, self.slots[index].next);
        if prev == NIL {
            self.head = next;
        } else {
            self.slots[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slots[next].prev = prev;
        }
        self.slots[index].prev = NIL;
        self.slots[index].next = NIL;
    }

    fn push_front(&mut self, index: usize) {
        self.slots[index].prev = NIL;
        self.slots[index].next = self.head;
        if self.head != NIL {
            self.slots[self.head].prev = index;
        }
        self.head = index;
        if self.tail == NIL {
            self.tail = index;
        }
    }
}
