//! Consistent hashing with virtual nodes.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::sync::Arc;

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
    /// Point on the ring -> physical node.
    points: BTreeMap<u64, Arc<str>>,
    /// Physical node -> its number of virtual nodes.
    nodes: BTreeMap<Arc<str>, u32>,
}

impl HashRing {
    /// An empty ring.
    pub fn new() -> Self {
        HashRing::default()
    }

    /// Adds `node` with `vnodes` virtual nodes. Returns `false`, changing nothing, if the node is already
    /// present or `vnodes` is 0.
    ///
    /// The resulting ring depends only on the set of nodes and their weights, never on the order in which
    /// they were added: if two virtual nodes hash to the same point, the node with the smaller id owns it.
    pub fn add_node(&mut self, node: &str, vnodes: u32) -> bool {
        if vnodes == 0 || self.nodes.contains_key(node) {
            return false;
        }
        let node: Arc<str> = Arc::from(node);
        self.nodes.insert(node.clone(), vnodes);
        self.place(&node, vnodes);
        true
    }

    /// Removes `node` and its virtual nodes. Returns `false` if it was not present.
    pub fn remove_node(&mut self, node: &str) -> bool {
        if self.nodes.remove(node).is_none() {
            return false;
        }
        self.points.retain(|_, owner| &**owner != node);
        let expected: u64 = self.nodes.values().map(|v| u64::from(*v)).sum();
        if (self.points.len() as u64) < expected {
            // Some point was contested (astronomically rare with 64-bit hashes). The removed node may have
            // won it, so replay placement to give the point back to the remaining contender.
            self.rebuild();
        }
        true
    }

    /// Whether `node` is on the ring.
    pub fn contains(&self, node: &str) -> bool {
        self.nodes.contains_key(node)
    }

    /// The physical nodes, sorted.
    pub fn nodes(&self) -> Vec<&str> {
        self.nodes.keys().map(|n| &**n).collect()
    }

    /// Number of physical nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the ring has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node that owns `key`, or `None` on an empty ring. O(log points).
    pub fn owner(&self, key: &[u8]) -> Option<&str> {
        self.clockwise_from(hash64(key)).next()
    }

    /// The preference list of `key`: the first `n` *distinct physical* nodes met walking clockwise from the
    /// key's point. Its first element is [`owner`](Self::owner). Shorter than `n` when the ring has fewer
    /// than `n` nodes.
    pub fn replicas(&self, key: &[u8], n: usize) -> Vec<&str> {
        let wanted = n.min(self.nodes.len());
        let mut chosen: Vec<&str> = Vec::with_capacity(wanted);
        for node in self.clockwise_from(hash64(key)) {
            if chosen.len() == wanted {
                break;
            }
            if !chosen.contains(&node) {
                chosen.push(node);
            }
        }
        chosen
    }

    /// The owners of every point, starting at the first point at or after `start` and wrapping around once.
    fn clockwise_from(&self, start: u64) -> impl Iterator<Item = &str> {
        self.points
            .range(start..)
            .chain(self.points.range(..start))
            .map(|(_, node)| &**node)
    }

    fn place(&mut self, node: &Arc<str>, vnodes: u32) {
        for i in 0..vnodes {
            let point = hash64(format!("{node}#{i}").as_bytes());
            match self.points.entry(point) {
                Entry::Vacant(slot) => {
                    slot.insert(node.clone());
                }
                Entry::Occupied(mut slot) => {
                    if node < slot.get() {
                        slot.insert(node.clone());
                    }
                }
            }
        }
    }

    fn rebuild(&mut self) {
        self.points.clear();
        let nodes: Vec<(Arc<str>, u32)> = self.nodes.iter().map(|(n, v)| (n.clone(), *v)).collect();
        for (node, vnodes) in nodes {
            self.place(&node, vnodes);
        }
    }
}
