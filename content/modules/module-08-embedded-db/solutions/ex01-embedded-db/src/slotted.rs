use std::ops::RangeBounds;
use std::path::Path;

use crate::journal::journal_path;
use crate::spage::corrupt;
use crate::store::{Range, Store};
use crate::{CacheStats, DbError, PageCache, PageId, Pager};

/// The longest value a [`SlottedTree`] stores. Values up to 1,024 bytes live in their leaf; a
/// longer one keeps its first 1,024 bytes there and the rest in a chain of overflow pages.
pub const LARGE_VALUE_MAX: usize = 16 << 20;

/// The root of the tree: page 1, as in milestone 1. It never moves.
const ROOT: PageId = PageId(1);

/// Milestone 2's B+tree: `u64` keys to byte values of any length up to [`LARGE_VALUE_MAX`],
/// stored in slotted pages, with deletes that merge or redistribute underfull nodes and a free
/// list that recycles the pages they release.
///
/// Milestone 3 makes it transactional: every change belongs to the open transaction, which
/// begins with the first change after open, commit or rollback. [`SlottedTree::commit`] (or
/// `flush`) makes it durable atomically, [`SlottedTree::rollback`] undoes it, and a crash (or
/// dropping the tree) before the commit leaves a hot journal that the next `open` rolls back.
pub struct SlottedTree {
    store: Store,
}

impl SlottedTree {
    /// Opens or creates the tree in the file at `path`, with a cache of `cache_pages` pages.
    ///
    /// If `<path>-journal` exists, a transaction was interrupted: it is rolled back first.
    pub fn open(path: impl AsRef<Path>, cache_pages: usize) -> Result<Self, DbError> {
        let path = path.as_ref();
        let mut pager = Pager::open(path)?;
        pager.roll_back(&journal_path(path))?;
        let mut cache = PageCache::new(pager, cache_pages);
        cache.enable_journal(path);
        let mut store = Store::new(cache);
        if store.cache.page_count() == 1 {
            let root = store.cache.allocate()?;
            store.init_root(root)?;
            store.cache.flush()?;
        }
        let mut tree = Self { store };
        tree.depth()?; // fail early on a file whose root is not a slotted node
        Ok(tree)
    }

    /// The value stored under `key`, if any.
    pub fn get(&mut self, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        self.store.get(ROOT, key)
    }

    /// Stores `value` under `key`, returning the previous value if the key existed.
    pub fn insert(&mut self, key: u64, value: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        if value.len() > LARGE_VALUE_MAX {
            return Err(DbError::ValueTooLarge {
                len: value.len(),
                max: LARGE_VALUE_MAX,
            });
        }
        self.store.insert(ROOT, key, value)
    }

    /// Removes `key`, returning its value if it existed.
    pub fn delete(&mut self, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        self.store.delete(ROOT, key)
    }

    /// Iterates over the entries whose keys fall in `range`, in key order.
    pub fn range<R: RangeBounds<u64>>(&mut self, range: R) -> Result<SlottedRange<'_>, DbError> {
        Ok(SlottedRange {
            inner: self.store.range(ROOT, range)?,
        })
    }

    /// Number of levels: 1 while the root is a leaf.
    pub fn depth(&mut self) -> Result<usize, DbError> {
        self.store.depth(ROOT)
    }

    /// Commits: see [`SlottedTree::commit`].
    pub fn flush(&mut self) -> Result<(), DbError> {
        self.store.cache.flush()
    }

    /// Commits the open transaction: fsyncs the journal, writes the changed pages and the
    /// header, fsyncs the database, then deletes the journal, which is the commit point.
    /// Without changes it does nothing.
    pub fn commit(&mut self) -> Result<(), DbError> {
        self.store.cache.flush()
    }

    /// Undoes every change since the last commit: the file is restored from the journal to
    /// the exact bytes it had (page count and free list included) and the journal deleted.
    pub fn rollback(&mut self) -> Result<(), DbError> {
        self.store.cache.rollback()
    }

    /// Milestone 5: rewrites the file compactly, like SQLite's `VACUUM`. Commits pending changes
    /// first, then, in one transaction of its own: no free pages are left, the file shrinks to
    /// the pages the tree and its overflow chains need, each level of the tree is packed
    /// greedily in key order (a last node under a third full shares the last two nodes' cells
    /// evenly), and the result is committed. A crash at any point leaves the file as it was
    /// before or as it is after.
    pub fn vacuum(&mut self) -> Result<(), DbError> {
        self.store.cache.flush()?;
        self.store.vacuum(ROOT)?;
        self.store.cache.flush()
    }

    /// Fault injection for tests: after `ops` more write-side file operations (each page or
    /// header write, journal header or record write, fsync, truncation and journal deletion
    /// counts as one), every file operation of this tree fails with an I/O error, as if the
    /// power had been cut. Drop the tree afterwards and open the file again.
    pub fn crash_after(&mut self, ops: u64) {
        self.store.cache.crash_after(ops);
    }

    /// Number of pages in the file, header included.
    pub fn page_count(&self) -> u32 {
        self.store.cache.page_count()
    }

    /// Number of pages on the free list.
    pub fn free_pages(&mut self) -> Result<usize, DbError> {
        Ok(self.store.free_pages()?.len())
    }

    /// The page cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.store.cache.stats()
    }

    /// Number of pages currently held by the cache.
    pub fn cached_pages(&self) -> usize {
        self.store.cache.len()
    }

    /// Checks the invariants, returning [`DbError::Corrupt`] on the first violation: every
    /// node's slots point at disjoint cells inside its content area and its free-space
    /// accounting is exact; keys are sorted and within their separators; leaves are at one
    /// depth and chained in order; overflow chains have the pages their values need; and every
    /// page of the file is exactly one of: in the tree, in an overflow chain, on the free list.
    pub fn check(&mut self) -> Result<(), DbError> {
        if self.store.cache.page_count() < 2 {
            return Err(corrupt(ROOT, "the file has no root page"));
        }
        self.store.check(&[ROOT])
    }
}

/// An iterator over a key range of a [`SlottedTree`], created by [`SlottedTree::range`].
pub struct SlottedRange<'a> {
    inner: Range<'a>,
}

impl Iterator for SlottedRange<'_> {
    type Item = Result<(u64, Vec<u8>), DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}
