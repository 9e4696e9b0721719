//! The hash index: finds the arena slot that holds a key, without owning a copy of the key.
//!
//! A `HashMap<K, usize>` would need a second, owned copy of every key (hence `K: Clone`), because the arena
//! also needs the key to remove the map entry on eviction. Instead this index is keyed by the key's 64-bit
//! hash and stores only slot numbers. A lookup hashes the probe key, finds the candidate slots with that
//! hash, and confirms the match by comparing against the single copy of the key stored in the arena.
//! Two distinct keys with the same 64-bit hash are rare but legal, so a bucket can hold several slots.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher that passes a `u64` through unchanged.
///
/// Only sound here because the `u64`s it sees are already the output of a real hash function
/// (the cache's `BuildHasher`). Feeding it raw user data would make the `HashMap` trivially attackable.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // The index only ever hashes `u64`s (see `write_u64`); folding bytes keeps the impl total anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The slots whose keys share one hash. `One` is the overwhelmingly common case and needs no allocation.
#[derive(Clone, Debug)]
enum Bucket {
    One(usize),
    Many(Vec<usize>),
}

/// Maps a key hash to the arena slot(s) holding keys with that hash.
#[derive(Clone, Debug, Default)]
pub(crate) struct HashIndex {
    map: HashMap<u64, Bucket, BuildHasherDefault<IdentityHasher>>,
}

impl HashIndex {
    /// Returns the first slot with this `hash` for which `is_match` (a key comparison) returns true.
    pub(crate) fn find(&self, hash: u64, mut is_match: impl FnMut(usize) -> bool) -> Option<usize> {
        match self.map.get(&hash)? {
            Bucket::One(slot) => is_match(*slot).then_some(*slot),
            Bucket::Many(slots) => slots.iter().copied().find(|&slot| is_match(slot)),
        }
    }

    /// Records that `slot` holds a key with this `hash`.
    pub(crate) fn insert(&mut self, hash: u64, slot: usize) {
        match self.map.entry(hash) {
            Entry::Vacant(vacant) => {
                vacant.insert(Bucket::One(slot));
            }
            Entry::Occupied(mut occupied) => {
                let bucket = occupied.get_mut();
                match bucket {
                    Bucket::One(other) => *bucket = Bucket::Many(vec![*other, slot]),
                    Bucket::Many(slots) => slots.push(slot),
                }
            }
        }
    }

    /// Forgets that `slot` holds a key with this `hash`.
    pub(crate) fn remove(&mut self, hash: u64, slot: usize) {
        let Entry::Occupied(mut occupied) = self.map.entry(hash) else {
            return;
        };
        let bucket = occupied.get_mut();
        match bucket {
            Bucket::One(other) => {
                if *other == slot {
                    occupied.remove();
                }
            }
            Bucket::Many(slots) => {
                slots.retain(|&other| other != slot);
                if let [only] = slots[..] {
                    *bucket = Bucket::One(only);
                }
            }
        }
    }

    /// Updates the index after the entry with this `hash` moved from slot `from` to slot `to`.
    pub(crate) fn relocate(&mut self, hash: u64, from: usize, to: usize) {
        match self.map.get_mut(&hash) {
            Some(Bucket::One(slot)) if *slot == from => *slot = to,
            Some(Bucket::Many(slots)) => {
                if let Some(slot) = slots.iter_mut().find(|slot| **slot == from) {
                    *slot = to;
                }
            }
            _ => {}
        }
    }

    /// Removes everything.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }
}
