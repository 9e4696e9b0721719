//! One topic's durable log: a directory of segments, each a `.log` file of records plus a sparse `.index`.
//!
//! ```text
//! <dir>/00000000000000000000.log     records with offsets 0 .. 1042
//! <dir>/00000000000000000000.index   sparse (relative offset, byte position) pairs for that segment
//! <dir>/00000000000000001043.log     the active segment: the only file ever appended to
//! <dir>/00000000000000001043.index
//! ```
//!
//! The suggested record format is `[body_len: u32][crc32(body): u32][offset: u64][payload]`, little endian.
//! The exact bytes are yours to choose: the tests rely on file names and behaviour, not on the encoding.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::MqError;

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
    // Replace with your own fields: the directory, the config, the segments (oldest first, the last one
    // active) and the next offset.
    _todo: (),
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
        todo!("milestone 1")
    }

    /// Appends one message and returns its offset. The record is written with a single `write` call and,
    /// under [`FsyncPolicy::EveryAppend`], is on disk when this returns.
    pub fn append(&mut self, payload: &[u8]) -> Result<u64, MqError> {
        todo!("milestone 1")
    }

    /// Appends `payloads` as consecutive messages and returns their offsets (an empty range at
    /// [`next_offset`](Self::next_offset) for an empty batch). Milestone 4.
    ///
    /// If any payload is larger than `max_message_bytes` the batch fails with [`MqError::MessageTooLarge`]
    /// and nothing is appended. Segments roll exactly as for single appends (same segments, same sizes). The
    /// records going to one segment are written with one `write` call, and under
    /// [`FsyncPolicy::EveryAppend`] the batch is fsynced once, at its end.
    pub fn append_batch(&mut self, payloads: &[&[u8]]) -> Result<Range<u64>, MqError> {
        todo!("milestone 4")
    }

    /// How many appends and batches fsynced their records since the log was opened: one per
    /// [`append`](Self::append) or [`append_batch`](Self::append_batch) under [`FsyncPolicy::EveryAppend`],
    /// none under [`FsyncPolicy::Never`]. Sealing a segment is not counted. Milestone 4.
    pub fn append_syncs(&self) -> u64 {
        todo!("milestone 4")
    }

    /// The size in bytes of each segment's `.log` file, oldest first (aligned with
    /// [`segment_base_offsets`](Self::segment_base_offsets)). Milestone 4.
    pub fn segment_sizes(&self) -> Vec<u64> {
        todo!("milestone 4")
    }

    /// The total size in bytes of the segments' `.log` files. Milestone 4.
    pub fn size_bytes(&self) -> u64 {
        todo!("milestone 4")
    }

    /// Reads up to `max_messages` messages starting at offset `from`, crossing segments as needed.
    ///
    /// Returns an empty vector when `from` is at or past [`next_offset`](Self::next_offset), and
    /// [`MqError::OffsetOutOfRange`] when `from` is below [`earliest_offset`](Self::earliest_offset).
    pub fn read(&self, from: u64, max_messages: usize) -> Result<Vec<Message>, MqError> {
        todo!("milestone 1")
    }

    /// The offset the next append will get.
    pub fn next_offset(&self) -> u64 {
        todo!("milestone 1")
    }

    /// The smallest offset still stored (equal to `next_offset` when the log is empty).
    pub fn earliest_offset(&self) -> u64 {
        todo!("milestone 1")
    }

    /// The base offsets of the segments, oldest first. The last one is the active segment.
    pub fn segment_base_offsets(&self) -> Vec<u64> {
        todo!("milestone 1")
    }

    /// The directory holding this log.
    pub fn dir(&self) -> &Path {
        todo!("milestone 1")
    }

    /// Retention: deletes, oldest first, every sealed segment whose messages all have offsets below
    /// `offset`, and returns how many were deleted. The active segment is never deleted.
    pub fn delete_segments_before(&mut self, offset: u64) -> Result<usize, MqError> {
        todo!("milestone 1")
    }

    /// Forces everything appended so far to disk (useful under [`FsyncPolicy::Never`]).
    pub fn sync(&mut self) -> Result<(), MqError> {
        todo!("milestone 1")
    }
}
