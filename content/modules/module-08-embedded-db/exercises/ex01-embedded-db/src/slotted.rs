use std::ops::RangeBounds;
use std::path::Path;

use crate::{CacheStats, DbError, PageCache};

/// The longest value a [`SlottedTree`] stores. Values up to 1,024 bytes live in their leaf; a
/// longer one keeps its first 1,024 bytes there and the rest in a chain of overflow pages.
pub const LARGE_VALUE_MAX: usize = 16 << 20;

/// Milestone 2's B+tree: `u64` keys to byte values of any length up to [`LARGE_VALUE_MAX`],
/// stored in slotted pages (layout in the exercise README), with deletes that merge or
/// redistribute underfull nodes and a free list that recycles the pages they release.
///
/// Like milestone 1's [`BTree`](crate::BTree), changes live in the page cache until
/// [`SlottedTree::flush`]. The root is page 1 and never moves.
///
/// Milestone 3 makes it transactional: every change belongs to the open transaction, which
/// begins with the first change after open, commit or rollback. [`SlottedTree::commit`] (or
/// `flush`) makes it durable atomically, [`SlottedTree::rollback`] undoes it, and a crash (or
/// dropping the tree) before the commit leaves a hot journal that the next `open` rolls back.
///
/// Suggested design: a private module with a checked view over one page (`Node<'a>`: count,
/// slots, cells, binary search reading keys in place) and in-place `insert_cell` /
/// `remove_cell`; splits, merges and redistribution copy the cells out and rebuild the pages.
pub struct SlottedTree {
    cache: PageCache,
    // TODO: anything else you need
}

impl SlottedTree {
    /// Opens or creates the tree in the file at `path`, with a cache of `cache_pages` pages.
    /// A new file gets an empty root leaf on page 1; a file whose page 1 is not a slotted node
    /// fails with [`DbError::Corrupt`].
    ///
    /// Milestone 3: if `<path>-journal` exists, a transaction was interrupted: roll it back
    /// first.
    pub fn open(path: impl AsRef<Path>, cache_pages: usize) -> Result<Self, DbError> {
        todo!("open {:?} with {cache_pages} cached pages", path.as_ref())
    }

    /// The value stored under `key`, if any.
    pub fn get(&mut self, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        todo!("get {key}")
    }

    /// Stores `value` under `key`, returning the previous value if the key existed. Values
    /// longer than [`LARGE_VALUE_MAX`] fail with [`DbError::ValueTooLarge`].
    pub fn insert(&mut self, key: u64, value: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        todo!("insert {key} ({} bytes)", value.len())
    }

    /// Removes `key`, returning its value if it existed. An underfull node (less than a third
    /// of its usable bytes in use) is merged with a sibling or refilled from it.
    pub fn delete(&mut self, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        todo!("delete {key}")
    }

    /// Iterates over the entries whose keys fall in `range`, in key order.
    pub fn range<R: RangeBounds<u64>>(&mut self, range: R) -> Result<SlottedRange<'_>, DbError> {
        todo!()
    }

    /// Number of levels: 1 while the root is a leaf.
    pub fn depth(&mut self) -> Result<usize, DbError> {
        todo!()
    }

    /// Writes all dirty pages and the header, then fsyncs. From milestone 3 on, the same as
    /// [`SlottedTree::commit`].
    pub fn flush(&mut self) -> Result<(), DbError> {
        todo!()
    }

    /// Milestone 3. Commits the open transaction: fsyncs the journal, writes the changed pages
    /// and the header, fsyncs the database, then deletes the journal, which is the commit
    /// point. Without changes it does nothing.
    pub fn commit(&mut self) -> Result<(), DbError> {
        todo!()
    }

    /// Milestone 3. Undoes every change since the last commit: the file is restored from the
    /// journal to the exact bytes it had (page count and free list included) and the journal
    /// deleted.
    pub fn rollback(&mut self) -> Result<(), DbError> {
        todo!()
    }

    /// Milestone 5: rewrites the file compactly, like SQLite's `VACUUM`. Commits pending changes
    /// first, then, in one transaction of its own: no free pages are left, the file shrinks to
    /// the pages the tree and its overflow chains need, each level of the tree is packed
    /// greedily in key order (a last node under a third full shares the last two nodes' cells
    /// evenly), and the result is committed. A crash at any point leaves the file as it was
    /// before or as it is after.
    pub fn vacuum(&mut self) -> Result<(), DbError> {
        todo!()
    }

    /// Milestone 3, fault injection for tests: after `ops` more write-side file operations
    /// (each page or header write, journal header or record write, fsync, truncation and
    /// journal deletion counts as one), every file operation of this tree fails with an I/O
    /// error, reads too, as if the power had been cut. Drop the tree afterwards and open the
    /// file again.
    pub fn crash_after(&mut self, ops: u64) {
        todo!("crash after {ops} operations")
    }

    /// Number of pages in the file, header included.
    pub fn page_count(&self) -> u32 {
        todo!()
    }

    /// Number of pages on the free list.
    pub fn free_pages(&mut self) -> Result<usize, DbError> {
        todo!()
    }

    /// The page cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        todo!()
    }

    /// Number of pages currently held by the cache.
    pub fn cached_pages(&self) -> usize {
        todo!()
    }

    /// Checks the invariants, returning [`DbError::Corrupt`] on the first violation: every
    /// node's slots point at disjoint cells inside its content area and its free-space
    /// accounting is exact; keys are sorted and within their separators; leaves are at one
    /// depth and chained in order; overflow chains have the pages their values need; and every
    /// page of the file is exactly one of: in the tree, in an overflow chain, on the free list.
    pub fn check(&mut self) -> Result<(), DbError> {
        todo!()
    }
}

/// An iterator over a key range of a [`SlottedTree`], created by [`SlottedTree::range`].
pub struct SlottedRange<'a> {
    tree: &'a mut SlottedTree,
    // TODO: the cursor's state
}

impl Iterator for SlottedRange<'_> {
    type Item = Result<(u64, Vec<u8>), DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        todo!()
    }
}
