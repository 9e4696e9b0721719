//! A least-recently-used (LRU) cache with O(1) `get`, `put`, `remove` and eviction.
//!
//! # Design
//!
//! * Entries live in a dense `Vec` (an arena). Each entry stores its key, its value, its key's hash and the
//!   indices of its neighbours in the recency list, so the doubly linked list is made of `usize`s rather than
//!   pointers. No `unsafe`, no `Rc`, no `RefCell`.
//! * A hash index maps a key's hash to the slot(s) holding it (see the private `index` module). Keys are stored
//!   exactly once, in the arena, which is why `K` needs `Hash + Eq` but not `Clone`.
//! * Removing an entry `swap_remove`s it from the arena and patches the one entry that moved into its slot, so
//!   the arena never has holes and needs no free list.
//!
//! ```
//! use ex01_lru_cache::LruCache;
//!
//! let mut cache = LruCache::new(2);
//! cache.put("a", 1);
//! cache.put("b", 2);
//! assert_eq!(cache.get("a"), Some(&1)); // "a" is now the most recently used
//! assert_eq!(cache.put("c", 3), Some(("b", 2))); // so "b" is evicted
//! assert_eq!(cache.iter().collect::<Vec<_>>(), [(&"c", &3), (&"a", &1)]);
//! ```

mod index;

use std::borrow::Borrow;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::iter::FusedIterator;
use std::mem;

use index::HashIndex;

/// One cache entry, linked into the recency list by slot index.
#[derive(Clone)]
struct Entry<K, V> {
    key: K,
    value: V,
    /// The key's hash, kept so eviction can update the index without rehashing the key.
    hash: u64,
    /// The neighbour towards the most recently used end, if any.
    prev: Option<usize>,
    /// The neighbour towards the least recently used end, if any.
    next: Option<usize>,
}

/// A fixed-capacity map that evicts the least recently used entry when it is full.
///
/// "Use" means `put`, `get` or `get_mut`; `peek`, `contains_key` and `iter` never change the order.
///
/// A cache with capacity 0 is allowed and stores nothing: every `put` hands its entry straight back.
///
/// `S` is the hash builder, as for [`std::collections::HashMap`]; the default is `RandomState`.
#[derive(Clone)]
pub struct LruCache<K, V, S = RandomState> {
    entries: Vec<Entry<K, V>>,
    index: HashIndex,
    /// Most recently used slot.
    head: Option<usize>,
    /// Least recently used slot.
    tail: Option<usize>,
    capacity: usize,
    hasher: S,
}

impl<K: Hash + Eq, V> LruCache<K, V> {
    /// Creates an empty cache that holds at most `capacity` entries.
    ///
    /// Nothing is allocated up front, so a large capacity used as "effectively unbounded" costs nothing.
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, RandomState::new())
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> LruCache<K, V, S> {
    /// Creates an empty cache that holds at most `capacity` entries and hashes keys with `hasher`.
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            entries: Vec::new(),
            index: HashIndex::default(),
            head: None,
            tail: None,
            capacity,
            hasher,
        }
    }

    /// Returns a reference to the value for `key` and marks the entry as most recently used.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        self.promote(slot);
        Some(&self.entries[slot].value)
    }

    /// Returns a mutable reference to the value for `key` and marks the entry as most recently used.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        self.promote(slot);
        Some(&mut self.entries[slot].value)
    }

    /// Returns a reference to the value for `key` without changing the recency order.
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key).map(|slot| &self.entries[slot].value)
    }

    /// Returns true if `key` is in the cache, without changing the recency order.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key).is_some()
    }

    /// Inserts `value` under `key` and marks the entry as most recently used.
    ///
    /// Returns the entry that left the cache because of this call:
    /// * if `key` was already present, its previous key and value (the new pair replaces them);
    /// * otherwise, if the cache was full, the least recently used entry, which is evicted;
    /// * if the capacity is 0, the pair that was passed in, since it cannot be stored;
    /// * otherwise `None`.
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        let hash = self.hasher.hash_one(&key);
        let entries = &self.entries;
        if let Some(slot) = self.index.find(hash, |slot| entries[slot].key == key) {
            self.promote(slot);
            let entry = &mut self.entries[slot];
            let old_key = mem::replace(&mut entry.key, key);
            let old_value = mem::replace(&mut entry.value, value);
            return Some((old_key, old_value));
        }

        if self.capacity == 0 {
            return Some((key, value));
        }

        if self.entries.len() >= self.capacity {
            if let Some(slot) = self.tail {
                // Reuse the least recently used slot in place: no allocation, no other entry moves.
                self.unlink(slot);
                let entry = &mut self.entries[slot];
                let old_hash = mem::replace(&mut entry.hash, hash);
                let old_key = mem::replace(&mut entry.key, key);
                let old_value = mem::replace(&mut entry.value, value);
                self.index.remove(old_hash, slot);
                self.index.insert(hash, slot);
                self.push_front(slot);
                return Some((old_key, old_value));
            }
        }

        let slot = self.entries.len();
        self.entries.push(Entry {
            key,
            value,
            hash,
            prev: None,
            next: None,
        });
        self.index.insert(hash, slot);
        self.push_front(slot);
        None
    }

    /// Removes `key` from the cache and returns its value, if it was present.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.find(key)?;
        let (_key, value) = self.remove_slot(slot);
        Some(value)
    }

    /// Removes and returns the least recently used entry, if any.
    pub fn pop_lru(&mut self) -> Option<(K, V)> {
        let slot = self.tail?;
        Some(self.remove_slot(slot))
    }

    /// Finds the slot holding `key`.
    fn find<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // `Borrow` promises that `key` hashes and compares exactly like the owned `K` it stands for.
        let hash = self.hasher.hash_one(key);
        self.index
            .find(hash, |slot| self.entries[slot].key.borrow() == key)
    }

    /// Unlinks and removes the entry in `slot`, keeping the arena dense.
    fn remove_slot(&mut self, slot: usize) -> (K, V) {
        self.unlink(slot);
        self.index.remove(self.entries[slot].hash, slot);

        let last = self.entries.len() - 1;
        let removed = self.entries.swap_remove(slot);
        if slot != last {
            // The entry that used to live in `last` now lives in `slot`: repoint its neighbours and the index.
            let moved = &self.entries[slot];
            let (prev, next, hash) = (moved.prev, moved.next, moved.hash);
            match prev {
                Some(p) => self.entries[p].next = Some(slot),
                None => self.head = Some(slot),
            }
            match next {
                Some(n) => self.entries[n].prev = Some(slot),
                None => self.tail = Some(slot),
            }
            self.index.relocate(hash, last, slot);
        }
        (removed.key, removed.value)
    }
}

impl<K, V, S> LruCache<K, V, S> {
    /// The maximum number of entries the cache holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of entries currently in the cache.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Returns true if the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry. The capacity is unchanged.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.head = None;
        self.tail = None;
    }

    /// Iterates over the entries from most to least recently used, without changing the order.
    ///
    /// The iterator is double-ended: `cache.iter().rev()` starts at the next entry to be evicted.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            entries: &self.entries,
            front: self.head,
            back: self.tail,
            remaining: self.entries.len(),
        }
    }

    /// Moves `slot` to the front of the recency list.
    fn promote(&mut self, slot: usize) {
        if self.head != Some(slot) {
            self.unlink(slot);
            self.push_front(slot);
        }
    }

    /// Detaches `slot` from its neighbours. The entry's own links are left stale until `push_front`.
    fn unlink(&mut self, slot: usize) {
        let (prev, next) = (self.entries[slot].prev, self.entries[slot].next);
        match prev {
            Some(p) => self.entries[p].next = next,
            None => self.head = next,
        }
        match next {
            Some(n) => self.entries[n].prev = prev,
            None => self.tail = prev,
        }
    }

    /// Links a detached `slot` in as the most recently used entry.
    fn push_front(&mut self, slot: usize) {
        let old_head = self.head;
        let entry = &mut self.entries[slot];
        entry.prev = None;
        entry.next = old_head;
        match old_head {
            Some(h) => self.entries[h].prev = Some(slot),
            None => self.tail = Some(slot),
        }
        self.head = Some(slot);
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for LruCache<K, V, S> {
    /// Formats the entries as a map, most recently used first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a, K, V, S> IntoIterator for &'a LruCache<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// An iterator over a cache's entries in recency order, created by [`LruCache::iter`].
pub struct Iter<'a, K, V> {
    entries: &'a [Entry<K, V>],
    front: Option<usize>,
    back: Option<usize>,
    /// Entries not yet yielded from either end; stops `front` and `back` from crossing.
    remaining: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let entry = &self.entries[self.front?];
        self.front = entry.next;
        self.remaining -= 1;
        Some((&entry.key, &entry.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let entry = &self.entries[self.back?];
        self.back = entry.prev;
        self.remaining -= 1;
        Some((&entry.key, &entry.value))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

impl<K, V> FusedIterator for Iter<'_, K, V> {}
