//! One topic's durable log: a directory of segments, each a `.log` file of records plus a sparse `.index`.
//!
//! ```text
//! <dir>/00000000000000000000.log     records with offsets 0 .. 1042
//! <dir>/00000000000000000000.index   sparse (relative offset, byte position) pairs for that segment
//! <dir>/00000000000000001043.log     the active segment: the only file ever appended to
//! <dir>/00000000000000001043.index
//! ```
//!
//! A record is `[body_len: u32][crc32(body): u32][offset: u64][payload]`, little endian.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::MqError;
use crate::record::{self, Next, HEADER_LEN};

/// Bytes of a record that are not payload: the frame header and the offset.
const RECORD_OVERHEAD: usize = HEADER_LEN + 8;
/// Bytes per index entry: relative offset and byte position, both `u32`.
const INDEX_ENTRY_LEN: usize = 8;

/// When appends reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FsyncPolicy {
    /// `fsync` (data only) after every append: an acknowledged message survives power loss.
    #[default]
    EveryAppend,
    /// Leave flushing to the operating system: survives a process crash, not power loss. Segments are still
    /// fsynced when they are sealed.
    Never,
}

/// Tuning for a [`TopicLog`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// Roll to a new segment when the active one would grow past this many bytes (a record bigger than this
    /// gets a segment of its own). At most 1 GiB.
    pub segment_bytes: u64,
    /// Add an index entry whenever at least this many bytes were appended since the previous entry.
    pub index_interval_bytes: u64,
    /// Largest payload accepted by [`TopicLog::append`]. At most 64 MiB.
    pub max_message_bytes: usize,
    /// When appends are fsynced.
    pub fsync: FsyncPolicy,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 64 * 1024 * 1024,
            index_interval_bytes: 4096,
            max_message_bytes: 1024 * 1024,
            fsync: FsyncPolicy::EveryAppend,
        }
    }
}

impl LogConfig {
    fn validate(&self) -> Result<(), MqError> {
        if self.segment_bytes == 0 || self.segment_bytes > 1 << 30 {
            return Err(MqError::Config(format!(
                "segment_bytes must be in 1..=1GiB, got {}",
                self.segment_bytes
            )));
        }
        if self.max_message_bytes > 64 << 20 {
            return Err(MqError::Config(format!(
                "max_message_bytes must be at most 64MiB, got {}",
                self.max_message_bytes
            )));
        }
        Ok(())
    }
}

/// A message read back from a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its position in the topic, assigned by [`TopicLog::append`].
    pub offset: u64,
    /// The bytes the producer sent.
    pub payload: Vec<u8>,
}

/// A topic's segmented append-only log. See the module documentation for the layout.
#[derive(Debug)]
pub struct TopicLog {
    dir: PathBuf,
    config: LogConfig,
    /// Ordered by base offset; the last one is active. Never empty.
    segments: Vec<Segment>,
    next_offset: u64,
    /// Appends and batches that fsynced their records since `open` (milestone 4).
    append_syncs: u64,
}

impl TopicLog {
    /// Opens the log in `dir`, creating the directory and a first segment (base offset 0) if needed.
    ///
    /// Recovery: the active segment is scanned from the start; the first record that is torn, fails its
    /// checksum or carries the wrong offset is cut off together with everything after it, and its index is
    /// rebuilt. Sealed segments are trusted (they were fsynced when sealed); a missing or invalid `.index`
    /// file is rebuilt from its segment.
    ///
    /// Fails with [`MqError::Config`] if `segment_bytes` is 0 or above 1 GiB, or `max_message_bytes` is above
    /// 64 MiB.
    pub fn open(dir: impl AsRef<Path>, config: LogConfig) -> Result<TopicLog, MqError> {
        config.validate()?;
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)?;

        let mut bases = Vec::new();
        let mut index_stems = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let name = entry?.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(base) = name.strip_suffix(".log").and_then(parse_base) {
                bases.push(base);
            } else if let Some(base) = name.strip_suffix(".index").and_then(parse_base) {
                index_stems.push(base);
            }
        }
        bases.sort_unstable();
        // An index without its log is left over from an interrupted deletion.
        for stray in index_stems
            .iter()
            .filter(|b| bases.binary_search(b).is_err())
        {
            fs::remove_file(dir.join(index_name(*stray)))?;
        }

        let mut segments = Vec::with_capacity(bases.len().max(1));
        match bases.split_last() {
            None => segments.push(Segment::create(&dir, 0)?),
            Some((&active, sealed)) => {
                for &base in sealed {
                    segments.push(Segment::open_sealed(&dir, base, &config)?);
                }
                segments.push(Segment::recover(&dir, active, &config)?);
            }
        }
        let next_offset = segments.last().map_or(0, |s| s.base + s.count);
        Ok(TopicLog {
            dir,
            config,
            segments,
            next_offset,
            append_syncs: 0,
        })
    }

    /// Appends one message and returns its offset. The record is written with a single `write` call and,
    /// under [`FsyncPolicy::EveryAppend`], is on disk when this returns.
    pub fn append(&mut self, payload: &[u8]) -> Result<u64, MqError> {
        Ok(self.append_batch(&[payload])?.start)
    }

    /// Appends `payloads` as consecutive messages and returns their offsets (an empty range at
    /// [`next_offset`](Self::next_offset) for an empty batch). Milestone 4.
    ///
    /// If any payload is larger than `max_message_bytes` the batch fails with [`MqError::MessageTooLarge`]
    /// and nothing is appended. Segments roll exactly as for single appends. The records going to one segment
    /// are written with one `write` call, and under [`FsyncPolicy::EveryAppend`] the batch is fsynced once,
    /// at its end (a segment sealed in the middle is fsynced by sealing).
    pub fn append_batch(&mut self, payloads: &[&[u8]]) -> Result<Range<u64>, MqError> {
        let max = self.config.max_message_bytes;
        if let Some(payload) = payloads.iter().find(|p| p.len() > max) {
            return Err(MqError::MessageTooLarge {
                len: payload.len(),
                max,
            });
        }
        let first = self.next_offset;
        let config = self.config.clone();
        let mut buf = Vec::new();
        let mut record_lens = Vec::new();
        for payload in payloads {
            let record_len = (RECORD_OVERHEAD + payload.len()) as u64;
            let size = self.active().size + buf.len() as u64;
            if size > 0 && size + record_len > config.segment_bytes {
                self.write_pending(&mut buf, &mut record_lens, false)?;
                self.roll()?;
            }
            let offset = self.next_offset + record_lens.len() as u64;
            record::encode(&[&offset.to_le_bytes(), payload], &mut buf);
            record_lens.push(record_len);
        }
        let sync = config.fsync == FsyncPolicy::EveryAppend && !record_lens.is_empty();
        self.write_pending(&mut buf, &mut record_lens, sync)?;
        if sync {
            self.append_syncs += 1;
        }
        Ok(first..self.next_offset)
    }

    /// Writes the records in `buf` to the active segment and empties `buf` and `record_lens`.
    fn write_pending(
        &mut self,
        buf: &mut Vec<u8>,
        record_lens: &mut Vec<u64>,
        sync: bool,
    ) -> Result<(), MqError> {
        if record_lens.is_empty() {
            return Ok(());
        }
        let config = self.config.clone();
        self.active_mut()
            .append_records(buf, record_lens, &config, sync)?;
        self.next_offset += record_lens.len() as u64;
        buf.clear();
        record_lens.clear();
        Ok(())
    }

    /// How many appends and batches fsynced their records since the log was opened: one per
    /// [`append`](Self::append) or [`append_batch`](Self::append_batch) under [`FsyncPolicy::EveryAppend`],
    /// none under [`FsyncPolicy::Never`]. Sealing a segment is not counted. Milestone 4.
    pub fn append_syncs(&self) -> u64 {
        self.append_syncs
    }

    /// The size in bytes of each segment's `.log` file, oldest first (aligned with
    /// [`segment_base_offsets`](Self::segment_base_offsets)). Milestone 4.
    pub fn segment_sizes(&self) -> Vec<u64> {
        self.segments.iter().map(|s| s.size).collect()
    }

    /// The total size in bytes of the segments' `.log` files. Milestone 4.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size).sum()
    }

    /// Reads up to `max_messages` messages starting at offset `from`, crossing segments as needed.
    ///
    /// Returns an empty vector when `from` is at or past [`next_offset`](Self::next_offset), and
    /// [`MqError::OffsetOutOfRange`] when `from` is below [`earliest_offset`](Self::earliest_offset).
    pub fn read(&self, from: u64, max_messages: usize) -> Result<Vec<Message>, MqError> {
        let earliest = self.earliest_offset();
        if from < earliest {
            return Err(MqError::OffsetOutOfRange {
                requested: from,
                earliest,
            });
        }
        let mut out = Vec::new();
        if from >= self.next_offset || max_messages == 0 {
            return Ok(out);
        }
        let first = self
            .segments
            .partition_point(|s| s.base <= from)
            .saturating_sub(1);
        for segment in &self.segments[first..] {
            if out.len() >= max_messages {
                break;
            }
            segment.read_into(from, max_messages, &mut out)?;
        }
        Ok(out)
    }

    /// The offset the next append will get.
    pub fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// The smallest offset still stored (equal to `next_offset` when the log is empty).
    pub fn earliest_offset(&self) -> u64 {
        self.segments.first().map_or(self.next_offset, |s| s.base)
    }

    /// The base offsets of the segments, oldest first. The last one is the active segment.
    pub fn segment_base_offsets(&self) -> Vec<u64> {
        self.segments.iter().map(|s| s.base).collect()
    }

    /// The directory holding this log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Retention: deletes, oldest first, every sealed segment whose messages all have offsets below
    /// `offset`, and returns how many were deleted. The active segment is never deleted.
    pub fn delete_segments_before(&mut self, offset: u64) -> Result<usize, MqError> {
        let mut deleted = 0;
        while self.segments.len() > 1 && self.segments[1].base <= offset {
            let segment = &self.segments[0];
            // The log goes first: a crash in between leaves a stray index, which `open` removes.
            fs::remove_file(&segment.log_path)?;
            remove_if_exists(&segment.index_path)?;
            self.segments.remove(0);
            deleted += 1;
        }
        if deleted > 0 {
            sync_dir(&self.dir)?;
        }
        Ok(deleted)
    }

    /// Forces everything appended so far to disk (useful under [`FsyncPolicy::Never`]).
    pub fn sync(&mut self) -> Result<(), MqError> {
        self.active().file.sync_data()?;
        Ok(())
    }

    fn active(&self) -> &Segment {
        &self.segments[self.segments.len() - 1]
    }

    fn active_mut(&mut self) -> &mut Segment {
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    /// Seals the active segment (fsyncing it and its index) and starts a new one at `next_offset`.
    fn roll(&mut self) -> Result<(), MqError> {
        self.active_mut().seal()?;
        let segment = Segment::create(&self.dir, self.next_offset)?;
        self.segments.push(segment);
        Ok(())
    }
}

/// One `.log` file and its sparse index.
#[derive(Debug)]
struct Segment {
    base: u64,
    log_path: PathBuf,
    index_path: PathBuf,
    /// Opened for reading and appending. Reads are positioned (`pread`), so they never disturb appends.
    file: File,
    /// Open only while the segment is active.
    index_file: Option<File>,
    /// Bytes of valid records.
    size: u64,
    /// Number of records.
    count: u64,
    index: Vec<IndexEntry>,
    /// Position of the last indexed record (0 counts as indexed: a scan can always start there).
    last_indexed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IndexEntry {
    relative_offset: u32,
    position: u32,
}

impl IndexEntry {
    fn to_bytes(self) -> [u8; INDEX_ENTRY_LEN] {
        let mut out = [0u8; INDEX_ENTRY_LEN];
        out[..4].copy_from_slice(&self.relative_offset.to_le_bytes());
        out[4..].copy_from_slice(&self.position.to_le_bytes());
        out
    }
}

impl Segment {
    fn create(dir: &Path, base: u64) -> Result<Segment, MqError> {
        let log_path = dir.join(log_name(base));
        let index_path = dir.join(index_name(base));
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .open(&log_path)?;
        let index_file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&index_path)?;
        sync_dir(dir)?; // the new file's directory entry must survive a crash too
        Ok(Segment {
            base,
            log_path,
            index_path,
            file,
            index_file: Some(index_file),
            size: 0,
            count: 0,
            index: Vec::new(),
            last_indexed: 0,
        })
    }

    fn open_sealed(dir: &Path, base: u64, config: &LogConfig) -> Result<Segment, MqError> {
        let log_path = dir.join(log_name(base));
        let index_path = dir.join(index_name(base));
        let file = File::open(&log_path)?;
        let size = file.metadata()?.len();
        let mut segment = Segment {
            base,
            log_path,
            index_path,
            file,
            index_file: None,
            size,
            count: 0, // not needed for a sealed segment: the next segment's base says where it ends
            index: Vec::new(),
            last_indexed: 0,
        };
        match load_index(&segment.index_path, size)? {
            Some(index) => segment.index = index,
            None => {
                let scan = scan(&segment.log_path, base, size, config)?;
                segment.index = scan.index;
                write_index(&segment.index_path, &segment.index)?;
            }
        }
        Ok(segment)
    }

    fn recover(dir: &Path, base: u64, config: &LogConfig) -> Result<Segment, MqError> {
        let log_path = dir.join(log_name(base));
        let index_path = dir.join(index_name(base));
        let file = OpenOptions::new().read(true).append(true).open(&log_path)?;
        let file_len = file.metadata()?.len();
        let scan = scan(&log_path, base, file_len, config)?;
        if scan.valid_len < file_len {
            file.set_len(scan.valid_len)?;
            file.sync_all()?;
        }
        write_index(&index_path, &scan.index)?;
        let index_file = OpenOptions::new().append(true).open(&index_path)?;
        Ok(Segment {
            base,
            log_path,
            index_path,
            file,
            index_file: Some(index_file),
            size: scan.valid_len,
            count: scan.count,
            index: scan.index,
            last_indexed: scan.last_indexed,
        })
    }

    /// Appends the framed records in `buf` (of the lengths `record_lens`) with one `write` call.
    fn append_records(
        &mut self,
        buf: &[u8],
        record_lens: &[u64],
        config: &LogConfig,
        sync: bool,
    ) -> Result<(), MqError> {
        let start = self.size;
        if let Err(err) = (&self.file).write_all(buf) {
            // Never leave half a record behind: later appends would land after garbage.
            let _ = self.file.set_len(start);
            return Err(err.into());
        }
        if sync {
            self.file.sync_data()?;
        }
        let mut entries = Vec::new();
        let mut position = start;
        for &len in record_lens {
            if needs_index_entry(position, self.last_indexed, config) {
                let entry = IndexEntry {
                    relative_offset: self.count as u32,
                    position: position as u32,
                };
                entries.extend_from_slice(&entry.to_bytes());
                self.index.push(entry);
                self.last_indexed = position;
            }
            position += len;
            self.count += 1;
        }
        self.size = position;
        if let (Some(index_file), false) = (&mut self.index_file, entries.is_empty()) {
            index_file.write_all(&entries)?;
        }
        Ok(())
    }

    fn seal(&mut self) -> Result<(), MqError> {
        self.file.sync_all()?;
        if let Some(index_file) = self.index_file.take() {
            index_file.sync_all()?;
        }
        Ok(())
    }

    /// Byte position from which to scan for `offset`: the closest index entry at or before it.
    fn position_for(&self, offset: u64) -> u64 {
        let relative = offset.saturating_sub(self.base);
        let i = self
            .index
            .partition_point(|e| u64::from(e.relative_offset) <= relative);
        if i == 0 {
            0
        } else {
            u64::from(self.index[i - 1].position)
        }
    }

    /// Appends to `out` the records of this segment with offset >= `from`, until `out` holds `max`.
    fn read_into(&self, from: u64, max: usize, out: &mut Vec<Message>) -> Result<(), MqError> {
        let mut position = self.position_for(from);
        while position < self.size && out.len() < max {
            let corrupt = |reason: &str| MqError::Corrupt {
                path: self.log_path.clone(),
                position,
                reason: reason.to_string(),
            };
            let mut header = [0u8; HEADER_LEN];
            read_exact_at(&self.file, &mut header, position)?;
            let header = record::Header::parse(&header);
            let body_len = u64::from(header.body_len);
            if body_len < 8 || body_len > self.size - position - HEADER_LEN as u64 {
                return Err(corrupt("record length does not fit the segment"));
            }
            let mut body = vec![0u8; header.body_len as usize];
            read_exact_at(&self.file, &mut body, position + HEADER_LEN as u64)?;
            if !header.checks(&body) {
                return Err(corrupt("checksum mismatch"));
            }
            let offset = record::u64_at(&body, 0).ok_or_else(|| corrupt("record too short"))?;
            if offset >= from {
                body.drain(..8);
                out.push(Message {
                    offset,
                    payload: body,
                });
            }
            position += HEADER_LEN as u64 + body_len;
        }
        Ok(())
    }
}

fn needs_index_entry(position: u64, last_indexed: u64, config: &LogConfig) -> bool {
    position > 0 && position - last_indexed >= config.index_interval_bytes
}

/// What a sequential scan of a segment found.
struct Scan {
    valid_len: u64,
    count: u64,
    index: Vec<IndexEntry>,
    last_indexed: u64,
}

/// Reads a segment from the start, stopping at the first damaged record, and rebuilds its index.
fn scan(path: &Path, base: u64, file_len: u64, config: &LogConfig) -> Result<Scan, MqError> {
    let mut reader = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let mut scan = Scan {
        valid_len: 0,
        count: 0,
        index: Vec::new(),
        last_indexed: 0,
    };
    loop {
        let position = scan.valid_len;
        let body = match record::read_next(&mut reader, file_len - position)? {
            Next::Record(body) => body,
            Next::End | Next::Damaged => break,
        };
        if record::u64_at(&body, 0) != Some(base + scan.count) {
            break; // a record with a valid checksum but the wrong offset is still damage
        }
        if needs_index_entry(position, scan.last_indexed, config) {
            scan.index.push(IndexEntry {
                relative_offset: scan.count as u32,
                position: position as u32,
            });
            scan.last_indexed = position;
        }
        scan.valid_len += (HEADER_LEN + body.len()) as u64;
        scan.count += 1;
    }
    Ok(scan)
}

/// Loads an index file, or `None` if it is missing or not plausible for a segment of `segment_len` bytes.
fn load_index(path: &Path, segment_len: u64) -> Result<Option<Vec<IndexEntry>>, MqError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    if bytes.len() % INDEX_ENTRY_LEN != 0 {
        return Ok(None);
    }
    let mut index: Vec<IndexEntry> = Vec::with_capacity(bytes.len() / INDEX_ENTRY_LEN);
    for chunk in bytes.chunks_exact(INDEX_ENTRY_LEN) {
        let entry = IndexEntry {
            relative_offset: u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]),
            position: u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]),
        };
        let increasing = index.last().is_none_or(|prev| {
            entry.relative_offset > prev.relative_offset && entry.position > prev.position
        });
        if !increasing || u64::from(entry.position) >= segment_len {
            return Ok(None); // e.g. a zero-filled tail after a crash: rebuild instead of trusting it
        }
        index.push(entry);
    }
    Ok(Some(index))
}

/// Replaces an index file's contents.
fn write_index(path: &Path, index: &[IndexEntry]) -> Result<(), MqError> {
    let mut bytes = Vec::with_capacity(index.len() * INDEX_ENTRY_LEN);
    for entry in index {
        bytes.extend_from_slice(&entry.to_bytes());
    }
    fs::write(path, bytes)?;
    Ok(())
}

fn log_name(base: u64) -> String {
    format!("{base:020}.log")
}

fn index_name(base: u64) -> String {
    format!("{base:020}.index")
}

fn parse_base(stem: &str) -> Option<u64> {
    if stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit()) {
        stem.parse().ok()
    } else {
        None
    }
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

/// Makes a directory's entries (created, renamed or deleted files) durable. A no-op where directories
/// cannot be opened as files.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], position: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, position)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut position: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, position)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                position += n as u64;
            }
        }
    }
    Ok(())
}
