//! The append-only file (milestone 4): its public types. The writer itself is yours to design: put it here
//! (a background thread that appends the encoded commands, fsyncs them according to the policy and swaps
//! in a rewritten file is one good shape), and call it from [`crate::Db`].

use std::fmt;
use std::io;
use std::str::FromStr;

/// Rewritten files put at most this many list elements or hash field/value pairs in one command, as Redis
/// does, so that no command in the file exceeds the parser's limits however large the collection.
pub const REWRITE_ITEMS_PER_COMMAND: usize = 64;

/// When the append-only file is fsynced: Redis's `appendfsync` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppendFsync {
    /// Before any reply that depends on a write is sent, the write is on disk. Commands that arrive while
    /// an fsync runs share the next one (group commit).
    Always,
    /// Writes reach the file (the OS) before their reply; a background thread fsyncs about once a second.
    #[default]
    EverySec,
    /// Writes reach the file before their reply; the OS decides when they reach the disk.
    No,
}

/// The text is not `always`, `everysec` or `no`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid appendfsync policy {0:?}: expected always, everysec or no")]
pub struct ParseAppendFsyncError(pub String);

impl FromStr for AppendFsync {
    type Err = ParseAppendFsyncError;

    /// Parses `always`, `everysec` or `no`, in any case, as Redis's configuration does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        todo!("milestone 4")
    }
}

impl fmt::Display for AppendFsync {
    /// `always`, `everysec` or `no`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!("milestone 4")
    }
}

/// Why an append-only file could not be loaded or rewritten.
#[derive(Debug, thiserror::Error)]
pub enum AofError {
    /// Reading, writing, syncing or renaming failed.
    #[error("append-only file I/O error: {0}")]
    Io(#[from] io::Error),
    /// The file holds something other than a sequence of valid commands, before its last record. Holds the
    /// byte offset of the offending record.
    #[error("bad append-only file at byte {offset}: {reason}")]
    Corrupt {
        /// Where the offending record starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// `rewrite_aof` was called while another rewrite was running.
    #[error("Background append only file rewriting already in progress")]
    RewriteInProgress,
    /// The keyspace has no append-only file.
    #[error("no append-only file is open")]
    NotEnabled,
}

/// What loading an append-only file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplayReport {
    /// Commands replayed.
    pub commands: usize,
    /// Bytes of a torn last record that were cut off the end of the file (0 if the file ended cleanly).
    pub truncated_bytes: u64,
}

/// Counters of the append-only file, as the writer reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AofStats {
    /// `fsync`s (`sync_data`) of the append-only file since it was opened, not counting rewrites.
    pub fsyncs: u64,
    /// Rewrites completed since the file was opened.
    pub rewrites: u64,
}
