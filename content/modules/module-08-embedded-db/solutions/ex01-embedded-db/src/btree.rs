use std::ops::{Bound, RangeBounds};
use std::path::Path;

use crate::node::{leaf_cell_len, Node, HEADER_LEN};
use crate::{CacheStats, DbError, PageCache, PageId, Pager, PAGE_SIZE};

/// The largest value the tree stores. Small enough that any two cells fit on one page, which
/// is what guarantees that splitting an overfull leaf in two always produces two valid pages.
/// (Milestone 2 lifts the limit with overflow pages.)
pub const MAX_VALUE_LEN: usize = 1024;

/// No valid tree is deeper than this (fan-out is at least 2 and page numbers are `u32`), so a
/// longer path means a pointer cycle in a corrupt file: report it instead of looping forever.
const MAX_DEPTH: usize = 33;

/// The root always lives here; see [`BTree::insert`] for how a root split keeps it in place.
const ROOT: PageId = PageId(1);

/// A persistent B+tree mapping `u64` keys to byte values, stored in one file.
///
/// Values live only in leaves; leaves are linked left to right so range scans never go back up
/// the tree. Changes are made in the page cache and reach the file when pages are evicted or at
/// [`BTree::flush`]; only after `flush` returns are they durable. Dropping the tree without
/// flushing loses unflushed changes (milestone 3 adds a journal to make that safe).
pub struct BTree {
    cache: PageCache,
}

impl BTree {
    /// Opens or creates the tree in the file at `path`, with a cache of `cache_pages` pages.
    pub fn open(path: impl AsRef<Path>, cache_pages: usize) -> Result<Self, DbError> {
        let pager = Pager::open(path)?;
        let mut cache = PageCache::new(pager, cache_pages);
        if cache.page_count() == 1 {
            let root = cache.allocate()?;
            debug_assert_eq!(root, ROOT);
            Node::Leaf {
                next: None,
                cells: Vec::new(),
            }
            .encode(cache.get_mut(root)?);
            cache.flush()?;
        }
        let mut tree = Self { cache };
        tree.read_node(ROOT)?; // fail early on a file whose root is not a node
        Ok(tree)
    }

    /// The value stored under `key`, if any.
    pub fn get(&mut self, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        let leaf = self.find_leaf(key)?;
        match self.read_node(leaf)? {
            Node::Leaf { cells, .. } => Ok(cells
                .binary_search_by_key(&key, |(k, _)| *k)
                .ok()
                .map(|i| cells[i].1.clone())),
            Node::Interior { .. } => Err(corrupt(leaf, "expected a leaf")),
        }
    }

    /// Stores `value` under `key`, returning the previous value if the key existed.
    ///
    /// Inserting into a full leaf splits it and pushes a separator into the parent, which may
    /// split in turn. When the root splits, its contents move to a new page and the root page
    /// becomes an interior node over the two halves, so the root's page number never changes.
    pub fn insert(&mut self, key: u64, value: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        if value.len() > MAX_VALUE_LEN {
            return Err(DbError::ValueTooLarge {
                len: value.len(),
                max: MAX_VALUE_LEN,
            });
        }
        let (old, split) = self.insert_into(ROOT, key, value, 1)?;
        if let Some((separator, right)) = split {
            let left = self.cache.allocate()?;
            let root_bytes = *self.cache.get(ROOT)?;
            *self.cache.get_mut(left)? = root_bytes;
            self.write_node(
                ROOT,
                &Node::Interior {
                    keys: vec![separator],
                    children: vec![left, right],
                },
            )?;
        }
        Ok(old)
    }

    /// Iterates over the entries whose keys fall in `range`, in key order.
    ///
    /// The iterator borrows the tree mutably (reading pages updates the cache), so the tree
    /// cannot be modified while a scan is in progress: update-while-scanning is a compile error.
    pub fn range<R: RangeBounds<u64>>(&mut self, range: R) -> Result<RangeIter<'_>, DbError> {
        let start = range.start_bound().cloned();
        let end = range.end_bound().cloned();
        let seek = match start {
            Bound::Included(k) | Bound::Excluded(k) => k,
            Bound::Unbounded => 0,
        };
        let leaf = self.find_leaf(seek)?;
        let (cells, next) = match self.read_node(leaf)? {
            Node::Leaf { cells, next } => (cells, next),
            Node::Interior { .. } => return Err(corrupt(leaf, "expected a leaf")),
        };
        let first = cells.partition_point(|(k, _)| match start {
            Bound::Included(s) => *k < s,
            Bound::Excluded(s) => *k <= s,
            Bound::Unbounded => false,
        });
        let mut cells = cells.into_iter();
        if first > 0 {
            cells.nth(first - 1);
        }
        Ok(RangeIter {
            tree: self,
            leaf,
            cells,
            next,
            end,
            last: None,
            done: false,
        })
    }

    /// Number of levels: 1 while the root is a leaf.
    pub fn depth(&mut self) -> Result<usize, DbError> {
        let mut depth = 1;
        let mut page = ROOT;
        while let Node::Interior { children, .. } = self.read_node(page)? {
            page = children[0];
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(corrupt(page, "tree deeper than any valid tree"));
            }
        }
        Ok(depth)
    }

    /// Writes all dirty pages and the header, then fsyncs: everything inserted so far is durable.
    pub fn flush(&mut self) -> Result<(), DbError> {
        self.cache.flush()
    }

    /// The page cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Number of pages currently held by the cache (never more than its capacity).
    pub fn cached_pages(&self) -> usize {
        self.cache.len()
    }

    /// Number of pages in the file, header included.
    pub fn page_count(&self) -> u32 {
        self.cache.page_count()
    }

    /// Checks the tree's invariants, returning [`DbError::Corrupt`] on the first violation:
    /// keys sorted within nodes and within their parent's separator bounds, all leaves at the
    /// same depth, no page reachable twice, and the leaf chain visiting every leaf in order.
    pub fn check(&mut self) -> Result<(), DbError> {
        let mut leaves = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut leaf_depth = None;
        self.check_node(ROOT, None, None, 1, &mut leaf_depth, &mut leaves, &mut seen)?;
        for pair in leaves.windows(2) {
            match self.read_node(pair[0])? {
                Node::Leaf { next, .. } if next == Some(pair[1]) => {}
                _ => return Err(corrupt(pair[0], "leaf chain skips or reorders a leaf")),
            }
        }
        if let Some(&last) = leaves.last() {
            if let Node::Leaf { next: Some(_), .. } = self.read_node(last)? {
                return Err(corrupt(last, "last leaf has a successor"));
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn check_node(
        &mut self,
        page: PageId,
        low: Option<u64>,
        high: Option<u64>,
        depth: usize,
        leaf_depth: &mut Option<usize>,
        leaves: &mut Vec<PageId>,
        seen: &mut std::collections::HashSet<PageId>,
    ) -> Result<(), DbError> {
        if !seen.insert(page) {
            return Err(corrupt(page, "page is reachable twice"));
        }
        let in_bounds = |k: u64| low.is_none_or(|l| k >= l) && high.is_none_or(|h| k < h);
        match self.read_node(page)? {
            Node::Leaf { cells, .. } => {
                if !cells.windows(2).all(|w| w[0].0 < w[1].0) {
                    return Err(corrupt(page, "leaf keys are not strictly increasing"));
                }
                if !cells.iter().all(|(k, _)| in_bounds(*k)) {
                    return Err(corrupt(page, "leaf key outside its parent's separators"));
                }
                if *leaf_depth.get_or_insert(depth) != depth {
                    return Err(corrupt(page, "leaves at different depths"));
                }
                leaves.push(page);
            }
            Node::Interior { keys, children } => {
                if children.len() != keys.len() + 1 || !keys.windows(2).all(|w| w[0] < w[1]) {
                    return Err(corrupt(page, "interior keys unsorted or child count wrong"));
                }
                if !keys.iter().all(|k| in_bounds(*k)) {
                    return Err(corrupt(page, "separator outside its parent's separators"));
                }
                for (i, child) in children.iter().enumerate() {
                    let lo = if i == 0 { low } else { Some(keys[i - 1]) };
                    let hi = if i == keys.len() { high } else { Some(keys[i]) };
                    self.check_node(*child, lo, hi, depth + 1, leaf_depth, leaves, seen)?;
                }
            }
        }
        Ok(())
    }

    /// Inserts into the subtree at `page`. Returns the old value and, if `page` had to split,
    /// the separator and page of the new right sibling for the caller to link in.
    fn insert_into(
        &mut self,
        page: PageId,
        key: u64,
        value: &[u8],
        depth: usize,
    ) -> Result<(Option<Vec<u8>>, Option<Split>), DbError> {
        if depth > MAX_DEPTH {
            return Err(corrupt(page, "tree deeper than any valid tree"));
        }
        match self.read_node(page)? {
            Node::Leaf { next, mut cells } => {
                let old = match cells.binary_search_by_key(&key, |(k, _)| *k) {
                    Ok(i) => Some(std::mem::replace(&mut cells[i].1, value.to_vec())),
                    Err(i) => {
                        cells.insert(i, (key, value.to_vec()));
                        None
                    }
                };
                let node = Node::Leaf { next, cells };
                if node.fits() {
                    self.write_node(page, &node)?;
                    return Ok((old, None));
                }
                let Node::Leaf { next, mut cells } = node else {
                    unreachable!()
                };
                let right_cells = cells.split_off(split_point(&cells));
                let separator = right_cells[0].0;
                let right = self.cache.allocate()?;
                self.write_node(
                    right,
                    &Node::Leaf {
                        next,
                        cells: right_cells,
                    },
                )?;
                self.write_node(
                    page,
                    &Node::Leaf {
                        next: Some(right),
                        cells,
                    },
                )?;
                Ok((old, Some((separator, right))))
            }
            Node::Interior {
                mut keys,
                mut children,
            } => {
                let slot = keys.partition_point(|k| *k <= key);
                let (old, split) = self.insert_into(children[slot], key, value, depth + 1)?;
                let Some((separator, new_child)) = split else {
                    return Ok((old, None));
                };
                keys.insert(slot, separator);
                children.insert(slot + 1, new_child);
                let node = Node::Interior { keys, children };
                if node.fits() {
                    self.write_node(page, &node)?;
                    return Ok((old, None));
                }
                // Split around the middle key, which moves up instead of being copied: in a
                // B+tree interior keys are only signposts, the data stays in the leaves.
                let Node::Interior {
                    mut keys,
                    mut children,
                } = node
                else {
                    unreachable!()
                };
                let mid = keys.len() / 2;
                let right_keys = keys.split_off(mid + 1);
                let up = keys
                    .pop()
                    .ok_or_else(|| corrupt(page, "empty interior node"))?;
                let right_children = children.split_off(mid + 1);
                let right = self.cache.allocate()?;
                self.write_node(
                    right,
                    &Node::Interior {
                        keys: right_keys,
                        children: right_children,
                    },
                )?;
                self.write_node(page, &Node::Interior { keys, children })?;
                Ok((old, Some((up, right))))
            }
        }
    }

    /// Walks from the root to the leaf whose key range contains `key`.
    fn find_leaf(&mut self, key: u64) -> Result<PageId, DbError> {
        let mut page = ROOT;
        for _ in 0..MAX_DEPTH {
            match self.read_node(page)? {
                Node::Leaf { .. } => return Ok(page),
                Node::Interior { keys, children } => {
                    page = children[keys.partition_point(|k| *k <= key)]
                }
            }
        }
        Err(corrupt(page, "tree deeper than any valid tree"))
    }

    fn read_node(&mut self, page: PageId) -> Result<Node, DbError> {
        Node::decode(page, self.cache.get(page)?)
    }

    fn write_node(&mut self, page: PageId, node: &Node) -> Result<(), DbError> {
        node.encode(self.cache.get_mut(page)?);
        Ok(())
    }
}

/// A node split: the separator key and the page of the new right sibling.
type Split = (u64, PageId);

/// Where to split an overfull leaf: the first cell at which the left half holds at least half
/// of the bytes. With cells of at most `MAX_VALUE_LEN` bytes, both halves then fit a page.
fn split_point(cells: &[(u64, Vec<u8>)]) -> usize {
    let total: usize = cells.iter().map(|(_, v)| leaf_cell_len(v)).sum();
    let mut left = 0;
    for (i, (_, v)) in cells.iter().enumerate() {
        if left >= total / 2 {
            return i.clamp(1, cells.len() - 1);
        }
        left += leaf_cell_len(v);
    }
    cells.len() - 1
}

fn corrupt(page: PageId, reason: &str) -> DbError {
    DbError::Corrupt {
        page: page.0,
        reason: reason.to_owned(),
    }
}

// Compile-time proof of the split guarantee: an overfull leaf holds at most one page of cells
// plus one maximal cell, and half of that plus one maximal cell must still fit a page.
const _: () =
    assert!(HEADER_LEN + (PAGE_SIZE + 10 + MAX_VALUE_LEN) / 2 + 10 + MAX_VALUE_LEN <= PAGE_SIZE);

/// An iterator over a key range of a [`BTree`], created by [`BTree::range`]. It holds one leaf's
/// cells at a time and follows the leaf chain; an I/O or corruption error is yielded once and
/// ends the iteration.
pub struct RangeIter<'a> {
    tree: &'a mut BTree,
    /// The leaf whose cells are being yielded.
    leaf: PageId,
    cells: std::vec::IntoIter<(u64, Vec<u8>)>,
    next: Option<PageId>,
    end: Bound<u64>,
    /// The last key yielded: keys must keep increasing across leaves, or the chain is corrupt
    /// (a cycle would otherwise make the iterator endless).
    last: Option<u64>,
    done: bool,
}

impl Iterator for RangeIter<'_> {
    type Item = Result<(u64, Vec<u8>), DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            if let Some((key, value)) = self.cells.next() {
                let past_end = match self.end {
                    Bound::Included(e) => key > e,
                    Bound::Excluded(e) => key >= e,
                    Bound::Unbounded => false,
                };
                if past_end {
                    self.done = true;
                    return None;
                }
                if self.last.is_some_and(|last| key <= last) {
                    self.done = true;
                    return Some(Err(corrupt(self.leaf, "leaf chain goes backwards")));
                }
                self.last = Some(key);
                return Some(Ok((key, value)));
            }
            let Some(page) = self.next.take() else {
                self.done = true;
                return None;
            };
            match self.tree.read_node(page) {
                Ok(Node::Leaf { cells, next }) => {
                    self.leaf = page;
                    self.cells = cells.into_iter();
                    self.next = next;
                }
                Ok(Node::Interior { .. }) => {
                    self.done = true;
                    return Some(Err(corrupt(page, "leaf chain points at an interior node")));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}
