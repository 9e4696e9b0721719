//! The store: keydir, active file, rotation, recovery and merge.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::fsutil::{self, create_data_file, data_path, hint_path, merging_path, next_id};
use crate::hint::{self, HintWriter};
use crate::record::{self, ScanEnd, MAX_KEY_LEN, MAX_VALUE_LEN};

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

/// Where the newest record of a key lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyDirEntry {
    file_id: u32,
    /// Offset of the start of the record (its checksum) in the data file.
    offset: u64,
    /// Length of the whole record, header included.
    len: u64,
}

/// The in-memory index: every live key and where its newest record lives.
type KeyDir = HashMap<Vec<u8>, KeyDirEntry>;

/// A Bitcask-style log-structured key-value store rooted in one directory.
///
/// Reads take `&self` and writes take `&mut self`; share a store between threads with
/// `Arc<RwLock<Store>>`. Only one `Store` may have a directory open at a time.
pub struct Store {
    dir: PathBuf,
    options: Options,
    keydir: KeyDir,
    /// Read handles for every data file, the active one included.
    readers: BTreeMap<u32, File>,
    /// Append handle of the active data file.
    active: File,
    active_id: u32,
    /// Length of the active file; the offset of the next record.
    active_len: u64,
    /// Reused encoding buffer, so a put allocates nothing beyond the keydir key.
    buf: Vec<u8>,
    recovery: RecoveryReport,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("keys", &self.keydir.len())
            .field("data_files", &self.readers.len())
            .field("active_id", &self.active_id)
            .field("active_len", &self.active_len)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store in `dir`, creating the directory if needed, and rebuilds the keydir.
    ///
    /// Data files are read oldest first. A file with a valid hint file is indexed from the hint;
    /// any other file is scanned record by record. A torn record at the end of the newest file
    /// (what a crash mid-append leaves) is cut off; an invalid record anywhere else is
    /// [`Error::Corrupt`].
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<Store> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)?;
        let listing = fsutil::list_dir(&dir)?;
        let newest = listing.data.last().copied();

        let mut keydir = KeyDir::new();
        let mut readers = BTreeMap::new();
        let mut report = RecoveryReport {
            data_files: listing.data.len(),
            ..Default::default()
        };

        for &file_id in &listing.data {
            let path = data_path(&dir, file_id);
            let file = File::open(&path)?;
            let len = file.metadata()?.len();

            let hinted = if listing.hints.contains(&file_id) {
                let path = hint_path(&dir, file_id);
                let entries = hint::load(&path, len)?;
                if entries.is_none() {
                    // Torn, corrupt or stale: useless from now on.
                    fs::remove_file(&path)?;
                }
                entries
            } else {
                None
            };
            if let Some(entries) = hinted {
                report.hint_files_used += 1;
                for e in entries {
                    keydir.insert(
                        e.key,
                        KeyDirEntry {
                            file_id,
                            offset: e.offset,
                            len: e.len,
                        },
                    );
                }
            } else {
                let end = record::scan(&file, file_id, Some(file_id) == newest, |rec| {
                    report.records_scanned += 1;
                    if rec.tombstone {
                        keydir.remove(rec.key);
                    } else {
                        let entry = KeyDirEntry {
                            file_id,
                            offset: rec.offset,
                            len: rec.len,
                        };
                        upsert(&mut keydir, rec.key, entry);
                    }
                })?;
                if let ScanEnd::Torn { offset } = end {
                    let file = OpenOptions::new().write(true).open(&path)?;
                    file.set_len(offset)?;
                    file.sync_all()?;
                    report.truncated_bytes += len - offset;
                }
            }
            readers.insert(file_id, file);
        }

        // Hints whose data file is gone (e.g. a merge deleted the data file, then crashed).
        for id in listing.hints.difference(&listing.data) {
            fs::remove_file(hint_path(&dir, *id))?;
        }

        // Keep appending to the newest file unless it is a merge output: those are described by
        // their hint file and must never grow.
        let (active_id, active) = match newest {
            Some(id) if !listing.hints.contains(&id) => (
                id,
                OpenOptions::new().append(true).open(data_path(&dir, id))?,
            ),
            _ => {
                let id = newest.map_or(Ok(0), next_id)?;
                let (writer, reader) = create_data_file(&dir, id)?;
                readers.insert(id, reader);
                (id, writer)
            }
        };
        let active_len = active.metadata()?.len();

        Ok(Store {
            dir,
            options,
            keydir,
            readers,
            active,
            active_id,
            active_len,
            buf: Vec::new(),
            recovery: report,
        })
    }

    /// Returns the value stored under `key`, or `None` if there is none.
    ///
    /// The record is read in full and its checksum verified: corruption is reported as
    /// [`Error::Corrupt`], never returned as data.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let Some(&entry) = self.keydir.get(key) else {
            return Ok(None);
        };
        let corrupt = |reason| Error::Corrupt {
            file_id: entry.file_id,
            offset: entry.offset,
            reason,
        };
        let file = self
            .readers
            .get(&entry.file_id)
            .ok_or_else(|| corrupt("keydir points at a missing data file"))?;
        let len = usize::try_from(entry.len).map_err(|_| corrupt("record too large for memory"))?;
        let mut buf = vec![0; len];
        fsutil::read_exact_at(file, &mut buf, entry.offset).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => corrupt("record cut short"),
            _ => Error::Io(e),
        })?;

        let rec = record::decode(&buf).map_err(corrupt)?;
        if rec.key != key {
            return Err(corrupt("record holds a different key"));
        }
        let value_len = rec
            .value
            .ok_or_else(|| corrupt("keydir points at a tombstone"))?
            .len();
        // The value is the tail of the record: reuse the read buffer instead of copying it.
        buf.drain(..len - value_len);
        Ok(Some(buf))
    }

    /// Stores `value` under `key`, replacing any previous value.
    ///
    /// The record is appended first and the keydir updated only once the append succeeded.
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        check_key(key)?;
        if value.len() > MAX_VALUE_LEN {
            return Err(Error::ValueTooLarge {
                len: value.len(),
                max: MAX_VALUE_LEN,
            });
        }
        let entry = self.append(key, Some(value))?;
        upsert(&mut self.keydir, key, entry);
        Ok(())
    }

    /// Removes `key`, returning whether it was present.
    ///
    /// A present key gets a tombstone record, so the delete survives a restart; deleting an absent
    /// key writes nothing.
    pub fn delete(&mut self, key: &[u8]) -> Result<bool> {
        check_key(key)?;
        if !self.keydir.contains_key(key) {
            return Ok(false);
        }
        self.append(key, None)?;
        self.keydir.remove(key);
        Ok(true)
    }

    /// All live keys, in no particular order.
    pub fn keys(&self) -> Vec<Vec<u8>> {
        self.keydir.keys().cloned().collect()
    }

    /// Number of live keys.
    pub fn len(&self) -> usize {
        self.keydir.len()
    }

    /// True if the store holds no keys.
    pub fn is_empty(&self) -> bool {
        self.keydir.is_empty()
    }

    /// Forces every write so far to the device (`fdatasync` of the active file).
    pub fn sync(&self) -> Result<()> {
        self.active.sync_data()?;
        Ok(())
    }

    /// What [`Store::open`] found while recovering.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// Rewrites all live records into new data files, each with a hint file, then deletes the old
    /// files, reclaiming the space held by overwritten values and tombstones.
    ///
    /// Crash-safe at every step: outputs are written under temporary names and published by
    /// rename only once complete and synced, writes move to a new active file before any output
    /// becomes visible, and old files are deleted oldest first, so any subset left behind by a
    /// crash still replays to the same contents.
    pub fn merge(&mut self) -> Result<()> {
        // Seal the active file: from here on every existing file is an immutable input.
        self.active.sync_all()?;
        let inputs: Vec<u32> = self.readers.keys().copied().collect();
        let first_output = next_id(self.active_id)?;

        // 1. Copy live records into unpublished outputs. On failure nothing is visible.
        let (outputs, new_keydir) = match self.write_merge_outputs(first_output) {
            Ok(done) => done,
            Err(e) => {
                self.discard_merge_outputs(first_output);
                return Err(e);
            }
        };

        // 2. Move writes to a fresh active file above every output before publishing any of them,
        //    so a published copy can never shadow a newer write.
        let new_active = match outputs.last() {
            Some(&last) => next_id(last)?,
            None => first_output,
        };
        let (writer, reader) = match create_data_file(&self.dir, new_active) {
            Ok(handles) => handles,
            Err(e) => {
                self.discard_merge_outputs(first_output);
                return Err(e.into());
            }
        };
        self.active = writer;
        self.active_id = new_active;
        self.active_len = 0;
        self.readers.insert(new_active, reader);

        // 3. Publish: data file first, then its hint. Until the inputs are gone these are only
        //    redundant copies, so a partial publish is harmless.
        for &id in &outputs {
            let data = data_path(&self.dir, id);
            let hint = hint_path(&self.dir, id);
            fs::rename(merging_path(&data), &data)?;
            fs::rename(merging_path(&hint), &hint)?;
            self.readers.insert(id, File::open(&data)?);
        }
        fsutil::sync_dir(&self.dir)?;
        self.keydir = new_keydir;

        // 4. Delete inputs oldest first: what remains after a crash is a newest-first suffix of the
        //    old log, in which a tombstone always outlives the values it shadows.
        for id in inputs {
            // Close our handle first: Windows refuses to delete open files.
            self.readers.remove(&id);
            remove_if_exists(&hint_path(&self.dir, id))?;
            fs::remove_file(data_path(&self.dir, id))?;
        }
        fsutil::sync_dir(&self.dir)?;
        Ok(())
    }

    /// Writes every live record, in file and offset order, into `.merging` outputs numbered from
    /// `first_id`, and returns the output ids and the keydir that points into them.
    fn write_merge_outputs(&self, first_id: u32) -> Result<(Vec<u32>, KeyDir)> {
        let mut live: Vec<(&Vec<u8>, &KeyDirEntry)> = self.keydir.iter().collect();
        live.sort_unstable_by_key(|(_, e)| (e.file_id, e.offset));

        let mut new_keydir = KeyDir::with_capacity(live.len());
        let mut outputs = Vec::new();
        let mut current: Option<MergeOutput> = None;
        let mut buf = Vec::new();

        for (key, entry) in live {
            let corrupt = |reason| Error::Corrupt {
                file_id: entry.file_id,
                offset: entry.offset,
                reason,
            };
            let file = self
                .readers
                .get(&entry.file_id)
                .ok_or_else(|| corrupt("missing data file"))?;
            buf.resize(
                usize::try_from(entry.len).map_err(|_| corrupt("record too large"))?,
                0,
            );
            fsutil::read_exact_at(file, &mut buf, entry.offset)?;
            // Verify before copying: a merge must not launder a corrupt record into a fresh file
            // with a hint that vouches for it.
            let timestamp = record::decode(&buf).map_err(corrupt)?.header.timestamp;

            let full = current
                .as_ref()
                .is_some_and(|out| out.len > 0 && out.len + entry.len > self.options.max_file_size);
            if full {
                if let Some(out) = current.take() {
                    out.finish()?;
                }
            }
            let out = match &mut current {
                Some(out) => out,
                None => {
                    let id = match outputs.last() {
                        Some(&last) => next_id(last)?,
                        None => first_id,
                    };
                    outputs.push(id);
                    current.insert(MergeOutput::create(&self.dir, id)?)
                }
            };
            let offset = out.append(&buf, key, timestamp)?;
            new_keydir.insert(
                key.clone(),
                KeyDirEntry {
                    file_id: out.id,
                    offset,
                    len: entry.len,
                },
            );
        }
        if let Some(out) = current {
            out.finish()?;
        }
        fsutil::sync_dir(&self.dir)?;
        Ok((outputs, new_keydir))
    }

    /// Best-effort removal of unpublished merge outputs; `open` removes any that survive.
    fn discard_merge_outputs(&self, first_id: u32) {
        if let Ok(listing) = fs::read_dir(&self.dir) {
            for entry in listing.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let is_ours = name
                    .split_once('.')
                    .and_then(|(stem, _)| stem.parse::<u32>().ok())
                    .is_some_and(|id| id >= first_id);
                if is_ours && name.ends_with(".merging") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }

    /// Appends one record to the active file, rotating first if it would overflow, and returns
    /// where it landed.
    fn append(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<KeyDirEntry> {
        self.buf.clear();
        record::encode(&mut self.buf, now_millis(), key, value);
        let len = self.buf.len() as u64;
        if self.active_len > 0 && self.active_len + len > self.options.max_file_size {
            self.rotate()?;
        }

        let offset = self.active_len;
        if let Err(e) = self.active.write_all(&self.buf) {
            // Cut off whatever part of the record reached the file, so the next append starts on
            // a record boundary. If this fails too, recovery will find the torn record.
            let _ = self.active.set_len(offset);
            return Err(e.into());
        }
        self.active_len += len;
        if self.options.sync == SyncPolicy::Always {
            self.active.sync_data()?;
        }
        Ok(KeyDirEntry {
            file_id: self.active_id,
            offset,
            len,
        })
    }

    /// Seals the active file (fsync, so older files are always complete) and starts the next one.
    fn rotate(&mut self) -> Result<()> {
        self.active.sync_all()?;
        let id = next_id(self.active_id)?;
        let (writer, reader) = create_data_file(&self.dir, id)?;
        self.readers.insert(id, reader);
        self.active = writer;
        self.active_id = id;
        self.active_len = 0;
        Ok(())
    }
}

/// One data file plus its hint file being written by a merge, both under `.merging` names.
struct MergeOutput {
    id: u32,
    data: BufWriter<File>,
    hint: HintWriter,
    len: u64,
}

impl MergeOutput {
    fn create(dir: &Path, id: u32) -> Result<MergeOutput> {
        let data = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(merging_path(&data_path(dir, id)))?;
        let hint = HintWriter::create(&merging_path(&hint_path(dir, id)))?;
        Ok(MergeOutput {
            id,
            data: BufWriter::new(data),
            hint,
            len: 0,
        })
    }

    /// Copies one verified record verbatim and indexes it; returns its offset.
    fn append(&mut self, record: &[u8], key: &[u8], timestamp: u64) -> Result<u64> {
        let offset = self.len;
        self.data.write_all(record)?;
        self.len += record.len() as u64;
        self.hint.add(key, timestamp, offset, record.len() as u64)?;
        Ok(offset)
    }

    /// Flushes and syncs the data file, then completes the hint with the data file's final length.
    fn finish(self) -> Result<()> {
        let data = self
            .data
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        data.sync_all()?;
        self.hint.finish(self.len)?;
        Ok(())
    }
}

/// Points `key` at `entry`, allocating a key only for keys not yet in the keydir.
fn upsert(keydir: &mut KeyDir, key: &[u8], entry: KeyDirEntry) {
    match keydir.get_mut(key) {
        Some(slot) => *slot = entry,
        None => {
            keydir.insert(key.to_vec(), entry);
        }
    }
}

fn check_key(key: &[u8]) -> Result<()> {
    if key.len() > MAX_KEY_LEN {
        return Err(Error::KeyTooLarge {
            len: key.len(),
            max: MAX_KEY_LEN,
        });
    }
    Ok(())
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Wall-clock milliseconds, stored in each record for diagnostics and expiry; ordering never
/// depends on it (file id and offset define what is newest).
fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
