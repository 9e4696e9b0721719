use std::ops::RangeBounds;
use std::path::Path;

use crate::{CacheStats, DbError, PageCache, PageId};

/// The largest value the tree stores. Small enough that any two cells fit on one page, which
/// is what guarantees that splitting an overfull leaf in two always produces two valid pages.
/// (Milestone 2 lifts the limit with overflow pages.)
pub const MAX_VALUE_LEN: usize = 1024;

/// A persistent B+tree mapping `u64` keys to byte values, stored in one file.
///
/// Values live only in leaves; leaves are linked left to right so range scans never go back up
/// the tree. Changes are made in the page cache and reach the file when pages are evicted or at
/// [`BTree::flush`]; only after `flush` returns are they durable.
///
/// Required by the tests, which read the file themselves: the root lives on page 1 and never
/// moves (when it splits, copy its contents to a new page and turn page 1 into an interior node
/// over the two halves), and every page uses the node layout in the exercise README. Decode a page
/// into a `Node` enum, change it, encode it back.
pub struct BTree {
    cache: PageCache,
}

impl BTree {
    /// Opens or creates the tree in the file at `path`, with a cache of `cache_pages` pages.
    pub fn open(path: impl AsRef<Path>, cache_pages: usize) -> Result<Self, DbError> {
        todo!("open {:?} with {cache_pages} cached pages", path.as_ref())
    }

    /// The value stored under `key`, if any.
    pub fn get(&mut self, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        todo!("get {key}")
    }

    /// Stores `value` under `key`, returning the previous value if the key existed. Values
    /// longer than [`MAX_VALUE_LEN`] fail with [`DbError::ValueTooLarge`].
    pub fn insert(&mut self, key: u64, value: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        todo!("insert {key}")
    }

    /// Iterates over the entries whose keys fall in `range`, in key order.
    ///
    /// The iterator borrows the tree mutably (reading pages updates the cache), so the tree
    /// cannot be modified while a scan is in progress.
    pub fn range<R: RangeBounds<u64>>(&mut self, range: R) -> Result<RangeIter<'_>, DbError> {
        todo!()
    }

    /// Number of levels: 1 while the root is a leaf.
    pub fn depth(&mut self) -> Result<usize, DbError> {
        todo!()
    }

    /// Writes all dirty pages and the header, then fsyncs: everything inserted so far is durable.
    pub fn flush(&mut self) -> Result<(), DbError> {
        todo!()
    }

    /// The page cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        todo!()
    }

    /// Number of pages currently held by the cache (never more than its capacity).
    pub fn cached_pages(&self) -> usize {
        todo!()
    }

    /// Number of pages in the file, header included.
    pub fn page_count(&self) -> u32 {
        todo!()
    }

    /// Checks the tree's invariants, returning [`DbError::Corrupt`] on the first violation:
    /// keys sorted within nodes and within their parent's separator bounds, all leaves at the
    /// same depth, no page reachable twice, and the leaf chain visiting every leaf in order.
    pub fn check(&mut self) -> Result<(), DbError> {
        todo!()
    }
}

/// An iterator over a key range of a [`BTree`], created by [`BTree::range`]. It should hold one
/// leaf's worth of entries at a time and follow the leaf chain; an I/O or corruption error is
/// yielded once and ends the iteration.
pub struct RangeIter<'a> {
    tree: &'a mut BTree,
    // TODO: the cursor's state
}

impl Iterator for RangeIter<'_> {
    type Item = Result<(u64, Vec<u8>), DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        todo!()
    }
}
