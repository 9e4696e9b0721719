//! The keyspace: executes [`Command`]s and owns expiry.

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::command::Command;
use crate::frame::Frame;

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
    pub fn execute(&self, command: Command) -> Frame {
        todo!("milestone 1")
    }

    /// Deletes every expired key now and returns how many there were.
    pub fn purge_expired(&self) -> usize {
        todo!("milestone 1")
    }
}
