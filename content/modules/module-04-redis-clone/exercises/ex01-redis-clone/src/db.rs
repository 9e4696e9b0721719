//! The keyspace: executes [`Command`]s and owns expiry, both lazy (on access) and active (sampling, from
//! milestone 3).

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::aof::{AofError, AofStats, AppendFsync, ReplayReport};
use crate::clock::{Clock, SystemClock};
use crate::command::Command;
use crate::frame::Frame;
use crate::pubsub::PubSub;

/// The error reply for a command used on a key of another type (milestone 3).
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

/// How many keys with a TTL one sampling round of active expiry examines, at most (milestone 3).
pub const ACTIVE_EXPIRE_SAMPLE: usize = 20;

/// How often the server runs an active expiry cycle ([`crate::active_expiry`]).
pub const ACTIVE_EXPIRE_INTERVAL: Duration = Duration::from_millis(100);

/// The most time one active expiry cycle may spend. Measure it on the keyspace's clock, so that a
/// [`crate::ManualClock`] that nobody advances never cuts a cycle short.
pub const ACTIVE_EXPIRE_BUDGET: Duration = Duration::from_millis(25);

/// What one call of [`Db::active_expire_cycle`] did (complete).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExpireCycleStats {
    /// Sampling rounds run. Each round is one acquisition of the keyspace lock.
    pub rounds: usize,
    /// Keys examined, over all rounds.
    pub sampled: usize,
    /// Expired keys deleted, over all rounds.
    pub expired: usize,
    /// The most keys examined in any single round, that is under one acquisition of the lock. Never more
    /// than [`ACTIVE_EXPIRE_SAMPLE`].
    pub largest_round: usize,
}

/// A shared, thread-safe keyspace. Cloning is cheap and every clone sees the same data.
///
/// Every command must execute atomically: no other command may observe its intermediate state, and two
/// concurrent `INCR`s must both count. Never hold a lock across I/O.
#[derive(Clone)]
pub struct Db {
    // Replace with your own fields: the map, its lock and the clock, probably behind one `Arc`.
    _todo: (),
}

impl Default for Db {
    fn default() -> Self {
        Db::new()
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    /// An empty keyspace on the system clock.
    pub fn new() -> Db {
        Db::with_clock(Arc::new(SystemClock))
    }

    /// An empty keyspace that reads time from `clock`. Every expiry decision uses this clock.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Db {
        todo!("milestone 1")
    }

    /// Parses `frame` as a command ([`Command::from_frame`]) and executes it. Invalid commands produce an
    /// error reply ([`crate::CommandError::to_frame`]), never a panic.
    pub fn execute_frame(&self, frame: Frame) -> Frame {
        todo!("milestone 1")
    }

    /// Executes one command atomically and returns its reply. See the exercise README for each command's
    /// replies. A key whose deadline has been reached (`now >= deadline`) must be invisible to every command.
    ///
    /// Milestone 3: a command used on a key of another type replies [`WRONGTYPE`] and changes nothing;
    /// `SET` replaces a key of any type. A list or hash never exists empty: the key goes with its last
    /// element. `DBSIZE` is the exception to invisibility: like Redis, it counts the keys stored, including
    /// expired ones that neither a command nor active expiry has reclaimed yet.
    pub fn execute(&self, command: Command) -> Frame {
        todo!("milestone 1")
    }

    /// Deletes every expired key now and returns how many there were.
    pub fn purge_expired(&self) -> usize {
        todo!("milestone 1")
    }

    /// Runs one Redis-style active expiry cycle and reports what it did (milestone 3).
    ///
    /// Each round takes the keyspace lock once, examines up to [`ACTIVE_EXPIRE_SAMPLE`] random keys among
    /// those that have a deadline (never keys without one), deletes the expired ones and releases the lock.
    /// Another round follows while more than 25% of a round's sample was expired; the cycle also stops once
    /// [`ACTIVE_EXPIRE_BUDGET`] has passed. It must not read keys through the commands, and the stats must
    /// be exact: `expired` is the number of keys this call deleted.
    pub fn active_expire_cycle(&self) -> ExpireCycleStats {
        todo!("milestone 3")
    }

    /// Opens the append-only file at `path` (creating it if it does not exist), replays it into a new
    /// keyspace on `clock`, and returns that keyspace, which logs every change to the file from now on
    /// (milestone 4).
    ///
    /// Replay goes through the normal command path with expiry suspended, so every command sees the keyspace
    /// it saw when it was logged. A torn last record (the file ends inside a command) is cut off the file and
    /// reported in [`ReplayReport::truncated_bytes`]; any other record that is not a valid command, or a
    /// command that fails on replay, is [`AofError::Corrupt`] with the record's offset. See the README for
    /// what is logged for each command.
    pub fn open_aof(
        path: impl AsRef<Path>,
        fsync: AppendFsync,
        clock: Arc<dyn Clock>,
    ) -> Result<(Db, ReplayReport), AofError> {
        todo!("milestone 4")
    }

    /// Waits until every command executed so far is in the append-only file: written to the OS, and with
    /// [`AppendFsync::Always`] also fsynced (milestone 4). The server calls it before sending a batch of
    /// replies. Returns at once without an append-only file. Never fsync on a Tokio worker thread.
    pub async fn flush_aof(&self) -> io::Result<()> {
        todo!("milestone 4")
    }

    /// The append-only file's counters, or `None` without one (milestone 4).
    pub fn aof_stats(&self) -> Option<AofStats> {
        todo!("milestone 4")
    }

    /// Rewrites the append-only file as the shortest command sequence that recreates the current keyspace,
    /// then atomically replaces the old file (milestone 4). Blocks the calling thread. Commands executed
    /// while it runs must end up in the new file; a second rewrite while one runs is
    /// [`AofError::RewriteInProgress`], and a keyspace without a file is [`AofError::NotEnabled`].
    pub fn rewrite_aof(&self) -> Result<(), AofError> {
        todo!("milestone 4")
    }

    /// The pub/sub hub that `PUBLISH` delivers to and connections subscribe through (milestone 5). `execute`
    /// runs `PUBLISH` (replying with the number of receivers); the subscription commands need a connection,
    /// so the server handles them.
    pub fn pubsub(&self) -> &PubSub {
        todo!("milestone 5")
    }
}
