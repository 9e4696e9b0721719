//! A least-recently-used (LRU) cache with O(1) `get`, `put`, `remove` and eviction.
//!
//! Your job: replace every `todo!()` and the placeholder fields. The public API below is the contract the
//! tests in `tests/` check; keep the signatures, choose the representation yourself. Read the exercise
//! README first: it compares the three realistic designs (an `Rc<RefCell<_>>` list, an index-based arena and
//! raw pointers) and explains why `K` is only required to be `Hash + Eq`.
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

// The placeholder fields and the parameters of the `todo!()` bodies are unused until you write the code.
// Delete this line once you have an implementation.
#![allow(unused_variables, dead_code)]

use std::borrow::Borrow;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

/// A fixed-capacity map that evicts the least recently used entry when it is full.
///
/// "Use" means `put`, `get` or `get_mut`; `peek`, `contains_key` and `iter` never change the order.
///
/// A cache with capacity 0 is allowed and stores nothing: every `put` hands its entry straight back.
///
/// `S` is the hash builder, as for [`std::collections::HashMap`]; the default is `RandomState`.
pub struct LruCache<K, V, S = RandomState> {
    // TODO: replace these placeholder fields with your own representation.
    capacity: usize,
    hasher: S,
    _entries: PhantomData<(K, V)>,
}

impl<K: Hash + Eq, V> LruCache<K, V> {
    /// Creates an empty cache that holds at most `capacity` entries.
    ///
    /// Do not allocate `capacity` slots up front: callers may pass a huge capacity to mean "unbounded".
    pub fn new(capacity: usize) -> Self {
        todo!("create an empty cache with the default hasher")
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> LruCache<K, V, S> {
    /// Creates an empty cache that holds at most `capacity` entries and hashes keys with `hasher`.
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        todo!("create an empty cache")
    }

    /// Returns a reference to the value for `key` and marks the entry as most recently used.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        todo!("look up and promote")
    }

    /// Returns a mutable reference to the value for `key` and marks the entry as most recently used.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        todo!("look up mutably and promote")
    }

    /// Returns a reference to the value for `key` without changing the recency order.
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        todo!("look up without promoting")
    }

    /// Returns true if `key` is in the cache, without changing the recency order.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        todo!("membership test")
    }

    /// Inserts `value` under `key` and marks the entry as most recently used.
    ///
    /// Returns the entry that left the cache because of this call:
    /// * if `key` was already present, its previous key and value (the new pair replaces them);
    /// * otherwise, if the cache was full, the least recently used entry, which is evicted;
    /// * if the capacity is 0, the pair that was passed in, since it cannot be stored;
    /// * otherwise `None`.
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        todo!("insert, update or evict")
    }

    /// Removes `key` from the cache and returns its value, if it was present.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        todo!("remove an entry")
    }

    /// Removes and returns the least recently used entry, if any.
    pub fn pop_lru(&mut self) -> Option<(K, V)> {
        todo!("remove the least recently used entry")
    }
}

impl<K, V, S> LruCache<K, V, S> {
    /// The maximum number of entries the cache holds.
    pub fn capacity(&self) -> usize {
        todo!()
    }

    /// The number of entries currently in the cache.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// Returns true if the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        todo!()
    }

    /// Removes every entry. The capacity is unchanged.
    pub fn clear(&mut self) {
        todo!()
    }

    /// Iterates over the entries from most to least recently used, without changing the order.
    ///
    /// The iterator is double-ended: `cache.iter().rev()` starts at the next entry to be evicted.
    pub fn iter(&self) -> Iter<'_, K, V> {
        todo!("build an iterator that walks the recency list")
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
    // TODO: replace this placeholder with your own fields (typically a shared borrow of the entries plus
    // cursors for both ends and a count of what is left).
    _cache: PhantomData<&'a (K, V)>,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        todo!("yield the next entry, most recent first")
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        todo!("the exact number of entries left")
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        todo!("yield the next entry from the least recent end")
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
