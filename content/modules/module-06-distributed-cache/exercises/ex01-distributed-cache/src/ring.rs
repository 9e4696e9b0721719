//! Consistent hashing with virtual nodes.

use std::collections::BTreeMap;

use crate::hash::hash64;

/// A sensible number of virtual nodes per physical node: enough for a few percent of load imbalance.
pub const DEFAULT_VNODES: u32 = 160;

/// A consistent-hash ring. Each physical node is placed at `vnodes` points, the point of virtual node `i`
/// of node `id` being `hash64("{id}#{i}")`; a key belongs to the first point clockwise from `hash64(key)`.
///
/// The ring is a plain value: clone it to take a snapshot, and share snapshots behind an `Arc` so lookups
/// never wait for a membership change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashRing {
    // Replace with your own fields. A `BTreeMap<u64, _>` from points to nodes gives ordered, wrapping
    // lookups with `range`.
    _todo: (),
}

impl HashRing {
    /// An empty ring.
    pub fn new() -> Self {
        todo!("milestone 1")
    }

    /// Adds `node` with `vnodes` virtual nodes. Returns `false`, changing nothing, if the node is already
    /// present or `vnodes` is 0.
    ///
    /// The resulting ring depends only on the set of nodes and their weights, never on the order in which
    /// they were added: if two virtual nodes hash to the same point, the node with the smaller id owns it.
    pub fn add_node(&mut self, node: &str, vnodes: u32) -> bool {
        todo!("milestone 1")
    }

    /// Removes `node` and its virtual nodes. Returns `false` if it was not present.
    pub fn remove_node(&mut self, node: &str) -> bool {
        todo!("milestone 1")
    }

    /// Whether `node` is on the ring.
    pub fn contains(&self, node: &str) -> bool {
        todo!("milestone 1")
    }

    /// The physical nodes, sorted.
    pub fn nodes(&self) -> Vec<&str> {
        todo!("milestone 1")
    }

    /// Number of physical nodes.
    pub fn len(&self) -> usize {
        todo!("milestone 1")
    }

    /// Whether the ring has no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The node that owns `key`, or `None` on an empty ring. O(log points).
    pub fn owner(&self, key: &[u8]) -> Option<&str> {
        todo!("milestone 1")
    }

    /// The preference list of `key`: the first `n` *distinct physical* nodes met walking clockwise from the
    /// key's point. Its first element is [`owner`](Self::owner). Shorter than `n` when the ring has fewer
    /// than `n` nodes.
    pub fn replicas(&self, key: &[u8], n: usize) -> Vec<&str> {
        todo!("milestone 1")
    }
}
