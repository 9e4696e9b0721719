use std::fs::File;
use std::path::Path;

use crate::DbError;

/// The size of every page, and of every read and write the pager does.
pub const PAGE_SIZE: usize = 4096;

/// The bytes of one page.
pub type Page = [u8; PAGE_SIZE];

/// A page number: the database's universal pointer. Page `n` lives at byte `n * PAGE_SIZE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageId(pub u32);

/// Reads and writes whole pages of one file and owns the file header (page 0).
///
/// Header layout, all integers big-endian:
///
/// ```text
/// 0..16   magic "ex01-embedded-db"
/// 16..20  format version (1)
/// 20..24  page size (4096)
/// 24..28  page count, header included
/// 28..32  first page of the free list (0 = none; used from milestone 2)
/// ```
///
/// The pager is synchronous and single-threaded on purpose: an embedded database runs on its
/// caller's thread.
pub struct Pager {
    file: File,
    page_count: u32,
    // TODO: anything else you need
}

impl Pager {
    /// Opens the database file at `path`, creating and initializing it (header page written,
    /// page count 1) if it is empty or missing. Fails with [`DbError::NotADatabase`] if the
    /// file is shorter than a page or its header is not ours.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        todo!("open {:?}", path.as_ref())
    }

    /// Number of pages in the database, header included.
    pub fn page_count(&self) -> u32 {
        todo!()
    }

    /// Reads page `id` into `buf`. Page 0 and pages past the end are [`DbError::InvalidPage`].
    pub fn read_page(&mut self, id: PageId, buf: &mut Page) -> Result<(), DbError> {
        todo!("read {id:?}")
    }

    /// Writes `buf` as page `id`. Page 0 and pages past the end are [`DbError::InvalidPage`].
    pub fn write_page(&mut self, id: PageId, buf: &Page) -> Result<(), DbError> {
        todo!("write {id:?}")
    }

    /// Reserves a new page at the end of the file and returns its id. No I/O needs to happen
    /// until the page is written; the new page count reaches the header at the next `sync`.
    pub fn allocate(&mut self) -> PageId {
        todo!()
    }

    /// The first page of the free list, as the header records it (0 = the list is empty).
    /// Milestone 2.
    pub fn free_head(&self) -> u32 {
        todo!()
    }

    /// Sets the first page of the free list. Like the page count, it reaches the header at the
    /// next `sync`. Milestone 2.
    pub fn set_free_head(&mut self, page: u32) {
        todo!("free-list head {page}")
    }

    /// Writes the header and fsyncs the file: everything written before is durable after.
    pub fn sync(&mut self) -> Result<(), DbError> {
        todo!()
    }
}
