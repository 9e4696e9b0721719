//! The store: keydir, active file, rotation, recovery and merge.

// Starter only: delete this line once the bodies below are written.
#![allow(unused_variables, unused_imports)]

use std::path::Path;

use crate::error::{Error, Result};

/// When writes are forced from the OS page cache to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPolicy {
    /// `fdatasync` after every `put` and `delete`: an `Ok` means the write survives power loss.
    #[default]
    Always,
    /// Never sync on write; data reaches the device when the OS decides or when [`Store::sync`]
    /// is called. Survives a process crash, but a power loss can drop recent writes.
    Never,
}

/// Tuning knobs for [`Store::open`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The active data file is closed and a new one started before a write would make it larger
    /// than this. A single record larger than the limit gets a file of its own.
    pub max_file_size: u64,
    /// Durability of individual writes.
    pub sync: SyncPolicy,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: 64 * 1024 * 1024,
            sync: SyncPolicy::Always,
        }
    }
}

/// What [`Store::open`] found and did while rebuilding the keydir.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Data files found in the directory.
    pub data_files: usize,
    /// Data files whose keydir entries were loaded from a valid hint file instead of a scan.
    pub hint_files_used: usize,
    /// Records read by scanning data files (files covered by a hint are not scanned).
    pub records_scanned: u64,
    /// Bytes cut off the end of the newest data file because they held a torn record.
    pub truncated_bytes: u64,
}

/// A Bitcask-style log-structured key-value store rooted in one directory.
///
/// Reads take `&self` and writes take `&mut self`. Only one `Store` may have a directory open at a
/// time. The tests print a `Store` with `{:?}`, so keep it `Debug` (derived or hand-written).
#[derive(Debug)]
pub struct Store {
    // TODO: the keydir, read handles for the data files, the active file and its length, ...
}

impl Store {
    /// Opens the store in `dir`, creating the directory if needed, and rebuilds the keydir.
    ///
    /// Data files are read oldest first. A file with a valid hint file is indexed from the hint;
    /// any other file is scanned record by record. A torn record at the end of the newest file
    /// (what a crash mid-append leaves) is cut off with `set_len`; an invalid record anywhere else
    /// is [`Error::Corrupt`], and the files are left untouched. A data file that has a hint file
    /// is never appended to.
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<Store> {
        todo!("list the directory, rebuild the keydir, pick or create the active file")
    }

    /// Returns the value stored under `key`, or `None` if there is none.
    ///
    /// The record is read in full and its checksum verified: corruption is reported as
    /// [`Error::Corrupt`], never returned as data.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        todo!("keydir lookup, one positioned read, verify")
    }

    /// Stores `value` under `key`, replacing any previous value.
    ///
    /// The record is appended first and the keydir updated only once the append succeeded. Rotates
    /// the active file first if the record would push it past `max_file_size`.
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        todo!("append a record, then point the keydir at it")
    }

    /// Removes `key`, returning whether it was present.
    ///
    /// A present key gets a tombstone record, so the delete survives a restart; deleting an absent
    /// key writes nothing.
    pub fn delete(&mut self, key: &[u8]) -> Result<bool> {
        todo!("append a tombstone, then remove the key from the keydir")
    }

    /// All live keys, in no particular order.
    pub fn keys(&self) -> Vec<Vec<u8>> {
        todo!()
    }

    /// Number of live keys.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// True if the store holds no keys.
    pub fn is_empty(&self) -> bool {
        todo!()
    }

    /// Forces every write so far to the device (`fdatasync` of the active file).
    pub fn sync(&self) -> Result<()> {
        todo!()
    }

    /// What [`Store::open`] found while recovering.
    pub fn recovery(&self) -> &RecoveryReport {
        todo!()
    }

    /// Rewrites all live records, including those in the active file, into new data files with
    /// fresh ids above every existing file, each with a hint file; then deletes the old files.
    /// Tombstones are not copied. Afterwards writes go to a new active file.
    ///
    /// Must be crash-safe at every step: a crash part-way through leaves a directory that opens to
    /// the same contents (see the README for the ordering that guarantees this).
    pub fn merge(&mut self) -> Result<()> {
        todo!("copy live records, write hints, publish, switch the active file, delete old files")
    }
}
