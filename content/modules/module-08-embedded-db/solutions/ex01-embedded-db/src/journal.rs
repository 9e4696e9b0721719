//! Milestone 3's rollback journal, and the fault injection that tests it.
//!
//! ```text
//! <db>-journal   0..8   magic "ex01jrnl"
//!                8..12  page count before the transaction
//!                12..16 free-list head before the transaction
//!                16..   records: page number u32 | the page's 4,096 original bytes | checksum u32
//! ```
//!
//! The checksum is 32-bit FNV-1a over the record's page number (4 bytes) and data.

use std::cell::Cell;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::{DbError, Page, PageId, PAGE_SIZE};

const MAGIC: &[u8; 8] = b"ex01jrnl";
pub(crate) const HEADER_LEN: usize = 16;
pub(crate) const RECORD_LEN: usize = 4 + PAGE_SIZE + 4;

/// `<db>-journal`, next to the database file.
pub(crate) fn journal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

pub(crate) fn checksum(page: u32, data: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in page.to_be_bytes().iter().chain(data) {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

pub(crate) struct Header {
    pub(crate) page_count: u32,
    pub(crate) free_head: u32,
}

pub(crate) fn parse_header(bytes: &[u8]) -> Option<Header> {
    if bytes.get(0..8)? != MAGIC {
        return None;
    }
    let page_count = u32::from_be_bytes(bytes.get(8..12)?.try_into().ok()?);
    let free_head = u32::from_be_bytes(bytes.get(12..16)?.try_into().ok()?);
    (page_count > 0).then_some(Header {
        page_count,
        free_head,
    })
}

/// The whole records with a matching checksum, up to the first one that is cut short or
/// damaged.
pub(crate) fn records(bytes: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    bytes
        .get(HEADER_LEN..)
        .unwrap_or_default()
        .chunks_exact(RECORD_LEN)
        .map(|r| {
            let page = u32::from_be_bytes([r[0], r[1], r[2], r[3]]);
            let data = &r[4..4 + PAGE_SIZE];
            let sum = u32::from_be_bytes([
                r[4 + PAGE_SIZE],
                r[5 + PAGE_SIZE],
                r[6 + PAGE_SIZE],
                r[7 + PAGE_SIZE],
            ]);
            (page, data, sum)
        })
        .take_while(|(page, data, sum)| *page != 0 && checksum(*page, data) == *sum)
        .map(|(page, data, _)| (page, data))
}

/// A simulated power cut: after `n` more write-side operations (a page, header or journal
/// write, an fsync, a truncation, a journal deletion) every file operation fails, reads too.
/// Clones share one budget, so the pager and the journal count together.
#[derive(Clone, Default)]
pub(crate) struct Faults(Rc<Cell<Option<u64>>>);

impl Faults {
    pub(crate) fn crash_after(&self, ops: u64) {
        self.0.set(Some(ops));
    }

    /// Counts one write-side operation, or fails if the budget is spent.
    pub(crate) fn step(&self) -> io::Result<()> {
        match self.0.get() {
            None => Ok(()),
            Some(0) => Err(crashed()),
            Some(n) => {
                self.0.set(Some(n - 1));
                Ok(())
            }
        }
    }

    /// Fails if the simulated crash has happened.
    pub(crate) fn alive(&self) -> io::Result<()> {
        match self.0.get() {
            Some(0) => Err(crashed()),
            _ => Ok(()),
        }
    }
}

fn crashed() -> io::Error {
    io::Error::other("simulated crash (fault injection)")
}

/// The journal of the open transaction: the original contents of every page it changed.
pub(crate) struct Journal {
    path: PathBuf,
    /// Open from a transaction's first change until its commit or rollback.
    file: Option<File>,
    /// Pages whose originals are in the journal.
    pages: HashSet<PageId>,
    /// Whether records were written since the last fsync.
    unsynced: bool,
    faults: Faults,
}

impl Journal {
    pub(crate) fn new(db: &Path, faults: Faults) -> Self {
        Self {
            path: journal_path(db),
            file: None,
            pages: HashSet::new(),
            unsynced: false,
            faults,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn is_open(&self) -> bool {
        self.file.is_some()
    }

    pub(crate) fn contains(&self, id: PageId) -> bool {
        self.pages.contains(&id)
    }

    /// Starts the transaction's journal with the state to return to.
    pub(crate) fn begin(&mut self, page_count: u32, free_head: u32) -> Result<(), DbError> {
        self.faults.step()?;
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&self.path)?;
        let mut header = [0u8; HEADER_LEN];
        header[0..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&page_count.to_be_bytes());
        header[12..16].copy_from_slice(&free_head.to_be_bytes());
        file.write_all(&header)?;
        self.file = Some(file);
        self.pages.clear();
        self.unsynced = true;
        Ok(())
    }

    /// Appends the original contents of page `id`.
    pub(crate) fn record(&mut self, id: PageId, data: &Page) -> Result<(), DbError> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("no transaction"))?;
        self.faults.step()?;
        let mut record = Vec::with_capacity(RECORD_LEN);
        record.extend(id.0.to_be_bytes());
        record.extend(data);
        record.extend(checksum(id.0, data).to_be_bytes());
        file.write_all(&record)?;
        self.pages.insert(id);
        self.unsynced = true;
        Ok(())
    }

    /// Makes the records durable: called before any page of the database file is overwritten.
    pub(crate) fn sync(&mut self) -> Result<(), DbError> {
        if let (Some(file), true) = (self.file.as_mut(), self.unsynced) {
            self.faults.step()?;
            file.sync_all()?;
            self.unsynced = false;
        }
        Ok(())
    }

    /// Deletes the journal: the commit point.
    pub(crate) fn finish(&mut self) -> Result<(), DbError> {
        self.faults.step()?;
        std::fs::remove_file(&self.path)?;
        self.close();
        Ok(())
    }

    /// Forgets the transaction (the file, if any, stays for recovery).
    pub(crate) fn close(&mut self) {
        self.file = None;
        self.pages.clear();
        self.unsynced = false;
    }
}
