use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::journal::{self, Faults};
use crate::DbError;

/// The size of every page, and of every read and write the pager does.
pub const PAGE_SIZE: usize = 4096;

/// The bytes of one page.
pub type Page = [u8; PAGE_SIZE];

/// A page number: the database's universal pointer. Page `n` lives at byte `n * PAGE_SIZE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageId(pub u32);

impl PageId {
    fn offset(self) -> u64 {
        u64::from(self.0) * PAGE_SIZE as u64
    }
}

const MAGIC: &[u8; 16] = b"ex01-embedded-db";
const VERSION: u32 = 1;

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
/// caller's thread, and a page read is a single `pread` that async I/O would only slow down.
pub struct Pager {
    file: File,
    page_count: u32,
    free_head: u32,
    /// Fault injection (milestone 3): shared with the journal, off unless a test turns it on.
    pub(crate) faults: Faults,
}

impl Pager {
    /// Opens the database file at `path`, creating and initializing it if it is empty or
    /// missing. Fails with [`DbError::NotADatabase`] if the header is not ours.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        if file.metadata()?.len() == 0 {
            let mut pager = Self {
                file,
                page_count: 1,
                free_head: 0,
                faults: Faults::default(),
            };
            pager.sync()?;
            return Ok(pager);
        }
        let mut header = [0u8; PAGE_SIZE];
        file.seek(SeekFrom::Start(0))?;
        file.read_exact(&mut header)
            .map_err(|_| DbError::NotADatabase("file is shorter than one page".into()))?;
        if &header[0..16] != MAGIC {
            return Err(DbError::NotADatabase("bad magic bytes".into()));
        }
        let version = read_u32(&header, 16);
        if version != VERSION {
            return Err(DbError::NotADatabase(format!(
                "unsupported format version {version}"
            )));
        }
        let page_size = read_u32(&header, 20);
        if page_size as usize != PAGE_SIZE {
            return Err(DbError::NotADatabase(format!(
                "page size {page_size}, expected {PAGE_SIZE}"
            )));
        }
        let page_count = read_u32(&header, 24);
        if page_count == 0 {
            return Err(DbError::NotADatabase("page count is zero".into()));
        }
        Ok(Self {
            file,
            page_count,
            free_head: read_u32(&header, 28),
            faults: Faults::default(),
        })
    }

    /// Number of pages in the database, header included.
    pub fn page_count(&self) -> u32 {
        self.page_count
    }

    /// Reads page `id` into `buf`. Page 0 and pages past the end are [`DbError::InvalidPage`].
    pub fn read_page(&mut self, id: PageId, buf: &mut Page) -> Result<(), DbError> {
        self.check(id)?;
        self.faults.alive()?;
        self.file.seek(SeekFrom::Start(id.offset()))?;
        self.file.read_exact(buf)?;
        Ok(())
    }

    /// Writes `buf` as page `id`. Page 0 and pages past the end are [`DbError::InvalidPage`].
    pub fn write_page(&mut self, id: PageId, buf: &Page) -> Result<(), DbError> {
        self.check(id)?;
        self.faults.step()?;
        self.file.seek(SeekFrom::Start(id.offset()))?;
        self.file.write_all(buf)?;
        Ok(())
    }

    /// Reserves a new page at the end of the file and returns its id. No I/O happens until the
    /// page is written; the new page count reaches the header at the next [`Pager::sync`].
    pub fn allocate(&mut self) -> PageId {
        let id = PageId(self.page_count);
        self.page_count += 1;
        id
    }

    /// The first page of the free list, as the header records it (0 = the list is empty).
    pub fn free_head(&self) -> u32 {
        self.free_head
    }

    /// Sets the first page of the free list. Like the page count, it reaches the header at the
    /// next [`Pager::sync`].
    pub fn set_free_head(&mut self, page: u32) {
        self.free_head = page;
    }

    /// Writes the header and fsyncs the file: everything written before is durable after.
    pub fn sync(&mut self) -> Result<(), DbError> {
        let mut header = [0u8; PAGE_SIZE];
        header[0..16].copy_from_slice(MAGIC);
        header[16..20].copy_from_slice(&VERSION.to_be_bytes());
        header[20..24].copy_from_slice(&(PAGE_SIZE as u32).to_be_bytes());
        header[24..28].copy_from_slice(&self.page_count.to_be_bytes());
        header[28..32].copy_from_slice(&self.free_head.to_be_bytes());
        self.faults.step()?;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&header)?;
        // A file longer than its page count (after a vacuum) loses its tail.
        let len = PageId(self.page_count).offset();
        if self.file.metadata()?.len() > len {
            self.faults.step()?;
            self.file.set_len(len)?;
        }
        self.faults.step()?;
        self.file.sync_all()?;
        Ok(())
    }

    /// Shrinks the page count (milestone 5's vacuum); the file is cut at the next `sync`.
    pub(crate) fn shrink(&mut self, page_count: u32) {
        self.page_count = self.page_count.min(page_count.max(1));
    }

    /// Rolls the file back with the rollback journal at `path`, if there is one (milestone 3):
    /// writes back every whole record whose checksum matches, in order, stopping at the first
    /// that is cut short or damaged; truncates the file to the page count the journal recorded;
    /// restores the header; fsyncs; deletes the journal. A journal whose header is incomplete
    /// is deleted without touching the file: no page is written before the journal is synced.
    /// Replaying twice is harmless, so a crash during recovery is recovered at the next open.
    pub(crate) fn roll_back(&mut self, path: &Path) -> Result<(), DbError> {
        self.faults.alive()?;
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if let Some(header) = journal::parse_header(&bytes) {
            for (page, data) in journal::records(&bytes) {
                self.faults.step()?;
                self.file.seek(SeekFrom::Start(PageId(page).offset()))?;
                self.file.write_all(data)?;
            }
            self.faults.step()?;
            self.file.set_len(PageId(header.page_count).offset())?;
            self.page_count = header.page_count;
            self.free_head = header.free_head;
            self.sync()?;
        }
        self.faults.step()?;
        std::fs::remove_file(path)?;
        Ok(())
    }

    fn check(&self, id: PageId) -> Result<(), DbError> {
        if id.0 == 0 || id.0 >= self.page_count {
            return Err(DbError::InvalidPage(id.0));
        }
        Ok(())
    }
}

fn read_u32(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}
