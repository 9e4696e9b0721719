//! Committed consumer-group offsets, stored durably.
//!
//! Suggested design: an append-only log of commit records (group, topic, offset), each framed and
//! checksummed like the topic log's records and fsynced. On open, replay it (last commit wins) and cut off a
//! torn tail. [`OffsetStore::compact`] rewrites the file with one record per live entry: write a temporary
//! file, fsync it, rename it over the log, fsync the directory.

use std::path::Path;

use crate::error::MqError;

/// Durable map from (group, topic) to the group's committed offset: the first offset it has *not* finished.
#[derive(Debug)]
pub struct OffsetStore {
    // Replace with your own fields.
    _todo: (),
}

impl OffsetStore {
    /// Opens (or creates) the store at `path` and replays it.
    pub fn open(path: impl AsRef<Path>) -> Result<OffsetStore, MqError> {
        todo!("milestone 1")
    }

    /// Durably records that `group` has finished every offset of `topic` below `offset`. The commit is
    /// fsynced before this returns. A later commit replaces an earlier one, even with a smaller offset.
    /// Names are validated as in [`crate::Broker`] (`InvalidGroup`, `InvalidTopic`).
    pub fn commit(&mut self, group: &str, topic: &str, offset: u64) -> Result<(), MqError> {
        todo!("milestone 1")
    }

    /// The last committed offset of `group` on `topic`, if it ever committed one.
    pub fn committed(&self, group: &str, topic: &str) -> Option<u64> {
        todo!("milestone 1")
    }

    /// Number of (group, topic) pairs with a committed offset.
    pub fn len(&self) -> usize {
        todo!("milestone 1")
    }

    /// Whether nothing was ever committed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rewrites the file with one record per live entry. Atomic: a crash leaves the old or the new file.
    /// Also worth calling from `commit` when superseded records far outnumber live ones.
    pub fn compact(&mut self) -> Result<(), MqError> {
        todo!("milestone 1")
    }
}
