use crate::{DbError, Page, PageId, Pager, PAGE_SIZE};

/// Counters that make the cache's behaviour observable (and testable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups served from memory.
    pub hits: u64,
    /// Lookups that had to read the page from the pager.
    pub misses: u64,
    /// Pages dropped from memory to make room.
    pub evictions: u64,
    /// Pages written to the pager (on eviction or flush).
    pub writes: u64,
}

/// A write-back cache of at most `capacity` pages in front of a [`Pager`], evicting the least
/// recently used page when full and writing it back first if it is dirty.
///
/// Hint: a `HashMap<PageId, Frame>` plus an ordered structure of access times (a tick counter
/// and a `BTreeMap<u64, PageId>`, or an intrusive list as in module 01) gives cheap LRU.
///
/// Callers borrow one page at a time (`get` / `get_mut` borrow the whole cache), so no page can
/// be evicted while a reference to it exists: the borrow checker is the pin count. Code that
/// needs two pages copies one out first, which for 4 KiB pages costs less than a syscall.
pub struct PageCache {
    pager: Pager,
    capacity: usize,
    // TODO: frames, LRU order, dirty bits, stats
}

impl PageCache {
    /// Wraps `pager` with a cache of `capacity` pages (at least 1).
    pub fn new(pager: Pager, capacity: usize) -> Self {
        todo!()
    }

    /// Returns page `id` for reading, loading it (and perhaps evicting another) on a miss.
    pub fn get(&mut self, id: PageId) -> Result<&Page, DbError> {
        todo!()
    }

    /// Returns page `id` for writing and marks it dirty.
    pub fn get_mut(&mut self, id: PageId) -> Result<&mut Page, DbError> {
        todo!()
    }

    /// Allocates a new page. It starts zeroed and dirty in the cache, without reading the file.
    pub fn allocate(&mut self) -> Result<PageId, DbError> {
        todo!()
    }

    /// Writes every dirty page to the pager in page order, then syncs the pager (header and
    /// fsync). Pages stay cached, now clean.
    pub fn flush(&mut self) -> Result<(), DbError> {
        todo!()
    }

    /// Number of pages currently cached.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// Whether no page is cached.
    pub fn is_empty(&self) -> bool {
        todo!()
    }

    /// The most pages the cache holds.
    pub fn capacity(&self) -> usize {
        todo!()
    }

    /// Whether page `id` is cached with changes not yet written to the pager.
    pub fn is_dirty(&self, id: PageId) -> bool {
        todo!()
    }

    /// Number of pages in the database, header included (allocated pages count immediately).
    pub fn page_count(&self) -> u32 {
        todo!()
    }

    /// The first page of the free list (0 = none), see [`Pager::free_head`]. Milestone 2.
    pub fn free_head(&self) -> u32 {
        todo!()
    }

    /// Sets the first page of the free list; it reaches the header at the next flush.
    /// Milestone 2.
    pub fn set_free_head(&mut self, page: u32) {
        todo!("free-list head {page}")
    }

    /// The counters so far.
    pub fn stats(&self) -> CacheStats {
        todo!()
    }
}
