use std::collections::{BTreeMap, HashMap};

use std::path::Path;

use crate::journal::Journal;
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

struct Frame {
    data: Box<Page>,
    dirty: bool,
    /// The tick of the last access; also this frame's key in `PageCache::lru`.
    last_used: u64,
}

/// A write-back cache of at most `capacity` pages in front of a [`Pager`], evicting the least
/// recently used page when full and writing it back first if it is dirty.
///
/// Callers borrow one page at a time (`get` / `get_mut` borrow the whole cache), so no page can
/// be evicted while a reference to it exists: the borrow checker is the pin count. Code that
/// needs two pages copies one out first, which for 4 KiB pages costs less than a syscall.
pub struct PageCache {
    pager: Pager,
    capacity: usize,
    frames: HashMap<PageId, Frame>,
    /// Access order: tick -> page. The first entry is the least recently used page.
    lru: BTreeMap<u64, PageId>,
    tick: u64,
    stats: CacheStats,
    /// Milestone 3: the rollback journal, for caches that make transactions.
    journal: Option<Journal>,
    /// The page count and free-list head as of the last commit.
    committed: (u32, u32),
}

impl PageCache {
    /// Wraps `pager` with a cache of `capacity` pages (at least 1).
    pub fn new(pager: Pager, capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            frames: HashMap::new(),
            lru: BTreeMap::new(),
            tick: 0,
            stats: CacheStats::default(),
            committed: (pager.page_count(), pager.free_head()),
            journal: None,
            pager,
        }
    }

    /// Makes this cache transactional (milestone 3): from now on every change belongs to the
    /// open transaction, journaled in `<db>-journal` before the database file is overwritten,
    /// until [`PageCache::flush`] commits it or [`PageCache::rollback`] undoes it.
    pub(crate) fn enable_journal(&mut self, db: &Path) {
        self.journal = Some(Journal::new(db, self.pager.faults.clone()));
        self.committed = (self.pager.page_count(), self.pager.free_head());
    }

    /// Journals the original of page `id` before its first change in the transaction (and
    /// starts the transaction's journal before its first change of any kind).
    fn before_change(&mut self, id: Option<PageId>) -> Result<(), DbError> {
        let Some(journal) = &mut self.journal else {
            return Ok(());
        };
        if !journal.is_open() {
            journal.begin(self.committed.0, self.committed.1)?;
        }
        if let Some(id) = id {
            let journal = self.journal.as_ref().map(|j| j.contains(id));
            if id.0 < self.committed.0 && journal == Some(false) {
                // Not yet changed in this transaction, so the cached copy is the original.
                let original = *self.frame(id)?.data;
                if let Some(journal) = &mut self.journal {
                    journal.record(id, &original)?;
                }
            }
        }
        Ok(())
    }

    /// Undoes the open transaction (milestone 3): forgets every cached page and rolls the file
    /// back with the journal. Without a transaction it does nothing.
    pub(crate) fn rollback(&mut self) -> Result<(), DbError> {
        let Some(journal) = &mut self.journal else {
            return Ok(());
        };
        if !journal.is_open() {
            return Ok(());
        }
        journal.close();
        self.frames.clear();
        self.lru.clear();
        let path = journal.path().to_owned();
        self.pager.roll_back(&path)
    }

    /// Milestone 5's vacuum: journals every page of the last commit that the open transaction
    /// has not journaled yet, then forgets every page from `page_count` on and shrinks the
    /// database to `page_count` pages, to be rewritten from scratch.
    pub(crate) fn restart_from(&mut self, page_count: u32) -> Result<(), DbError> {
        self.before_change(None)?;
        for id in (1..self.committed.0).map(PageId) {
            if self.journal.as_ref().is_some_and(|j| !j.contains(id)) {
                let original = match self.frames.get(&id) {
                    Some(frame) => *frame.data,
                    None => {
                        let mut data = [0; PAGE_SIZE];
                        self.pager.read_page(id, &mut data)?;
                        data
                    }
                };
                if let Some(journal) = &mut self.journal {
                    journal.record(id, &original)?;
                }
            }
        }
        let gone: Vec<PageId> = self
            .frames
            .keys()
            .filter(|id| id.0 >= page_count)
            .copied()
            .collect();
        for id in gone {
            if let Some(frame) = self.frames.remove(&id) {
                self.lru.remove(&frame.last_used);
            }
        }
        self.pager.shrink(page_count);
        self.pager.set_free_head(0);
        Ok(())
    }

    /// Fault injection (milestone 3): see [`crate::SlottedTree::crash_after`].
    pub(crate) fn crash_after(&mut self, ops: u64) {
        self.pager.faults.crash_after(ops);
    }

    /// Returns page `id` for reading, loading it (and perhaps evicting another) on a miss.
    pub fn get(&mut self, id: PageId) -> Result<&Page, DbError> {
        let frame = self.frame(id)?;
        Ok(&frame.data)
    }

    /// Returns page `id` for writing and marks it dirty.
    pub fn get_mut(&mut self, id: PageId) -> Result<&mut Page, DbError> {
        self.before_change(Some(id))?;
        let frame = self.frame(id)?;
        frame.dirty = true;
        Ok(&mut frame.data)
    }

    /// Allocates a new page. It starts zeroed and dirty in the cache, without reading the file.
    pub fn allocate(&mut self) -> Result<PageId, DbError> {
        self.before_change(None)?;
        self.make_room()?;
        let id = self.pager.allocate();
        let tick = self.next_tick();
        self.frames.insert(
            id,
            Frame {
                data: Box::new([0; PAGE_SIZE]),
                dirty: true,
                last_used: tick,
            },
        );
        self.lru.insert(tick, id);
        Ok(id)
    }

    /// Writes every dirty page to the pager in page order, then syncs the pager (header and
    /// fsync). Pages stay cached, now clean.
    ///
    /// With a journal (milestone 3) this is the commit: the journal is synced, the pages and
    /// the header written and synced, and the journal deleted, which is the commit point.
    pub fn flush(&mut self) -> Result<(), DbError> {
        if let Some(journal) = &mut self.journal {
            if !journal.is_open() {
                return Ok(());
            }
            journal.sync()?;
        }
        let mut dirty: Vec<PageId> = self
            .frames
            .iter()
            .filter(|(_, f)| f.dirty)
            .map(|(id, _)| *id)
            .collect();
        dirty.sort_unstable();
        for id in dirty {
            if let Some(frame) = self.frames.get_mut(&id) {
                self.pager.write_page(id, &frame.data)?;
                frame.dirty = false;
                self.stats.writes += 1;
            }
        }
        self.pager.sync()?;
        if let Some(journal) = &mut self.journal {
            journal.finish()?;
            self.committed = (self.pager.page_count(), self.pager.free_head());
        }
        Ok(())
    }

    /// Number of pages currently cached.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no page is cached.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The most pages the cache holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether page `id` is cached with changes not yet written to the pager.
    pub fn is_dirty(&self, id: PageId) -> bool {
        self.frames.get(&id).is_some_and(|f| f.dirty)
    }

    /// Number of pages in the database, header included (allocated pages count immediately).
    pub fn page_count(&self) -> u32 {
        self.pager.page_count()
    }

    /// The first page of the free list (0 = none), see [`Pager::free_head`].
    pub fn free_head(&self) -> u32 {
        self.pager.free_head()
    }

    /// Sets the first page of the free list; it reaches the header at the next flush.
    pub fn set_free_head(&mut self, page: u32) {
        self.pager.set_free_head(page);
    }

    /// The counters so far.
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// Finds or loads the frame for `id` and marks it most recently used.
    fn frame(&mut self, id: PageId) -> Result<&mut Frame, DbError> {
        let tick = self.next_tick();
        if self.frames.contains_key(&id) {
            self.stats.hits += 1;
        } else {
            self.stats.misses += 1;
            self.make_room()?;
            let mut data = Box::new([0; PAGE_SIZE]);
            self.pager.read_page(id, &mut data)?;
            self.frames.insert(
                id,
                Frame {
                    data,
                    dirty: false,
                    last_used: tick,
                },
            );
            self.lru.insert(tick, id);
        }
        let frame = self.frames.get_mut(&id).ok_or(DbError::InvalidPage(id.0))?;
        self.lru.remove(&frame.last_used);
        frame.last_used = tick;
        self.lru.insert(tick, id);
        Ok(frame)
    }

    /// Evicts the least recently used page if the cache is full, writing it back if dirty.
    fn make_room(&mut self) -> Result<(), DbError> {
        if self.frames.len() < self.capacity {
            return Ok(());
        }
        let Some((&tick, &victim)) = self.lru.iter().next() else {
            return Ok(());
        };
        if let Some(frame) = self.frames.get(&victim) {
            if frame.dirty {
                if let Some(journal) = &mut self.journal {
                    journal.sync()?;
                }
                // Write before forgetting: if the write fails, the page stays cached and dirty.
                self.pager.write_page(victim, &frame.data)?;
                self.stats.writes += 1;
            }
        }
        self.frames.remove(&victim);
        self.lru.remove(&tick);
        self.stats.evictions += 1;
        Ok(())
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }
}
